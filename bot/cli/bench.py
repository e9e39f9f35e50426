"""``trivia-bot bench``: the figures the bot is measured by, printed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click
from rich.table import Table

from bot.app.bench import run_bench, verdicts
from bot.cli.common import err, out


@click.command()
@click.option(
    "--channels",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Simulated channels, each with a game.",
)
@click.option(
    "--players",
    type=click.IntRange(1, 1000),
    default=5,
    show_default=True,
    help="Players answering in each channel.",
)
@click.option(
    "--seconds",
    type=click.FloatRange(0.5, 600),
    default=5.0,
    show_default=True,
    help="How long each load phase runs.",
)
@click.option(
    "--rate",
    type=click.FloatRange(1),
    default=10_000,
    show_default=True,
    help="Offered answers/s for the latency phase.",
)
@click.option(
    "--million",
    type=click.IntRange(0),
    default=1_000_000,
    show_default=True,
    help="Recorded answers for the leaderboard timing (0 skips it).",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where the temporary databases go (default: the system temp dir).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def bench(
    channels: int,
    players: int,
    seconds: float,
    rate: float,
    million: int,
    directory: Path | None,
    as_json: bool,
) -> None:
    """Measure the service and the SQLite store under load (no platform)."""

    def progress(text: str) -> None:
        if not as_json:
            err.print(f"[dim]… {text}[/]")

    figures = asyncio.run(
        run_bench(
            channels=channels,
            players=players,
            seconds=seconds,
            paced_rate=rate,
            million=million,
            directory=directory,
            progress=progress,
        )
    )
    if as_json:
        print(json.dumps(figures.as_json(), indent=2))
        return
    table = Table("target", "measured", "", title=f"{channels} channels x {players} players")
    for label, measured, met in verdicts(figures):
        table.add_row(label, measured, "[green]met[/]" if met else "[red]missed[/]")
    out.print(table)
    details = Table("figure", "value", title="All figures")
    for key, value in figures.as_json().items():
        if isinstance(value, dict):
            for name, ms in value.items():
                details.add_row(f"{key}: {name}", f"{ms:.3f}")
        else:
            details.add_row(key, f"{value:,.3f}" if isinstance(value, float) else str(value))
    out.print(details)


# Commands that live in their own modules.
