"""``trivia-bot bench --db postgresql://...``: SQLite's figures and the server's side by
side, measured in scratch schemas that are gone afterwards, the URL's own data untouched.
Tiny sizes; the figures themselves are printed, never asserted."""

from __future__ import annotations

import asyncio
import re
import sys
from datetime import UTC, datetime

import asyncpg
import pytest

from bot.domain.model import ChannelKey, PlayerKey
from bot.domain.records import AnswerRecord, Period
from bot.storage import open_store
from bot.storage.postgres.bench import SCRATCH_PREFIX, PostgresScratch, with_search_path

#: A hang guard for the whole command, not a figure.
RUN_TIMEOUT = 300.0

TESS = PlayerKey("console", "local", "Tess")


async def bench(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "bench",
        *args,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def schemas_named(dsn: str, names: list[str]) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])", names
        )
    finally:
        await conn.close()
    return [row[0] for row in rows]


async def test_bench_prints_sqlite_and_postgresql_side_by_side_on_scratch_schemas(
    cli_env: dict[str, str], postgres_dsn: str
) -> None:
    # The operator's data: one point in the URL's schema.
    store = await open_store(postgres_dsn)
    try:
        await store.record_answers(
            [
                AnswerRecord(
                    player=TESS,
                    name="Tess",
                    channel=ChannelKey("console", "local", "terminal"),
                    game_id="g1",
                    question_id="q1",
                    correct=True,
                    points=3,
                    answer_ms=900,
                    streak=1,
                    at=datetime.now(UTC),
                )
            ]
        )
    finally:
        await store.close()

    code, out, err = await bench(
        "--db",
        postgres_dsn,
        "--channels=3",
        "--players=2",
        "--seconds=0.5",
        "--rate=100",
        "--steady-rate=50",
        "--million=300",
        env={**cli_env, "COLUMNS": "250"},
    )

    assert code == 0, err
    # Both backends' latency phases ran before either backend's bulk phases, so a
    # million rows written for one never land in the other's latency tail.
    steps = [line for line in err.splitlines() if line.startswith("…")]
    service = [n for n, line in enumerate(steps) if ": service: " in line]
    bulk = [
        n for n, line in enumerate(steps) if ": raw driver" in line or "recorded answers" in line
    ]
    assert {steps[n].split(":")[0] for n in service} == {"… sqlite", "… postgresql"}
    assert len(bulk) == 6  # two raw baselines and the million, for each backend
    assert max(service) < min(bulk)
    header = next(line for line in out.splitlines() if "target" in line)
    assert header.index("sqlite") < header.index("postgresql")
    raw = next(line for line in out.splitlines() if "raw_rows_per_s" in line)
    assert len(re.findall(r"\d[\d,]*\.\d{3}", raw)) == 2  # a figure in each column
    assert "scored points committed/s" in out
    created = re.findall(r"scratch schema (\S+) created", err)
    dropped = re.findall(r"scratch schema (\S+) dropped", err)
    assert len(created) >= 7  # raw, same work, writes, three service runs, memory, million
    assert sorted(created) == sorted(dropped)
    assert all(name.startswith(SCRATCH_PREFIX) for name in created)
    assert await schemas_named(postgres_dsn, created) == []
    store = await open_store(postgres_dsn)
    try:
        board = await store.leaderboard(TESS.server_key, Period.ALL, now=datetime.now(UTC))
        assert [(row.player, row.points) for row in board] == [(TESS, 3)]
    finally:
        await store.close()


async def test_bench_json_has_both_backends(cli_env: dict[str, str], postgres_dsn: str) -> None:
    code, out, err = await bench(
        "--db",
        postgres_dsn,
        "--json",
        "--channels=2",
        "--players=2",
        "--seconds=0.5",
        "--rate=50",
        "--steady-rate=50",
        "--million=0",
        env=cli_env,
    )
    assert code == 0, err
    assert '"sqlite": {' in out
    assert '"postgresql": {' in out
    assert '"backend": "postgresql"' in out


def test_a_scratch_url_replaces_the_search_path_and_keeps_the_rest() -> None:
    url = "postgresql://bot:secret@db:5432/trivia?search_path=live&sslmode=disable"
    scratch = with_search_path(url, "trivia_bench_x_raw")
    assert scratch.startswith("postgresql://bot:secret@db:5432/trivia?")
    assert "sslmode=disable" in scratch
    assert "search_path=trivia_bench_x_raw" in scratch
    assert "live" not in scratch


async def test_a_scratch_schema_is_dropped_after_a_failed_phase(postgres_dsn: str) -> None:
    names: list[str] = []
    scratch = PostgresScratch(postgres_dsn, say=names.append)

    async def failing_phase() -> None:
        async with scratch.store("boom") as store:
            await store.record_answers([])
            raise RuntimeError("the phase failed")

    with pytest.raises(RuntimeError, match="the phase failed"):
        await failing_phase()
    (name,) = {text.split()[2] for text in names}
    assert name.startswith(SCRATCH_PREFIX)
    assert await schemas_named(postgres_dsn, [name]) == []
