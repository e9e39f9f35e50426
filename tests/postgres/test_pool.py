"""The store's connection pool: a connection goes back to the pool without another
round trip (asyncpg's default reset query), and still clean."""

from __future__ import annotations

from typing import Any

import asyncpg

from bot.storage.postgres.store import open_postgres_store


async def session(watcher: asyncpg.Connection[Any], pid: int) -> tuple[str, str]:
    """The server's view of session ``pid``: its state and the last statement it got."""
    row = await watcher.fetchrow("SELECT state, query FROM pg_stat_activity WHERE pid = $1", pid)
    assert row is not None
    return row["state"], row["query"]


async def test_a_connection_goes_back_to_the_pool_without_a_reset_query(postgres_dsn: str) -> None:
    store = await open_postgres_store(postgres_dsn, pool_size=1)
    watcher = await asyncpg.connect(postgres_dsn)
    try:
        async with store._pool.acquire() as conn:
            pid = await conn.fetchval("SELECT pg_backend_pid()")
        after_a_read = await session(watcher, pid)
        async with store._pool.acquire() as conn:
            await conn.transaction().start()  # left open: a bug the pool still cleans up
            await conn.execute("CREATE TABLE left_open (x int)")
        after_an_open_transaction = await session(watcher, pid)
        left = await watcher.fetchval("SELECT to_regclass('left_open') IS NOT NULL")
    finally:
        await watcher.close()
        await store.close()

    # Not "SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;".
    assert after_a_read == ("idle", "SELECT pg_backend_pid()")
    assert after_an_open_transaction == ("idle", "ROLLBACK")
    assert left is False
