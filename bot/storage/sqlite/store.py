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
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import aiosqlite

from bot.domain.model import PlayerKey, ServerKey
from bot.domain.records import ReportDraft
from bot.ports import ReloadChannel, StoreUnavailable
from bot.storage.errors import StoreOpenError
from bot.storage.shared_store import Statement
from bot.storage.sql_store import DEFAULT_MAX_BATCH_RECORDS, SqlScoreStore
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
from bot.storage.sqlite.copy import SqliteTables
from bot.storage.sqlite.fencing import lease_current
from bot.storage.sqlite.running import PidFileReloads
from bot.storage.sqlite.schema import Migration, load_migrations
from bot.storage.sqlite.transaction import NewIds, report_transaction, write_transaction
from bot.storage.write_plan import WriteOp

log = logging.getLogger(__name__)

# Bounds the player id cache (~200 bytes an entry); past it, it starts over.
_MAX_CACHED_PLAYERS: Final = 100_000


class SqliteScoreStore(SqlScoreStore):
    """``bot.ports.ScoreStore`` on SQLite. Create it with :func:`open_sqlite_store`."""

    def __init__(
        self,
        *,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        label: str,
        max_batch_records: int = DEFAULT_MAX_BATCH_RECORDS,
    ) -> None:
        super().__init__(
            label=label,
            queries=sql,
            max_batch_records=max_batch_records,
            # A locked, full or broken database fails each write alone just the same
            # (and would wait out the busy timeout once per write): don't retry.
            blame_data=lambda exc: not isinstance(exc, sqlite3.OperationalError),
        )
        self._writer = writer
        self._reader = reader
        # Row ids this process has committed; ids never change once assigned.
        self._server_ids: dict[ServerKey, int] = {}
        self._player_ids: dict[PlayerKey, int] = {}

    def pool_stats(self) -> tuple[int, int, float] | None:
        return None  # two connections of its own, no pool

    def reloads(self) -> ReloadChannel:
        """Bots on one SQLite file find each other by pid files beside it."""
        return PidFileReloads(Path(self._label))

    def bulk_tables(self) -> SqliteTables:
        """The file's tables as a whole, for ``db copy`` (``bot.storage.bulk``)."""
        return SqliteTables(Path(self._label))

    # -- the backend's part ---------------------------------------------------------

    async def _transaction(self, ops: Sequence[WriteOp]) -> None:
        # The caches are read on the connection's thread as they are, not copied: only
        # this method changes them, after its transaction has returned, and group commit
        # runs one transaction at a time.  (A copy per commit cost O(players cached) on
        # the event loop, and gave every young collector pass a big new dict to scan.)
        known_servers, known_players = self._server_ids, self._player_ids

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

    async def _read(self, query: str, params: Sequence[object]) -> list[Sequence[Any]]:
        return list(await self._reader.execute_fetchall(query, params))

    async def _insert_report(self, draft: ReportDraft) -> int:
        known = dict(self._server_ids)
        report_id, new = await run_on_connection_thread(
            self._writer,
            lambda: report_transaction(self._writer._conn, draft, known_servers=known),
        )
        self._server_ids.update(new.servers)
        return report_id

    async def _write_now(
        self, first: Statement, otherwise: Statement | None = None
    ) -> tuple[list[Sequence[Any]], list[Sequence[Any]]]:
        def run() -> tuple[list[Sequence[Any]], list[Sequence[Any]]]:
            # One call on the writer's thread, between two group-commit batches (each is
            # one call too); BEGIN IMMEDIATE waits out another process's write lock.
            conn = self._writer._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                rows = conn.execute(*first).fetchall()
                more = conn.execute(*otherwise).fetchall() if otherwise and not rows else []
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return rows, more

        return await run_on_connection_thread(self._writer, run)

    async def _lease_current_now(self, name: str, epoch: int) -> bool:
        def run() -> bool:
            conn = self._writer._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                return lease_current(conn, name, epoch)
            finally:
                conn.execute("ROLLBACK")  # it wrote nothing

        return await run_on_connection_thread(self._writer, run)

    def _unavailable(self) -> contextlib.AbstractContextManager[None]:
        return _unavailable_when_sqlite_says_so(self._label)

    def _id_list(self, ids: tuple[str, ...]) -> object:
        return json.dumps(ids)  # read with json_each

    async def _close_connections(self) -> None:
        if self._reader is not self._writer:
            await self._reader.close()
        await self._writer.close()

    # -- diagnostics -------------------------------------------------------------------

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
