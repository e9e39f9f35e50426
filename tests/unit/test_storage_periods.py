"""Period bucketing shared by every score store: UTC days, weeks from Monday."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.domain.records import Period
from bot.storage.periods import (
    KIND_ALL,
    KIND_DAY,
    KIND_WEEK,
    day_to_date,
    epoch_day,
    from_epoch_us,
    period_key,
    to_epoch_us,
    week_start_day,
)


def day_of(at: datetime) -> int:
    return epoch_day(to_epoch_us(at))


@pytest.mark.parametrize(
    ("moment", "monday"),
    [
        (datetime(2024, 5, 13, 0, 0, tzinfo=UTC), date(2024, 5, 13)),  # Monday itself
        (datetime(2024, 5, 19, 23, 59, 59, tzinfo=UTC), date(2024, 5, 13)),  # its Sunday
        (datetime(2024, 5, 20, 0, 0, tzinfo=UTC), date(2024, 5, 20)),  # the next Monday
        (datetime(1970, 1, 1, tzinfo=UTC), date(1969, 12, 29)),  # the epoch was a Thursday
        (datetime(1969, 12, 28, 12, tzinfo=UTC), date(1969, 12, 22)),  # before the epoch
        (datetime(2025, 1, 1, tzinfo=UTC), date(2024, 12, 30)),  # weeks span new year
    ],
)
def test_a_week_starts_on_the_monday_before_or_on_the_day(moment: datetime, monday: date) -> None:
    assert day_to_date(week_start_day(day_of(moment))) == monday


def test_days_are_counted_in_utc() -> None:
    tokyo = timezone(timedelta(hours=9))

    assert day_to_date(day_of(datetime(2024, 5, 15, 8, tzinfo=tokyo))) == date(2024, 5, 14)
    assert day_to_date(day_of(datetime(2024, 5, 15, 9, tzinfo=tokyo))) == date(2024, 5, 15)


def test_period_keys_name_the_kind_and_first_day() -> None:
    now = datetime(2024, 5, 15, 12, tzinfo=UTC)

    assert period_key(Period.ALL, now) == (KIND_ALL, 0)
    assert period_key(Period.WEEK, now) == (KIND_WEEK, day_of(datetime(2024, 5, 13, tzinfo=UTC)))
    assert period_key(Period.TODAY, now) == (KIND_DAY, day_of(now))


def test_epoch_microseconds_round_trip_exactly() -> None:
    moment = datetime(2024, 5, 15, 12, 34, 56, 789012, tzinfo=UTC)

    assert from_epoch_us(to_epoch_us(moment)) == moment


def test_a_naive_datetime_has_no_period() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        period_key(Period.TODAY, datetime(2024, 5, 15, 12))
