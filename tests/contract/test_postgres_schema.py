"""PostgreSQL's migrations: recorded, applied once, and a newer schema left alone."""

from __future__ import annotations

import asyncpg
import pytest

from bot.storage.errors import SchemaError
from bot.storage.postgres.schema import load_migrations
from bot.storage.postgres.store import open_postgres_store


async def _rows(dsn: str, query: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(query))
    finally:
        await conn.close()


async def test_each_migration_is_recorded_once_and_opening_again_changes_nothing(
    postgres_dsn: str,
) -> None:
    for _ in range(2):
        store = await open_postgres_store(postgres_dsn)
        await store.close()

    rows = await _rows(postgres_dsn, "SELECT version, name FROM schema_migrations ORDER BY 1")
    assert [(r["version"], r["name"]) for r in rows] == [
        (m.version, m.name) for m in load_migrations()
    ]


async def test_a_database_newer_than_this_trivia_bot_is_refused_and_left_untouched(
    postgres_dsn: str,
) -> None:
    store = await open_postgres_store(postgres_dsn)
    await store.close()
    conn = await asyncpg.connect(postgres_dsn)
    try:
        await conn.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")
        await conn.execute("CREATE TABLE from_the_future (x integer)")
    finally:
        await conn.close()

    with pytest.raises(SchemaError, match="schema version 99, newer than this trivia-bot"):
        await open_postgres_store(postgres_dsn)

    tables = await _rows(postgres_dsn, "SELECT to_regclass('from_the_future') AS t")
    assert tables[0]["t"] is not None
    versions = await _rows(postgres_dsn, "SELECT max(version) AS v FROM schema_migrations")
    assert versions[0]["v"] == 99
