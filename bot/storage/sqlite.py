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
    past the busy timeout, disk full, I/O) fails the whole batch; any other
    error is blamed on the data and each operation is retried alone, so one
    game's bad record never costs another game its point.

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
import json
import logging
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import aiosqlite  # noqa: TID251

from bot.domain.model import PlayerKey, Question, ServerKey, ServerSettings
from bot.ports import AnswerRecord, GameRecord, LeaderboardRow, Period, PlayerStats
from bot.storage import sqlite_rows
from bot.storage import sqlite_sql as sql
from bot.storage.errors import StoreClosedError
from bot.storage.group_commit import CommitCounters, GroupCommitter
from bot.storage.periods import period_key, to_epoch_us
from bot.storage.records_json import (
    question_from_json,
    question_to_json,
    settings_from_json,
    settings_to_json,
)
from bot.storage.schema import Migration, apply_migrations, load_migrations
from bot.storage.write_plan import (
    ForgetAsked,
    RecordAnswers,
    RecordGame,
    RemoveQuestion,
    SaveQuestion,
    SaveSettings,
    WriteOp,
    WritePlan,
    build_plan,
    check_answer,
    check_game,
    game_ids,
    mark_asked_op,
    name_key,
    op_size,
    question_id_tuple,
)

log = logging.getLogger(__name__)

MEMORY: Final = ":memory:"
DEFAULT_BUSY_TIMEOUT_MS: Final = 5000
DEFAULT_MAX_BATCH_RECORDS: Final = 2000
# Bounds the player id cache (~200 bytes an entry); past it, it starts over.
_MAX_CACHED_PLAYERS: Final = 100_000


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """The pragmas the writer connection runs with (for diagnostics and tests)."""

    journal_mode: str
    synchronous: int
    busy_timeout_ms: int
    foreign_keys: bool


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
        await self._submit(RemoveQuestion(server, question_id, by.user, to_epoch_us(at)))
        return True

    async def save_server_settings(
        self, server: ServerKey, settings: ServerSettings, *, by: PlayerKey, at: datetime
    ) -> None:
        body = settings_to_json(settings)
        await self._submit(SaveSettings(server, body, by.user, to_epoch_us(at)))

    async def _submit(self, op: WriteOp) -> None:
        if self._committer.closing:
            raise StoreClosedError(f"{self!r} is closed")
        await self._committer.submit(op)

    # -- the writer's transactions ---------------------------------------------

    async def _transaction(self, ops: Sequence[WriteOp]) -> None:
        conn = self._writer
        # IMMEDIATE takes the write lock up front, so a busy database is waited
        # for (busy timeout) here rather than failing halfway through.
        await conn.execute("BEGIN IMMEDIATE")
        try:
            ids = game_ids(ops)
            recorded = await self._recorded_games(ids) if ids else set()
            server_ids, player_ids = await self._apply(build_plan(ops, recorded_games=recorded))
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                try:
                    await conn.execute("ROLLBACK")
                except sqlite3.Error:
                    log.exception("%r: rollback failed", self)
            raise
        # Only ids that are committed may be cached: a rolled-back insert's id
        # could be handed to someone else later.
        if len(self._player_ids) + len(player_ids) > _MAX_CACHED_PLAYERS:
            self._player_ids.clear()
        self._server_ids.update(server_ids)
        self._player_ids.update(player_ids)

    async def _recorded_games(self, ids: list[str]) -> set[str]:
        rows = await self._writer.execute_fetchall(sql.RECORDED_GAMES, (json.dumps(ids),))
        return {row[0] for row in rows}

    async def _apply(self, plan: WritePlan) -> tuple[dict[ServerKey, int], dict[PlayerKey, int]]:
        """Write ``plan`` inside the open transaction; return the row ids it used."""
        conn = self._writer
        server_ids = await self._resolve_servers(plan.servers())
        if plan.players:
            # Players first: every other row refers to its player's row id.
            await conn.executemany(sql.UPSERT_PLAYER, sqlite_rows.player_rows(plan, server_ids))
        player_ids = await self._resolve_players(plan.players, server_ids)
        if plan.answers:
            await conn.executemany(sql.INSERT_ANSWER, sqlite_rows.answer_rows(plan, player_ids))
        periods = sqlite_rows.period_rows(plan, server_ids, player_ids)
        if periods:
            await conn.executemany(sql.UPSERT_PERIOD_TOTAL, periods)
        if plan.games:
            games, standings = sqlite_rows.game_rows(plan, server_ids, player_ids)
            await conn.executemany(sql.INSERT_GAME, games)
            await conn.executemany(sql.INSERT_GAME_PLAYER, standings)
        upserts, deletes = sqlite_rows.asked_rows(plan, server_ids)
        if upserts:
            await conn.executemany(sql.UPSERT_ASKED, upserts)
        if deletes:
            await conn.executemany(sql.DELETE_ASKED, deletes)
        for op in plan.admin:
            # Admins' writes are rare: one statement each, in the order made.
            server_id = server_ids[op.server]
            match op:
                case SaveQuestion(_, question_id, body, by_user, at_us):
                    await conn.execute(
                        sql.SAVE_QUESTION, (server_id, question_id, body, by_user, at_us)
                    )
                case RemoveQuestion(_, question_id, by_user, at_us):
                    await conn.execute(
                        sql.REMOVE_QUESTION, (server_id, question_id, by_user, at_us)
                    )
                case SaveSettings(_, body, by_user, at_us):
                    await conn.execute(sql.SAVE_SETTINGS, (server_id, body, by_user, at_us))
        return server_ids, player_ids

    async def _resolve_servers(self, servers: Iterable[ServerKey]) -> dict[ServerKey, int]:
        """Row ids of ``servers``, adding the ones not stored yet."""
        found: dict[ServerKey, int] = {}
        for server in servers:
            server_id = self._server_ids.get(server)
            if server_id is None:
                # A new server: once per server per process, so two hops are fine.
                params = (server.platform, server.server)
                await self._writer.execute(sql.ADD_SERVER, params)
                (server_id,) = next(
                    iter(await self._writer.execute_fetchall(sql.SERVER_ID, params))
                )
            found[server] = server_id
        return found

    async def _resolve_players(
        self, players: Iterable[PlayerKey], server_ids: dict[ServerKey, int]
    ) -> dict[PlayerKey, int]:
        """Row ids of ``players``, all of which exist by now (just upserted)."""
        found: dict[PlayerKey, int] = {}
        missing: dict[ServerKey, list[str]] = {}
        for player in players:
            player_id = self._player_ids.get(player)
            if player_id is None:
                missing.setdefault(player.server_key, []).append(player.user)
            else:
                found[player] = player_id
        for server, users in missing.items():
            params = (server_ids[server], json.dumps(users))
            for user, player_id in await self._writer.execute_fetchall(sql.PLAYER_IDS, params):
                found[PlayerKey(server.platform, server.server, user)] = player_id
        return found

    # -- reads ---------------------------------------------------------------

    async def _fetch(self, query: str, params: Sequence[object]) -> list[Any]:
        if self._committer.closing:
            raise StoreClosedError(f"{self!r} is closed")
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

    async def server_settings(self, server: ServerKey) -> ServerSettings:
        rows = await self._fetch(sql.SERVER_SETTINGS, (server.platform, server.server))
        return settings_from_json(rows[0][0]) if rows else ServerSettings()

    # -- diagnostics and lifecycle -------------------------------------------

    def writer_counters(self) -> CommitCounters:
        """Transactions, operations and rows committed since the store was opened."""
        return self._committer.counters()

    async def connection_settings(self) -> ConnectionSettings:
        values = []
        for pragma in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys"):
            rows = list(await self._writer.execute_fetchall(f"PRAGMA {pragma}"))
            values.append(rows[0][0])
        mode, synchronous, busy_timeout, foreign_keys = values
        return ConnectionSettings(
            journal_mode=str(mode),
            synchronous=int(synchronous),
            busy_timeout_ms=int(busy_timeout),
            foreign_keys=bool(foreign_keys),
        )

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
    if not memory:
        Path(location).parent.mkdir(parents=True, exist_ok=True)
    schema = load_migrations() if migrations is None else tuple(migrations)

    writer = await _connect(location, busy_timeout_ms)
    reader = writer
    try:
        await _configure_writer(writer, location, memory=memory)
        await apply_migrations(writer, schema, location=location)
        if not memory:
            reader = await _connect(location, busy_timeout_ms)
            await reader.execute("PRAGMA query_only = ON")
    except BaseException:
        if reader is not writer:
            await reader.close()
        await writer.close()
        raise
    log.info("opened score store %s (schema version %d)", location, len(schema))
    return SqliteScoreStore(
        writer=writer, reader=reader, label=location, max_batch_records=max_batch_records
    )


async def _connect(location: str, busy_timeout_ms: int) -> aiosqlite.Connection:
    # isolation_level=None: the store issues BEGIN/COMMIT itself, so the
    # sqlite3 module never opens a transaction behind its back.
    conn = await aiosqlite.connect(location, isolation_level=None)
    try:
        # PRAGMA values cannot be bound as parameters; this is an int we validated.
        await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms):d}")
    except BaseException:
        await conn.close()
        raise
    return conn


async def _configure_writer(conn: aiosqlite.Connection, location: str, *, memory: bool) -> None:
    if not memory:
        rows = list(await conn.execute_fetchall("PRAGMA journal_mode = WAL"))
        mode = str(rows[0][0])
        if mode.lower() != "wal":
            log.warning(
                "%s: SQLite kept journal_mode=%s instead of WAL; readers will "
                "wait for writers (is it on a network filesystem?)",
                location,
                mode,
            )
    await conn.execute("PRAGMA synchronous = NORMAL")
    # Up to 64 MiB of page cache (allocated as used): at a million answers the
    # totals' indexes outgrow the 2 MiB default and every batch pays in page reads.
    await conn.execute("PRAGMA cache_size = -65536")
    await conn.execute("PRAGMA foreign_keys = ON")
