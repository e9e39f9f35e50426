"""A database the bot cannot open: every command says so clearly, none shows a traceback.

Produced for real: a read-only folder (a read-only tmpfs for root, whom file modes do
not stop; ``chmod 555`` for anyone else), and a file that is no database.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import run_cli
from tests.platforms.discord.bot_harness import discord_env
from tests.platforms.discord.fake import FakeDiscord


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs at {folder}: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _said_clearly(stderr: str, db: Path) -> None:
    assert "Traceback" not in stderr, stderr
    assert f"Cannot open the database {db}" in stderr, stderr
    assert "TRIVIA_DB" in stderr, stderr  # what to do about it


@pytest.mark.parametrize(
    "command",
    [["play"], ["leaderboard"], ["stats", "Ada"], ["questions", "list", "--server", "discord:1"]],
    ids=lambda c: c[0],
)
@pytest.mark.parametrize("where", ["folder", "subfolder"])
def test_a_read_only_folder_is_named_with_what_to_do(
    read_only_folder: Path, cli_env: dict[str, str], command: list[str], where: str
) -> None:
    db = read_only_folder / "trivia.db" if where == "folder" else read_only_folder / "x" / "t.db"

    done = run_cli(*command, "--db", str(db), env=cli_env)

    assert done.returncode == 1
    _said_clearly(done.stderr, db)


def test_a_file_that_is_no_database_is_named(tmp_path: Path, cli_env: dict[str, str]) -> None:
    db = tmp_path / "notes.db"
    db.write_text("my shopping list\n" * 100)

    done = run_cli("leaderboard", "--db", str(db), env=cli_env)

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "not a SQLite database" in done.stderr
    assert db.read_text() == "my shopping list\n" * 100  # untouched


async def test_run_discord_on_a_read_only_folder_explains_and_exits_1(
    fake: FakeDiscord, tmp_path: Path, read_only_folder: Path, cli_env: dict[str, str]
) -> None:
    db = read_only_folder / "trivia.db"
    env = discord_env(cli_env, fake, tmp_path, TRIVIA_DB=str(db))

    done = await asyncio.to_thread(run_cli, "run", "discord", env=env, timeout=30)

    assert done.returncode == 1
    _said_clearly(done.stderr, db)
