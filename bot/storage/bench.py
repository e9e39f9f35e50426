"""Synthetic load for any ``ScoreStore``: bulk seeding and the figures ``trivia-bot bench`` shows.

Works through the public ``ScoreStore`` methods only, so the same numbers can
be taken for every backend; :func:`bulk_seed_answers` writes the same rows
through a SQL store's whole-table writer instead (``COPY`` on PostgreSQL), so a
million answers go in within seconds on both.  Randomness comes from the ``rng``
passed in, so a seed reproduces a data set.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from bot.domain.model import ChannelKey, PlayerKey, ServerKey
from bot.domain.records import (
    AnswerRecord,
    Period,
)
from bot.ports import OperatedStore, ScoreStore
from bot.storage.bulk import TableWriter, table
from bot.storage.copying import bulk_tables
from bot.storage.periods import KIND_ALL, to_epoch_us
from bot.storage.write_plan import WritePlan, name_key


@dataclass(frozen=True, slots=True)
class Throughput:
    records: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds else float("inf")


@dataclass(frozen=True, slots=True)
class Latency:
    """Timings of one query, in milliseconds, as the caller sees them."""

    query: str
    samples: int
    median_ms: float
    p99_ms: float
    max_ms: float


def synthetic_answers(
    *,
    server: ServerKey,
    count: int,
    players: int,
    now: datetime,
    rng: random.Random,
    span: timedelta = timedelta(days=28),
) -> Iterator[AnswerRecord]:
    """``count`` plausible answers by ``players`` players, spread over ``span`` before ``now``.

    About 60 % are correct; player ``n`` is ``bench-n`` named ``Player n``.
    """
    channel = ChannelKey(server.platform, server.server, "bench")
    keys = [PlayerKey(server.platform, server.server, f"bench-{n}") for n in range(players)]
    names = [f"Player {n}" for n in range(players)]
    # rng.random() and int(): a million answers are generated twice per bench run,
    # and randrange/randint cost several times more (their spread is the same).
    draw = rng.random
    for index in range(count):
        n = int(draw() * players)
        correct = draw() < 0.6
        yield AnswerRecord(
            player=keys[n],
            name=names[n],
            channel=channel,
            game_id=f"bench-{index // 200}",
            question_id=f"bench-q{int(draw() * 10_000)}",
            correct=correct,
            points=1 + int(draw() * 3) if correct else 0,
            answer_ms=300 + int(draw() * 29_700),
            streak=1 + int(draw() * 8) if correct else 0,
            at=now - span * draw(),
        )


async def seed_answers(
    store: ScoreStore,
    *,
    server: ServerKey,
    count: int,
    players: int,
    now: datetime,
    rng: random.Random,
    batch: int = 10_000,
    span: timedelta = timedelta(days=28),
) -> Throughput:
    """Record ``count`` synthetic answers in calls of ``batch`` records (one
    transaction each); returns how fast they went in."""
    answers = synthetic_answers(
        server=server, count=count, players=players, now=now, rng=rng, span=span
    )
    written = 0
    started = time.perf_counter()
    while written < count:
        chunk = [next(answers) for _ in range(min(batch, count - written))]
        await store.record_answers(chunk)
        written += len(chunk)
    return Throughput(written, time.perf_counter() - started)


async def bulk_seed_answers(
    store: OperatedStore,
    *,
    server: ServerKey,
    count: int,
    players: int,
    now: datetime,
    rng: random.Random,
    batch: int = 20_000,
    span: timedelta = timedelta(days=28),
) -> Throughput:
    """The rows :func:`seed_answers` would leave (the same answers for the same
    ``rng``), written into the empty ``store`` through its whole-table writer in
    one transaction: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.  A store
    that has rows already refuses them (their row ids collide): nothing is lost.

    Two passes over the same synthetic answers, so that memory stays flat: the
    first folds every player's totals (the store's own write plan), which go in
    first because each answer refers to its player's row.
    """
    replay = random.Random()
    replay.setstate(rng.getstate())
    started = time.perf_counter()
    plan = WritePlan()
    answers = synthetic_answers(
        server=server, count=count, players=players, now=now, rng=rng, span=span
    )
    for chunk in _chunks(answers, batch):
        plan.add_answers(chunk)
        plan.answers.clear()  # only the totals are wanted from this pass
    player_ids = {player: n for n, player in enumerate(sorted(plan.players), start=1)}
    async with bulk_tables(store).replacing(clear=False) as writer:
        await writer.write(table("servers"), [(1, server.platform, server.server)])
        await _write_totals(writer, plan, player_ids)
        answers = synthetic_answers(
            server=server, count=count, players=players, now=now, rng=replay, span=span
        )
        written = 0
        for chunk in _chunks(answers, batch):
            rows = [
                (
                    written + n,
                    player_ids[record.player],
                    record.channel.channel,
                    record.game_id,
                    record.question_id,
                    int(record.correct),
                    record.points,
                    record.answer_ms,
                    record.streak,
                    to_epoch_us(record.at),
                )
                for n, record in enumerate(chunk, start=1)
            ]
            await writer.write(table("answers"), rows)
            written += len(rows)
    return Throughput(written, time.perf_counter() - started)


def _chunks(records: Iterator[AnswerRecord], size: int) -> Iterator[list[AnswerRecord]]:
    while chunk := [record for _, record in zip(range(size), records, strict=False)]:
        yield chunk


async def _write_totals(
    writer: TableWriter, plan: WritePlan, player_ids: dict[PlayerKey, int]
) -> None:
    """Each player's row and period totals, as the store's transactions would leave them."""
    players: list[tuple[int, int, str, str, str, int, int, int, int, int, int, int]] = []
    periods: list[tuple[int, int, int, int, int, int, int]] = []
    for player, delta in plan.players.items():
        player_id = player_ids[player]
        players.append(
            (
                player_id,
                1,
                player.user,
                delta.name,
                name_key(delta.name),
                delta.points,
                delta.correct,
                delta.answered,
                delta.best_streak,
                delta.correct_ms,
                delta.games,
                delta.wins,
            )
        )
        if delta.scored:
            periods.append(
                (1, KIND_ALL, 0, player_id, delta.points, delta.correct, delta.reached_us)
            )
            periods.extend(
                (1, kind, start, player_id, total.points, total.correct, total.reached_us)
                for (kind, start), total in delta.periods.items()
            )
    await writer.write(table("players"), sorted(players))
    await writer.write(table("period_totals"), sorted(periods))


async def measure_concurrent_writes(
    store: ScoreStore,
    *,
    server: ServerKey,
    now: datetime,
    callers: int = 1000,
    records_per_caller: int = 20,
) -> Throughput:
    """``callers`` tasks, each awaiting ``record_answers`` of one record in a
    loop, as many games scoring at once would: committed records per second."""

    async def caller(n: int) -> None:
        player = PlayerKey(server.platform, server.server, f"writer-{n}")
        channel = ChannelKey(server.platform, server.server, f"channel-{n}")
        for index in range(records_per_caller):
            await store.record_answers(
                [
                    AnswerRecord(
                        player=player,
                        name=f"Writer {n}",
                        channel=channel,
                        game_id=f"write-bench-{n}",
                        question_id=f"q{index}",
                        correct=True,
                        points=1,
                        answer_ms=1000,
                        streak=index + 1,
                        at=now,
                    )
                ]
            )

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for n in range(callers):
            group.create_task(caller(n), name=f"write-bench-{n}")
    return Throughput(callers * records_per_caller, time.perf_counter() - started)


def percentile(values: Sequence[float], share: float) -> float:
    """The value ``share`` (0 to 1) of the way up ``values``, nearest rank; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _time(query: str, samples: int, call: Callable[[], Awaitable[object]]) -> Latency:
    timings: list[float] = []
    for _ in range(samples):
        started = time.perf_counter()
        await call()
        timings.append((time.perf_counter() - started) * 1000)
    return Latency(
        query=query,
        samples=samples,
        median_ms=statistics.median(timings),
        p99_ms=percentile(timings, 0.99),
        max_ms=max(timings),
    )


async def measure_query_latency(
    store: ScoreStore, *, server: ServerKey, now: datetime, samples: int = 200
) -> list[Latency]:
    """Time the queries a chat command runs: three leaderboards, a player's
    stats and a lookup by name (of the current all-time leader)."""
    results = [
        await _time(
            f"leaderboard {period}",
            samples,
            partial(store.leaderboard, server, period, now=now),
        )
        for period in Period
    ]
    top = await store.leaderboard(server, Period.ALL, now=now, limit=1)
    if top:
        leader = top[0]
        results.append(
            await _time("player stats", samples, partial(store.player_stats, leader.player))
        )
        results.append(
            await _time("find players", samples, partial(store.find_players, server, leader.name))
        )
    return results
