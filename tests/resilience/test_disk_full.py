"""A full disk under a running game: produced for real on a small tmpfs.

The database lives on a 16 MiB tmpfs; a filler file takes what is left, so the
next write really gets ENOSPC ("database or disk is full").  The game goes on
and says why it is quiet, the log says so once (with a count while it lasts,
not a traceback a second), and once room is made every point is saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.domain.commands import StartGame, SubmitAnswer
from bot.domain.events import AnswerAccepted, QuestionAsked, ScoresDelayed
from bot.domain.model import ChannelKey, GameOptions
from bot.service.trivia import RETRY_SECONDS, TriviaService
from bot.storage.sqlite.store import open_sqlite_store
from tests.fakes import SERVER, ListBank, RecordingSink, player
from tests.resilience.test_database_locked import QUESTIONS

CHANNEL = ChannelKey(SERVER.platform, SERVER.server, "general")
BOB = player("bob")


@contextlib.contextmanager
def small_filesystem(where: Path, size: str = "16m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` while inside (needs root)."""
    where.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a full disk is produced on a small tmpfs, which only root may mount")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs at {where}: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(path: Path) -> None:
    """Write to ``path`` until the file system has no room left."""
    with path.open("wb", buffering=0) as out:
        chunk = b"\0" * 65536
        try:
            while True:
                out.write(chunk)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
        # Smaller pieces until not even one byte fits.
        for size in (4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * size)


async def test_a_full_disk_delays_the_points_once_and_loses_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with small_filesystem(tmp_path / "disk") as disk:
        store = await open_sqlite_store(disk / "trivia.db", busy_timeout_ms=100)
        sink, clock = RecordingSink(), ManualClock()
        service = TriviaService(
            bank=ListBank(QUESTIONS),
            store=store,
            clock=clock,
            sink=sink,
            defaults=GameOptions(rounds=1, seconds=300, pause=0, auto_hints=False),
            journal=store,
        )
        try:
            await service.handle(StartGame(channel=CHANNEL, actor=BOB))
            asked = sink.last(QuestionAsked)
            await clock.settle()  # the start's writes behind land before the disk fills
            async with asyncio.timeout(5):
                while service._writes:  # noqa: ASYNC110 - aiosqlite's thread, bounded
                    await asyncio.sleep(0.01)
            fill(disk / "filler")

            await service.handle(
                SubmitAnswer(channel=CHANNEL, actor=BOB, text=asked.question.answer)
            )
            # Twenty seconds of retries against the full disk.
            for _ in range(20):
                await clock.advance(RETRY_SECONDS)
                await asyncio.sleep(0.02)
            delayed, accepted_while_full = sink.of(ScoresDelayed), sink.of(AnswerAccepted)

            (disk / "filler").unlink()
            async with asyncio.timeout(5):
                while not sink.of(AnswerAccepted):
                    await clock.advance(RETRY_SECONDS)
                    await asyncio.sleep(0.02)
            await clock.settle()
            stats = await store.player_stats(BOB.key)
        finally:
            await service.shutdown()
            await store.close()

    assert [e.channel for e in delayed] == [CHANNEL]
    assert accepted_while_full == []
    [accepted] = sink.of(AnswerAccepted)
    assert stats is not None
    assert (stats.points, stats.correct) == (accepted.award.points.total, 1)
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert sum(line.startswith("cannot save game") for line in lines) == 1, lines
    assert sum(line.startswith("saved game") for line in lines) == 1, lines
    assert "database or disk is full" in lines[0]
    assert len(lines) <= 4, lines  # one when it starts, a count at most, one when it clears
    assert all(r.exc_info is None for r in caplog.records)
