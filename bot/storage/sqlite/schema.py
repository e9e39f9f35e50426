"""SQLite's numbered migrations (``migrations/``; the rules are ``bot.storage.migrations``).

:func:`apply_migrations` runs each pending one in its own transaction, under
SQLite's write lock, and records the version in ``PRAGMA user_version``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, Protocol

from bot.storage.errors import SchemaError
from bot.storage.migrations import migration_files, newer_than_known

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


def split_statements(script: str, *, source: str = "<sql>") -> tuple[str, ...]:
    """Split a SQL script into complete statements (triggers included).

    Statements are run one by one rather than with ``executescript``, which
    would commit the surrounding transaction and so break one-transaction-per-
    migration.
    """
    statements: list[str] = []
    pending: list[str] = []
    for line in script.splitlines(keepends=True):
        pending.append(line)
        text = "".join(pending)
        if sqlite3.complete_statement(text):
            statements.append(text.strip())
            pending.clear()
    rest = "".join(line for line in pending if not line.lstrip().startswith("--"))
    if rest.strip():
        raise SchemaError(f"{source}: incomplete SQL statement at the end: {rest.strip()[:60]!r}")
    return tuple(statements)


def load_migrations(directory: Traversable | None = None) -> tuple[Migration, ...]:
    """Read and check the migrations in ``directory`` (default: the bundled ones)."""
    directory = directory or files("bot.storage.sqlite").joinpath("migrations")
    return tuple(
        Migration(f.version, f.name, split_statements(f.text, source=f"{f.label}.sql"))
        for f in migration_files(directory)
    )


class SqlConnection(Protocol):
    """The part of an ``aiosqlite.Connection`` migrations use (aiosqlite stays in ``sqlite.py``)."""

    @property
    def in_transaction(self) -> bool: ...

    def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Awaitable[object]: ...

    def execute_fetchall(
        self, sql: str, parameters: Iterable[Any] | None = None
    ) -> Awaitable[Iterable[Sequence[Any]]]: ...


async def user_version(conn: SqlConnection) -> int:
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


async def apply_migrations(
    conn: SqlConnection, migrations: Sequence[Migration], *, location: str
) -> None:
    """Bring the database up to the last of ``migrations``, one transaction each.

    Raises :class:`SchemaError` if the database is newer than ``migrations``
    or a migration fails (that migration is rolled back; earlier ones stay).
    """
    latest = len(migrations)
    current = await user_version(conn)
    if current > latest:
        raise newer_than_known(location, current, latest)
    for migration in migrations[current:]:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            if await user_version(conn) >= migration.version:
                await conn.execute("COMMIT")
                continue
            for statement in migration.statements:
                await conn.execute(statement)
            # PRAGMA takes no parameters; the version is an int parsed from a file name.
            await conn.execute(f"PRAGMA user_version = {migration.version:d}")
            await conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise SchemaError(
                    f"{location}: migration {migration.label} failed and was rolled back: {exc}"
                ) from exc
            raise
        log.info("%s: applied migration %s", location, migration.label)
