"""The ``trivia-bot`` command line: play, manage question banks, read scores.

Exit codes: 0 success, 1 the thing asked about is wrong (a bank with errors, an
unknown player), 2 bad usage or configuration, 130 interrupted.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot import __version__
from bot.adapters.console.render import leaderboard_table, stats_table
from bot.app.bench import run_bench, verdicts
from bot.app.compose import bank_paths, load_configured_banks
from bot.app.console_main import play_in_terminal
from bot.bank import BankError, load_bank_file, load_banks
from bot.cli.admin import (
    SERVER_HELP,
    add_command,
    bundled_command,
    disable_command,
    edit_command,
    enable_command,
    list_server_questions,
    reload_command,
    remove_command,
    reports,
    show_server_question,
)
from bot.cli.bank_io import export_command, import_command
from bot.cli.common import load_cli_settings, os_user, parse_server, print_bank_problems
from bot.cli.db import db
from bot.config import describe
from bot.domain.answers import matcher_for
from bot.domain.model import GameMode, Question
from bot.domain.records import Period
from bot.storage import open_store

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _run(coroutine: Coroutine[Any, Any, int]) -> None:
    try:
        code = asyncio.run(coroutine)
    except KeyboardInterrupt:
        err.print("\nInterrupted.")
        raise SystemExit(130) from None
    raise SystemExit(code)


def _unicode(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an argument that is not text: bytes that are not UTF-8 reach Python as
    lone surrogates, which no database or terminal can hold."""
    if value is not None and any("\ud800" <= ch <= "\udfff" for ch in value):
        raise click.BadParameter("not valid UTF-8 text; check your terminal's encoding")
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


@main.command()
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
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="SQLite file.")
@click.option(
    "--player",
    callback=_unicode,
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
    db: Path | None,
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
        db=str(db) if db else None,
    )
    name = " ".join(player.split()) or "player"
    _run(play_in_terminal(settings, name=name, seed=seed, console=out))


# -- questions ------------------------------------------------------------------------------


@main.group()
def questions() -> None:
    """Check and browse bank files; curate a server's questions (add, edit, disable,
    enable, remove, bundled, import, export)."""


@questions.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Check bank files (default: the configured banks) and report every problem."""
    settings = load_cli_settings(ctx)
    targets = paths or bank_paths(settings)
    try:
        # No cache: validating is exactly what a cached result would skip.
        loaded = load_banks(targets, cache_dir=None)
    except BankError as exc:
        _print_bank_error(exc)
        raise SystemExit(1) from None
    for bank in loaded:
        out.print(
            f"ok  {bank.info.path}: {len(bank.questions)} questions ({bank.info.id})",
            markup=False,
        )


@questions.command("list")
@click.option("--bank", "banks", multiple=True, type=click.Path(path_type=Path))
@click.option("--category", help="Only this category.")
@click.option("--server", callback=_unicode, help="A server's questions: " + SERVER_HELP)
@click.option("--search", default="", callback=_unicode, help="With --server: words to find.")
@click.option("--page", type=click.IntRange(min=1), default=1, help="With --server: which page.")
@click.option("--own", is_flag=True, help="With --server: only the server's own questions.")
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="SQLite file.")
@click.pass_context
def list_questions(
    ctx: click.Context,
    banks: tuple[Path, ...],
    category: str | None,
    server: str | None,
    search: str,
    page: int,
    own: bool,
    db: Path | None,
) -> None:
    """List the questions of bank files, or (--server) a server's, own and bundled.

    With --server the list shows whose each question is and whether the
    server has it switched off, ten to a page.
    """
    if server is not None:
        list_server_questions(ctx, server, search, page, own, db)
        return
    selected = [
        q
        for q in _load(ctx, banks)
        if category is None or q.category.casefold() == category.casefold()
    ]
    table = Table(
        "id", "type", "difficulty", "category", "prompt", title=f"{len(selected)} questions"
    )
    for q in selected:
        table.add_row(q.id, q.type, q.difficulty, Text(q.category), Text(q.prompt))
    out.print(table)


@questions.command()
@click.argument("question_id")
@click.option("--bank", "banks", multiple=True, type=click.Path(path_type=Path))
@click.option("--server", callback=_unicode, help="As a server sees it: " + SERVER_HELP)
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="SQLite file.")
@click.pass_context
def show(
    ctx: click.Context,
    question_id: str,
    banks: tuple[Path, ...],
    server: str | None,
    db: Path | None,
) -> None:
    """Show everything about one question (with --server: a server's own too, its
    state there, who changed it and its open reports)."""
    if server is not None:
        show_server_question(ctx, server, question_id, db)
        return
    question = _find(_load(ctx, banks), question_id)
    _print_question(question)


@questions.command("try")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.argument("question_id")
@click.argument("guess")
def try_guess(file: Path, question_id: str, guess: str) -> None:
    """Check how GUESS would be judged for a question: accepted, close or rejected."""
    try:
        bank = load_bank_file(file)
    except BankError as exc:
        _print_bank_error(exc)
        raise SystemExit(1) from None
    question = _find(bank.questions, question_id)
    match = matcher_for(question).check(guess)
    colour = {"accepted": "green", "close": "yellow", "rejected": "red"}[match.verdict.value]
    out.print(f"[bold {colour}]{match.verdict.value}[/]: ", end="")
    out.print(match.reason, markup=False)


def _load(ctx: click.Context, banks: tuple[Path, ...]) -> list[Question]:
    settings = load_cli_settings(ctx, questions=list(map(str, banks)) or None)
    try:
        loaded = load_configured_banks(settings)
    except BankError as exc:
        _print_bank_error(exc)
        raise SystemExit(1) from None
    return [q for bank in loaded for q in bank.questions]


def _find(questions_: Sequence[Question], question_id: str) -> Question:
    for question in questions_:
        if question.id == question_id:
            return question
    err.print(f"No question with id {question_id!r}.", markup=False)
    close = [q.id for q in questions_ if question_id in q.id][:5]
    if close:
        err.print("Did you mean: " + ", ".join(close), markup=False)
    raise SystemExit(1)


def _print_question(q: Question) -> None:
    table = Table(show_header=False, title=q.id)
    rows: list[tuple[str, str]] = [
        ("prompt", q.prompt),
        ("type", q.type.value),
        ("answers", " | ".join(q.answers)),
    ]
    if q.choices:
        rows.append(("choices", " | ".join(q.choices)))
    rows += [("category", q.category), ("difficulty", q.difficulty.value)]
    if q.tags:
        rows.append(("tags", ", ".join(q.tags)))
    for index, hint in enumerate(q.hints, start=1):
        rows.append((f"hint {index}", hint))
    if q.explanation:
        rows.append(("explanation", q.explanation))
    if q.source is not None:
        rows.append(("source", f"paragraph {q.source.paragraph}: {q.source.context}"))
    rows.append(("bank", q.bank_id))
    for label, value in rows:
        table.add_row(label, Text(value))
    out.print(table)


def _print_bank_error(exc: BankError) -> None:
    count = len(exc.problems)
    print_bank_problems(exc, f"{count} problem{'s' if count != 1 else ''} in the question banks:")


# -- scores ---------------------------------------------------------------------------------

_SERVER_HELP = "PLATFORM:SERVER whose scores to show (default: console:local)."


@main.command()
@click.option(
    "--period", type=click.Choice([p.value for p in Period]), default="all", show_default=True
)
@click.option("--server", default="console:local", callback=_unicode, help=_SERVER_HELP)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="SQLite file.")
@click.pass_context
def leaderboard(ctx: click.Context, period: str, server: str, limit: int, db: Path | None) -> None:
    """Show a server's leaderboard."""
    settings = load_cli_settings(ctx, db=str(db) if db else None)
    key = parse_server(server)

    async def run() -> int:
        store = await open_store(settings.db)
        try:
            rows = await store.leaderboard(key, Period(period), now=datetime.now(UTC), limit=limit)
        finally:
            await store.close()
        out.print(leaderboard_table(rows, Period(period)))
        return 0

    _run(run())


@main.command()
@click.argument("player", callback=_unicode)
@click.option("--server", default="console:local", callback=_unicode, help=_SERVER_HELP)
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="SQLite file.")
@click.pass_context
def stats(ctx: click.Context, player: str, server: str, db: Path | None) -> None:
    """Show a player's stats (by the name they play under)."""
    settings = load_cli_settings(ctx, db=str(db) if db else None)
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

    _run(run())


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


# -- platforms ------------------------------------------------------------------------------


@main.group()
def run() -> None:
    """Run the bot on a chat platform (tokens come from the environment)."""


@run.command("discord")
@click.pass_context
def run_discord_command(ctx: click.Context) -> None:
    """Connect to Discord with DISCORD_TOKEN and serve every server the bot is in."""
    # Imported here so that a console-only install never needs discord.py.
    from bot.app.discord_main import run_discord

    _run(run_discord(load_cli_settings(ctx)))


@run.command("slack")
@click.option(
    "--http",
    "http_mode",
    is_flag=True,
    help="Serve the Events API over HTTP (needs SLACK_SIGNING_SECRET) instead of Socket Mode.",
)
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP mode: address.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=3000,
    show_default=True,
    help="HTTP mode: port; requests go to /slack/events.",
)
@click.pass_context
def run_slack_command(ctx: click.Context, http_mode: bool, host: str, port: int) -> None:
    """Connect to Slack: Socket Mode by default (SLACK_BOT_TOKEN, SLACK_APP_TOKEN)."""
    from bot.app.slack_main import run_slack

    _run(run_slack(load_cli_settings(ctx), http=http_mode, host=host, port=port))


@main.group("discord")
def discord_group() -> None:
    """Discord setup: the invite link that adds the bot to a server."""


@discord_group.command("invite")
@click.option(
    "--client-id", help="The application id (default: asked from Discord with DISCORD_TOKEN)."
)
@click.pass_context
def discord_invite(ctx: click.Context, client_id: str | None) -> None:
    """Print the OAuth2 URL that adds the bot to a server with the permissions it needs."""
    from bot.app.discord_main import invite_url, resolve_client_id

    settings = load_cli_settings(ctx)
    if client_id is None:
        client_id = _run_value(resolve_client_id(settings))
    print(invite_url(client_id))


def _run_value(coroutine: Coroutine[Any, Any, str]) -> str:
    try:
        return asyncio.run(coroutine)
    except KeyboardInterrupt:
        raise SystemExit(130) from None


# -- bench ----------------------------------------------------------------------------------


@main.command()
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
main.add_command(db)
questions.add_command(import_command)
questions.add_command(export_command)
for _command in (add_command, edit_command, disable_command, enable_command, remove_command):
    questions.add_command(_command)
questions.add_command(bundled_command)
main.add_command(reports)
main.add_command(reload_command)
