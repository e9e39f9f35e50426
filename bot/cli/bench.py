"""``trivia-bot bench``: the figures the bot is measured by, printed."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from bot.app.bench import Figures, run_benches, verdicts
from bot.app.collector import settle_collector
from bot.app.event_loop import EVENT_LOOPS, EventLoopUnavailable, chosen_loop, run
from bot.cli.common import database_location, err, out


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
    help="Offered answers/s for the latency phase (issue #16 judges 10,000/s across 1,000 games).",
)
@click.option(
    "--steady-rate",
    type=click.FloatRange(1),
    default=1_000,
    show_default=True,
    help="Offered answers/s for the steady-load latency phase.",
)
@click.option(
    "--million",
    type=click.IntRange(0),
    default=1_000_000,
    show_default=True,
    help="Recorded answers for the leaderboard timing (0 skips it).",
)
@click.option(
    "--db",
    metavar="PATH|URL",
    callback=database_location,
    help="A postgresql:// URL: bench that server too, beside SQLite, in scratch schemas "
    "created in its database for the run and dropped afterwards. A SQLite file: bench "
    "SQLite on scratch files in its folder. Never TRIVIA_DB unless given.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where the temporary SQLite files go (default: the system temp dir).",
)
@click.option(
    "--loop",
    "loops",
    type=click.Choice([*EVENT_LOOPS, "both"]),
    help="The event loop to measure on (default: $TRIVIA_EVENT_LOOP, else asyncio); both: "
    "the whole bench on asyncio, then again on uvloop, printed side by side.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def bench(
    channels: int,
    players: int,
    seconds: float,
    rate: float,
    steady_rate: float,
    million: int,
    db: str | None,
    directory: Path | None,
    loops: str | None,
    as_json: bool,
) -> None:
    """Measure the service and the store under load (no platform).

    Every figure is taken on scratch stores, never on your data: temporary SQLite
    files, and with --db postgresql://... a schema per phase created inside that
    database and dropped when the phase ends. SQLite's figures and the server's are
    measured in the same run and printed side by side, each against the targets.
    """

    def progress(text: str) -> None:
        if not as_json:
            err.print(f"[dim]… {text}[/]")

    # The collector as the bots run with it once connected (bot.app.collector), so
    # the figures are theirs.
    settle_collector()
    try:
        names = list(EVENT_LOOPS) if loops == "both" else [chosen_loop(loops)]
        results = [
            figures
            for name in names
            for figures in run(
                run_benches(
                    db,
                    channels=channels,
                    players=players,
                    seconds=seconds,
                    paced_rate=rate,
                    steady_rate=steady_rate,
                    million=million,
                    directory=directory,
                    progress=progress,
                ),
                loop=name,
            )
        ]
    except EventLoopUnavailable as exc:
        err.print(f"{exc}.", markup=False)
        raise SystemExit(2) from None
    if as_json:
        print(json.dumps({f.column: f.as_json() for f in results}, indent=2))
        return
    out.print(targets_table(results, title=f"{channels} channels x {players} players"))
    out.print(details_table(results))


def _verdict(met: bool | None) -> str:
    if met is None:
        return "[dim]-[/]"
    return "[green]met[/]" if met else "[red]missed[/]"


def targets_table(results: list[Figures], *, title: str) -> Table:
    """One row per target; per backend, what was measured and whether it is met."""
    table = Table("target", title=title)
    for figures in results:
        table.add_column(figures.column)
        table.add_column("")
    rows = [verdicts(figures) for figures in results]
    for index, (label, *_rest) in enumerate(rows[0]):
        cells: list[str] = []
        for checks in rows:
            _, measured, met = checks[index]
            cells += [measured, _verdict(met)]
        table.add_row(label, *cells)
    return table


def details_table(results: list[Figures]) -> Table:
    """Every figure, one column per backend."""
    table = Table("figure", *(figures.column for figures in results), title="All figures")
    columns = [_flat(figures) for figures in results]
    for key in dict.fromkeys(key for column in columns for key in column):
        table.add_row(key, *(column.get(key, "-") for column in columns))
    return table


def _flat(figures: Figures) -> dict[str, str]:
    shown: dict[str, str] = {}
    for key, value in figures.as_json().items():
        if isinstance(value, dict):
            for name, ms in value.items():
                shown[f"{key}: {name}"] = f"{ms:.3f}"
        elif value is None:
            shown[key] = "-"
        else:
            shown[key] = f"{value:,.3f}" if isinstance(value, float) else str(value)
    return shown


# Commands that live in their own modules.
