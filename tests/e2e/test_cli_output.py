"""What the command line prints reads right: whole summaries in --help."""

from __future__ import annotations

import click

from bot.cli.common import WholeSummaries
from bot.cli.main import main
from tests.e2e.conftest import run_cli


def piped(cli_env: dict[str, str]) -> dict[str, str]:
    """The environment of a command whose output goes to a pipe, with no COLUMNS set."""
    return {k: v for k, v in cli_env.items() if k != "COLUMNS"}


def groups(
    group: click.Group, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Group]]:
    found = [(path, group)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += groups(command, (*path, name))
    return found


def test_help_shows_every_commands_summary_whole(cli_env: dict[str, str]) -> None:
    env = piped(cli_env)
    for path, group in groups(main):
        assert isinstance(group, WholeSummaries), path
        shown = run_cli(*path, "--help", env=env)
        assert shown.returncode == 0, shown.stderr
        listing = shown.stdout.split("Commands:", 1)[1]
        assert "..." not in listing, listing
        words = " ".join(listing.split())
        for name, command in group.commands.items():
            summary = " ".join(command.get_short_help_str(limit=10_000).split())
            assert f"{name} {summary}" in words, (path, name)
