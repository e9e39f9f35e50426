"""The daily question at the terminal: ``/answer`` sends a private answer, and the
question, the verdicts and the reveal are shown in words (``render_daily``)."""

from __future__ import annotations

import io
import random
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from rich.console import Console

from bot.adapters.console import render as render_console
from bot.adapters.console.ids import CHANNEL
from bot.adapters.console.inbound import console_actor, parse_line
from bot.clock import ManualClock
from bot.domain.commands import AnswerDaily, ShowLeaderboard, ShowStats
from bot.domain.daily import DailyRound, DailyWinner, Season, SeasonLength, Verdict
from bot.domain.events import (
    DailyAnswerJudged,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    DailyQuestionSkipped,
    Event,
    LeaderboardShown,
    StatsShown,
)
from bot.domain.model import PlayerKey, QuestionType
from bot.domain.records import LeaderboardRow, Period, PlayerStats
from bot.domain.schedule import Schedule, ScheduleKind, parse_days
from bot.service.trivia import TriviaService
from tests.fake_daily import MemoryDailyStore
from tests.fakes import ListBank, MemoryScoreStore, question
from tests.robustness.nasty import NASTY, terminal_controls

OPENED = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
CLOSES = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
ADA = console_actor("ada")
MARS = question("q-mars", "Mars", type=QuestionType.CHOICE, choices=("Venus", "Mars"))


def shown(*events: Event) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, highlight=False)
    for event in events:
        renderable = render_console.render(event)
        assert renderable is not None, type(event).__name__
        console.print(renderable)
    return buffer.getvalue()


def a_round(**changes: object) -> DailyRound:
    base = DailyRound(
        id=4,
        schedule_id=1,
        channel=CHANNEL,
        question=question("q-1", "Mercury", prompt="Which planet is closest to the Sun?"),
        choices=(),
        opened_at=OPENED,
        closes_at=CLOSES,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_answer_sends_a_private_answer_to_the_daily_question() -> None:
    assert parse_line("/answer  Mercury ", ADA) == AnswerDaily(
        channel=CHANNEL, actor=ADA, text="Mercury"
    )
    assert parse_line("/ANSWER 2", ADA) == AnswerDaily(channel=CHANNEL, actor=ADA, text="2")
    # Without the command it is a guess in a game, as before.
    assert not isinstance(parse_line("Mercury", ADA), AnswerDaily)


def test_the_question_says_how_to_answer_and_when_it_closes() -> None:
    text = shown(DailyQuestionPosted(CHANNEL, a_round(), note="posted late, after a restart"))
    assert "Daily question" in text
    assert "Which planet is closest to the Sun?" in text
    assert "open until 16:00 UTC" in text
    assert "/answer and your answer" in text
    assert "posted late, after a restart" in text
    choice = shown(DailyQuestionPosted(CHANNEL, a_round(question=MARS, choices=MARS.choices)))
    assert "1) Venus" in choice
    assert "2) Mars" in choice
    assert "/answer and the number or letter of your choice" in choice


@pytest.mark.parametrize(
    ("verdict", "words"),
    [
        (Verdict.RIGHT, "Right! 'Mercury' is it. Streak: 3 days."),
        (Verdict.WRONG, "Not it: 'Mercury'. The answer is shown at 16:00 UTC."),
        (Verdict.CLOSE, "So close: 'Mercury' is nearly it. That did not count: try again."),
        (Verdict.ALREADY, "You already answered this one ('Mercury')"),
        (Verdict.CLOSED, "No daily question is open here right now."),
    ],
)
def test_each_verdict_in_words(verdict: Verdict, words: str) -> None:
    event = DailyAnswerJudged(CHANNEL, ADA.key, 4, verdict, "Mercury", 3, CLOSES)
    assert words in shown(event)


def test_the_reveal_names_the_winners_in_order_with_their_streaks() -> None:
    bob = PlayerKey("console", "local", "bob")
    winners = (DailyWinner(bob, "bob", 42.0, 1), DailyWinner(ADA.key, "ada", 3720.0, 5))
    text = shown(DailyQuestionRevealed(CHANNEL, a_round(revealed=True), winners, answered=3))
    assert "Daily question closed. The answer: Mercury" in text
    assert "Because Mercury." in text
    assert text.index("1. bob  after 42 s, streak 1") < text.index("2. ada  after 1 h 2 min")
    assert "3 players answered." in text
    nobody = shown(DailyQuestionRevealed(CHANNEL, a_round(revealed=True), (), answered=1))
    assert "Nobody got it this time." in nobody
    assert "1 player answered." in nobody


def test_a_skipped_day_and_the_daily_boards_and_streaks_are_shown() -> None:
    reason = "No daily question today: no questions match category 'history'."
    assert reason in shown(DailyQuestionSkipped(CHANNEL, 1, reason))
    row = LeaderboardRow(1, ADA.key, "ada", 30, 1)
    season = Season(2026, 12, SeasonLength.MONTHLY)
    week = LeaderboardShown(CHANNEL, ADA.key, Period.WEEK, (row,), daily=True)
    assert "Daily questions, this week" in shown(week)
    board = LeaderboardShown(CHANNEL, ADA.key, Period.ALL, (), season=season, daily=True)
    assert "No daily-question scores in season December 2026 yet." in shown(board)
    stats = PlayerStats(ADA.key, "ada", 30, 0, 0, 1, 1, 1, None, 2, 4)
    assert "Daily streak" in shown(StatsShown(CHANNEL, ADA.key, stats))
    assert "2 (best 4)" in shown(StatsShown(CHANNEL, ADA.key, stats))


def test_nothing_a_player_typed_reaches_the_terminal_as_a_control_character() -> None:
    nasty = NASTY["escape-sequences"]
    winner = DailyWinner(ADA.key, nasty, 1.0, 1)
    events: list[Event] = [
        DailyQuestionPosted(CHANNEL, a_round(question=question("q", nasty, prompt=nasty))),
        DailyAnswerJudged(CHANNEL, ADA.key, 4, Verdict.WRONG, nasty, 0, CLOSES),
        DailyQuestionRevealed(CHANNEL, a_round(), (winner,), answered=1),
    ]
    assert terminal_controls(shown(*events)) == []


async def test_a_console_player_answers_the_daily_question_through_the_service() -> None:
    clock = ManualClock(wall=OPENED)
    rounds = MemoryDailyStore()
    printed = io.StringIO()

    class Terminal:
        async def publish(self, event: Event) -> None:
            renderable = render_console.render(event)
            if renderable is not None:
                Console(file=printed, width=200, highlight=False).print(renderable)

    service = TriviaService(
        bank=ListBank([MARS]),
        store=MemoryScoreStore(),
        clock=clock,
        sink=Terminal(),
        rng=random.Random(1),
        daily=rounds,
    )
    schedule = Schedule(
        id=1,
        server=CHANNEL.server_key,
        channel=CHANNEL.channel,
        kind=ScheduleKind.DAILY_QUESTION,
        at=time(9, 0),
        zone="Europe/Berlin",
        days=parse_days("daily"),
        closes=time(17, 0),
        created=OPENED - timedelta(days=1),
    )
    assert service.daily is not None
    await service.daily.open_round(schedule, schedule.occurrence(OPENED.date()))
    for line in ("/answer b", "/answer a"):
        command = parse_line(line, ADA)
        assert isinstance(command, AnswerDaily)
        await service.handle(command)
    await service.handle(ShowStats(channel=CHANNEL, actor=ADA))
    await clock.advance((CLOSES - clock.now()).total_seconds())
    assert await service.daily.close_due(clock.now()) == 1
    await service.handle(ShowLeaderboard(channel=CHANNEL, actor=ADA, daily=True))
    text = printed.getvalue()
    assert "Right! 'Mars' is it. Streak: 1 day." in text
    assert "You already answered this one ('Mars')" in text
    assert "1. ada" in text
    assert "Daily questions, all time" in text
