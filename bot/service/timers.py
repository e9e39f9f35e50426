"""One timer per channel: the game's next deadline, or a retry of a failed write.

A timer is a named task that sleeps on the service's clock (a manual one in
tests) and then calls ``wake(game)``.  Scheduling a channel's timer replaces
the one it had; a timer that fires replaces itself from inside, so it is never
cancelled under its own feet.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.domain.game import TriviaGame
from bot.domain.model import ChannelKey
from bot.ports import Clock


@dataclass(slots=True)
class _Timer:
    task: asyncio.Task[None]
    deadline: float


class ChannelTimers:
    """The channels' timers (see the module docstring)."""

    def __init__(self, clock: Clock, wake: Callable[[TriviaGame], Awaitable[None]]) -> None:
        self._clock = clock
        self._wake = wake
        self._timers: dict[ChannelKey, _Timer] = {}
        self._stopped = False

    def follow(self, game: TriviaGame) -> None:
        """Wake at the game's next deadline (none once it has ended); a timer already
        set for that deadline is kept."""
        deadline = None if game.ended else game.next_deadline
        current = self._timers.get(game.channel)
        if current is not None and current.deadline == deadline and not current.task.done():
            return
        self.set(game, deadline)

    def set(self, game: TriviaGame, deadline: float | None, *, retry: bool = False) -> None:
        """Replace the channel's timer with one for ``deadline`` (None: no timer)."""
        channel = game.channel
        current = self._timers.pop(channel, None)
        if current is not None and current.task is not asyncio.current_task():
            current.task.cancel()
        if deadline is None or self._stopped:
            return
        name = f"trivia-{'retry' if retry else 'timer'}:{channel}"
        task = asyncio.create_task(self._sleep_then_wake(game, deadline), name=name)
        self._timers[channel] = _Timer(task=task, deadline=deadline)

    def stop_new(self) -> None:
        """Set no timer from now on (those set still run until ``stop``)."""
        self._stopped = True

    async def stop(self) -> None:
        """Cancel every timer and wait for them; none is set afterwards."""
        self._stopped = True
        tasks = [timer.task for timer in self._timers.values()]
        self._timers.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _sleep_then_wake(self, game: TriviaGame, deadline: float) -> None:
        await self._clock.sleep_until(deadline)
        await self._wake(game)
