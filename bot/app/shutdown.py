"""The time a stopping process may take, spent in order of value.

A supervisor kills what outlives its grace period (Docker waits 10 s by
default).  When the process is told to stop, ``ShutdownBudget`` starts a
clock of ``TRIVIA_SHUTDOWN_SECONDS``: recording every running game comes
first (``TriviaService.shutdown``), then the database closes, then the
adapters send the games' last messages with what is left, and drop the rest
with a log line that counts it.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class ShutdownBudget:
    """``seconds`` to stop in, from the first time anyone asks what is left."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._deadline: float | None = None

    def start(self) -> None:
        """The process is stopping: the budget's clock runs from now (once)."""
        if self._deadline is None:
            self._deadline = self._clock() + self._seconds

    def left(self) -> float:
        """Seconds left (never negative); starts the clock if nobody did."""
        self.start()
        assert self._deadline is not None
        return max(self._deadline - self._clock(), 0.0)
