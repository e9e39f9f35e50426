"""Holding leases while the process runs: ``LeaseKeeper``.

A process that runs work one process at a time may do (Discord shards: names like
``discord:shard:2``) takes a lease on each (``bot.ports.LeaseStore``; what a lease,
epoch and tenure are: ``bot.coordination``), keeps them while it lives, and lets them
go when it stops:

* **Taking.** ``start`` takes every name, in name order.  One held by another process
  is waited for, up to ``wait`` seconds (``TRIVIA_LEASE_WAIT``): in a rolling restart
  the old process releases its leases when it stops (SIGTERM), or they expire if it
  died.  Who holds it and until when is logged when first seen and whenever it
  changes hands.  On giving up, ``LeaseUnavailable`` names the lease, its holder and
  when it expires (the app exits 2 with it), and whatever was taken is released.
* **Keeping.** Each lease is renewed every ``ttl / 3`` seconds, ``ttl`` being
  ``TRIVIA_LEASE_SECONDS``.  Its local deadline ``valid_until`` is the monotonic
  instant the last confirmed request was *sent*, plus ``ttl``, minus ``margin``: the
  database reads its clock after the request was sent, so the lease expires there no
  earlier; ``margin`` is the time one post or write may take after asking
  ``holds``.  ``holds(name)`` compares that deadline with the clock itself, so a
  process paused (SIGSTOP) past it sees it has lost the lease the moment it wakes,
  before any renewal is answered.
* **Losing.** When a renewal is refused (someone else holds it, or it expired) or the
  deadline passes unconfirmed, ``on_lost(name)`` is called once and that lease is no
  longer renewed.  What the process does then (stop the shard, exit) is the caller's.
* **Letting go.** ``close`` stops renewing and releases every lease still ours, so
  the next holder takes them at once instead of waiting for them to expire.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Final, Self

from bot.app.deadlines import LATE, Late, before
from bot.coordination import Lease, LeaseHeld, LeaseLost
from bot.ports import Clock, LeaseStore, StoreUnavailable

log = logging.getLogger(__name__)

#: TRIVIA_LEASE_SECONDS and TRIVIA_LEASE_WAIT by default.
DEFAULT_TTL: Final = 15.0
DEFAULT_WAIT: Final = 60.0
#: How often a process waiting for a lease asks again (sooner when it expires sooner).
DEFAULT_POLL: Final = 0.5


class LeaseUnavailable(Exception):
    """A lease could not be taken within the wait.  ``held`` is how the database last
    had it (None when the database could not be asked)."""

    def __init__(self, message: str, *, name: str, held: LeaseHeld | None) -> None:
        super().__init__(message)
        self.name = name
        self.held = held


def holder_description(clock: Clock) -> str:
    """Who this process is, as an operator finds it: host, pid, and when it started
    (to the millisecond, so a restarted process with the same pid is someone else)."""
    started = clock.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return f"{socket.gethostname()} pid {os.getpid()} started {started}Z"


def _giving_up(name: str, held: LeaseHeld | None, why: str, wait: float) -> str:
    if held is None:
        return f"Could not take lease {name}: {why}; gave up after {wait:g} s (TRIVIA_LEASE_WAIT)."
    return (
        f"Lease {why}: gave up waiting for it after {wait:g} s (TRIVIA_LEASE_WAIT). Is "
        "another process running the same work? Stop it first, or give this one other work."
    )


@dataclass(slots=True)
class _Tenure:
    lease: Lease
    valid_until: float
    lost: bool = False


class LeaseKeeper:
    """Takes, keeps and releases a process's leases (see the module docstring)."""

    def __init__(
        self,
        store: LeaseStore,
        names: Iterable[str],
        *,
        holder: str,
        clock: Clock,
        ttl: float = DEFAULT_TTL,
        wait: float = DEFAULT_WAIT,
        on_lost: Callable[[str], None] = lambda name: None,
        margin: float | None = None,
        poll: float = DEFAULT_POLL,
    ) -> None:
        self._names = sorted(set(names))
        if not self._names:
            raise ValueError("a LeaseKeeper needs at least one lease name")
        if not ttl > 0 or wait < 0 or poll <= 0:
            raise ValueError(f"need ttl > 0, wait >= 0, poll > 0; got {ttl}, {wait}, {poll}")
        self._margin = ttl / 5 if margin is None else margin
        if not 0 <= self._margin < ttl / 2:
            raise ValueError(f"margin must be from 0 to under ttl / 2, got {self._margin}")
        self._store = store
        self._holder = holder
        self._clock = clock
        self._ttl = ttl
        self._wait = wait
        self._on_lost = on_lost
        self._poll = poll
        self._tenures: dict[str, _Tenure] = {}
        self._renewals: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def holder(self) -> str:
        return self._holder

    def holds(self, name: str) -> bool:
        """Whether this process can prove, now, that it holds ``name``."""
        tenure = self._tenures.get(name)
        return (
            tenure is not None
            and not tenure.lost
            and not self._closed
            and self._clock.monotonic() < tenure.valid_until
        )

    def epoch(self, name: str) -> int | None:
        """The epoch of this process's tenure of ``name`` (kept after it is lost, when a
        write carrying it is refused); None if it never held ``name``."""
        tenure = self._tenures.get(name)
        return None if tenure is None else tenure.lease.epoch

    # -- taking ----------------------------------------------------------------------

    async def start(self) -> None:
        """Take every lease, waiting up to ``wait`` seconds in all for those held by
        others; ``LeaseUnavailable`` (everything taken released) when one stays held."""
        deadline = self._clock.monotonic() + self._wait
        try:
            for name in self._names:
                await self._take(name, deadline)
                self._keep(name)
        except BaseException:
            await self.close()
            raise

    async def _take(self, name: str, deadline: float) -> None:
        seen: tuple[str, int] | None = None
        while True:
            sent = self._clock.monotonic()
            held: LeaseHeld | None = None
            try:
                answer = await before(
                    self._clock,
                    self._store.take_lease(name, self._holder, ttl=self._ttl),
                    sent + self._ttl / 3,  # answered later, too little of it would be left
                    name=f"take lease {name}",
                )
            except StoreUnavailable as exc:
                why = f"the database is unavailable ({exc})"
                log.warning("cannot take lease %s yet: %s", name, why)
            else:
                if isinstance(answer, Lease):
                    self._tenures[name] = _Tenure(answer, sent + self._ttl - self._margin)
                    log.info("took lease %s (epoch %d) as %s", name, answer.epoch, self._holder)
                    return
                if isinstance(answer, Late):
                    why = "the database did not answer in time"
                    log.warning("cannot take lease %s yet: %s", name, why)
                else:
                    held = answer
                    why = held.describe()
                    if seen != (held.holder, held.epoch):
                        seen = (held.holder, held.epoch)
                        log.warning(
                            "lease %s; waiting up to %.0f s more for it (TRIVIA_LEASE_WAIT)",
                            why,
                            max(deadline - self._clock.monotonic(), 0.0),
                        )
            now = self._clock.monotonic()
            if now >= deadline:
                raise LeaseUnavailable(
                    _giving_up(name, held, why, self._wait), name=name, held=held
                )
            pause = self._poll
            if held is not None:
                # Ask again as it expires, if that comes before the next poll.
                pause = min(pause, max(held.remaining, 0.0) + 0.01)
            await self._clock.sleep_until(min(now + pause, deadline))

    # -- keeping ---------------------------------------------------------------------

    def _keep(self, name: str) -> None:
        task = asyncio.create_task(self._renew_until_lost(name), name=f"renew lease {name}")
        self._renewals.add(task)
        task.add_done_callback(self._renewals.discard)

    async def _renew_until_lost(self, name: str) -> None:
        tenure = self._tenures[name]
        interval = self._ttl / 3
        next_renewal = self._clock.monotonic() + interval
        while True:
            await self._clock.sleep_until(min(next_renewal, tenure.valid_until))
            if self._clock.monotonic() >= tenure.valid_until:
                self._lose(name, "no renewal was confirmed before its deadline")
                return
            sent = self._clock.monotonic()
            try:
                answer = await before(
                    self._clock,
                    self._store.renew_lease(tenure.lease, ttl=self._ttl),
                    tenure.valid_until,
                    name=f"renew lease {name}",
                )
            except StoreUnavailable as exc:
                log.warning("could not renew lease %s (will retry): %s", name, exc)
                next_renewal = self._clock.monotonic() + interval / 2
                continue
            if isinstance(answer, LeaseLost):
                why = "renewal refused: " + (
                    answer.now.describe() if answer.now is not None else "the lease is gone"
                )
                self._lose(name, why)
                return
            if isinstance(answer, Lease):
                tenure.lease = answer
                tenure.valid_until = sent + self._ttl - self._margin
                next_renewal = sent + interval
            # LATE: the deadline has come; the top of the loop says so.

    def _lose(self, name: str, why: str) -> None:
        tenure = self._tenures[name]
        if tenure.lost:
            return
        tenure.lost = True
        log.error("lost lease %s (epoch %d): %s", name, tenure.lease.epoch, why)
        try:
            self._on_lost(name)
        except Exception:
            log.exception("on_lost(%r) failed", name)

    # -- letting go ------------------------------------------------------------------

    async def close(self, *, within: float | None = None) -> None:
        """Stop renewing and release every lease still ours, each within ``ttl / 3``
        seconds and all within ``within`` (a shutdown's budget; None: no more bound);
        one that cannot be released expires by itself.  Idempotent."""
        if self._closed:
            return
        self._closed = True
        renewals = list(self._renewals)
        for task in renewals:
            task.cancel()
        await asyncio.gather(*renewals, return_exceptions=True)
        until = self._clock.monotonic() + self._ttl / 3
        if within is not None:
            until = min(until, self._clock.monotonic() + max(0.0, within))
        await asyncio.gather(*(self._release(t.lease, until) for t in self._tenures.values()))

    async def _release(self, lease: Lease, until: float) -> None:
        try:
            done = await before(
                self._clock, self._store.release_lease(lease), until, name=f"release {lease.name}"
            )
        except StoreUnavailable as exc:
            log.warning("could not release lease %s (it will expire): %s", lease.name, exc)
            return
        if done is True:
            log.info("released lease %s (epoch %d)", lease.name, lease.epoch)
        elif done is LATE:
            log.warning("could not release lease %s in time (it will expire)", lease.name)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
