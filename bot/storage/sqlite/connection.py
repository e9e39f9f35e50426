"""SQLite connections as the store uses them: opened, configured, migrated.

The store runs two aiosqlite connections, a writer and a read-only reader (WAL
lets readers go on while the writer commits); an in-memory database has one.
Every connection waits ``busy_timeout_ms`` for another process's lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

import aiosqlite

from bot.storage.sqlite.schema import Migration, apply_migrations

log = logging.getLogger(__name__)

MEMORY: Final = ":memory:"
DEFAULT_BUSY_TIMEOUT_MS: Final = 5000


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """The pragmas the writer connection runs with (for diagnostics and tests)."""

    journal_mode: str
    synchronous: int
    busy_timeout_ms: int
    foreign_keys: bool


async def read_connection_settings(conn: aiosqlite.Connection) -> ConnectionSettings:
    values = []
    for pragma in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys"):
        rows = list(await conn.execute_fetchall(f"PRAGMA {pragma}"))
        values.append(rows[0][0])
    mode, synchronous, busy_timeout, foreign_keys = values
    return ConnectionSettings(
        journal_mode=str(mode),
        synchronous=int(synchronous),
        busy_timeout_ms=int(busy_timeout),
        foreign_keys=bool(foreign_keys),
    )


T = TypeVar("T")


async def run_on_connection_thread(conn: aiosqlite.Connection, fn: Callable[[], T]) -> T:
    """Run ``fn`` on ``conn``'s thread, as one queued call among its others.

    aiosqlite has no public way to do this; ``Connection._execute`` is how
    each of its own methods does it, unchanged since its early releases.
    ``tests/unit/test_sqlite_store.py`` checks it is there, so an upgrade that
    removes it fails the test suite rather than the bot.
    """
    result: T = await conn._execute(fn)  # type: ignore[no-untyped-call]
    return result


async def open_connections(
    location: str, busy_timeout_ms: int, schema: Sequence[Migration], *, memory: bool
) -> tuple[aiosqlite.Connection, aiosqlite.Connection]:
    """(writer, reader) on ``location``, migrated to ``schema``; one connection for both
    in memory.  Nothing is left open when this raises."""
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
    return writer, reader


async def _connect(location: str, busy_timeout_ms: int) -> aiosqlite.Connection:
    # isolation_level=None: the store issues BEGIN/COMMIT itself, so the
    # sqlite3 module never opens a transaction behind its back.
    connecting = aiosqlite.connect(location, isolation_level=None)
    # The connection's worker thread must not keep a stopping process alive: a write
    # stuck behind another process's lock would otherwise hold the exit past the
    # shutdown budget (and the supervisor's grace).  Dying mid-transaction is safe:
    # SQLite rolls it back, and nothing unsaved was announced.  aiosqlite makes the
    # thread in the constructor and starts it when awaited; a test checks it is there.
    connecting._thread.daemon = True
    try:
        conn = await connecting
    except BaseException:
        # aiosqlite stops its worker on a failed connect without waiting for it; a
        # process that exits at once (a CLI command saying the database cannot be
        # opened) would have the thread call into a closed event loop and print a
        # traceback.  The stop is queued already: waiting for it is quick.
        connecting._thread.join(timeout=1.0)
        raise
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


def cannot_open(location: str, error: BaseException) -> str:
    """Why the database at ``location`` cannot be opened, and what to do, in words."""
    text = str(error)
    folder = Path(location).absolute().parent
    if "not a database" in text or "malformed" in text:
        why = "it is not a SQLite database, or it is damaged"
        fix = (
            "point TRIVIA_DB (or --db) at the bot's database, or restore a backup "
            "(docs/operations.md: Back up and restore)"
        )
    else:
        why = "this user cannot write there"
        if folder.is_dir():
            where = f"make {folder} and the database file in it writable for this user"
        else:
            where = f"create {folder} where this user may write"
        fix = f"{where}, or choose a writable place with TRIVIA_DB (or --db)"
    return f"Cannot open the database {location}: {why} ({text}). To fix it, {fix}."
