"""The schedule store (``bot.ports.ScheduleStore``) on SQLite and PostgreSQL: schedules
kept per server, and each due time claimed once, across stores and restarts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Protocol

import pytest

from bot.domain.model import ServerKey
from bot.domain.schedule import Schedule, ScheduleKind, parse_days
from bot.ports import ScheduleStore
from bot.storage.sql_store import SqlScoreStore
from tests.contract.conftest import BACKENDS
from tests.fake_schedules import MemoryScheduleStore

GUILD = ServerKey("discord", "guild-1")
TEAM = ServerKey("slack", "T0001")
DUE = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


def daily(server: ServerKey = GUILD, channel: str = "general") -> Schedule:
    return Schedule(
        server=server,
        channel=channel,
        kind=ScheduleKind.DAILY_QUESTION,
        at=time(9, 0),
        zone="Europe/Berlin",
        days=parse_days("weekdays"),
        closes=time(17, 30),
        category="science",
        difficulty="easy",
        created=DUE - timedelta(days=30),
    )


def quiz(server: ServerKey = GUILD) -> Schedule:
    return Schedule(
        server=server,
        channel="quiz",
        kind=ScheduleKind.WEEKLY_QUIZ,
        at=time(16, 0),
        zone="America/New_York",
        days=parse_days("fri"),
        options=(("questions", "10"), ("mode", "choice")),
        created=DUE - timedelta(days=30, microseconds=1),
    )


class Schedules(ScheduleStore, Protocol):
    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ScheduleBackend:
    name: str
    open: Callable[[], Awaitable[Schedules]]


def memory_backend() -> ScheduleBackend:
    """``tests.fake_schedules.MemoryScheduleStore``, the firing loop's double: every open
    is a handle on the same data, as opening one database again would be."""
    data = MemoryScheduleStore()

    async def open_store() -> Schedules:
        return data

    return ScheduleBackend("memory", open_store)


@pytest.fixture(params=["sqlite", "postgres", "memory"])
def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> ScheduleBackend:
    if request.param == "memory":
        return memory_backend()
    backend = BACKENDS[request.param](request, tmp_path)

    async def open_store() -> Schedules:
        store = await backend.open()
        assert isinstance(store, SqlScoreStore)
        return store

    return ScheduleBackend(backend.name, open_store)


async def opened(backend: ScheduleBackend) -> Schedules:
    return await backend.open()


@pytest.fixture
async def schedules(sql_backend: ScheduleBackend) -> AsyncIterator[Schedules]:
    store = await opened(sql_backend)
    try:
        yield store
    finally:
        await store.close()


async def test_a_schedule_comes_back_as_it_was_added_with_its_id(
    schedules: Schedules,
) -> None:
    first = await schedules.add_schedule(daily())
    second = await schedules.add_schedule(quiz())
    assert first.id is not None
    assert second.id is not None
    assert first.id != second.id
    assert await schedules.schedules(GUILD) == [first, second]
    assert second.option_map == {"questions": "10", "mode": "choice"}
    assert first.closes == time(17, 30)
    assert second.closes is None
    assert second.created == DUE - timedelta(days=30, microseconds=1)


async def test_a_schedule_without_its_creation_time_is_refused(schedules: Schedules) -> None:
    with pytest.raises(ValueError, match="stored with the time it was created"):
        await schedules.add_schedule(replace(daily(), created=None))
    assert await schedules.schedules() == []


async def test_schedules_are_kept_per_server(schedules: Schedules) -> None:
    ours = await schedules.add_schedule(daily())
    theirs = await schedules.add_schedule(daily(TEAM, "C0001"))
    assert await schedules.schedules(GUILD) == [ours]
    assert await schedules.schedules(TEAM) == [theirs]
    assert await schedules.schedules() == [ours, theirs]
    assert theirs.id is not None
    # Another server cannot pause or remove it.
    assert not await schedules.set_schedule_paused(GUILD, theirs.id, True)
    assert not await schedules.remove_schedule(GUILD, theirs.id)
    assert await schedules.schedules(TEAM) == [theirs]


async def test_pause_resume_and_remove(schedules: Schedules) -> None:
    added = await schedules.add_schedule(daily())
    assert added.id is not None
    assert await schedules.set_schedule_paused(GUILD, added.id, True)
    assert [s.paused for s in await schedules.schedules(GUILD)] == [True]
    assert await schedules.set_schedule_paused(GUILD, added.id, False)
    assert [s.paused for s in await schedules.schedules(GUILD)] == [False]
    assert await schedules.remove_schedule(GUILD, added.id)
    assert await schedules.schedules(GUILD) == []
    assert not await schedules.remove_schedule(GUILD, added.id)
    assert not await schedules.set_schedule_paused(GUILD, added.id, True)


async def test_a_due_time_is_claimed_once_even_after_reopening(
    sql_backend: ScheduleBackend,
) -> None:
    store = await opened(sql_backend)
    added = await store.add_schedule(daily())
    assert added.id is not None
    assert await store.last_firing(added.id) is None
    assert await store.claim_firing(added.id, DUE, "process-a")
    assert not await store.claim_firing(added.id, DUE, "process-a")
    assert await store.claim_firing(added.id, DUE + timedelta(days=1), "process-a")
    await store.close()

    again = await opened(sql_backend)
    try:
        assert not await again.claim_firing(added.id, DUE, "process-b")
        assert await again.last_firing(added.id) == DUE + timedelta(days=1)
    finally:
        await again.close()


async def test_two_stores_racing_for_one_firing_one_wins(sql_backend: ScheduleBackend) -> None:
    first, second = await opened(sql_backend), await opened(sql_backend)
    try:
        added = await first.add_schedule(daily())
        assert added.id is not None
        schedule_id = added.id
        for day in range(5):
            due = DUE + timedelta(days=day)
            won = await asyncio.gather(
                first.claim_firing(schedule_id, due, "process-a"),
                second.claim_firing(schedule_id, due, "process-b"),
                first.claim_firing(schedule_id, due, "process-a"),
                second.claim_firing(schedule_id, due, "process-b"),
            )
            assert sorted(won) == [False, False, False, True], day
    finally:
        await first.close()
        await second.close()


async def test_a_removed_schedule_takes_its_firings_and_cannot_be_claimed(
    schedules: Schedules,
) -> None:
    added = await schedules.add_schedule(daily())
    assert added.id is not None
    assert await schedules.claim_firing(added.id, DUE, "process-a")
    assert await schedules.remove_schedule(GUILD, added.id)
    assert await schedules.last_firing(added.id) is None
    assert not await schedules.claim_firing(added.id, DUE + timedelta(days=1), "process-a")


async def test_a_quizs_reminder_lead_comes_back_as_set(schedules: Schedules) -> None:
    default = await schedules.add_schedule(quiz())
    silent = await schedules.add_schedule(replace(quiz(), remind=0))
    early = await schedules.add_schedule(replace(quiz(), remind=90))
    assert [s.remind for s in await schedules.schedules(GUILD)] == [10, 0, 90]
    assert (default.reminds, silent.reminds, early.reminds) == (True, False, True)


async def test_a_reminder_is_claimed_once_across_stores_apart_from_its_firing(
    sql_backend: ScheduleBackend,
) -> None:
    first, second = await opened(sql_backend), await opened(sql_backend)
    try:
        added = await first.add_schedule(quiz())
        assert added.id is not None
        won = await asyncio.gather(
            first.claim_reminder(added.id, DUE, "process-a"),
            second.claim_reminder(added.id, DUE, "process-b"),
            second.claim_reminder(added.id, DUE, "process-b"),
        )
        assert sorted(won) == [False, False, True]
        # The reminder is not the firing: the quiz itself still fires once, and the
        # firing loop's "last fired" does not move for a reminder.
        assert await second.last_firing(added.id) is None
        assert await second.claim_firing(added.id, DUE, "process-b")
        assert await first.remove_schedule(GUILD, added.id)
        assert not await second.claim_reminder(added.id, DUE + timedelta(days=7), "process-b")
    finally:
        await first.close()
        await second.close()


async def test_a_seasons_results_are_claimed_once_per_server(
    sql_backend: ScheduleBackend,
) -> None:
    first, second = await opened(sql_backend), await opened(sql_backend)
    try:
        won = await asyncio.gather(
            first.claim_season_results(GUILD, "2026-11", "process-a"),
            second.claim_season_results(GUILD, "2026-11", "process-b"),
        )
        assert sorted(won) == [False, True]
        assert await second.claim_season_results(TEAM, "2026-11", "process-b")
        assert await first.claim_season_results(GUILD, "2026-12", "process-a")
        assert not await first.claim_season_results(GUILD, "2026-11", "process-a")
    finally:
        await first.close()
        await second.close()
