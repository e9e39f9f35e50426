"""Finding bank files on disk and loading many of them as one set.

Question ids must be unique across every bank loaded together (scores and the
asked-question history refer to them), so ``load_banks`` checks that across
files and reports the problems of all files in one ``BankError``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import bot
from bot.bank.cache import load_cached
from bot.bank.format import MAX_FILE_BYTES, LoadedBank
from bot.bank.loader import load_bank_text
from bot.bank.problems import BankError, BankProblem
from bot.bank.yaml_tree import gc_paused
from bot.domain.words import plural

log = logging.getLogger(__name__)

BANK_SUFFIXES = (".yaml", ".yml")


def bundled_bank_dir() -> Path:
    """The folder of the banks shipped with the bot.

    An installed wheel carries them in ``bot/bundled_questions`` (hatch
    force-includes the repository's ``questions/`` there); a source checkout
    reads ``questions/`` next to the ``bot`` package.
    """
    package = Path(bot.__file__).parent
    installed = package / "bundled_questions"
    if installed.is_dir():
        return installed
    return package.parent / "questions"


def read_bank_bytes(path: Path, *, advice: str = "split it into several banks") -> bytes:
    """A bank file's bytes, refusing (``BankError``) what is over the size limit.

    Refused by size before reading when ``stat`` knows it, and never reading
    more than the limit when it doesn't: a device or a pipe (/dev/zero,
    <(yes)) reports size 0.  ``advice`` ends the message about the limit.
    """
    shown = str(path)
    limit = f"({MAX_FILE_BYTES // 2**20} MiB); {advice}"
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _error(
                shown, f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes {limit}"
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _error(shown, f"cannot read the file: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise _error(shown, f"the file holds more than {MAX_FILE_BYTES:,} bytes, the limit {limit}")
    return data


def load_bank_file(path: Path, *, cache_dir: Path | None = None) -> LoadedBank:
    """Load one bank file (through the cache when ``cache_dir`` is given)."""
    shown = str(path)
    data = read_bank_bytes(path)
    if cache_dir is None:
        return load_bank_text(data, path=shown)
    return load_cached(data, path=shown, source=path, cache_dir=cache_dir)


def bank_files(paths: Sequence[Path]) -> tuple[list[Path], list[BankProblem]]:
    """The bank files named by ``paths``: files as given, folders' ``*.yaml``
    and ``*.yml`` files (not their subfolders) in name order, each file once."""
    found: list[Path] = []
    problems: list[BankProblem] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            inside = sorted(
                child
                for child in path.iterdir()
                if child.suffix.lower() in BANK_SUFFIXES and child.is_file()
            )
            if not inside:
                problems.append(
                    BankProblem(
                        str(path), None, None, None, "the folder holds no .yaml or .yml bank files"
                    )
                )
        elif path.is_file():
            inside = [path]
        else:
            problems.append(BankProblem(str(path), None, None, None, "no such file or folder"))
            continue
        for file in inside:
            resolved = file.resolve()
            if resolved not in seen:
                seen.add(resolved)
                found.append(file)
    return found, problems


def load_banks(paths: Sequence[Path], *, cache_dir: Path | None = None) -> tuple[LoadedBank, ...]:
    """Load every bank in ``paths`` (files or folders) as one set.

    Raises one ``BankError`` with the problems of every file, plus bank ids and
    question ids used in more than one file (naming both places).
    """
    files, problems = bank_files(paths)
    banks: list[LoadedBank] = []
    # One pause for the whole set, not one per file: the collector would
    # otherwise re-scan each finished bank while the next one is built.
    with gc_paused():
        for file in files:
            try:
                banks.append(load_bank_file(file, cache_dir=cache_dir))
            except BankError as exc:
                problems.extend(exc.problems)
        problems.extend(_clashes(banks))
    if problems:
        raise BankError(problems)
    log.info(
        "loaded %s with %s",
        plural(len(banks), "question bank"),
        plural(sum(len(bank.questions) for bank in banks), "question"),
    )
    return tuple(banks)


def _clashes(banks: Sequence[LoadedBank]) -> list[BankProblem]:
    problems: list[BankProblem] = []
    bank_ids: dict[str, str] = {}
    owners: dict[str, tuple[LoadedBank, int | None]] = {}
    for bank in banks:
        info = bank.info
        if info.id in bank_ids:
            problems.append(
                BankProblem(
                    info.path,
                    None,
                    None,
                    "id",
                    f"bank id '{info.id}' is "
                    f"also the id of {bank_ids[info.id]}; give each bank "
                    "its own id",
                )
            )
        else:
            bank_ids[info.id] = info.path
        lines = bank.question_lines or (None,) * len(bank.questions)
        for question, line in zip(bank.questions, lines, strict=True):
            if question.id in owners:
                other, other_line = owners[question.id]
                where = other.info.path if other_line is None else f"{other.info.path}:{other_line}"
                problems.append(
                    BankProblem(
                        info.path,
                        line,
                        question.id,
                        "id",
                        f"id "
                        f"'{question.id}' is already used in {where}; "
                        "question ids must be unique across all banks "
                        "(prefix them with the bank's id, for example)",
                    )
                )
            else:
                owners[question.id] = (bank, line)
    return problems


def _error(path: str, message: str) -> BankError:
    return BankError([BankProblem(path, None, None, None, message)])
