"""Two real bot processes on one database: a scheduled quiz's due time fires once.

Two ``trivia-bot play`` processes (console bots, each serving the console's server)
start together after the quiz's time, inside its window: each one's firing loop finds
the due time missed and tries to fire it late; the database's claim lets one of them.
The one that fires either starts the quiz (it won the channel) or says why it did not
(its terminal's own game got there first); the other says neither.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import pytest

from bot.adapters.console.ids import PLATFORM, SERVER
from bot.domain.model import ServerKey
from bot.domain.schedule import Schedule, ScheduleKind, parse_days
from bot.storage.sqlite.store import open_sqlite_store

pytestmark = pytest.mark.slow

FIRED = ("started by the weekly quiz schedule", "The weekly quiz did not start")
#: Every wait is bounded: the whole test stays well under 15 s.
WITHIN = 10.0


async def quiz_due_a_minute_ago(db: Path) -> int:
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    store = await open_sqlite_store(db)
    try:
        added = await store.add_schedule(
            Schedule(
                server=ServerKey(PLATFORM, SERVER),
                channel="terminal",
                kind=ScheduleKind.WEEKLY_QUIZ,
                at=due.time(),
                zone="UTC",
                days=parse_days("daily"),
                options=(("rounds", "2"),),
                remind=0,
                created=now - timedelta(hours=2),
            )
        )
    finally:
        await store.close()
    assert added.id is not None
    return added.id


def firings(db: Path, schedule_id: int) -> list[str]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT holder FROM schedule_firings WHERE schedule_id = ?", (schedule_id,)
        ).fetchall()
    return [holder for (holder,) in rows]


def read_lines(stream: IO[str] | None, into: list[str]) -> threading.Thread:
    assert stream is not None
    reader = threading.Thread(target=lambda: into.extend(stream), daemon=True)
    reader.start()
    return reader


def test_two_bot_processes_fire_a_missed_due_time_once(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    db = tmp_path / "trivia.db"
    schedule_id = asyncio.run(quiz_due_a_minute_ago(db))
    bots = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "play", "--player", f"p{n}", "--db", str(db),
             "--seconds", "30"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**cli_env, "COLUMNS": "200"},
        )
        for n in (1, 2)
    ]  # fmt: skip
    outputs: list[list[str]] = [[], []]
    errors: list[list[str]] = [[], []]
    readers = [read_lines(bot.stdout, out) for bot, out in zip(bots, outputs, strict=True)]
    readers += [read_lines(bot.stderr, err) for bot, err in zip(bots, errors, strict=True)]
    try:
        deadline = time.monotonic() + WITHIN

        # Each loop's first pass starts with the process's game: once both have asked a
        # question, and a moment more, both passes are over.
        def fired() -> bool:
            return any(words in "".join(out) for out in outputs for words in FIRED)

        while time.monotonic() < deadline and not (
            fired() and all(any("Question 1/" in line for line in out) for out in outputs)
        ):
            time.sleep(0.1)
        assert fired(), f"no process fired the quiz's due time within {WITHIN} s: {outputs}"
        # The other process's pass has begun with its game; a moment for it to end (its
        # claim loses, and it must say nothing).
        time.sleep(1.0)
        for bot in bots:
            assert bot.stdin is not None
            bot.stdin.close()  # the end of input stops the game, and the bot
        for bot in bots:
            bot.wait(timeout=max(deadline - time.monotonic(), 3))
    finally:
        for bot in bots:
            if bot.poll() is None:
                bot.kill()
            bot.wait()
        for reader in readers:
            reader.join(timeout=3)
        for bot in bots:
            for stream in (bot.stdin, bot.stdout, bot.stderr):
                if stream is not None:
                    stream.close()
    texts = ["".join(out) for out in outputs]
    assert [bot.returncode for bot in bots] == [0, 0], errors
    assert all("Question 1/" in text for text in texts), texts
    said = [sum(text.count(words) for words in FIRED) for text in texts]
    assert sorted(said) == [0, 1], texts
    assert len(firings(db, schedule_id)) == 1
