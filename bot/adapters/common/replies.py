"""Picking out, from everything the service publishes, the replies to one command.

A platform answers a slash command, a click or a form with a response of its
own (an interaction's reply, a modal's inline errors, an App Home view) rather
than with channel messages.  ``ReplyCollector.start`` runs commands in a task
of their own and marks that task with a context variable; the sink's
``publish`` (called inside that same ``handle``, in the same task) offers each
event to ``intercept``, which keeps the ones the caller ``wants``.  Timers and
other commands running at the same moment are never caught, not even tasks the
commands start themselves.

The caller decides how long it waits: ``Collecting.within`` (Discord defers its
response when a command is slow and then waits on; a Slack form gives up and
lets the replies go out as messages, or drops them), ``Collecting.finish``.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

from bot.domain.commands import Command
from bot.domain.events import Event

log = logging.getLogger(__name__)

Handle = Callable[[Command], Awaitable[None]]
Wants = Callable[[Event], bool]

_current: contextvars.ContextVar[Collecting | None] = contextvars.ContextVar(
    "collecting_replies", default=None
)


class Collecting:
    """Commands running for a caller who waits for their replies.

    ``events`` are the replies kept so far, in order.  Until ``let_go`` they
    are kept; after it they are sent as usual, or dropped.
    """

    def __init__(self, *, wants: Wants, send: Callable[[Event], None], what: str) -> None:
        self.events: list[Event] = []
        self.what = what
        self._wants = wants
        self._send = send
        self._state: Literal["keep", "send", "drop"] = "keep"
        self._task: asyncio.Task[None] | None = None

    @property
    def task(self) -> asyncio.Task[None]:
        if self._task is None:
            raise RuntimeError("Collecting has not been started")
        return self._task

    def takes(self, event: Event) -> bool:
        """True if ``event`` is a reply for the caller (kept or dropped): do not send it."""
        if self._state == "send" or not self._wants(event):
            return False
        if self._state == "keep":
            self.events.append(event)
        return True

    async def within(self, seconds: float) -> bool:
        """Wait up to ``seconds``: True once the commands have finished (raising what
        they raised), False while they still run."""
        done, _ = await asyncio.wait({self.task}, timeout=seconds)
        if done:
            self.task.result()
            return True
        return False

    async def finish(self) -> list[Event]:
        """Wait until the commands have finished (raising what they raised); the replies."""
        await self.task
        return self.events

    def let_go(self, *, deliver: bool) -> None:
        """Stop waiting: the replies kept so far, and those still to come, are sent as
        usual (``deliver``) or dropped."""
        self._state = "send" if deliver else "drop"
        if deliver:
            for event in self.events:
                self._send(event)
        self.events.clear()

    @property
    def waited_for(self) -> bool:
        return self._state == "keep"


class ReplyCollector:
    """Runs commands whose replies their caller answers with (see the module docstring).

    ``send`` is how the sink delivers an event normally: replies a caller let
    go of (``Collecting.let_go(deliver=True)``) go there.
    """

    def __init__(self, *, send: Callable[[Event], None]) -> None:
        self._send = send
        self._tasks: set[asyncio.Task[None]] = set()

    def intercept(self, event: Event) -> bool:
        """For ``publish``: True if ``event`` is a reply being collected (or dropped)."""
        collecting = _current.get()
        if collecting is None or collecting.task is not asyncio.current_task():
            return False
        return collecting.takes(event)

    def start(self, handle: Handle, commands: Sequence[Command], *, wants: Wants) -> Collecting:
        """Run ``commands`` one after another in a task of their own, keeping the events
        they publish that the caller ``wants``."""
        what = ", ".join(type(command).__name__ for command in commands)
        collecting = Collecting(wants=wants, send=self._send, what=what)

        async def run() -> None:
            _current.set(collecting)
            for command in commands:
                await handle(command)

        task = asyncio.create_task(run(), name=f"reply-to:{what}")
        collecting._task = task
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finished(done, collecting))
        return collecting

    def _finished(self, task: asyncio.Task[None], collecting: Collecting) -> None:
        self._tasks.discard(task)
        # A caller still waiting reads the outcome itself; a late failure is logged here.
        if not collecting.waited_for and not task.cancelled() and task.exception():
            log.error("%s failed", collecting.what, exc_info=task.exception())

    async def close(self, *, within: float = 5.0) -> None:
        """Give commands still running ``within`` seconds, then cancel them."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=within)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)


def for_recipient(recipient_of: Callable[[Event], object], recipient: object) -> Wants:
    """``wants`` for the events whose recipient (by the platform's ``recipient_of``) is
    ``recipient``."""
    return lambda event: recipient_of(event) == recipient


async def ask(
    collector: ReplyCollector,
    handle: Handle,
    command: Command,
    *,
    wants: Wants,
    within: float,
    deliver_late: bool = True,
) -> tuple[list[Event], bool]:
    """Run ``command``; (its replies, whether it finished within ``within`` seconds).

    A command that takes longer keeps running; its replies then go out as usual
    with ``deliver_late``, or are dropped.
    """
    collecting = collector.start(handle, [command], wants=wants)
    if await collecting.within(within):
        return collecting.events, True
    log.info("%s is taking longer than %.1f s", collecting.what, within)
    collecting.let_go(deliver=deliver_late)
    return [], False
