"""Outbound Slack traffic: one ordered lane per channel, never blocking the service.

The service publishes with a channel's lock held, so ``SlackOutbox.send`` only
queues.  Each channel has a lane (``bot.adapters.common.lanes``) whose worker
sends its queue in order, and the outbox remembers what Slack needs: the
``ts`` of the current question message, so that the reveal edits that one
message (``chat.update``) into the answer and who scored.

What a question costs is the scarce thing (issue #16): ``chat.update`` is Tier
3, about 50 a minute for a whole workspace, ``chat.postEphemeral`` Tier 4, about
100; ``chat.postMessage`` about one a second per channel. So a question is one
post and one edit: the card shows its deadline in Slack's date markup rather
than a countdown edited in; nobody's point gets a post of its own (the reveal
names the scorer, with their answer and points; when the workspace's edits are
spent for the moment, a typed question's reveal is posted rather than late); a
hint is a post (Tier-free; a hint the reveal overtook in the queue is not sent
at all). Events with a recipient go to that user alone; those every question
brings (a pick's confirmation, a near miss) through a ``response_url`` they gave
(a slash command's or a click's: no Web API call at all, five posts per URL
within 30 minutes) while one is fresh, the others and the rest by
``chat.postEphemeral``; in a direct message with the bot they are plain posts,
since nobody else is there. ``/trivia score`` is answered to its asker the same
way; standings for the channel (no asker's URL) go after the game's own messages
in the queue, and several queued together go out once. An export is uploaded as
a file to the admin's DM with the bot, never to a channel (it holds every
answer).

The Web API is reached through ``SlackWeb``, a protocol the adapter implements
with slack-sdk; this module imports no SDK.  With the app installed in many
workspaces, ``web_for`` gives each item the ``SlackWeb`` of its channel's
workspace (its token, looked up for that call): a workspace nothing covers any
more (uninstalled) gets nothing, and its items are dropped.  Edits
(``chat.update``, Tier 3) and ephemerals (Tier 4) are paced per workspace, when
``edits_per_minute``/``ephemerals_per_minute`` are given, as well as posts per
channel.  A message Slack still refuses with
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
from bot.adapters.common.rate_limits import through_rate_limits
from bot.adapters.slack.ids import is_direct_message
from bot.adapters.slack.message import SlackMessage, esc
from bot.adapters.slack.render import (
    QuestionCard,
    render,
    render_card,
)
from bot.domain.events import (
    AnswerAccepted,
    ChoiceRecorded,
    CloseGuess,
    DailyAnswerJudged,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    Event,
    GameEnded,
    GameResumed,
    GameStarted,
    HintGiven,
    QuestionAsked,
    QuestionRevealed,
    QuestionsExported,
    ScoreShown,
    WrongChoice,
)
from bot.domain.model import ChannelKey, GameMode, PlayerKey
from bot.domain.question_refs import (
    QuestionShown,
    question_message,
    question_ref,
    revealed_ref,
)

log = logging.getLogger(__name__)

#: Slack's answers that mean "the bot cannot post here" (not a member, archived, ...).
CANNOT_POST = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "user_not_in_channel"}
)
#: A slash command's or a click's response_url takes posts for 30 minutes, five of them.
RESPONSE_URL_TTL = 30 * 60.0
RESPONSE_URL_USES = 5
#: Kept a little short of Slack's 30 minutes: a post must not arrive just after.
RESPONSE_URL_MARGIN = 60.0


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
#: Where a daily question is shown, (round id, message ts): handed to the service, so that
#: its reveal edits that message even after a restart (``TriviaPort.note_daily_message``).
DailyShown = Callable[[int, str], Awaitable[None]]
#: How many daily questions' message ts are remembered here (the store keeps them too).
KEPT_DAILY = 1000


def _event_of(item: _Item) -> Event | None:
    return item.event if isinstance(item, _Queued) else None


def _rate_limited(exc: Exception) -> bool:
    return isinstance(exc, SlackCallError) and exc.code == "ratelimited"


def _what(item: _Queued | _Note) -> str:
    """What a lane's item is, for a log line."""
    if isinstance(item, _Queued):
        return type(item.event).__name__
    return "a note"


def _per_question(event: Event) -> bool:
    """A reply that comes with every question played (a pick's confirmation, a near
    miss, a daily answer's verdict): worth a response_url when the player gave one, to
    spare the Tier 4 budget.  Replies to commands (refusals, leaderboards, ...) stay
    ``chat.postEphemeral``."""
    return isinstance(event, ChoiceRecorded | WrongChoice | CloseGuess | DailyAnswerJudged)


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
class _Queued:
    event: Event
    at: float


@dataclass(frozen=True, slots=True)
class _Note:
    """A message for one user that is no event (an upload's problems, a hint)."""

    user: str
    message: SlackMessage


_Item = _Queued | _Note


def arrange(batch: Sequence[_Item]) -> list[_Item]:
    """What of ``batch`` to send, in which order: a hint whose question's reveal is in the
    same batch is left out (the answer is out), and standings asked for go last, behind
    the game's own messages, the channel's (those with nobody to answer alone) once."""
    revealed = {
        (item.event.game_id, item.event.number)
        for item in batch
        if isinstance(item, _Queued) and isinstance(item.event, QuestionRevealed)
    }
    game: list[_Item] = []
    reads: list[_Item] = []
    for item in batch:
        event = item.event if isinstance(item, _Queued) else None
        if isinstance(event, HintGiven) and (event.game_id, event.number) in revealed:
            continue
        (reads if isinstance(event, ScoreShown) else game).append(item)
    return game + reads


@dataclass(slots=True)
class _Lane:
    """What a channel's lane remembers between items: the question card it edits."""

    channel: ChannelKey
    web: SlackWeb
    mode: GameMode = GameMode.TEXT
    card: QuestionCard | None = None
    card_ts: str | None = None
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

    def delay(self, now: float) -> float:
        """How long one would wait now (nothing taken)."""
        tokens = min(float(self.burst), self.tokens + (now - self.at) / self.interval)
        return max(0.0, (1 - tokens) * self.interval)


class SlackOutbox:
    """Per-channel ordered delivery of events to Slack."""

    def __init__(
        self,
        web: SlackWeb,
        *,
        post_interval: float = 1.0,
        post_burst: int = 3,
        close_timeout: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
        web_for: WebFor | None = None,
        edits_per_minute: float | None = None,
        edit_burst: int = 20,
        ephemerals_per_minute: float | None = None,
        ephemeral_burst: int = 40,
    ) -> None:
        self._web = web
        self._web_for = web_for
        # Per Web API method: (seconds per call, burst), paced per workspace.
        self._tiers: dict[str, tuple[float, int]] = {}
        if edits_per_minute:
            self._tiers["chat.update"] = (60.0 / edits_per_minute, edit_burst)
        if ephemerals_per_minute:
            self._tiers["chat.postEphemeral"] = (60.0 / ephemerals_per_minute, ephemeral_burst)
        self._spent: dict[tuple[str, str], _Bucket] = {}
        self._post_interval = post_interval
        self._post_burst = post_burst
        self._close_timeout = close_timeout
        self._monotonic = monotonic
        self._lanes: ChannelLanes[_Item] = ChannelLanes(
            self._deliver_batch, name="slack-out", on_retire=self._forget
        )
        self._state: dict[ChannelKey, _Lane] = {}
        self._response_urls: dict[tuple[str, str], tuple[str, float]] = {}
        self._url_uses: dict[str, int] = {}
        self._question_shown: QuestionShown | None = None
        self._daily_shown: DailyShown | None = None
        #: Round id -> the ts of its message, for a reveal whose round lacks the reference.
        self._daily_ts: dict[int, str] = {}

    def noting_questions(self, shown: QuestionShown) -> None:
        """Tell ``shown`` where each question card is posted (so a restart can edit it)."""
        self._question_shown = shown

    def noting_daily(self, shown: DailyShown) -> None:
        """Tell ``shown`` (round id, message ts) where each daily question is posted."""
        self._daily_shown = shown

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
        """Where to reply to ``user_id`` in ``channel`` (a slash command's or a click's
        ``response_url``): for what is for them alone, and to tell the channel's users
        the bot cannot post there."""
        now = self._monotonic()
        if len(self._response_urls) > 1000:
            self._response_urls = {k: v for k, v in self._response_urls.items() if v[1] > now}
            live = {url for url, _ in self._response_urls.values()}
            self._url_uses = {k: v for k, v in self._url_uses.items() if k in live}
        expires = now + RESPONSE_URL_TTL - RESPONSE_URL_MARGIN
        self._response_urls[(channel.channel, user_id)] = (url, expires)
        self._response_urls[(channel.channel, "")] = (url, expires)

    async def flush(self) -> None:
        """Until everything queued so far has been sent (or given up on)."""
        await self._lanes.flush()

    async def close(self, *, within: float | None = None) -> None:
        """Send what is queued (within ``within`` seconds, else ``close_timeout``), then
        stop every task. Idempotent."""
        if within is None:
            await self._lanes.close(within=self._close_timeout)
        else:
            await self._lanes.close(within=within, last_words_only=True)

    # -- lanes ---------------------------------------------------------------------------

    def _forget(self, channel: ChannelKey) -> None:
        self._state.pop(channel, None)

    async def _deliver_batch(self, channel: ChannelKey, batch: Sequence[_Item]) -> None:
        if self._lanes.last_words_only:
            batch = last_words(batch, channel, event_of=_event_of)
        batch = arrange(batch)
        # Of the channel's standings, the newest says it all.
        public = [i for i in batch if self._public_read(channel, i)]
        if len(public) > 1:
            # By identity: two copies asked at one instant are equal values.
            older = {id(i) for i in public[:-1]}
            batch = [i for i in batch if id(i) not in older]
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

    def _public_read(self, channel: ChannelKey, item: _Item) -> bool:
        """Standings for the whole channel: nobody asked, or the asker has no fresh URL."""
        if not isinstance(item, _Queued) or not isinstance(item.event, ScoreShown):
            return False
        asker = item.event.asked_by
        return asker is None or self._response_url(channel.channel, asker.user) is None

    async def _deliver(self, lane: _Lane, item: _Queued | _Note) -> None:
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
                await self._ephemeral(lane, recipient.user, shown, reply=_per_question(event))
            return
        match event:
            case GameStarted(options=options):
                lane.mode = options.mode
                await self._post(lane, render(event))
            case QuestionAsked():
                await self._ask(lane, event)
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
                    # Kept on the card for a redraw; shown now as a post (no Tier 3 edit).
                    lane.card = replace(card, hints=(*card.hints, hint))
                    await self._post(lane, render(event))
            case AnswerAccepted():
                pass  # the reveal, in the same batch, names the scorer and their points
            case ScoreShown(asked_by=asker) if asker is not None and not self._public_read(
                lane.channel, item
            ):
                shown = render(event)
                if shown is not None:
                    await self._ephemeral(lane, asker.user, shown, reply=True)
            case QuestionRevealed():
                await self._reveal(lane, event)
            case DailyQuestionPosted():
                await self._post_daily(lane, event)
            case DailyQuestionRevealed():
                await self._reveal_daily(lane, event)
            case GameEnded():
                lane.card, lane.card_ts = None, None
                await self._post(lane, render(event))
            case _:
                await self._post(lane, render(event))

    # -- the question card ---------------------------------------------------------------

    async def _ask(self, lane: _Lane, asked: QuestionAsked) -> None:
        lane.card = QuestionCard(asked=asked, mode=lane.mode)
        lane.card_ts = None
        lane.card_ts = await self._post(lane, render_card(lane.card))
        await self._noted(lane, asked)

    async def _noted(self, lane: _Lane, asked: QuestionAsked) -> None:
        if lane.card_ts is not None and self._question_shown is not None:
            ref = question_ref(asked.number, lane.card_ts)
            await self._question_shown(lane.channel, asked.game_id, ref)

    async def _resume(
        self, lane: _Lane, asked: QuestionAsked, hints: tuple[str, ...], ts: str | None
    ) -> None:
        """The question goes on in its card (posted again only if its ts is unknown),
        with the wall-clock deadline it had and the hints given so far."""
        lane.card, lane.card_ts = QuestionCard(asked=asked, mode=lane.mode, hints=hints), ts
        await self._redraw(lane, lane.card)

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
        elif card.reveal is not None and not card.asked.choices and self._edits_spent(lane):
            # The workspace's edits (Tier 3) are spent for now: a typed question's answer is
            # posted rather than shown late (its card has no buttons to take away).
            await self._post(lane, render_card(card))
        else:
            await self._pace_tier(lane, "chat.update")
            await lane.web.update_message(lane.channel.channel, lane.card_ts, render_card(card))

    def _edits_spent(self, lane: _Lane) -> bool:
        """Whether an edit in this workspace would have to wait now."""
        bucket = self._spent.get((lane.channel.server, "chat.update"))
        return bucket is not None and bucket.delay(self._monotonic()) > 0

    # -- the daily question ------------------------------------------------------------------

    async def _post_daily(self, lane: _Lane, event: DailyQuestionPosted) -> None:
        """Post a daily question and hand its message's ts to ``noting_daily``."""
        ts = await self._post(lane, render(event))
        if ts is None:
            return
        round_id = event.round.id
        self._daily_ts[round_id] = ts
        while len(self._daily_ts) > KEPT_DAILY:
            del self._daily_ts[next(iter(self._daily_ts))]
        if self._daily_shown is not None:
            await self._daily_shown(round_id, ts)

    async def _reveal_daily(self, lane: _Lane, event: DailyQuestionRevealed) -> None:
        """Edit the question's message into its reveal (one Tier 3 call, its buttons gone);
        posted anew when the message is unknown or gone."""
        shown = render(event)
        assert shown is not None
        ts = event.round.message_ref or self._daily_ts.get(event.round.id)
        self._daily_ts.pop(event.round.id, None)
        if ts is not None:
            await self._pace_tier(lane, "chat.update")
            try:
                await lane.web.update_message(lane.channel.channel, ts, shown)
                return
            except SlackCallError as exc:
                if exc.code not in ("message_not_found", "cant_update_message"):
                    raise
                log.info("slack: daily question %s's message is gone; posting its reveal", ts)
        await self._post(lane, shown)

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

    async def _pace_tier(self, lane: _Lane, method: str) -> None:
        """Slack takes about 50 ``chat.update`` (Tier 3) and 100 ``chat.postEphemeral``
        (Tier 4) a minute per workspace."""
        tier = self._tiers.get(method)
        if tier is None:
            return
        key = (lane.channel.server, method)
        bucket = self._spent.get(key)
        if bucket is None:
            bucket = self._spent[key] = _Bucket(*tier)
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

    async def _ephemeral(
        self, lane: _Lane, user: str, message: SlackMessage, *, reply: bool = False
    ) -> None:
        """``message`` for ``user`` alone; a ``reply`` goes through a fresh response_url of
        theirs when there is one (no Web API call), else as an ephemeral post."""
        channel = lane.channel.channel
        if reply and not is_direct_message(channel) and await self._reply(lane, user, message):
            return
        try:
            if is_direct_message(channel):
                # Only the user and the bot are in its DM: a plain post, kept in the history.
                # (A DM between two people fails here; the slash command's response_url
                # answers it instead.)
                await self._pace(lane)
                await lane.web.post_message(channel, message)
            else:
                await self._pace_tier(lane, "chat.postEphemeral")
                await lane.web.post_ephemeral(channel, user, message)
        except SlackCallError as exc:
            url = self._response_url(lane.channel.channel, user)
            if exc.code not in CANNOT_POST or url is None:
                raise
            self._used(url)
            await lane.web.respond(url, message)

    async def _reply(self, lane: _Lane, user: str, message: SlackMessage) -> bool:
        """Through ``user``'s response_url in this channel: True if it took the message."""
        url = self._response_url(lane.channel.channel, user)
        if url is None:
            return False
        self._used(url)
        try:
            await lane.web.respond(url, message)
        except SlackCallError as exc:
            log.info("slack: a response_url refused a reply (%s); posting it instead", exc.code)
            self._url_uses[url] = RESPONSE_URL_USES
            return False
        return True

    def _response_url(self, channel: str, user: str) -> str | None:
        """A fresh response_url of ``user`` here with a post left, if any."""
        found = self._response_urls.get((channel, user))
        if found is None or found[1] <= self._monotonic():
            return None
        url = found[0]
        return url if self._url_uses.get(url, 0) < RESPONSE_URL_USES else None

    def _used(self, url: str) -> None:
        self._url_uses[url] = self._url_uses.get(url, 0) + 1


def _epoch() -> datetime:
    return datetime.fromtimestamp(0, UTC)
