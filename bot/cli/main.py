"""The ``trivia-bot`` command line: play, manage question banks, read scores, run the bots.

One module per group of commands: ``play`` (play, leaderboard, stats),
``questions`` (bank files and a server's questions, with ``admin`` and
``bank_io``), ``admin`` (reports, reload), ``db``, ``platforms`` (run,
discord), ``bench``, ``schedule``.  Exit codes: 0 success, 1 the thing asked about is wrong
(a bank with errors, an unknown player), 2 bad usage or configuration, 130
interrupted.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from bot import __version__
from bot.cli.admin import reload_command, reports
from bot.cli.bench import bench
from bot.cli.common import RootGroup, load_cli_settings, out
from bot.cli.db import db
from bot.cli.platforms import discord_group, run
from bot.cli.play import leaderboard, play, stats
from bot.cli.questions import questions
from bot.cli.schedule import schedule
from bot.config import describe


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trivia-bot")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML settings file (default: $TRIVIA_CONFIG, else your user config file).",
)
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
def main(config_file: Path | None, verbose: int) -> None:
    """trivia-bot: trivia games in Discord, Slack and your terminal."""


# -- play ------------------------------------------------------------------------------


@main.command("config")
@click.pass_context
def show_config(ctx: click.Context) -> None:
    """Show the settings in effect and where each came from."""
    settings = load_cli_settings(ctx)
    # A list rather than a table: paths and explanations fit any terminal width,
    # and each setting stays on one greppable line.
    for name, value, source, variable, meaning in describe(settings):
        line = Text.assemble((name, "bold"), " = ", value or "(not set)")
        where = f"default; set with {variable}" if source == "default" else f"from {source}"
        line.append(f"   ({where})", "dim")
        out.print(line, soft_wrap=True)
        out.print(Text(f"    {meaning}", style="dim"), soft_wrap=True)


for _command in (play, questions, leaderboard, stats, run, discord_group, bench, db, reports):
    main.add_command(_command)
main.add_command(reload_command)
main.add_command(schedule)
