"""Contract: leases with epochs, on every backend (``bot.ports.LeaseStore``).

Two holders stand for two processes: the database tells them apart by the holder's
description alone.  Expiry is real time here (short ``ttl``s), judged by the database.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.coordination import Lease, LeaseHeld, LeaseLost
from bot.ports import SharedStore

SHARD = "discord:shard:2"
OLD = "host-a pid 10 started 2026-01-01T00:00:00.000Z"
NEW = "host-b pid 20 started 2026-01-01T00:01:00.000Z"
LONG = 30.0
SHORT = 0.2
#: Past SHORT, with room for SQLite's millisecond clock.
AFTER_SHORT = 0.3


async def take(shared: SharedStore, holder: str, ttl: float = LONG, name: str = SHARD) -> Lease:
    lease = await shared.take_lease(name, holder, ttl=ttl)
    assert isinstance(lease, Lease), lease
    return lease


async def test_a_free_lease_is_taken_at_epoch_one_for_about_its_ttl(shared: SharedStore) -> None:
    lease = await take(shared, OLD)
    assert (lease.name, lease.holder, lease.epoch) == (SHARD, OLD, 1)
    [listed] = await shared.lease_holders()
    assert (listed.holder, listed.epoch, listed.expires) == (OLD, 1, lease.expires)
    assert LONG - 2 < listed.remaining <= LONG


async def test_taking_our_own_lease_again_extends_it_and_keeps_its_epoch(
    shared: SharedStore,
) -> None:
    first = await take(shared, OLD, ttl=5)
    again = await take(shared, OLD, ttl=LONG)
    assert again.epoch == first.epoch == 1
    assert again.expires > first.expires


async def test_someone_elses_lease_says_who_holds_it_and_until_when(shared: SharedStore) -> None:
    lease = await take(shared, OLD)
    answer = await shared.take_lease(SHARD, NEW, ttl=LONG)
    assert isinstance(answer, LeaseHeld)
    assert (answer.holder, answer.epoch, answer.expires) == (OLD, 1, lease.expires)
    assert not answer.expired
    assert OLD in answer.describe()
    assert SHARD in answer.describe()
    # Asking changed nothing.
    assert await shared.check_lease(SHARD, 1)


async def test_an_expired_lease_goes_to_the_next_taker_with_the_next_epoch(
    shared: SharedStore,
) -> None:
    await take(shared, OLD, ttl=SHORT)
    await asyncio.sleep(AFTER_SHORT)
    lease = await take(shared, NEW)
    assert (lease.holder, lease.epoch) == (NEW, 2)


async def test_our_own_lease_taken_after_it_expired_is_a_new_tenure(shared: SharedStore) -> None:
    await take(shared, OLD, ttl=SHORT)
    await asyncio.sleep(AFTER_SHORT)
    assert (await take(shared, OLD)).epoch == 2
    assert not await shared.check_lease(SHARD, 1)


async def test_renewing_extends_the_tenure_and_keeps_its_epoch(shared: SharedStore) -> None:
    lease = await take(shared, OLD, ttl=SHORT)
    renewed = await shared.renew_lease(lease, ttl=LONG)
    assert isinstance(renewed, Lease)
    assert renewed.epoch == lease.epoch
    assert renewed.expires > lease.expires
    await asyncio.sleep(AFTER_SHORT)  # past the first ttl, within the renewed one
    assert await shared.check_lease(SHARD, lease.epoch)
    assert isinstance(await shared.take_lease(SHARD, NEW, ttl=LONG), LeaseHeld)


async def test_renewing_after_someone_else_took_it_says_lost_and_who_holds_it(
    shared: SharedStore,
) -> None:
    old = await take(shared, OLD, ttl=SHORT)
    await asyncio.sleep(AFTER_SHORT)
    await take(shared, NEW)
    answer = await shared.renew_lease(old, ttl=LONG)
    assert isinstance(answer, LeaseLost)
    assert answer.epoch == 1
    assert answer.now is not None
    assert (answer.now.holder, answer.now.epoch) == (NEW, 2)
    # The new holder's tenure is untouched.
    assert await shared.check_lease(SHARD, 2)


async def test_renewing_an_expired_lease_says_lost_even_when_nobody_took_it(
    shared: SharedStore,
) -> None:
    lease = await take(shared, OLD, ttl=SHORT)
    await asyncio.sleep(AFTER_SHORT)
    answer = await shared.renew_lease(lease, ttl=LONG)
    assert isinstance(answer, LeaseLost)
    assert answer.now is not None
    assert answer.now.expired


async def test_a_released_lease_is_taken_at_once_by_the_next_holder(shared: SharedStore) -> None:
    lease = await take(shared, OLD)
    assert await shared.release_lease(lease)
    assert not await shared.check_lease(SHARD, 1)
    assert isinstance(await shared.renew_lease(lease, ttl=LONG), LeaseLost)
    taken = await take(shared, NEW)
    assert (taken.holder, taken.epoch) == (NEW, 2)


async def test_releasing_a_tenure_that_is_over_changes_nothing(shared: SharedStore) -> None:
    old = await take(shared, OLD, ttl=SHORT)
    await asyncio.sleep(AFTER_SHORT)
    new = await take(shared, NEW)
    assert not await shared.release_lease(old)
    assert await shared.check_lease(SHARD, new.epoch)
    assert await shared.release_lease(new)
    assert not await shared.release_lease(new)


async def test_check_accepts_the_current_tenure_only(shared: SharedStore) -> None:
    lease = await take(shared, OLD)
    assert await shared.check_lease(SHARD, lease.epoch)
    assert not await shared.check_lease(SHARD, lease.epoch + 1)
    assert not await shared.check_lease(SHARD, lease.epoch - 1)
    assert not await shared.check_lease("discord:shard:9", 1)


async def test_holders_lists_the_leases_under_a_prefix_expired_ones_included(
    shared: SharedStore,
) -> None:
    await take(shared, OLD, name="discord:shard:1")
    await take(shared, NEW, name="discord:shard:0", ttl=SHORT)
    await take(shared, NEW, name="slack:workspace:T1")
    await take(shared, NEW, name="discord_shard")  # '_' is no wildcard
    await asyncio.sleep(AFTER_SHORT)
    listed = await shared.lease_holders("discord:")
    assert [(h.name, h.holder, h.expired) for h in listed] == [
        ("discord:shard:0", NEW, True),
        ("discord:shard:1", OLD, False),
    ]
    assert len(await shared.lease_holders()) == 4


async def test_leases_of_different_names_are_independent(shared: SharedStore) -> None:
    await take(shared, OLD, name="discord:shard:0")
    other = await take(shared, NEW, name="discord:shard:1")
    assert other.epoch == 1


async def test_a_ttl_must_be_a_positive_number_of_seconds(shared: SharedStore) -> None:
    for ttl in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="positive"):
            await shared.take_lease(SHARD, OLD, ttl=ttl)
    assert await shared.lease_holders() == []
