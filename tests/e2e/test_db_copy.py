"""``trivia-bot db copy``: a bot's data moved between SQLite and PostgreSQL, and checked.

The data is written through the store API (``tests/e2e/copy_data.py``) and read back
through it from both databases after the copy, independently of the copy's own check.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.model import ChannelKey
from bot.domain.records import AnswerRecord, Period, ReportDraft, ReportKind
from bot.ports import OperatedStore
from bot.storage import open_store
from bot.storage.bulk import TABLES
from bot.storage.copy_check import CopyKeys, verify_copy
from bot.storage.copying import CopyFailed, CopyRefused, TargetNotEmpty, bulk_tables, copy_store
from bot.storage.sqlite.running import listed_as_running
from tests.e2e.conftest import run_cli
from tests.e2e.copy_data import NOW, SERVERS, UNFINISHED, fill, player, read_all, report_ids
from tests.helpers import raw

GUILD = SERVERS[0]


async def filled_sqlite(path: Path) -> OperatedStore:
    store = await open_store(path)
    await fill(store)
    return store


def late_answer(user: str = "ada", *, game: str = "after-the-move") -> AnswerRecord:
    return AnswerRecord(
        player=player(GUILD, user),
        name=user.title(),
        channel=ChannelKey(GUILD.platform, GUILD.server, "trivia"),
        game_id=game,
        question_id="late",
        correct=True,
        points=3,
        answer_ms=900,
        streak=1,
        at=NOW + timedelta(minutes=30),
    )


# -- SQLite -> PostgreSQL -----------------------------------------------------------------


async def test_sqlite_to_postgres_reads_the_same_everywhere(
    tmp_path: Path, postgres_dsn: str
) -> None:
    source = await filled_sqlite(tmp_path / "trivia.db")
    target = await open_store(postgres_dsn)
    try:
        progress: list[tuple[str, int, int]] = []
        result = await copy_store(
            source, target, progress=lambda *step: progress.append(step), batch=7
        )
        assert result.verification.same, result.verification.differences
        assert await read_all(target) == await read_all(source)
    finally:
        await source.close()
        await target.close()

    copied = {table.name: table.rows for table in result.tables}
    assert copied["answers"] == 3 * 11 * 3 + 3  # three servers' games, and the unfinished one
    assert copied["custom_questions"] == 9, "the removed questions are copied too"
    assert [name for name, done, total in progress if done == total] == [t.name for t in TABLES]
    assert ("answers", 7, copied["answers"]) in progress, "progress comes batch by batch"
    compared = " / ".join(result.verification.compared)
    for words in (
        f"{len(TABLES)} tables",
        "daily",
        "weekly",
        "all-time",
        "9 players",
        "9 reports (6 open)",
    ):
        assert words in compared


async def test_the_copied_postgres_store_keeps_working_with_new_ids(
    tmp_path: Path, postgres_dsn: str
) -> None:
    source = await filled_sqlite(tmp_path / "trivia.db")
    target = await open_store(postgres_dsn)
    try:
        await copy_store(source, target)
        before = await target.player_stats(player(GUILD, "ada"))
        [unfinished] = await target.unfinished_games(GUILD.platform)

        await target.record_answers([late_answer(), late_answer("newcomer")])
        report = await target.file_report(
            ReportDraft(
                server=GUILD,
                channel=ChannelKey(GUILD.platform, GUILD.server, "trivia"),
                question_id="own-1",
                prompt="?",
                kind=ReportKind.WRONG,
                reason="after the move",
                reporter=player(GUILD, "bob"),
                reporter_name="Bob",
                at=NOW,
            )
        )
        after = await target.player_stats(player(GUILD, "ada"))
        board = await target.leaderboard(GUILD, Period.ALL, now=NOW, limit=50)
        copied = await target.schedules()
        fired = copied[0]
        assert fired.id is not None
        refired = await target.claim_firing(fired.id, NOW, "host-b pid 2")
        added = await target.add_schedule(replace(fired, channel="new"))
        due = await target.daily_rounds_due(NOW + timedelta(days=1))
        # The round before the open one is the day before's, revealed before the move.
        rerevealed = await target.mark_daily_revealed(due[0].id - 1)
        new_round = await target.open_daily_round(replace(due[0], id=0))
    finally:
        await source.close()
        await target.close()

    assert unfinished.game.game_id == UNFINISHED
    assert [s.player.user for s in unfinished.standings], "its standings come from its answers"
    assert report.id == max(report_ids()) + 1, "new ids come after the copied ones"
    assert before is not None
    assert after is not None
    assert after.points == before.points + 3
    assert "newcomer" in [row.player.user for row in board]
    assert not refired, "a due time fired before the move does not fire again after it"
    assert added.id is not None
    assert added.id > max(s.id or 0 for s in copied), "new schedule ids come after the copied"
    assert not rerevealed, "a daily round revealed before the move is not revealed again"
    assert new_round.id > max(r.id for r in due), "new daily round ids come after the copied"


# -- PostgreSQL -> SQLite, SQLite -> SQLite ---------------------------------------------


async def test_postgres_to_sqlite_reads_the_same(tmp_path: Path, postgres_dsn: str) -> None:
    source = await open_store(postgres_dsn)
    await fill(source)
    target = await open_store(tmp_path / "back.db")
    try:
        result = await copy_store(source, target)
        assert result.verification.same, result.verification.differences
        assert await read_all(target) == await read_all(source)
        await target.record_answers([late_answer()])  # rowids carry on after the copied ones
    finally:
        await source.close()
        await target.close()


async def test_sqlite_to_sqlite_reads_the_same(tmp_path: Path) -> None:
    source = await filled_sqlite(tmp_path / "one.db")
    target = await open_store(tmp_path / "two.db")
    try:
        result = await copy_store(source, target)
        assert result.verification.same, result.verification.differences
        assert await read_all(target) == await read_all(source)
    finally:
        await source.close()
        await target.close()


# -- refusals, --force, failures ----------------------------------------------------------


async def test_a_target_with_data_is_refused_and_left_alone(
    tmp_path: Path, postgres_dsn: str
) -> None:
    source = await filled_sqlite(tmp_path / "trivia.db")
    target = await open_store(postgres_dsn)
    try:
        await target.record_answers([late_answer("only-here")])
        before = await read_all(target)
        with pytest.raises(TargetNotEmpty, match=r"already holds data \(servers 1, players 1"):
            await copy_store(source, target)
        assert await read_all(target) == before
    finally:
        await source.close()
        await target.close()


async def test_force_replaces_the_targets_data_whole(tmp_path: Path, postgres_dsn: str) -> None:
    source = await filled_sqlite(tmp_path / "trivia.db")
    target = await open_store(postgres_dsn)
    try:
        await target.record_answers([late_answer("only-here")])
        result = await copy_store(source, target, replace=True)
        assert result.verification.same, result.verification.differences
        assert await read_all(target) == await read_all(source)
        assert await target.player_stats(player(GUILD, "only-here")) is None
    finally:
        await source.close()
        await target.close()


async def test_a_copy_that_fails_leaves_the_target_as_it_was_even_with_force(
    tmp_path: Path, postgres_dsn: str
) -> None:
    path = tmp_path / "trivia.db"
    source = await filled_sqlite(path)
    with raw(path) as conn:  # SQLite takes text in an integer column; PostgreSQL will not
        conn.execute("UPDATE answers SET points = 'lots' WHERE id = 50")
    target = await open_store(postgres_dsn)
    try:
        await target.record_answers([late_answer("only-here")])
        before = await read_all(target)
        with pytest.raises(CopyFailed, match="stopped at table answers"):
            await copy_store(source, target, replace=True)
        assert await read_all(target) == before
    finally:
        await source.close()
        await target.close()


async def test_an_empty_source_is_refused(tmp_path: Path) -> None:
    source = await open_store(tmp_path / "empty.db")
    target = await filled_sqlite(tmp_path / "full.db")
    try:
        with pytest.raises(CopyRefused, match="holds no data"):
            await copy_store(source, target, replace=True)
        assert await target.player_stats(player(GUILD, "ada")) is not None
    finally:
        await source.close()
        await target.close()


async def test_the_check_sees_a_target_that_differs(tmp_path: Path) -> None:
    source = await filled_sqlite(tmp_path / "one.db")
    target = await open_store(tmp_path / "two.db")
    try:
        await copy_store(source, target)
        await target.record_answers([late_answer()])  # as if a bot had scored meanwhile
        keys = CopyKeys()
        async with bulk_tables(source).snapshot() as reader:
            for table in TABLES:
                async for rows in reader.rows(table, batch=100):
                    keys.see(table, rows)
        check = await verify_copy(source, target, keys, bulk_tables(source), bulk_tables(target))
    finally:
        await source.close()
        await target.close()

    assert not check.same
    text = "\n".join(check.differences)
    assert "table answers: 102 rows in the source, 103 in the target" in text
    assert "discord:guild-1 stats of ada" in text
    assert "discord:guild-1 leaderboard of all time" in text


# -- the command ------------------------------------------------------------------------


async def test_the_command_copies_refuses_a_second_time_and_replaces_with_force(
    tmp_path: Path, postgres_dsn: str, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "trivia.db"
    await (await filled_sqlite(db)).close()

    first = run_cli("db", "copy", str(db), postgres_dsn, env=cli_env)
    again = run_cli("db", "copy", str(db), postgres_dsn, env=cli_env)
    forced = run_cli("db", "copy", str(db), postgres_dsn, "--force", env=cli_env)

    assert first.returncode == 0, first.stderr
    assert "answers: 102 rows" in first.stderr
    assert f"Copied 475 rows in {len(TABLES)} tables" in first.stdout
    assert "answers 102, period_totals 111, games 33, game_players 99" in first.stdout
    assert "Verified: both databases read the same" in first.stdout
    assert "the stats of 9 players" in first.stdout
    assert f"TRIVIA_DB={postgres_dsn}" in first.stdout
    assert again.returncode == 2
    assert "already holds data" in again.stderr
    assert "--force" in again.stderr
    assert forced.returncode == 0, forced.stderr
    assert "Replaced the target's data with" in forced.stdout


def test_the_command_refuses_while_a_bot_runs_on_the_source(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "trivia.db"
    with raw(db) as conn:
        conn.execute("CREATE TABLE t (x)")  # a file that exists

    with listed_as_running(db):  # this process, listed as a bot serving db
        done = run_cli("db", "copy", str(db), str(tmp_path / "copy.db"), env=cli_env)

    assert done.returncode == 1
    assert "a trivia-bot is running on the source" in done.stderr
    assert "stop it first" in done.stderr


@pytest.mark.parametrize(
    ("source", "target", "code", "words"),
    [
        ("missing.db", "copy.db", 1, "there is no database at"),
        ("trivia.db", "trivia.db", 2, "the same database"),
        ("trivia.db", "no/such/folder/copy.db", 1, "does not exist; create it first"),
        ("trivia.db", "postgresql://user@host:5432", 2, "must name the database"),
    ],
)
def test_the_command_refuses_locations_that_cannot_work(
    tmp_path: Path, cli_env: dict[str, str], source: str, target: str, code: int, words: str
) -> None:
    with raw(tmp_path / "trivia.db") as conn:
        conn.execute("CREATE TABLE t (x)")
    at = {name: name if "://" in name else str(tmp_path / name) for name in (source, target)}

    done = run_cli("db", "copy", at[source], at[target], env=cli_env)

    assert done.returncode == code, done.stderr
    assert words in done.stderr
    assert not (tmp_path / "copy.db").exists()
