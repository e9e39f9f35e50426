"""``trivia-bot db``: back up and check the database (SQLite or PostgreSQL), safe while
the bot runs; list the leases the bot's processes hold; copy it to another database
(``db_copy``), with the bot stopped.

SQLite is backed up and checked here (``bot.storage.sqlite.maintenance``);
PostgreSQL in ``db_postgres``.  Exit codes follow ``bot.cli.main``: 0 success, 1 the
database is the problem (missing, damaged, unreachable, read-only, written by a
newer trivia-bot, or the copy failed), 2 bad usage or configuration (including a
backup target that exists without ``--force``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from bot.cli.common import WholeSummaries, byte_size, fail, load_cli_settings, run_command
from bot.cli.db_copy import copy_command
from bot.cli.db_postgres import postgres_backup, postgres_check, schema_line
from bot.coordination import LeaseHeld
from bot.domain.words import plural
from bot.ports import StoreUnavailable
from bot.storage import open_store
from bot.storage.location import is_postgres, sqlite_path
from bot.storage.sqlite.maintenance import (
    CheckReport,
    MaintenanceError,
    TargetExistsError,
    backup_database,
    check_database,
)

# Text, not a click.Path: a path would turn postgresql://host into postgresql:/host.
_DB_OPTION = click.option(
    "--db",
    "db_location",
    metavar="FILE|URL",
    help="The SQLite file or postgresql:// URL (default: the db setting, TRIVIA_DB).",
)


@click.group("db", cls=WholeSummaries)
def db() -> None:
    """Back up and check the database, list leases (all safe while the bot runs); copy it
    to another database, PostgreSQL for instance (with the bot stopped)."""


@db.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@_DB_OPTION
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@click.pass_context
def backup(ctx: click.Context, path: Path, db_location: str | None, force: bool) -> None:
    """Copy the database to PATH, safely while the bot runs.

    SQLite: uses SQLite's online backup, so the copy is the database as of one
    moment and the bot is not held up.  The copy is checked before it gets its
    name.  Restore: stop the bot, copy the backup over the database file
    (removing any -wal and -shm files beside it), start the bot.

    PostgreSQL: runs pg_dump (--format=custom), PostgreSQL's own backup tool,
    which must be installed (without it, the command to run elsewhere is
    shown).  Restore with pg_restore, with the bots stopped; the command is
    shown after the backup.
    """
    settings = load_cli_settings(ctx, db=db_location)
    if is_postgres(settings.db):
        postgres_backup(str(settings.db), path, force=force)
        return
    try:
        result = backup_database(sqlite_path(settings.db), path, overwrite=force)
    except TargetExistsError as exc:
        fail(f"Not backed up: {exc}.", code=2)
    except MaintenanceError as exc:
        fail(f"Not backed up: {exc}.")
    except OSError as exc:
        fail(f"Not backed up: {path}: {exc.strerror or exc}.")
    click.echo(
        f"Backed up {result.source} to {result.target}: {byte_size(result.size_bytes)}, "
        f"schema version {result.schema_version}, integrity ok."
    )


@db.command()
@_DB_OPTION
@click.pass_context
def check(ctx: click.Context, db_location: str | None) -> None:
    """Check the database's integrity and schema version.

    SQLite: runs SQLite's integrity and foreign-key checks and compares the
    schema with the migrations this trivia-bot ships.  PostgreSQL: connects,
    shows the server's version, compares the schema, counts each table's rows
    and checks that the bot may write there (not a read-only replica).  Changes
    nothing.  Exits with 0 when the bot can use the database, 1 otherwise.
    """
    settings = load_cli_settings(ctx, db=db_location)
    if is_postgres(settings.db):
        postgres_check(str(settings.db))
        return
    try:
        report = check_database(sqlite_path(settings.db))
    except MaintenanceError as exc:
        fail(f"Cannot check: {exc} (set TRIVIA_DB or pass --db).")
    except OSError as exc:
        fail(f"Cannot read {settings.db}: {exc.strerror or exc}.")
    for line in describe_check(report):
        click.echo(line)
    if report.healthy:
        click.secho("Healthy.", fg="green")
        return
    fail("Not healthy: see above.")


@db.command()
@click.argument("prefix", default="")
@click.option("--db", "location", help="The database: a SQLite file or a PostgreSQL URL.")
@click.pass_context
def leases(ctx: click.Context, prefix: str, location: str | None) -> None:
    """List the leases the bot's processes hold: who runs which work (Discord shards).

    One line a lease whose name starts with PREFIX (default: all): its name, epoch,
    holder, and how long it still runs by the database's clock, or that it expired
    (or was released: a process that stopped cleanly).  A process starting for work
    another holds waits for it up to TRIVIA_LEASE_WAIT (docs/operations.md, "Leases:
    one owner per shard").
    """
    settings = load_cli_settings(ctx, db=location)
    if not is_postgres(settings.db) and not sqlite_path(settings.db).is_file():
        # Opening it would create an empty database where a path was mistyped.
        fail(f"No database at {settings.db} (set TRIVIA_DB or pass --db).")
    run_command(_list_leases(settings.db, prefix))


async def _list_leases(location: Path | str, prefix: str) -> int:
    store = await open_store(location)
    try:
        held = await store.lease_holders(prefix)
    except StoreUnavailable as exc:
        click.secho(f"Cannot read the leases: {exc}.", fg="red", err=True)
        return 1
    finally:
        await store.close()
    for line in describe_leases(held, prefix):
        click.echo(line)
    return 0


def describe_leases(held: Sequence[LeaseHeld], prefix: str) -> list[str]:
    """The leases as aligned lines, holders and expiry in words."""
    if not held:
        return [f"No leases{f' starting with {prefix!r}' if prefix else ''}."]
    width = max(len(lease.name) for lease in held)
    lines = []
    for lease in held:
        until = f"{lease.expires:%Y-%m-%d %H:%M:%S} UTC"
        state = (
            f"held for {lease.remaining:.1f} s more (until {until})"
            if not lease.expired
            else f"free: expired or released {_ago(-lease.remaining)} ago ({until})"
        )
        lines.append(f"{lease.name:<{width}}  epoch {lease.epoch}  {lease.holder}  {state}")
    return lines


def _ago(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def describe_check(report: CheckReport) -> list[str]:
    """The report as lines an operator reads top to bottom."""
    mode = f", journal mode {report.journal_mode}" if report.journal_mode else ""
    lines = [f"Database: {report.path} ({byte_size(report.size_bytes)}{mode})"]
    if report.problems:
        lines.append(f"Integrity: {plural(len(report.problems), 'problem')}:")
        lines += [f"  - {problem}" for problem in report.problems]
        lines.append(
            "  Restore the latest good backup (docs/operations.md, 'Back up and restore')."
        )
    else:
        lines.append("Integrity: ok (integrity_check and foreign_key_check found nothing)")
    lines.append(schema_line(report.schema_state, report.schema_version, report.latest_version))
    return lines


db.add_command(copy_command)
