"""Several real processes on one PostgreSQL database at once (issue #13, "Done when").

Each process is ``tests/postgres/driver.py`` with a store of its own; a barrier on
stdin starts them in the same instant.  Afterwards the rows are read with plain SQL
and every maintained total is recounted from the answers it was built from.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from typing import Any

import pytest

from bot.storage.postgres.schema import load_migrations
from tests.postgres.harness import database, drivers, release, results

pytestmark = pytest.mark.slow

HAMMER_SECONDS = 10.0

# Each player's totals against a recount of their answers: rows that disagree.
PLAYERS_OFF = """
SELECT p.id, p.points, p.correct, p.answered, r.points, r.correct, r.answered
FROM players AS p
LEFT JOIN (
    SELECT player_id, sum(points) AS points, sum(correct) AS correct, count(*) AS answered
    FROM answers GROUP BY player_id
) AS r ON r.player_id = p.id
WHERE (p.points, p.correct, p.answered)
      IS DISTINCT FROM (coalesce(r.points, 0), coalesce(r.correct, 0), coalesce(r.answered, 0))
"""

# The leaderboard totals as the answers say they should be: all time (kind 0), the
# week from its Monday (kind 1) and the UTC day (kind 2), of every answer that scored.
PERIODS_RECOUNTED = """
WITH scored AS (
    SELECT p.server_id, a.player_id, a.points, a.correct, a.at_us,
           a.at_us / 86400000000 AS day
    FROM answers AS a JOIN players AS p ON p.id = a.player_id
    WHERE a.correct = 1 OR a.points <> 0
), buckets AS (
    SELECT server_id, 0 AS kind, 0::bigint AS start, player_id, points, correct, at_us
    FROM scored
    UNION ALL
    SELECT server_id, 1, day - (day + 3) % 7, player_id, points, correct, at_us FROM scored
    UNION ALL
    SELECT server_id, 2, day, player_id, points, correct, at_us FROM scored
)
SELECT server_id, kind, start, player_id, sum(points), sum(correct), max(at_us)
FROM buckets GROUP BY server_id, kind, start, player_id
"""

PERIODS_STORED = """
SELECT server_id, kind, start, player_id, points, correct, reached_us FROM period_totals
"""


def _rows(records: list[Any]) -> set[tuple[int, ...]]:
    return {tuple(int(v) for v in record) for record in records}


async def test_three_processes_committing_together_for_ten_seconds_never_deadlock_or_lose_a_point(
    postgres_dsn: str,
) -> None:
    names = ["one", "two", "three"]
    async with drivers("hammer", postgres_dsn, names, "--seconds", str(HAMMER_SECONDS)) as procs:
        release(procs)
        reports = await results(procs)

    async with database(postgres_dsn) as db:
        tokens = await db.fetch(
            "SELECT split_part(question_id, ':', 1) AS writer, count(*), "
            "count(DISTINCT question_id) FROM answers GROUP BY writer"
        )
        players_off = await db.fetch(PLAYERS_OFF)
        recounted = _rows(await db.fetch(PERIODS_RECOUNTED))
        stored = _rows(await db.fetch(PERIODS_STORED))
        players = await db.fetchval("SELECT count(*) FROM players")

    print("writers:", reports)  # the figures, for whoever runs this with -s
    assert [r["error_count"] for r in reports] == [0, 0, 0], reports
    assert [r["deadlocks"] for r in reports] == [0, 0, 0], reports
    # All three really wrote, all the time, in many transactions each.
    assert all(r["seconds"] >= HAMMER_SECONDS - 0.5 for r in reports), reports
    assert all(r["transactions"] > 50 for r in reports), reports
    # Every answer a process was told is committed is there exactly once.
    committed = {r["name"]: r["answers"] for r in reports}
    assert {writer: (count, distinct) for writer, count, distinct in tokens} == {
        name: (answers, answers) for name, answers in committed.items()
    }
    # The totals maintained in each transaction equal a recount from the answers.
    assert players == 15  # 3 shared servers x 5 shared players
    assert players_off == []
    assert stored == recounted
    assert len(stored) >= 15 * 3


async def test_writing_rows_out_of_key_order_does_deadlock_which_is_why_they_are_sorted(
    postgres_dsn: str,
) -> None:
    # The same three writers, with the store's sorting replaced by shuffling: the first
    # deadlock PostgreSQL detects (after its 1 s deadlock_timeout) ends the test.
    names = ["one", "two", "three"]
    async with drivers("hammer", postgres_dsn, names, "--seconds", "8", "--unordered") as procs:
        release(procs)
        first = await _first_to_finish(procs)
        for driver in procs:
            driver.say("stop")
        reports = await results(procs)

    deadlocks = sum(r["deadlocks"] for r in reports)
    print("unordered writers:", reports, "first done:", first)
    assert deadlocks >= 1, reports
    assert all(r["error_count"] == 0 for r in reports), reports


async def _first_to_finish(procs: list[Any]) -> str:
    waits = {asyncio.create_task(d.process.wait()): d.name for d in procs}
    done, _ = await asyncio.wait(waits, timeout=15, return_when=asyncio.FIRST_COMPLETED)
    for task in waits:
        if task not in done:
            task.cancel()
    assert done, "no writer deadlocked within 15 s"
    return waits[next(iter(done))]


async def test_two_processes_opening_an_empty_database_together_create_the_schema_once(
    postgres_dsn: str,
) -> None:
    names = ["ann", "bo"]
    async with drivers("start", postgres_dsn, names) as procs:
        release(procs)
        reports = await results(procs)
        logs = "".join(d.stderr for d in procs)

    async with database(postgres_dsn) as db:
        versions = await db.fetch("SELECT version, count(*) FROM schema_migrations GROUP BY 1")
        board = await db.fetch("SELECT p.user_id, p.points FROM players AS p ORDER BY p.user_id")

    applied = Counter(re.findall(r"applied migration (\d{4})_", logs))
    latest = len(load_migrations())
    assert {v: n for v, n in versions} == dict.fromkeys(range(1, latest + 1), 1)
    # Each migration ran in exactly one of the two processes; the other found it done.
    assert applied == {f"{v:04d}": 1 for v in range(1, latest + 1)}, logs
    # Both served: each recorded its answer and read a leaderboard that has it.
    for report in reports:
        assert [report["name"], 7] in report["leaderboard"], reports
    assert [tuple(row) for row in board] == [("ann", 7), ("bo", 7)]
