"""The Slack outbox, the reply collector, the directory and the event-id memory, without Slack."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.common.replies import ReplyCollector, ask, for_recipient
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.outbox import SlackCallError, SlackOutbox, recipient_of
from bot.adapters.slack.recent_ids import RecentIds
from bot.adapters.slack.render import SlackMessage
from bot.domain.commands import Command, ShowStats
from bot.domain.daily import DailyRound
from bot.domain.events import (
    ChoiceRecorded,
    CloseGuess,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    EndReason,
    Event,
    GameEnded,
    GameResumed,
    HintGiven,
    QuestionAsked,
    QuestionRevealed,
    QuizReminder,
    Refusal,
    Rejected,
    RevealReason,
    ScoreShown,
)
from bot.domain.model import Actor, ChannelKey, GameMode, PlayerKey, Question, Standing
from bot.domain.question_refs import question_ref

A = ChannelKey("slack", "T1", "CA")
B = ChannelKey("slack", "T1", "CB")
BOB = PlayerKey("slack", "T1", "U2")
ALICE = PlayerKey("slack", "T1", "U1")
SKY = Question(id="sky", prompt="Sky?", answers=("blue",), category="colours")


SLACK_METHODS = {
    "post": "chat.postMessage",
    "update": "chat.update",
    "ephemeral": "chat.postEphemeral",
    "respond": "response_url",
}


@dataclass
class RecordingWeb:
    """A ``SlackWeb`` that records calls; ``gate`` holds every call until it is set."""

    calls: list[tuple[str, str, str]] = field(default_factory=list)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    failures: dict[str, str] = field(default_factory=dict)
    posted: int = 0
    #: Each call's whole text, where ``calls`` keeps its first line.
    texts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.gate.set()

    async def _record(self, method: str, where: str, text: str) -> None:
        await self.gate.wait()
        self.calls.append((method, where, text.splitlines()[0]))
        self.texts.append(text)
        if method in self.failures:
            raise SlackCallError(SLACK_METHODS[method], self.failures.pop(method))

    async def post_message(self, channel: str, message: SlackMessage) -> str:
        await self._record("post", channel, message.text)
        self.posted += 1
        return f"ts-{self.posted}"

    async def update_message(self, channel: str, ts: str, message: SlackMessage) -> None:
        await self._record("update", f"{channel}@{ts}", message.text)

    async def post_ephemeral(self, channel: str, user: str, message: SlackMessage) -> None:
        await self._record("ephemeral", f"{channel}>{user}", message.text)

    async def respond(self, response_url: str, message: SlackMessage) -> None:
        await self._record("respond", response_url, message.text)


def asked(channel: ChannelKey = A, number: int = 1) -> QuestionAsked:
    return QuestionAsked(channel, "g1", number, 2, SKY, (), 30.0, datetime(2025, 1, 1, tzinfo=UTC))


def reveal(channel: ChannelKey = A, number: int = 1) -> QuestionRevealed:
    return QuestionRevealed(channel, "g1", number, 2, SKY, RevealReason.ANSWERED, (), (), 0.0)


def ended(channel: ChannelKey = A) -> GameEnded:
    return GameEnded(channel, "g1", EndReason.STOPPED, (), None, 1)


def refused(channel: ChannelKey = A) -> Rejected:
    return Rejected(channel, BOB, Refusal.NO_GAME, "No game here.")


def outbox(web: RecordingWeb, **options: Any) -> SlackOutbox:
    return SlackOutbox(web, post_interval=0, **options)


async def test_send_returns_at_once_while_slack_is_slow_and_order_is_kept() -> None:
    web = RecordingWeb()
    web.gate.clear()
    box = outbox(web)

    for event in (asked(), HintGiven(A, "g1", 1, "b___", 1, 0), reveal(), ended()):
        box.send(event)  # not a coroutine: it cannot wait for Slack
    await asyncio.sleep(0)
    assert web.calls == []
    web.gate.set()
    await box.close()

    # The hint queued behind Slack is overtaken by its question's reveal: not sent at all.
    assert web.calls == [
        ("post", "CA", "Question 1/2: Sky?"),
        ("update", "CA@ts-1", "Question 1/2: Sky?"),
        ("post", "CA", "*🛑 Game stopped.*"),
    ]


async def test_a_slow_channel_does_not_hold_up_another() -> None:
    web = RecordingWeb()
    box = outbox(web)
    blocked, b_posted = asyncio.Event(), asyncio.Event()
    original = web.post_message

    async def slow_in_a(channel: str, message: SlackMessage) -> str:
        if channel == "CA":
            await blocked.wait()
        ts = await original(channel, message)
        if channel == "CB":
            b_posted.set()
        return ts

    web.post_message = slow_in_a  # type: ignore[method-assign]
    box.send(asked(A))
    box.send(asked(B))
    async with asyncio.timeout(2):
        await b_posted.wait()

    assert web.calls == [("post", "CB", "Question 1/2: Sky?")]
    blocked.set()
    await box.close()
    assert [c[1] for c in web.calls] == ["CB", "CA"]


async def test_replies_to_one_player_are_ephemeral_and_fall_back_to_the_response_url() -> None:
    web = RecordingWeb(failures={"ephemeral": "not_in_channel"})
    box = outbox(web)
    box.remember_response_url(A, "U2", "https://hooks.slack.test/r/1")

    box.send(refused())
    box.send(CloseGuess(A, "g1", 1, BOB, "bob", "blu"))
    await box.close()

    # A near miss comes with every question: it takes the response_url at once.
    assert web.calls == [
        ("ephemeral", "CA>U2", "🚫 No game here."),
        ("respond", "https://hooks.slack.test/r/1", "🚫 No game here."),
        ("respond", "https://hooks.slack.test/r/1", "🤏 So close! “blu” is nearly it."),
    ]


async def test_pick_confirmations_take_the_players_response_url_five_times_then_ephemerals() -> (
    None
):
    web = RecordingWeb()
    box = outbox(web)
    box.remember_response_url(A, "U2", "https://hooks.slack.test/r/9")

    for number in range(1, 8):
        box.send(ChoiceRecorded(A, "g1", number, BOB, 1, "Mars"))
    box.send(CloseGuess(A, "g1", 8, ALICE, "alice", "blu"))  # alice gave no URL
    await box.close()

    kinds = [kind for kind, _, _ in web.calls]
    assert kinds == ["respond"] * 5 + ["ephemeral"] * 2 + ["ephemeral"]
    assert web.calls[-1][1] == "CA>U1"


async def test_the_score_goes_to_its_asker_and_the_channels_copies_go_last_and_once() -> None:
    web = RecordingWeb()
    web.gate.clear()
    box = outbox(web)
    box.remember_response_url(A, "U2", "https://hooks.slack.test/r/3")
    standings = (Standing(player=BOB, name="bob", points=10, correct=1, rank=1),)

    box.send(asked())
    box.send(ScoreShown(A, "g1", standings, 1, 2, asked_by=BOB))
    for _ in range(3):  # asked by someone with no response_url: for the channel
        box.send(ScoreShown(A, "g1", standings, 1, 2, asked_by=ALICE))
    box.send(reveal())
    box.send(ended())
    await asyncio.sleep(0)
    web.gate.set()
    await box.close()

    assert [(kind, target) for kind, target, _ in web.calls] == [
        ("post", "CA"),
        ("update", "CA@ts-1"),
        ("post", "CA"),  # the game's end, before any standings
        ("respond", "https://hooks.slack.test/r/3"),
        ("post", "CA"),  # three copies asked for together, posted once
    ]
    assert web.calls[-1][2].startswith("*Scores after question 1 of 2*")


async def test_a_failed_call_is_logged_and_the_lane_keeps_going(
    caplog: pytest.LogCaptureFixture,
) -> None:
    web = RecordingWeb(failures={"post": "msg_too_long"})
    box = outbox(web)

    box.send(ended())
    box.send(refused())
    await box.close()

    assert [c[0] for c in web.calls] == ["post", "ephemeral"]
    assert "slack: chat.postMessage failed in slack:T1:CA: msg_too_long" in caplog.text


async def test_a_reveal_whose_question_never_got_out_is_posted_instead() -> None:
    web = RecordingWeb(failures={"post": "channel_not_found"})
    box = outbox(web)

    box.send(asked())
    box.send(reveal())
    await box.close()

    assert [c[0] for c in web.calls] == ["post", "post"]
    assert web.calls[1][2] == "Question 1/2: Sky?"


async def test_a_bot_stopping_in_a_hurry_still_sends_scheduled_plays_claimed_messages() -> None:
    # Each is claimed once in the database before it is published: left out now, the daily
    # question, its reveal or a reminder would never be shown.  A near miss is not worth it.
    web = RecordingWeb()
    box = outbox(web)
    opened = datetime(2026, 12, 7, 9, tzinfo=UTC)
    daily = DailyRound(7, 1, A, SKY, (), opened, opened.replace(hour=17), message_ref="ts-9")
    web.gate.clear()
    box.send(ended())  # the lane's worker takes it and waits on Slack
    await asyncio.sleep(0)
    box.send(DailyQuestionPosted(A, daily))
    box.send(CloseGuess(A, "g1", 1, BOB, "Bob", "azure"))
    box.send(QuizReminder(A, 1, opened, 10))
    box.send(DailyQuestionRevealed(A, daily, (), 0))
    closing = asyncio.create_task(box.close(within=5.0))
    await asyncio.sleep(0)  # close has begun: only last words from here on
    web.gate.set()
    await closing

    sent = [(method, text) for method, _, text in web.calls]
    assert [method for method, _ in sent] == ["post", "post", "post", "update"]
    assert not any("azure" in text for text in web.texts)


async def test_close_is_idempotent_and_later_events_are_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    web = RecordingWeb()
    box = outbox(web)
    box.send(ended())

    await box.close()
    await box.close()
    box.send(ended())

    assert len(web.calls) == 1
    assert "slack outbox closed; dropped GameEnded" in caplog.text


async def test_posts_beyond_a_short_burst_are_paced() -> None:
    web = RecordingWeb()
    box = SlackOutbox(web, post_interval=0.02, post_burst=2)
    started = time.perf_counter()

    for _ in range(4):
        box.send(ended())
    await box.close()

    assert len(web.calls) == 4
    assert time.perf_counter() - started >= 0.04 - 0.005


def test_replies_are_for_their_recipient_and_near_misses_for_the_guesser() -> None:
    assert recipient_of(refused()) == BOB
    assert recipient_of(CloseGuess(A, "g1", 1, BOB, "bob", "blu")) == BOB
    assert recipient_of(ended()) is None


# -- replies ------------------------------------------------------------------------------


ME = Actor(key=BOB, name="bob")


def collector() -> tuple[ReplyCollector, list[Event]]:
    sent: list[Event] = []
    return ReplyCollector(send=sent.append), sent


MINE = for_recipient(recipient_of, ME.key)


async def test_ask_returns_the_senders_replies_and_lets_channel_events_through() -> None:
    replies, sent = collector()

    async def handle(command: Command) -> None:
        for event in (refused(), ended()):
            if not replies.intercept(event):
                sent.append(event)

    got, finished = await ask(replies, handle, ShowStats(channel=A, actor=ME), wants=MINE, within=1)

    assert (got, finished) == ([refused()], True)
    assert sent == [ended()]


async def test_replies_published_by_other_tasks_at_the_same_moment_are_not_caught() -> None:
    replies, _ = collector()
    seen_elsewhere: list[bool] = []

    async def elsewhere() -> bool:
        # A task started inside ``handle`` (a timer, say) inherits the context, not the capture.
        return replies.intercept(refused())

    async def handle(command: Command) -> None:
        seen_elsewhere.append(await asyncio.create_task(elsewhere()))

    got, _ = await ask(replies, handle, ShowStats(channel=A, actor=ME), wants=MINE, within=1)

    assert (got, seen_elsewhere) == ([], [False])


@pytest.mark.parametrize(("late", "expected"), [(True, [refused()]), (False, [])])
async def test_replies_after_the_wait_is_over_are_sent_or_dropped(
    late: bool, expected: list[Event]
) -> None:
    replies, sent = collector()
    go_on = asyncio.Event()

    async def handle(command: Command) -> None:
        await go_on.wait()
        if not replies.intercept(refused()):  # what the sink's publish does
            sent.append(refused())

    got, finished = await ask(
        replies, handle, ShowStats(channel=A, actor=ME), wants=MINE, within=0.01, deliver_late=late
    )
    go_on.set()
    await replies.close()

    assert (got, finished) == ([], False)
    assert sent == expected


async def test_a_command_failing_after_the_wait_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    replies, _ = collector()
    go_on = asyncio.Event()

    async def handle(command: Command) -> None:
        await go_on.wait()
        raise RuntimeError("late trouble")

    await ask(replies, handle, ShowStats(channel=A, actor=ME), wants=MINE, within=0.01)
    go_on.set()
    await replies.close()

    assert "ShowStats failed" in caplog.text
    assert "late trouble" in caplog.text


# -- directory and event ids ---------------------------------------------------------------


async def test_users_are_looked_up_once_per_ttl_and_admins_come_from_slack_or_settings() -> None:
    now = [0.0]
    asked_for: list[str] = []
    people = {
        "U1": {"id": "U1", "name": "ada", "is_admin": True, "profile": {"display_name": "Ada"}},
        "U2": {"id": "U2", "name": "olga", "is_owner": True, "profile": {"real_name": "Olga O"}},
        "U3": {"id": "U3", "name": "carl", "profile": {"display_name": ""}},
    }

    async def users_info(team_id: str, user_id: str) -> dict[str, Any] | None:
        asked_for.append(user_id)
        return people.get(user_id)

    directory = SlackDirectory(users_info, admins=["U3"], ttl=60, monotonic=lambda: now[0])
    first = [await directory.actor("T1", u, "hint") for u in ("U1", "U2", "U3", "U9")]
    await directory.actor("T1", "U1")
    now[0] = 61
    await directory.actor("T1", "U1")

    assert [(a.name, a.is_admin) for a in first] == [
        ("Ada", True),
        ("Olga O", True),
        ("carl", True),
        ("hint", False),
    ]
    assert first[0].key == PlayerKey("slack", "T1", "U1")
    assert asked_for == ["U1", "U2", "U3", "U9", "U1"]


async def test_admin_flags_count_only_in_a_workspace_the_user_belongs_to() -> None:
    asked_for: list[tuple[str, str]] = []
    people = {
        "U1": {"id": "U1", "team_id": "T1", "is_admin": True},
        "U2": {"id": "U2", "team_id": "T2", "is_admin": True},  # a Slack Connect guest
        "U3": {
            "id": "U3",
            "team_id": "T2",
            "is_owner": True,
            "enterprise_user": {"id": "U3", "enterprise_id": "E1", "teams": ["T1", "T2"]},
        },
    }

    async def users_info(team_id: str, user_id: str) -> dict[str, Any] | None:
        asked_for.append((team_id, user_id))
        return people.get(user_id)

    directory = SlackDirectory(users_info)
    here = [(await directory.actor("T1", u)).is_admin for u in ("U1", "U2", "U3")]
    there = (await directory.actor("T2", "U1")).is_admin

    assert here == [True, False, True]
    assert there is False  # U1's flags are about T1
    assert asked_for == [("T1", "U1"), ("T1", "U2"), ("T1", "U3"), ("T2", "U1")]


async def test_concurrent_events_from_a_new_player_share_one_lookup() -> None:
    calls = 0
    release = asyncio.Event()

    async def users_info(team_id: str, user_id: str) -> dict[str, Any] | None:
        nonlocal calls
        calls += 1
        await release.wait()
        return {"id": user_id, "name": "bob"}

    directory = SlackDirectory(users_info)
    waiting = [asyncio.create_task(directory.actor("T1", "U2")) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    actors = await asyncio.gather(*waiting)

    assert calls == 1
    assert {a.name for a in actors} == {"bob"}


async def test_a_lookup_slack_does_not_answer_in_time_falls_back_to_the_payload(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def users_info(team_id: str, user_id: str) -> dict[str, Any] | None:
        await asyncio.Event().wait()
        return None

    directory = SlackDirectory(users_info, admins=["U2"], timeout=0.01)

    with caplog.at_level(logging.WARNING):
        actor = await directory.actor("T1", "U2", "bob")

    assert (actor.name, actor.is_admin) == ("bob", True)
    assert "users.info for U2 took over" in caplog.text


def test_an_event_id_counts_once_until_it_expires() -> None:
    now = [0.0]
    ids = RecentIds(ttl=600, limit=3, monotonic=lambda: now[0])

    firsts = [ids.first_time(i) for i in ("Ev1", "Ev1", "Ev2")]
    now[0] = 601
    again = ids.first_time("Ev1")
    for item in ("Ev3", "Ev4", "Ev5", "Ev6"):
        ids.first_time(item)

    assert firsts == [True, False, True]
    assert again is True
    assert len(ids) == 3


# -- a game carried on after a restart -------------------------------------------------------


def resumed(ts: str | None, number: int = 1, *, noted_for: int | None = None) -> GameResumed:
    """Question ``number`` goes on; its card was noted as ``ts`` for question ``noted_for``."""
    ref = question_ref(noted_for or number, ts) if ts else None
    return GameResumed(A, "g1", GameMode.TEXT, asked(number=number), ("b___",), ref)


async def test_a_resumed_question_goes_on_in_its_card_and_the_reveal_edits_it() -> None:
    web = RecordingWeb()
    box = outbox(web)
    noted: list[tuple[ChannelKey, str, str]] = []

    async def note(channel: ChannelKey, game_id: str, ref: str) -> None:
        noted.append((channel, game_id, ref))

    box.noting_questions(note)
    box.send(resumed("ts-old"))
    box.send(reveal())
    await box.close()

    assert web.calls == [
        ("update", "CA@ts-old", "Question 1/2: Sky?"),
        ("update", "CA@ts-old", "Question 1/2: Sky?"),
    ]
    # Nothing new was posted; the card is noted as showing its answer.
    assert noted == [(A, "g1", "1:ts-old:revealed")]


async def test_an_earlier_card_its_last_owner_never_revealed_shows_its_answer_on_resume() -> None:
    web = RecordingWeb()
    box = outbox(web)
    noted: list[str] = []

    async def note(channel: ChannelKey, game_id: str, ref: str) -> None:
        noted.append(ref)

    box.noting_questions(note)
    # Question 1 was revealed (saved) but its card never edited: its process was killed.
    box.send(replace(resumed("ts-1", number=2, noted_for=1), unrevealed=reveal(number=1)))
    await box.close()

    assert web.calls == [
        ("update", "CA@ts-1", "Question 1/2: Sky?"),
        ("post", "CA", "Question 2/2: Sky?"),
    ]
    assert "The answer: *blue*" in web.texts[0]
    assert noted == ["1:ts-1:revealed", "2:ts-1"]


async def test_a_resumed_question_whose_card_is_unknown_is_posted_once_and_noted() -> None:
    web = RecordingWeb()
    box = outbox(web)
    noted: list[str] = []

    async def note(channel: ChannelKey, game_id: str, ref: str) -> None:
        noted.append(ref)

    box.noting_questions(note)
    box.send(resumed("ts-of-question-1", number=2, noted_for=1))  # an older question's card
    await box.close()

    assert web.calls == [("post", "CA", "Question 2/2: Sky?")]
    assert noted == ["2:ts-1"]


async def test_a_game_resumed_between_questions_shows_its_last_reveal_again_in_its_card() -> None:
    web = RecordingWeb()
    box = outbox(web)
    between = replace(resumed("ts-old"), revealed=reveal())
    box.send(between)
    box.send(replace(resumed("ts-older", noted_for=1), message=None, revealed=reveal()))
    await box.close()

    # The known card is edited into the reveal; an unknown one is left alone.
    assert web.calls == [("update", "CA@ts-old", "Question 1/2: Sky?")]


async def test_a_question_posted_is_noted_for_whoever_carries_the_game_on() -> None:
    web = RecordingWeb()
    box = outbox(web)
    noted: list[str] = []

    async def note(channel: ChannelKey, game_id: str, ref: str) -> None:
        noted.append(ref)

    box.noting_questions(note)
    box.send(asked())
    await box.close()
    assert noted == ["1:ts-1"]
