"""Admins' question events -> terminal output (the CLI and console play).

Strings from events are terminal-safe already (``render_console.render``
cleans every event before it reaches here) and go into ``Text``, never into
rich markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Column, Table
from rich.text import Text

from bot.adapters.common.words import clip, closed_reports, plural, then
from bot.domain.events import (
    BundledShown,
    Event,
    QuestionEdited,
    QuestionsExported,
    QuestionShown,
    QuestionsImported,
    QuestionsListed,
    QuestionSwitched,
    ReportDismissed,
    ReportFiled,
    ReportsListed,
)
from bot.domain.model import Question
from bot.domain.records import (
    BundledPart,
    ListedQuestion,
    QuestionReport,
)


def render_admin(event: Event) -> RenderableType | None:
    """What the terminal shows for an admin's question event; None for other events."""
    match event:
        case QuestionEdited(question=question, resolved=resolved):
            saved = then(f"Saved question {question.id!r}.", closed_reports(resolved))
            return Text(saved, style="green")
        case QuestionSwitched(question_id=question_id, on=on, resolved=resolved):
            state = "on: it can be asked again" if on else "off: it will not be asked here"
            switched = then(f"Question {question_id!r} is {state}.", closed_reports(resolved))
            return Text(switched, style="green")
        case QuestionsListed(page=page):
            return _question_list(page.items, page.page, page.pages, page.total, page.search)
        case QuestionShown(item=item, reports=reports):
            return _question_card(item, reports)
        case QuestionsImported(source=source, result=result):
            lines = [
                Text(
                    f"{source}: {len(result.added)} added, {len(result.updated)} updated, "
                    f"{len(result.skipped)} skipped.",
                    style="green" if not result.skipped else "yellow",
                )
            ]
            lines += [Text(f"  skipped {qid}: {why}") for qid, why in result.skipped]
            return Group(*lines)
        case QuestionsExported(count=count, filename=filename):
            return Text(f"Exported {plural(count, 'question')} as {filename}.", style="green")
        case ReportFiled(report=report):
            return Text(
                f"Thanks: report #{report.id} on {report.question_id!r} is with the admins.",
                style="green",
            )
        case ReportsListed(reports=reports, total=total):
            return _report_list(reports, total)
        case ReportDismissed(report=report):
            return Text(f"Report #{report.id} dismissed.", style="green")
        case BundledShown(overview=overview, changed=changed):
            parts: list[RenderableType] = []
            if changed:
                parts.append(Text(f"Switched {changed}.", style="green"))
            parts.append(_parts_table("Bundled banks", overview.banks, with_title=True))
            parts.append(_parts_table("Bundled categories", overview.categories))
            return Group(*parts)
    return None


def _question_list(
    items: Sequence[ListedQuestion], page: int, pages: int, total: int, search: str
) -> RenderableType:
    what = f" matching {search!r}" if search else ""
    if not items:
        return Text(f"No questions{what}.")
    table = Table("Question", "Category", "Whose", "State")
    table.columns.insert(0, Column("Id", no_wrap=True))
    for item in items:
        question = item.question
        table.add_row(
            Text(question.id),
            Text(clip(question.prompt, 60)),
            Text(question.category),
            "own" if item.own else "bundled",
            "on" if item.enabled else Text("off", style="red"),
        )
    more = f" Next: --page {page + 1}." if page < pages else ""
    footer = Text(f"Page {page} of {pages}: {plural(total, 'question')}{what}.{more}", style="dim")
    return Group(table, footer)


def _question_card(item: ListedQuestion, reports: Sequence[QuestionReport]) -> RenderableType:
    q: Question = item.question
    lines: list[RenderableType] = [
        Text.assemble((q.id, "bold"), f"  ({q.category}, {q.difficulty.value}, {q.type.value})"),
        Text(q.prompt),
        Text(f"Answers: {', '.join(q.answers)}"),
    ]
    if q.choices:
        lines.append(Text(f"Options: {' | '.join(q.choices)}"))
    if q.hints:
        lines.append(Text(f"Hints: {' | '.join(q.hints)}"))
    if q.explanation:
        lines.append(Text(f"Explanation: {q.explanation}"))
    if q.tags:
        lines.append(Text(f"Tags: {', '.join(q.tags)}"))
    whose = "this server's own" if item.own else f"bundled (bank {q.bank_id})"
    state = "on" if item.enabled else "off for this server"
    lines.append(Text(f"{whose}; {state}", style="dim"))
    if item.history is not None:
        h = item.history
        lines.append(
            Text(
                f"added by {h.added_by} {h.added_at:%Y-%m-%d %H:%M}; "
                f"last changed by {h.changed_by} {h.changed_at:%Y-%m-%d %H:%M} (UTC)",
                style="dim",
            )
        )
    if reports:
        lines.append(_report_list(reports, len(reports)))
    return Group(*lines)


def _report_list(reports: Sequence[QuestionReport], total: int) -> RenderableType:
    if not reports:
        return Text("No open reports.")
    table = Table("#", "Question", "Kind", "Reason", "By", "When (UTC)", title="Open reports")
    for report in reports:
        d = report.draft
        table.add_row(
            str(report.id),
            Text(f"{d.question_id}: {clip(d.prompt, 40)}"),
            d.kind.value,
            Text(d.reason or "-"),
            Text(d.reporter_name),
            f"{d.at:%Y-%m-%d %H:%M}",
        )
    shown = f"{len(reports)} of {total} open reports shown. " if total > len(reports) else ""
    hint = Text(
        f"{shown}Resolve one by editing the question, disabling it, or dismissing the report.",
        style="dim",
    )
    return Group(table, hint)


def _parts_table(title: str, parts: Sequence[BundledPart], *, with_title: bool = False) -> Table:
    table = Table("Name", *(["Title"] if with_title else []), "Questions", "State", title=title)
    for part in parts:
        state = "on" if part.on else Text("off", style="red")
        cells: list[Text | str] = [Text(part.name)]
        if with_title:
            cells.append(Text(part.title))
        table.add_row(*cells, str(part.questions), state)
    return table
