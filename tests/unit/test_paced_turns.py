"""Waiting for a paced turn (IDENTIFY) on the manual clock; the turns themselves are
``tests.fake_shared.MemorySharedStore``'s, which pass the stores' contract."""

from __future__ import annotations

import asyncio

import pytest

from bot.app.turns import IDENTIFY_EVERY, TurnTimeout, identify_turn, wait_for_turn
from bot.clock import ManualClock
from tests.fake_shared import MemorySharedStore


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(clock: ManualClock) -> MemorySharedStore:
    return MemorySharedStore(clock)


async def test_a_free_turn_is_taken_without_waiting(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    waited = await wait_for_turn(
        store, "discord:identify:0", every=IDENTIFY_EVERY, clock=clock, within=60
    )
    assert waited == 0.0


async def test_processes_starting_together_identify_one_per_turn(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    turns = [
        asyncio.create_task(
            wait_for_turn(store, "discord:identify:0", every=5.5, clock=clock, within=60)
        )
        for _ in range(3)
    ]
    await clock.advance(12)
    waited = sorted(await asyncio.gather(*turns))
    assert waited == [0.0, 5.5, 11.0]


async def test_a_turn_out_of_reach_gives_up_with_a_clear_error(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    assert await store.take_turn("discord:identify:0", every=30) == 0.0
    with pytest.raises(TurnTimeout, match=r"discord:identify:0: not taken within 10 s"):
        await wait_for_turn(store, "discord:identify:0", every=30, clock=clock, within=10)


async def test_a_database_that_does_not_answer_is_waited_for_no_longer_than_allowed(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    store.stall()
    waiting = asyncio.create_task(
        wait_for_turn(store, "discord:identify:0", every=5.5, clock=clock, within=10)
    )
    await clock.advance(10.1)
    with pytest.raises(TurnTimeout, match="no answer from the database"):
        await asyncio.wait_for(waiting, 1)


def test_a_shards_identify_turn_is_its_buckets() -> None:
    assert identify_turn(0, 1) == identify_turn(5, 1) == "discord:identify:0"
    assert identify_turn(5, 16) == "discord:identify:5"
    assert identify_turn(21, 16) == "discord:identify:5"
    with pytest.raises(ValueError, match="max_concurrency"):
        identify_turn(3, 0)
