"""``trivia-bot questions convert``: other bots' trivia lists as bank files.

Red-DiscordBot's lists (``--from red``) are converted by
``bot.bank.red_import.convert_red_files``, one bank file per list, named after
the bank's id (``red-<list>.yaml``).  Every file written has been loaded by the
loader, and the files load together: served through ``TRIVIA_QUESTIONS``, a
collection far over one server's own-question limit reaches every server.

Nothing is written until every list is converted, and nothing at all if a file
to be written exists already (unless ``--force``).  What a list holds that its
bank does not is printed with file and line; the exit code is then 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from bot.bank.red_import import RedConversion, RedListFile, convert_red_files


@click.command("convert")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--from",
    "source_format",
    type=click.Choice(["red"]),
    required=True,
    help="The lists' format. red: Red-DiscordBot trivia lists.",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the bank files (created if missing).",
)
@click.option("--force", is_flag=True, help="Overwrite bank files that exist already.")
def convert_command(
    sources: tuple[Path, ...], source_format: str, output: Path, force: bool
) -> None:
    """Convert trivia lists (files, or folders of *.yaml/*.yml files) into bank files,
    one per list, for TRIVIA_QUESTIONS."""
    lists, missing = convert_red_files(sources)
    converted = [(item.path, item.conversion) for item in lists if item.conversion is not None]
    _refuse_to_overwrite(output, converted, sources=[item.path for item in lists], force=force)
    for problem in missing:
        click.echo(f"  {problem}", err=True)
    try:
        if converted:
            output.mkdir(parents=True, exist_ok=True)
        for item in lists:
            _report(item)
            if item.conversion is not None:
                _write(output / item.conversion.file_name, item.conversion.bank_text)
    except OSError as exc:
        click.secho(f"Cannot write to {output}: {exc.strerror or exc}", fg="red", err=True)
        raise SystemExit(1) from None
    written = sum(conversion.questions for _, conversion in converted)
    skipped = sum(conversion.skipped for _, conversion in converted)
    failed = len(lists) - len(converted)
    summary = (
        f"{len(converted)} list{_s(len(converted))} converted into {output}: "
        f"{written:,} question{_s(written)} written, {skipped:,} skipped"
    )
    if failed:
        summary += f"; {failed} file{_s(failed)} not converted"
    click.echo(summary + ".")
    if missing or any(item.problems for item in lists):
        raise SystemExit(1)


def _refuse_to_overwrite(
    output: Path,
    converted: Sequence[tuple[Path, RedConversion]],
    *,
    sources: Sequence[Path],
    force: bool,
) -> None:
    """Exit 1 before anything is written if a bank file would replace a list being
    converted, or (without ``force``) any file at all."""
    targets = [output / conversion.file_name for _, conversion in converted]
    inputs = {source.resolve() for source in sources}
    for target in targets:
        if target.resolve() in inputs:
            click.secho(
                f"{target} is one of the lists being converted; write the bank files to "
                "another folder. Nothing was written.",
                fg="red",
                err=True,
            )
            raise SystemExit(1)
    existing = [target for target in targets if target.exists()]
    if existing and not force:
        count = len(existing)
        click.secho(
            f"{count} bank file{_s(count)} exist{'s' if count == 1 else ''} already; "
            "nothing was written (use --force to overwrite them):",
            fg="red",
            err=True,
        )
        for target in existing:
            click.echo(f"  {target}", err=True)
        raise SystemExit(1)


def _report(item: RedListFile) -> None:
    """One line for the list on standard output; its problems and notes on standard error."""
    conversion = item.conversion
    if conversion is None:
        count = len(item.problems)
        click.echo(f"{item.path}: not converted ({count} problem{_s(count)})")
    else:
        click.echo(
            f"{item.path} -> {conversion.file_name}: {conversion.questions:,} "
            f"question{_s(conversion.questions)} written, {conversion.skipped:,} skipped"
        )
    for problem in item.problems:
        click.echo(f"  {problem}", err=True)
    for note in conversion.notes if conversion is not None else ():
        click.echo(f"  note: {note}", err=True)


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a crash leaves no half bank,
    which the reloader would refuse with every other bank of the folder)."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def _s(count: int) -> str:
    return "" if count == 1 else "s"
