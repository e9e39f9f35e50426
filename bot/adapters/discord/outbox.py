"""The Discord adapter's ``EventSink``: events -> per-channel queues -> few REST calls.

``publish`` never waits on Discord (the service calls it with a channel's lock
held): it routes the event and returns.  Two routes:

* **Replies to an interaction.**  While the adapter runs a command for a slash
  command, click or form (``replies``, ``bot.adapters.common.replies``), events
  with a ``recipient`` (refusals, leaderboards, a pick's confirmation) and the
  channel announcements the interaction asked for (``GameStarted`` for
  ``start``...) are collected, and the adapter sends them as the interaction's
  response (ephemeral for recipients).  Only events published by that very
  task are collected, never those of timers it started.
* **The channel's lane** (``bot.adapters.common.lanes``).  Everything else goes
  to the channel's queue, drained by one worker that takes whatever has queued
  up and folds it into as few calls as it can (GUIDE section 5): a question is one
  post, and hints and the reveal are edits of that post; a hint and a reveal
  that queued together are one edit; "so close" notices that queued together
  are one message, and are dropped once the question they are about is
  revealed.  A scored answer is not announced on its own: the reveal lists it.
  A daily question is one post, handed to the service (``noting_daily``) so that
  its reveal, however much later and in whichever process, edits that post.

discord.py itself retries a 429 (it honours ``retry_after``); when it gives up,
the adapter makes the whole call again a few times (``bot.adapters.common.rate_limits``), each
after discord.py has waited as asked, so a long storm delays messages without
dropping them and without hammering Discord.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from bot.adapters.common.lanes import IDLE_AFTER, ChannelLanes, last_words
from bot.adapters.common.replies import ReplyCollector
from bot.adapters.discord import ids, render, render_scheduled
from bot.adapters.discord.render import Reply
from bot.clock import SystemClock
from bot.domain.events import (
    CloseGuess,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    DailyQuestionSkipped,
    Event,
    GameEnded,
    GamePaused,
    GameResumed,
    GameStarted,
    GameSuspended,
    HintGiven,
    QuestionAsked,
    QuestionRevealed,
    QuizReminder,
    QuizSkipped,
    ScoresDelayed,
    ScoreShown,
    SeasonResults,
    WrongChoice,
)
from bot.domain.model import ChannelKey
from bot.domain.question_refs import QuestionShown, question_message, question_ref
from bot.ports import Clock

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


class RouteGone(Exception):
    """An interaction's webhook takes no more calls (its 15 minutes are over, or Discord
    forgot it): the outbox goes on with the bot's own channel calls."""


#: How long Discord lets an interaction's token post follow-ups and edit them.
INTERACTION_TOKEN_LIFE = 15 * 60.0
#: A question is posted through a webhook only if its reveal is due this long before the
#: token runs out (a stalled database, a slow platform); other messages need ``EDIT_MARGIN``.
FOLLOWUP_MARGIN = 60.0
EDIT_MARGIN = 10.0


@dataclass(slots=True)
class _Followups:
    """The webhook of the interaction that started a channel's game."""

    game_id: str
    sender: MessageSender
    expires_at: float


# -- replies collected for an interaction ---------------------------------------------------


def wants_for_interaction(capture: tuple[type[Event], ...]) -> Callable[[Event], bool]:
    """What an interaction answers itself: everything for one person (refusals,
    leaderboards, a pick's confirmation) and the announcements it ``capture``s."""
    return lambda event: _recipient(event) is not None or isinstance(event, capture)


@dataclass(slots=True)
class Replies:
    """Events one command produced for its interaction's response."""

    private: list[Event] = field(default_factory=list)
    public: list[Event] = field(default_factory=list)

    @classmethod
    def of(cls, events: Sequence[Event]) -> Replies:
        replies = cls()
        for event in events:
            (replies.private if _recipient(event) is not None else replies.public).append(event)
        return replies


def _recipient(event: Event) -> object:
    return getattr(event, "recipient", None)


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


# -- the per-channel outbox ------------------------------------------------------------------


@dataclass(slots=True)
class _Question:
    asked: QuestionAsked
    hints: list[str] = field(default_factory=list)
    revealed: QuestionRevealed | None = None
    message_id: int | None = None
    #: What posted it (a webhook's sender, or the channel's); None until posted.
    via: MessageSender | None = None
    #: Notices that ride along on the reveal instead of a post of their own.
    notes: list[str] = field(default_factory=list)

    def render(self, *, hints_button: bool = False) -> Reply:
        if self.revealed is not None:
            return render.reveal(self.revealed, asked=self.asked, notes=self.notes)
        return render.question(self.asked, hints=self.hints, hints_button=hints_button)


_QuestionKey = tuple[str, int]


@dataclass(slots=True)
class _Notices:
    lines: list[tuple[_QuestionKey, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Post:
    """A message of its own (an announcement), of game ``game_id`` if any."""

    reply: Reply
    game_id: str | None


@dataclass(frozen=True, slots=True)
class _Daily:
    """A daily question to post, or to edit into its reveal."""

    event: DailyQuestionPosted | DailyQuestionRevealed


_Step = _QuestionKey | _Post | _Notices | _Daily
#: Where a daily question is shown: given to the service, so a reveal after a restart
#: edits the same message (``TriviaPort.note_daily_message``).
DailyShown = Callable[[int, str], Awaitable[None]]
#: How many daily questions' messages are remembered here (the store keeps them too).
_KEPT_DAILY = 1000


def question_nonce(asked: QuestionAsked) -> str:
    """The nonce of question ``asked``'s message: the same in every process."""
    return f"{asked.number}:{asked.game_id}"[:25]


def _add_once(steps: list[_Step], key: _QuestionKey) -> None:
    if key not in steps:
        steps.append(key)


class DiscordOutbound:
    """The ``EventSink`` the Discord adapter gives the service."""

    def __init__(
        self,
        sender: MessageSender | None = None,
        *,
        idle_after: float = IDLE_AFTER,
        clock: Clock | None = None,
        token_life: float = INTERACTION_TOKEN_LIFE,
        margin: float = FOLLOWUP_MARGIN,
    ) -> None:
        """``idle_after``: a channel's lane retires after that long without events;
        ``token_life``: how long an interaction's webhook takes calls, and ``margin`` what a
        question posted through it keeps to spare (``follow_up_through``)."""
        self._sender = sender
        self._clock: Clock = clock or SystemClock()
        self.token_life = token_life
        self.margin = margin
        self.edit_margin = EDIT_MARGIN
        self._followups: dict[ChannelKey, _Followups] = {}
        self._lanes: ChannelLanes[Event] = ChannelLanes(
            self._deliver, name="discord-outbox", idle_after=idle_after, on_retire=self._forget
        )
        #: Per channel, the question messages the lane may still edit.
        self._questions: dict[ChannelKey, dict[_QuestionKey, _Question]] = {}
        self._question_shown: QuestionShown | None = None
        self._daily_shown: DailyShown | None = None
        #: Round id -> the message showing it, for a reveal whose round lacks the reference.
        self._daily_messages: dict[int, int] = {}
        self._may_post: Callable[[ChannelKey], bool] = lambda channel: True
        self.replies = ReplyCollector(send=self.enqueue)

    def attach(self, sender: MessageSender) -> None:
        self._sender = sender

    def follow_up_through(self, channel: ChannelKey, game_id: str, sender: MessageSender) -> None:
        """Post ``game_id``'s messages through ``sender``, the webhook of the interaction
        that started it (not billed against the bot's global limit), for as long as its
        token lives; then, and for every other game, through the bot's channel calls."""
        expires_at = self._clock.monotonic() + self.token_life
        self._followups[channel] = _Followups(game_id, sender, expires_at)

    def posting_only(self, may_post: Callable[[ChannelKey], bool]) -> None:
        """Send a channel's messages only while ``may_post(channel)`` (this process owns
        its server); the rest is dropped: the server's new owner speaks for it."""
        self._may_post = may_post

    def noting_questions(self, shown: QuestionShown) -> None:
        """Tell ``shown`` where each question is posted (so a restart can edit it)."""
        self._question_shown = shown

    def noting_daily(self, shown: DailyShown) -> None:
        """Tell ``shown`` (round id, message reference) where each daily question is posted."""
        self._daily_shown = shown

    async def publish(self, event: Event) -> None:
        if self.replies.intercept(event):
            return
        if _recipient(event) is not None and not isinstance(event, WrongChoice):
            # For one person, but there is no interaction to answer privately (a typed
            # message): Discord has no private reply to a message, so say nothing.
            log.debug("no interaction to show %s to its recipient", type(event).__name__)
            return
        self.enqueue(event)

    def enqueue(self, event: Event) -> None:
        """Queue a channel event (also used when an interaction could not show it)."""
        if self._sender is None:
            raise RuntimeError("DiscordOutbound has no sender attached")
        if not self._lanes.put(event.channel, event):
            log.warning("outbound closed; dropped %s for %s", type(event).__name__, event.channel)

    def hold(self, channel: ChannelKey) -> contextlib.AbstractContextManager[None]:
        """Keep ``channel``'s lane from sending while an interaction answers first (so
        "game started" appears above the first question)."""
        return self._lanes.hold(channel)

    @property
    def channels(self) -> int:
        """How many channels have a live lane."""
        return self._lanes.channels

    async def flush(self) -> None:
        """Wait until everything queued so far has been sent (or has failed)."""
        await self._lanes.flush()

    async def close(self, *, within: float | None = None) -> None:
        """Send what is queued, then stop every lane. Idempotent.  ``within`` a
        shutdown's budget, only the channels' last words go out (``lanes``);
        without one, everything, within 10 s."""
        if within is None:
            await self._lanes.close(within=10.0)
        else:
            await self._lanes.close(within=within, last_words_only=True)

    # -- a lane's batch -> as few calls as it takes -------------------------------------------

    def _forget(self, channel: ChannelKey) -> None:
        self._questions.pop(channel, None)
        self._followups.pop(channel, None)

    def _webhook(self, channel: ChannelKey, game_id: str, *, spare: float) -> MessageSender | None:
        """The webhook of ``game_id``'s interaction if it lives ``spare`` seconds more."""
        followups = self._followups.get(channel)
        if followups is None or followups.game_id != game_id:
            return None
        if followups.expires_at - self._clock.monotonic() < spare:
            return None
        return followups.sender

    async def _deliver(self, channel: ChannelKey, batch: Sequence[Event]) -> None:
        if not self._may_post(channel):
            log.info("not posting %d events in %s: another process owns it", len(batch), channel)
            return
        if self._lanes.last_words_only:
            batch = last_words(batch, channel, event_of=lambda event: event)
        questions = self._questions.setdefault(channel, {})
        steps: list[_Step] = []
        notices: _Notices | None = None
        revealed: set[_QuestionKey] = set()
        for event in batch:
            match event:
                case QuestionAsked(game_id=game, number=number):
                    questions[game, number] = _Question(event)
                    _add_once(steps, (game, number))
                case GameResumed(game_id=game, asked=asked, hints=hints, message=ref) if asked:
                    # The question goes on in the message it was posted in: an edit
                    # brings it up to date (a post only if that message is unknown).
                    # Between questions, the last one's reveal is shown again there.
                    number = asked.number
                    noted = question_message(ref, number)
                    message_id = int(noted) if noted is not None and noted.isdigit() else None
                    if event.revealed is not None and message_id is None:
                        continue  # nothing open to close: its message is not known
                    question = _Question(asked, list(hints), event.revealed, message_id)
                    questions[game, number] = question
                    if event.revealed is not None:
                        revealed.add((game, number))
                    _add_once(steps, (game, number))
                case HintGiven(game_id=game, number=number, hint=hint, requested=requested):
                    if (q := questions.get((game, number))) is not None:
                        q.hints.append(hint)
                        # Billed, an automatic hint waits for an edit that happens anyway.
                        if requested or not self._billed(channel, q):
                            _add_once(steps, (game, number))
                case QuestionRevealed(game_id=game, number=number):
                    revealed.add((game, number))
                    if (q := questions.get((game, number))) is not None:
                        q.revealed = event
                        _add_once(steps, (game, number))
                    else:
                        steps.append(_Post(render.reveal(event), game))
                case CloseGuess() | WrongChoice():
                    line = render.notice_line(event)
                    key = (event.game_id, event.number)
                    q = questions.get(key)
                    if line is None:
                        continue
                    if q is not None and q.revealed is None and self._billed(channel, q):
                        q.notes.append(line)  # rides along on the reveal: no post of its own
                        continue
                    if notices is None:
                        notices = _Notices()
                        steps.append(notices)
                    notices.lines.append((key, line))
                case (
                    GameStarted()
                    | ScoreShown()
                    | GameEnded()
                    | ScoresDelayed()
                    | GamePaused()
                    | GameSuspended()
                ):
                    reply = render.channel_reply(event)
                    if reply is not None:
                        steps.append(_Post(reply, getattr(event, "game_id", None)))
                case DailyQuestionPosted() | DailyQuestionRevealed():
                    steps.append(_Daily(event))
                case QuizReminder() | QuizSkipped() | SeasonResults() | DailyQuestionSkipped():
                    reply = render.channel_reply(event)
                    if reply is not None:
                        steps.append(_Post(reply, None))
                case _:
                    pass  # scored answers show in the reveal; private events have no place here
        for step in steps:
            if not self._may_post(channel):
                return  # lost it meanwhile: not one more message
            match step:
                case (str(), int()):
                    await self._send_question(channel, questions[step])
                case _Post(reply=reply, game_id=of_game):
                    await self._post(channel, reply, of_game)
                case _Daily(event=daily):
                    await self._send_daily(channel, daily)
                case _Notices(lines=lines):
                    # "So close" is old news once the answer is out.
                    fresh = [line for key, line in lines if key not in revealed]
                    if fresh:
                        await self._post(channel, render.notices(fresh), lines[0][0][0])
        for key in list(questions)[:-_KEPT_QUESTIONS]:
            del questions[key]

    # -- which way a message goes ----------------------------------------------------------

    def _channel_sender(self) -> MessageSender:
        assert self._sender is not None  # checked when the event was queued
        return self._sender

    def _route(self, channel: ChannelKey, question: _Question) -> MessageSender:
        """Who posts or edits ``question``'s message: the webhook of the game's interaction
        while its token lives long enough (for a post: the whole question and ``margin``),
        else the bot's channel calls."""
        game = question.asked.game_id
        if question.message_id is None:
            spare = question.asked.seconds + self.margin
            return self._webhook(channel, game, spare=spare) or self._channel_sender()
        if question.via is None or question.via is self._sender:
            return self._channel_sender()
        return self._webhook(channel, game, spare=self.edit_margin) or self._channel_sender()

    def _billed(self, channel: ChannelKey, question: _Question) -> bool:
        """Whether ``question``'s next call counts against the bot's global limit."""
        return self._route(channel, question) is self._sender

    async def _post(self, channel: ChannelKey, reply: Reply, game_id: str | None) -> int | None:
        webhook = self._webhook(channel, game_id, spare=self.edit_margin) if game_id else None
        return (await self._post_via(channel, webhook or self._channel_sender(), reply))[0]

    async def _post_via(
        self, channel: ChannelKey, route: MessageSender, reply: Reply
    ) -> tuple[int | None, MessageSender]:
        """Post through ``route``; through the channel if the webhook is gone."""
        try:
            return await route.post(channel, reply), route
        except RouteGone:
            self._webhook_gone(channel)
        sender = self._channel_sender()
        return await sender.post(channel, reply), sender

    def _webhook_gone(self, channel: ChannelKey) -> None:
        log.info("%s: the interaction's webhook is gone; posting with the bot's own calls", channel)
        self._followups.pop(channel, None)

    def shown_hints(self, channel: ChannelKey, game_id: str, number: int) -> Reply | str:
        """For a click on a question's "Hints" button (billed path): the question with the
        hints given so far, for the click's response to edit in place (not billed); or
        what to tell the clicker instead.  Call it with the channel's lane held."""
        question = self._questions.get(channel, {}).get((game_id, number))
        if question is None or question.revealed is not None:
            return render.QUESTION_OVER
        if not question.hints:
            return render.NO_HINT_YET
        return question.render(hints_button=True)

    async def _send_question(self, channel: ChannelKey, question: _Question) -> None:
        route = self._route(channel, question)
        # Billed, automatic hints are not edited in: a button shows them (GUIDE section 5).
        reply = question.render(hints_button=route is self._sender)
        if question.message_id is not None:
            try:
                if await route.edit(channel, question.message_id, reply):
                    return
            except RouteGone:
                self._webhook_gone(channel)
                if await self._channel_sender().edit(channel, question.message_id, reply):
                    return
            route = self._route(channel, _Question(question.asked))
        # Not posted yet, or the post is gone (deleted by a moderator): post it now.  Its
        # nonce makes it one message however many times the channel is sent it: a process
        # killed after posting it but before noting where, and the next owner posting it
        # again (a resumed game posts through the channel, never a webhook).
        reply = replace(reply, nonce=question_nonce(question.asked))
        question.message_id, question.via = await self._post_via(channel, route, reply)
        if question.message_id is not None and self._question_shown is not None:
            asked = question.asked
            ref = question_ref(asked.number, question.message_id)
            await self._question_shown(channel, asked.game_id, ref)

    # -- the daily question ------------------------------------------------------------------

    async def _send_daily(
        self, channel: ChannelKey, event: DailyQuestionPosted | DailyQuestionRevealed
    ) -> None:
        """Post a daily question, and hand its message to ``noting_daily``; or edit it into
        its reveal (posted anew when its message is unknown or gone).  Always the bot's own
        calls: no interaction started it.  A nonce keeps each a single message however many
        processes or restarts send it."""
        sender = self._channel_sender()
        round_id = event.round.id
        if isinstance(event, DailyQuestionPosted):
            reply = replace(render_scheduled.daily_question(event), nonce=ids.daily_nonce(round_id))
            message_id = await sender.post(channel, reply)
            if message_id is None:
                return
            self._daily_messages[round_id] = message_id
            while len(self._daily_messages) > _KEPT_DAILY:
                del self._daily_messages[next(iter(self._daily_messages))]
            if self._daily_shown is not None:
                await self._daily_shown(round_id, str(message_id))
            return
        reply = render_scheduled.daily_reveal(event)
        ref = event.round.message_ref
        message_id = int(ref) if ref is not None and ref.isdigit() else None
        message_id = message_id or self._daily_messages.pop(round_id, None)
        if message_id is not None and await sender.edit(channel, message_id, reply):
            return
        await sender.post(channel, replace(reply, nonce=ids.daily_reveal_nonce(round_id)))
