"""The daily store (``bot.ports.DailyStore``) on SQLite, PostgreSQL and the memory fake:
rounds kept with their question, one answer per player and round, a reveal claimed
once, streaks across days and the daily leaderboard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import pytest

from bot.domain.daily import DailyRound
from bot.domain.model import ChannelKey, Difficulty, PlayerKey, QuestionType, ServerKey
from bot.domain.records import DailyAnswer, DailyStreak
from bot.ports import DailyStore
from bot.storage.sql_store import SqlScoreStore
from tests.contract.conftest import BACKENDS
from tests.fake_daily import MemoryDailyStore
from tests.fakes import question

GUILD = ServerKey("discord", "guild-1")
CHANNEL = ChannelKey("discord", "guild-1", "general")
OTHER = ChannelKey("discord", "guild-1", "random")
TEAM_CHANNEL = ChannelKey("slack", "T0001", "C0001")
OPENS = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def ada(server: ServerKey = GUILD) -> PlayerKey:
    return PlayerKey(server.platform, server.server, "ada")


BOB = PlayerKey("discord", "guild-1", "bob")


def a_round(
    day: int = 0, *, channel: ChannelKey = CHANNEL, hours: int = 8, qid: str = "q1"
) -> DailyRound:
    opened = OPENS + day * DAY
    return DailyRound(
        id=0,
        schedule_id=7,
        channel=channel,
        question=replace(
            question(qid, "Mercury", aliases=("Hg",)),
            tags=("space",),
            hints=("hot",),
            difficulty=Difficulty.HARD,
        ),
        choices=(),
        opened_at=opened,
        closes_at=opened + timedelta(hours=hours),
    )


def answer(
    round_: DailyRound, player: PlayerKey, *, correct: bool = True, minutes: float = 5
) -> DailyAnswer:
    return DailyAnswer(
        round_id=round_.id,
        player=player,
        name=player.user.title(),
        guess="Mercury" if correct else "Venus",
        correct=correct,
        points=30 if correct else 0,
        at=round_.opened_at + timedelta(minutes=minutes),
    )


class Dailies(DailyStore, Protocol):
    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class DailyBackend:
    name: str
    open: Callable[[], Awaitable[Dailies]]


@pytest.fixture(params=["sqlite", "postgres", "memory"])
def daily_backend(request: pytest.FixtureRequest, tmp_path: Path) -> DailyBackend:
    if request.param == "memory":
        # Every open is a handle on the same data, as opening one database again is.
        data = MemoryDailyStore()

        async def open_memory() -> Dailies:
            return data

        return DailyBackend("memory", open_memory)
    backend = BACKENDS[request.param](request, tmp_path)

    async def open_store() -> Dailies:
        store = await backend.open()
        assert isinstance(store, SqlScoreStore)
        return store

    return DailyBackend(backend.name, open_store)


@pytest.fixture
async def daily(daily_backend: DailyBackend) -> AsyncIterator[Dailies]:
    store = await daily_backend.open()
    try:
        yield store
    finally:
        await store.close()


async def test_a_round_comes_back_with_its_question_whole_and_its_message(
    daily: Dailies,
) -> None:
    choice = replace(
        a_round(),
        question=question("q2", "Mars", type=QuestionType.CHOICE, choices=("Venus", "Mars")),
        choices=("Venus", "Mars"),
    )
    first = await daily.open_daily_round(a_round())
    second = await daily.open_daily_round(choice)
    assert first.id != second.id
    assert first == replace(a_round(), id=first.id)
    assert await daily.daily_round(first.id) == first
    assert await daily.daily_round(second.id) == replace(choice, id=second.id)
    await daily.note_daily_message(first.id, "msg-123")
    noted = await daily.daily_round(first.id)
    assert noted is not None
    assert noted.message_ref == "msg-123"
    assert await daily.daily_round(second.id + 100) is None


async def test_a_round_that_closes_before_it_opens_is_refused(daily: Dailies) -> None:
    bad = replace(a_round(), closes_at=OPENS - timedelta(seconds=1))
    with pytest.raises(ValueError, match="close after it opens"):
        await daily.open_daily_round(bad)


async def test_open_rounds_are_those_of_the_server_and_channel_still_in_their_window(
    daily: Dailies,
) -> None:
    general = await daily.open_daily_round(a_round())
    random_ = await daily.open_daily_round(a_round(channel=OTHER, hours=2))
    await daily.open_daily_round(a_round(channel=TEAM_CHANNEL))
    now = OPENS + timedelta(hours=1)
    assert await daily.open_daily_rounds(GUILD, now=now) == [random_, general]
    assert await daily.open_daily_rounds(GUILD, now=now, channel=CHANNEL) == [general]
    later = OPENS + timedelta(hours=2)
    assert await daily.open_daily_rounds(GUILD, now=later) == [general]
    assert await daily.open_daily_rounds(GUILD, now=later, channel=TEAM_CHANNEL) == []
    assert await daily.mark_daily_revealed(general.id)
    assert await daily.open_daily_rounds(GUILD, now=now) == [random_]


async def test_rounds_fall_due_at_their_close_and_are_revealed_once(daily: Dailies) -> None:
    assert await daily.next_daily_close() is None
    long = await daily.open_daily_round(a_round(hours=8))
    short = await daily.open_daily_round(a_round(channel=OTHER, hours=2))
    assert await daily.next_daily_close() == short.closes_at
    assert await daily.daily_rounds_due(OPENS + timedelta(hours=1)) == []
    assert await daily.daily_rounds_due(short.closes_at) == [short]
    assert await daily.daily_rounds_due(long.closes_at) == [short, long]
    assert await daily.mark_daily_revealed(short.id)
    assert not await daily.mark_daily_revealed(short.id)
    assert await daily.daily_rounds_due(long.closes_at) == [long]
    assert await daily.next_daily_close() == long.closes_at
    revealed = await daily.daily_round(short.id)
    assert revealed is not None
    assert revealed.revealed


async def test_an_answer_is_kept_once_per_player_and_round(daily: Dailies) -> None:
    round_ = await daily.open_daily_round(a_round())
    first = answer(round_, ada(), correct=False, minutes=3)
    assert await daily.record_daily_answer(first)
    assert not await daily.record_daily_answer(answer(round_, ada(), minutes=4))
    assert await daily.record_daily_answer(answer(round_, BOB, minutes=1))
    assert await daily.daily_answer(round_.id, ada()) == first
    assert await daily.daily_answer(round_.id, PlayerKey("discord", "guild-1", "cy")) is None
    assert [a.player for a in await daily.daily_answers(round_.id)] == [BOB, ada()]


async def test_no_answer_is_kept_after_the_reveal_or_from_another_server(
    daily: Dailies,
) -> None:
    round_ = await daily.open_daily_round(a_round())
    stranger = ada(ServerKey("slack", "T0001"))
    assert not await daily.record_daily_answer(answer(round_, stranger))
    assert await daily.mark_daily_revealed(round_.id)
    assert not await daily.record_daily_answer(answer(round_, ada()))
    assert await daily.daily_answers(round_.id) == []


async def test_a_round_and_its_answers_outlive_the_store(daily_backend: DailyBackend) -> None:
    store = await daily_backend.open()
    round_ = await store.open_daily_round(a_round())
    assert await store.record_daily_answer(answer(round_, ada()))
    await store.close()

    again = await daily_backend.open()
    try:
        assert not await again.record_daily_answer(answer(round_, ada(), minutes=9))
        assert await again.daily_rounds_due(round_.closes_at) == [round_]
        assert await again.mark_daily_revealed(round_.id)
    finally:
        await again.close()


async def test_two_stores_racing_one_answer_keep_one_and_one_reveal_wins(
    daily_backend: DailyBackend,
) -> None:
    first, second = await daily_backend.open(), await daily_backend.open()
    try:
        for day in range(4):
            round_ = await first.open_daily_round(a_round(day))
            kept = await asyncio.gather(
                first.record_daily_answer(answer(round_, ada(), minutes=1)),
                second.record_daily_answer(answer(round_, ada(), correct=False, minutes=2)),
                first.record_daily_answer(answer(round_, ada(), minutes=3)),
                second.record_daily_answer(answer(round_, ada(), minutes=4)),
            )
            assert sorted(kept) == [False, False, False, True], day
            assert len(await second.daily_answers(round_.id)) == 1
            won = await asyncio.gather(
                first.mark_daily_revealed(round_.id),
                second.mark_daily_revealed(round_.id),
                first.mark_daily_revealed(round_.id),
                second.mark_daily_revealed(round_.id),
            )
            assert sorted(won) == [False, False, False, True], day
    finally:
        await first.close()
        await second.close()


async def test_a_streak_grows_over_three_days_and_breaks_on_a_missed_fourth(
    daily: Dailies,
) -> None:
    for day in range(3):
        round_ = await daily.open_daily_round(a_round(day))
        assert await daily.record_daily_answer(answer(round_, ada()))
        during = round_.opened_at + timedelta(hours=1)
        assert await daily.daily_streak(ada(), now=during) == DailyStreak(day + 1, day + 1)
    fourth = await daily.open_daily_round(a_round(3))
    # Open and not answered yet: the streak stands until the window closes.
    assert await daily.daily_streak(ada(), now=fourth.opened_at) == DailyStreak(3, 3)
    assert await daily.daily_streak(ada(), now=fourth.closes_at) == DailyStreak(0, 3)
    assert await daily.daily_streak(BOB, now=fourth.closes_at) == DailyStreak(0, 0)
    fifth = await daily.open_daily_round(a_round(4))
    assert await daily.record_daily_answer(answer(fifth, ada()))
    assert await daily.daily_streak(ada(), now=fifth.closes_at) == DailyStreak(1, 3)


async def test_a_streak_as_of_a_past_close_leaves_out_the_rounds_opened_after_it(
    daily: Dailies,
) -> None:
    # A reveal shown late (after a restart) names each winner's streak as of its close.
    first = await daily.open_daily_round(a_round(0))
    assert await daily.record_daily_answer(answer(first, ada()))
    second = await daily.open_daily_round(a_round(1))
    assert second.opened_at > first.closes_at
    assert await daily.record_daily_answer(answer(second, ada(), correct=False))
    assert await daily.daily_streak(ada(), now=first.closes_at) == DailyStreak(1, 1)
    assert await daily.daily_streak(ada(), now=second.closes_at) == DailyStreak(0, 1)


async def test_a_wrong_answer_breaks_the_streak_at_once_and_servers_keep_their_own(
    daily: Dailies,
) -> None:
    first = await daily.open_daily_round(a_round(0))
    assert await daily.record_daily_answer(answer(first, ada()))
    elsewhere = await daily.open_daily_round(a_round(1, channel=TEAM_CHANNEL))
    slack_ada = ada(ServerKey("slack", "T0001"))
    assert await daily.record_daily_answer(answer(elsewhere, slack_ada, correct=False))
    second = await daily.open_daily_round(a_round(1))
    assert await daily.record_daily_answer(answer(second, ada(), correct=False))
    now = second.opened_at + timedelta(minutes=10)
    assert await daily.daily_streak(ada(), now=now) == DailyStreak(0, 1)
    # Two schedules in one server: both days' rounds count, in the order they opened.
    third = await daily.open_daily_round(a_round(2))
    also = await daily.open_daily_round(a_round(2, channel=OTHER))
    assert await daily.record_daily_answer(answer(third, ada()))
    assert await daily.record_daily_answer(answer(also, ada()))
    assert await daily.daily_streak(ada(), now=also.closes_at) == DailyStreak(2, 2)


async def test_the_daily_leaderboard_sums_right_answers_between_two_instants(
    daily: Dailies,
) -> None:
    cy = PlayerKey("discord", "guild-1", "cy")
    rounds = [await daily.open_daily_round(a_round(day)) for day in range(3)]
    assert await daily.record_daily_answer(answer(rounds[0], ada()))
    assert await daily.record_daily_answer(answer(rounds[0], BOB, minutes=1))
    assert await daily.record_daily_answer(answer(rounds[1], BOB, minutes=1))
    assert await daily.record_daily_answer(answer(rounds[1], cy, correct=False))
    assert await daily.record_daily_answer(answer(rounds[2], ada()))
    renamed = replace(answer(rounds[2], BOB, minutes=9), name="Robert")
    assert await daily.record_daily_answer(renamed)

    board = await daily.daily_leaderboard(GUILD, since=OPENS, until=OPENS + 3 * DAY)
    assert [(r.rank, r.player, r.name, r.points, r.correct) for r in board] == [
        (1, BOB, "Robert", 90, 3),
        (2, ada(), "Ada", 60, 2),
    ]
    first_day = await daily.daily_leaderboard(GUILD, since=OPENS, until=OPENS + DAY)
    # Equal points: whoever got there first ranks first.
    assert [r.player for r in first_day] == [BOB, ada()]
    assert [
        r.player
        for r in await daily.daily_leaderboard(GUILD, since=OPENS, until=OPENS + 3 * DAY, limit=1)
    ] == [BOB]
    assert (
        await daily.daily_leaderboard(
            ServerKey("slack", "T0001"), since=OPENS, until=OPENS + 3 * DAY
        )
        == []
    )
