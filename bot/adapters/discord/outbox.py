"""The Discord adapter's ``EventSink``: events -> per-channel queues -> few REST calls.

``publish`` never waits on Discord (the service calls it with a channel's lock
held): it routes the event and returns.  Two routes:

* **Replies to an interaction.**  While the adapter runs a command for a slash
  command, click or form, ``collecting()`` marks that task; events with a
  ``recipient`` (refusals, leaderboards, a pick's confirmation) and the channel
  announcements the interaction asked for (``GameStarted`` for ``start``...)
  are collected there, and the adapter sends them as the interaction's response
  (ephemeral for recipients).  Only events published by that very task are
  collected, never those of timers it started.
* **The channel's outbox.**  Everything else goes to one queue per channel,
  drained by one named worker task.  The worker takes whatever has queued up
  and folds it into as few calls as it can (GUIDE section 5): a question is one
  post, and hints and the reveal are edits of that post; a hint and a reveal
  that queued together are one edit; "so close" notices that queued together
  are one message, and are dropped once the question they are about is
  revealed.  A scored answer is not announced on its own: the reveal lists it.

discord.py itself retries a 429 (it honours ``retry_after``); when it gives up,
the adapter makes the whole call again a few times (``RATE_LIMIT_ROUNDS``), each
after discord.py has waited as asked, so a long storm delays messages without
dropping them and without hammering Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol

from bot.adapters.discord import render
from bot.adapters.discord.render import Reply
from bot.domain.events import (
    CloseGuess,
    Event,
    GameEnded,
    GameStarted,
    HintGiven,
    QuestionAsked,
    QuestionRevealed,
    ScoreShown,
    WrongChoice,
)
from bot.domain.model import ChannelKey

log = logging.getLogger(__name__)

#: How many question messages per channel are remembered for later edits.
_KEPT_QUESTIONS = 3


class MessageSender(Protocol):
    """Talks to Discord for the outbox (the adapter implements it with discord.py).

    Both log and swallow Discord's errors: one failed send must not stop a channel.
    """

    async def post(self, channel: ChannelKey, reply: Reply) -> int | None:
        """Send a new message; its id, or None if it could not be sent."""
        ...

    async def edit(self, channel: ChannelKey, message_id: int, reply: Reply) -> bool:
        """Replace a message the bot sent; False if it could not."""
        ...


# -- replies collected for an interaction ---------------------------------------------------


@dataclass(slots=True)
class Replies:
    """Events one command produced for its interaction's response."""

    capture: tuple[type[Event], ...] = ()
    owner: asyncio.Task[object] | None = None
    private: list[Event] = field(default_factory=list)
    public: list[Event] = field(default_factory=list)

    def wants(self, event: Event) -> bool:
        return (
            self.owner is not None
            and self.owner is asyncio.current_task()
            and (getattr(event, "recipient", None) is not None or isinstance(event, self.capture))
        )

    def take(self, event: Event) -> None:
        if getattr(event, "recipient", None) is not None:
            self.private.append(event)
        else:
            self.public.append(event)


@dataclass(frozen=True, slots=True)
class ResponseMessage:
    """One message of an interaction's response; ``event`` is what it shows, if anything."""

    reply: Reply
    ephemeral: bool
    event: Event | None = None


def response_messages(
    replies: Replies, *, ack: str | None, note: str = "", server_name: str | None = None
) -> list[ResponseMessage]:
    """What to answer: captured announcements in public (``note`` on top), the rest for the
    user alone, else ``ack``; empty when there is nothing to say (a silent click)."""
    messages: list[ResponseMessage] = []
    for event in replies.public:
        reply = render.channel_reply(event)
        if reply is not None:
            messages.append(ResponseMessage(reply.with_note(note), ephemeral=False, event=event))
    for event in replies.private:
        reply = render.private(event, server_name=server_name)
        if reply is not None:
            messages.append(ResponseMessage(reply, ephemeral=True, event=event))
    if not messages and ack is not None:
        messages.append(ResponseMessage(Reply(content=ack), ephemeral=True))
    return messages


_replies: ContextVar[Replies | None] = ContextVar("discord_replies", default=None)


@contextlib.contextmanager
def collecting(replies: Replies) -> Iterator[Replies]:
    """Collect, into ``replies``, what the current task publishes (see module docstring)."""
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("collecting() needs a running task")
    replies.owner = task
    token = _replies.set(replies)
    try:
        yield replies
    finally:
        _replies.reset(token)
        replies.owner = None


# -- the per-channel outbox ------------------------------------------------------------------


@dataclass(slots=True)
class _Question:
    asked: QuestionAsked
    hints: list[str] = field(default_factory=list)
    revealed: QuestionRevealed | None = None
    message_id: int | None = None

    def render(self) -> Reply:
        if self.revealed is not None:
            return render.reveal(self.revealed, asked=self.asked)
        return render.question(self.asked, hints=self.hints)


_QuestionKey = tuple[str, int]


@dataclass(slots=True)
class _Notices:
    lines: list[tuple[_QuestionKey, str]] = field(default_factory=list)


_Step = _QuestionKey | Reply | _Notices


class _Outbox:
    """One channel's queue and worker; the worker retires after ``idle_after`` quiet seconds
    (``retire`` drops the outbox, so channels that played once cost nothing later)."""

    def __init__(
        self,
        channel: ChannelKey,
        sender: MessageSender,
        *,
        idle_after: float,
        retire: Callable[[_Outbox], None],
    ) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self._sender = sender
        self._questions: dict[_QuestionKey, _Question] = {}
        self._holds = 0
        self._released = asyncio.Event()
        self._released.set()
        self._idle_after = idle_after
        self._retire = retire
        self.worker = asyncio.create_task(self._run(), name=f"discord-outbox:{channel}")

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Keep the worker from sending while an interaction answers first (so "game
        started" appears above the first question)."""
        self._holds += 1
        self._released.clear()
        try:
            yield
        finally:
            self._holds -= 1
            if self._holds == 0:
                self._released.set()

    async def _run(self) -> None:
        while True:
            try:
                first = await asyncio.wait_for(self.queue.get(), self._idle_after)
            except TimeoutError:
                if self.queue.empty() and self._holds == 0:
                    self._retire(self)
                    return
                continue
            batch = [first]
            try:
                await self._released.wait()
                while not self.queue.empty():
                    batch.append(self.queue.get_nowait())
                await self._deliver(batch)
            except Exception:
                log.exception("sending %d events to %s failed", len(batch), self.channel)
            finally:
                for _ in batch:
                    self.queue.task_done()

    async def _deliver(self, batch: list[Event]) -> None:
        steps: list[_Step] = []
        notices: _Notices | None = None
        revealed: set[_QuestionKey] = set()
        for event in batch:
            match event:
                case QuestionAsked(game_id=game, number=number):
                    self._questions[game, number] = _Question(event)
                    _add_once(steps, (game, number))
                case HintGiven(game_id=game, number=number, hint=hint):
                    if (q := self._questions.get((game, number))) is not None:
                        q.hints.append(hint)
                        _add_once(steps, (game, number))
                case QuestionRevealed(game_id=game, number=number):
                    revealed.add((game, number))
                    if (q := self._questions.get((game, number))) is not None:
                        q.revealed = event
                        _add_once(steps, (game, number))
                    else:
                        steps.append(render.reveal(event))
                case CloseGuess() | WrongChoice():
                    line = render.notice_line(event)
                    if line is not None:
                        if notices is None:
                            notices = _Notices()
                            steps.append(notices)
                        notices.lines.append(((event.game_id, event.number), line))
                case GameStarted() | ScoreShown() | GameEnded():
                    reply = render.channel_reply(event)
                    if reply is not None:
                        steps.append(reply)
                case _:
                    pass  # scored answers show in the reveal; private events have no place here
        for step in steps:
            match step:
                case (str(), int()):
                    await self._send_question(step)
                case Reply():
                    await self._sender.post(self.channel, step)
                case _Notices(lines=lines):
                    # "So close" is old news once the answer is out.
                    fresh = [line for key, line in lines if key not in revealed]
                    if fresh:
                        await self._sender.post(self.channel, render.notices(fresh))
        for key in list(self._questions)[:-_KEPT_QUESTIONS]:
            del self._questions[key]

    async def _send_question(self, key: _QuestionKey) -> None:
        question = self._questions[key]
        reply = question.render()
        if question.message_id is not None and await self._sender.edit(
            self.channel, question.message_id, reply
        ):
            return
        # Not posted yet, or the post is gone (deleted by a moderator): post it now.
        question.message_id = await self._sender.post(self.channel, reply)


def _add_once(steps: list[_Step], key: _QuestionKey) -> None:
    if key not in steps:
        steps.append(key)


class DiscordOutbound:
    """The ``EventSink`` the Discord adapter gives the service."""

    def __init__(self, sender: MessageSender | None = None, *, idle_after: float = 900.0) -> None:
        """``idle_after``: a channel's worker stops after that long without events; longer
        than any question (at most 300 s), so a reveal still finds its question to edit."""
        self._sender = sender
        self._outboxes: dict[ChannelKey, _Outbox] = {}
        self._idle_after = idle_after
        self._closed = False

    def attach(self, sender: MessageSender) -> None:
        self._sender = sender

    async def publish(self, event: Event) -> None:
        replies = _replies.get()
        if replies is not None and replies.wants(event):
            replies.take(event)
            return
        if getattr(event, "recipient", None) is not None and not isinstance(event, WrongChoice):
            # For one person, but there is no interaction to answer privately (a typed
            # message): Discord has no private reply to a message, so say nothing.
            log.debug("no interaction to show %s to its recipient", type(event).__name__)
            return
        self.enqueue(event)

    def enqueue(self, event: Event) -> None:
        """Queue a channel event (also used when an interaction could not show it)."""
        if self._closed:
            log.warning("outbound closed; dropped %s for %s", type(event).__name__, event.channel)
            return
        self._outbox(event.channel).queue.put_nowait(event)

    def hold(self, channel: ChannelKey) -> contextlib.AbstractContextManager[None]:
        return self._outbox(channel).hold()

    def _outbox(self, channel: ChannelKey) -> _Outbox:
        outbox = self._outboxes.get(channel)
        if outbox is None:
            if self._sender is None:
                raise RuntimeError("DiscordOutbound has no sender attached")
            outbox = self._outboxes[channel] = _Outbox(
                channel, self._sender, idle_after=self._idle_after, retire=self._retire
            )
        return outbox

    def _retire(self, outbox: _Outbox) -> None:
        if self._outboxes.get(outbox.channel) is outbox:
            del self._outboxes[outbox.channel]

    @property
    def channels(self) -> int:
        """How many channels have a live outbox."""
        return len(self._outboxes)

    async def flush(self) -> None:
        """Wait until everything queued so far has been sent (or has failed)."""
        for outbox in list(self._outboxes.values()):
            await outbox.queue.join()

    async def close(self, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a drain budget
        """Send what is queued (within ``timeout``), then stop every worker. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.wait_for(self.flush(), timeout)
        except TimeoutError:
            log.warning("outbound messages still queued after %.0f s; dropping them", timeout)
        workers = [outbox.worker for outbox in self._outboxes.values()]
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._outboxes.clear()
