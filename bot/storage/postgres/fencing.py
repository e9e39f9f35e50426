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
transactions share the lock; a renewal of it waits for them (each is short).
"""

from __future__ import annotations

from bot.storage.postgres import sql
from bot.storage.postgres.types import Connection


async def lease_current(conn: Connection, name: str, epoch: int) -> bool:
    """Whether tenure ``epoch`` of lease ``name`` is unexpired now (the server's clock),
    its row then locked until ``conn``'s transaction ends.  Call it inside that
    transaction: outside one, the lock would end with the statement."""
    if not conn.is_in_transaction():
        raise RuntimeError("lease_current must run inside the writing transaction")
    return await conn.fetchval(sql.CHECK_LEASE, name, epoch) is not None
