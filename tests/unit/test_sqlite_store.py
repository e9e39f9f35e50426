"""SQLite-specific behaviour of the score store: schema migrations, connection
settings, group commit, failures, shutdown.  What any backend must do is in
``tests/contract``."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.model import ChannelKey, PlayerKey, ServerKey
from bot.domain.records import (
    AnswerRecord,
    Period,
)
from bot.ports import StoreUnavailable
from bot.storage.bench import measure_concurrent_writes, measure_query_latency, seed_answers
from bot.storage.errors import SchemaError, StoreClosedError
from bot.storage.periods import DAY_US
from bot.storage.sqlite.baseline import raw_answer_commits_per_second
from bot.storage.sqlite.schema import Migration, load_migrations, split_statements
from bot.storage.sqlite.store import SqliteScoreStore, open_sqlite_store
from bot.storage.sqlite.store import sql as sqlite_sql
from tests.helpers import raw

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)
GUILD = ServerKey("discord", "guild-1")
BUNDLED = load_migrations()


def answer(user: str, *, question_id: str = "q1", points: int = 1) -> AnswerRecord:
    return AnswerRecord(
        player=PlayerKey(GUILD.platform, GUILD.server, user),
        name=f"Player {user}",
        channel=ChannelKey(GUILD.platform, GUILD.server, "general"),
        game_id="game-1",
        question_id=question_id,
        correct=True,
        points=points,
        answer_ms=1000,
        streak=1,
        at=NOW,
    )


def key(user: str) -> PlayerKey:
    return PlayerKey(GUILD.platform, GUILD.server, user)


def user_version(path: Path) -> int:
    with raw(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def tables(path: Path) -> set[str]:
    with raw(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "scores.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteScoreStore]:
    opened = await open_sqlite_store(db_path)
    try:
        yield opened
    finally:
        await opened.close()


# -- opening and migrations --------------------------------------------------


async def test_a_new_database_gets_wal_and_the_configured_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dirs" / "scores.db"

    async with await open_sqlite_store(path, busy_timeout_ms=1234) as store:
        settings = await store.connection_settings()

    assert path.exists()
    assert (settings.journal_mode, settings.synchronous) == ("wal", 1)  # 1 is NORMAL
    assert (settings.busy_timeout_ms, settings.foreign_keys) == (1234, True)
    assert user_version(path) == len(BUNDLED)


async def test_the_busy_timeout_defaults_to_five_seconds(store: SqliteScoreStore) -> None:
    settings = await store.connection_settings()

    assert settings.busy_timeout_ms == 5000


async def test_an_in_memory_store_works_for_tests() -> None:
    async with await open_sqlite_store(":memory:") as store:
        await store.record_answers([answer("alice")])
        rows = await store.leaderboard(GUILD, Period.ALL, now=NOW)

    assert [row.player.user for row in rows] == ["alice"]


async def test_a_database_from_a_newer_version_is_refused_untouched(db_path: Path) -> None:
    with raw(db_path) as conn:
        conn.execute("PRAGMA user_version = 99")

    with pytest.raises(SchemaError, match=r"schema version 99.*upgrade trivia-bot"):
        await open_sqlite_store(db_path)

    assert user_version(db_path) == 99
    assert tables(db_path) == set()


async def test_an_old_database_is_upgraded_and_keeps_its_data(db_path: Path) -> None:
    async with await open_sqlite_store(db_path) as store:
        await store.record_answers([answer("alice", points=3)])
    newer = (
        *BUNDLED,
        Migration(len(BUNDLED) + 1, "add_notes", ("CREATE TABLE notes (body TEXT)",)),
    )

    async with await open_sqlite_store(db_path, migrations=newer) as store:
        stats = await store.player_stats(key("alice"))

    assert user_version(db_path) == len(BUNDLED) + 1
    assert "notes" in tables(db_path)
    assert stats is not None
    assert stats.points == 3


async def test_a_failing_migration_is_rolled_back_and_reported(db_path: Path) -> None:
    async with await open_sqlite_store(db_path):
        pass
    broken = Migration(
        len(BUNDLED) + 1,
        "broken",
        ("CREATE TABLE half_done (x INTEGER)", "INSERT INTO no_such_table VALUES (1)"),
    )

    label = f"{len(BUNDLED) + 1:04d}_broken"
    with pytest.raises(SchemaError, match=rf"{label} failed and was rolled back"):
        await open_sqlite_store(db_path, migrations=(*BUNDLED, broken))

    assert user_version(db_path) == len(BUNDLED)
    assert "half_done" not in tables(db_path)


async def test_each_migration_commits_on_its_own(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    good = Migration(len(BUNDLED) + 1, "good", ("CREATE TABLE kept (x INTEGER)",))
    bad = Migration(len(BUNDLED) + 2, "bad", ("SELECT * FROM missing_table",))

    with pytest.raises(SchemaError, match=f"{len(BUNDLED) + 2:04d}_bad"):
        await open_sqlite_store(path, migrations=(*BUNDLED, good, bad))

    assert user_version(path) == len(BUNDLED) + 1
    assert "kept" in tables(path)


def test_bundled_migrations_are_numbered_from_one_without_gaps() -> None:
    assert [m.version for m in BUNDLED] == list(range(1, len(BUNDLED) + 1))
    assert all(m.statements for m in BUNDLED)


def test_a_gap_in_migration_numbers_is_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE a (x);\n")
    (tmp_path / "0003_third.sql").write_text("CREATE TABLE c (x);\n")

    with pytest.raises(SchemaError, match="expected 0002, found 0003_third"):
        load_migrations(tmp_path)


def test_a_badly_named_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_first.sql").write_text("CREATE TABLE a (x);\n")

    with pytest.raises(SchemaError, match=r"NNNN_description\.sql"):
        load_migrations(tmp_path)


def test_sql_scripts_split_into_whole_statements_triggers_included() -> None:
    script = """
    -- a comment
    CREATE TABLE a (x); -- trailing comment
    CREATE TRIGGER t AFTER INSERT ON a BEGIN
        UPDATE a SET x = 1; DELETE FROM a WHERE x = 2;
    END;
    -- the end
    """

    statements = split_statements(script)

    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER")
    assert statements[1].endswith("END;")


def test_an_unfinished_sql_statement_is_refused() -> None:
    with pytest.raises(SchemaError, match="incomplete"):
        split_statements("CREATE TABLE a (x);\nCREATE TABLE b (", source="0002_x.sql")


async def test_nonsense_options_are_refused(db_path: Path) -> None:
    with pytest.raises(ValueError, match="busy_timeout_ms"):
        await open_sqlite_store(db_path, busy_timeout_ms=-1)
    with pytest.raises(ValueError, match="max_batch_records"):
        await open_sqlite_store(db_path, max_batch_records=0)


# -- group commit ------------------------------------------------------------


async def test_concurrent_writers_share_transactions(store: SqliteScoreStore) -> None:
    await asyncio.gather(*(store.record_answers([answer(f"p{n}")]) for n in range(200)))

    counters = store.writer_counters()
    assert (counters.requests, counters.records) == (200, 200)
    assert counters.transactions < 10


async def test_a_transaction_takes_at_most_max_batch_records(db_path: Path) -> None:
    async with await open_sqlite_store(db_path, max_batch_records=10) as store:
        await asyncio.gather(*(store.record_answers([answer(f"p{n}")]) for n in range(30)))
        counters = store.writer_counters()

    assert (counters.transactions, counters.records) == (3, 30)


async def test_one_request_bigger_than_the_bound_is_written_whole(db_path: Path) -> None:
    async with await open_sqlite_store(db_path, max_batch_records=10) as store:
        await store.record_answers([answer(f"p{n}") for n in range(25)])
        counters = store.writer_counters()
        rows = await store.leaderboard(GUILD, Period.ALL, now=NOW, limit=100)

    assert (counters.transactions, counters.records, len(rows)) == (1, 25, 25)


async def test_a_bad_request_fails_alone_and_its_batch_mates_commit(db_path: Path) -> None:
    async with await open_sqlite_store(db_path):
        pass
    with raw(db_path) as conn:
        conn.execute(
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON answers WHEN NEW.question_id = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'boom refused'); END"
        )

    async with await open_sqlite_store(db_path) as store:
        results = await asyncio.gather(
            store.record_answers([answer("before")]),
            store.record_answers([answer("bad", question_id="boom")]),
            store.record_answers([answer("after")]),
            return_exceptions=True,
        )
        bad_stats = await store.player_stats(key("bad"))
        # The rolled-back player row must not linger in any cache either.
        await store.record_answers([answer("bad", question_id="fine", points=2)])
        retried = await store.player_stats(key("bad"))
        rows = await store.leaderboard(GUILD, Period.ALL, now=NOW)

    assert results[0] is None
    assert results[2] is None
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert "boom refused" in str(results[1])
    assert bad_stats is None
    assert retried is not None
    assert (retried.points, retried.answered) == (2, 1)
    assert sorted(row.player.user for row in rows) == ["after", "bad", "before"]


async def test_a_locked_database_fails_after_the_busy_timeout_then_recovers(
    db_path: Path,
) -> None:
    async with await open_sqlite_store(db_path, busy_timeout_ms=50) as store:
        with raw(db_path) as other_process:
            other_process.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreUnavailable, match="locked") as raised:
                await store.record_answers([answer("alice")])
            assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
            other_process.execute("ROLLBACK")

        await store.record_answers([answer("alice", points=2)])
        stats = await store.player_stats(key("alice"))

    assert stats is not None
    assert stats.points == 2


async def test_a_cancelled_caller_still_gets_its_write_committed(store: SqliteScoreStore) -> None:
    waiting = asyncio.create_task(store.record_answers([answer("impatient")]))
    await asyncio.sleep(0)  # let it enqueue
    waiting.cancel()

    await store.record_answers([answer("patient")])  # written after it, in order

    assert waiting.cancelled()
    assert await store.player_stats(key("impatient")) is not None


# -- closing -----------------------------------------------------------------


async def test_close_commits_writes_that_are_still_queued(db_path: Path) -> None:
    store = await open_sqlite_store(db_path)
    writers = [asyncio.create_task(store.record_answers([answer(f"p{n}")])) for n in range(50)]
    await asyncio.sleep(0)  # every writer has queued its answer; none is committed yet

    await store.close()

    await asyncio.gather(*writers)
    with raw(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 50


async def test_a_closed_store_refuses_reads_and_writes(db_path: Path) -> None:
    store = await open_sqlite_store(db_path)
    await store.close()

    with pytest.raises(StoreClosedError):
        await store.record_answers([answer("alice")])
    with pytest.raises(StoreClosedError):
        await store.leaderboard(GUILD, Period.ALL, now=NOW)


async def test_concurrent_closes_all_wait_for_the_same_shutdown(db_path: Path) -> None:
    store = await open_sqlite_store(db_path)
    writing = asyncio.create_task(store.record_answers([answer("alice")]))
    await asyncio.sleep(0)

    await asyncio.gather(store.close(), store.close(), store.close())

    await writing
    assert user_version(db_path) == len(BUNDLED)


# -- the maintained totals ---------------------------------------------------


def test_leaderboard_and_stats_queries_are_served_by_indexes(tmp_path: Path) -> None:
    path = tmp_path / "plan.db"
    with raw(path) as conn:
        for migration in BUNDLED:
            for statement in migration.statements:
                conn.execute(statement)
        conn.execute("ANALYZE")
        board = " ".join(
            row[3]
            for row in conn.execute(
                "EXPLAIN QUERY PLAN " + sqlite_sql.LEADERBOARD, ("discord", "g", 1, 19_856, 10)
            )
        )
        stats = " ".join(
            row[3]
            for row in conn.execute(
                "EXPLAIN QUERY PLAN " + sqlite_sql.PLAYER_STATS, ("discord", "g", "u")
            )
        )

    assert "period_totals_rank" in board
    assert "TEMP B-TREE" not in board  # no sort: the index is already in rank order
    assert "SCAN" not in board
    assert "SCAN" not in stats


async def test_maintained_totals_match_a_recount_of_the_answer_log(db_path: Path) -> None:
    async with await open_sqlite_store(db_path) as store:
        await seed_answers(
            store,
            server=GUILD,
            count=3000,
            players=40,
            now=NOW,
            rng=random.Random(7),
            batch=700,
            span=timedelta(days=20),
        )

    # Recount the totals from the log with GROUP BY: exactly what the store avoids doing.
    recount = f"""
        WITH scored AS (
            SELECT a.player_id, a.points, a.correct, a.at_us, a.at_us / {DAY_US} AS day
            FROM answers AS a WHERE a.correct OR a.points != 0
        ), buckets AS (
            SELECT player_id, 0 AS kind, 0 AS start, points, correct, at_us FROM scored
            UNION ALL
            SELECT player_id, 1, day - (day + 3) % 7, points, correct, at_us FROM scored
            UNION ALL
            SELECT player_id, 2, day, points, correct, at_us FROM scored
        )
        SELECT kind, start, player_id, sum(points), sum(correct), max(at_us)
        FROM buckets GROUP BY kind, start, player_id ORDER BY kind, start, player_id
    """
    with raw(db_path) as conn:
        expected = conn.execute(recount).fetchall()
        maintained = conn.execute(
            "SELECT kind, start, player_id, points, correct, reached_us FROM period_totals "
            "ORDER BY kind, start, player_id"
        ).fetchall()
        players = conn.execute(
            "SELECT p.points, p.correct, p.answered, p.best_streak, p.correct_ms FROM players p "
            "ORDER BY p.id"
        ).fetchall()
        players_recount = conn.execute(
            "SELECT sum(points), sum(correct), count(*), max(streak), "
            "sum(CASE WHEN correct THEN answer_ms ELSE 0 END) "
            "FROM answers GROUP BY player_id ORDER BY player_id"
        ).fetchall()

    assert len(expected) > 40 * 3  # several weeks and days per player
    assert maintained == expected
    assert players == players_recount


async def test_the_bench_helpers_seed_and_measure_a_store(store: SqliteScoreStore) -> None:
    seeded = await seed_answers(
        store, server=GUILD, count=500, players=20, now=NOW, rng=random.Random(1), batch=200
    )
    written = await measure_concurrent_writes(
        store, server=ServerKey("discord", "bench"), now=NOW, callers=10, records_per_caller=3
    )
    latencies = await measure_query_latency(store, server=GUILD, now=NOW, samples=5)

    assert seeded.records == 500
    assert written.records == 30
    assert store.writer_counters().records == 530
    assert [lat.query for lat in latencies] == [
        "leaderboard all",
        "leaderboard week",
        "leaderboard today",
        "player stats",
        "find players",
    ]
    assert all(lat.samples == 5 and 0 < lat.median_ms <= lat.max_ms for lat in latencies)


def test_the_raw_baseline_writes_what_the_store_writes(tmp_path: Path) -> None:
    path = tmp_path / "baseline.db"

    rate = raw_answer_commits_per_second(path, answers=60, players=20)

    assert rate > 0
    with raw(path) as conn:
        assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 60
        assert conn.execute("SELECT DISTINCT points FROM players").fetchall() == [(3,)]
        assert conn.execute("SELECT count(*), sum(points) FROM period_totals").fetchone() == (
            60,
            180,
        )


def test_aiosqlite_still_runs_a_function_on_its_connection_thread() -> None:
    # The store sends each transaction to aiosqlite's thread as one call through
    # Connection._execute (no public API does this). If an aiosqlite upgrade
    # drops it, this fails here rather than in production.
    import inspect

    import aiosqlite

    execute = aiosqlite.Connection._execute
    assert inspect.iscoroutinefunction(execute)
    assert list(inspect.signature(execute).parameters)[:2] == ["self", "fn"]


async def test_the_store_s_connection_threads_never_keep_a_stopping_process_alive(
    db_path: Path,
) -> None:
    # A write stuck behind another process's lock must not hold the process's exit past
    # its shutdown budget: the store marks aiosqlite's worker threads daemon, reaching for
    # Connection._thread before it starts (no public API does this).
    async with await open_sqlite_store(db_path) as store:
        threads = {store._writer._thread, store._reader._thread}

    assert all(thread.daemon for thread in threads)
