"""The default ``ScoreStore``: one SQLite file, driven through aiosqlite.

Writes: group commit (``bot.storage.group_commit``)
    One writer task owns every write.  Callers' operations queue up while a
    transaction is in flight and share the next one: the batch is folded into
    a :class:`~bot.storage.write_plan.WritePlan` and written with one
    ``executemany`` per statement (a few thread hops per batch, whatever its
    size), then committed, and only then do the callers' awaits return.  One
    commit per answer through aiosqlite manages ~1.5-3.5k answers/s (each call is
    a thread hop); group commit reaches ~25-30k answers/s here, each answer
    being five index-maintained rows (log, player, three period totals).

    A failed transaction is rolled back.  ``sqlite3.OperationalError`` (locked
    past the busy timeout, disk full, I/O) fails the whole batch, and reaches
    the caller as the port's ``StoreUnavailable``; any other error is blamed on
    the data and each operation is retried alone, so one game's bad record
    never costs another game its point.

Reads
    A file store reads through a second connection with ``query_only`` on.  In
    WAL mode that connection sees every committed write without waiting for
    the writer, so a leaderboard never queues behind a batch of inserts on the
    writer's thread.  An in-memory store (tests) has one connection, because
    two connections to ``:memory:`` would be two databases.

Ranking
    ``leaderboard`` ranks by points, then correct answers, then whoever reached
    that score first, then the player's row id, and numbers rows 1..n without
    shared ranks.  Players who only missed in a period are not listed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import aiosqlite

from bot.domain.model import PlayerKey, Question, ServerKey, ServerSettings
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
from bot.ports import ReloadChannel, StoreUnavailable
from bot.storage.errors import StoreClosedError, StoreOpenError
from bot.storage.group_commit import CommitCounters, GroupCommitter
from bot.storage.periods import period_key, to_epoch_us
from bot.storage.read_rows import history_rows, report_row, switched_off_rows, unfinished_game
from bot.storage.records_json import (
    question_from_json,
    question_to_json,
    settings_from_json,
    settings_to_json,
)
from bot.storage.sqlite import sql
from bot.storage.sqlite.connection import (
    DEFAULT_BUSY_TIMEOUT_MS,
    MEMORY,
    ConnectionSettings,
    cannot_open,
    open_connections,
    read_connection_settings,
    run_on_connection_thread,
)
from bot.storage.sqlite.running import PidFileReloads
from bot.storage.sqlite.schema import Migration, load_migrations
from bot.storage.sqlite.transaction import NewIds, report_transaction, write_transaction
from bot.storage.write_plan import (
    DeleteQuestion,
    ForgetAsked,
    JournalGame,
    JournalProgress,
    RecordAnswers,
    RecordGame,
    ResolveReports,
    SaveQuestion,
    SaveSettings,
    SaveSwitch,
    WriteOp,
    check_answer,
    check_game,
    mark_asked_op,
    name_key,
    op_size,
    question_id_tuple,
)

log = logging.getLogger(__name__)

DEFAULT_MAX_BATCH_RECORDS: Final = 2000
# Bounds the player id cache (~200 bytes an entry); past it, it starts over.
_MAX_CACHED_PLAYERS: Final = 100_000


class SqliteScoreStore:
    """``bot.ports.ScoreStore`` on SQLite. Create it with :func:`open_sqlite_store`."""

    def __init__(
        self,
        *,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        label: str,
        max_batch_records: int = DEFAULT_MAX_BATCH_RECORDS,
    ) -> None:
        self._writer = writer
        self._reader = reader
        self._label = label
        self._close_task: asyncio.Task[None] | None = None
        # Row ids this process has committed; ids never change once assigned.
        self._server_ids: dict[ServerKey, int] = {}
        self._player_ids: dict[PlayerKey, int] = {}
        self._committer = GroupCommitter(
            self._transaction,
            size=op_size,
            max_batch=max_batch_records,
            # A locked, full or broken database fails each write alone just the same
            # (and would wait out the busy timeout once per write): don't retry.
            blame_data=lambda exc: not isinstance(exc, sqlite3.OperationalError),
            name=f"score-writer {label}",
        )

    def __repr__(self) -> str:
        return f"<SqliteScoreStore {self._label}>"

    @property
    def location(self) -> str:
        return self._label

    def reloads(self) -> ReloadChannel:
        """Bots on one SQLite file find each other by pid files beside it."""
        return PidFileReloads(Path(self._label))

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

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
        if not await self._fetch(sql.CUSTOM_QUESTION_LIVE, params):
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
        known = dict(self._server_ids)
        with _unavailable_when_sqlite_says_so(self._label):
            report_id, new = await run_on_connection_thread(
                self._writer,
                lambda: report_transaction(self._writer._conn, draft, known_servers=known),
            )
        self._server_ids.update(new.servers)
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

    async def journal_progress(self, game_id: str, questions_asked: int) -> None:
        await self._submit(JournalProgress(game_id, questions_asked))

    async def _submit(self, op: WriteOp) -> None:
        if self._committer.closing:
            raise StoreClosedError(f"{self!r} is closed")
        with _unavailable_when_sqlite_says_so(self._label):
            await self._committer.submit(op)

    # -- the writer's transactions ---------------------------------------------

    async def _transaction(self, ops: Sequence[WriteOp]) -> None:
        known_servers, known_players = dict(self._server_ids), dict(self._player_ids)

        def run() -> NewIds:
            # Runs on aiosqlite's connection thread, where its sqlite3
            # connection lives: the whole transaction in one round trip.
            return write_transaction(
                self._writer._conn,
                ops,
                known_servers=known_servers,
                known_players=known_players,
            )

        new = await run_on_connection_thread(self._writer, run)
        # Only ids that are committed may be cached: a rolled-back insert's id
        # could be handed to someone else later.
        if len(self._player_ids) + len(new.players) > _MAX_CACHED_PLAYERS:
            self._player_ids.clear()
        self._server_ids.update(new.servers)
        self._player_ids.update(new.players)

    # -- reads ---------------------------------------------------------------

    async def _fetch(self, query: str, params: Sequence[object]) -> list[Any]:
        if self._committer.closing:
            raise StoreClosedError(f"{self!r} is closed")
        with _unavailable_when_sqlite_says_so(self._label):
            return list(await self._reader.execute_fetchall(query, params))

    async def leaderboard(
        self, server: ServerKey, period: Period, *, now: datetime, limit: int = 10
    ) -> list[LeaderboardRow]:
        """The top ``limit`` players of ``server`` in the ``period`` containing ``now``."""
        kind, start = period_key(period, now)
        if limit < 1:
            return []
        rows = await self._fetch(
            sql.LEADERBOARD, (server.platform, server.server, kind, start, limit)
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

    async def player_stats(self, player: PlayerKey) -> PlayerStats | None:
        rows = await self._fetch(sql.PLAYER_STATS, (player.platform, player.server, player.user))
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
        rows = await self._fetch(sql.FIND_PLAYERS, (server.platform, server.server, name_key(name)))
        return [PlayerKey(server.platform, server.server, user) for (user,) in rows]

    async def asked_questions(self, server: ServerKey, question_ids: Collection[str]) -> set[str]:
        """The ids among ``question_ids`` already asked in ``server``."""
        ids = question_id_tuple(question_ids)
        if not ids:
            return set()
        rows = await self._fetch(
            sql.ASKED_QUESTIONS, (server.platform, server.server, json.dumps(ids))
        )
        return {question_id for (question_id,) in rows}

    async def custom_questions(self, server: ServerKey) -> list[Question]:
        """``server``'s own questions in play, oldest first."""
        rows = await self._fetch(sql.CUSTOM_QUESTIONS, (server.platform, server.server))
        return [question_from_json(body) for (body,) in rows]

    async def question_history(self, server: ServerKey) -> dict[str, QuestionHistory]:
        """Who added and last changed each of ``server``'s own questions in play."""
        return history_rows(await self._fetch(sql.QUESTION_HISTORY, self._server_params(server)))

    async def switched_off(self, server: ServerKey) -> SwitchedOff:
        return switched_off_rows(await self._fetch(sql.SWITCHED_OFF, self._server_params(server)))

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
        return [report_row(server, row) for row in await self._fetch(sql.OPEN_REPORTS, params)]

    async def count_open_reports(
        self, server: ServerKey, *, reporter: PlayerKey | None = None
    ) -> int:
        user = reporter.user if reporter is not None else None
        params = (*self._server_params(server), user)
        return int((await self._fetch(sql.COUNT_OPEN_REPORTS, params))[0][0])

    async def get_report(self, server: ServerKey, report_id: int) -> QuestionReport | None:
        rows = await self._fetch(sql.GET_REPORT, (*self._server_params(server), report_id))
        return report_row(server, rows[0]) if rows else None

    @staticmethod
    def _server_params(server: ServerKey) -> tuple[str, str]:
        return (server.platform, server.server)

    async def server_settings(self, server: ServerKey) -> ServerSettings:
        rows = await self._fetch(sql.SERVER_SETTINGS, (server.platform, server.server))
        return settings_from_json(rows[0][0]) if rows else ServerSettings()

    async def unfinished_games(self, platform: str) -> list[UnfinishedGame]:
        """``platform``'s games that started and were never recorded as ended,
        each with standings rebuilt from its committed answers."""
        found: list[UnfinishedGame] = []
        for row in await self._fetch(sql.UNFINISHED_GAMES, (platform,)):
            game_id, after = row[0], row[-1]
            tallies = await self._fetch(sql.GAME_TALLIES, (after, game_id))
            found.append(unfinished_game(platform, row, tallies))
        return found

    # -- diagnostics and lifecycle -------------------------------------------

    def writer_counters(self) -> CommitCounters:
        """Transactions, operations and rows committed since the store was opened."""
        return self._committer.counters()

    async def connection_settings(self) -> ConnectionSettings:
        return await read_connection_settings(self._writer)

    async def check_writable(self, *, lock_wait: float = 1.0) -> bool:
        """Whether a write could start now (for health checks); quick even when locked.

        Takes the write lock (``BEGIN IMMEDIATE``) on the writer's connection and
        lets it go at once, as one call queued on the writer's thread: it runs
        between two of the store's own transactions (each is a single call), so
        it never mistakes them for a lock, and holds up the next one for at most
        ``lock_wait`` seconds, its busy timeout meanwhile.  False if another
        process holds the lock past ``lock_wait``, the file cannot be written,
        the store is closed, or the writer's thread is still busy after
        ``lock_wait`` (so the answer comes within about twice that).
        """
        if self._committer.closing:
            return False
        wait_ms = max(int(lock_wait * 1000), 0)

        def probe() -> None:
            conn = self._writer._conn
            (saved,) = conn.execute("PRAGMA busy_timeout").fetchone()
            conn.execute(f"PRAGMA busy_timeout = {wait_ms:d}")
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
            finally:
                conn.execute(f"PRAGMA busy_timeout = {int(saved):d}")

        try:
            # The outer bound also covers the wait for the thread (a long batch ahead).
            async with asyncio.timeout(2 * lock_wait + 0.05):
                await run_on_connection_thread(self._writer, probe)
        except (sqlite3.Error, ValueError, TimeoutError) as exc:
            log.warning("%r is not writable: %s", self, exc or "timed out")
            return False
        return True

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
            if self._reader is not self._writer:
                await self._reader.close()
            await self._writer.close()
            log.debug("%r closed", self)


@contextlib.contextmanager
def _unavailable_when_sqlite_says_so(label: str) -> Iterator[None]:
    """SQLite's operational errors (locked, busy, full, read-only, I/O) are the port's
    ``StoreUnavailable``; anything else (a constraint, a bad value) is a bug and stays."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise StoreUnavailable(f"{label}: {exc}") from exc


async def open_sqlite_store(
    path: Path | str,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    max_batch_records: int = DEFAULT_MAX_BATCH_RECORDS,
    migrations: Sequence[Migration] | None = None,
) -> SqliteScoreStore:
    """Open (creating it and its parent directories if needed) the store at ``path``.

    Applies pending migrations, each in its own transaction; refuses with
    :class:`~bot.storage.errors.SchemaError` a database written by a newer
    trivia-bot.  ``":memory:"`` opens a private in-memory database (tests).
    ``migrations`` replaces the bundled ones (tests of the upgrade path).
    """
    if busy_timeout_ms < 0:
        raise ValueError(f"busy_timeout_ms must be >= 0, got {busy_timeout_ms}")
    if max_batch_records < 1:
        raise ValueError(f"max_batch_records must be >= 1, got {max_batch_records}")
    location = str(path)
    memory = location == MEMORY
    schema = load_migrations() if migrations is None else tuple(migrations)
    try:
        if not memory:
            Path(location).parent.mkdir(parents=True, exist_ok=True)
        writer, reader = await open_connections(location, busy_timeout_ms, schema, memory=memory)
    except (sqlite3.Error, OSError) as exc:
        raise StoreOpenError(cannot_open(location, exc)) from exc
    log.info("opened score store %s (schema version %d)", location, len(schema))
    return SqliteScoreStore(
        writer=writer, reader=reader, label=location, max_batch_records=max_batch_records
    )
