"""How a schedule is told to admins, the same on the command line and in chat.

``trivia-bot schedule`` and the service's schedule desk (``/trivia schedule`` on Discord
and Slack, the console) say the same things with these words: what a schedule is, when it
next runs in its own zone, and which days daylight saving moves it on.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.schedule import DEFAULT_QUIZ_GRACE, Schedule, ScheduleKind, days_text


def describe(item: Schedule) -> str:
    """One line: what it is, where, when, its window, its questions (and a quiz's reminder)."""
    return (
        f"{item.kind.label} in {item.channel} at {item.at:%H:%M} {item.zone} "
        f"({days_text(item.days)}), {details(item)}"
    )


def window(item: Schedule) -> str:
    if item.kind is ScheduleKind.DAILY_QUESTION:
        return f"open until {item.closes:%H:%M}" if item.closes else "open until midnight"
    if item.closes:
        return f"may start late until {item.closes:%H:%M}"
    return f"may start {DEFAULT_QUIZ_GRACE.seconds // 60} min late"


def questions(item: Schedule) -> str:
    """Which questions it asks: its category, difficulty and game options, or "any"."""
    parts = [part for part in (item.category, item.difficulty) if part]
    parts += [f"{key}={value}" for key, value in item.options]
    return ", ".join(parts) or "any"


def details(item: Schedule) -> str:
    """What follows a schedule's days in every listing: its window, its questions when
    chosen, and a quiz's reminder ("open until 17:00, Science, hard")."""
    text = window(item)
    asked = questions(item)
    text += f", {asked}" if asked != "any" else ""
    return text + (f", {reminder(item)}" if item.kind is ScheduleKind.WEEKLY_QUIZ else "")


def reminder(item: Schedule) -> str:
    return f"reminder {item.remind} min before" if item.reminds else "no reminder"


def local_time(at: datetime, item: Schedule) -> str:
    """``at`` in the schedule's own zone: "Fri 2026-12-11 16:00 CET"."""
    return f"{at.astimezone(ZoneInfo(item.zone)):%a %Y-%m-%d %H:%M %Z}"


def added(item: Schedule, now: datetime) -> tuple[str, tuple[str, ...]]:
    """What adding ``item`` (stored, with its id) says, and its notes: the coming year's
    days daylight saving moves it on."""
    nxt = item.next_occurrence(now)
    said = f"Added schedule {item.id}: {describe(item)}. Next: {local_time(nxt.at, item)}."
    return said, tuple(f"Note: {moved.note}." for moved in item.moved_ahead(now))
