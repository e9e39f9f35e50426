"""SeenEvents: a redelivered event is recognised whichever replica it reaches (two replicas:
two handles on one SQLite file), and old ids are forgotten as time goes on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.slack.seen_events import SeenEvents
from bot.clock import ManualClock
from bot.storage.sqlite.store import SqliteScoreStore, open_sqlite_store
from tests.helpers import rows


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[tuple[SqliteScoreStore, SqliteScoreStore]]:
    first = await open_sqlite_store(tmp_path / "trivia.db")
    second = await open_sqlite_store(tmp_path / "trivia.db")
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def test_a_redelivery_to_another_replica_is_recognised(
    stores: tuple[SqliteScoreStore, SqliteScoreStore],
) -> None:
    clock = ManualClock()
    one, two = (SeenEvents(store, clock=clock) for store in stores)

    assert await one.first_time("Ev01")
    assert not await two.first_time("Ev01")  # the retry, at the other replica
    assert not await one.first_time("Ev01")  # and back at the first
    assert await two.first_time("Ev02")


async def test_replicas_racing_for_one_event_handle_it_once(
    stores: tuple[SqliteScoreStore, SqliteScoreStore],
) -> None:
    clock = ManualClock()
    replicas = [SeenEvents(store, clock=clock) for store in stores]

    firsts = await asyncio.gather(*(r.first_time("Ev01") for r in replicas))

    assert sorted(firsts) == [False, True]


async def test_expired_ids_are_pruned_as_time_goes_on(
    stores: tuple[SqliteScoreStore, SqliteScoreStore], tmp_path: Path
) -> None:
    store, _ = stores
    clock = ManualClock()
    seen = SeenEvents(store, clock=clock, keep=0.001, prune_every=60)
    assert await seen.first_time("Ev01")
    await store.issue_oauth_state("abandoned install", ttl=0.001)
    await asyncio.sleep(0.01)  # the database's clock expires both
    assert await seen.first_time("Ev02")  # not yet time to prune
    kept = rows(tmp_path / "trivia.db", "SELECT event_id FROM slack_seen_events ORDER BY 1")
    await clock.advance(60)
    await asyncio.sleep(0.01)

    assert await seen.first_time("Ev03")  # prunes on the way

    assert kept == [("Ev01",), ("Ev02",)]
    left = rows(tmp_path / "trivia.db", "SELECT event_id FROM slack_seen_events")
    assert set(left) <= {("Ev03",)}  # Ev03 may have expired already (kept 1 ms)
    assert rows(tmp_path / "trivia.db", "SELECT state FROM slack_oauth_states") == []
