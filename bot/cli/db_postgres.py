"""``trivia-bot db backup`` and ``db check`` for a PostgreSQL database.

A backup is ``pg_dump``'s (``bot.storage.postgres.dump``); a check connects once
and changes nothing (``bot.storage.postgres.maintenance``).  The check's schema
line is worded as SQLite's.  asyncpg comes with the postgres extra, so it is
imported only here, when a PostgreSQL database is asked about.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.common import byte_size, fail
from bot.domain.words import plural
from bot.storage.location import masked
from bot.storage.migrations import SchemaState
from bot.storage.postgres.dump import (
    DumpError,
    DumpTargetExists,
    LibpqCommand,
    PgDumpMissing,
    backup_postgres,
    restore_command,
)

if TYPE_CHECKING:
    from bot.storage.postgres.maintenance import PostgresCheck

#: Missing privileges listed one by one; past this they are counted.
MAX_SHOWN = 4

_NO_ASYNCPG = (
    "{location} is a PostgreSQL database, but asyncpg is not installed here: "
    "pip install 'trivia-bot[postgres]' (in a checkout, `make postgres`)."
)


def schema_line(
    state: SchemaState, version: int | None, latest: int, *, unreadable: str = "the file"
) -> str:
    """The schema version against this trivia-bot's, in words (both backends)."""
    match state:
        case SchemaState.CURRENT:
            return f"Schema: version {version}, the latest this trivia-bot knows."
        case SchemaState.BEHIND:
            return (
                f"Schema: version {version}; this trivia-bot ships up to {latest}: "
                "it will be upgraded on next start (back it up first)."
            )
        case SchemaState.AHEAD:
            return (
                f"Schema: version {version}, written by a newer trivia-bot (this one knows "
                f"up to {latest}) and refused by this one: upgrade trivia-bot, or restore a "
                "backup taken before the upgrade."
            )
        case SchemaState.UNKNOWN:
            return f"Schema: unknown ({unreadable} could not be read)."


# -- backup -----------------------------------------------------------------------------


def postgres_backup(dsn: str, path: Path, *, force: bool) -> None:
    """``db backup`` of the database at ``dsn``: pg_dump, or the command to run."""
    try:
        size = backup_postgres(dsn, path, overwrite=force)
    except DumpTargetExists as exc:
        fail(f"Not backed up: {exc}.", code=2)
    except PgDumpMissing as exc:
        fail(
            f"Not backed up: {exc}. PostgreSQL is backed up with its own tool, pg_dump: "
            "install it (Debian and Ubuntu: apt install postgresql-client; its major "
            "version must be the server's or newer), or run where it is installed:\n"
            f"  {exc.command.shown()}{_password_note(exc.command)}"
        )
    except DumpError as exc:
        fail(f"Not backed up: {exc}.")
    except OSError as exc:
        fail(f"Not backed up: {path}: {exc.strerror or exc}.")
    restore = restore_command(dsn, path)
    click.echo(
        f"Backed up {masked(dsn)} to {path} with pg_dump (custom format): {byte_size(size)}."
    )
    click.echo(
        "To restore it, stop the bots, then run:\n"
        f"  {restore.shown()}{_password_note(restore)}\n"
        "and check it with `trivia-bot db check` before starting them again."
    )


def _password_note(command: LibpqCommand) -> str:
    if command.password is None:
        return ""
    return "\n  with the password of TRIVIA_DB in PGPASSWORD (or in ~/.pgpass)"


# -- check ------------------------------------------------------------------------------


def postgres_check(dsn: str) -> None:
    """``db check`` of the database at ``dsn``: prints the report, exits 1 when unusable."""
    try:
        from bot.storage.postgres.maintenance import check_postgres
    except ModuleNotFoundError:
        fail(_NO_ASYNCPG.format(location=masked(dsn)))
    report = asyncio.run(check_postgres(dsn))
    if report.unreachable is not None:
        fail(
            f"Cannot check: cannot connect to {report.location}: {report.unreachable}. "
            "Check that PostgreSQL runs there, that the user, password and database in "
            "TRIVIA_DB (or --db) are right, and that this machine may connect (pg_hba.conf)."
        )
    for line in describe_postgres(report):
        click.echo(line)
    if report.healthy:
        click.secho("Healthy.", fg="green")
        return
    fail("Not healthy: see above.")


def describe_postgres(report: PostgresCheck) -> list[str]:
    """The report as lines an operator reads top to bottom."""
    schema = f", schema {report.schema}" if report.schema else ""
    lines = [f"Database: {report.location} (PostgreSQL {report.server_version}{schema})"]
    if report.schema is None:
        lines.append(
            "Schema: none: search_path names no schema that exists; create it "
            "(CREATE SCHEMA name) or correct ?search_path= in TRIVIA_DB."
        )
    elif report.schema_version == 0:
        lines.append(
            f"Schema: none yet (no trivia-bot tables in schema {report.schema}): the bot "
            f"creates them, version {report.latest_version}, on its first start."
        )
    else:
        state = report.schema_state
        version, latest = report.schema_version, report.latest_version
        lines.append(schema_line(state, version, latest, unreadable="the database"))
    if report.rows:
        total = sum(report.rows.values())
        counts = ", ".join(f"{name} {rows:,}" for name, rows in report.rows.items())
        lines.append(
            f"Rows: {plural(total, 'row')} in {plural(len(report.rows), 'table')}: {counts}"
        )
    lines.append(_writable_line(report))
    return lines


def _writable_line(report: PostgresCheck) -> str:
    if report.in_recovery:
        return (
            "Writable: no: the server is a read-only replica (in recovery); point "
            "TRIVIA_DB at the primary."
        )
    if report.read_only:
        return (
            "Writable: no: this session is read-only (default_transaction_read_only is on "
            "for this user or database); turn it off for the bot's user, or use another user."
        )
    if report.missing:
        shown = ", ".join(report.missing[:MAX_SHOWN])
        if len(report.missing) > MAX_SHOWN:
            shown += f" and {len(report.missing) - MAX_SHOWN:,} more"
        return (
            f"Writable: no: the user lacks {shown}; grant them "
            "(GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ... TO ...)."
        )
    if report.schema is None:
        return "Writable: no: there is no schema to write in (see Schema)."
    return "Writable: yes (a primary server, a read-write session, every privilege the bot needs)."
