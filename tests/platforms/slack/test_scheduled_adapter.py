"""Scheduled play as the Slack adapter shows it and reads it back: the real bot
(slack-bolt, outbox, forms) against the fake Slack, with a service that records the
commands it is sent and answers them with the events scheduled play publishes.

The whole flow, with the real desks and the firing loop on a manual clock, is in
``test_scheduled_play``; these pin the adapter's side of each event and command.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain.commands import (
    AddSchedule,
    AnswerDaily,
    Command,
    ListSchedules,
    ShowLeaderboard,
)
from bot.domain.daily import DailyRound, DailyWinner, Season, SeasonLength, Verdict
from bot.domain.events import (
    DailyAnswerJudged,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    Event,
    LeaderboardShown,
    QuizReminder,
    SchedulesShown,
    SeasonResults,
)
from bot.domain.model import Question, QuestionType
from bot.domain.records import LeaderboardRow, Period
from tests.fakes import RoutedService
from tests.platforms.slack.bot_harness import (
    ADA,
    ALICE,
    BOB,
    CHANNEL,
    SlackBot,
    Transport,
    channel,
    player,
    running_bot,
)
from tests.platforms.slack.fake import Message, View

CAROL = "U0CAROL"
CAPITAL = Question(
    id="capital-fr",
    prompt="What is the capital of France?",
    answers=("Paris",),
    category="geography",
    explanation="Paris has been the capital since 987.",
)
PLANET = Question(
    id="red-planet",
    prompt="Which planet is red?",
    answers=("Mars",),
    type=QuestionType.CHOICE,
    choices=("Venus", "Mars", "Jupiter"),
    category="planets",
)


def daily_round(
    question: Question = CAPITAL, *, round_id: int = 7, ref: str | None = None
) -> DailyRound:
    opened = datetime.now(UTC).replace(microsecond=0)
    return DailyRound(
        id=round_id,
        schedule_id=1,
        channel=channel(),
        question=question,
        choices=question.choices,
        opened_at=opened,
        closes_at=opened + timedelta(hours=8),
        message_ref=ref,
    )


@dataclass
class Scripted:
    """The service as the adapter sees it: records every command, and answers it (in
    the command's own task, as the service does) with what ``answer`` makes of it."""

    bot: SlackBot
    commands: list[Command] = field(default_factory=list)
    noted: list[tuple[int, str]] = field(default_factory=list)
    replies: dict[type, Sequence[Event]] = field(default_factory=dict)
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    async def handle(self, command: Command) -> None:
        self.commands.append(command)
        if isinstance(command, AnswerDaily):
            await self.bot.adapter.publish(self.judge(command))
        for event in self.replies.get(type(command), ()):
            await self.bot.adapter.publish(event)

    def judge(self, command: AnswerDaily) -> DailyAnswerJudged:
        guess = command.text if command.text is not None else PLANET.choices[command.choice or 0]
        return DailyAnswerJudged(
            channel=command.channel,
            recipient=command.actor.key,
            round_id=command.round_id or 0,
            verdict=self.verdicts.get(guess, Verdict.WRONG),
            guess=guess,
            streak=2,
            closes_at=datetime.now(UTC) + timedelta(hours=8),
        )

    async def note_daily_message(self, round_id: int, ref: str) -> None:
        self.noted.append((round_id, ref))


@asynccontextmanager
async def scripted_bot(tmp_path: Path, transport: Transport = "http") -> AsyncIterator[Scripted]:
    async with running_bot(tmp_path, transport=transport) as bot:
        scripted = Scripted(bot)
        bot.adapter.bind(RoutedService(bot.app.service, scripted.handle))
        bot.adapter.outbox.noting_daily(scripted.note_daily_message)
        yield scripted


async def posted(scripted: Scripted, daily: DailyRound) -> Message:
    slack = scripted.bot.slack
    mark = scripted.bot.mark()
    await scripted.bot.adapter.publish(DailyQuestionPosted(daily.channel, daily))
    call = await slack.wait_for_call("chat.postMessage", after=mark)
    found = slack.workspace.find_message(call["channel"], call.response["ts"])
    assert found is not None
    return found


async def answer_form(scripted: Scripted, question: Message, user: str) -> View:
    slack = scripted.bot.slack
    mark = scripted.bot.mark()
    await scripted.bot.send(slack.block_action(message=question, label="✍️ Answer", user=user))
    opened = await slack.wait_for_call("views.open", after=mark)
    return slack.views[opened.response["view"]["id"]]


@pytest.mark.parametrize("transport", ["http", "socket"])
async def test_three_players_answer_a_typed_daily_question_privately_in_its_form(
    tmp_path: Path, transport: Transport
) -> None:
    async with scripted_bot(tmp_path, transport) as scripted:
        bot, slack = scripted.bot, scripted.bot.slack
        scripted.verdicts.update({"Paris": Verdict.RIGHT, "Pari": Verdict.CLOSE})
        question = await posted(scripted, daily_round())
        await bot.adapter.outbox.flush()
        forms = {user: await answer_form(scripted, question, user) for user in (ALICE, BOB, CAROL)}
        right = await bot.send(slack.view_submission(forms[ALICE], {"answer": {"value": "Paris"}}))
        wrong = await bot.send(slack.view_submission(forms[BOB], {"answer": {"value": "Lyon"}}))
        close = await bot.send(slack.view_submission(forms[CAROL], {"answer": {"value": "Pari"}}))
        blank = await bot.send(slack.view_submission(forms[CAROL], {"answer": {"value": ""}}))

    # One post, noted for the reveal; the button carries the round.
    assert scripted.noted == [(7, question.ts)]
    assert "Question of the day" in question.all_text()
    assert "<!date^" in question.all_text()
    form = forms[ALICE]
    opened = form.history[0]  # as opened, before its verdict replaced it
    assert opened["callback_id"] == "trivia_daily_answer"
    assert "What is the capital of France?" in str(opened["blocks"])
    assert opened["private_metadata"] == f"T0TRIVIA/{CHANNEL}/7"
    # What each player sees in their modal now: the verdict, or the form kept open.
    assert "is right!" in form.all_text()
    assert "is not it" in forms[BOB].all_text()
    assert forms[CAROL].callback_id == "trivia_daily_answer"
    assert forms[CAROL].errors == {"answer": "Type an answer."}
    answers = [c for c in scripted.commands if isinstance(c, AnswerDaily)]
    assert [(c.actor.key.user, c.text, c.round_id) for c in answers] == [
        (ALICE, "Paris", 7),
        (BOB, "Lyon", 7),
        (CAROL, "Pari", 7),
    ]
    # The verdict is the submission's own response: right and wrong replace the form...
    assert right.payload["response_action"] == "update"
    assert "is right! 🔥 Your streak: 2 days" in str(right.payload["view"])
    assert "is not it" in str(wrong.payload["view"])
    # ...a near miss stays in it, under the field, for another try.
    assert close.payload["response_action"] == "errors"
    assert "nearly it" in close.payload["errors"]["answer"]
    assert blank.payload == {"response_action": "errors", "errors": {"answer": "Type an answer."}}
    # Nobody else sees anything: no ephemeral, no post, the question untouched.
    assert slack.ephemerals() == []
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert slack.calls_to("chat.update") == []


async def test_an_option_click_is_an_answer_and_its_verdict_goes_through_the_clicks_url(
    tmp_path: Path,
) -> None:
    async with scripted_bot(tmp_path) as scripted:
        bot, slack = scripted.bot, scripted.bot.slack
        scripted.verdicts["Mars"] = Verdict.RIGHT
        question = await posted(scripted, daily_round(PLANET, round_id=9))
        await bot.send(slack.block_action(message=question, label="B. Mars", user=ALICE))
        await bot.send(slack.block_action(message=question, label="A. Venus", user=BOB))
        await slack.wait_until(lambda: len(slack.ephemerals()) == 2 or None, what="verdicts")

    answers = [c for c in scripted.commands if isinstance(c, AnswerDaily)]
    assert [(c.actor.key.user, c.choice, c.round_id) for c in answers] == [
        (ALICE, 1, 9),
        (BOB, 0, 9),
    ]
    (alice,) = slack.ephemerals(ALICE)
    (bob,) = slack.ephemerals(BOB)
    assert "“Mars” is right!" in alice.text
    assert "“Venus” is not it" in bob.text
    # No Web API call for a verdict: both went through the clicks' response_urls.
    assert {alice.via, bob.via} == {"response_url"}
    assert slack.calls_to("chat.postEphemeral") == []


async def test_the_reveal_edits_the_question_into_the_answer_and_who_got_it_fastest_first(
    tmp_path: Path,
) -> None:
    async with scripted_bot(tmp_path) as scripted:
        slack = scripted.bot.slack
        daily = daily_round(PLANET, round_id=9)
        question = await posted(scripted, daily)
        winners = (
            DailyWinner(player(BOB), "bob", 12.0, 3),
            DailyWinner(player(ALICE), "alice", 95.0, 1),
        )
        mark = scripted.bot.mark()
        await scripted.bot.adapter.publish(
            DailyQuestionRevealed(daily.channel, daily, winners, answered=3)
        )
        await slack.wait_for_call("chat.update", after=mark)
        # After a restart the round brings its message's reference: still an edit.
        again = daily_round(CAPITAL, round_id=10)
        other = await posted(scripted, again)
        await scripted.bot.adapter.publish(
            DailyQuestionRevealed(
                again.channel, daily_round(CAPITAL, round_id=10, ref=other.ts), (), answered=1
            )
        )
        await slack.wait_for_call("chat.update", lambda c: c["ts"] == other.ts)

    shown = question.visible_text()
    assert "The answer: *Mars* · 3 players answered, 2 right." in shown
    assert shown.index("bob") < shown.index("alice")
    assert "🔥 3-day streak" in shown
    actions = [b for b in question.blocks if b["type"] == "actions"]
    assert [e["action_id"] for b in actions for e in b["elements"]] == ["trivia_report_question"]
    assert "Nobody got it this time." in other.visible_text()
    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_reminder_and_season_results_are_posted_for_the_channel(tmp_path: Path) -> None:
    async with scripted_bot(tmp_path) as scripted:
        slack, publish = scripted.bot.slack, scripted.bot.adapter.publish
        starts = datetime.now(UTC) + timedelta(minutes=10)
        await publish(QuizReminder(channel(), 2, starts, rounds=10, category="Science"))
        season = Season(2026, 11, SeasonLength.MONTHLY)
        rows = (LeaderboardRow(1, player(ALICE), "alice", 40, 4),)
        await publish(SeasonResults(channel(), season, rows))
        await slack.wait_for_call("chat.postMessage", lambda c: "Season" in c["text"])

    transcript = slack.transcript()
    assert "Trivia quiz soon!" in transcript[0]
    assert "10 questions of *Science*" in transcript[0]
    assert "Season November 2026 is over" in transcript[1]
    assert "*alice* wins the season!" in transcript[1]


async def test_schedule_commands_reach_the_service_and_their_answers_are_private(
    tmp_path: Path,
) -> None:
    async with scripted_bot(tmp_path) as scripted:
        bot, slack = scripted.bot, scripted.bot.slack
        scripted.replies[ListSchedules] = [
            SchedulesShown(channel(), player(ADA), (), changed="", notes=())
        ]
        line = "schedule add daily 09:00 Europe/Berlin days=weekdays channel=<#C0GENERAL|general>"
        added = await bot.send(slack.slash_command("/trivia", line, user=ADA))
        listed = await bot.send(slack.slash_command("/trivia", "schedule list", user=ADA))
        bad = await bot.send(slack.slash_command("/trivia", "schedule add daily", user=ADA))
        await slack.wait_until(lambda: slack.ephemerals(ADA) or None, what="the list")

    assert (added.payload, listed.payload) == (None, None)
    assert "Give the kind, the time and the time zone" in bad.payload["text"]
    add = next(c for c in scripted.commands if isinstance(c, AddSchedule))
    assert (add.kind, add.at, add.zone, add.days, add.target) == (
        "daily",
        "09:00",
        "Europe/Berlin",
        "weekdays",
        "C0GENERAL",
    )
    assert add.actor.is_admin
    (shown,) = slack.ephemerals(ADA)
    assert "No schedules in this workspace yet" in shown.text
    assert slack.transcript() == []


async def test_season_and_daily_boards_are_asked_for_and_shown_to_the_asker(
    tmp_path: Path,
) -> None:
    async with scripted_bot(tmp_path) as scripted:
        bot, slack = scripted.bot, scripted.bot.slack
        season = Season(2026, 11, SeasonLength.MONTHLY)
        rows = (LeaderboardRow(1, player(ALICE), "alice", 40, 4),)
        scripted.replies[ShowLeaderboard] = [
            LeaderboardShown(channel(), player(BOB), Period.ALL, rows, season=season, daily=True)
        ]
        line = "leaderboard daily season 2026-11"
        await bot.send(slack.slash_command("/trivia", line, user=BOB))
        await slack.wait_until(lambda: slack.ephemerals(BOB) or None, what="the board")

    asked: Any = next(c for c in scripted.commands if isinstance(c, ShowLeaderboard))
    assert (asked.season, asked.daily) == ("2026-11", True)
    (board,) = slack.ephemerals(BOB)
    assert board.text.startswith("*Daily question leaderboard, season November 2026*")


async def test_a_reveal_whose_message_is_gone_or_unknown_is_posted_instead(
    tmp_path: Path,
) -> None:
    async with scripted_bot(tmp_path) as scripted:
        slack = scripted.bot.slack
        daily = daily_round(CAPITAL, round_id=11)
        question = await posted(scripted, daily)
        question.deleted = True  # a moderator removed it
        winners = (DailyWinner(player(BOB), "bob", 12.0, 1),)
        await scripted.bot.adapter.publish(
            DailyQuestionRevealed(daily.channel, daily, winners, answered=1)
        )
        await slack.wait_for_call("chat.postMessage", lambda c: "The answer" in c["text"])
        # A round this process never posted, whose message nobody noted.
        unknown = daily_round(CAPITAL, round_id=12)
        await scripted.bot.adapter.publish(
            DailyQuestionRevealed(unknown.channel, unknown, (), answered=0)
        )
        await slack.wait_for_call("chat.postMessage", lambda c: "0 players answered" in c["text"])

    (failed,) = slack.calls_to("chat.update")
    assert failed.error == "message_not_found"
    reveals = [m for m in slack.bot_messages() if "The answer" in m.all_text()]
    assert len(reveals) == 2
    assert "🥇 *bob*" in reveals[0].visible_text()


async def test_trivia_answer_is_a_private_answer_whose_verdict_uses_the_commands_url(
    tmp_path: Path,
) -> None:
    async with scripted_bot(tmp_path) as scripted:
        bot, slack = scripted.bot, scripted.bot.slack
        scripted.verdicts["Paris"] = Verdict.RIGHT
        acked = await bot.send(slack.slash_command("/trivia", "answer  Paris ", user=ALICE))
        empty = await bot.send(slack.slash_command("/trivia", "answer", user=ALICE))
        await slack.wait_until(lambda: slack.ephemerals(ALICE) or None, what="the verdict")

    assert acked.payload is None
    assert "/trivia answer Paris" in empty.payload["text"]
    (command,) = [c for c in scripted.commands if isinstance(c, AnswerDaily)]
    assert (command.text, command.round_id, command.channel) == ("Paris", None, channel())
    (verdict,) = slack.ephemerals(ALICE)
    assert "“Paris” is right!" in verdict.text
    assert verdict.via == "response_url"
    assert slack.transcript() == []
