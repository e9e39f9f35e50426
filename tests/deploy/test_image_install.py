"""The container image's install steps, followed in a plain virtual environment.

No container engine runs on the test machines, so this does what the
Dockerfile's builder stage does: it copies the files the builder COPYs (from
the repository seen as a build context, ``.dockerignore`` applied), runs the same
``RUN`` (``deploy/install.sh``: a wheel of the project, installed with its
extras into a fresh venv), then uses that venv the way the final image does,
from a folder outside the repository with no settings in the environment.

pip reaches the package registry as this machine is set up to; when it cannot,
the tests are skipped rather than failed.  About 10-40 s, most of it pip.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import __version__
from bot.storage.sqlite.schema import load_migrations
from tests.deploy.deploy_files import (
    DOCKERFILE,
    ENTRYPOINT,
    UNIT,
    Instruction,
    copy_build_context,
    dockerfile_instructions,
    env_pairs,
)

pytestmark = pytest.mark.slow

INSTRUCTIONS = dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8"))
# pip's words for "the registry is out of reach", as opposed to a broken install.
OFFLINE = re.compile(
    r"Failed to establish a new connection|Temporary failure in name resolution"
    r"|Network is unreachable|ConnectTimeout|Read timed out|ProxyError"
    r"|No matching distribution found|Could not find a version that satisfies"
)


@dataclass(frozen=True, slots=True)
class Installed:
    venv: Path
    elsewhere: Path  # a working folder outside the repository
    home: Path

    def run(
        self, *argv: str, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run with only PATH (the venv first, like the image's ENV PATH) and HOME set."""
        base = {"PATH": f"{self.venv / 'bin'}:/usr/bin:/bin", "HOME": str(self.home)}
        return subprocess.run(
            list(argv),
            cwd=self.elsewhere,
            env=base | dict(env or {}),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def builder_stage() -> tuple[str, list[Instruction]]:
    """The builder's WORKDIR and its COPY and RUN instructions."""
    steps = [i for i in INSTRUCTIONS if i.stage == 0]
    (workdir,) = [i.args for i in steps if i.keyword == "WORKDIR"]
    return workdir, [i for i in steps if i.keyword in {"COPY", "RUN"}]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("image")
    workdir, steps = builder_stage()
    copies = []
    (run,) = [shlex.split(step.args) for step in steps if step.keyword == "RUN"]
    for step in steps:
        if step.keyword == "COPY":
            *sources, dest = step.args.split()
            assert not any(s.startswith("--") for s in sources), step.args
            copies.append((sources, dest))
    source = root / "src"
    copy_build_context(copies, source)
    # RUN sh deploy/install.sh /src /opt/trivia-bot, with both folders moved under tmp.
    assert run[:2] == ["sh", "deploy/install.sh"], run
    assert run[2] == workdir, run
    venv = root / "venv"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    # The interpreter running the tests (3.11+), whatever `python3` is on this PATH.
    env["PYTHON"] = sys.executable
    done = subprocess.run(
        ["sh", "deploy/install.sh", str(source), str(venv)],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0 and OFFLINE.search(done.stderr + done.stdout):
        pytest.skip(f"pip could not reach the package registry: {done.stderr[-500:]}")
    assert done.returncode == 0, done.stdout + done.stderr
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    home = root / "home"
    home.mkdir()
    return Installed(venv=venv, elsewhere=elsewhere, home=home)


def test_the_final_image_copies_the_venv_the_builder_installs() -> None:
    _, steps = builder_stage()
    (run,) = [shlex.split(step.args) for step in steps if step.keyword == "RUN"]
    venv = run[3]
    last = max(i.stage for i in INSTRUCTIONS)
    copies = [i.args for i in INSTRUCTIONS if i.stage == last and i.keyword == "COPY"]
    assert f"--from=builder {venv} {venv}" in copies
    env: dict[str, str] = {}
    for i in INSTRUCTIONS:
        if i.stage == last and i.keyword == "ENV":
            env |= env_pairs(i.args)
    assert env["PATH"].startswith(f"{venv}/bin:")


def test_the_installed_command_reports_its_version(installed: Installed) -> None:
    done = installed.run("trivia-bot", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"trivia-bot, version {__version__}"
    assert (installed.venv / "bin" / "trivia-bot").is_file()


def test_the_bundled_bank_is_inside_the_wheel(installed: Installed) -> None:
    done = installed.run("trivia-bot", "questions", "validate")
    assert done.returncode == 0, done.stdout + done.stderr
    flat = "".join(done.stdout.split())  # rich wraps long paths
    assert "ok" in flat
    assert "".join(str(installed.venv).split()) in flat
    assert "bundled_questions" in flat


def test_the_migrations_are_inside_the_wheel(installed: Installed) -> None:
    db = installed.elsewhere / "scores.db"
    done = installed.run("trivia-bot", "leaderboard", "--db", str(db))
    assert done.returncode == 0, done.stdout + done.stderr
    with closing(sqlite3.connect(db)) as conn:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
    assert version == len(load_migrations())


def test_run_slack_without_a_token_exits_2_naming_slack_bot_token(installed: Installed) -> None:
    done = installed.run("trivia-bot", "run", "slack")
    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in done.stderr


@pytest.mark.parametrize(
    ("platform", "token"), [("slack", "SLACK_BOT_TOKEN"), ("discord", "DISCORD_TOKEN")]
)
def test_the_entry_script_starts_the_platform_in_trivia_platform(
    installed: Installed, platform: str, token: str
) -> None:
    done = installed.run("sh", str(ENTRYPOINT), env={"TRIVIA_PLATFORM": platform})
    assert done.returncode == 2
    assert f"{token} is not set" in done.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_unit_with_the_installed_venv(
    installed: Installed, tmp_path: Path
) -> None:
    # verify checks that ExecStart is executable: point it at this venv.
    text = UNIT.read_text(encoding="utf-8").replace("/opt/trivia-bot", str(installed.venv))
    unit = tmp_path / "trivia-bot@slack.service"
    unit.write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
