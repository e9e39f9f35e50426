"""Reading the files in ``deploy/`` the way Docker, Compose and systemd would,
closely enough for the tests to check what they say."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / "env.example"
UNIT = DEPLOY / "systemd" / "trivia-bot@.service"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
INSTALL = DEPLOY / "install.sh"
DOCKERIGNORE = REPO / ".dockerignore"
OPERATIONS = REPO / "docs" / "operations.md"

# A variable a deploy file sets or mentions that looks like one of the bot's.
SETTING_NAME = re.compile(r"\b(?:TRIVIA|DISCORD|SLACK)_[A-Z0-9_]+\b")


@dataclass(frozen=True, slots=True)
class Instruction:
    stage: int  # 0 for the first FROM's stage, 1 for the next, ...
    keyword: str  # upper case: FROM, COPY, RUN, ...
    args: str  # the rest, continuation lines joined


def dockerfile_instructions(text: str) -> list[Instruction]:
    """Docker's line rules: ``#`` lines are comments (also inside a continued
    instruction), a trailing backslash continues the instruction."""
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        if whole:
            logical.append(whole)
    found: list[Instruction] = []
    stage = -1
    for whole in logical:
        keyword, _, args = whole.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        found.append(Instruction(stage, keyword, " ".join(args.split())))
    return found


def exec_form(args: str) -> list[str]:
    """The JSON array of an exec-form ENTRYPOINT, CMD or HEALTHCHECK CMD."""
    value = json.loads(args)
    assert isinstance(value, list), args
    return [str(item) for item in value]


def env_pairs(args: str) -> dict[str, str]:
    """``ENV A=1 B=2`` (no quoting in ours)."""
    return dict(item.split("=", 1) for item in args.split())


def compose() -> dict[str, object]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@dataclass(frozen=True, slots=True)
class UnitLine:
    section: str
    key: str
    value: str


def unit_lines(text: str) -> list[UnitLine]:
    """systemd's unit syntax as far as ours uses it (a key may repeat)."""
    lines: list[UnitLine] = []
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, _, value = line.partition("=")
        lines.append(UnitLine(section, key.strip(), value.strip()))
    return lines


def env_file_assignments(text: str, *, commented: bool) -> dict[str, str]:
    """``KEY=value`` lines; with ``commented``, also ``# KEY=value`` examples."""
    pattern = r"^#\s*([A-Z][A-Z0-9_]*)=(.*)$|^([A-Z][A-Z0-9_]*)=(.*)$"
    found: dict[str, str] = {}
    for match in re.finditer(pattern, text, re.MULTILINE):
        if match[1] is not None:
            if commented:
                found[match[1]] = match[2].strip()
        else:
            found[match[3]] = match[4].strip()
    return found


def dockerignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(relative: str, patterns: list[str]) -> bool:
    """Whether ``.dockerignore`` keeps ``relative`` (a context path, ``/``-separated)
    out of the build context: the last matching pattern wins, ``!`` takes a path
    back, ``**/`` matches at any depth, and a matched folder takes its contents
    along.  (fnmatch's ``*`` also crosses ``/``, so this errs on ignoring more.)"""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    verdict = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern.removeprefix("!").removeprefix("**/")
        if any(fnmatch.fnmatchcase(prefix, body) for prefix in prefixes):
            verdict = not negate
    return verdict


def copy_build_context(copies: list[tuple[list[str], str]], workdir: Path) -> None:
    """Carry out ``COPY SRC... DEST`` instructions into ``workdir`` from the
    repository seen as a build context, that is filtered by ``.dockerignore``.
    Docker's rules: a folder's contents go into DEST; a file goes into DEST when
    DEST ends with ``/``, else becomes DEST."""
    patterns = dockerignore_patterns()
    for sources, dest in copies:
        for source in sources:
            assert not ignored(source, patterns), f".dockerignore drops {source}, which is copied"
            origin = REPO / source
            if origin.is_dir():
                for path in sorted(origin.rglob("*")):
                    relative = path.relative_to(REPO).as_posix()
                    if path.is_file() and not ignored(relative, patterns):
                        _copy(path, workdir / dest / path.relative_to(origin))
            elif dest.endswith("/"):
                _copy(origin, workdir / dest / origin.name)
            else:
                _copy(origin, workdir / dest)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
