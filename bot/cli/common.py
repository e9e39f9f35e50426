"""What every ``trivia-bot`` command module shares: settings, server keys, the user."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from bot.app.event_loop import EventLoopUnavailable
from bot.app.event_loop import run as run_on_chosen_loop
from bot.bank import BankError
from bot.config import Settings, SettingsError, load_settings
from bot.domain.model import PlayerKey, ServerKey
from bot.observability.logs import setup_logging
from bot.storage.errors import SchemaError, StoreOpenError
from bot.storage.location import is_postgres

#: The width of output that goes to a pipe or a file: no line is wrapped, no table
#: squeezed (an id cut in two is no use to a script), unless COLUMNS says otherwise.
PIPED_WIDTH = 10_000


def _console(*, stderr: bool = False, soft_wrap: bool = False) -> Console:
    console = Console(stderr=stderr, highlight=False, soft_wrap=soft_wrap)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console.width = PIPED_WIDTH
    return console


out = _console()
err = _console(stderr=True, soft_wrap=True)


class WholeSummaries(click.Group):
    """A command group whose ``--help`` shows each command's summary whole (the
    first sentence of its docstring, wrapped), where click cuts it to the
    width left and ends it with "..."."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=sys.maxsize)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class RootGroup(WholeSummaries):
    """The ``trivia-bot`` group: a database that cannot be used (a read-only folder, a
    file that is no database, a schema from a newer trivia-bot) is one clear message
    and exit 1, whichever command met it, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (StoreOpenError, SchemaError) as exc:
            err.print(str(exc), style="red", markup=False)
            ctx.exit(1)


def database_location(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--db`` as TRIVIA_DB takes it: a SQLite file, or a PostgreSQL URL kept whole.

    Not a ``click.Path``: that folds a URL's ``//`` into one, and the scores would
    go to a SQLite file in a folder named ``postgresql:``.
    """
    if value is None or is_postgres(value.strip()):
        return value.strip() if value is not None else None
    return str(click.Path(dir_okay=False).convert(value, param, ctx))


DATABASE_HELP = "SQLite file or postgresql:// URL (default: TRIVIA_DB)."
#: Every command's ``--db``; ``--db`` whose value is named ``db_path``.
DB_OPTION = click.option("--db", metavar="PATH|URL", callback=database_location, help=DATABASE_HELP)
DB_PATH_OPTION = click.option(
    "--db", "db_path", metavar="PATH|URL", callback=database_location, help=DATABASE_HELP
)


def load_cli_settings(ctx: click.Context, **overrides: Any) -> Settings:
    """Settings from --config (on the root command) or TRIVIA_CONFIG, the
    environment and ``overrides`` (None = not given); logging set up from them
    and -v. Bad configuration prints every problem and exits 2."""
    root = ctx.find_root()
    config_file: Path | None = root.params.get("config_file")
    try:
        settings = load_settings(config_file=config_file, overrides=overrides)
    except SettingsError as exc:
        click.secho("Configuration problems:", fg="red", bold=True, err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(2) from None
    verbose: int = root.params.get("verbose", 0)
    level = "DEBUG" if verbose > 1 else "INFO" if verbose == 1 else settings.log_level
    setup_logging(level, settings.log_format)
    return settings


def print_bank_problems(exc: BankError, headline: str) -> None:
    """``headline``, then every problem of ``exc`` (file, line, field), on stderr."""
    click.secho(headline, fg="red", bold=True, err=True)
    for problem in exc.problems:
        click.echo(f"  {problem}", err=True)


def parse_server(value: str) -> ServerKey:
    """``PLATFORM:SERVER`` as given on the command line."""
    platform, sep, server = value.partition(":")
    if not sep or not platform or not server:
        raise click.BadParameter("use PLATFORM:SERVER, for example console:local or discord:1234")
    return ServerKey(platform, server)


def cli_player(server: ServerKey) -> PlayerKey:
    """Who a change made from the command line is recorded as, in ``server``."""
    return PlayerKey(server.platform, server.server, f"cli:{os_user()}")


def os_user() -> str:
    """The name of whoever runs the command (a default player name, an author)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "player"


def run_command(coroutine: Coroutine[Any, Any, int]) -> None:
    """Run a command's coroutine and exit with its code (130 on Ctrl-C), on the event
    loop ``TRIVIA_EVENT_LOOP`` names (``bot.app.event_loop``; asyncio's by default)."""
    try:
        code = run_on_chosen_loop(coroutine)
    except EventLoopUnavailable as exc:
        err.print(f"{exc}.", markup=False)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err.print("\nInterrupted.")
        raise SystemExit(130) from None
    raise SystemExit(code)


def unicode_text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an argument that is not text: bytes that are not UTF-8 reach Python as
    lone surrogates, which no database or terminal can hold."""
    if value is not None and any("\ud800" <= ch <= "\udfff" for ch in value):
        raise click.BadParameter("not valid UTF-8 text; check your terminal's encoding")
    return value


def fail(message: str, *, code: int = 1) -> NoReturn:
    """Say what is wrong (in red, on stderr) and exit with ``code``."""
    click.secho(message, fg="red", err=True)
    raise SystemExit(code)


def byte_size(size: int) -> str:
    """``size`` bytes in words: "1.5 MiB", "512 bytes"."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size:,} bytes"
