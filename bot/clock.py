"""Clocks: the real one, and a manual one that tests move by hand.

The service only ever asks a ``Clock`` (``bot.ports.Clock``) for the time and
sleeps through it, so a test can run a whole 30-second question in a few
microseconds with ``ManualClock.advance(30)``.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from datetime import UTC, datetime, timedelta


class SystemClock:
    """Real time: ``time.monotonic`` for deadlines, UTC wall time for records."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, deadline: float) -> None:
        # Not one sleep: an event loop may wake a sleeper early.  uvloop's timers run on
        # libuv's clock, read once per loop turn in whole milliseconds: measured, one
        # sleep in 200 ended 0.6 ms before its deadline, and a game timer woken before
        # its deadline finds nothing due and is not set again (the game never reveals).
        while (delay := deadline - time.monotonic()) > 0:  # noqa: ASYNC110 (not polling)
            await asyncio.sleep(delay)


class ManualClock:
    """Time that moves only when ``advance`` is awaited.

    Sleepers wake in deadline order, and after each wake-up the event loop is
    given a chance to run whatever that wake-up started (``settle``), so a
    test reads like "advance 30 s, then the answer has been revealed".
    """

    def __init__(
        self,
        *,
        start: float = 1_000.0,
        wall: datetime = datetime(2025, 2, 15, 12, 0, tzinfo=UTC),
        settle_rounds: int = 50,
    ) -> None:
        self._mono = start
        self._start = start
        self._wall = wall
        self._settle_rounds = settle_rounds
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self._mono

    def now(self) -> datetime:
        return self._wall + timedelta(seconds=self._mono - self._start)

    async def sleep_until(self, deadline: float) -> None:
        if deadline <= self._mono:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (deadline, next(self._order), future))
        await future

    @property
    def pending(self) -> int:
        """How many sleepers are waiting (cancelled ones excluded)."""
        return sum(1 for _, _, future in self._sleepers if not future.done())

    async def settle(self) -> None:
        """Let tasks that are ready run until they block again."""
        for _ in range(self._settle_rounds):
            await asyncio.sleep(0)

    def jump(self, seconds: float) -> None:
        """Move time forward and wake no one, as a process paused (SIGSTOP) and then
        resumed finds it: what it asks the clock next sees the new time at once, and
        sleepers whose deadline passed wake at the next ``advance``."""
        self._mono += seconds

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking every sleeper whose deadline passes."""
        target = self._mono + seconds
        await self.settle()
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, future = heapq.heappop(self._sleepers)
            if future.done():
                continue
            self._mono = max(self._mono, deadline)
            future.set_result(None)
            await self.settle()
        self._mono = max(self._mono, target)
        await self.settle()
