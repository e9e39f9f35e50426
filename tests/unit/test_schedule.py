"""The schedule's due times (``bot.domain.schedule``): days, DST in Europe and America,
missed times, and the refusals an admin reads."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain.model import ServerKey
from bot.domain.schedule import (
    Schedule,
    ScheduleError,
    ScheduleKind,
    days_text,
    parse_days,
    parse_difficulty,
    parse_kind,
    parse_option,
    parse_time,
    parse_zone,
)

SERVER = ServerKey("discord", "guild-1")


def daily(at: str, zone: str, days: str = "daily", closes: str | None = None) -> Schedule:
    return Schedule(
        server=SERVER,
        channel="general",
        kind=ScheduleKind.DAILY_QUESTION,
        at=parse_time(at),
        zone=zone,
        days=parse_days(days),
        closes=parse_time(closes) if closes else None,
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_next_due_is_the_local_time_on_the_next_chosen_day() -> None:
    schedule = daily("09:00", "Europe/Berlin", "mon,wed")
    # 2026-01-05 is a Monday; Berlin is UTC+1 in winter.
    assert schedule.next_due(utc(2026, 1, 5, 7, 0)) == utc(2026, 1, 5, 8, 0)
    assert schedule.next_due(utc(2026, 1, 5, 8, 0)) == utc(2026, 1, 7, 8, 0)  # strictly after
    assert schedule.next_due(utc(2026, 1, 7, 8, 0)) == utc(2026, 1, 12, 8, 0)


def test_times_follow_summer_time_in_europe_and_america() -> None:
    berlin = daily("09:00", "Europe/Berlin")
    new_york = daily("09:00", "America/New_York")
    assert berlin.next_due(utc(2026, 7, 1)) == utc(2026, 7, 1, 7, 0)
    assert new_york.next_due(utc(2026, 7, 1)) == utc(2026, 7, 1, 13, 0)
    assert new_york.next_due(utc(2026, 12, 1)) == utc(2026, 12, 1, 14, 0)


@pytest.mark.parametrize(
    ("zone", "day", "expected_utc", "expected_local"),
    [
        ("Europe/Berlin", utc(2026, 3, 29), utc(2026, 3, 29, 1, 30), "03:30"),
        ("America/New_York", utc(2026, 3, 8), utc(2026, 3, 8, 7, 30), "03:30"),
    ],
)
def test_a_time_skipped_by_spring_forward_moves_forward_and_says_so(
    zone: str, day: datetime, expected_utc: datetime, expected_local: str
) -> None:
    schedule = daily("02:30", zone)
    due = schedule.next_occurrence(day)
    assert due.at == expected_utc
    assert "02:30 does not exist" in due.note
    assert zone in due.note
    assert f"runs at {expected_local} instead" in due.note
    # The next day is back to 02:30 (23 hours later), without a note.
    after = schedule.next_occurrence(due.at)
    assert after.at - due.at == timedelta(hours=23)
    assert after.note == ""


@pytest.mark.parametrize(
    ("zone", "at", "day", "first"),
    [
        ("Europe/Berlin", "02:30", utc(2026, 10, 24, 12), utc(2026, 10, 25, 0, 30)),
        ("America/New_York", "01:30", utc(2026, 10, 31, 12), utc(2026, 11, 1, 5, 30)),
    ],
)
def test_a_time_repeated_by_fall_back_fires_once_at_its_first_moment(
    zone: str, at: str, day: datetime, first: datetime
) -> None:
    schedule = daily(at, zone)
    due = schedule.next_occurrence(day)
    assert due.at == first
    assert due.note == ""
    fired = list(schedule.due_between(day, day + timedelta(days=2)))
    assert [d.at for d in fired].count(first) == 1
    assert len(fired) == 2  # one per day, the repeated hour included
    assert fired[1].at - fired[0].at == timedelta(hours=25)


def test_the_daily_window_closes_at_its_set_time_or_at_midnight() -> None:
    set_close = daily("09:00", "Europe/Berlin", closes="17:00")
    assert set_close.next_occurrence(utc(2026, 1, 5)).closes == utc(2026, 1, 5, 16, 0)
    default = daily("09:00", "Europe/Berlin")
    assert default.next_occurrence(utc(2026, 1, 5)).closes == utc(2026, 1, 5, 23, 0)


def test_a_weekly_quiz_may_start_late_for_half_an_hour_by_default() -> None:
    quiz = Schedule(
        server=SERVER,
        channel="general",
        kind=ScheduleKind.WEEKLY_QUIZ,
        at=time(16, 0),
        zone="UTC",
        days=parse_days("fri"),
    )
    due = quiz.next_occurrence(utc(2026, 1, 5))
    assert due.at == utc(2026, 1, 9, 16, 0)
    assert due.closes == utc(2026, 1, 9, 16, 30)


def test_a_time_missed_while_down_fires_late_once_within_its_window() -> None:
    schedule = daily("09:00", "UTC", closes="12:00")
    missed = schedule.missed(utc(2026, 1, 5, 8, 0), utc(2026, 1, 5, 10, 0))
    assert missed.late is not None
    assert missed.late.at == utc(2026, 1, 5, 9, 0)
    assert missed.skipped == ()
    assert missed.notes == ()


def test_a_time_missed_past_its_window_is_skipped_with_a_note() -> None:
    schedule = daily("09:00", "UTC", closes="12:00")
    missed = schedule.missed(utc(2026, 1, 5, 8, 0), utc(2026, 1, 5, 13, 0))
    assert missed.late is None
    assert [d.at for d in missed.skipped] == [utc(2026, 1, 5, 9, 0)]
    assert missed.notes == (
        "the daily question due 2026-01-05 09:00 UTC was missed while the bot was down and "
        "skipped: its window closed 12:00 UTC",
    )


def test_days_missed_while_down_fire_only_the_latest_still_open() -> None:
    schedule = daily("09:00", "UTC")
    missed = schedule.missed(utc(2026, 1, 5, 8, 0), utc(2026, 1, 8, 10, 0))
    assert missed.late is not None
    assert missed.late.at == utc(2026, 1, 8, 9, 0)
    assert [d.at.day for d in missed.skipped] == [5, 6, 7]
    assert all("a later one fires instead" in note for note in missed.notes)


def test_nothing_is_missed_before_the_first_due_time() -> None:
    missed = daily("09:00", "UTC").missed(utc(2026, 1, 5, 8, 0), utc(2026, 1, 5, 8, 59))
    assert missed.late is None
    assert missed.skipped == ()


def test_an_unknown_time_zone_names_the_setting_and_an_example() -> None:
    with pytest.raises(ScheduleError, match=r"unknown time zone 'Europe/Berln'.*Europe/Berlin"):
        daily("09:00", "Europe/Berln")
    with pytest.raises(ScheduleError, match=r"unknown --tz '\.\./etc'"):
        parse_zone("../etc", setting="--tz")


@pytest.mark.parametrize("text", ["25:00", "9", "09:60", "nine", "", "09:00:00"])
def test_a_bad_time_is_refused_with_the_format(text: str) -> None:
    with pytest.raises(ScheduleError, match=r"use HH:MM on a 24-hour clock"):
        parse_time(text)


def test_days_are_read_by_name_and_empty_days_are_refused() -> None:
    assert parse_days("Mon, friday") == frozenset({0, 4})
    assert days_text(parse_days("weekdays")) == "weekdays"
    assert days_text(parse_days("sat,sun")) == "sat,sun"
    assert days_text(parse_days("daily")) == "daily"
    with pytest.raises(ScheduleError, match="no days given"):
        parse_days(" , ")
    with pytest.raises(ScheduleError, match="unknown day 'fridays'"):
        parse_days("fridays")
    with pytest.raises(ScheduleError, match="no days given"):
        Schedule(
            server=SERVER,
            channel="c",
            kind=ScheduleKind.DAILY_QUESTION,
            at=time(9),
            zone="UTC",
            days=frozenset(),
        )


def test_a_window_closing_before_its_start_and_an_unknown_kind_are_refused() -> None:
    with pytest.raises(ScheduleError, match="must close after the schedule's time 09:00"):
        daily("09:00", "UTC", closes="08:00")
    with pytest.raises(ScheduleError, match="unknown kind 'hourly'"):
        parse_kind("hourly")
    assert parse_kind("Quiz") is ScheduleKind.WEEKLY_QUIZ


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        daily("09:00", "UTC").next_due(datetime(2026, 1, 5))


def test_quiz_options_are_checked_against_the_game_limits() -> None:
    assert parse_option(" Rounds = 15 ") == ("rounds", "15")
    assert parse_option("seconds=20") == ("seconds", "20")
    assert parse_option("mode=Choice") == ("mode", "choice")
    with pytest.raises(ScheduleError, match=r"rounds must be a whole number from 1 to 50"):
        parse_option("rounds=0")
    with pytest.raises(ScheduleError, match=r"seconds must be a number from 5 to 300"):
        parse_option("seconds=soon")
    with pytest.raises(ScheduleError, match=r"mode must be one of text, choice"):
        parse_option("mode=speed")
    with pytest.raises(ScheduleError, match=r"unknown option 'colour'"):
        parse_option("colour=red")
    with pytest.raises(ScheduleError, match=r"bad option 'rounds': use rounds=N"):
        parse_option("rounds")


def test_difficulty_is_one_of_the_banks() -> None:
    assert parse_difficulty("HARD") == "hard"
    with pytest.raises(ScheduleError, match="unknown difficulty 'brutal': use one of easy"):
        parse_difficulty("brutal")


def test_the_days_daylight_saving_moves_in_the_coming_year_are_listed() -> None:
    berlin = daily("02:30", "Europe/Berlin")
    [moved] = berlin.moved_ahead(utc(2026, 6, 1))
    assert moved.at == utc(2027, 3, 28, 1, 30)
    # Only on its days: the change falls on a Sunday.
    assert daily("02:30", "Europe/Berlin", "weekdays").moved_ahead(utc(2026, 6, 1)) == []
    assert daily("09:00", "Europe/Berlin").moved_ahead(utc(2026, 6, 1)) == []
