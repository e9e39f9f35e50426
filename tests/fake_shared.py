"""``MemorySharedStore``: what the processes of one bot share, in memory, on a ``Clock``.

The lease keeper's and the paced turns' unit tests run on it with the manual clock;
``tests/contract`` runs it (on the system clock) through the same contract as the SQL
stores, so it behaves as they do.  A test can also make it misbehave as a database can:
``stall`` makes every call hang until ``resume``, ``fail`` makes them raise
``StoreUnavailable``, and ``steal`` hands a lease to someone else as an expiry and a
take by another process would.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from bot.coordination import LastServer, Lease, LeaseHeld, LeaseLost
from bot.ports import Clock, StoreUnavailable


@dataclass
class _Row:
    holder: str
    epoch: int
    expires: float  # on the clock's monotonic scale


class MemorySharedStore:
    """``bot.ports.SharedStore`` in memory; time is ``clock``'s."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        # Wall-clock instant of monotonic 0, so an expiry reads the same every time.
        self._wall_zero = clock.now() - timedelta(seconds=clock.monotonic())
        self._leases: dict[str, _Row] = {}
        self._turns: dict[str, float] = {}
        self._facts: dict[str, str] = {}
        self._servers: dict[tuple[str, str], LastServer] = {}
        self._running = asyncio.Event()
        self._running.set()
        self.failing = False
        self.calls: list[str] = []

    # -- misbehaving on request --------------------------------------------------------

    def stall(self) -> None:
        """Calls from now on hang (a database that stopped answering) until ``resume``."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def steal(self, name: str, holder: str, *, ttl: float) -> None:
        """``holder`` takes ``name`` now, whoever held it (its tenure is over)."""
        row = self._leases.get(name)
        epoch = row.epoch + 1 if row else 1
        self._leases[name] = _Row(holder, epoch, self._clock.monotonic() + ttl)

    async def _call(self, what: str) -> float:
        await self._running.wait()
        self.calls.append(what)
        if self.failing:
            raise StoreUnavailable(f"{what}: the database is down (a test said so)")
        return self._clock.monotonic()

    def _held(self, name: str, row: _Row, now: float) -> LeaseHeld:
        return LeaseHeld(
            name=name,
            holder=row.holder,
            epoch=row.epoch,
            expires=self._wall_zero + timedelta(seconds=row.expires),
            remaining=row.expires - now,
        )

    def _lease(self, name: str, row: _Row, now: float) -> Lease:
        return Lease(name, row.holder, row.epoch, self._held(name, row, now).expires)

    # -- leases --------------------------------------------------------------------------

    async def take_lease(self, name: str, holder: str, *, ttl: float) -> Lease | LeaseHeld:
        _positive(ttl)
        now = await self._call(f"take {name}")
        row = self._leases.get(name)
        if row is not None and row.expires > now and row.holder != holder:
            return self._held(name, row, now)
        if row is None:
            row = self._leases[name] = _Row(holder, 1, now + ttl)
        elif row.expires > now:  # our own: the tenure goes on
            row.expires = now + ttl
        else:
            row.holder, row.epoch, row.expires = holder, row.epoch + 1, now + ttl
        return self._lease(name, row, now)

    async def renew_lease(self, lease: Lease, *, ttl: float) -> Lease | LeaseLost:
        _positive(ttl)
        now = await self._call(f"renew {lease.name}")
        row = self._leases.get(lease.name)
        if row is None:
            return LeaseLost(lease.name, lease.epoch, None)
        if (row.holder, row.epoch) != (lease.holder, lease.epoch) or row.expires <= now:
            return LeaseLost(lease.name, lease.epoch, self._held(lease.name, row, now))
        row.expires = now + ttl
        return self._lease(lease.name, row, now)

    async def release_lease(self, lease: Lease) -> bool:
        now = await self._call(f"release {lease.name}")
        row = self._leases.get(lease.name)
        if row is None or (row.holder, row.epoch) != (lease.holder, lease.epoch):
            return False
        if row.expires <= now:
            return False
        row.expires = now
        return True

    async def lease_holders(self, prefix: str = "") -> list[LeaseHeld]:
        now = await self._call("holders")
        return [
            self._held(name, row, now)
            for name, row in sorted(self._leases.items())
            if name.startswith(prefix)
        ]

    async def check_lease(self, name: str, epoch: int) -> bool:
        now = await self._call(f"check {name}")
        row = self._leases.get(name)
        return row is not None and row.epoch == epoch and row.expires > now

    # -- paced turns, facts, last servers ------------------------------------------------

    async def take_turn(self, name: str, *, every: float) -> float:
        _positive(every)
        now = await self._call(f"turn {name}")
        next_at = self._turns.get(name)
        if next_at is None or next_at <= now:
            self._turns[name] = now + every
            return 0.0
        return next_at - now

    async def fact(self, name: str) -> str | None:
        await self._call(f"fact {name}")
        return self._facts.get(name)

    async def set_fact_if_changed(self, name: str, value: str) -> bool:
        await self._call(f"set fact {name}")
        if self._facts.get(name) == value:
            return False
        self._facts[name] = value
        return True

    async def remember_server(
        self, platform: str, player: str, server: str, server_name: str
    ) -> None:
        await self._call("remember server")
        self._servers[platform, player] = LastServer(server, server_name)

    async def last_server(self, platform: str, player: str) -> LastServer | None:
        await self._call("last server")
        return self._servers.get((platform, player))

    async def close(self) -> None:
        self.resume()


def _positive(seconds: float) -> None:
    if not seconds > 0:
        raise ValueError(f"must be a positive number of seconds, got {seconds!r}")
