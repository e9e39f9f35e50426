"""What the processes of one bot share through its database (``bot.ports.SharedStore``),
once for every SQL backend: leases, paced turns, facts, last servers.

Each operation is one statement of the dialect's SQL module (the same names and
parameters in ``sqlite/sql.py`` and ``postgres/sql.py``), run in a transaction of its
own outside the group-commit writer's queue (``_write_now``), so that a renewal never
waits behind queued batches of scores (on SQLite it shares the writer's thread, so at
most for the one batch being written), and a refusal is known at once.  When that
statement changes nothing, a second one in the same transaction says why (who holds
the lease, how long until the next turn).

Every instant is read from the database's clock inside the statement that uses it
(``_NOW_US`` in the SQL modules), never from this host's: hosts whose clocks
disagree still agree on when a lease expires.
"""

from __future__ import annotations

import contextlib
import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from bot.coordination import LastServer, Lease, LeaseHeld, LeaseLost, instant_from_us
from bot.ports import StoreUnavailable

#: One statement and its parameters.
Statement = tuple[str, Sequence[object]]


def micros(seconds: float, what: str) -> int:
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"{what} must be a positive number of seconds, got {seconds!r}")
    return max(round(seconds * 1_000_000), 1)


def held_row(row: Sequence[Any]) -> LeaseHeld:
    """(name, holder, epoch, expires_us, now_us) -> the hold it describes."""
    name, holder, epoch, expires_us, now_us = row
    return LeaseHeld(
        name=name,
        holder=holder,
        epoch=int(epoch),
        expires=instant_from_us(int(expires_us)),
        remaining=(int(expires_us) - int(now_us)) / 1_000_000,
    )


class SharedSqlStore(ABC):
    """``bot.ports.SharedStore`` over a dialect's SQL (see the module docstring)."""

    _sql: ModuleType

    # -- what the store provides ---------------------------------------------------

    @abstractmethod
    def _usable(self) -> contextlib.AbstractContextManager[None]:
        """Refuses a closed store; turns "cannot be used for now" into ``StoreUnavailable``."""

    @abstractmethod
    async def _fetch(self, query: str, params: Sequence[object]) -> list[Sequence[Any]]: ...

    @abstractmethod
    async def _write_now(
        self, first: Statement, otherwise: Statement | None = None
    ) -> tuple[list[Sequence[Any]], list[Sequence[Any]]]:
        """Run ``first`` in a write transaction of its own (SQLite: ``BEGIN IMMEDIATE``)
        and, if it returned no rows, ``otherwise`` in the same transaction; the rows of
        each (no rows for one not run)."""

    async def _take_now(
        self, take: Statement, current: Statement
    ) -> tuple[list[Sequence[Any]], list[Sequence[Any]]]:
        """A lease's take (``_write_now``); a backend may clear its way first."""
        return await self._write_now(take, current)

    @abstractmethod
    async def _lease_current_now(self, name: str, epoch: int) -> bool:
        """The fencing check (``fencing.lease_current``) in a write transaction of its
        own that writes nothing."""

    # -- leases ----------------------------------------------------------------------

    async def take_lease(self, name: str, holder: str, *, ttl: float) -> Lease | LeaseHeld:
        if not holder:
            raise ValueError("a lease's holder must say who holds it")
        take = (self._sql.TAKE_LEASE, (name, holder, micros(ttl, "ttl")))
        for _ in range(3):
            with self._usable():
                taken, current = await self._take_now(take, (self._sql.LEASE, (name,)))
            if taken:
                epoch, expires_us = taken[0]
                return Lease(name, holder, int(epoch), instant_from_us(int(expires_us)))
            if current:
                return held_row(current[0])
            # PostgreSQL reads the second statement at its own moment: the row that stood
            # in the way was deleted meanwhile (by hand: the store never deletes one).
        raise StoreUnavailable(f"lease {name!r}: its row kept changing; try again")

    async def renew_lease(self, lease: Lease, *, ttl: float) -> Lease | LeaseLost:
        params = (lease.name, lease.holder, lease.epoch, micros(ttl, "ttl"))
        with self._usable():
            renewed, current = await self._write_now(
                (self._sql.RENEW_LEASE, params), (self._sql.LEASE, (lease.name,))
            )
        if renewed:
            return Lease(lease.name, lease.holder, lease.epoch, instant_from_us(int(renewed[0][0])))
        return LeaseLost(lease.name, lease.epoch, held_row(current[0]) if current else None)

    async def release_lease(self, lease: Lease) -> bool:
        with self._usable():
            released, _ = await self._write_now(
                (self._sql.RELEASE_LEASE, (lease.name, lease.holder, lease.epoch))
            )
        return bool(released)

    async def lease_holders(self, prefix: str = "") -> list[LeaseHeld]:
        with self._usable():
            rows = await self._fetch(self._sql.LEASE_HOLDERS, (prefix,))
        return [held_row(row) for row in rows]

    async def check_lease(self, name: str, epoch: int) -> bool:
        with self._usable():
            return await self._lease_current_now(name, epoch)

    # -- paced turns, facts, last servers --------------------------------------------

    async def take_turn(self, name: str, *, every: float) -> float:
        with self._usable():
            taken, waits = await self._write_now(
                (self._sql.TAKE_TURN, (name, micros(every, "every"))),
                (self._sql.TURN_WAIT, (name,)),
            )
        if taken:
            return 0.0
        # The turn's time may have come between the two statements (PostgreSQL reads
        # each at its own moment): never answer 0, which would mean "taken".
        return max(int(waits[0][0]) / 1_000_000, 0.001)

    async def fact(self, name: str) -> str | None:
        with self._usable():
            rows = await self._fetch(self._sql.FACT, (name,))
        return str(rows[0][0]) if rows else None

    async def set_fact_if_changed(self, name: str, value: str) -> bool:
        with self._usable():
            changed, _ = await self._write_now((self._sql.SET_FACT, (name, value)))
        return bool(changed)

    async def remember_server(
        self, platform: str, player: str, server: str, server_name: str
    ) -> None:
        with self._usable():
            await self._write_now(
                (self._sql.REMEMBER_SERVER, (platform, player, server, server_name))
            )

    async def last_server(self, platform: str, player: str) -> LastServer | None:
        with self._usable():
            rows = await self._fetch(self._sql.LAST_SERVER, (platform, player))
        return LastServer(rows[0][0], rows[0][1]) if rows else None
