"""What every SQL backend's store does the same: the ports' API over a dialect's SQL.

A backend (``sqlite/``, ``postgres/``) subclasses ``SqlScoreStore`` with its
connections: how a batch of writes becomes one transaction (group commit,
``bot.storage.group_commit``, folding the batch with ``write_plan``), how a
query is read, how a report gets its id, which of its driver's errors mean the
database cannot be used for now (``StoreUnavailable``), and its module of SQL
(``queries``), whose statements take the same parameters in the same order in
every dialect.  Everything else (checking records, building the write
operations, turning rows into records) is here, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime
from types import ModuleType, TracebackType
from typing import Any, Final, Self

from bot.coordination import Fence
from bot.domain.daily import Season
from bot.domain.model import ChannelKey, PlayerKey, Question, ServerKey, ServerSettings
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
from bot.ports import ReloadChannel
from bot.storage.daily_store import DailySqlStore
from bot.storage.errors import StoreClosedError
from bot.storage.game_state_json import snapshot_to_json
from bot.storage.group_commit import CommitCounters, GroupCommitter
from bot.storage.periods import KIND_DAY, period_key, season_days, to_epoch_us
from bot.storage.read_rows import history_rows, report_row, switched_off_rows, unfinished_game
from bot.storage.records_json import (
    question_from_json,
    question_to_json,
    settings_from_json,
    settings_to_json,
)
from bot.storage.schedule_store import ScheduleSqlStore
from bot.storage.shared_store import SharedSqlStore
from bot.storage.slack_store import SlackSqlStore
from bot.storage.write_plan import (
    DeleteQuestion,
    Fenced,
    ForgetAsked,
    JournalGame,
    JournalProgress,
    NoteQuestionMessage,
    RecordAnswers,
    RecordGame,
    ResolveReports,
    SaveGameState,
    SaveQuestion,
    SaveSettings,
    SaveSwitch,
    UnfencedOp,
    WriteOp,
    check_answer,
    check_game,
    mark_asked_op,
    name_key,
    op_servers,
    op_size,
    question_id_tuple,
)

log = logging.getLogger(__name__)

DEFAULT_MAX_BATCH_RECORDS: Final = 2000


class SqlScoreStore(SharedSqlStore, SlackSqlStore, ScheduleSqlStore, DailySqlStore, ABC):
    """``bot.ports.OperatedStore`` over a dialect's SQL (see the module docstring); what the
    processes of one bot share comes from ``SharedSqlStore``, the Slack app's installations
    from ``SlackSqlStore``, schedules from ``ScheduleSqlStore``, daily rounds from
    ``DailySqlStore``."""

    def __init__(
        self,
        *,
        label: str,
        queries: ModuleType,
        max_batch_records: int = DEFAULT_MAX_BATCH_RECORDS,
        blame_data: Callable[[Exception], bool],
    ) -> None:
        self._label = label
        self._sql = queries
        self._close_task: asyncio.Task[None] | None = None
        self._fence_for: Callable[[ServerKey], Fence | None] | None = None
        self._committer = GroupCommitter(
            self._transaction,
            size=op_size,
            max_batch=max_batch_records,
            blame_data=blame_data,
            name=f"score-writer {label}",
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._label}>"

    @property
    def location(self) -> str:
        return self._label

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- what a backend provides --------------------------------------------------

    @abstractmethod
    async def _transaction(self, ops: Sequence[WriteOp]) -> None:
        """Write ``ops`` in one transaction, or none of them (re-raising)."""

    @abstractmethod
    async def _read(self, query: str, params: Sequence[object]) -> list[Sequence[Any]]:
        """The rows of one query."""

    @abstractmethod
    async def _insert_report(self, draft: ReportDraft) -> int:
        """Store a report in a transaction of its own; its new id."""

    @abstractmethod
    def _unavailable(self) -> contextlib.AbstractContextManager[None]:
        """Turns the driver's "cannot be used for now" errors into ``StoreUnavailable``."""

    @abstractmethod
    def _id_list(self, ids: tuple[str, ...]) -> object:
        """A list of ids as the dialect's ``IN`` takes one parameter."""

    @abstractmethod
    async def _close_connections(self) -> None: ...

    @abstractmethod
    def reloads(self) -> ReloadChannel: ...

    @abstractmethod
    async def check_writable(self, *, lock_wait: float = 1.0) -> bool: ...

    # -- writes --------------------------------------------------------------

    async def record_answers(self, answers: Sequence[AnswerRecord]) -> None:
        """Store answers and update every total; returns once committed."""
        records = tuple(answers)
        for record in records:
            check_answer(record)
        if records:
            await self._submit(RecordAnswers(records))

    async def record_game(self, game: GameRecord) -> None:
        """Store a finished game: a game for each player in the standings, a
        win for ``winner``.  Recording the same ``game_id`` again is a no-op
        (the first record wins)."""
        check_game(game)
        await self._submit(RecordGame(game))

    async def mark_asked(
        self, server: ServerKey, question_ids: Sequence[str], *, at: datetime
    ) -> None:
        """Remember that ``question_ids`` were asked in ``server`` at ``at``."""
        op = mark_asked_op(server, question_ids, at)
        if op.question_ids:
            await self._submit(op)

    async def forget_asked(self, server: ServerKey, question_ids: Collection[str]) -> None:
        """Make ``question_ids`` askable again in ``server`` (ids never asked are ignored)."""
        ids = question_id_tuple(question_ids)
        if ids:
            await self._submit(ForgetAsked(server, ids))

    async def save_custom_question(
        self, server: ServerKey, question: Question, *, by: PlayerKey, at: datetime
    ) -> None:
        """Add one of ``server``'s own questions, or replace it (same id); a
        removed question saved again is back in play."""
        body = question_to_json(question)
        await self._submit(SaveQuestion(server, question.id, body, by.user, to_epoch_us(at)))

    async def delete_custom_question(
        self, server: ServerKey, question_id: str, *, by: PlayerKey, at: datetime
    ) -> bool:
        """Take a question out of ``server``'s pool (kept, with who and when).
        False if the server has no such question in play."""
        params = (server.platform, server.server, question_id)
        if not await self._fetch(self._sql.CUSTOM_QUESTION_LIVE, params):
            return False
        await self._submit(DeleteQuestion(server, question_id, by.user, to_epoch_us(at)))
        return True

    async def save_server_settings(
        self, server: ServerKey, settings: ServerSettings, *, by: PlayerKey, at: datetime
    ) -> None:
        body = settings_to_json(settings)
        await self._submit(SaveSettings(server, body, by.user, to_epoch_us(at)))

    async def switch(
        self, server: ServerKey, kind: Switch, name: str, *, on: bool, by: PlayerKey, at: datetime
    ) -> None:
        op = SaveSwitch(server, kind.value, name, not on, by.user, to_epoch_us(at))
        await self._submit(op)

    async def file_report(self, draft: ReportDraft) -> QuestionReport:
        """Store a player's report; it comes back with its id."""
        if self._committer.closing:
            raise StoreClosedError(f"{self!r} is closed")
        with self._unavailable():
            report_id = await self._insert_report(draft)
        return QuestionReport(id=report_id, draft=draft)

    async def resolve_reports(
        self,
        server: ServerKey,
        report_ids: Collection[int],
        resolution: Resolution,
        *,
        by: PlayerKey,
        at: datetime,
    ) -> None:
        ids = tuple(sorted(set(report_ids)))
        if ids:
            op = ResolveReports(server, ids, resolution.value, by.user, to_epoch_us(at))
            await self._submit(op)

    async def journal_game(self, game: RunningGame) -> None:
        """Keep ``game`` in the journal until ``record_game`` records it."""
        await self._submit(JournalGame(game))

    async def journal_progress(
        self, game_id: str, questions_asked: int, server: ServerKey | None = None
    ) -> None:
        await self._submit(JournalProgress(game_id, questions_asked, server))

    async def save_game_state(
        self, snapshot: GameSnapshot, seq: int, answers: Sequence[AnswerRecord] = ()
    ) -> None:
        """Keep ``snapshot`` as its game's state (unless a higher ``seq`` is kept
        already), in one transaction with ``answers``; a game not in the journal
        (recorded as ended) is left alone."""
        records = tuple(answers)
        for record in records:
            check_answer(record)
        body = snapshot_to_json(snapshot)
        at_us = to_epoch_us(snapshot.taken_at)
        server = snapshot.channel.server_key
        state = SaveGameState(snapshot.game_id, body, seq, at_us, server)
        await self._submit(RecordAnswers(records, state))

    async def note_question_message(self, channel: ChannelKey, game_id: str, ref: str) -> None:
        await self._submit(NoteQuestionMessage(game_id, ref, channel.server_key))

    def fence_writes(self, fence_for: Callable[[ServerKey], Fence | None]) -> None:
        """From now on every write for a server is made under ``fence_for(server)``
        (the lease of its shard, None: no lease needed): it raises ``FencedOut`` when
        this process cannot prove it holds the lease, and the transaction refuses the
        write (``FencedOut``) when the lease changed hands or expired meanwhile."""
        self._fence_for = fence_for

    @contextlib.contextmanager
    def _usable(self) -> Iterator[None]:
        if self._committer.closing:
            raise StoreClosedError(f"{self!r} is closed")
        with self._unavailable():
            yield

    async def _submit(self, op: UnfencedOp) -> None:
        if self._committer.closing:
            raise StoreClosedError(f"{self!r} is closed")
        write: WriteOp = op
        if self._fence_for is not None:
            fence_for = self._fence_for
            fences = {f for s in op_servers(op) if (f := fence_for(s)) is not None}
            if fences:
                write = Fenced(op, tuple(sorted(fences)))
        with self._unavailable():
            await self._committer.submit(write)

    # -- reads ---------------------------------------------------------------

    async def _fetch(self, query: str, params: Sequence[object]) -> list[Sequence[Any]]:
        if self._committer.closing:
            raise StoreClosedError(f"{self!r} is closed")
        with self._unavailable():
            return await self._read(query, params)

    async def leaderboard(
        self, server: ServerKey, period: Period, *, now: datetime, limit: int = 10
    ) -> list[LeaderboardRow]:
        """The top ``limit`` players of ``server`` in the ``period`` containing ``now``."""
        kind, start = period_key(period, now)
        if limit < 1:
            return []
        rows = await self._fetch(
            self._sql.LEADERBOARD, (server.platform, server.server, kind, start, limit)
        )
        return [
            LeaderboardRow(
                rank=rank,
                player=PlayerKey(server.platform, server.server, user),
                name=name,
                points=points,
                correct=correct,
            )
            for rank, (user, name, points, correct) in enumerate(rows, start=1)
        ]

    async def season_leaderboard(
        self, server: ServerKey, season: Season, *, limit: int = 10
    ) -> list[LeaderboardRow]:
        """The top ``limit`` players of ``server`` in ``season``: its UTC days' totals
        summed (nothing more is written per answer for seasons)."""
        if limit < 1:
            return []
        first, after = season_days(season)
        rows = await self._fetch(
            self._sql.SEASON_LEADERBOARD,
            (server.platform, server.server, KIND_DAY, first, after, limit),
        )
        return [
            LeaderboardRow(
                rank=rank,
                player=PlayerKey(server.platform, server.server, user),
                name=name,
                points=int(points),
                correct=int(correct),
            )
            for rank, (user, name, points, correct) in enumerate(rows, start=1)
        ]

    async def player_stats(self, player: PlayerKey) -> PlayerStats | None:
        rows = await self._fetch(
            self._sql.PLAYER_STATS, (player.platform, player.server, player.user)
        )
        if not rows:
            return None
        name, points, games, wins, correct, answered, best_streak, correct_ms = rows[0]
        return PlayerStats(
            player=player,
            name=name,
            points=points,
            games=games,
            wins=wins,
            correct=correct,
            answered=answered,
            best_streak=best_streak,
            average_answer_ms=correct_ms / correct if correct else None,
        )

    async def find_players(self, server: ServerKey, name: str) -> list[PlayerKey]:
        """Players of ``server`` whose latest display name is ``name``, ignoring
        case and spacing; the highest scorer first."""
        rows = await self._fetch(
            self._sql.FIND_PLAYERS, (server.platform, server.server, name_key(name))
        )
        return [PlayerKey(server.platform, server.server, user) for (user,) in rows]

    async def asked_questions(self, server: ServerKey, question_ids: Collection[str]) -> set[str]:
        """The ids among ``question_ids`` already asked in ``server``."""
        ids = question_id_tuple(question_ids)
        if not ids:
            return set()
        rows = await self._fetch(
            self._sql.ASKED_QUESTIONS, (server.platform, server.server, self._id_list(ids))
        )
        return {question_id for (question_id,) in rows}

    async def custom_questions(self, server: ServerKey) -> list[Question]:
        """``server``'s own questions in play, oldest first."""
        rows = await self._fetch(self._sql.CUSTOM_QUESTIONS, (server.platform, server.server))
        return [question_from_json(body) for (body,) in rows]

    async def question_history(self, server: ServerKey) -> dict[str, QuestionHistory]:
        """Who added and last changed each of ``server``'s own questions in play."""
        return history_rows(
            await self._fetch(self._sql.QUESTION_HISTORY, self._server_params(server))
        )

    async def switched_off(self, server: ServerKey) -> SwitchedOff:
        return switched_off_rows(
            await self._fetch(self._sql.SWITCHED_OFF, self._server_params(server))
        )

    async def open_reports(
        self,
        server: ServerKey,
        *,
        question_id: str | None = None,
        reporter: PlayerKey | None = None,
        limit: int = 25,
    ) -> list[QuestionReport]:
        user = reporter.user if reporter is not None else None
        params = (*self._server_params(server), question_id, user, limit)
        return [
            report_row(server, row) for row in await self._fetch(self._sql.OPEN_REPORTS, params)
        ]

    async def count_open_reports(
        self, server: ServerKey, *, reporter: PlayerKey | None = None
    ) -> int:
        user = reporter.user if reporter is not None else None
        params = (*self._server_params(server), user)
        return int((await self._fetch(self._sql.COUNT_OPEN_REPORTS, params))[0][0])

    async def get_report(self, server: ServerKey, report_id: int) -> QuestionReport | None:
        rows = await self._fetch(self._sql.GET_REPORT, (*self._server_params(server), report_id))
        return report_row(server, rows[0]) if rows else None

    @staticmethod
    def _server_params(server: ServerKey) -> tuple[str, str]:
        return (server.platform, server.server)

    async def server_settings(self, server: ServerKey) -> ServerSettings:
        rows = await self._fetch(self._sql.SERVER_SETTINGS, (server.platform, server.server))
        return settings_from_json(rows[0][0]) if rows else ServerSettings()

    async def unfinished_games(self, platform: str) -> list[UnfinishedGame]:
        """``platform``'s games that started and were never recorded as ended,
        each with standings rebuilt from its committed answers."""
        found: list[UnfinishedGame] = []
        for row in await self._fetch(self._sql.UNFINISHED_GAMES, (platform,)):
            game_id, after = row[0], row[-1]
            tallies = await self._fetch(self._sql.GAME_TALLIES, (after, game_id))
            found.append(unfinished_game(platform, row, tallies))
        return found

    # -- diagnostics and lifecycle -------------------------------------------

    def writer_counters(self) -> CommitCounters:
        """Transactions, operations and rows committed since the store was opened."""
        return self._committer.counters()

    async def close(self) -> None:
        """Commit everything already submitted, stop the writer, close the
        connections.  Idempotent; concurrent calls all wait for the same close."""
        if self._close_task is None:
            self._close_task = asyncio.create_task(self._shutdown(), name=f"close {self!r}")
        # Shielded: a caller cancelled mid-close must not leave connections half closed.
        await asyncio.shield(self._close_task)

    async def _shutdown(self) -> None:
        try:
            await self._committer.close()
        finally:
            await self._close_connections()
            log.debug("%r closed", self)
