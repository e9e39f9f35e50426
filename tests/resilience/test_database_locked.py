"""A locked database: the real service on a real SQLite file, locked by another connection.

Another process (here a plain ``sqlite3`` connection) holding ``BEGIN EXCLUSIVE`` on the
bot's database is what a backup tool, a migration or an operator's shell does.  Held
shorter than the busy timeout, the answer's write waits for it; held longer, the write
fails, the service keeps the transition in its backlog and retries it.  Either way the
point is committed once and announced once, after the lock goes.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.bank import load_bank_text
from bot.clock import ManualClock
from bot.domain.commands import StartGame, SubmitAnswer
from bot.domain.events import (
    AnswerAccepted,
    EndReason,
    Event,
    GameEnded,
    QuestionAsked,
    QuestionRevealed,
    RevealReason,
    ScoresDelayed,
)
from bot.domain.model import ChannelKey, GameOptions
from bot.domain.records import Period
from bot.service.trivia import RETRY_SECONDS, TriviaService
from bot.storage.sqlite.store import SqliteScoreStore, open_sqlite_store
from tests.fakes import SERVER, ListBank, RecordingSink, player

BANK = """\
id: resilience-bank
title: Questions whose prompts say the answer
questions:
  - id: sky
    prompt: "Type blue: what colour is a clear daytime sky?"
    answers: [blue]
    category: colours
  - id: grass
    prompt: "Type green: what colour is fresh grass?"
    answers: [green]
    category: colours
  - id: snow
    prompt: "Type white: what colour is fresh snow?"
    answers: [white]
    category: colours
"""
QUESTIONS = load_bank_text(BANK, path="resilience-bank.yaml").questions
GENERAL = ChannelKey(SERVER.platform, SERVER.server, "general")
OTHER = ChannelKey(SERVER.platform, SERVER.server, "other")
ALICE = player("alice")
BOB = player("bob")
#: Long enough that no real wait in these tests reaches it by accident.
WAIT = 5.0


class LockHolder:
    """Another connection to the bot's database, holding its write lock."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None)
        self.held = False

    def lock(self) -> None:
        self._conn.execute("BEGIN EXCLUSIVE")
        self.held = True

    def release(self) -> None:
        self._conn.execute("COMMIT")
        self.held = False

    def close(self) -> None:
        if self.held:
            self.release()
        self._conn.close()


class WitnessSink(RecordingSink):
    """Records, with each event, whether the other connection still held the lock."""

    def __init__(self, holder: LockHolder) -> None:
        super().__init__()
        self._holder = holder
        self.locked_when_published: list[tuple[type[Event], bool]] = []

    async def publish(self, event: Event) -> None:
        self.locked_when_published.append((type(event), self._holder.held))
        await super().publish(event)


@dataclass
class Bot:
    service: TriviaService
    store: SqliteScoreStore
    sink: WitnessSink
    clock: ManualClock
    holder: LockHolder
    path: Path

    def asked(self, channel: ChannelKey) -> list[QuestionAsked]:
        return [e for e in self.sink.of(QuestionAsked) if e.channel == channel]

    def accepted(self, channel: ChannelKey) -> list[AnswerAccepted]:
        return [e for e in self.sink.of(AnswerAccepted) if e.channel == channel]

    async def start(
        self, channel: ChannelKey, *, rounds: int, seconds: float | None = None
    ) -> QuestionAsked:
        command = StartGame(channel=channel, actor=ALICE, rounds=rounds, seconds=seconds)
        await self.service.handle(command)
        await self.idle()
        return self.asked(channel)[-1]

    async def answer(self, channel: ChannelKey, actor=BOB) -> None:  # type: ignore[no-untyped-def]
        current = self.asked(channel)[-1]
        await self.service.handle(
            SubmitAnswer(channel=channel, actor=actor, text=current.question.answer)
        )

    async def idle(self) -> None:
        """Wait until every write the store was given has been tried (writes behind too)."""
        await until(lambda: not self.service._writes)

    def answer_rows(self) -> list[tuple[str, int, int]]:
        with sqlite3.connect(self.path) as conn:
            rows = conn.execute(
                "SELECT players.user_id, answers.correct, answers.points"
                " FROM answers JOIN players ON players.id = answers.player_id"
                " ORDER BY answers.id"
            ).fetchall()
        conn.close()
        return [(str(u), int(c), int(p)) for u, c, p in rows]


async def until(condition: Callable[[], object]) -> None:
    """Wait (at most ``WAIT`` s) for ``condition`` in small real steps: aiosqlite writes on
    its own thread, which ``ManualClock.settle`` does not wait for, and no event says so."""
    async with asyncio.timeout(WAIT):
        while not condition():  # noqa: ASYNC110 - polling a thread's effect, bounded
            await asyncio.sleep(0.01)


@asynccontextmanager
async def bot_on_sqlite(tmp_path: Path, *, busy_timeout_ms: int) -> AsyncIterator[Bot]:
    path = tmp_path / "trivia.db"
    store = await open_sqlite_store(path, busy_timeout_ms=busy_timeout_ms)
    holder = LockHolder(path)
    sink = WitnessSink(holder)
    clock = ManualClock()
    service = TriviaService(
        bank=ListBank(QUESTIONS),
        store=store,
        clock=clock,
        sink=sink,
        defaults=GameOptions(rounds=2, seconds=30, pause=5, auto_hints=False),
        rng=random.Random(3),
        journal=store,
    )
    try:
        yield Bot(service, store, sink, clock, holder, path)
    finally:
        holder.close()
        await service.shutdown()
        await store.close()


async def test_an_answer_waits_out_a_short_lock_and_scores_once_after_it_goes(
    tmp_path: Path,
) -> None:
    async with bot_on_sqlite(tmp_path, busy_timeout_ms=3000) as bot:
        await bot.start(GENERAL, rounds=1)
        bot.holder.lock()
        asyncio.get_running_loop().call_later(0.2, bot.holder.release)

        await bot.answer(GENERAL)  # returns once committed: after the lock went

        assert not bot.holder.held
        [accepted] = bot.accepted(GENERAL)
        assert accepted.award.player == BOB.key
        published_under_lock = [
            kind.__name__ for kind, held in bot.sink.locked_when_published if held
        ]
        assert published_under_lock == []
        await bot.clock.settle()
        ended = bot.sink.last(GameEnded)
        assert ended.reason is EndReason.COMPLETED
        await bot.idle()
        stats = await bot.store.player_stats(BOB.key)
        board = await bot.store.leaderboard(SERVER, Period.ALL, now=bot.clock.now())

    assert stats is not None
    assert (stats.points, stats.correct, stats.answered, stats.games) == (
        accepted.award.points.total,
        1,
        1,
        1,
    )
    assert [(row.player, row.points) for row in board] == [(BOB.key, accepted.award.points.total)]
    assert bot.answer_rows() == [(BOB.key.user, 1, accepted.award.points.total)]


async def test_a_lock_held_past_the_busy_timeout_delays_the_point_but_never_loses_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with bot_on_sqlite(tmp_path, busy_timeout_ms=100) as bot:
        await bot.start(GENERAL, rounds=2)
        # Short questions there: the whole outage stays well inside general's 30 s question
        # (a game that catches up with deadlines passed during a long stall skips questions).
        await bot.start(OTHER, rounds=2, seconds=10)
        bot.holder.lock()

        # The write fails after 100 ms: the players hear why it is quiet, once, and nothing
        # of the answer yet; the caller is not failed (the service waits the lock out).
        await bot.answer(GENERAL)
        assert bot.accepted(GENERAL) == []
        assert [e.channel for e in bot.sink.of(ScoresDelayed)] == [GENERAL]

        # Meanwhile another channel's question times out and its game moves on.
        await bot.clock.advance(10)
        await until(lambda: len(bot.asked(OTHER)) == 1 and _revealed(bot, OTHER))
        await bot.clock.advance(5)
        await until(lambda: len(bot.asked(OTHER)) == 2)
        # Retries (one every RETRY_SECONDS) keep failing while the lock is held, quietly.
        async with asyncio.timeout(WAIT):
            while "still cannot save game" not in caplog.text:
                await bot.clock.advance(RETRY_SECONDS)
                await asyncio.sleep(0.01)
        assert bot.accepted(GENERAL) == []
        assert len(bot.asked(GENERAL)) == 1
        # Told once per stalled channel, however many retries (other's game may have
        # ended meanwhile: its result waits too).
        delayed = [e.channel for e in bot.sink.of(ScoresDelayed)]
        assert delayed.count(GENERAL) == 1
        assert set(delayed) <= {GENERAL, OTHER}

        bot.holder.release()
        async with asyncio.timeout(WAIT):
            while not bot.accepted(GENERAL):
                await bot.clock.advance(RETRY_SECONDS)
                await asyncio.sleep(0.01)

        # Announced once, after the lock went, then revealed, and the game goes on.
        [accepted] = bot.accepted(GENERAL)
        assert accepted.award.player == BOB.key
        assert [
            kind for kind, held in bot.sink.locked_when_published if kind is AnswerAccepted
        ] == [AnswerAccepted]
        assert all(
            not held for kind, held in bot.sink.locked_when_published if kind is AnswerAccepted
        )
        reveal = next(e for e in bot.sink.of(QuestionRevealed) if e.channel == GENERAL)
        assert reveal.reason is RevealReason.ANSWERED
        async with asyncio.timeout(WAIT):
            while len(bot.asked(GENERAL)) < 2:
                await bot.clock.advance(1)
                await asyncio.sleep(0.01)
        await bot.answer(GENERAL, actor=ALICE)
        await bot.clock.settle()
        ended = [e for e in bot.sink.of(GameEnded) if e.channel == GENERAL]
        assert [e.reason for e in ended] == [EndReason.COMPLETED]
        await bot.idle()
        bob = await bot.store.player_stats(BOB.key)
        alice = await bot.store.player_stats(ALICE.key)
        board = await bot.store.leaderboard(SERVER, Period.ALL, now=bot.clock.now())

    assert bob is not None
    assert alice is not None
    assert (bob.points, bob.correct) == (accepted.award.points.total, 1)
    assert alice.correct == 1
    assert {row.player: row.points for row in board} == {
        BOB.key: bob.points,
        ALICE.key: alice.points,
    }
    # Exactly one correct answer row each: the retry did not write the point twice.
    correct_rows = [(user, points) for user, correct, points in bot.answer_rows() if correct]
    assert sorted(correct_rows) == sorted(
        [(BOB.key.user, bob.points), (ALICE.key.user, alice.points)]
    )
    assert len(bot.accepted(GENERAL)) == 2
    # The log: one warning when saving stalled, counts while it lasted, one line when it
    # cleared; no traceback.
    said = [r.getMessage() for r in caplog.records if r.levelname in {"WARNING", "ERROR"}]
    general = [line.split(" game ")[0] for line in said if str(GENERAL) in line]
    assert general == ["cannot save", "still cannot save", "saved"]
    assert all(r.exc_info is None for r in caplog.records)


def _revealed(bot: Bot, channel: ChannelKey) -> bool:
    return any(e.channel == channel for e in bot.sink.of(QuestionRevealed))
