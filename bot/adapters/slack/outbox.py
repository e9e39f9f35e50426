"""Outbound Slack traffic: one ordered lane per channel, never blocking the service.

The service publishes with a channel's lock held, so ``SlackOutbox.send`` only
queues.  Each channel has a lane (``bot.adapters.common.lanes``) whose worker
sends its queue in order, and the outbox remembers what Slack needs: the
``ts`` of the current question message, so hints, the countdown and the reveal
edit that one message (``chat.update``) instead of posting new ones (Slack
allows about one post per second per channel).  Events with a recipient go
to that user alone (``chat.postEphemeral``, or the slash command's
``response_url`` where the bot may not post); in a direct message with the
bot they are plain posts, since nobody else is there.  An export is uploaded
as a file to the admin's DM with the bot, never to a channel (it holds every
answer).

The Web API is reached through ``SlackWeb``, a protocol the adapter implements
with slack-sdk; this module imports no SDK.  With the app installed in many
workspaces, ``web_for`` gives each item the ``SlackWeb`` of its channel's
workspace (its token, looked up for that call): a workspace nothing covers any
more (uninstalled) gets nothing, and its items are dropped.  Edits
(``chat.update``, Tier 3) are paced per workspace as well as posts per channel,
when ``edits_per_minute`` is given.  A message Slack still refuses with
``ratelimited`` after the SDK's retries is sent again a few rounds
(``bot.adapters.common.rate_limits``).  Every task is named, kept in a set and
awaited on ``close``, which first lets the lanes drain within a bound.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Protocol

from bot.adapters.common.lanes import ChannelLanes, last_words
from bot.adapters.common.question_refs import (
    QuestionShown,
    question_message,
    question_ref,
    revealed_ref,
)
from bot.adapters.common.rate_limits import through_rate_limits
from bot.adapters.slack.ids import is_direct_message
from bot.adapters.slack.message import SlackMessage, esc
from bot.adapters.slack.render import (
    QuestionCard,
    render,
    render_card,
    seconds_left,
)
from bot.domain.events import (
    CloseGuess,
    Event,
    GameEnded,
    GameResumed,
    GameStarted,
    HintGiven,
    QuestionAsked,
    QuestionRevealed,
    QuestionsExported,
)
from bot.domain.model import ChannelKey, GameMode, PlayerKey

log = logging.getLogger(__name__)

#: Slack's answers that mean "the bot cannot post here" (not a member, archived, ...).
CANNOT_POST = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "user_not_in_channel"}
)
#: A slash command's response_url takes posts for 30 minutes.
RESPONSE_URL_TTL = 30 * 60.0


class SlackCallError(Exception):
    """A Web API call Slack answered with ``ok: false`` (``code`` is Slack's error)."""

    def __init__(self, method: str, code: str) -> None:
        super().__init__(f"{method}: {code}")
        self.method = method
        self.code = code


class SlackWeb(Protocol):
    """The Web API calls the outbox makes; failures raise ``SlackCallError``."""

    async def post_message(self, channel: str, message: SlackMessage) -> str:
        """Post to a channel; returns the message's ``ts``."""
        ...

    async def update_message(self, channel: str, ts: str, message: SlackMessage) -> None: ...

    async def post_ephemeral(self, channel: str, user: str, message: SlackMessage) -> None: ...

    async def respond(self, response_url: str, message: SlackMessage) -> None:
        """Post an ephemeral reply through a slash command's ``response_url``."""
        ...

    async def open_dm(self, user: str) -> str:
        """The id of the bot's direct message with ``user`` (opened if need be)."""
        ...

    async def upload_file(self, channel: str, filename: str, content: str, comment: str) -> None:
        """Share a text file in ``channel`` with ``comment`` above it."""
        ...


#: A workspace id -> the ``SlackWeb`` acting there (its token), or None if nothing does.
WebFor = Callable[[str], Awaitable[SlackWeb | None]]


def _event_of(item: _Item) -> Event | None:
    return item.event if isinstance(item, _Queued) else None


def _rate_limited(exc: Exception) -> bool:
    return isinstance(exc, SlackCallError) and exc.code == "ratelimited"


def _what(item: _Queued | _Tick | _Note) -> str:
    """What a lane's item is, for a log line."""
    if isinstance(item, _Queued):
        return type(item.event).__name__
    return "a note" if isinstance(item, _Note) else "a countdown"


def recipient_of(event: Event) -> PlayerKey | None:
    """Who alone should see ``event``; None for the whole channel.

    Every event with a ``recipient`` is private to it (an export holds every
    answer: a new event must not reach the channel because a list here missed it).
    """
    if isinstance(event, CloseGuess):
        # A near miss is a nudge for its player, not news for the channel.
        return event.player
    recipient = getattr(event, "recipient", None)
    return recipient if isinstance(recipient, PlayerKey) else None


@dataclass(frozen=True, slots=True)
class _Tick:
    """Time to redraw the countdown of ``asked``'s card."""

    asked: QuestionAsked


@dataclass(frozen=True, slots=True)
class _Queued:
    event: Event
    at: float


@dataclass(frozen=True, slots=True)
class _Note:
    """A message for one user that is no event (an upload's problems, a hint)."""

    user: str
    message: SlackMessage


_Item = _Queued | _Tick | _Note


@dataclass(slots=True)
class _Lane:
    """What a channel's lane remembers between items: the question card it edits."""

    channel: ChannelKey
    web: SlackWeb
    mode: GameMode = GameMode.TEXT
    card: QuestionCard | None = None
    card_ts: str | None = None
    card_at: float = 0.0
    #: A token bucket for posts: short bursts pass, the steady rate is one per interval.
    post_tokens: float = 0.0
    tokens_at: float = float("-inf")
    told_cannot_post: bool = False


@dataclass(slots=True)
class _Bucket:
    """A token bucket: short bursts pass, the steady rate is one per ``interval``."""

    interval: float
    burst: int
    tokens: float = 0.0
    at: float = float("-inf")

    def wait(self, now: float) -> float:
        """Take one; how long to wait first (0 if one is there)."""
        self.tokens = min(float(self.burst), self.tokens + (now - self.at) / self.interval)
        self.at = now
        self.tokens -= 1
        return max(0.0, -self.tokens * self.interval)


class SlackOutbox:
    """Per-channel ordered delivery of events to Slack."""

    def __init__(
        self,
        web: SlackWeb,
        *,
        countdown_every: float | None = 10.0,
        post_interval: float = 1.0,
        post_burst: int = 3,
        close_timeout: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
        web_for: WebFor | None = None,
        edits_per_minute: float | None = None,
        edit_burst: int = 20,
    ) -> None:
        self._web = web
        self._web_for = web_for
        self._edit_interval = 60.0 / edits_per_minute if edits_per_minute else None
        self._edit_burst = edit_burst
        self._edits: dict[str, _Bucket] = {}
        self._countdown_every = countdown_every
        self._post_interval = post_interval
        self._post_burst = post_burst
        self._close_timeout = close_timeout
        self._monotonic = monotonic
        self._lanes: ChannelLanes[_Item] = ChannelLanes(
            self._deliver_batch, name="slack-out", on_retire=self._forget
        )
        self._state: dict[ChannelKey, _Lane] = {}
        self._tickers: set[asyncio.Task[None]] = set()
        self._response_urls: dict[tuple[str, str], tuple[str, float]] = {}
        self._question_shown: QuestionShown | None = None

    def noting_questions(self, shown: QuestionShown) -> None:
        """Tell ``shown`` where each question card is posted (so a restart can edit it)."""
        self._question_shown = shown

    # -- inbound side --------------------------------------------------------------------

    def send(self, event: Event) -> None:
        """Queue ``event`` for its channel; returns at once."""
        if not self._lanes.put(event.channel, _Queued(event, self._monotonic())):
            log.warning(
                "slack outbox closed; dropped %s for %s", type(event).__name__, event.channel
            )

    def note(self, channel: ChannelKey, user_id: str, message: SlackMessage) -> None:
        """Queue ``message`` for ``user_id`` alone, in order with the channel's events."""
        if not self._lanes.put(channel, _Note(user_id, message)):
            log.warning("slack outbox closed; dropped a note for %s", channel)

    def remember_response_url(self, channel: ChannelKey, user_id: str, url: str) -> None:
        """Where to reply to ``user_id`` in ``channel`` if the bot cannot post there."""
        now = self._monotonic()
        if len(self._response_urls) > 1000:
            self._response_urls = {k: v for k, v in self._response_urls.items() if v[1] > now}
        self._response_urls[(channel.channel, user_id)] = (url, now + RESPONSE_URL_TTL)
        self._response_urls[(channel.channel, "")] = (url, now + RESPONSE_URL_TTL)

    async def flush(self) -> None:
        """Until everything queued so far has been sent (or given up on)."""
        await self._lanes.flush()

    async def close(self, *, within: float | None = None) -> None:
        """Send what is queued (within ``within`` seconds, else ``close_timeout``), then
        stop every task. Idempotent."""
        for task in self._tickers:
            task.cancel()
        if within is None:
            await self._lanes.close(within=self._close_timeout)
        else:
            await self._lanes.close(within=within, last_words_only=True)
        await asyncio.gather(*self._tickers, return_exceptions=True)

    # -- lanes ---------------------------------------------------------------------------

    def _forget(self, channel: ChannelKey) -> None:
        self._state.pop(channel, None)

    async def _deliver_batch(self, channel: ChannelKey, batch: Sequence[_Item]) -> None:
        if self._lanes.last_words_only:
            batch = last_words(batch, channel, event_of=_event_of)
        lane = self._state.get(channel)
        if lane is None:
            lane = self._state[channel] = _Lane(channel, self._web)
        for item in batch:
            if self._web_for is not None:
                # Per item: the token may have been refreshed, or the workspace uninstalled.
                web = await self._web_for(channel.server)
                if web is None:
                    log.info(
                        "slack: no installation covers %s any more; dropped %s",
                        channel,
                        _what(item),
                    )
                    continue
                lane.web = web
            try:
                await through_rate_limits(
                    partial(self._deliver, lane, item),
                    rate_limited=_rate_limited,
                    what=f"slack: {_what(item)}",
                )
            except SlackCallError as exc:
                log.warning("slack: %s failed in %s: %s", exc.method, channel, exc.code)
            except Exception:
                log.exception("slack: delivering %s to %s failed", _what(item), channel)

    async def _deliver(self, lane: _Lane, item: _Queued | _Tick | _Note) -> None:
        if isinstance(item, _Tick):
            await self._tick(lane, item.asked)
            return
        if isinstance(item, _Note):
            await self._ephemeral(lane, item.user, item.message)
            return
        event = item.event
        recipient = recipient_of(event)
        if isinstance(event, QuestionsExported):
            await self._export(lane, event)
            return
        if recipient is not None:
            shown = render(event)
            if shown is not None:
                await self._ephemeral(lane, recipient.user, shown)
            return
        match event:
            case GameStarted(options=options):
                lane.mode = options.mode
                await self._post(lane, render(event))
            case QuestionAsked():
                await self._ask(lane, event, item.at)
            case GameResumed(
                mode=mode, asked=asked, hints=hints, message=ref, revealed=again, unrevealed=earlier
            ):
                lane.mode = mode
                if earlier is not None and (ts := question_message(ref, earlier.number)):
                    # Its last owner stopped before this card showed the answer.
                    lane.card, lane.card_ts = None, ts
                    await self._reveal(lane, earlier, card_ts=ts)
                ts = question_message(ref, asked.number) if asked is not None else None
                if asked is not None and again is not None:
                    # Between questions: the last reveal again, in its card if known.
                    if ts is not None:
                        lane.card = QuestionCard(asked=asked, mode=mode, hints=hints)
                        lane.card_ts = ts
                        await self._reveal(lane, again)
                elif asked is not None:
                    await self._resume(lane, asked, hints, ts)
            case HintGiven(number=number, hint=hint):
                card = lane.card
                if card is not None and card.asked.number == number and card.reveal is None:
                    await self._redraw(lane, replace(card, hints=(*card.hints, hint)))
            case QuestionRevealed():
                await self._reveal(lane, event)
            case GameEnded():
                lane.card, lane.card_ts = None, None
                await self._post(lane, render(event))
            case _:
                await self._post(lane, render(event))

    # -- the question card ---------------------------------------------------------------

    async def _ask(self, lane: _Lane, asked: QuestionAsked, at: float) -> None:
        lane.card = QuestionCard(asked=asked, mode=lane.mode)
        lane.card_ts = None
        lane.card_at = at
        lane.card_ts = await self._post(lane, render_card(lane.card))
        await self._noted(lane, asked)
        self._count_down(lane, asked)

    def _count_down(self, lane: _Lane, asked: QuestionAsked) -> None:
        if self._countdown_every and lane.card_ts is not None:
            task = asyncio.create_task(
                self._countdown(lane, asked), name=f"slack-countdown:{lane.channel}"
            )
            self._tickers.add(task)
            task.add_done_callback(self._tickers.discard)

    async def _noted(self, lane: _Lane, asked: QuestionAsked) -> None:
        if lane.card_ts is not None and self._question_shown is not None:
            ref = question_ref(asked.number, lane.card_ts)
            await self._question_shown(lane.channel, asked.game_id, ref)

    async def _resume(
        self, lane: _Lane, asked: QuestionAsked, hints: tuple[str, ...], ts: str | None
    ) -> None:
        """The question goes on in its card (posted again only if its ts is unknown),
        its countdown on the wall-clock deadline it had."""
        left = max(0.0, (asked.ends_at - datetime.now(UTC)).total_seconds())
        lane.card_at = self._monotonic() - max(0.0, asked.seconds - left)
        lane.card, lane.card_ts = QuestionCard(asked=asked, mode=lane.mode, hints=hints), ts
        await self._redraw(lane, lane.card)
        self._count_down(lane, asked)

    async def _reveal(
        self, lane: _Lane, reveal: QuestionRevealed, *, card_ts: str | None = None
    ) -> None:
        card = lane.card
        if card is None or card.asked.number != reveal.number:
            # The question was never shown here (its post failed): show the answer anyway.
            asked = QuestionAsked(
                channel=reveal.channel,
                game_id=reveal.game_id,
                number=reveal.number,
                total=reveal.total,
                question=reveal.question,
                choices=reveal.question.choices,
                seconds=0,
                ends_at=_epoch(),
            )
            lane.card, lane.card_ts = QuestionCard(asked=asked, mode=lane.mode), card_ts
            card = lane.card
        await self._redraw(lane, replace(card, reveal=reveal))
        if lane.card_ts is not None and self._question_shown is not None:
            ref = revealed_ref(reveal.number, lane.card_ts)
            await self._question_shown(lane.channel, reveal.game_id, ref)

    async def _redraw(self, lane: _Lane, card: QuestionCard) -> None:
        lane.card = card
        if lane.card_ts is None:
            lane.card_ts = await self._post(lane, render_card(card))
            if card.reveal is None:
                await self._noted(lane, card.asked)
        else:
            await self._pace_edit(lane)
            await lane.web.update_message(lane.channel.channel, lane.card_ts, render_card(card))

    async def _countdown(self, lane: _Lane, asked: QuestionAsked) -> None:
        step = self._countdown_every
        assert step
        while True:
            await asyncio.sleep(step)
            card = lane.card
            if card is None or card.asked is not asked or card.reveal is not None:
                return
            if seconds_left(asked.seconds, self._monotonic() - lane.card_at) < 1:
                return
            if not self._lanes.put(lane.channel, _Tick(asked)):
                return

    async def _tick(self, lane: _Lane, asked: QuestionAsked) -> None:
        card = lane.card
        if card is None or card.asked is not asked or card.reveal is not None:
            return
        left = seconds_left(asked.seconds, self._monotonic() - lane.card_at)
        if left >= 1:
            await self._redraw(lane, replace(card, seconds_left=left))

    # -- sending ---------------------------------------------------------------------------

    async def _post(self, lane: _Lane, message: SlackMessage | None) -> str | None:
        if message is None:
            return None
        await self._pace(lane)
        try:
            return await lane.web.post_message(lane.channel.channel, message)
        except SlackCallError as exc:
            if exc.code not in CANNOT_POST:
                raise
            await self._explain_cannot_post(lane, exc)
            return None

    async def _pace(self, lane: _Lane) -> None:
        """Slack takes about one post per second per channel, with short bursts."""
        if self._post_interval <= 0:
            return
        now = self._monotonic()
        refill = (now - lane.tokens_at) / self._post_interval
        lane.post_tokens = min(float(self._post_burst), lane.post_tokens + refill)
        lane.tokens_at = now
        if lane.post_tokens < 1:
            await asyncio.sleep((1 - lane.post_tokens) * self._post_interval)
            lane.post_tokens, lane.tokens_at = 1.0, self._monotonic()
        lane.post_tokens -= 1

    async def _pace_edit(self, lane: _Lane) -> None:
        """Slack takes about 50 ``chat.update`` a minute per workspace (Tier 3)."""
        if self._edit_interval is None:
            return
        team = lane.channel.server
        bucket = self._edits.get(team)
        if bucket is None:
            bucket = self._edits[team] = _Bucket(self._edit_interval, self._edit_burst)
        delay = bucket.wait(self._monotonic())
        if delay > 0:
            await asyncio.sleep(delay)

    async def _explain_cannot_post(self, lane: _Lane, exc: SlackCallError) -> None:
        log.warning("slack: cannot post in %s: %s", lane.channel, exc.code)
        if lane.told_cannot_post:
            return
        url = self._response_url(lane.channel.channel, "")
        if url is None:
            return
        lane.told_cannot_post = True
        await lane.web.respond(
            url,
            SlackMessage(
                text="I can't post in this channel yet: invite me with `/invite @trivia` "
                "(or pick another channel), then start the game again."
            ),
        )

    async def _export(self, lane: _Lane, event: QuestionsExported) -> None:
        """The file goes to the admin's DM with the bot; a note says so where they asked."""
        user = event.recipient.user
        shown = render(event)
        comment = shown.text if shown is not None else event.filename
        dm = await lane.web.open_dm(user)
        await lane.web.upload_file(dm, event.filename, event.text, comment)
        if dm != lane.channel.channel:
            note = f"📤 I sent you `{esc(event.filename)}` in a direct message."
            await self._ephemeral(lane, user, SlackMessage(text=note))

    async def _ephemeral(self, lane: _Lane, user: str, message: SlackMessage) -> None:
        channel = lane.channel.channel
        try:
            if is_direct_message(channel):
                # Only the user and the bot are in its DM: a plain post, kept in the history.
                # (A DM between two people fails here; the slash command's response_url
                # answers it instead.)
                await self._pace(lane)
                await lane.web.post_message(channel, message)
            else:
                await lane.web.post_ephemeral(channel, user, message)
        except SlackCallError as exc:
            url = self._response_url(lane.channel.channel, user)
            if exc.code not in CANNOT_POST or url is None:
                raise
            await lane.web.respond(url, message)

    def _response_url(self, channel: str, user: str) -> str | None:
        found = self._response_urls.get((channel, user))
        if found is None or found[1] <= self._monotonic():
            return None
        return found[0]


def _epoch() -> datetime:
    return datetime.fromtimestamp(0, UTC)
