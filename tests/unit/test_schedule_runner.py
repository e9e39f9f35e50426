"""The firing loop (``bot.service.schedule_runner``): each due time fires once, on time,
late within its window after a restart, or skipped with a note; once with two loops
sharing one database.

The loop's own sleeping runs on the manual clock over the in-memory store (SQLite answers
from a thread the manual clock cannot wait for); restarts and races between processes
run pass by pass (``tick``) on a SQLite file opened twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.domain.model import ServerKey
from bot.domain.schedule import Due, Schedule, ScheduleKind, parse_days
from bot.ports import ScheduleStore
from bot.service.schedule_runner import ScheduleRunner
from bot.storage.sql_store import SqlScoreStore
from bot.storage.sqlite.store import open_sqlite_store
from tests.fake_schedules import MemoryScheduleStore

GUILD = ServerKey("discord", "guild-1")
MONDAY_8 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
HOUR = 3600.0
DAY = 24 * HOUR


class Calls:
    """What the runners fired and noted, in order, as (process, schedule id, due)."""

    def __init__(self) -> None:
        self.fired: list[tuple[str, int | None, datetime]] = []
        self.notes: list[str] = []

    def runner(
        self, store: ScheduleStore, clock: ManualClock, process: str = "a"
    ) -> ScheduleRunner:
        async def fire(schedule: Schedule, due: Due) -> None:
            self.fired.append((process, schedule.id, due.at))

        async def note(schedule: Schedule, due: Due, why: str) -> None:
            self.notes.append(why)

        return ScheduleRunner(
            store, clock=clock, fire=fire, note=note, holder=f"pid-{process}", poll=600
        )

    @property
    def dues(self) -> list[datetime]:
        return [due for _, _, due in self.fired]


def daily(at: time = time(9, 0), zone: str = "UTC", closes: time | None = time(12, 0)) -> Schedule:
    return Schedule(
        server=GUILD,
        channel="general",
        kind=ScheduleKind.DAILY_QUESTION,
        at=at,
        zone=zone,
        days=parse_days("daily"),
        closes=closes,
        created=MONDAY_8 - timedelta(minutes=1),
    )


@pytest.fixture
def memory() -> MemoryScheduleStore:
    return MemoryScheduleStore()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlScoreStore]:
    opened = await open_sqlite_store(tmp_path / "trivia.db")
    try:
        yield opened
    finally:
        await opened.close()


def clock_at(wall: datetime) -> ManualClock:
    return ManualClock(wall=wall)


async def running(runner: ScheduleRunner) -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(runner.run(), name="schedule-runner")


async def stop(*tasks: asyncio.Task[None]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_daily_question_fires_at_its_time_once_a_day(memory: MemoryScheduleStore) -> None:
    store = memory
    added = await store.add_schedule(daily())
    clock, calls = clock_at(MONDAY_8), Calls()
    task = await running(calls.runner(store, clock))
    try:
        await clock.advance(HOUR - 1)
        assert calls.fired == []
        await clock.advance(1)
        assert calls.fired == [("a", added.id, MONDAY_8 + timedelta(hours=1))]
        await clock.advance(DAY - 1)
        assert len(calls.fired) == 1, "the same due time never fires twice"
        await clock.advance(2 * DAY)
        assert calls.dues == [MONDAY_8 + timedelta(days=d, hours=1) for d in range(3)]
        assert calls.notes == []
    finally:
        await stop(task)


async def test_a_restart_inside_the_window_fires_the_missed_time_once_late(
    tmp_path: Path, store: SqlScoreStore
) -> None:
    added = await store.add_schedule(daily())
    calls = Calls()
    assert await calls.runner(store, clock_at(MONDAY_8)).tick() == []
    # Down from 08:00 to 10:30; the window closes at 12:00.
    back = await open_sqlite_store(tmp_path / "trivia.db")
    try:
        done = await calls.runner(back, clock_at(MONDAY_8 + timedelta(hours=2.5)), "b").tick()
        again = await calls.runner(back, clock_at(MONDAY_8 + timedelta(hours=3)), "c").tick()
    finally:
        await back.close()
    assert calls.fired == [("b", added.id, MONDAY_8 + timedelta(hours=1))]
    assert [(f.late, f.skipped) for f in done] == [(True, False)]
    assert again == []
    assert calls.notes == []


async def test_a_restart_after_the_window_skips_the_missed_time_with_a_note(
    memory: MemoryScheduleStore,
) -> None:
    store = memory
    await store.add_schedule(daily())
    clock, calls = clock_at(MONDAY_8 + timedelta(hours=5)), Calls()  # 13:00, window closed
    done = await calls.runner(store, clock).tick()
    assert calls.fired == []
    assert [f.skipped for f in done] == [True]
    assert calls.notes == [
        "the daily question due 2026-01-05 09:00 UTC was missed while the bot was down and "
        "skipped: its window closed 12:00 UTC"
    ]
    # The next day fires as usual, and the skipped one is not noted again.
    task = await running(calls.runner(store, clock))
    try:
        await clock.advance(DAY)
    finally:
        await stop(task)
    assert calls.dues == [MONDAY_8 + timedelta(days=1, hours=1)]
    assert len(calls.notes) == 1


async def test_days_missed_while_down_fire_once_and_the_rest_are_noted(
    store: SqlScoreStore,
) -> None:
    await store.add_schedule(daily(closes=None))  # open until midnight
    calls = Calls()
    await calls.runner(store, clock_at(MONDAY_8 + timedelta(days=3, hours=2))).tick()
    assert calls.dues == [MONDAY_8 + timedelta(days=3, hours=1)]
    assert len(calls.notes) == 3
    assert all("a later one fires instead" in note for note in calls.notes)


async def test_two_loops_sharing_a_database_fire_each_due_time_once(
    memory: MemoryScheduleStore,
) -> None:
    await memory.add_schedule(daily())
    await memory.add_schedule(daily(at=time(9, 30)))
    clock, calls = clock_at(MONDAY_8), Calls()
    tasks = [
        await running(calls.runner(memory, clock, "a")),
        await running(calls.runner(memory, clock, "b")),
    ]
    try:
        await clock.advance(3 * DAY)
    finally:
        await stop(*tasks)
    expected = [MONDAY_8 + timedelta(days=d, hours=1, minutes=m) for d in range(3) for m in (0, 30)]
    assert calls.dues == expected
    assert {process for process, _, _ in calls.fired} <= {"a", "b"}


async def test_two_passes_racing_at_one_instant_fire_once(tmp_path: Path) -> None:
    first = await open_sqlite_store(tmp_path / "trivia.db")
    second = await open_sqlite_store(tmp_path / "trivia.db")
    calls = Calls()
    try:
        await first.add_schedule(daily())
        clock = clock_at(MONDAY_8 + timedelta(hours=1))
        a, b = calls.runner(first, clock, "a"), calls.runner(second, clock, "b")
        results = await asyncio.gather(a.tick(), b.tick(), a.tick(), b.tick())
    finally:
        await first.close()
        await second.close()
    assert len(calls.fired) == 1
    assert sum(len(done) for done in results) == 1


async def test_a_paused_schedule_does_not_fire_and_resuming_does_not_catch_up(
    memory: MemoryScheduleStore,
) -> None:
    store = memory
    added = await store.add_schedule(daily(closes=None))
    assert added.id is not None
    assert await store.set_schedule_paused(GUILD, added.id, True)
    clock, calls = clock_at(MONDAY_8), Calls()
    runner = calls.runner(store, clock)
    task = await running(runner)
    try:
        await clock.advance(2 * DAY + 2 * HOUR)  # to Wednesday 10:00
        assert calls.fired == []
        assert await store.set_schedule_paused(GUILD, added.id, False)
        await clock.advance(HOUR)  # Wednesday's 09:00 passed while paused: not caught up
        assert calls.fired == []
        assert calls.notes == []
        await clock.advance(DAY)
    finally:
        await stop(task)
    assert calls.dues == [MONDAY_8 + timedelta(days=3, hours=1)]


async def test_a_time_moved_by_daylight_saving_fires_once_with_its_note(
    memory: MemoryScheduleStore,
) -> None:
    store = memory
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    schedule = daily(at=time(2, 30), zone="Europe/Berlin", closes=None)
    await store.add_schedule(replace(schedule, created=saturday))
    clock, calls = clock_at(saturday), Calls()
    task = await running(calls.runner(store, clock))
    try:
        await clock.advance(DAY)
    finally:
        await stop(task)
    assert calls.dues == [datetime(2026, 3, 29, 1, 30, tzinfo=UTC)]  # 03:30 CEST
    assert len(calls.notes) == 1
    assert "02:30 does not exist on 2026-03-29 in Europe/Berlin" in calls.notes[0]


async def test_a_failing_fire_is_logged_not_repeated_and_others_still_fire(
    store: SqlScoreStore, caplog: pytest.LogCaptureFixture
) -> None:
    broken = await store.add_schedule(daily())
    fine = await store.add_schedule(daily(at=time(9, 0)))
    fired: list[int | None] = []

    async def fire(schedule: Schedule, due: Due) -> None:
        if schedule.id == broken.id:
            raise RuntimeError("the channel is gone")
        fired.append(schedule.id)

    clock = clock_at(MONDAY_8 + timedelta(hours=1))
    runner = ScheduleRunner(store, clock=clock, fire=fire, holder="pid-a")
    await runner.tick()
    await runner.tick()
    assert fired == [fine.id]
    assert "the channel is gone" in caplog.text
    assert len([r for r in caplog.records if r.levelname == "ERROR"]) == 1


@pytest.mark.parametrize(
    ("zone", "at", "start", "fired"),
    [
        # Clocks go back: the repeated local time fires once, at its first moment.
        (
            "Europe/Berlin",
            time(2, 30),
            datetime(2026, 10, 24, 12, 0, tzinfo=UTC),
            [datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 26, 1, 30, tzinfo=UTC)],
        ),
        (
            "America/New_York",
            time(1, 30),
            datetime(2026, 10, 31, 12, 0, tzinfo=UTC),
            [datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 2, 6, 30, tzinfo=UTC)],
        ),
        # Clocks go forward: the missing time fires an hour later, then back to normal.
        (
            "America/New_York",
            time(2, 30),
            datetime(2026, 3, 7, 12, 0, tzinfo=UTC),
            [datetime(2026, 3, 8, 7, 30, tzinfo=UTC), datetime(2026, 3, 9, 6, 30, tzinfo=UTC)],
        ),
    ],
)
async def test_the_loop_follows_both_daylight_saving_changes_in_europe_and_america(
    memory: MemoryScheduleStore, zone: str, at: time, start: datetime, fired: list[datetime]
) -> None:
    await memory.add_schedule(replace(daily(at=at, zone=zone, closes=None), created=start))
    clock, calls = clock_at(start), Calls()
    task = await running(calls.runner(memory, clock))
    try:
        await clock.advance(2 * DAY)
    finally:
        await stop(task)
    assert calls.dues == fired


async def test_a_weekly_quiz_missed_past_its_grace_is_skipped_and_next_week_runs(
    memory: MemoryScheduleStore,
) -> None:
    friday_16 = datetime(2026, 1, 9, 16, 0, tzinfo=UTC)
    await memory.add_schedule(
        Schedule(
            server=GUILD,
            channel="quiz",
            kind=ScheduleKind.WEEKLY_QUIZ,
            at=time(16, 0),
            zone="UTC",
            days=parse_days("fri"),
            created=MONDAY_8,
        )
    )
    calls = Calls()
    late = await calls.runner(memory, clock_at(friday_16 + timedelta(minutes=20))).tick()
    assert [(f.late, f.skipped) for f in late] == [(True, False)]
    # A week later the bot is down until 16:45: past the 30-minute grace.
    clock = clock_at(friday_16 + timedelta(days=7, minutes=45))
    skipped = await calls.runner(memory, clock).tick()
    assert [f.skipped for f in skipped] == [True]
    assert "weekly quiz due 2026-01-16 16:00 UTC was missed" in calls.notes[0]
    task = await running(calls.runner(memory, clock))
    try:
        await clock.advance(7 * DAY)
    finally:
        await stop(task)
    assert calls.dues == [friday_16, friday_16 + timedelta(days=14)]


async def test_each_runner_fires_only_the_servers_its_process_serves(
    memory: MemoryScheduleStore,
) -> None:
    slack = ServerKey("slack", "T0001")
    ours = await memory.add_schedule(daily())
    theirs = await memory.add_schedule(replace(daily(), server=slack, channel="C0001"))
    clock, fired = clock_at(MONDAY_8 + timedelta(hours=1)), []

    def runner(platform: str) -> ScheduleRunner:
        async def fire(schedule: Schedule, due: Due) -> None:
            fired.append((platform, schedule.id))

        return ScheduleRunner(
            memory,
            clock=clock,
            fire=fire,
            holder=platform,
            serves=lambda server: server.platform == platform,
        )

    # The Slack process passes first: it leaves the Discord guild's due time unclaimed.
    await runner("slack").tick()
    await runner("discord").tick()
    assert sorted(fired) == [("discord", ours.id), ("slack", theirs.id)]
