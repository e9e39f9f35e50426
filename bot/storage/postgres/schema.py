"""PostgreSQL's numbered migrations (``migrations/``; the rules are ``bot.storage.migrations``).

Each pending migration runs in its own transaction, under a transaction-scoped
advisory lock, and is recorded in ``schema_migrations``: processes that start
together on an empty database create the schema once (the second waits for the
lock, then finds the work done).  A database whose version is newer than this
trivia-bot knows is refused and left untouched.
"""

from __future__ import annotations

import logging
from importlib.resources import files
from importlib.resources.abc import Traversable

import asyncpg

from bot.storage.errors import SchemaError
from bot.storage.migrations import MigrationFile, migration_files, newer_than_known
from bot.storage.postgres.types import Connection

log = logging.getLogger(__name__)

#: The advisory lock that migrations (and nothing else) take: "trivia-schema".
MIGRATION_LOCK = 0x7472_6976_6961_5F73

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


def load_migrations(directory: Traversable | None = None) -> tuple[MigrationFile, ...]:
    """Read and check the migrations in ``directory`` (default: the bundled ones)."""
    return migration_files(directory or files("bot.storage.postgres").joinpath("migrations"))


async def schema_version(conn: Connection) -> int:
    """The version recorded in ``schema_migrations`` (0 for an empty database)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations"))


async def apply_migrations(
    conn: Connection, migrations: tuple[MigrationFile, ...], *, location: str
) -> int:
    """Bring the database up to the last of ``migrations``; the version it is at.

    Raises :class:`SchemaError` if the database is newer than ``migrations`` or a
    migration fails (that migration is rolled back; earlier ones stay).
    """
    latest = len(migrations)
    current = await schema_version(conn)
    if current > latest:
        raise newer_than_known(location, current, latest)
    for migration in migrations[current:]:
        try:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
                await conn.execute(CREATE_TABLE)
                # Another process may have migrated while we waited for the lock.
                if await schema_version(conn) >= migration.version:
                    continue
                await conn.execute(migration.text)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.name,
                )
        except asyncpg.PostgresError as exc:
            raise SchemaError(
                f"{location}: migration {migration.label} failed and was rolled back: {exc}"
            ) from exc
        log.info("%s: applied migration %s", location, migration.label)
    return max(current, latest)
