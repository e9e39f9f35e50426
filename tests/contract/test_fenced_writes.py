"""Contract: writes made under a shard's lease are refused once it changed hands
(``SqlScoreStore.fence_writes``, ``bot.storage.fencing``), on every SQL backend.

Two store handles on one database stand for two processes: the old owner, whose lease
runs out, and the new one, who takes it over.  Expiry is real time (short ``ttl``s).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.coordination import Fence, Lease
from bot.domain.model import ChannelKey, PlayerKey, ServerKey
from bot.domain.records import AnswerRecord, Period
from bot.ports import FencedOut
from bot.storage.sql_store import SqlScoreStore
from tests.contract.conftest import BACKENDS, Backend

AT = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)
SHARD = "discord:shard:1"
FENCED = ChannelKey("discord", "g-on-shard-1", "c")
FREE = ChannelKey("discord", "g-elsewhere", "c")


def point(channel: ChannelKey, user: str, points: int = 10) -> AnswerRecord:
    return AnswerRecord(
        player=PlayerKey(channel.platform, channel.server, user),
        name=user,
        channel=channel,
        game_id="g",
        question_id="q",
        correct=True,
        points=points,
        answer_ms=900,
        streak=1,
        at=AT,
    )


@pytest.fixture(params=["sqlite", "postgres"])
def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The SQL backends: the memory double keeps no leases."""
    return BACKENDS[request.param](request, tmp_path)


@pytest.fixture
async def two(sql_backend: Backend) -> AsyncIterator[tuple[SqlScoreStore, SqlScoreStore]]:
    """Two handles on one database."""
    old, new = await sql_backend.open(), await sql_backend.open()
    assert isinstance(old, SqlScoreStore)
    assert isinstance(new, SqlScoreStore)
    try:
        yield old, new
    finally:
        await old.close()
        await new.close()


def fenced_by(lease: Lease) -> object:
    def fence_for(server: ServerKey) -> Fence | None:
        return Fence(lease.name, lease.epoch) if server == FENCED.server_key else None

    return fence_for


async def points_of(store: SqlScoreStore, channel: ChannelKey) -> int:
    rows = await store.leaderboard(channel.server_key, Period.ALL, now=AT)
    return sum(row.points for row in rows)


async def test_writes_under_a_current_lease_go_through(
    two: tuple[SqlScoreStore, SqlScoreStore],
) -> None:
    old, _ = two
    lease = await old.take_lease(SHARD, "old", ttl=30)
    assert isinstance(lease, Lease)
    old.fence_writes(fenced_by(lease))  # type: ignore[arg-type]
    await old.record_answers([point(FENCED, "ada")])
    assert await points_of(old, FENCED) == 10


async def test_a_write_after_the_lease_changed_hands_is_refused_and_nothing_lands(
    two: tuple[SqlScoreStore, SqlScoreStore],
) -> None:
    old, new = two
    lease = await old.take_lease(SHARD, "old", ttl=0.2)
    assert isinstance(lease, Lease)
    old.fence_writes(fenced_by(lease))  # type: ignore[arg-type]
    await asyncio.sleep(0.3)  # the old process was paused past its lease
    taken = await new.take_lease(SHARD, "new", ttl=30)
    assert isinstance(taken, Lease)
    assert taken.epoch == lease.epoch + 1
    with pytest.raises(FencedOut, match="changed hands"):
        await old.record_answers([point(FENCED, "ada")])
    assert await points_of(new, FENCED) == 0


async def test_an_expired_lease_nobody_took_refuses_the_write_too(
    two: tuple[SqlScoreStore, SqlScoreStore],
) -> None:
    old, new = two
    lease = await old.take_lease(SHARD, "old", ttl=0.2)
    assert isinstance(lease, Lease)
    old.fence_writes(fenced_by(lease))  # type: ignore[arg-type]
    await asyncio.sleep(0.3)
    with pytest.raises(FencedOut, match="expired"):
        await old.record_answers([point(FENCED, "ada")])
    assert await points_of(new, FENCED) == 0


async def test_in_one_batch_only_the_stale_write_fails(
    two: tuple[SqlScoreStore, SqlScoreStore],
) -> None:
    old, new = two
    lease = await old.take_lease(SHARD, "old", ttl=0.2)
    assert isinstance(lease, Lease)
    old.fence_writes(fenced_by(lease))  # type: ignore[arg-type]
    await asyncio.sleep(0.3)
    await new.take_lease(SHARD, "new", ttl=30)
    # Submitted together: the group committer puts them in one transaction first.
    results = await asyncio.gather(
        old.record_answers([point(FENCED, "ada")]),
        old.record_answers([point(FREE, "bob")]),
        return_exceptions=True,
    )
    assert isinstance(results[0], FencedOut)
    assert results[1] is None
    assert (await points_of(new, FENCED), await points_of(new, FREE)) == (0, 10)


async def test_a_process_that_cannot_prove_its_lease_submits_nothing(
    two: tuple[SqlScoreStore, SqlScoreStore],
) -> None:
    old, new = two

    def not_held(server: ServerKey) -> Fence | None:
        raise FencedOut(f"{SHARD}: this process's hold ran out")

    old.fence_writes(not_held)
    with pytest.raises(FencedOut, match="hold ran out"):
        await old.record_answers([point(FENCED, "ada")])
    assert await points_of(new, FENCED) == 0
