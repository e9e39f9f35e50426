"""Season leaderboards on every backend: a month's or a quarter's points, summed from the
per-UTC-day totals the stores already keep (nothing more is written per answer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.daily import Season, SeasonLength
from bot.ports import ScoreStore

from .test_score_store import GUILD, OTHER_GUILD, answer, player

NOVEMBER = Season(2026, 11, SeasonLength.MONTHLY)
Q4 = Season(2026, 10, SeasonLength.QUARTERLY)
LAST_OF_OCTOBER = datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)
FIRST_OF_NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)
FIRST_OF_DECEMBER = datetime(2026, 12, 1, tzinfo=UTC)


async def board(store: ScoreStore, season: Season, **kwargs: object) -> list[tuple[str, int]]:
    rows = await store.season_leaderboard(GUILD, season, **kwargs)  # type: ignore[arg-type]
    return [(row.player.user, row.points) for row in rows]


async def test_a_months_board_sums_its_days_and_only_its_days(store: ScoreStore) -> None:
    ada, bob = player("ada"), player("bob")
    await store.record_answers(
        [
            answer(ada, points=5, at=LAST_OF_OCTOBER),  # the season before
            answer(ada, points=2, at=FIRST_OF_NOVEMBER),  # its first instant
            answer(ada, points=2, at=FIRST_OF_NOVEMBER + timedelta(days=14)),
            answer(bob, points=3, at=FIRST_OF_DECEMBER - timedelta(microseconds=1)),
            answer(bob, points=9, at=FIRST_OF_DECEMBER),  # the season after
            answer(player("cy", OTHER_GUILD), points=50, at=FIRST_OF_NOVEMBER),
        ]
    )
    assert await board(store, NOVEMBER) == [("ada", 4), ("bob", 3)]
    assert await board(store, NOVEMBER.previous) == [("ada", 5)]
    assert await board(store, NOVEMBER.next) == [("bob", 9)]
    # A quarter is its three months together.
    assert await board(store, Q4) == [("bob", 12), ("ada", 9)]


async def test_a_seasons_board_ranks_by_points_then_correct_and_keeps_the_top(
    store: ScoreStore,
) -> None:
    day = FIRST_OF_NOVEMBER + timedelta(hours=12)
    await store.record_answers(
        [
            answer(player("ada"), points=3, at=day),
            answer(player("bob"), points=2, at=day),
            answer(player("bob"), points=1, at=day + timedelta(days=1)),
            answer(player("cy"), points=1, at=day),
            answer(player("dee"), correct=False, at=day),  # only missed: not on it
        ]
    )
    rows = await store.season_leaderboard(GUILD, NOVEMBER)
    assert [(row.rank, row.player.user, row.points, row.correct) for row in rows] == [
        (1, "bob", 3, 2),
        (2, "ada", 3, 1),
        (3, "cy", 1, 1),
    ]
    assert await board(store, NOVEMBER, limit=1) == [("bob", 3)]
    assert await store.season_leaderboard(GUILD, NOVEMBER, limit=0) == []
    assert await store.season_leaderboard(OTHER_GUILD, NOVEMBER) == []
