"""The store for bots that outgrow one machine: PostgreSQL, driven through asyncpg.

The same API as SQLite's (``bot.storage.sql_store``), with PostgreSQL's parts:

Writes: group commit (``bot.storage.group_commit``)
    One writer task per process; callers' operations queue while a transaction
    is in flight and share the next one, written in key order with one statement
    per table (``transaction``).  Several processes write to one database at
    once: their transactions never deadlock, because every one of them locks
    rows in the same order.
Reads
    From a small connection pool, straight from the maintained totals.
Errors
    A database that cannot be used for now (connection lost or refused, a
    read-only replica, a full disk, a lock or statement timeout, shutting down)
    is the port's ``StoreUnavailable``; a constraint or a bad value is a bug.

Which database and schema: the URL of ``TRIVIA_DB``
(``postgresql://user:password@host:5432/dbname``); query parameters other than
asyncpg's own become server settings, so ``?search_path=trivia`` puts the
tables in schema ``trivia``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any, Final

import asyncpg

from bot.domain.model import ServerKey
from bot.domain.records import ReportDraft
from bot.ports import FencedOut, ReloadChannel, StoreUnavailable
from bot.storage.errors import StoreOpenError
from bot.storage.location import masked
from bot.storage.postgres import sql
from bot.storage.postgres.copy import PostgresTables
from bot.storage.postgres.fencing import lease_current
from bot.storage.postgres.notify import NotifyReloads
from bot.storage.postgres.schema import apply_migrations, load_migrations
from bot.storage.postgres.transaction import report_transaction, write_transaction
from bot.storage.shared_store import Statement
from bot.storage.sql_store import DEFAULT_MAX_BATCH_RECORDS, SqlScoreStore
from bot.storage.write_plan import WriteOp

log = logging.getLogger(__name__)

#: Connections for reads and the writer; one process rarely needs more.
POOL_SIZE: Final = 10
#: How long to wait for the server when connecting, and for one statement.
CONNECT_TIMEOUT: Final = 10.0
STATEMENT_TIMEOUT: Final = 30.0
#: How long a lease's take waits for its row before looking at what is in its way.
TAKE_LOCK_WAIT: Final = 0.1

#: What PostgreSQL says when the database cannot be used for now (the port's
#: StoreUnavailable): connections lost, the server shutting down or starting, a
#: read-only replica, no room, a timeout, too many clients.
_UNAVAILABLE: Final = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    # A session ended under a statement (a lease's take ending a stalled holder) can
    # leave the client's protocol mid-operation: the connection is unusable, not wrong.
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.ReadOnlySQLTransactionError,
    asyncpg.DiskFullError,
    asyncpg.InsufficientResourcesError,
    asyncpg.LockNotAvailableError,
    asyncpg.QueryCanceledError,
    asyncpg.OperatorInterventionError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
)


class PostgresScoreStore(SqlScoreStore):
    """``bot.ports.OperatedStore`` on PostgreSQL. Create it with :func:`open_postgres_store`."""

    def __init__(
        self,
        *,
        pool: asyncpg.Pool[Any],
        dsn: str,
        max_batch_records: int = DEFAULT_MAX_BATCH_RECORDS,
    ) -> None:
        super().__init__(
            label=masked(dsn),
            queries=sql,
            max_batch_records=max_batch_records,
            # Only a constraint or a bad value can come from one operation's data.
            # A stale lease is one write's: the others of the batch may go through.
            blame_data=lambda exc: isinstance(
                exc, asyncpg.DataError | asyncpg.IntegrityConstraintViolationError | FencedOut
            ),
        )
        self._pool = pool
        self._dsn = dsn
        # Server row ids this process has committed; ids never change once assigned.
        self._server_ids: dict[ServerKey, int] = {}
        self.acquire_waits = 0.0  # seconds spent waiting for a pooled connection

    def reloads(self) -> ReloadChannel:
        """Bots on one PostgreSQL database hear each other through notifications."""
        return NotifyReloads(self._listen_connection)

    def bulk_tables(self) -> PostgresTables:
        """The database's tables as a whole, for ``db copy`` (``bot.storage.bulk``)."""
        return PostgresTables(self._pool)

    async def _listen_connection(self) -> asyncpg.Connection[Any]:
        return await asyncpg.connect(self._dsn, timeout=CONNECT_TIMEOUT)

    # -- the backend's part ---------------------------------------------------------

    async def _transaction(self, ops: Sequence[WriteOp]) -> None:
        async with self._connection() as conn:
            new = await write_transaction(conn, ops, known_servers=dict(self._server_ids))
        self._server_ids.update(new.servers)

    async def _read(self, query: str, params: Sequence[object]) -> list[Sequence[Any]]:
        async with self._connection() as conn:
            return list(await conn.fetch(query, *params))

    async def _insert_report(self, draft: ReportDraft) -> int:
        async with self._connection() as conn:
            report_id, new = await report_transaction(
                conn, draft, known_servers=dict(self._server_ids)
            )
        self._server_ids.update(new.servers)
        return report_id

    async def _write_now(
        self, first: Statement, otherwise: Statement | None = None
    ) -> tuple[list[Sequence[Any]], list[Sequence[Any]]]:
        async with self._connection() as conn, conn.transaction():
            query, params = first
            rows: list[Sequence[Any]] = list(await conn.fetch(query, *params))
            more: list[Sequence[Any]] = []
            if otherwise and not rows:
                query, params = otherwise
                more = list(await conn.fetch(query, *params))
        return rows, more

    async def _lease_current_now(self, name: str, epoch: int) -> bool:
        async with self._connection() as conn, conn.transaction():
            return await lease_current(conn, name, epoch)

    async def _take_now(
        self, take: Statement, current: Statement
    ) -> tuple[list[Sequence[Any]], list[Sequence[Any]]]:
        """The take, and meanwhile its way cleared of stalled sessions.

        A fenced write locks its lease's row until it commits (``fencing``), and a take
        waits for it.  A process paused (SIGSTOP) or cut off in the middle of such a
        write keeps the row locked for as long as it stays away: PostgreSQL 15 ends no
        transaction whose client stopped in the middle of a statement.  So while the
        take waits, once the lease has expired by the server's clock, the sessions it
        waits for are ended: their tenure is over (what they were writing would be
        refused), and the lease goes to its next holder.
        """
        async with self._connection() as conn:
            clearing = asyncio.create_task(
                self._clear_the_way(conn.get_server_pid(), str(take[1][0])),
                name=f"clear the way to lease {take[1][0]}",
            )
            try:
                async with conn.transaction():
                    query, params = take
                    rows: list[Sequence[Any]] = list(await conn.fetch(query, *params))
                    more: list[Sequence[Any]] = []
                    if not rows:
                        query, params = current
                        more = list(await conn.fetch(query, *params))
                return rows, more
            finally:
                clearing.cancel()
                await asyncio.gather(clearing, return_exceptions=True)

    async def _clear_the_way(self, waiting: int, name: str) -> None:
        while True:
            await asyncio.sleep(TAKE_LOCK_WAIT)
            try:
                async with self._connection() as conn:
                    ended = await conn.fetch(sql.END_STALLED_HOLDERS, waiting, name)
            except (*_UNAVAILABLE, asyncpg.PostgresError) as exc:
                log.warning("could not end the sessions in the way of lease %s: %s", name, exc)
                continue
            if ended:
                log.warning(
                    "ended %d database sessions that stalled holding lease %s after it expired",
                    len(ended),
                    name,
                )

    @contextlib.asynccontextmanager
    async def _connection(self) -> Any:
        started = time.perf_counter()
        async with self._pool.acquire() as conn:
            self.acquire_waits += time.perf_counter() - started
            yield conn

    def _unavailable(self) -> contextlib.AbstractContextManager[None]:
        return _unavailable_when_postgres_says_so(self._label)

    def _id_list(self, ids: tuple[str, ...]) -> object:
        return list(ids)

    async def _close_connections(self) -> None:
        await self._pool.close()

    # -- operations ------------------------------------------------------------------

    def pool_stats(self) -> tuple[int, int, float] | None:
        """(connections open, of which idle, seconds waited for one so far)."""
        return self._pool.get_size(), self._pool.get_idle_size(), self.acquire_waits

    async def check_writable(self, *, lock_wait: float = 1.0) -> bool:
        """Whether PostgreSQL answers within ``lock_wait`` seconds and takes writes
        (not a read-only replica, not a read-only session): the health check."""
        if self._committer.closing:
            return False
        try:
            async with asyncio.timeout(lock_wait), self._pool.acquire() as conn:
                row = await conn.fetchrow(
                    "SELECT pg_is_in_recovery(), current_setting('transaction_read_only')"
                )
            assert row is not None  # a SELECT without FROM has its one row
            recovery, read_only = row
        except (*_UNAVAILABLE, asyncpg.PostgresError) as exc:
            log.warning("%r is not writable: %s", self, exc or "timed out")
            return False
        if recovery or read_only == "on":
            log.warning("%r is a read-only database (a replica?)", self)
            return False
        return True


@contextlib.contextmanager
def _unavailable_when_postgres_says_so(label: str) -> Iterator[None]:
    try:
        yield
    except _UNAVAILABLE as exc:
        raise StoreUnavailable(f"{label}: {exc}") from exc


async def _keep_session(conn: asyncpg.Connection[Any]) -> None:
    """What a connection coming back to the pool needs beyond asyncpg's own cleanup
    (which rolls back an open transaction and drops listeners first): nothing.

    asyncpg's default sends a reset query (unlock advisory locks, close cursors,
    UNLISTEN, RESET ALL) on every release: one more round trip for every read,
    which measured 0.23 -> 0.15 ms median for a leaderboard on loopback.  The
    store leaves no session state to reset: LISTEN runs on connections of its own
    (``notify``), advisory locks are transaction-scoped, cursors live inside
    transactions, and no statement SETs anything (server settings from the URL
    are the session's defaults, which RESET ALL would keep anyway).
    """


async def open_postgres_store(
    dsn: str,
    *,
    pool_size: int = POOL_SIZE,
    max_batch_records: int = DEFAULT_MAX_BATCH_RECORDS,
) -> PostgresScoreStore:
    """Connect to the database at ``dsn`` and bring its schema up to date.

    Raises ``StoreOpenError`` when the server cannot be reached or refuses the
    login, ``SchemaError`` for a database written by a newer trivia-bot.
    """
    label = masked(dsn)
    try:
        pool = await asyncpg.create_pool(
            dsn,
            min_size=1,
            max_size=pool_size,
            timeout=CONNECT_TIMEOUT,
            command_timeout=STATEMENT_TIMEOUT,
            reset=_keep_session,
        )
    except (*_UNAVAILABLE, asyncpg.PostgresError, ValueError) as exc:
        raise StoreOpenError(
            f"Cannot open the database {label}: {exc}. Check that PostgreSQL runs there, "
            "that the user, password and database in TRIVIA_DB are right, and that this "
            "machine may connect (pg_hba.conf)."
        ) from exc
    try:
        migrations = load_migrations()
        async with pool.acquire() as conn:
            version = await apply_migrations(conn, migrations, location=label)
    except BaseException:
        await pool.close()
        raise
    log.info("opened score store %s (schema version %d)", label, version)
    return PostgresScoreStore(pool=pool, dsn=dsn, max_batch_records=max_batch_records)
