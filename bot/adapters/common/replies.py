"""Picking out the replies to one command from everything the service publishes.

The service answers a command by publishing events, some addressed to the
sender (``recipient``).  A form submission or an App Home must turn those
replies into its own answer (inline errors, a view) instead of messages.  While
``ReplyCollector.ask`` runs a command, the sink's ``publish`` (called inside
that same ``handle``, in the same task) hands the sender's events to
``intercept``, which keeps them.  A context variable marks the task, so timers
and other commands running at the same moment are never caught.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.domain.commands import Command
from bot.domain.events import Event
from bot.domain.model import PlayerKey

log = logging.getLogger(__name__)

Handle = Callable[[Command], Awaitable[None]]


@dataclass(slots=True)
class _Capture:
    """``keep`` replies (the caller waits), ``send`` them as usual (it stopped
    waiting), or ``drop`` them (it stopped waiting and nobody needs them)."""

    recipient: PlayerKey
    task: asyncio.Task[Any] | None = None
    events: list[Event] = field(default_factory=list)
    state: Literal["keep", "send", "drop"] = "keep"


_current: contextvars.ContextVar[_Capture | None] = contextvars.ContextVar(
    "reply_capture", default=None
)


class ReplyCollector:
    """``ask`` runs a command and returns its replies to the sender."""

    def __init__(
        self,
        *,
        send: Callable[[Event], None],
        recipient_of: Callable[[Event], PlayerKey | None],
    ) -> None:
        self._send = send
        self._recipient_of = recipient_of
        self._tasks: set[asyncio.Task[None]] = set()

    def intercept(self, event: Event) -> bool:
        """True if ``event`` is a reply being collected (or dropped): do not send it."""
        capture = _current.get()
        if (
            capture is None
            or capture.state == "send"
            or capture.task is not asyncio.current_task()
            or self._recipient_of(event) != capture.recipient
        ):
            return False
        if capture.state == "keep":
            capture.events.append(event)
        return True

    async def ask(
        self, handle: Handle, command: Command, *, within: float, deliver_late: bool = True
    ) -> tuple[list[Event], bool]:
        """Run ``command``; (its replies to the sender, whether it finished in time).

        A command that takes longer than ``within`` seconds keeps running; its
        replies then go out as usual with ``deliver_late``, or are dropped.
        """
        capture = _Capture(recipient=command.actor.key)

        async def captured() -> None:
            capture.task = asyncio.current_task()
            _current.set(capture)
            await handle(command)

        def finished(task: asyncio.Task[None]) -> None:
            self._tasks.discard(task)
            # A caller still waiting reads the outcome itself; a late failure is logged here.
            if capture.state != "keep" and not task.cancelled() and task.exception():
                log.error("%s failed", type(command).__name__, exc_info=task.exception())

        task = asyncio.create_task(captured(), name=f"reply-to:{type(command).__name__}")
        self._tasks.add(task)
        task.add_done_callback(finished)
        done, _ = await asyncio.wait({task}, timeout=within)
        if task in done:
            task.result()
            return capture.events, True
        log.info("%s is taking longer than %.1f s", type(command).__name__, within)
        capture.state = "send" if deliver_late else "drop"
        if deliver_late:
            for event in capture.events:
                self._send(event)
        capture.events.clear()
        return [], False

    async def close(self, *, within: float = 5.0) -> None:
        """Give commands still running ``within`` seconds, then cancel them."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=within)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
