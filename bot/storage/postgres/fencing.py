"""Fencing on PostgreSQL: a write made under a lease lands only while its tenure lasts.

A process that holds a lease (``bot.coordination``) carries the lease's name and
epoch with each write it makes for that work.  The write path awaits
:func:`lease_current` inside its transaction, before it writes, and rolls back (or
leaves that part of the batch out) when it answers False.

The check reads the lease's row ``FOR SHARE`` (``sql.CHECK_LEASE``): the row stays
locked until the writing transaction ends, and a new holder's ``TAKE_LEASE`` (an
update of that row) waits for it.  So a tenure that is current at the check is not
replaced before the write commits, and a process that was paused past its lease or cut
off has its writes refused.  Expiry is read from the server's ``clock_timestamp()``
at the check, not from the transaction's start.  Checks of one lease from several
transactions share the lock; a renewal of it waits for them (each is short).  One
that stalls past the lease's expiry (its process paused or cut off mid-write) would
hold the row for as long as it stays away: a take ends its session instead of
waiting for it (``PostgresScoreStore._take_now``), and its write is rolled back.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from bot.coordination import Fence
from bot.storage.fencing import refuse_stale
from bot.storage.postgres import sql
from bot.storage.postgres.types import Connection


async def leases_of(conn: Connection, names: Collection[str]) -> list[Sequence[Any]]:
    """(name, holder, epoch, unexpired now) of each lease in ``names`` that exists, their
    rows then locked until ``conn``'s transaction ends.  Call it inside that
    transaction: outside one, the lock would end with the statement."""
    if not conn.is_in_transaction():
        raise RuntimeError("the fencing check must run inside the writing transaction")
    return list(await conn.fetch(sql.LEASES_OF_FENCES, sorted(names)))


async def check_fences(conn: Connection, fences: Collection[Fence]) -> None:
    """Raise ``FencedOut`` unless every one of ``fences`` is current (``fencing``)."""
    refuse_stale(fences, await leases_of(conn, {fence.name for fence in fences}))


async def lease_current(conn: Connection, name: str, epoch: int) -> bool:
    """Whether tenure ``epoch`` of lease ``name`` is unexpired now (the server's clock)."""
    return any(row[2] == epoch and row[3] for row in await leases_of(conn, [name]))
