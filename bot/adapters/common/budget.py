"""A share of a platform's global request budget, spent before each call.

Discord allows a bot token 50 REST requests per second across all of its
processes (interaction responses exempt).  Each process takes a configured
share (``TRIVIA_DISCORD_REST_SHARE``) and ``RequestBudget`` keeps it there: at
most ``rate`` calls start within any ``window`` (one second), whatever the
lanes ask for at once.

Why a sliding window and not a token bucket: a bucket holding ``rate`` tokens
and refilled at ``rate`` per second lets ``2 * rate`` calls through within one
second (a full bucket spent, then a second's refill), and the platform counts
per second.  The window's log never lets more than ``rate`` start in any
second, and still lets a burst of ``rate`` go at once (a reveal and the next
question of many channels at the same moment).

Waiting callers are served in arrival order (one lock), so a busy channel
cannot starve the others.  Time comes from a ``Clock``: tests run it on a
manual one.
"""

from __future__ import annotations

import asyncio
from collections import deque

from bot.ports import Clock


class RequestBudget:
    """At most ``rate`` calls started within any ``window`` seconds (module docstring)."""

    def __init__(self, rate: int, *, clock: Clock, window: float = 1.0) -> None:
        if rate < 1:
            raise ValueError(f"a request budget needs a rate of at least 1, not {rate}")
        self.rate = rate
        self.window = window
        self._clock = clock
        self._started: deque[float] = deque()
        self._turn = asyncio.Lock()

    async def spend(self) -> None:
        """Return once a call may start, and count it as started."""
        async with self._turn:
            now = self._clock.monotonic()
            self._forget_before(now)
            # A loop, not one sleep: a clock may wake a hair early.
            while len(self._started) >= self.rate:
                await self._clock.sleep_until(self._started[0] + self.window)
                now = self._clock.monotonic()
                self._forget_before(now)
            self._started.append(now)

    def _forget_before(self, now: float) -> None:
        while self._started and self._started[0] + self.window <= now:
            self._started.popleft()
