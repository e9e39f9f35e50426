"""Leaderboard periods as storage keys: which UTC day and which week a moment falls in.

Every backend keeps its totals per ``(server, kind, start, player)``; this module
decides ``kind`` and ``start`` so that SQLite and PostgreSQL bucket the same
answer into the same periods.  Days are UTC days; weeks start on Monday, UTC
(ISO 8601 weeks).  ``start`` is the number of days from 1970-01-01 to the first
day of the period (0 for all time): plain integer arithmetic on the answer's
epoch microseconds, with no calendar objects on the write path.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final

from bot.domain.daily import Season
from bot.domain.records import Period

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND: Final = timedelta(microseconds=1)

DAY_US: Final = 86_400_000_000

#: How each period is stored: a small int, because the totals' primary key and
#: ranking index are compared on every write and integers compare fastest.
KIND_ALL: Final = 0
KIND_WEEK: Final = 1
KIND_DAY: Final = 2
PERIOD_KINDS: Final[dict[Period, int]] = {
    Period.ALL: KIND_ALL,
    Period.WEEK: KIND_WEEK,
    Period.TODAY: KIND_DAY,
}


def require_aware(at: datetime, *, what: str = "datetime") -> datetime:
    """Return ``at`` or raise ``ValueError`` if it has no timezone.

    A naive datetime has no defined UTC day, so storing one would put points in
    the wrong period on any machine whose local time is not UTC.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {at.isoformat()}")
    return at


def to_epoch_us(at: datetime) -> int:
    """Microseconds since the Unix epoch, for an aware datetime."""
    return (require_aware(at) - EPOCH) // MICROSECOND


def from_epoch_us(us: int) -> datetime:
    """The aware UTC datetime ``to_epoch_us`` came from."""
    return EPOCH + us * MICROSECOND


def epoch_day(at_us: int) -> int:
    """The UTC day, as days since 1970-01-01, that ``at_us`` falls on."""
    return at_us // DAY_US


def week_start_day(day: int) -> int:
    """The Monday that starts the week of ``day`` (both in days since 1970-01-01).

    1970-01-01 was a Thursday, weekday 3 counting from Monday = 0.
    """
    return day - (day + 3) % 7


def day_to_date(day: int) -> date:
    """The calendar date of a day number (for people reading the database)."""
    return EPOCH.date() + timedelta(days=day)


def period_start(period: Period, at: datetime) -> int:
    """The storage ``start`` of the ``period`` containing ``at``: 0 for all time,
    else the day number of the period's first day (a Monday for weeks)."""
    day = epoch_day(to_epoch_us(at))
    if period is Period.ALL:
        return 0
    if period is Period.WEEK:
        return week_start_day(day)
    return day


def period_key(period: Period, at: datetime) -> tuple[int, int]:
    """``(kind, start)`` of the ``period`` containing ``at``."""
    return PERIOD_KINDS[period], period_start(period, at)


def season_days(season: Season) -> tuple[int, int]:
    """The day numbers of ``season``'s first day and of the day after its last: its
    board sums the ``KIND_DAY`` totals in between."""
    return epoch_day(to_epoch_us(season.starts)), epoch_day(to_epoch_us(season.ends))
