"""``trivia-bot questions import|export``: a server's own questions as bank files.

Import validates the whole file first (a file with problems changes nothing
and every problem is printed with its line), then makes its questions the
server's own: a question whose id the server already has is replaced, so
importing the same file twice updates instead of duplicating.  Red-DiscordBot
lists are converted first (``--format red``).  Export writes the server's own
questions as a bank file that ``questions validate`` accepts.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import click

from bot.app.compose import open_app
from bot.bank import BankError, load_bank_file, load_bank_text
from bot.bank.export import server_export
from bot.bank.red_import import convert_red_path
from bot.cli.admin import tell_running_bots
from bot.cli.common import (
    DB_PATH_OPTION,
    cli_player,
    load_cli_settings,
    parse_server,
    print_bank_problems,
)
from bot.config import Settings
from bot.domain.events import Event
from bot.domain.model import Question, ServerKey
from bot.domain.records import ImportRefused, ImportResult
from bot.domain.words import plural
from bot.storage import open_store

SERVER_HELP = "PLATFORM:SERVER the questions belong to, e.g. discord:1234 or slack:T0123."


@click.command("import")
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@click.option("--server", required=True, help=SERVER_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["trivia-bot", "red"]),
    default="trivia-bot",
    show_default=True,
    help="trivia-bot: our bank format; red: Red-DiscordBot trivia lists (a file or a folder).",
)
@DB_PATH_OPTION
@click.pass_context
def import_command(
    ctx: click.Context, source: Path, server: str, fmt: str, db_path: str | None
) -> None:
    """Make the questions of a bank file a server's own."""
    key = parse_server(server)
    settings = load_cli_settings(ctx, db=db_path)
    try:
        questions = _read(source, fmt)
    except BankError as exc:
        print_bank_problems(exc, f"{plural(len(exc.problems), 'problem')}; nothing was imported:")
        raise SystemExit(1) from None
    try:
        result = asyncio.run(_import(settings, key, questions))
    except BankError as exc:
        problems = plural(len(exc.problems), "problem")
        print_bank_problems(exc, f"The configured banks have {problems}; nothing imported:")
        raise SystemExit(1) from None
    if isinstance(result, ImportRefused):
        click.secho(f"{key}: {result.message}", fg="red", err=True)
        raise SystemExit(1)
    click.echo(
        f"{key}: {len(result.added)} added, {len(result.updated)} updated, "
        f"{len(result.skipped)} skipped."
    )
    for question_id, why in result.skipped:
        click.echo(f"  skipped {question_id}: {why}")
    if result.added or result.updated:
        tell_running_bots(settings)
    if result.skipped:
        raise SystemExit(1)


@click.command("export")
@click.option("--server", required=True, help=SERVER_HELP)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write here instead of standard output.",
)
@DB_PATH_OPTION
@click.pass_context
def export_command(
    ctx: click.Context, server: str, output: Path | None, db_path: str | None
) -> None:
    """Write a server's own questions as a bank file."""
    key = parse_server(server)
    settings = load_cli_settings(ctx, db=db_path)
    questions = asyncio.run(_own(settings, key))
    if not questions:
        click.secho(
            f"{key} has no questions of its own to export (bundled banks are files already).",
            fg="yellow",
            err=True,
        )
        raise SystemExit(1)
    _, text = server_export(key, questions, exported=date.today())
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {plural(len(questions), 'question')} to {output}.", err=True)


def _read(source: Path, fmt: str) -> list[Question]:
    if fmt == "red":
        questions: list[Question] = []
        for path, conversion in convert_red_path(source):
            for problem in conversion.problems:
                click.echo(f"  not imported: {problem}", err=True)
            for note in conversion.notes:
                click.echo(f"  note: {note}", err=True)
            questions += load_bank_text(conversion.bank_text, path=str(path)).questions
        return questions
    return list(load_bank_file(source).questions)


async def _import(
    settings: Settings, server: ServerKey, questions: list[Question]
) -> ImportResult | ImportRefused:
    async with open_app(settings, sink=_NoEvents(), serve=False) as app:
        by = cli_player(server)
        return await app.bank.import_questions(server, questions, by=by, at=datetime.now(UTC))


class _NoEvents:
    """An ``EventSink`` for a command that publishes nothing (an import goes to the bank)."""

    async def publish(self, event: Event) -> None:
        raise AssertionError(f"unexpected event {event!r}")


async def _own(settings: Settings, server: ServerKey) -> list[Question]:
    store = await open_store(settings.db)
    try:
        return list(await store.custom_questions(server))
    finally:
        await store.close()
