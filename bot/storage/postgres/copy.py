"""A PostgreSQL database's tables as a whole, for ``trivia-bot db copy`` (``bot.storage.bulk``).

Connections come from the store's pool; the tables are the ones ``search_path``
finds, as for the store.

Reading
    One ``REPEATABLE READ READ ONLY`` transaction for the whole copy, each table
    through a server-side cursor: every table as of the same moment, a batch
    in memory at a time.
Writing
    One transaction for the whole copy, each batch sent with ``COPY`` (asyncpg's
    ``copy_records_to_table``, binary): the fastest way rows go into PostgreSQL,
    several times faster than ``INSERT``.  ``clear`` empties the tables first with
    one ``TRUNCATE`` in that same transaction, so a failed copy leaves the old data
    in place.  Row ids are written as they come, and before the commit each
    identity sequence is set past the largest copied id, so the rows the bot adds
    next never collide with them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Final

import asyncpg

from bot.storage.bulk import TABLES, Row, Table
from bot.storage.postgres.schema import schema_version
from bot.storage.postgres.types import Connection

#: Seconds one batch may take to go in (the pool's own limit is for single statements).
BATCH_TIMEOUT: Final = 300.0


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def select_all(table: Table) -> str:
    columns = ", ".join(map(_quoted, table.columns))
    order = ", ".join(map(_quoted, table.key))
    return f"SELECT {columns} FROM {_quoted(table.name)} ORDER BY {order}"


def count_all(table: Table) -> str:
    return f"SELECT count(*) FROM {_quoted(table.name)}"


def set_identity(table: Table) -> str:
    """Moves ``table``'s id sequence past its largest id (to 1 when it is empty)."""
    name = _quoted(table.name)
    return (
        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), coalesce(max(id), 0) + 1, false)"
        f" FROM {name}"
    )


class PostgresTables:
    """``bot.storage.bulk.BulkTables`` of the database behind ``pool``."""

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self._pool = pool

    async def schema_version(self) -> int:
        async with self._pool.acquire() as conn:
            return await schema_version(conn)

    async def row_counts(self) -> dict[str, int]:
        async with self._pool.acquire() as conn:
            return {t.name: int(await conn.fetchval(count_all(t))) for t in TABLES}

    async def running_bots(self) -> list[str]:
        # Bots on PostgreSQL leave no trace another process could read for sure
        # (their sessions look like any other client's): the operator knows.
        return []

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[_Reader]:
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            yield _Reader(conn)

    @asynccontextmanager
    async def replacing(self, *, clear: bool) -> AsyncIterator[_Writer]:
        async with self._pool.acquire() as conn, conn.transaction():
            if clear:
                # One statement for all: TRUNCATE checks references within the set.
                await conn.execute("TRUNCATE " + ", ".join(_quoted(t.name) for t in TABLES))
            yield _Writer(conn)
            for table in TABLES:
                if table.identity:
                    await conn.execute(set_identity(table))


class _Reader:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def count(self, table: Table) -> int:
        return int(await self._conn.fetchval(count_all(table)))

    async def rows(self, table: Table, *, batch: int) -> AsyncIterator[Sequence[Row]]:
        cursor = await self._conn.cursor(select_all(table))
        while chunk := await cursor.fetch(batch):
            yield [tuple(record) for record in chunk]


class _Writer:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def write(self, table: Table, rows: Sequence[Row]) -> None:
        await self._conn.copy_records_to_table(
            table.name, records=rows, columns=list(table.columns), timeout=BATCH_TIMEOUT
        )
