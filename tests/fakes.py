"""Test doubles for the service's ports: a store in memory and a recording sink.

``MemoryScoreStore`` never leaves the event loop (no threads), so service tests
on a ``ManualClock`` see every write finish within ``clock.settle()``.  It is
also run through the storage contract suite (the "memory" backend of
``tests/contract/conftest.py``), which keeps it honest.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from bot.domain.daily import Season
from bot.domain.events import Event
from bot.domain.model import (
    Actor,
    ChannelKey,
    Difficulty,
    PlayerKey,
    Question,
    QuestionType,
    ServerKey,
    ServerSettings,
)
from bot.domain.records import (
    AnswerRecord,
    GameRecord,
    LeaderboardRow,
    Period,
    PlayerStats,
    QuestionHistory,
    QuestionReport,
    ReportDraft,
    Resolution,
    RunningGame,
    Switch,
    SwitchedOff,
    UnfinishedGame,
)
from bot.domain.snapshot import GameSnapshot
from bot.domain.standings import Tally, rank
from bot.storage.game_state_json import snapshot_from_json, snapshot_to_json
from bot.storage.periods import period_start, season_days
from bot.storage.write_plan import check_answer, check_game

E = TypeVar("E")


@dataclass
class _Player:
    name: str
    points: int = 0
    games: int = 0
    wins: int = 0
    correct: int = 0
    answered: int = 0
    best_streak: int = 0
    correct_ms: int = 0
    first_seen: int = 0


class MemoryScoreStore:
    """A ScoreStore in plain dicts. ``fail_next`` makes the next write raise."""

    def __init__(self) -> None:
        self.players: dict[PlayerKey, _Player] = {}
        # (server, period, start) -> player -> [points, correct, reached order]
        self.totals: dict[tuple[ServerKey, Period, int], dict[PlayerKey, list[int]]] = defaultdict(
            dict
        )
        self.answers: list[AnswerRecord] = []
        self.games: dict[str, GameRecord] = {}
        self.asked: dict[ServerKey, dict[str, datetime]] = defaultdict(dict)
        self.custom: dict[ServerKey, dict[str, Question]] = defaultdict(dict)
        self.removed: list[tuple[ServerKey, str, PlayerKey]] = []
        self.settings: dict[ServerKey, ServerSettings] = {}
        self.history: dict[ServerKey, dict[str, QuestionHistory]] = defaultdict(dict)
        self.switches: dict[ServerKey, dict[tuple[Switch, str], bool]] = defaultdict(dict)
        self.reports: dict[int, QuestionReport] = {}
        self.journal: dict[str, tuple[RunningGame, int]] = {}
        #: Per journaled game: its saved state and seq, and its question message.
        self.states: dict[str, tuple[GameSnapshot, int]] = {}
        self.messages: dict[str, str] = {}
        self.write_delay = 0.0
        self.fail_next: Exception | None = None
        self.closed = False
        # One count for every handle on this data (see ``reopen``); ``_order`` is the last tick.
        self._ticks = itertools.count(1)
        self._order = 0

    async def _write(self) -> None:
        if self.closed:
            raise RuntimeError("store is closed")
        if self.write_delay:
            await asyncio.sleep(self.write_delay)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error

    def _player(self, key: PlayerKey, name: str) -> _Player:
        self._order = next(self._ticks)
        player = self.players.get(key)
        if player is None:
            player = self.players[key] = _Player(name=name, first_seen=self._order)
        player.name = name
        return player

    async def record_answers(self, answers: Sequence[AnswerRecord]) -> None:
        # Like every store: a bad record refuses the whole batch before anything is written.
        for record in answers:
            check_answer(record)
        await self._write()
        self._add_answers(answers)

    def _add_answers(self, answers: Sequence[AnswerRecord]) -> None:
        for record in answers:
            self.answers.append(record)
            player = self._player(record.player, record.name)
            player.answered += 1
            if record.correct:
                player.correct += 1
                player.points += record.points
                player.correct_ms += record.answer_ms
                player.best_streak = max(player.best_streak, record.streak)
            for period in Period:
                row = self.totals[
                    (record.player.server_key, period, period_start(period, record.at))
                ].setdefault(record.player, [0, 0, 0])
                row[0] += record.points
                row[1] += int(record.correct)
                if record.points:
                    row[2] = self._order

    async def record_game(self, game: GameRecord) -> None:
        check_game(game)
        await self._write()
        self.journal.pop(game.game_id, None)
        self.states.pop(game.game_id, None)
        self.messages.pop(game.game_id, None)
        if game.game_id in self.games:
            return
        self.games[game.game_id] = game
        for standing in game.standings:
            player = self._player(standing.player, standing.name)
            player.games += 1
            if standing.player == game.winner:
                player.wins += 1

    async def leaderboard(
        self, server: ServerKey, period: Period, *, now: datetime, limit: int = 10
    ) -> list[LeaderboardRow]:
        rows = self.totals.get((server, period, period_start(period, now)), {})
        # Like every store: players who only missed are not on the board.
        scored = [(key, values) for key, values in rows.items() if values[0] or values[1]]
        ordered = sorted(scored, key=lambda kv: (-kv[1][0], -kv[1][1], kv[1][2]))
        return [
            LeaderboardRow(
                rank=index,
                player=key,
                name=self.players[key].name,
                points=values[0],
                correct=values[1],
            )
            for index, (key, values) in enumerate(ordered[:limit], start=1)
        ]

    async def season_leaderboard(
        self, server: ServerKey, season: Season, *, limit: int = 10
    ) -> list[LeaderboardRow]:
        first, after = season_days(season)
        summed: dict[PlayerKey, list[int]] = {}
        for (where, period, start), rows in self.totals.items():
            if where != server or period is not Period.TODAY or not first <= start < after:
                continue
            for key, (points, correct, reached) in rows.items():
                total = summed.setdefault(key, [0, 0, 0])
                total[0] += points
                total[1] += correct
                total[2] = max(total[2], reached)
        scored = [(key, values) for key, values in summed.items() if values[0] or values[1]]
        ordered = sorted(scored, key=lambda kv: (-kv[1][0], -kv[1][1], kv[1][2]))
        return [
            LeaderboardRow(
                rank=index,
                player=key,
                name=self.players[key].name,
                points=values[0],
                correct=values[1],
            )
            for index, (key, values) in enumerate(ordered[:limit], start=1)
        ]

    async def player_stats(self, player: PlayerKey) -> PlayerStats | None:
        p = self.players.get(player)
        if p is None:
            return None
        return PlayerStats(
            player=player,
            name=p.name,
            points=p.points,
            games=p.games,
            wins=p.wins,
            correct=p.correct,
            answered=p.answered,
            best_streak=p.best_streak,
            average_answer_ms=p.correct_ms / p.correct if p.correct else None,
        )

    async def find_players(self, server: ServerKey, name: str) -> list[PlayerKey]:
        wanted = " ".join(name.split()).casefold()
        return sorted(
            key
            for key, p in self.players.items()
            if key.server_key == server and " ".join(p.name.split()).casefold() == wanted
        )

    async def asked_questions(self, server: ServerKey, question_ids: Collection[str]) -> set[str]:
        return {q for q in question_ids if q in self.asked[server]}

    async def mark_asked(
        self, server: ServerKey, question_ids: Sequence[str], *, at: datetime
    ) -> None:
        await self._write()
        for question_id in question_ids:
            self.asked[server][question_id] = at

    async def forget_asked(self, server: ServerKey, question_ids: Collection[str]) -> None:
        await self._write()
        for question_id in question_ids:
            self.asked[server].pop(question_id, None)

    async def custom_questions(self, server: ServerKey) -> list[Question]:
        return list(self.custom[server].values())

    async def save_custom_question(
        self, server: ServerKey, question: Question, *, by: PlayerKey, at: datetime
    ) -> None:
        await self._write()
        self.custom[server][question.id] = question
        before = self.history[server].get(question.id)
        self.history[server][question.id] = QuestionHistory(
            added_by=before.added_by if before else by.user,
            added_at=before.added_at if before else at,
            changed_by=by.user,
            changed_at=at,
        )

    async def delete_custom_question(
        self, server: ServerKey, question_id: str, *, by: PlayerKey, at: datetime
    ) -> bool:
        await self._write()
        if self.custom[server].pop(question_id, None) is None:
            return False
        self.history[server].pop(question_id, None)
        self.removed.append((server, question_id, by))
        return True

    async def question_history(self, server: ServerKey) -> dict[str, QuestionHistory]:
        return dict(self.history[server])

    async def switched_off(self, server: ServerKey) -> SwitchedOff:
        off = [key for key, is_off in self.switches[server].items() if is_off]
        return SwitchedOff(
            questions=frozenset(name for kind, name in off if kind is Switch.QUESTION),
            categories=frozenset(name for kind, name in off if kind is Switch.CATEGORY),
            banks=frozenset(name for kind, name in off if kind is Switch.BANK),
        )

    async def switch(
        self, server: ServerKey, kind: Switch, name: str, *, on: bool, by: PlayerKey, at: datetime
    ) -> None:
        await self._write()
        self.switches[server][(kind, name)] = not on

    async def file_report(self, draft: ReportDraft) -> QuestionReport:
        await self._write()
        report = QuestionReport(id=len(self.reports) + 1, draft=draft)
        self.reports[report.id] = report
        return report

    async def open_reports(
        self,
        server: ServerKey,
        *,
        question_id: str | None = None,
        reporter: PlayerKey | None = None,
        limit: int = 25,
    ) -> list[QuestionReport]:
        found = [
            r
            for r in self.reports.values()
            if r.draft.server == server
            and r.resolution is None
            and (question_id is None or r.question_id == question_id)
            and (reporter is None or r.draft.reporter == reporter)
        ]
        return found[:limit]

    async def count_open_reports(
        self, server: ServerKey, *, reporter: PlayerKey | None = None
    ) -> int:
        return len(await self.open_reports(server, reporter=reporter, limit=len(self.reports)))

    async def get_report(self, server: ServerKey, report_id: int) -> QuestionReport | None:
        report = self.reports.get(report_id)
        return report if report is not None and report.draft.server == server else None

    async def resolve_reports(
        self,
        server: ServerKey,
        report_ids: Collection[int],
        resolution: Resolution,
        *,
        by: PlayerKey,
        at: datetime,
    ) -> None:
        await self._write()
        for report_id in report_ids:
            report = await self.get_report(server, report_id)
            if report is not None and report.resolution is None:
                self.reports[report_id] = replace(
                    report, resolution=resolution, resolved_by=by.user, resolved_at=at
                )

    async def server_settings(self, server: ServerKey) -> ServerSettings:
        return self.settings.get(server, ServerSettings())

    async def save_server_settings(
        self, server: ServerKey, settings: ServerSettings, *, by: PlayerKey, at: datetime
    ) -> None:
        await self._write()
        self.settings[server] = settings

    async def journal_game(self, game: RunningGame) -> None:
        await self._write()
        self.journal.setdefault(game.game_id, (game, 0))

    async def journal_progress(
        self, game_id: str, questions_asked: int, server: ServerKey | None = None
    ) -> None:
        await self._write()
        if game_id in self.journal:
            game, _ = self.journal[game_id]
            self.journal[game_id] = (game, questions_asked)

    async def save_game_state(
        self, snapshot: GameSnapshot, seq: int, answers: Sequence[AnswerRecord] = ()
    ) -> None:
        for record in answers:
            check_answer(record)
        await self._write()
        self._add_answers(answers)
        # Through JSON, as every database keeps it: what comes back is what was read.
        saved = self.states.get(snapshot.game_id)
        if snapshot.game_id in self.journal and (saved is None or saved[1] < seq):
            self.states[snapshot.game_id] = (snapshot_from_json(snapshot_to_json(snapshot)), seq)

    async def note_question_message(self, channel: ChannelKey, game_id: str, ref: str) -> None:
        await self._write()
        if game_id in self.journal:
            self.messages[game_id] = ref

    async def unfinished_games(self, platform: str) -> list[UnfinishedGame]:
        found = []
        for game, asked in self.journal.values():
            if game.channel.platform != platform:
                continue
            tallies: dict[PlayerKey, list[int]] = {}
            for order, record in enumerate(self.answers):
                if record.game_id == game.game_id:
                    row = tallies.setdefault(record.player, [0, 0, 0])
                    row[0] += record.points
                    row[1] += int(record.correct)
                    if record.points:
                        row[2] = order
            standings = rank(
                Tally(key, self.players[key].name, points=p, correct=c, reached_at=r)
                for key, (p, c, r) in tallies.items()
            )
            state, seq = self.states.get(game.game_id, (None, 0))
            found.append(
                UnfinishedGame(
                    game,
                    questions_asked=asked,
                    standings=standings,
                    state=state,
                    state_seq=seq,
                    state_at=state.taken_at if state is not None else None,
                    question_message=self.messages.get(game.game_id),
                )
            )
        return found

    def reopen(self) -> MemoryScoreStore:
        """A new handle on this store's data, as opening the same database again gives
        (the contract suite's reopen tests): it shares every table and the order count."""
        again = copy.copy(self)
        again.closed = False
        return again

    async def close(self) -> None:
        self.closed = True


@dataclass
class RecordingSink:
    """Keeps every published event, in order."""

    events: list[Event] = field(default_factory=list)

    async def publish(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    def last(self, kind: type[E]) -> E:
        found = self.of(kind)
        assert found, (
            f"no {kind.__name__} was published; got {[type(e).__name__ for e in self.events]}"
        )
        return found[-1]

    def clear(self) -> None:
        self.events.clear()


def question(
    qid: str,
    answer: str = "Paris",
    *,
    prompt: str | None = None,
    type: QuestionType = QuestionType.TEXT,
    choices: tuple[str, ...] = (),
    difficulty: Difficulty = Difficulty.MEDIUM,
    category: str = "geography",
    hints: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
) -> Question:
    return Question(
        id=qid,
        prompt=prompt or f"Question {qid}?",
        answers=(answer, *aliases),
        type=type,
        choices=choices,
        category=category,
        difficulty=difficulty,
        hints=hints,
        explanation=f"Because {answer}.",
        bank_id="test",
    )


SERVER = ServerKey("test", "guild-1")
CHANNEL = ChannelKey("test", "guild-1", "general")


def player(name: str, *, admin: bool = False, server: ServerKey = SERVER) -> Actor:
    return Actor(key=PlayerKey(server.platform, server.server, name), name=name, is_admin=admin)


class ListBank:
    """A QuestionBank over a fixed list (the same for every server)."""

    def __init__(self, questions: Sequence[Question]) -> None:
        self.items = list(questions)

    async def questions(self, server: ServerKey) -> Sequence[Question]:
        return self.items


class RoutedService:
    """The service as an adapter sees it, with its commands routed through ``handle``
    (a spy that counts them, a saboteur that fails one): everything else is the
    service's own."""

    def __init__(self, service: Any, handle: Callable[[Any], Awaitable[None]]) -> None:
        self._service = service
        self.handle = handle

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)
