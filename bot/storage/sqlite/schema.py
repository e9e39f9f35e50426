"""The numbered SQL migrations shipped in ``bot/storage/migrations``.

A migration is a plain SQL file named ``NNNN_description.sql``; ``NNNN`` is the
schema version it produces.  Versions start at 1 and have no gaps.
:func:`apply_migrations` runs each pending one in its own transaction and
records the version in ``PRAGMA user_version``.  Never edit a released
migration: add the next one.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, Protocol

from bot.storage.errors import SchemaError

log = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")


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
    migrations: list[Migration] = []
    for entry in directory.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _FILE_NAME.match(entry.name)
        if match is None:
            raise SchemaError(f"migration file {entry.name!r} is not named NNNN_description.sql")
        statements = split_statements(entry.read_text(encoding="utf-8"), source=entry.name)
        migrations.append(Migration(int(match["version"]), match["name"], statements))
    migrations.sort(key=lambda migration: migration.version)
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise SchemaError(
                f"migrations must be numbered 1, 2, 3...: expected {expected:04d}, "
                f"found {migration.label}"
            )
    return tuple(migrations)


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
        raise SchemaError(
            f"{location} has schema version {current}, newer than this trivia-bot knows "
            f"(up to {latest}): upgrade trivia-bot or use another database file"
        )
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
