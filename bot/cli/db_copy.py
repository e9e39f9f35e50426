"""``trivia-bot db copy SOURCE TARGET``: the bot's data moved to another database.

The copy and its check are ``bot.storage.copying``; this module opens the two
stores, shows the progress (rows per table, on stderr) and says what was
compared.  Exit codes: 0 copied and both read the same, 1 refused, failed or
different, 2 bad usage (a location that cannot be a database, the same database
twice, a target that holds data without ``--force``).
"""

from __future__ import annotations

import time
from contextlib import AsyncExitStack
from pathlib import Path

import click

from bot.cli.common import fail, load_cli_settings, run_command
from bot.domain.words import plural
from bot.storage import open_store
from bot.storage.copying import (
    CopyFailed,
    CopyRefused,
    CopyResult,
    TargetNotEmpty,
    copy_store,
    summary,
)
from bot.storage.location import check_postgres_url, is_postgres, masked, same_database, sqlite_path

#: Seconds between two progress lines of one big table.
PROGRESS_EVERY = 2.0


@click.command("copy")
@click.argument("source")
@click.argument("target")
@click.option(
    "--force",
    is_flag=True,
    help="TARGET holds data: replace all of it with SOURCE's, in one transaction.",
)
@click.pass_context
def copy_command(ctx: click.Context, source: str, target: str, force: bool) -> None:
    """Copy everything from one database to another, with the bots stopped.

    SOURCE and TARGET are each a SQLite file or a postgresql:// URL, for example
    `trivia-bot db copy ~/.local/share/trivia-bot/trivia.db
    postgresql://trivia:PASSWORD@db.example:5432/trivia`.  PostgreSQL to SQLite
    and SQLite to SQLite work the same.

    Stop the bots first: SOURCE must not change during the copy, or what they
    write meanwhile stays behind.  A bot running on a SQLite file is seen by its
    pid file and the copy refused; one on PostgreSQL cannot be seen.

    TARGET is opened as the bot opens it (its tables created or upgraded) and
    must hold no data, unless --force: then its data is replaced in one
    transaction, so a copy that fails leaves it as it was.  Row ids are kept.
    Afterwards both are read as the bot reads them (leaderboards of every
    period, every player's stats, each server's own questions, reports,
    settings) and compared.  Exits with 0 when they read the same, 1 when the
    copy was refused, failed or they differ, 2 for a target with data and no
    --force.
    """
    load_cli_settings(ctx)  # logging, and -v
    source_at = _location(source, role="source")
    target_at = _location(target, role="target")
    if same_database(source_at, target_at):
        fail(f"Not copied: SOURCE and TARGET are the same database ({masked(source)}).", code=2)
    run_command(_copy(source_at, target_at, replace=force))


def _location(text: str, *, role: str) -> Path | str:
    """``text`` as a store location, or exit: a bad URL, a missing source file or folder."""
    if is_postgres(text):
        problem = check_postgres_url(text)
        if problem is not None:
            fail(f"Not copied: the {role} URL {problem}.", code=2)
        return text
    path = sqlite_path(text)
    if role == "source" and not path.is_file():
        fail(f"Not copied: there is no database at {path} (SOURCE).")
    if not path.parent.is_dir():
        fail(
            f"Not copied: the folder {path.parent} does not exist; create it first "
            f"(mkdir -p {path.parent}) or name a file in a folder that exists."
        )
    return path


async def _copy(source: Path | str, target: Path | str, *, replace: bool) -> int:
    async with AsyncExitStack() as stack:
        src = await open_store(source)
        stack.push_async_callback(src.close)
        dst = await open_store(target)
        stack.push_async_callback(dst.close)
        click.echo(f"Copying {src.location} to {dst.location}:", err=True)
        try:
            result = await copy_store(src, dst, replace=replace, progress=_Progress())
        except TargetNotEmpty as exc:
            click.secho(f"Not copied: {exc}.", fg="red", err=True)
            return 2
        except (CopyRefused, CopyFailed) as exc:
            click.secho(f"Not copied: {exc}.", fg="red", err=True)
            return 1
        return _report(result, target)
    raise AssertionError("unreachable")  # pragma: no cover (mypy: the stack may swallow)


def _report(result: CopyResult, target: Path | str) -> int:
    click.echo(summary(result))
    check = result.verification
    if check.same:
        click.secho("Verified: both databases read the same through the bot's queries:", fg="green")
        for line in check.compared:
            click.echo(f"  - {line}")
        click.echo(f"Next: set TRIVIA_DB={masked(target)} for the bots and start them.")
        return 0
    click.secho("The two databases do not read the same:", fg="red", err=True)
    for line in check.differences:
        click.echo(f"  - {line}", err=True)
    if check.more_differences:
        click.echo(f"  ... and {check.more_differences:,} more", err=True)
    click.echo(
        "Was a bot still writing to the source? Stop every bot and copy again with --force "
        "(it replaces what this copy wrote).",
        err=True,
    )
    return 1


class _Progress:
    """Rows per table on stderr: one line per table, and one every few seconds for a big one."""

    def __init__(self) -> None:
        self._started = self._shown = time.monotonic()

    def __call__(self, table: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done == 0:
            self._started = self._shown = now
            if total == 0:
                click.echo(f"  {table}: no rows", err=True)
        elif done >= total:
            click.echo(f"  {table}: {plural(done, 'row')} ({now - self._started:.1f} s)", err=True)
        elif now - self._shown >= PROGRESS_EVERY:
            self._shown = now
            click.echo(f"  {table}: {done:,} of {total:,} rows ({done / total:.0%})", err=True)
