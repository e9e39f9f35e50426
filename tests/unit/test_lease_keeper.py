"""The lease keeper on the manual clock: taking, waiting, renewing, losing, letting go.

The database is ``tests.fake_shared.MemorySharedStore`` on the same clock (it passes the
lease contract of ``tests/contract``); "another process" is a second holder on it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket

import pytest

from bot.app.leases import LeaseKeeper, LeaseUnavailable, holder_description
from bot.clock import ManualClock
from bot.coordination import Lease
from tests.fake_shared import MemorySharedStore

SHARD = "discord:shard:2"
OTHER = "host-a pid 10 started 2026-01-01T00:00:00.000Z"
ME = "host-b pid 20 started 2026-01-01T00:01:00.000Z"
TTL = 15.0  # renewed every 5 s; valid until 12 s after each confirmed request was sent


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(clock: ManualClock) -> MemorySharedStore:
    return MemorySharedStore(clock)


def keeper(
    store: MemorySharedStore,
    clock: ManualClock,
    *names: str,
    lost: list[str] | None = None,
    wait: float = 60.0,
) -> LeaseKeeper:
    return LeaseKeeper(
        store,
        names or (SHARD,),
        holder=ME,
        clock=clock,
        ttl=TTL,
        wait=wait,
        on_lost=(lost if lost is not None else []).append,
    )


async def test_a_free_lease_is_taken_at_once_and_held(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    async with keeper(store, clock) as leases:
        assert leases.holds(SHARD)
        assert leases.epoch(SHARD) == 1
        assert not leases.holds("discord:shard:3")
        assert leases.epoch("discord:shard:3") is None


async def test_leases_are_renewed_every_third_of_their_ttl_and_stay_held(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    async with keeper(store, clock, "discord:shard:0", "discord:shard:1") as leases:
        await clock.advance(5.01)
        assert store.calls.count("renew discord:shard:0") == 1
        await clock.advance(60)
        assert store.calls.count("renew discord:shard:0") == 13
        assert store.calls.count("renew discord:shard:1") == 13
        assert leases.holds("discord:shard:0")
        assert leases.holds("discord:shard:1")
        assert leases.epoch("discord:shard:0") == 1
        assert await store.check_lease("discord:shard:0", 1)


async def test_a_lease_another_process_holds_is_waited_for_and_taken_when_it_expires(
    store: MemorySharedStore, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.app.leases")
    store.steal(SHARD, OTHER, ttl=10.05)
    leases = keeper(store, clock)
    starting = asyncio.create_task(leases.start())
    await clock.advance(9.9)
    assert not starting.done()
    assert not leases.holds(SHARD)
    [waiting] = [r.getMessage() for r in caplog.records if "waiting" in r.getMessage()]
    assert OTHER in waiting
    assert SHARD in waiting
    await clock.advance(0.2)  # polled every 0.5 s, and once more as it expires
    assert starting.done()
    assert leases.holds(SHARD)
    assert leases.epoch(SHARD) == 2
    await leases.close()


async def test_a_lease_released_by_its_holder_is_taken_within_half_a_second(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    old = await store.take_lease(SHARD, OTHER, ttl=TTL)
    assert isinstance(old, Lease)
    leases = keeper(store, clock)
    starting = asyncio.create_task(leases.start())
    await clock.advance(3)
    assert not starting.done()
    assert await store.release_lease(old)  # the old process got SIGTERM
    await clock.advance(0.5)
    assert starting.done()
    assert leases.holds(SHARD)
    await leases.close()


async def test_giving_up_names_the_lease_its_holder_and_when_it_expires(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    store.steal("discord:shard:3", OTHER, ttl=1000)
    leases = keeper(store, clock, "discord:shard:2", "discord:shard:3", wait=60)
    starting = asyncio.create_task(leases.start())
    await clock.advance(59.9)
    assert not starting.done()
    await clock.advance(0.2)
    with pytest.raises(LeaseUnavailable) as caught:
        await asyncio.wait_for(starting, 1)
    message = str(caught.value)
    assert "discord:shard:3" in message
    assert OTHER in message
    assert "2025-02-15 12:16:40 UTC" in message  # the manual clock's start + 1000 s
    assert "TRIVIA_LEASE_WAIT" in message
    assert caught.value.held is not None
    assert caught.value.held.holder == OTHER
    # What it had taken on the way is let go at once.
    assert not leases.holds("discord:shard:2")
    assert not await store.check_lease("discord:shard:2", 1)


async def test_with_no_wait_a_held_lease_is_refused_at_once(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    store.steal(SHARD, OTHER, ttl=TTL)
    with pytest.raises(LeaseUnavailable, match=OTHER):
        await keeper(store, clock, wait=0).start()


async def test_a_database_that_cannot_be_reached_is_named_when_giving_up(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    store.failing = True
    starting = asyncio.create_task(keeper(store, clock, wait=5).start())
    await clock.advance(5.1)
    with pytest.raises(LeaseUnavailable, match="database is unavailable"):
        await asyncio.wait_for(starting, 1)


async def test_a_refused_renewal_calls_on_lost_once_and_renewing_stops(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    lost: list[str] = []
    async with keeper(store, clock, "discord:shard:0", SHARD, lost=lost) as leases:
        store.steal(SHARD, OTHER, ttl=TTL)  # it expired there, and another took it
        await clock.advance(5.01)
        assert lost == [SHARD]
        assert not leases.holds(SHARD)
        assert leases.epoch(SHARD) == 1  # its writes carry it, and are refused
        await clock.advance(30)
        assert lost == [SHARD]
        assert store.calls.count(f"renew {SHARD}") == 1
        assert leases.holds("discord:shard:0")


async def test_holds_turns_false_at_the_deadline_when_no_renewal_is_answered(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    lost: list[str] = []
    async with keeper(store, clock, lost=lost) as leases:
        store.stall()  # renewals are sent and never answered
        await clock.advance(11.9)
        assert leases.holds(SHARD)
        await clock.advance(0.2)  # 12 s: the take's send time + ttl - margin
        assert not leases.holds(SHARD)
        assert lost == [SHARD]
        store.resume()
        await clock.advance(30)
        assert lost == [SHARD]


async def test_a_process_paused_past_its_deadline_sees_it_before_anything_runs(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    lost: list[str] = []
    async with keeper(store, clock, lost=lost) as leases:
        renewals = store.calls.count(f"renew {SHARD}")
        clock.jump(13)  # SIGSTOP for 13 s, then SIGCONT: no task has run yet
        assert not leases.holds(SHARD)
        await clock.advance(0)
        assert lost == [SHARD]
        assert store.calls.count(f"renew {SHARD}") == renewals  # none sent once it was late


async def test_a_database_down_for_a_moment_does_not_lose_the_lease(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    lost: list[str] = []
    async with keeper(store, clock, lost=lost) as leases:
        store.failing = True
        await clock.advance(5.01)
        store.failing = False
        await clock.advance(2.6)  # retried after half an interval
        await clock.advance(20)
        assert leases.holds(SHARD)
        assert lost == []


async def test_closing_releases_every_lease_for_the_next_holder_at_once(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    leases = keeper(store, clock, "discord:shard:0", "discord:shard:1")
    await leases.start()
    await leases.close()
    await leases.close()  # idempotent
    assert not leases.holds("discord:shard:0")
    held = await store.lease_holders("discord:")
    assert [h.expired for h in held] == [True, True]
    taken = await store.take_lease("discord:shard:0", OTHER, ttl=TTL)
    assert isinstance(taken, Lease)
    assert taken.epoch == 2
    renewals = len([c for c in store.calls if c.startswith("renew")])
    await clock.advance(30)
    assert len([c for c in store.calls if c.startswith("renew")]) == renewals


def test_a_keeper_needs_names_and_sane_timings(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    with pytest.raises(ValueError, match="at least one"):
        LeaseKeeper(store, [], holder=ME, clock=clock)
    with pytest.raises(ValueError, match="ttl"):
        LeaseKeeper(store, [SHARD], holder=ME, clock=clock, ttl=0)
    with pytest.raises(ValueError, match="margin"):
        LeaseKeeper(store, [SHARD], holder=ME, clock=clock, ttl=3, margin=2)


def test_the_holder_is_described_by_host_pid_and_start(clock: ManualClock) -> None:
    described = holder_description(clock)
    assert described == (
        f"{socket.gethostname()} pid {os.getpid()} started 2025-02-15T12:00:00.000Z"
    )
