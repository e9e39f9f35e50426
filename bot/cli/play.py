"""``trivia-bot play``, ``leaderboard`` and ``stats``: a player's commands."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from bot.adapters.console.render import leaderboard_table, stats_table
from bot.app.console_main import play_in_terminal
from bot.cli.common import (
    DB_OPTION,
    err,
    load_cli_settings,
    os_user,
    out,
    parse_server,
    run_command,
    unicode_text,
)
from bot.domain.model import GameMode
from bot.domain.records import Period
from bot.storage import open_store


@click.command()
@click.option(
    "--bank",
    "banks",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Bank file or folder (repeatable). Default: the bundled bank.",
)
@click.option("--category", help="Only questions of this category.")
@click.option("--rounds", type=int, help="Number of questions.")
@click.option(
    "--mode",
    type=click.Choice([m.value for m in GameMode]),
    help="text: type answers, first right answer scores; "
    "choice: pick an option before time runs out.",
)
@click.option("--seconds", type=float, help="Seconds per question.")
@click.option("--pause", type=float, help="Seconds between questions.")
@DB_OPTION
@click.option(
    "--player",
    callback=unicode_text,
    default=os_user,
    show_default="your user name",
    help="Your name on the leaderboard.",
)
@click.option("--seed", type=int, help="Seed the question order (for repeatable games).")
@click.pass_context
def play(
    ctx: click.Context,
    banks: tuple[Path, ...],
    category: str | None,
    rounds: int | None,
    mode: str | None,
    seconds: float | None,
    pause: float | None,
    db: str | None,
    player: str,
    seed: int | None,
) -> None:
    """Play a game in the terminal.

    Type answers and press Enter; /hint, /skip, /score and /stop work too.
    When input is piped, each line is an answer to the open question, and the
    end of input stops the game.
    """
    settings = load_cli_settings(
        ctx,
        questions=list(map(str, banks)) or None,
        category=category,
        rounds=rounds,
        mode=mode,
        seconds=seconds,
        pause=pause,
        db=db or None,
    )
    name = " ".join(player.split()) or "player"
    run_command(play_in_terminal(settings, name=name, seed=seed, console=out))


# -- questions ------------------------------------------------------------------------------


_SERVER_HELP = "PLATFORM:SERVER whose scores to show (default: console:local)."


@click.command()
@click.option(
    "--period", type=click.Choice([p.value for p in Period]), default="all", show_default=True
)
@click.option("--server", default="console:local", callback=unicode_text, help=_SERVER_HELP)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@DB_OPTION
@click.pass_context
def leaderboard(ctx: click.Context, period: str, server: str, limit: int, db: str | None) -> None:
    """Show a server's leaderboard."""
    settings = load_cli_settings(ctx, db=db or None)
    key = parse_server(server)

    async def run() -> int:
        store = await open_store(settings.db)
        try:
            rows = await store.leaderboard(key, Period(period), now=datetime.now(UTC), limit=limit)
        finally:
            await store.close()
        out.print(leaderboard_table(rows, Period(period)))
        return 0

    run_command(run())


@click.command()
@click.argument("player", callback=unicode_text)
@click.option("--server", default="console:local", callback=unicode_text, help=_SERVER_HELP)
@DB_OPTION
@click.pass_context
def stats(ctx: click.Context, player: str, server: str, db: str | None) -> None:
    """Show a player's stats (by the name they play under)."""
    settings = load_cli_settings(ctx, db=db or None)
    key = parse_server(server)

    async def run() -> int:
        store = await open_store(settings.db)
        try:
            found = await store.find_players(key, player)
            results = [await store.player_stats(p) for p in found]
        finally:
            await store.close()
        shown = [s for s in results if s is not None]
        if not shown:
            err.print(f"No player called {player!r} has played on {key}.", markup=False)
            return 1
        for s in shown:
            out.print(stats_table(s))
        return 0

    run_command(run())
