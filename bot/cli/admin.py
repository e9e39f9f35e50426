"""Admin commands on the command line: a server's questions, reports and reloads.

``trivia-bot questions add|edit|disable|enable|remove|bundled`` and
``trivia-bot reports list|dismiss`` send the same commands a Discord or Slack
admin sends, to the same service, so the rules (validation, what resolves a
report, per-server isolation) are the same everywhere; the events come back
rendered for the terminal.  The person at the terminal is the bot's operator
and counts as an admin of every server.

A change to what a server may be asked tells the bots running on the same
database to reload (SIGHUP, through their pid files), so it takes effect
without a restart.  ``trivia-bot reload`` does that on its own, after
checking that the configured banks load.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

import click

from bot.adapters.common.words import plural
from bot.adapters.console.render import render
from bot.app.compose import load_configured_banks, open_app
from bot.bank import BankError
from bot.bank.drafts import DEFAULT_CATEGORY
from bot.cli.common import (
    DB_OPTION,
    WholeSummaries,
    cli_player,
    err,
    load_cli_settings,
    os_user,
    out,
    parse_server,
    print_bank_problems,
)
from bot.config import Settings
from bot.domain.commands import (
    AddQuestion,
    Command,
    DismissReport,
    EditQuestion,
    ListQuestions,
    ListReports,
    RemoveQuestion,
    ShowBundled,
    ShowQuestion,
    SwitchBundled,
    SwitchQuestion,
)
from bot.domain.events import (
    BundledShown,
    DraftRejected,
    Event,
    QuestionAdded,
    QuestionEdited,
    QuestionRemoved,
    QuestionSwitched,
    Rejected,
)
from bot.domain.model import Actor, ChannelKey, QuestionDraft, ServerKey
from bot.domain.records import Switch
from bot.storage import open_store
from bot.storage.location import masked

SERVER_HELP = "PLATFORM:SERVER the questions belong to, e.g. discord:1234 or slack:T0123."
#: Events that change what a server may be asked: running bots must reload.
_CHANGES = (QuestionAdded, QuestionEdited, QuestionSwitched, QuestionRemoved)

MakeCommand = Callable[[ChannelKey, Actor], Command]


class _Collected:
    """An ``EventSink`` that keeps the events for printing afterwards."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def publish(self, event: Event) -> None:
        self.events.append(event)


def run_admin(
    ctx: click.Context,
    server: str,
    *makes: MakeCommand,
    db: str | None = None,
    on_refusal: str = "",
) -> None:
    """Send admin commands for ``server`` in order, print what they answered, exit 1
    if any was refused (the ones before it stand; the ones after are still sent),
    after printing ``on_refusal`` (the command line's own advice), if given."""
    key = parse_server(server)
    settings = load_cli_settings(ctx, db=db)
    try:
        events = asyncio.run(_send(settings, key, makes))
    except BankError as exc:
        print_bank_problems(
            exc, f"The configured banks have {plural(len(exc.problems), 'problem')}:"
        )
        raise SystemExit(1) from None
    refused = False
    overviews = [e for e in events if isinstance(e, BundledShown)]
    for event in events:
        refused |= isinstance(event, Rejected | DraftRejected)
        if isinstance(event, BundledShown) and event is not overviews[-1]:
            out.print(f"Switched {event.changed}.", style="green", markup=False)
            continue
        renderable = render(event)
        if renderable is not None:
            (err if isinstance(event, Rejected | DraftRejected) else out).print(renderable)
    changed = any(
        isinstance(e, _CHANGES) or (isinstance(e, BundledShown) and e.changed) for e in events
    )
    if changed:
        tell_running_bots(settings)
    if refused:
        if on_refusal:
            err.print(on_refusal, markup=False)
        raise SystemExit(1)


async def _send(settings: Settings, server: ServerKey, makes: Sequence[MakeCommand]) -> list[Event]:
    sink = _Collected()
    user = os_user()
    actor = Actor(key=cli_player(server), name=user, is_admin=True)
    channel = ChannelKey(server.platform, server.server, "cli")
    async with open_app(settings, sink=sink, serve=False) as app:
        for make in makes:
            await app.service.handle(make(channel, actor))
    return sink.events


def tell_running_bots(settings: Settings) -> None:
    """Make the bots running on the settings' database see a server's changed questions:
    ask them to reload, and say so.  Not where the database tells them itself."""
    asked = asyncio.run(ask_running_bots(settings, unless_told=True))
    if asked:
        err.print(
            f"Told {plural(len(asked), 'running bot')} to reload ({', '.join(asked)}).",
            markup=False,
        )


async def ask_running_bots(settings: Settings, *, unless_told: bool = False) -> list[str]:
    """Ask the bots on the settings' database to reload (through the store's
    ``ReloadChannel``); who was asked.

    With ``unless_told``, nobody is asked where the bots hear of a server's change
    from the database itself (a channel that is not SIGHUP: PostgreSQL notifies them
    when the change commits).  Asking there would only make every bot reload its bank
    files, and the command wait for their answers.
    """
    store = await open_store(settings.db)
    try:
        reloads = store.reloads()
        if unless_told and not reloads.by_signal:
            return []
        return await reloads.ask_to_reload()
    finally:
        await store.close()


# -- questions ------------------------------------------------------------------------------

_server_option = click.option("--server", required=True, help=SERVER_HELP)


F = TypeVar("F", bound=Callable[..., None])


def _draft_options(required: bool) -> Callable[[F], F]:
    """The question's fields as options (all required for ``add``, none for ``edit``)."""

    def add(fn: F) -> F:
        for option in reversed(
            (
                click.option("--prompt", required=required, help="The question."),
                click.option(
                    "--answer",
                    "answers",
                    multiple=True,
                    required=required,
                    help="An accepted answer; the first is the one revealed (repeat for more).",
                ),
                click.option("--category", help=f"Category (default: {DEFAULT_CATEGORY})."),
                click.option(
                    "--difficulty",
                    type=click.Choice(["easy", "medium", "hard"]),
                    help="Difficulty.",
                ),
                click.option("--explanation", help="Shown after the reveal."),
                click.option(
                    "--choice",
                    "choices",
                    multiple=True,
                    help="An option for choice mode (2 to 6; repeat). One must be the answer.",
                ),
                click.option("--hint", "hints", multiple=True, help="A hint (repeat for more)."),
            )
        ):
            fn = option(fn)
        return fn

    return add


@click.command("add")
@_server_option
@_draft_options(required=True)
@DB_OPTION
@click.pass_context
def add_command(ctx: click.Context, /, server: str, db: str | None, **given: object) -> None:
    """Add a question to a server, validated like a bank file entry."""
    draft, _ = _draft(given)
    run_admin(ctx, server, lambda c, a: AddQuestion(c, a, draft), db=db)


@click.command("edit")
@click.argument("question_id")
@_server_option
@_draft_options(required=False)
@click.option("--no-choices", is_flag=True, help="Make it a typed question again.")
@DB_OPTION
@click.pass_context
def edit_command(
    ctx: click.Context,
    /,
    question_id: str,
    server: str,
    no_choices: bool,
    db: str | None,
    **given: object,
) -> None:
    """Change the given fields of one of a server's own questions (the rest are kept)."""
    draft, fields = _draft(given)
    if no_choices:
        fields |= {"choices"}
    if not fields:
        raise click.UsageError("say what to change, e.g. --prompt, --answer or --category")
    run_admin(ctx, server, lambda c, a: EditQuestion(c, a, question_id, draft, fields), db=db)


def _draft(given: dict[str, object]) -> tuple[QuestionDraft, frozenset[str]]:
    """The draft and the fields the command line gave (empty text counts as given)."""
    values: dict[str, str] = {}
    for option, field in (
        ("prompt", "prompt"),
        ("answers", "answers"),
        ("category", "category"),
        ("difficulty", "difficulty"),
        ("explanation", "explanation"),
        ("choices", "choices"),
        ("hints", "hints"),
    ):
        value = given.get(option)
        if isinstance(value, tuple):
            if value:
                values[field] = "\n".join(str(item) for item in value)
        elif value is not None:
            values[field] = str(value)
    draft = QuestionDraft(
        prompt=values.get("prompt", ""),
        answers=values.get("answers", ""),
        category=values.get("category", ""),
        difficulty=values.get("difficulty", "medium"),
        explanation=values.get("explanation", ""),
        choices=values.get("choices", ""),
        hints=values.get("hints", ""),
    )
    return draft, frozenset(values)


def _switch_command(on: bool) -> click.Command:
    word = "enable" if on else "disable"

    @click.command(word)
    @click.argument("question_id")
    @_server_option
    @DB_OPTION
    @click.pass_context
    def command(ctx: click.Context, question_id: str, server: str, db: str | None) -> None:
        run_admin(ctx, server, lambda c, a: SwitchQuestion(c, a, question_id, on=on), db=db)

    command.help = (
        "Ask a switched-off question again in a server (bundled or own)."
        if on
        else "Stop asking a question in a server (bundled or own); enable brings it back."
    )
    return command


enable_command = _switch_command(True)
disable_command = _switch_command(False)


@click.command("remove")
@click.argument("question_id")
@_server_option
@DB_OPTION
@click.pass_context
def remove_command(ctx: click.Context, question_id: str, server: str, db: str | None) -> None:
    """Remove one of a server's own questions (kept in the database's history)."""
    run_admin(ctx, server, lambda c, a: RemoveQuestion(c, a, question_id), db=db)


@click.command("bundled")
@_server_option
@click.option("--category-off", "categories_off", multiple=True, help="Switch a category off.")
@click.option("--category-on", "categories_on", multiple=True, help="Switch a category on.")
@click.option("--bank-off", "banks_off", multiple=True, help="Switch a bundled bank off (its id).")
@click.option("--bank-on", "banks_on", multiple=True, help="Switch a bundled bank on (its id).")
@DB_OPTION
@click.pass_context
def bundled_command(
    ctx: click.Context,
    server: str,
    categories_off: tuple[str, ...],
    categories_on: tuple[str, ...],
    banks_off: tuple[str, ...],
    banks_on: tuple[str, ...],
    db: str | None,
) -> None:
    """Show the bundled banks and categories of a server, or switch them off and on."""
    switches = [
        *((Switch.CATEGORY, name, False) for name in categories_off),
        *((Switch.CATEGORY, name, True) for name in categories_on),
        *((Switch.BANK, name, False) for name in banks_off),
        *((Switch.BANK, name, True) for name in banks_on),
    ]
    makes: list[MakeCommand] = [
        partial(_switch_bundled, kind=kind, name=name, on=on) for kind, name, on in switches
    ]
    run_admin(ctx, server, *(makes or [ShowBundled]), db=db)


def _switch_bundled(
    channel: ChannelKey, actor: Actor, *, kind: Switch, name: str, on: bool
) -> Command:
    return SwitchBundled(channel, actor, kind, name, on)


def list_server_questions(
    ctx: click.Context, server: str, search: str, page: int, own: bool, db: str | None
) -> None:
    """``questions list --server``: a server's questions, own first, with their state."""
    run_admin(
        ctx,
        server,
        lambda c, a: ListQuestions(c, a, search=search, page=page, own_only=own),
        db=db,
    )


def show_server_question(ctx: click.Context, server: str, question_id: str, db: str | None) -> None:
    """``questions show --server``: one question as a server sees it, with its reports."""
    run_admin(ctx, server, lambda c, a: ShowQuestion(c, a, question_id), db=db)


# -- reports --------------------------------------------------------------------------------


@click.group("reports", cls=WholeSummaries)
def reports() -> None:
    """Players' reports about wrong or unclear questions, per server."""


@reports.command("list")
@_server_option
@DB_OPTION
@click.pass_context
def list_reports(ctx: click.Context, server: str, db: str | None) -> None:
    """The server's open reports, oldest first."""
    run_admin(ctx, server, ListReports, db=db)


@reports.command("dismiss")
@click.argument("report_id", type=click.IntRange(min=1, max=2**63 - 1))
@_server_option
@DB_OPTION
@click.pass_context
def dismiss_report(ctx: click.Context, report_id: int, server: str, db: str | None) -> None:
    """Close a report without changing its question (edit or disable close it too)."""
    listing = f"The open reports: trivia-bot reports list --server {server}"
    run_admin(ctx, server, lambda c, a: DismissReport(c, a, report_id), db=db, on_refusal=listing)


# -- reload ---------------------------------------------------------------------------------


@click.command("reload")
@DB_OPTION
@click.pass_context
def reload_command(ctx: click.Context, db: str | None) -> None:
    """Check the configured banks, then tell the running bots to reload them.

    This finds the bots serving the same database (through pid files beside a
    SQLite file) and sends them SIGHUP, on which a bot reloads.  When a bank has
    a problem nothing is sent (the bots would refuse it and keep their banks
    anyway) and every problem is printed.
    """
    settings = load_cli_settings(ctx, db=db)
    try:
        banks = load_configured_banks(settings)
    except BankError as exc:
        headline = f"{plural(len(exc.problems), 'problem')}; the running bots keep their banks:"
        print_bank_problems(exc, headline)
        raise SystemExit(1) from None
    questions = sum(len(bank.questions) for bank in banks)
    asked = asyncio.run(ask_running_bots(settings))
    if not asked:
        err.print(
            f"The banks are fine ({plural(len(banks), 'bank')}, {plural(questions, 'question')}), "
            "but no bot is "
            f"running on {masked(settings.db)}.",
            markup=False,
        )
        raise SystemExit(1)
    out.print(
        f"Told {plural(len(asked), 'bot')} ({', '.join(asked)}) "
        f"to reload {plural(len(banks), 'bank')} with {plural(questions, 'question')}.",
        markup=False,
    )
