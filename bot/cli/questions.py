"""``trivia-bot questions ...``: check and browse bank files; curate a server's questions.

The bank-file commands (validate, list, show, try) are here; a server's own
questions are curated by ``bot.cli.admin`` and imported and exported by
``bot.cli.bank_io``, and other bots' lists become bank files through
``bot.cli.convert``; their commands join this group.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from bot.app.compose import bank_paths, load_configured_banks
from bot.bank import BankError, load_bank_file, load_banks
from bot.cli.admin import (
    SERVER_HELP,
    add_command,
    bundled_command,
    disable_command,
    edit_command,
    enable_command,
    list_server_questions,
    remove_command,
    show_server_question,
)
from bot.cli.bank_io import export_command, import_command
from bot.cli.common import (
    DB_OPTION,
    WholeSummaries,
    err,
    load_cli_settings,
    out,
    print_bank_problems,
    unicode_text,
)
from bot.cli.convert import convert_command
from bot.domain.answers import matcher_for
from bot.domain.model import Question
from bot.domain.words import plural


@click.group(cls=WholeSummaries)
def questions() -> None:
    """Check, browse and convert bank files; curate a server's questions (add, edit,
    disable, enable, remove, bundled, import, export)."""


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
            f"ok  {bank.info.path}: {plural(len(bank.questions), 'question')} ({bank.info.id})",
            markup=False,
        )


@questions.command("list")
@click.option("--bank", "banks", multiple=True, type=click.Path(path_type=Path))
@click.option("--category", help="Only this category.")
@click.option("--server", callback=unicode_text, help="A server's questions: " + SERVER_HELP)
@click.option("--search", default="", callback=unicode_text, help="With --server: words to find.")
@click.option("--page", type=click.IntRange(min=1), default=1, help="With --server: which page.")
@click.option("--own", is_flag=True, help="With --server: only the server's own questions.")
@DB_OPTION
@click.pass_context
def list_questions(
    ctx: click.Context,
    banks: tuple[Path, ...],
    category: str | None,
    server: str | None,
    search: str,
    page: int,
    own: bool,
    db: str | None,
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
        "id", "type", "difficulty", "category", "prompt", title=plural(len(selected), "question")
    )
    for q in selected:
        table.add_row(q.id, q.type, q.difficulty, Text(q.category), Text(q.prompt))
    out.print(table)


@questions.command()
@click.argument("question_id")
@click.option("--bank", "banks", multiple=True, type=click.Path(path_type=Path))
@click.option("--server", callback=unicode_text, help="As a server sees it: " + SERVER_HELP)
@DB_OPTION
@click.pass_context
def show(
    ctx: click.Context,
    question_id: str,
    banks: tuple[Path, ...],
    server: str | None,
    db: str | None,
) -> None:
    """Show everything about one question (with --server: a server's own too, its
    state there, who changed it and its open reports)."""
    if server is not None:
        show_server_question(ctx, server, question_id, db)
        return
    question = _find(_load(ctx, banks), question_id)
    _print_question(question)


@questions.command("try")
@click.argument("args", nargs=-1, required=True, metavar="[FILE] QUESTION_ID GUESS")
@click.option(
    "--bank",
    "banks",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Look in this bank file or folder instead of the configured banks (repeatable).",
)
@click.pass_context
def try_guess(ctx: click.Context, args: tuple[str, ...], banks: tuple[Path, ...]) -> None:
    """Check how GUESS would be judged for a question: accepted, close or rejected.

    The question is looked up in the configured banks (the bundled one unless
    TRIVIA_QUESTIONS says otherwise), in the --bank files, or in FILE if one
    is given first.
    """
    if len(args) not in (2, 3):
        raise click.UsageError("give QUESTION_ID and GUESS, and optionally a bank FILE first")
    *files, question_id, guess = args
    questions_ = _load_file(Path(files[0])) if files else _load(ctx, banks)
    question = _find(questions_, question_id)
    match = matcher_for(question).check(guess)
    colour = {"accepted": "green", "close": "yellow", "rejected": "red"}[match.verdict.value]
    out.print(f"[bold {colour}]{match.verdict.value}[/]: ", end="")
    out.print(match.reason, markup=False)


def _load_file(path: Path) -> Sequence[Question]:
    # As click.Path(exists=True, dir_okay=False) did: the loader refuses the
    # rest (a device that never ends, a file too big) with its own message.
    if not path.exists() or path.is_dir():
        raise click.BadParameter(f"{path} is not a bank file", param_hint="FILE")
    try:
        return load_bank_file(path).questions
    except BankError as exc:
        _print_bank_error(exc)
        raise SystemExit(1) from None


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


questions.add_command(import_command)
questions.add_command(export_command)
questions.add_command(convert_command)
for _command in (add_command, edit_command, disable_command, enable_command, remove_command):
    questions.add_command(_command)
questions.add_command(bundled_command)
