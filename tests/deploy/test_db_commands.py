"""``trivia-bot db backup`` and ``trivia-bot db check``, beside a store that is open and writing."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli.db import db
from bot.domain.model import ChannelKey, PlayerKey, ServerKey
from bot.domain.records import (
    AnswerRecord,
    Period,
)
from bot.storage.bench import seed_answers
from bot.storage.sqlite.schema import load_migrations
from bot.storage.sqlite.store import open_sqlite_store
from tests.helpers import raw

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)
GUILD = ServerKey("discord", "guild-1")
ADA = PlayerKey(GUILD.platform, GUILD.server, "ada")
LATEST = len(load_migrations())


def point(number: int) -> AnswerRecord:
    return AnswerRecord(
        player=ADA,
        name="Ada",
        channel=ChannelKey(GUILD.platform, GUILD.server, "general"),
        game_id="game-1",
        question_id=f"q{number}",
        correct=True,
        points=1,
        answer_ms=1000,
        streak=1,
        at=NOW,
    )


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(db, list(args), env=env, catch_exceptions=False)


async def make_database(path: Path, points: int = 3) -> None:
    store = await open_sqlite_store(path)
    try:
        await store.record_answers([point(n) for n in range(points)])
    finally:
        await store.close()


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def ada_points(path: Path) -> tuple[int, int]:
    """Ada's maintained total and her answers in the log, read from one snapshot."""
    with raw(path) as conn:
        conn.execute("BEGIN")
        (total,) = conn.execute("SELECT points FROM players WHERE user_id = 'ada'").fetchone()
        (logged,) = conn.execute(
            "SELECT count(*) FROM answers JOIN players ON players.id = answers.player_id"
            " WHERE players.user_id = 'ada'"
        ).fetchone()
        conn.execute("COMMIT")
        return int(total), int(logged)


# -- backup ----------------------------------------------------------------------------------


async def test_backup_while_the_store_writes_is_consistent_and_never_stalls_the_writer(
    tmp_path: Path,
) -> None:
    live, copy = tmp_path / "live.db", tmp_path / "backups" / "copy.db"
    copy.parent.mkdir()  # a backup goes into a folder that exists
    store = await open_sqlite_store(live)
    # Enough data that the copy takes a while, so writes really land during it.
    await seed_answers(
        store,
        server=ServerKey("discord", "seed"),
        count=60_000,
        players=500,
        now=NOW,
        rng=random.Random(1),
    )
    committed = 0
    slowest = 0.0
    stop, warmed_up = asyncio.Event(), asyncio.Event()

    async def keep_scoring() -> None:
        nonlocal committed, slowest
        while not stop.is_set():
            started = time.perf_counter()
            await store.record_answers([point(committed)])
            slowest = max(slowest, time.perf_counter() - started)
            committed += 1
            if committed == 20:
                warmed_up.set()

    writer = asyncio.create_task(keep_scoring())
    try:
        await warmed_up.wait()
        before = committed
        result = await asyncio.to_thread(invoke, "backup", str(copy), "--db", str(live))
        during = committed - before
    finally:
        stop.set()
        await writer
        await store.close()

    assert result.exit_code == 0, result.output
    assert f"schema version {LATEST}" in result.output
    assert during > 0, "no point was scored while the backup ran; the test proves nothing"
    assert slowest < 1.0, f"a write waited {slowest:.2f} s behind the backup"
    total, logged = ada_points(copy)
    assert total == logged, "the copy's totals disagree with its answer log: not one snapshot"
    assert before <= total <= committed
    assert invoke("check", "--db", str(copy)).exit_code == 0
    copied = await open_sqlite_store(copy)
    try:
        board = await copied.leaderboard(GUILD, Period.ALL, now=NOW)
    finally:
        await copied.close()
    assert [(row.name, row.points) for row in board] == [("Ada", total)]


async def test_the_backup_is_one_private_file_with_its_size_and_schema_version_shown(
    tmp_path: Path,
) -> None:
    live, copy = tmp_path / "live.db", tmp_path / "copy.db"
    await make_database(live)

    result = invoke("backup", str(copy), "--db", str(live))

    assert result.exit_code == 0, result.output
    size = copy.stat().st_size
    assert f"schema version {LATEST}" in result.output
    assert f"{size / 1024:.1f} KiB" in result.output
    assert copy.stat().st_mode & 0o077 == 0, "a backup holds user ids: owner only"
    assert names(tmp_path) == ["copy.db", "live.db"]
    with raw(copy) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert ada_points(copy) == (3, 3)


async def test_a_database_in_rollback_journal_mode_is_copied_too(tmp_path: Path) -> None:
    # A backup is such a database (and so is one on a filesystem without WAL).
    live, first, second = tmp_path / "live.db", tmp_path / "first.db", tmp_path / "second.db"
    await make_database(live)
    assert invoke("backup", str(first), "--db", str(live)).exit_code == 0

    result = invoke("backup", str(second), "--db", str(first))

    assert result.exit_code == 0, result.output
    assert ada_points(second) == (3, 3)


async def test_backup_refuses_to_replace_a_file_unless_forced(tmp_path: Path) -> None:
    live, copy = tmp_path / "live.db", tmp_path / "copy.db"
    await make_database(live)
    copy.write_bytes(b"last week's backup")

    refused = invoke("backup", str(copy), "--db", str(live))

    assert refused.exit_code == 2
    assert "already exists" in refused.output
    assert "--force" in refused.output
    assert copy.read_bytes() == b"last week's backup"

    forced = invoke("backup", str(copy), "--db", str(live), "--force")

    assert forced.exit_code == 0, forced.output
    assert ada_points(copy) == (3, 3)


def test_backup_of_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    result = invoke("backup", str(tmp_path / "copy.db"), "--db", str(tmp_path / "nowhere.db"))

    assert result.exit_code == 1
    assert "no database at" in result.output
    assert names(tmp_path) == []


async def test_backup_into_a_folder_that_does_not_exist_is_refused_and_creates_nothing(
    tmp_path: Path,
) -> None:
    live = tmp_path / "live.db"
    await make_database(live)
    before = names(tmp_path)
    target = tmp_path / "no" / "such" / "dir" / "x.db"

    result = invoke("backup", str(target), "--db", str(live))

    assert result.exit_code == 1
    assert f"the folder {target.parent} does not exist" in result.output
    assert f"mkdir -p {target.parent}" in result.output
    assert not (tmp_path / "no").exists()
    assert names(tmp_path) == before


async def test_backup_of_a_damaged_database_fails_and_leaves_no_copy(tmp_path: Path) -> None:
    live, copy = tmp_path / "live.db", tmp_path / "copy.db"
    await make_database(live)
    damage(live)

    result = invoke("backup", str(copy), "--db", str(live))

    assert result.exit_code == 1
    assert "integrity check" in result.output
    assert names(tmp_path) == ["live.db"]


async def test_backup_onto_the_database_itself_is_refused(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    await make_database(live)

    result = invoke("backup", str(live), "--db", str(live), "--force")

    assert result.exit_code == 1
    assert "the database itself" in result.output
    assert ada_points(live) == (3, 3)


async def test_the_database_comes_from_trivia_db_without_the_option(tmp_path: Path) -> None:
    live, copy = tmp_path / "live.db", tmp_path / "copy.db"
    await make_database(live)
    config = tmp_path / "empty.toml"
    config.write_text("")

    result = invoke("backup", str(copy), env={"TRIVIA_DB": str(live), "TRIVIA_CONFIG": str(config)})

    assert result.exit_code == 0, result.output
    assert str(live) in result.output


# -- check -----------------------------------------------------------------------------------


def damage(path: Path) -> None:
    """Overwrite pages past the first (the header stays valid) with garbage."""
    with path.open("r+b") as handle:
        handle.seek(4096 * 2)
        handle.write(random.Random(7).randbytes(4096 * 4))


async def test_check_of_a_healthy_database_exits_0(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    await make_database(live)

    result = invoke("check", "--db", str(live))

    assert result.exit_code == 0, result.output
    assert "Integrity: ok" in result.output
    assert f"version {LATEST}, the latest" in result.output
    assert "Healthy." in result.output


async def test_check_of_a_damaged_copy_exits_1_and_says_it_is_damaged(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    await make_database(live)
    copy = tmp_path / "copy.db"
    copy.write_bytes(live.read_bytes())
    damage(copy)

    result = invoke("check", "--db", str(copy))

    assert result.exit_code == 1
    assert "damaged" in result.output
    assert "Restore the latest good backup" in result.output
    assert "Not healthy" in result.output


def test_check_of_a_file_that_is_not_a_database_exits_1(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are my notes, not a database\n" * 200)

    result = invoke("check", "--db", str(junk))

    assert result.exit_code == 1
    assert "not a SQLite database" in result.output


async def test_check_of_a_database_from_a_newer_trivia_bot_says_so(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    await make_database(live)
    with raw(live) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 5}")

    result = invoke("check", "--db", str(live))

    assert result.exit_code == 1
    assert f"version {LATEST + 5}, written by a newer trivia-bot" in result.output
    assert f"up to {LATEST}" in result.output


async def test_check_of_an_older_schema_says_the_next_start_upgrades_it(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    store = await open_sqlite_store(old, migrations=load_migrations()[:1])
    await store.close()

    result = invoke("check", "--db", str(old))

    assert result.exit_code == 0, result.output
    assert "version 1;" in result.output
    assert "will be upgraded on next start" in result.output


async def test_check_reports_a_row_whose_parent_is_missing(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    await make_database(live)
    with raw(live) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM players")

    result = invoke("check", "--db", str(live))

    assert result.exit_code == 1
    assert "refers to a missing players row" in result.output


def test_check_of_a_missing_database_exits_1_without_creating_one(tmp_path: Path) -> None:
    result = invoke("check", "--db", str(tmp_path / "nowhere.db"))

    assert result.exit_code == 1
    assert "no database at" in result.output
    assert "TRIVIA_DB" in result.output
    assert names(tmp_path) == []
