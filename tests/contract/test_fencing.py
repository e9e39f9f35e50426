"""Fencing: the check a write under a lease makes inside its transaction, per dialect
(``bot.storage.sqlite.fencing``, ``bot.storage.postgres.fencing``).

What matters is what the write path will count on: inside the writing transaction the
check accepts only the current, unexpired tenure, and no one can begin a new tenure
until that transaction ends, so no write of an old tenure lands after a new one began.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.coordination import Lease, LeaseHeld
from bot.storage.sqlite.fencing import lease_current as sqlite_lease_current
from bot.storage.sqlite.store import open_sqlite_store

SHARD = "discord:shard:2"
OLD, NEW = "old process", "new process"


async def test_sqlite_a_takeover_waits_for_the_fenced_transaction(tmp_path: Path) -> None:
    path = tmp_path / "scores.db"
    store = await open_sqlite_store(path)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        lease = await store.take_lease(SHARD, OLD, ttl=0.3)
        assert isinstance(lease, Lease)
        with pytest.raises(RuntimeError, match="inside the writing transaction"):
            sqlite_lease_current(writer, SHARD, lease.epoch)

        writer.execute("BEGIN IMMEDIATE")
        assert sqlite_lease_current(writer, SHARD, lease.epoch)
        assert not sqlite_lease_current(writer, SHARD, lease.epoch + 1)
        await asyncio.sleep(0.4)
        # Expired by now: judged by the clock at the check, not at BEGIN.
        assert not sqlite_lease_current(writer, SHARD, lease.epoch)
        takeover = asyncio.create_task(store.take_lease(SHARD, NEW, ttl=30))
        await asyncio.sleep(0.3)
        assert not takeover.done(), "a new tenure began inside a fenced transaction"
        writer.execute("COMMIT")
        taken = await asyncio.wait_for(takeover, 5)
        assert isinstance(taken, Lease)
        assert taken.epoch == lease.epoch + 1
    finally:
        writer.close()
        await store.close()


async def test_postgres_a_takeover_waits_for_the_fenced_transaction(postgres_dsn: str) -> None:
    import asyncpg

    from bot.storage.postgres.fencing import lease_current as postgres_lease_current
    from bot.storage.postgres.store import open_postgres_store

    store = await open_postgres_store(postgres_dsn)
    writer = await asyncpg.connect(postgres_dsn)
    try:
        lease = await store.take_lease(SHARD, OLD, ttl=1.0)
        assert isinstance(lease, Lease)
        with pytest.raises(RuntimeError, match="inside the writing transaction"):
            await postgres_lease_current(writer, SHARD, lease.epoch)

        fenced = writer.transaction()
        await fenced.start()
        assert await postgres_lease_current(writer, SHARD, lease.epoch)
        assert not await postgres_lease_current(writer, SHARD, lease.epoch + 1)
        takeover = asyncio.create_task(store.take_lease(SHARD, NEW, ttl=30))
        await asyncio.sleep(0.3)
        assert not takeover.done(), "a take went ahead of a fenced transaction"
        await fenced.commit()  # within the lease: nobody ended it
        held = await asyncio.wait_for(takeover, 5)
        assert isinstance(held, LeaseHeld)
        assert (held.holder, held.epoch) == (OLD, lease.epoch)
    finally:
        await writer.close()
        await store.close()


async def test_postgres_a_fenced_transaction_stalled_past_its_lease_is_ended_by_the_takeover(
    postgres_dsn: str,
) -> None:
    # A process paused or cut off in the middle of a fenced write holds the lease's row
    # for as long as it stays away; its lease expires, and the next holder must not wait.
    import asyncpg

    from bot.storage.postgres.fencing import lease_current as postgres_lease_current
    from bot.storage.postgres.store import open_postgres_store

    store = await open_postgres_store(postgres_dsn)
    writer = await asyncpg.connect(postgres_dsn)
    reader = await asyncpg.connect(postgres_dsn)
    try:
        lease = await store.take_lease(SHARD, OLD, ttl=0.3)
        assert isinstance(lease, Lease)
        fenced = writer.transaction()
        await fenced.start()
        assert await postgres_lease_current(writer, SHARD, lease.epoch)
        await asyncio.sleep(0.4)  # the lease expires; the transaction stalls on

        taken = await asyncio.wait_for(store.take_lease(SHARD, NEW, ttl=30), 2)

        assert isinstance(taken, Lease)
        assert taken.epoch == lease.epoch + 1
        # The stalled transaction was ended, its session with it: what it wrote under
        # the old tenure is gone, and its commit fails.
        alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = $1"
        for _ in range(40):  # a terminated backend leaves the list as it exits
            if await reader.fetchval(alive, writer.get_server_pid()) == 0:
                break
            await asyncio.sleep(0.05)
        assert await reader.fetchval(alive, writer.get_server_pid()) == 0
        failed = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError)
        with pytest.raises((*failed, OSError)):
            await fenced.commit()
        async with reader.transaction():
            assert not await postgres_lease_current(reader, SHARD, lease.epoch)
            assert await postgres_lease_current(reader, SHARD, taken.epoch)
    finally:
        await writer.close()
        await reader.close()
        await store.close()
