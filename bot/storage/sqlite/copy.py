"""A SQLite database's tables as a whole, for ``trivia-bot db copy`` (``bot.storage.bulk``).

Plain ``sqlite3`` connections of their own beside the store's (the copy runs
while the store is open but idle, never through the store's writer), each on a
thread of its own: every call runs there and hands back plain values only.  A
cursor handed back to the event loop's thread would be cleaned up there, at a
moment of the garbage collector's choosing, resetting its statement while the
connection's thread runs the same statement again: SQLite says "bad parameter or
other API misuse" (seen when reading ahead overlapped writing).

Reading
    One read transaction for the whole copy: in WAL mode it sees the database
    as of its first read, whatever is committed meanwhile.  Each batch is one
    query that continues after the last key read (keyset paging), so no cursor
    outlives a call.
Writing
    One ``BEGIN IMMEDIATE`` transaction for the whole copy, one ``executemany``
    per batch: a copy that fails leaves the database as it was.  Row ids are
    written as they come; SQLite hands out the next ones after the largest.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final, TypeVar

from bot.storage.bulk import TABLES, Row, Table
from bot.storage.sqlite.running import running_bots

#: How long to wait for a lock another process holds.
BUSY_TIMEOUT_S: Final = 10.0

T = TypeVar("T")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def select_batch(table: Table, *, first: bool) -> str:
    """The next rows of ``table`` by its key, after the key given as parameters
    (from the start when ``first``), at most as many as the last parameter."""
    columns = ", ".join(map(_quoted, table.columns))
    key = ", ".join(map(_quoted, table.key))
    after = "" if first else f" WHERE ({key}) > ({', '.join('?' for _ in table.key)})"
    return f"SELECT {columns} FROM {_quoted(table.name)}{after} ORDER BY {key} LIMIT ?"


def insert_all(table: Table) -> str:
    columns = ", ".join(map(_quoted, table.columns))
    marks = ", ".join("?" for _ in table.columns)
    return f"INSERT INTO {_quoted(table.name)} ({columns}) VALUES ({marks})"


def count_all(table: Table) -> str:
    return f"SELECT count(*) FROM {_quoted(table.name)}"


class _Connection:
    """A ``sqlite3`` connection that lives on its own thread (see the module docstring)."""

    def __init__(self, executor: ThreadPoolExecutor, conn: sqlite3.Connection) -> None:
        self._executor = executor
        self._conn = conn

    @classmethod
    async def open(cls, path: Path) -> _Connection:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-copy-sqlite")
        loop = asyncio.get_running_loop()
        try:
            conn = await loop.run_in_executor(executor, _connect, path)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(executor, conn)

    async def run(self, call: Callable[[sqlite3.Connection], T]) -> T:
        """``call(connection)`` on the connection's thread; it must return plain values."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, call, self._conn)

    async def fetch(self, query: str, params: Sequence[object] = ()) -> list[Any]:
        return await self.run(lambda conn: conn.execute(query, params).fetchall())

    async def execute(self, query: str) -> None:
        await self.run(lambda conn: _done(conn.execute(query)))

    async def executemany(self, query: str, rows: Sequence[Row]) -> None:
        await self.run(lambda conn: _done(conn.executemany(query, rows)))

    async def close(self, *, commit: bool = False) -> None:
        try:
            await self.run(lambda conn: _end(conn, commit=commit))
        finally:
            self._executor.shutdown(wait=False)


def _connect(path: Path) -> sqlite3.Connection:
    # mode=rw: the store has created the file; never create another by mistake.
    uri = f"{path.resolve().as_uri()}?mode=rw"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _done(cursor: sqlite3.Cursor) -> None:
    """Drops ``cursor`` on the connection's thread: nothing but None goes back."""
    cursor.close()


def _end(conn: sqlite3.Connection, *, commit: bool) -> None:
    try:
        if conn.in_transaction:
            conn.execute("COMMIT" if commit else "ROLLBACK")
    finally:
        conn.close()


def _begin_writing(conn: sqlite3.Connection, *, clear: bool) -> None:
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -65536")
    # IMMEDIATE: take the write lock now (waiting out the busy timeout), not halfway.
    conn.execute("BEGIN IMMEDIATE")
    if clear:
        # Children before parents, so no row is ever left pointing at nothing.
        for table in reversed(TABLES):
            conn.execute(f"DELETE FROM {_quoted(table.name)}")


class SqliteTables:
    """``bot.storage.bulk.BulkTables`` of the SQLite file at ``path``."""

    def __init__(self, path: Path) -> None:
        self._path = path

    async def schema_version(self) -> int:
        conn = await _Connection.open(self._path)
        try:
            return int((await conn.fetch("PRAGMA user_version"))[0][0])
        finally:
            await conn.close()

    async def row_counts(self) -> dict[str, int]:
        conn = await _Connection.open(self._path)
        try:
            return {t.name: int((await conn.fetch(count_all(t)))[0][0]) for t in TABLES}
        finally:
            await conn.close()

    async def running_bots(self) -> list[str]:
        return await asyncio.to_thread(running_bots, self._path)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[_Reader]:
        conn = await _Connection.open(self._path)
        try:
            await conn.execute("PRAGMA query_only = ON")
            await conn.execute("BEGIN")
            yield _Reader(conn)
        finally:
            await conn.close()

    @asynccontextmanager
    async def replacing(self, *, clear: bool) -> AsyncIterator[_Writer]:
        conn = await _Connection.open(self._path)
        try:
            await conn.run(lambda c: _begin_writing(c, clear=clear))
            yield _Writer(conn)
        except BaseException:
            await conn.close(commit=False)
            raise
        await conn.close(commit=True)


class _Reader:
    def __init__(self, conn: _Connection) -> None:
        self._conn = conn

    async def count(self, table: Table) -> int:
        return int((await self._conn.fetch(count_all(table)))[0][0])

    async def rows(self, table: Table, *, batch: int) -> AsyncIterator[Sequence[Row]]:
        chunk = await self._conn.fetch(select_batch(table, first=True), (batch,))
        key = [table.column(name) for name in table.key]
        query = select_batch(table, first=False)
        while chunk:
            yield chunk
            if len(chunk) < batch:
                return
            last = chunk[-1]
            chunk = await self._conn.fetch(query, (*(last[i] for i in key), batch))


class _Writer:
    def __init__(self, conn: _Connection) -> None:
        self._conn = conn

    async def write(self, table: Table, rows: Sequence[Row]) -> None:
        await self._conn.executemany(insert_all(table), rows)
