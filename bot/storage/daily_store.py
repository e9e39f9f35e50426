"""The daily question's rounds and answers (``bot.ports.DailyStore``), once for every
SQL backend.

Like ``bot.storage.schedule_store``: each write is one statement of the dialect's SQL
module in a transaction of its own, outside the group-commit writer's queue, so that
the service knows at once whether an answer was kept (it shows the verdict only after)
and whether this process is the one that reveals a round.  Both are the database's to
settle: an answer is an ``INSERT ... ON CONFLICT DO NOTHING`` on (round, player), a
reveal an ``UPDATE ... WHERE revealed = 0``; exactly one statement of any number racing
from any number of processes gets a row back.

Streaks and the daily leaderboard are read from the answers themselves: a player
answers a round at most once, so a server's rounds and a season's answers stay a few
thousand rows, read through an index.
"""

from __future__ import annotations

import contextlib
import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from types import ModuleType
from typing import Any

from bot.domain.daily import DailyRound
from bot.domain.model import ChannelKey, PlayerKey, ServerKey
from bot.domain.records import DailyAnswer, DailyStreak, LeaderboardRow
from bot.storage.periods import from_epoch_us, to_epoch_us
from bot.storage.records_json import question_from_json, question_to_json
from bot.storage.shared_store import Statement


def round_params(round_: DailyRound) -> tuple[object, ...]:
    """``OPEN_DAILY_ROUND``'s parameters."""
    if round_.closes_at < round_.opened_at:
        raise ValueError(
            f"a daily round must close after it opens: {round_.closes_at.isoformat()} is "
            f"before {round_.opened_at.isoformat()}"
        )
    channel = round_.channel
    return (
        round_.schedule_id,
        channel.platform,
        channel.server,
        channel.channel,
        round_.question.id,
        question_to_json(round_.question),
        json.dumps(list(round_.choices), ensure_ascii=False),
        to_epoch_us(round_.opened_at),
        to_epoch_us(round_.closes_at),
    )


def round_row(row: Sequence[Any]) -> DailyRound:
    """A row of ``_ROUND_COLUMNS`` -> its round."""
    (id_, schedule_id, platform, server, channel, question, choices, opened, closes) = row[:9]
    message_ref, revealed = row[9:]
    loaded: list[str] = json.loads(choices)
    return DailyRound(
        id=int(id_),
        schedule_id=int(schedule_id),
        channel=ChannelKey(platform, server, channel),
        question=question_from_json(question),
        choices=tuple(loaded),
        opened_at=from_epoch_us(int(opened)),
        closes_at=from_epoch_us(int(closes)),
        message_ref=message_ref,
        revealed=bool(revealed),
    )


def answer_params(answer: DailyAnswer) -> tuple[object, ...]:
    """``RECORD_DAILY_ANSWER``'s parameters."""
    player = answer.player
    return (
        answer.round_id,
        player.platform,
        player.server,
        player.user,
        answer.name,
        answer.guess,
        int(answer.correct),
        answer.points,
        to_epoch_us(answer.at),
    )


def answer_row(row: Sequence[Any]) -> DailyAnswer:
    """A row of ``_ANSWER_COLUMNS`` -> its answer."""
    round_id, platform, server, user, name, guess, correct, points, answered = row
    return DailyAnswer(
        round_id=int(round_id),
        player=PlayerKey(platform, server, user),
        name=name,
        guess=guess,
        correct=bool(correct),
        points=int(points),
        at=from_epoch_us(int(answered)),
    )


class DailySqlStore(ABC):
    """``bot.ports.DailyStore`` over a dialect's SQL (see the module docstring)."""

    _sql: ModuleType

    @abstractmethod
    def _usable(self) -> contextlib.AbstractContextManager[None]: ...

    @abstractmethod
    async def _fetch(self, query: str, params: Sequence[object]) -> list[Sequence[Any]]: ...

    @abstractmethod
    async def _write_now(
        self, first: Statement, otherwise: Statement | None = None
    ) -> tuple[list[Sequence[Any]], list[Sequence[Any]]]: ...

    async def open_daily_round(self, round_: DailyRound) -> DailyRound:
        params = round_params(round_)
        with self._usable():
            rows, _ = await self._write_now((self._sql.OPEN_DAILY_ROUND, params))
        return replace(round_, id=int(rows[0][0]), message_ref=None, revealed=False)

    async def note_daily_message(self, round_id: int, ref: str) -> None:
        with self._usable():
            await self._write_now((self._sql.NOTE_DAILY_MESSAGE, (round_id, ref)))

    async def daily_round(self, round_id: int) -> DailyRound | None:
        with self._usable():
            rows = await self._fetch(self._sql.DAILY_ROUND, (round_id,))
        return round_row(rows[0]) if rows else None

    async def open_daily_rounds(
        self, server: ServerKey, *, now: datetime, channel: ChannelKey | None = None
    ) -> list[DailyRound]:
        params: tuple[object, ...] = (server.platform, server.server, to_epoch_us(now))
        query = self._sql.OPEN_DAILY_ROUNDS
        if channel is not None:
            if channel.server_key != server:
                return []
            query, params = self._sql.OPEN_DAILY_ROUNDS_IN, (*params, channel.channel)
        with self._usable():
            rows = await self._fetch(query, params)
        return [round_row(row) for row in rows]

    async def daily_rounds_due(self, now: datetime) -> list[DailyRound]:
        with self._usable():
            rows = await self._fetch(self._sql.DAILY_ROUNDS_DUE, (to_epoch_us(now),))
        return [round_row(row) for row in rows]

    async def next_daily_close(self) -> datetime | None:
        with self._usable():
            rows = await self._fetch(self._sql.NEXT_DAILY_CLOSE, ())
        first = rows[0][0] if rows else None
        return None if first is None else from_epoch_us(int(first))

    async def record_daily_answer(self, answer: DailyAnswer) -> bool:
        params = answer_params(answer)
        with self._usable():
            rows, _ = await self._write_now((self._sql.RECORD_DAILY_ANSWER, params))
        return bool(rows)

    async def daily_answer(self, round_id: int, player: PlayerKey) -> DailyAnswer | None:
        with self._usable():
            rows = await self._fetch(self._sql.DAILY_ANSWER, (round_id, player.user))
        found = [answer_row(row) for row in rows]
        # A user id is the platform's: the round's server is the only one it can be in.
        return next((answer for answer in found if answer.player == player), None)

    async def daily_answers(self, round_id: int) -> list[DailyAnswer]:
        with self._usable():
            rows = await self._fetch(self._sql.DAILY_ANSWERS, (round_id,))
        return [answer_row(row) for row in rows]

    async def mark_daily_revealed(self, round_id: int) -> bool:
        with self._usable():
            rows, _ = await self._write_now((self._sql.MARK_DAILY_REVEALED, (round_id,)))
        return bool(rows)

    async def daily_streak(self, player: PlayerKey, *, now: datetime) -> DailyStreak:
        params = (player.platform, player.server, player.user, to_epoch_us(now))
        with self._usable():
            rows = await self._fetch(self._sql.DAILY_STREAK, params)
        current, best = rows[0]
        return DailyStreak(current=int(current), best=int(best))

    async def daily_leaderboard(
        self, server: ServerKey, *, since: datetime, until: datetime, limit: int = 10
    ) -> list[LeaderboardRow]:
        params = (server.platform, server.server, to_epoch_us(since), to_epoch_us(until), limit)
        with self._usable():
            rows = await self._fetch(self._sql.DAILY_LEADERBOARD, params)
        return [
            LeaderboardRow(
                rank=rank,
                player=PlayerKey(server.platform, server.server, user),
                name=name,
                points=int(points),
                correct=int(correct),
            )
            for rank, (user, name, points, correct, _) in enumerate(rows, start=1)
        ]
