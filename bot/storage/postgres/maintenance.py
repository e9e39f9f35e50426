"""Looking at a PostgreSQL database the bot uses or will use: ``trivia-bot db check``.

``check_postgres`` connects once, changes nothing (no migration runs), and says
what an operator needs to know before pointing a bot at the database: the
server's version, the schema version against the migrations this trivia-bot
ships, the rows of each table, and whether the bot could write there (not a
read-only replica or session, and the privileges it needs).  Backups are
``pg_dump``'s job (``bot.storage.postgres.dump``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import asyncpg

from bot.storage.bulk import TABLES
from bot.storage.location import masked
from bot.storage.migrations import SchemaState, schema_state
from bot.storage.postgres.schema import load_migrations, schema_version

CONNECT_TIMEOUT: Final = 10.0

#: What the bot does to its tables.
TABLE_PRIVILEGES: Final = ("SELECT", "INSERT", "UPDATE", "DELETE")

_MISSING_PRIVILEGES: Final = """
SELECT t.name, p.privilege
FROM unnest($1::text[]) AS t (name), unnest($2::text[]) AS p (privilege)
WHERE to_regclass(quote_ident(t.name)) IS NOT NULL
  AND NOT has_table_privilege(quote_ident(t.name), p.privilege)
ORDER BY 1, 2
"""

_EXISTING_TABLES: Final = """
SELECT t.name FROM unnest($1::text[]) AS t (name)
WHERE to_regclass(quote_ident(t.name)) IS NOT NULL
"""


@dataclass(frozen=True, slots=True)
class PostgresCheck:
    """What ``check_postgres`` found; ``unreachable`` says why it found nothing."""

    location: str
    latest_version: int
    unreachable: str | None = None
    server_version: str = ""
    schema: str | None = None
    schema_version: int | None = None
    rows: dict[str, int] = field(default_factory=dict)
    in_recovery: bool = False
    read_only: bool = False
    missing: tuple[str, ...] = ()  # "INSERT on answers", "CREATE on schema public"

    @property
    def schema_state(self) -> SchemaState:
        return schema_state(self.schema_version, self.latest_version)

    @property
    def writable(self) -> bool:
        return not (self.in_recovery or self.read_only or self.missing or self.schema is None)

    @property
    def healthy(self) -> bool:
        """The bot can use it: reachable, writable, a schema it knows or can upgrade."""
        return (
            self.unreachable is None
            and self.writable
            and self.schema_state in {SchemaState.CURRENT, SchemaState.BEHIND}
        )


async def check_postgres(dsn: str) -> PostgresCheck:
    """Look at the database at ``dsn`` (see the module docstring); never raises for a
    server that cannot be reached or a login that is refused: that is the report."""
    location, latest = masked(dsn), len(load_migrations())
    try:
        conn = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return PostgresCheck(location, latest, unreachable=str(exc) or type(exc).__name__)
    try:
        return await _look(conn, location, latest)
    finally:
        await conn.close()


async def _look(conn: asyncpg.Connection[Any], location: str, latest: int) -> PostgresCheck:
    names = [t.name for t in TABLES]
    schema = await conn.fetchval("SELECT current_schema()")
    version = await schema_version(conn) if schema is not None else 0
    rows = {
        name: int(await conn.fetchval(f'SELECT count(*) FROM "{name}"'))
        for (name,) in await conn.fetch(_EXISTING_TABLES, names)
    }
    recovery, read_only = await conn.fetchrow(
        "SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on'"
    ) or (False, False)
    missing = [
        f"{privilege} on {name}"
        for name, privilege in await conn.fetch(_MISSING_PRIVILEGES, names, TABLE_PRIVILEGES)
    ]
    # Migrations create tables and indexes in the schema.
    if (
        schema is not None
        and version < latest
        and not await conn.fetchval("SELECT has_schema_privilege(current_schema(), 'CREATE')")
    ):
        missing.append(f"CREATE on schema {schema}")
    return PostgresCheck(
        location,
        latest,
        # "15.20 (Debian 15.20-0+deb12u1)": the number says it.
        server_version=str(await conn.fetchval("SHOW server_version")).split()[0],
        schema=schema,
        schema_version=version,
        rows={name: rows[name] for name in names if name in rows},
        in_recovery=bool(recovery),
        read_only=bool(read_only),
        missing=tuple(missing),
    )
