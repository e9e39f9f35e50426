"""PostgreSQL answers the chat commands' reads from indexes, as SQLite does
(``tests/unit/test_sqlite_store.py``): a leaderboard reads ``period_totals_rank`` in
rank order and stops after its rows, never sorting every player's total."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import asyncpg

from bot.domain.model import ServerKey
from bot.storage import open_store
from bot.storage.bench import bulk_seed_answers
from bot.storage.periods import KIND_ALL
from bot.storage.postgres import sql

SERVER = ServerKey("discord", "plans")


def nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node of an EXPLAIN (FORMAT JSON) plan, depth first."""
    found = [plan]
    for child in plan.get("Plans", []):
        found += nodes(child)
    return found


async def explain(conn: asyncpg.Connection[Any], query: str, *args: object) -> list[dict[str, Any]]:
    text = await conn.fetchval("EXPLAIN (FORMAT JSON) " + query, *args)
    return nodes(json.loads(text)[0]["Plan"])


async def test_a_leaderboard_reads_the_rank_index_in_order_without_sorting(
    postgres_dsn: str,
) -> None:
    store = await open_store(postgres_dsn)
    try:
        await bulk_seed_answers(
            store,
            server=SERVER,
            count=20_000,
            players=2_000,
            now=datetime.now(UTC),
            rng=random.Random(3),
        )
    finally:
        await store.close()
    conn = await asyncpg.connect(postgres_dsn)
    try:
        await conn.execute("ANALYZE")
        board = await explain(conn, sql.LEADERBOARD, "discord", "plans", KIND_ALL, 0, 10)
        stats = await explain(conn, sql.PLAYER_STATS, "discord", "plans", "bench-1")
    finally:
        await conn.close()

    assert "period_totals_rank" in {node.get("Index Name") for node in board}
    assert "Sort" not in {node["Node Type"] for node in board}
    assert "Seq Scan" not in {n["Node Type"] for n in stats if n.get("Relation Name") == "players"}
