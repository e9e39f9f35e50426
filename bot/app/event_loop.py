"""Which event loop runs a command: asyncio's own (the default) or uvloop.

uvloop (the ``uvloop`` extra) runs the same coroutines on libuv; on the engine
bench it takes a fifth or more off the event loop's CPU per answer (scheduling
callbacks, tasks and socket readiness is most of what an answer costs after the
game's own rules).  It stays off unless asked for: ``TRIVIA_EVENT_LOOP=uvloop``
for every command (the bots' ``run`` commands included), or ``trivia-bot bench
--loop uvloop``.  Asking for it without it installed is a configuration error
that says what to install, never a silent fallback.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from typing import Any, Final, TypeVar

T = TypeVar("T")

EVENT_LOOPS: Final = ("asyncio", "uvloop")
ENV: Final = "TRIVIA_EVENT_LOOP"

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


class EventLoopUnavailable(RuntimeError):
    """The event loop asked for cannot be used here (unknown, or not installed)."""


def chosen_loop(name: str | None = None) -> str:
    """``name``, else ``$TRIVIA_EVENT_LOOP``, else ``asyncio``; checked."""
    chosen = (name or os.environ.get(ENV) or "asyncio").strip().lower()
    if chosen not in EVENT_LOOPS:
        raise EventLoopUnavailable(
            f"{ENV}={chosen!r} is not an event loop this bot knows: use one of "
            + ", ".join(EVENT_LOOPS)
        )
    return chosen


def loop_factory(name: str | None = None) -> LoopFactory | None:
    """What makes the chosen loop; None for asyncio's default."""
    if chosen_loop(name) == "asyncio":
        return None
    try:
        import uvloop
    except ModuleNotFoundError as exc:
        raise EventLoopUnavailable(
            "the uvloop event loop needs uvloop: pip install 'trivia-bot[uvloop]' "
            f"(or unset {ENV} to run on asyncio's own loop)"
        ) from exc
    factory: LoopFactory = uvloop.new_event_loop
    return factory


def run(coroutine: Coroutine[Any, Any, T], *, loop: str | None = None) -> T:
    """``asyncio.run`` on the chosen event loop (see the module docstring)."""
    try:
        factory = loop_factory(loop)
    except EventLoopUnavailable:
        coroutine.close()  # never awaited: say so quietly, not with a warning
        raise
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coroutine)
