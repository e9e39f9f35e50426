"""The terminal shows scheduled play: a quiz's reminder or why it was skipped, a season's
results and leaderboard, an admin's schedules and the season length in the settings."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time

from rich.console import Console

from bot.adapters.console.render import render
from bot.domain.daily import Season, SeasonLength
from bot.domain.events import (
    LeaderboardShown,
    QuizReminder,
    QuizSkipped,
    SchedulesShown,
    SeasonResults,
    SettingsShown,
)
from bot.domain.model import GameOptions, ServerSettings
from bot.domain.records import LeaderboardRow, Period
from bot.domain.schedule import Schedule, ScheduleKind, parse_days
from tests.fakes import CHANNEL, SERVER, player

NOVEMBER = Season(2026, 11, SeasonLength.MONTHLY)
ROWS = (
    LeaderboardRow(rank=1, player=player("bo").key, name="bo", points=5, correct=3),
    LeaderboardRow(rank=2, player=player("ann").key, name="ann\x1b[2J", points=3, correct=2),
)


def shown(event: object) -> str:
    out = io.StringIO()
    renderable = render(event)  # type: ignore[arg-type]
    assert renderable is not None
    Console(file=out, width=120, color_system=None).print(renderable)
    return out.getvalue()


def test_a_quiz_reminder_says_when_and_what() -> None:
    text = shown(
        QuizReminder(
            channel=CHANNEL,
            schedule_id=3,
            starts_at=datetime(2026, 12, 11, 16, 0, tzinfo=UTC),
            rounds=15,
            category="Science",
        )
    )
    assert "The weekly quiz starts here at 16:00 UTC: 15 questions of Science." in text


def test_a_skipped_quiz_says_why() -> None:
    text = shown(QuizSkipped(channel=CHANNEL, schedule_id=3, reason="A game is already running."))
    assert "The weekly quiz did not start: A game is already running." in text


def test_season_results_name_the_winner_and_keep_names_plain() -> None:
    text = shown(SeasonResults(channel=CHANNEL, season=NOVEMBER, rows=ROWS))
    assert "Season November 2026 is over!" in text
    assert "Winner: bo" in text
    assert "ann\\x1b[2J" in text
    assert "\x1b" not in text
    assert "Nobody scored this season." in shown(
        SeasonResults(channel=CHANNEL, season=NOVEMBER, rows=())
    )


def test_a_season_leaderboard_is_titled_with_its_season() -> None:
    board = LeaderboardShown(
        channel=CHANNEL, recipient=player("bo").key, period=Period.ALL, rows=ROWS, season=NOVEMBER
    )
    assert "Leaderboard, season November 2026" in shown(board)
    empty = LeaderboardShown(
        channel=CHANNEL, recipient=player("bo").key, period=Period.ALL, rows=(), season=NOVEMBER
    )
    assert "No scores in season November 2026 yet." in shown(empty)


def test_schedules_are_listed_with_what_just_changed() -> None:
    quiz = Schedule(
        server=SERVER,
        channel="general",
        kind=ScheduleKind.WEEKLY_QUIZ,
        at=time(16, 0),
        zone="Europe/Berlin",
        days=parse_days("fri"),
        paused=True,
        id=3,
    )
    text = shown(
        SchedulesShown(
            channel=CHANNEL,
            recipient=player("ada").key,
            schedules=(quiz,),
            changed="Schedule 3 is paused.",
            notes=("Note: something moves.",),
        )
    )
    assert "Schedule 3 is paused." in text
    assert "Note: something moves." in text
    assert (
        "3) weekly quiz in general at 16:00 Europe/Berlin (fri), may start 30 min late, "
        "reminder 10 min before (paused)" in text
    )
    nothing = SchedulesShown(channel=CHANNEL, recipient=player("ada").key, schedules=())
    assert "No schedules on this server." in shown(nothing)


def test_the_settings_show_the_season_length() -> None:
    text = shown(
        SettingsShown(
            channel=CHANNEL,
            recipient=player("ada").key,
            settings=ServerSettings(season_length=SeasonLength.QUARTERLY),
            defaults=GameOptions(),
        )
    )
    assert "seasons" in text
    assert "quarterly" in text
