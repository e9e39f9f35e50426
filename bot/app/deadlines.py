"""Awaiting something, but no later than an instant of a ``Clock``.

``asyncio.timeout`` keeps the event loop's time; the lease keeper and the paced turns
keep a ``Clock``'s (``bot/clock.py``), so that tests can move it by hand.  ``before``
races the work against ``clock.sleep_until``, and works on either clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, Final, TypeVar

from bot.ports import Clock

T = TypeVar("T")


class Late:
    __slots__ = ()

    def __repr__(self) -> str:
        return "LATE"


#: What ``before`` returns when the instant came first.
LATE: Final = Late()


async def before(
    clock: Clock, work: Coroutine[Any, Any, T], until: float, *, name: str
) -> T | Late:
    """The result of ``work`` (or its exception) if it finishes before ``clock`` reaches
    ``until``; else ``LATE``, and ``work`` is cancelled (a database call already sent may
    still take effect: the caller must not count on it either way)."""
    task = asyncio.create_task(work, name=name)
    timer = asyncio.create_task(clock.sleep_until(until), name=f"{name}: deadline")
    try:
        await asyncio.wait((task, timer), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, timer):
            pending.cancel()
        # Both end here, so neither outlives the call (nor leaves an error unread).
        await asyncio.gather(task, timer, return_exceptions=True)
    if task.cancelled():
        return LATE
    return task.result()
