"""Writes made under a lease are refused once the lease is gone (fencing).

A process that owns a Discord shard holds its lease (a ``leases`` row with an
epoch that grows each time it changes hands).  Its writes for that shard's
servers carry the lease's name and epoch (``write_plan.Fence``); the
transaction that applies them first reads those rows, locking them for the
rest of the transaction on PostgreSQL (``FOR SHARE``, so a takeover waits for
the commit), and refuses the whole batch with ``FencedOut`` if any of them
changed hands or expired.  The group committer then retries each write alone,
so only the stale ones fail.  A process paused past its lease (SIGSTOP, a long
GC pause, a cut network) thus writes nothing after it wakes, even if it did
not yet notice that it lost the lease.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.coordination import Fence
from bot.ports import FencedOut


def refuse_stale(fences: Iterable[Fence], rows: Sequence[Sequence[Any]]) -> None:
    """Raise ``FencedOut`` unless every fence's lease is in ``rows`` (name, holder,
    epoch, unexpired), unexpired and at the fence's epoch."""
    found = {str(name): (str(holder), int(epoch), bool(live)) for name, holder, epoch, live in rows}
    for fence in fences:
        lease = found.get(fence.name)
        if lease is None:
            raise FencedOut(f"lease {fence.name} is not held by anyone any more")
        holder, epoch, live = lease
        if epoch != fence.epoch:
            raise FencedOut(
                f"lease {fence.name} changed hands: {holder} holds it (epoch {epoch}, "
                f"this write was made under epoch {fence.epoch})"
            )
        if not live:
            raise FencedOut(f"lease {fence.name} (epoch {epoch}) expired before this write")
