"""``trivia-bot schedule add|list|pause|resume|remove``: a server's scheduled play (issue #17).

A daily question or a weekly quiz for a channel, at a local time in an IANA time zone on
chosen days of the week.  Each setting is checked as it is read (``bot.domain.schedule``)
and a bad one is refused naming its option; adding a schedule says when it next runs
and which of the coming year's days daylight saving moves it on.  Firing it is the
running bots' (``bot.service.schedule_runner``, on the process that owns the server);
what is said about a schedule is ``bot.domain.schedule_words``', shared with the admins'
chat commands.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import TypeVar

import click
from rich.table import Table
from rich.text import Text

from bot.cli.common import (
    DB_OPTION,
    WholeSummaries,
    err,
    load_cli_settings,
    out,
    parse_server,
    run_command,
    unicode_text,
)
from bot.domain.schedule import (
    DEFAULT_REMIND,
    OPTION_HELP,
    Schedule,
    ScheduleError,
    ScheduleKind,
    days_text,
    parse_days,
    parse_difficulty,
    parse_kind,
    parse_option,
    parse_remind,
    parse_time,
    parse_zone,
)
from bot.domain.schedule_words import added as added_words
from bot.domain.schedule_words import local_time, questions, window
from bot.storage import open_store

T = TypeVar("T")

SERVER_HELP = "PLATFORM:SERVER, for example discord:1234 or slack:T0001."


def _checked(
    parse: Callable[[str], T],
) -> Callable[[click.Context, click.Parameter, str | None], T | None]:
    """A click callback: ``parse`` the value, a ``ScheduleError`` becoming click's refusal
    naming the option."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> T | None:
        if value is None:
            return None
        try:
            return parse(value)
        except ScheduleError as exc:
            raise click.BadParameter(str(exc)) from None

    return callback


def _checked_options(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    try:
        return tuple(parse_option(value) for value in values)
    except ScheduleError as exc:
        raise click.BadParameter(str(exc)) from None


def _zone(value: str) -> str:
    parse_zone(value, setting="time zone")
    return value


def _server(ctx: click.Context, param: click.Parameter, value: str) -> str:
    parse_server(value)
    return value


SERVER_OPTION = click.option(
    "--server", required=True, callback=_server, help="The server: " + SERVER_HELP
)


@click.group(cls=WholeSummaries)
def schedule() -> None:
    """A server's scheduled play: add, list, pause, resume or remove a daily question
    or a weekly quiz.

    The running bots fire them, on the process that serves the server
    (docs/scheduled-play.md)."""


@schedule.command("add")
@SERVER_OPTION
@click.option("--channel", required=True, callback=unicode_text, help="The channel it posts to.")
@click.option(
    "--kind",
    required=True,
    callback=_checked(parse_kind),
    metavar="daily|quiz",
    help="daily: one question with an answer window; quiz: a full game.",
)
@click.option(
    "--at",
    "at",
    required=True,
    callback=_checked(parse_time),
    metavar="HH:MM",
    help="Local time it runs, 24-hour clock.",
)
@click.option(
    "--tz",
    "zone",
    required=True,
    callback=_checked(_zone),
    metavar="ZONE",
    help="IANA time zone, for example Europe/Berlin.",
)
@click.option(
    "--days",
    default="daily",
    show_default=True,
    callback=_checked(parse_days),
    help="mon,wed,fri, weekdays, weekends or daily.",
)
@click.option(
    "--closes",
    callback=_checked(parse_time),
    metavar="HH:MM",
    help="Daily question: when its window closes (default: midnight). Weekly "
    "quiz: the latest it may still start after a downtime (default: 30 min later).",
)
@click.option("--category", callback=unicode_text, help="Only questions of this category.")
@click.option("--difficulty", callback=_checked(parse_difficulty), help="easy, medium or hard.")
@click.option(
    "--option",
    "options",
    multiple=True,
    callback=_checked_options,
    help=f"A game option of the weekly quiz (repeatable): {OPTION_HELP}.",
)
@click.option(
    "--remind",
    callback=_checked(parse_remind),
    metavar="MINUTES",
    help=f"Weekly quiz: minutes before it to post a reminder (0: none). "
    f"[default: {DEFAULT_REMIND}]",
)
@DB_OPTION
@click.pass_context
def add(
    ctx: click.Context,
    server: str,
    channel: str,
    kind: ScheduleKind,
    at: time,
    zone: str,
    days: frozenset[int],
    closes: time | None,
    category: str | None,
    difficulty: str | None,
    options: tuple[tuple[str, str], ...],
    remind: int | None,
    db: str | None,
) -> None:
    """Add a daily question or a weekly quiz to a channel."""
    settings = load_cli_settings(ctx, db=db or None)
    if options and kind is ScheduleKind.DAILY_QUESTION:
        raise click.BadParameter("game options are for a weekly quiz", param_hint="'--option'")
    if remind is not None and kind is ScheduleKind.DAILY_QUESTION:
        raise click.BadParameter("a reminder is for a weekly quiz", param_hint="'--remind'")
    now = datetime.now(UTC)
    try:
        new = Schedule(
            server=parse_server(server),
            channel=channel,
            kind=kind,
            at=at,
            zone=zone,
            days=days,
            closes=closes,
            category=category or None,
            difficulty=difficulty,
            options=options,
            created=now,
            remind=DEFAULT_REMIND if remind is None else remind,
        )
    except ScheduleError as exc:
        raise click.UsageError(str(exc)) from None

    async def run() -> int:
        store = await open_store(settings.db)
        try:
            added = await store.add_schedule(new)
        finally:
            await store.close()
        said, notes = added_words(added, now)
        for line in (said, *notes):
            out.print(line, markup=False, soft_wrap=True)
        return 0

    run_command(run())


@schedule.command("list")
@SERVER_OPTION
@DB_OPTION
@click.pass_context
def list_schedules(ctx: click.Context, server: str, db: str | None) -> None:
    """List a server's schedules with when each next runs."""
    settings = load_cli_settings(ctx, db=db or None)
    key = parse_server(server)

    async def run() -> int:
        store = await open_store(settings.db)
        try:
            found = await store.schedules(key)
        finally:
            await store.close()
        if not found:
            out.print(f"No schedules on {key}.", markup=False)
            return 0
        now = datetime.now(UTC)
        table = Table("id", "kind", "channel", "when", "window", "questions", "state", "next")
        for item in found:
            table.add_row(
                str(item.id),
                item.kind.label,
                Text(item.channel),
                f"{item.at:%H:%M} {item.zone} ({days_text(item.days)})",
                window(item),
                Text(questions(item)),
                "paused" if item.paused else "active",
                "-" if item.paused else local_time(item.next_due(now), item),
            )
        out.print(table)
        return 0

    run_command(run())


def _switch(name: str, *, paused: bool, done: str) -> click.Command:
    @click.argument("schedule_id", type=click.IntRange(min=1), metavar="ID")
    @SERVER_OPTION
    @DB_OPTION
    @click.pass_context
    def command(ctx: click.Context, schedule_id: int, server: str, db: str | None) -> None:
        settings = load_cli_settings(ctx, db=db or None)
        key = parse_server(server)

        async def run() -> int:
            store = await open_store(settings.db)
            try:
                changed = await store.set_schedule_paused(key, schedule_id, paused)
            finally:
                await store.close()
            return _report(changed, f"Schedule {schedule_id} {done}.", schedule_id, key)

        run_command(run())

    command.__doc__ = f"{name.capitalize()} a schedule (its id from 'schedule list')."
    return click.command(name)(command)


pause = _switch("pause", paused=True, done="is paused")
resume = _switch("resume", paused=False, done="runs again")


@schedule.command("remove")
@click.argument("schedule_id", type=click.IntRange(min=1), metavar="ID")
@SERVER_OPTION
@DB_OPTION
@click.pass_context
def remove(ctx: click.Context, schedule_id: int, server: str, db: str | None) -> None:
    """Remove a schedule (its id from 'schedule list') and what it fired."""
    settings = load_cli_settings(ctx, db=db or None)
    key = parse_server(server)

    async def run() -> int:
        store = await open_store(settings.db)
        try:
            removed = await store.remove_schedule(key, schedule_id)
        finally:
            await store.close()
        return _report(removed, f"Removed schedule {schedule_id}.", schedule_id, key)

    run_command(run())


for _command in (pause, resume):
    schedule.add_command(_command)


def _report(changed: bool, message: str, schedule_id: int, server: object) -> int:
    if not changed:
        err.print(
            f"No schedule {schedule_id} on {server}: see 'trivia-bot schedule list'.",
            style="red",
            markup=False,
            soft_wrap=True,
        )
        return 1
    out.print(message, markup=False)
    return 0
