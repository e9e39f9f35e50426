"""Schedules: a daily question or a weekly quiz that comes to a channel on its own (issue #17).

Pure: no clock, no I/O.  Every instant is passed in and comes back as an aware UTC
``datetime``; a schedule's own times are local wall-clock times in its IANA time zone
(``zoneinfo``), so they follow that zone's daylight-saving changes:

- a local time that does not exist on a day (clocks go forward through it) fires at
  the same wall-clock distance after the gap instead (02:30 becomes 03:30 in Europe on
  the last Sunday of March), and the occurrence says so in ``Due.note``;
- a local time that happens twice (clocks go back) fires once, at its first moment.

A due time missed while the bot was down (``Schedule.missed``) fires late once, the
latest one, if its window is still open; every other missed one is skipped with a note.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.model import Difficulty, GameMode, Limits, ServerKey

DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES_LONG: Final = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
EVERY_DAY: Final = frozenset(range(7))
WEEKDAYS: Final = frozenset(range(5))
#: How long after its time a weekly quiz may still start late when none is set.
DEFAULT_QUIZ_GRACE: Final = timedelta(minutes=30)
#: How many minutes before a weekly quiz its reminder is posted when none is set.
DEFAULT_REMIND: Final = 10
#: The longest a reminder may come before its quiz, in minutes (a day).
MAX_REMIND: Final = 24 * 60
#: How far ``next_due`` looks: a week and a day covers any set of days, DST included.
_SEARCH_DAYS: Final = 9

_TIME = re.compile(r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})$")


class ScheduleError(ValueError):
    """A schedule's setting that cannot be used; the message names the setting."""


class ScheduleKind(enum.Enum):
    DAILY_QUESTION = "daily"
    WEEKLY_QUIZ = "quiz"

    @property
    def label(self) -> str:
        return "daily question" if self is ScheduleKind.DAILY_QUESTION else "weekly quiz"


def parse_kind(text: str) -> ScheduleKind:
    for kind in ScheduleKind:
        if text.strip().lower() == kind.value:
            return kind
    raise ScheduleError(f"unknown kind {text!r}: use 'daily' (a daily question) or 'quiz'")


def parse_zone(name: str, *, setting: str = "time zone") -> ZoneInfo:
    """The IANA zone ``name``; a clear refusal naming ``setting`` otherwise."""
    example = "use an IANA name such as Europe/Berlin, America/New_York or UTC"
    if not name.strip() or name.strip() != name or ".." in name or name.startswith("/"):
        raise ScheduleError(f"unknown {setting} {name!r}: {example}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"unknown {setting} {name!r}: {example}") from exc


def parse_time(text: str, *, setting: str = "time") -> time:
    """``HH:MM`` on a 24-hour clock."""
    match = _TIME.match(text.strip())
    hour = int(match["hour"]) if match else -1
    minute = int(match["minute"]) if match else -1
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ScheduleError(f"bad {setting} {text!r}: use HH:MM on a 24-hour clock, like 09:30")
    return time(hour, minute)


def parse_days(text: str) -> frozenset[int]:
    """``daily``, ``weekdays``, ``weekends`` or names like ``mon,wed,fri`` (0 is Monday)."""
    words = [word.strip().lower() for word in text.split(",") if word.strip()]
    if not words:
        raise ScheduleError("no days given: name at least one, like 'mon,wed,fri' or 'daily'")
    days: set[int] = set()
    for word in words:
        if word in ("daily", "every day"):
            days |= EVERY_DAY
        elif word == "weekdays":
            days |= WEEKDAYS
        elif word == "weekends":
            days |= {5, 6}
        elif word[:3] in DAY_NAMES and DAY_NAMES_LONG[DAY_NAMES.index(word[:3])].startswith(word):
            days.add(DAY_NAMES.index(word[:3]))
        else:
            raise ScheduleError(
                f"unknown day {word!r} in {text!r}: use mon, tue, wed, thu, fri, sat, sun, "
                "weekdays, weekends or daily"
            )
    return frozenset(days)


def parse_difficulty(text: str) -> str:
    try:
        return Difficulty(text.strip().lower()).value
    except ValueError:
        names = ", ".join(d.value for d in Difficulty)
        raise ScheduleError(f"unknown difficulty {text!r}: use one of {names}") from None


_LIMITS: Final = Limits()
#: The game options a schedule may set, and what each takes.
OPTION_HELP: Final = "rounds=N, seconds=N or mode=text|choice"


def parse_option(text: str, limits: Limits = _LIMITS) -> tuple[str, str]:
    """``key=value`` of a game option a schedule sets (``OPTION_HELP``), checked."""
    key, sep, value = (part.strip() for part in text.partition("="))
    key = key.lower()
    if not sep or not value:
        raise ScheduleError(f"bad option {text!r}: use {OPTION_HELP}")
    if key == "rounds":
        if not value.isdigit() or not limits.min_rounds <= int(value) <= limits.max_rounds:
            raise ScheduleError(
                f"rounds must be a whole number from {limits.min_rounds} to {limits.max_rounds}, "
                f"got {value!r}"
            )
        return key, str(int(value))
    if key == "seconds":
        try:
            seconds = float(value)
        except ValueError:
            seconds = -1.0
        if not limits.min_seconds <= seconds <= limits.max_seconds:
            raise ScheduleError(
                f"seconds must be a number from {limits.min_seconds:g} to "
                f"{limits.max_seconds:g}, got {value!r}"
            )
        return key, f"{seconds:g}"
    if key == "mode":
        modes = [mode.value for mode in GameMode]
        if value.lower() not in modes:
            raise ScheduleError(f"mode must be one of {', '.join(modes)}, got {value!r}")
        return key, value.lower()
    raise ScheduleError(f"unknown option {key!r}: use {OPTION_HELP}")


def parse_remind(text: str) -> int:
    """Minutes before a weekly quiz to post its reminder: a whole number, 0 for none."""
    value = text.strip()
    if not value.isdigit() or int(value) > MAX_REMIND:
        raise ScheduleError(
            f"remind must be a whole number of minutes from 0 (no reminder) to {MAX_REMIND}, "
            f"got {text!r}"
        )
    return int(value)


def days_text(days: Iterable[int]) -> str:
    chosen = frozenset(days)
    if chosen == EVERY_DAY:
        return "daily"
    if chosen == WEEKDAYS:
        return "weekdays"
    return ",".join(DAY_NAMES[day] for day in sorted(chosen))


@dataclass(frozen=True, slots=True)
class Due:
    """One occurrence of a schedule: ``at`` in UTC, and a note when DST moved it."""

    at: datetime
    closes: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class Missed:
    """What to do about the due times missed between two instants: fire ``late`` (at most
    one), skip ``skipped``, each with its reason in ``notes``."""

    late: Due | None
    skipped: tuple[Due, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Schedule:
    """A daily question or a weekly quiz for one channel.

    ``closes``: the local time the daily question's window closes (None: at the end of
    its day), or the last local time a weekly quiz may still start late (None:
    ``DEFAULT_QUIZ_GRACE`` after its time).  ``created``: when it was added (nothing due
    before then was missed).  ``remind``: how many minutes before each of its times a
    weekly quiz is announced (0: not at all; a daily question has no reminder).
    ``id`` is the store's, None until stored.
    """

    server: ServerKey
    channel: str
    kind: ScheduleKind
    at: time
    zone: str
    days: frozenset[int]
    closes: time | None = None
    category: str | None = None
    difficulty: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    paused: bool = False
    created: datetime | None = None
    id: int | None = None
    remind: int = DEFAULT_REMIND
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.channel.strip():
            raise ScheduleError("no channel given: name the channel the schedule posts to")
        object.__setattr__(self, "_tz", parse_zone(self.zone))
        # One order for options, so equal schedules compare equal however they were given.
        object.__setattr__(self, "options", tuple(sorted(dict(self.options).items())))
        if not self.days:
            raise ScheduleError("no days given: name at least one, like 'mon,wed,fri' or 'daily'")
        if not self.days <= EVERY_DAY:
            raise ScheduleError(f"days must be 0 (Monday) to 6 (Sunday), got {sorted(self.days)}")
        if self.at.tzinfo is not None or self.at.second or self.at.microsecond:
            raise ScheduleError("the time must be a local HH:MM, without a zone or seconds")
        if self.created is not None:
            _aware(self.created, "created")
        if not 0 <= self.remind <= MAX_REMIND:
            raise ScheduleError(
                f"remind must be from 0 (no reminder) to {MAX_REMIND} minutes, got {self.remind}"
            )
        if self.closes is not None and self.closes <= self.at:
            raise ScheduleError(
                f"the window must close after the schedule's time {self.at:%H:%M} on the same "
                f"day, got {self.closes:%H:%M}"
            )

    @property
    def option_map(self) -> Mapping[str, str]:
        return dict(self.options)

    @property
    def reminds(self) -> bool:
        """Whether each of its times is announced beforehand (a weekly quiz's reminder)."""
        return self.kind is ScheduleKind.WEEKLY_QUIZ and self.remind > 0

    def reminder_due(self, now: datetime) -> Due | None:
        """The occurrence whose reminder is due at ``now``: the next one after ``now``
        if its reminder time has come (None: not yet, or it has no reminder)."""
        if not self.reminds:
            return None
        due = self.next_occurrence(now)
        return due if due.at - timedelta(minutes=self.remind) <= now else None

    def next_reminder(self, now: datetime) -> datetime | None:
        """When the next reminder not yet due at ``now`` is (None: it has none)."""
        if not self.reminds:
            return None
        lead = timedelta(minutes=self.remind)
        due = self.next_occurrence(now)
        while due.at - lead <= now:
            due = self.next_occurrence(due.at)
        return due.at - lead

    def occurrence(self, day: date) -> Due:
        """The occurrence on local date ``day`` (whether or not ``day`` is one of its days)."""
        wanted = datetime.combine(day, self.at)
        local = wanted.replace(tzinfo=self._tz)  # fold=0: the first of a repeated time
        at = local.astimezone(UTC)
        note = ""
        if at.astimezone(self._tz).replace(tzinfo=None) != wanted:
            # In a gap: fold=0 reads the time with the offset from before the change,
            # which lands as far after the gap as the time was into it.
            moved = at.astimezone(self._tz)
            note = (
                f"{self.at:%H:%M} does not exist on {day.isoformat()} in {self.zone} "
                f"(clocks go forward): the {self.kind.label} runs at {moved:%H:%M} instead"
            )
        return Due(at=at, closes=self._closes(day, at), note=note)

    def _closes(self, day: date, at: datetime) -> datetime:
        if self.closes is not None:
            closes = datetime.combine(day, self.closes).replace(tzinfo=self._tz).astimezone(UTC)
        elif self.kind is ScheduleKind.DAILY_QUESTION:
            next_day = datetime.combine(day + timedelta(days=1), time(0))
            closes = next_day.replace(tzinfo=self._tz).astimezone(UTC)
        else:
            closes = at + DEFAULT_QUIZ_GRACE
        # A closing time that DST moved onto or before the start leaves no window.
        return max(closes, at)

    def _occurrences_from(self, first_day: date) -> Iterator[Due]:
        day = first_day
        while True:
            if day.weekday() in self.days:
                yield self.occurrence(day)
            day += timedelta(days=1)

    def next_occurrence(self, after: datetime) -> Due:
        """The first occurrence strictly after ``after`` (aware)."""
        start = _aware(after, "after").astimezone(self._tz).date() - timedelta(days=1)
        for _, due in zip(range(_SEARCH_DAYS), self._occurrences_from(start), strict=False):
            if due.at > after:
                return due
        raise AssertionError("a schedule with days always has an occurrence within a week")

    def next_due(self, after: datetime) -> datetime:
        """When the schedule is next due strictly after ``after``, in UTC."""
        return self.next_occurrence(after).at

    def due_between(self, since: datetime, until: datetime) -> Iterator[Due]:
        """The occurrences in (``since``, ``until``], oldest first."""
        since, until = _aware(since, "since"), _aware(until, "until")
        due = self.next_occurrence(since)
        while due.at <= until:
            yield due
            due = self.next_occurrence(due.at)

    def moved_ahead(
        self, after: datetime, *, horizon: timedelta = timedelta(days=366)
    ) -> list[Due]:
        """The occurrences within ``horizon`` after ``after`` that DST moves (each with
        its note): what an admin is told when adding the schedule."""
        return [due for due in self.due_between(after, after + horizon) if due.note]

    def missed(self, since: datetime, now: datetime) -> Missed:
        """Due times in (``since``, ``now``] that were not fired: the latest fires late if
        its window is still open at ``now``; the others are skipped, each with a note."""
        dues = list(self.due_between(since, now))
        late = dues[-1] if dues and now < dues[-1].closes else None
        skipped = tuple(due for due in dues if due is not late)
        notes = tuple(
            f"the {self.kind.label} due {due.at:%Y-%m-%d %H:%M} UTC was missed while the bot "
            f"was down and skipped: "
            + ("a later one fires instead" if late else f"its window closed {due.closes:%H:%M} UTC")
            for due in skipped
        )
        return Missed(late=late, skipped=skipped, notes=notes)


def _aware(instant: datetime, name: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {instant!r}")
    return instant
