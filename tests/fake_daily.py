"""``MemoryDailyStore``: ``bot.ports.DailyStore`` in memory.

The daily desk's service tests run on it with the manual clock;
``tests/contract/test_daily_rounds.py`` runs it through the same contract as SQLite
and PostgreSQL, so it behaves as they do.  Two desks given the same instance share one
"database".  ``fail_next_answer`` makes the next ``record_daily_answer`` raise (a
database that fails just then).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.daily import DailyRound
from bot.domain.model import ChannelKey, PlayerKey, ServerKey
from bot.domain.records import DailyAnswer, DailyStreak, LeaderboardRow


class MemoryDailyStore:
    def __init__(self) -> None:
        self.rounds: dict[int, DailyRound] = {}
        self.answers: dict[tuple[int, PlayerKey], DailyAnswer] = {}
        self.fail_next_answer: Exception | None = None
        self._next_id = 1

    async def close(self) -> None:
        return None

    async def open_daily_round(self, round_: DailyRound) -> DailyRound:
        if round_.closes_at < round_.opened_at:
            raise ValueError("a daily round must close after it opens")
        stored = replace(round_, id=self._next_id, message_ref=None, revealed=False)
        self.rounds[stored.id] = stored
        self._next_id += 1
        return stored

    async def note_daily_message(self, round_id: int, ref: str) -> None:
        found = self.rounds.get(round_id)
        if found is not None:
            self.rounds[round_id] = replace(found, message_ref=ref)

    async def daily_round(self, round_id: int) -> DailyRound | None:
        return self.rounds.get(round_id)

    async def open_daily_rounds(
        self, server: ServerKey, *, now: datetime, channel: ChannelKey | None = None
    ) -> list[DailyRound]:
        return sorted(
            (
                r
                for r in self.rounds.values()
                if r.server == server
                and (channel is None or r.channel == channel)
                and not r.revealed
                and r.closes_at > now
            ),
            key=lambda r: -r.id,
        )

    async def daily_rounds_due(self, now: datetime) -> list[DailyRound]:
        due = [r for r in self.rounds.values() if not r.revealed and r.closes_at <= now]
        return sorted(due, key=lambda r: (r.closes_at, r.id))

    async def next_daily_close(self) -> datetime | None:
        return min((r.closes_at for r in self.rounds.values() if not r.revealed), default=None)

    async def record_daily_answer(self, answer: DailyAnswer) -> bool:
        if self.fail_next_answer is not None:
            error, self.fail_next_answer = self.fail_next_answer, None
            raise error
        found = self.rounds.get(answer.round_id)
        key = (answer.round_id, answer.player)
        if (
            found is None
            or found.revealed
            or found.server != answer.player.server_key
            or key in self.answers
        ):
            return False
        self.answers[key] = answer
        return True

    async def daily_answer(self, round_id: int, player: PlayerKey) -> DailyAnswer | None:
        return self.answers.get((round_id, player))

    async def daily_answers(self, round_id: int) -> list[DailyAnswer]:
        found = [a for (rid, _), a in self.answers.items() if rid == round_id]
        return sorted(found, key=lambda a: (a.at, a.player.user))

    async def mark_daily_revealed(self, round_id: int) -> bool:
        found = self.rounds.get(round_id)
        if found is None or found.revealed:
            return False
        self.rounds[round_id] = replace(found, revealed=True)
        return True

    async def daily_streak(self, player: PlayerKey, *, now: datetime) -> DailyStreak:
        current = best = 0
        for round_id in sorted(self.rounds):
            round_ = self.rounds[round_id]
            if round_.server != player.server_key or round_.opened_at > now:
                continue
            answer = self.answers.get((round_id, player))
            if answer is not None and answer.correct:
                current += 1
                best = max(best, current)
            elif answer is not None or round_.closes_at <= now or round_.revealed:
                current = 0
        return DailyStreak(current=current, best=best)

    async def daily_leaderboard(
        self, server: ServerKey, *, since: datetime, until: datetime, limit: int = 10
    ) -> list[LeaderboardRow]:
        points: dict[PlayerKey, int] = {}
        right: dict[PlayerKey, int] = {}
        reached: dict[PlayerKey, datetime] = {}
        names: dict[PlayerKey, str] = {}
        for answer in sorted(self.answers.values(), key=lambda a: a.at):
            if answer.player.server_key != server:
                continue
            names[answer.player] = answer.name  # the latest name, as the SQL stores show
            if answer.correct and since <= answer.at < until:
                points[answer.player] = points.get(answer.player, 0) + answer.points
                right[answer.player] = right.get(answer.player, 0) + 1
                reached[answer.player] = answer.at
        ordered = sorted(points, key=lambda p: (-points[p], -right[p], reached[p], p.user))
        return [
            LeaderboardRow(
                rank=rank, player=key, name=names[key], points=points[key], correct=right[key]
            )
            for rank, key in enumerate(ordered[:limit], start=1)
        ]
