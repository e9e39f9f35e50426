"""A process of its own that writes to a PostgreSQL store, for the tests that need several.

    python -m tests.postgres.driver hammer DSN NAME --seconds 10 [--unordered]
    python -m tests.postgres.driver start DSN NAME

Each says ``ready`` on stdout, then waits for a line on stdin before the part that
must overlap (a barrier the test opens for every process in the same instant), and
ends by printing one JSON object on stdout.  Its log goes to stderr.

``hammer``
    Opens the store before the barrier, then records answers for ``--seconds`` from
    several tasks at once, a batch at a time, for the players of a few servers
    every process shares: the processes' group commits overlap and meet on the same
    rows.  Each answer carries a token of its own as its question id
    (``NAME:task:sequence``), so a test can count every answer back.  A second line
    on stdin (or its end) stops it early.  ``--unordered`` makes the store write
    each table's rows shuffled instead of in key order (what it must never do) and
    stops at the first deadlock.  Reports what was committed, and every deadlock and
    other error it met.
``start``
    Opens the store only after the barrier (so that the processes migrate an empty
    database together), records one answer and reads the leaderboard.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg

from bot.domain.model import ChannelKey, PlayerKey, ServerKey
from bot.domain.records import AnswerRecord, Period
from bot.ports import StoreUnavailable
from bot.storage import open_store
from bot.storage.postgres import score_batch, transaction

#: The shared servers and players every process writes to: few enough that the
#: processes' transactions keep meeting on the same rows.
SERVERS = tuple(ServerKey("discord", f"guild-{n}") for n in range(3))
PLAYERS_PER_SERVER = 5
#: Question ids marked as asked in every server, so asked_questions is shared too.
ASKED_POOL = tuple(f"asked-{n}" for n in range(8))
TASKS = 4
MAX_BATCH = 12


@dataclass
class Tally:
    batches: int = 0
    answers: int = 0  # answers the store said were committed
    errors: list[str] = field(default_factory=list)
    #: Each deadlock PostgreSQL reported, once (every caller of the failed commit sees it).
    deadlocks: list[BaseException] = field(default_factory=list)

    def deadlocked(self, cause: BaseException) -> None:
        if not any(cause is seen for seen in self.deadlocks):
            self.deadlocks.append(cause)


def _answer(rng: random.Random, token: str) -> AnswerRecord:
    server = rng.choice(SERVERS)
    user = f"user-{rng.randrange(PLAYERS_PER_SERVER)}"
    correct = rng.random() < 0.6
    return AnswerRecord(
        player=PlayerKey(server.platform, server.server, user),
        name=user.title(),
        channel=ChannelKey(server.platform, server.server, "trivia"),
        game_id="hammer",
        question_id=token,
        correct=correct,
        points=rng.randint(1, 10) if correct else 0,
        answer_ms=rng.randint(100, 9_000) if correct else 0,
        streak=rng.randint(1, 5) if correct else 0,
        at=datetime.now(UTC),
    )


def _shuffled(rows: Iterable[Any], key: Any = None) -> list[Any]:
    """What ``sorted`` becomes in the transaction module under ``--unordered``."""
    out = list(rows)
    random.shuffle(out)
    return out


async def _writer(
    store: Any,
    name: str,
    task: int,
    until: float,
    tally: Tally,
    stop: asyncio.Event,
    stop_at_deadlock: bool,
) -> None:
    rng = random.Random(f"{name}/{task}")
    sequence = 0
    while time.monotonic() < until and not stop.is_set():
        size = rng.randint(1, MAX_BATCH)
        tokens = [f"{name}:{task}:{sequence + i}" for i in range(size)]
        sequence += size
        batch = [_answer(rng, token) for token in tokens]
        server = rng.choice(SERVERS)
        asked = rng.sample(ASKED_POOL, 3)
        # Two callers at once: their operations share one group commit.
        outcomes = await asyncio.gather(
            store.record_answers(batch),
            store.mark_asked(server, asked, at=datetime.now(UTC)),
            return_exceptions=True,
        )
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        for failure in failures:
            cause = failure.__cause__
            if isinstance(failure, StoreUnavailable) and isinstance(
                cause, asyncpg.DeadlockDetectedError
            ):
                tally.deadlocked(cause)
                if stop_at_deadlock:
                    stop.set()
            else:
                tally.errors.append(repr(failure))
        if isinstance(outcomes[0], BaseException):
            continue
        tally.batches += 1
        tally.answers += size


async def _stdin() -> asyncio.StreamReader:
    """stdin, read without a thread: a blocked read must not keep the process alive."""
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def _stop_when_told(stdin: asyncio.StreamReader, stop: asyncio.Event) -> None:
    """The line after ``go`` (or the end of stdin) stops the writers early."""
    await stdin.readline()
    stop.set()


async def hammer(dsn: str, name: str, seconds: float, unordered: bool) -> dict[str, Any]:
    if unordered:
        # Both ways a batch is written: the general one and the one-statement one.
        transaction.sorted = _shuffled  # type: ignore[attr-defined]
        score_batch.sorted = _shuffled  # type: ignore[attr-defined]
    stdin = await _stdin()
    store = await open_store(dsn)
    try:
        print("ready", flush=True)
        await stdin.readline()
        tally = Tally()
        stop = asyncio.Event()
        listener = asyncio.create_task(_stop_when_told(stdin, stop))
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(
            *(_writer(store, name, task, until, tally, stop, unordered) for task in range(TASKS))
        )
        elapsed = time.monotonic() - started
        listener.cancel()
        commits = store.writer_counters().transactions  # type: ignore[attr-defined]
    finally:
        await store.close()
    return {
        "name": name,
        "batches": tally.batches,
        "answers": tally.answers,
        "transactions": commits,
        "seconds": round(elapsed, 2),
        "deadlocks": len(tally.deadlocks),
        "errors": tally.errors[:5],
        "error_count": len(tally.errors),
    }


async def start(dsn: str, name: str) -> dict[str, Any]:
    stdin = await _stdin()
    print("ready", flush=True)
    await stdin.readline()
    store = await open_store(dsn)
    try:
        server = SERVERS[0]
        await store.record_answers(
            [
                AnswerRecord(
                    player=PlayerKey(server.platform, server.server, name),
                    name=name,
                    channel=ChannelKey(server.platform, server.server, "trivia"),
                    game_id=f"game-{name}",
                    question_id=f"{name}:0",
                    correct=True,
                    points=7,
                    answer_ms=1_000,
                    streak=1,
                    at=datetime.now(UTC),
                )
            ]
        )
        board = await store.leaderboard(server, Period.ALL, now=datetime.now(UTC))
    finally:
        await store.close()
    return {"name": name, "leaderboard": [[row.player.user, row.points] for row in board]}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.postgres.driver")
    parser.add_argument("mode", choices=["hammer", "start"])
    parser.add_argument("dsn")
    parser.add_argument("name")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--unordered", action="store_true")
    args = parser.parse_args()
    # The store's own log lines (migrations applied) go to stderr for the test to read.
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
    if args.mode == "hammer":
        result = asyncio.run(hammer(args.dsn, args.name, args.seconds, args.unordered))
    else:
        result = asyncio.run(start(args.dsn, args.name))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
