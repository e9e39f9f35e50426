"""Admins' replies on Discord: their questions, imports, exports, reports, bundled switches.

Every event here has a ``recipient`` and is shown to that person alone (an
ephemeral reply). Text users or admins typed (prompts, reasons, names) is shown
literally (``escape``), and everything is fitted to Discord's limits: a long
list ends with how much was left out instead of failing to send.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.adapters.common.words import closed_reports, plural, then
from bot.adapters.discord.message import (
    GREEN,
    GREY,
    MAX_CONTENT,
    MAX_DESCRIPTION,
    MAX_FIELD_VALUE,
    PURPLE,
    RED,
    YELLOW,
    Field,
    File,
    Reply,
    clip,
    embed,
    escape,
    fit_lines,
)
from bot.bank.uploads import ParsedUpload
from bot.domain.events import (
    BundledShown,
    DraftRejected,
    Event,
    QuestionAdded,
    QuestionEdited,
    QuestionRemoved,
    QuestionsExported,
    QuestionShown,
    QuestionsImported,
    QuestionsListed,
    QuestionSwitched,
    ReportDismissed,
    ReportFiled,
    ReportsListed,
)
from bot.domain.model import Question, QuestionType
from bot.domain.records import (
    BundledPart,
    ListedQuestion,
    QuestionHistory,
    QuestionReport,
)

#: The question form's fields, as the add and edit forms label them (problems name fields).
FIELD_LABELS = {
    "prompt": "Question",
    "answers": "Answers",
    "category": "Category",
    "difficulty": "Difficulty",
    "explanation": "Explanation",
    "choices": "Choices",
    "hints": "Hints",
}
ON, OFF = "✅", "⛔"
RESOLVE_HOW = (
    "Resolve one: `/trivia edit` or `/trivia disable` its question (that closes all the "
    "question's reports), or `/trivia dismiss report_id:<number>`."
)


def admin_reply(event: Event) -> Reply | None:
    """The reply for an admin event (and a reporter's receipt); None for other events."""
    match event:
        case DraftRejected(problems=problems):
            lines = [f"• **{FIELD_LABELS.get(p.field, p.field)}**: {p.message}" for p in problems]
            text = fit_lines(
                lines,
                MAX_CONTENT,
                head=["That question was not saved:"],
            )
            return Reply(content=text)
        case QuestionAdded(question=q):
            return Reply(
                content=f"Added `{q.id}` to this server's questions "
                f"(category {escape(q.category)}, {q.difficulty}). "
                f"Change it with `/trivia edit question_id:{q.id}`, "
                f"remove it with `/trivia remove question_id:{q.id}`."
            )
        case QuestionEdited(question=q, resolved=resolved):
            return Reply(
                content=clip(
                    then(
                        f"Saved `{q.id}`: “{escape(clip(q.prompt, 200))}” "
                        f"(answer: {escape(clip(q.answer, 100))}).",
                        closed_reports(resolved),
                    ),
                    MAX_CONTENT,
                )
            )
        case QuestionRemoved(question_id=question_id, resolved=resolved):
            return Reply(
                content=then(
                    f"Removed `{question_id}` from this server's questions.",
                    closed_reports(resolved),
                )
            )
        case QuestionSwitched(question_id=question_id, on=on, resolved=resolved):
            if on:
                text = f"Enabled `{question_id}`: games on this server may ask it again."
            else:
                text = (
                    f"Disabled `{question_id}`: games on this server will not ask it. "
                    f"`/trivia enable question_id:{question_id}` turns it back on."
                )
            return Reply(content=then(text, closed_reports(resolved)))
        case QuestionsListed():
            return _question_page(event)
        case QuestionShown(item=item, reports=reports):
            return _question(item, reports)
        case QuestionsImported(source=source, result=result):
            head = (
                f"Imported {escape(source)}: {len(result.added)} added, "
                f"{len(result.updated)} updated, {len(result.skipped)} skipped."
            )
            lines = [f"• `{qid}` skipped: {why}" for qid, why in result.skipped]
            text = fit_lines(lines, MAX_CONTENT, head=[head])
            return Reply(content=text)
        case QuestionsExported(filename=filename, text=text, count=count):
            return Reply(
                content=f"This server's {plural(count, 'question')} of its own, "
                "as a bank file. `/trivia import` takes it back (here or on another server).",
                file=File(filename, text.encode("utf-8")),
            )
        case ReportFiled(report=report):
            return Reply(
                content=clip(
                    f"Thanks: you reported `{report.question_id}` "
                    f"(“{escape(clip(report.draft.prompt, 150))}”) as {report.draft.kind}. "
                    f"The server's admins will look at it (report #{report.id}).",
                    MAX_CONTENT,
                )
            )
        case ReportsListed(reports=reports, total=total):
            return _reports(reports, total)
        case ReportDismissed(report=report):
            return Reply(
                content=f"Dismissed report #{report.id} about `{report.question_id}`; "
                "the question is unchanged."
            )
        case BundledShown():
            return _bundled(event)
    return None


def _when(at: datetime) -> str:
    """Discord shows this as "3 hours ago" in each reader's own language and time zone."""
    return f"<t:{int(at.timestamp())}:R>"


def _who(user: str) -> str:
    """A stored user: a Discord user id is a mention (it pings nobody: mentions are off)."""
    return f"<@{user}>" if user.isdigit() else escape(user)


def _status(item: ListedQuestion) -> str:
    whose = "this server's" if item.own else "bundled"
    return f"{whose} · {'on' if item.enabled else 'off'}"


# -- the question list ---------------------------------------------------------------------


def _question_page(event: QuestionsListed) -> Reply:
    page = event.page
    which = "This server's own questions" if page.own_only else "Questions"
    matching = f" matching “{escape(clip(page.search, 100))}”" if page.search else ""
    if not page.items:
        if page.search:
            body = f"No questions{matching}."
        elif page.own_only:
            body = "This server has no questions of its own yet: `/trivia add` or `/trivia import`."
        else:
            body = "No questions."
        return Reply(embed=embed(which, body, colour=GREY))
    entries = [
        f"{ON if item.enabled else OFF} `{item.question.id}` "
        f"**{escape(clip(item.question.prompt, 120))}**\n"
        f"{escape(clip(item.question.category, 40))} · {_status(item)}"
        for item in page.items
    ]
    description = fit_lines(entries, MAX_DESCRIPTION)
    footer = f"{plural(page.total, 'question')}{_plain(matching)}"
    footer += f" · page {page.page} of {page.pages}"
    if page.page < page.pages:
        footer += f" · next: /trivia questions page:{page.page + 1}"
    footer += " · /trivia question <id> shows one"
    title = f"{which}{matching}, page {page.page} of {page.pages}"
    return Reply(embed=embed(title, description, colour=PURPLE, footer=footer))


def _plain(text: str) -> str:
    """Footers show no markdown: the escaping backslashes would show."""
    return text.replace("\\", "")


# -- one question --------------------------------------------------------------------------


def _question(item: ListedQuestion, reports: Sequence[QuestionReport]) -> Reply:
    q = item.question
    fields = [Field("Answers", _answers(q))]
    if q.choices:
        fields.append(Field("Options", "\n".join(f"• {escape(c)}" for c in q.choices)))
    fields += [
        Field("Category", escape(q.category), inline=True),
        Field("Difficulty", q.difficulty.value, inline=True),
        Field("Status", _status(item), inline=True),
    ]
    if q.type is not QuestionType.TEXT:
        fields.append(Field("Type", q.type.value, inline=True))
    if not item.own and q.bank_id:
        fields.append(Field("Bank", f"`{q.bank_id}`", inline=True))
    if q.hints:
        fields.append(Field("Hints", "\n".join(f"• {escape(h)}" for h in q.hints)))
    if q.explanation:
        fields.append(Field("Explanation", escape(q.explanation)))
    if q.tags:
        fields.append(Field("Tags", ", ".join(escape(t) for t in q.tags)))
    if q.source is not None:
        fields.append(
            Field("Source", f"paragraph {q.source.paragraph}: {escape(q.source.context)}")
        )
    if item.history is not None:
        fields.append(Field("History", _history(item.history)))
    if reports:
        lines = [_report_line(r, with_question=False) for r in reports]
        fields.append(
            Field(
                f"Open reports ({len(reports)})",
                fit_lines(lines, MAX_FIELD_VALUE),
            )
        )
    how = [
        f"/trivia disable question_id:{q.id}"
        if item.enabled
        else f"/trivia enable question_id:{q.id}"
    ]
    if item.own:
        how.insert(0, f"/trivia edit question_id:{q.id}")
    if reports:
        how.append("/trivia dismiss report_id:<number>")
    return Reply(
        embed=embed(
            f"Question {q.id}",
            escape(q.prompt),
            colour=YELLOW if reports else (PURPLE if item.enabled else GREY),
            fields=fields,
            footer=" · ".join(how),
        )
    )


def _answers(q: Question) -> str:
    first, *others = q.answers
    lines = [f"**{escape(first)}** (shown at the reveal)"]
    lines += [escape(a) for a in others]
    return fit_lines(lines, MAX_FIELD_VALUE)


def _history(history: QuestionHistory) -> str:
    added = f"Added by {_who(history.added_by)} {_when(history.added_at)}"
    if history.changed_at == history.added_at and history.changed_by == history.added_by:
        return added + "."
    return f"{added}; last changed by {_who(history.changed_by)} {_when(history.changed_at)}."


# -- reports ----------------------------------------------------------------------------------


def _report_line(report: QuestionReport, *, with_question: bool) -> str:
    d = report.draft
    reason = f": {escape(clip(d.reason, 200))}" if d.reason else ""
    about = f" `{report.question_id}` “{escape(clip(d.prompt, 80))}”" if with_question else ""
    return (
        f"**#{report.id}**{about} {d.kind.value}{reason} "
        f"(by {escape(clip(d.reporter_name, 40))}, {_when(d.at)})"
    )


def _reports(reports: Sequence[QuestionReport], total: int) -> Reply:
    if not reports:
        return Reply(embed=embed("Open reports", "No open reports. 🎉", colour=GREEN))
    lines = [_report_line(r, with_question=True) for r in reports]
    description = fit_lines(lines, MAX_DESCRIPTION)
    shown = f"the oldest {len(reports)} of {total}" if total > len(reports) else f"{total}"
    return Reply(
        embed=embed(
            f"Open reports ({shown})",
            description,
            colour=RED,
            footer=_plain(RESOLVE_HOW).replace("`", ""),
        )
    )


# -- bundled banks and categories ------------------------------------------------------------


def _bundled(event: BundledShown) -> Reply:
    overview = event.overview

    def lines(parts: Sequence[BundledPart], *, banks: bool) -> list[str]:
        return [
            f"{ON if p.on else OFF} `{p.name}`"
            + (f" {escape(p.title)}" if banks and p.title != p.name else "")
            + f" ({p.questions})"
            for p in parts
        ]

    bank_lines = lines(overview.banks, banks=True) or ["No bundled banks."]
    category_lines = lines(overview.categories, banks=False) or ["No bundled categories."]
    head = [f"**{escape(event.changed)}.**", ""] if event.changed else []
    body = [*head, "**Banks**", *bank_lines, "", "**Categories**", *category_lines]
    description = fit_lines(body, MAX_DESCRIPTION)
    return Reply(
        embed=embed(
            "Bundled questions on this server",
            description,
            colour=GREEN if event.changed else GREY,
            footer="/trivia bundled kind:category name:<name> on:False switches one off "
            "for this server; on:True turns it back on.",
        )
    )


def upload_problems(parsed: ParsedUpload) -> str:
    """Every problem of a refused file (each names the file and line), as many as fit in
    one message, then how many more there are. Shown literally: they quote the file."""
    head = (
        f"{escape(parsed.filename)} was not imported, so nothing changed: "
        f"{plural(len(parsed.problems), 'problem')}. Fix them and upload it again."
    )
    lines = [f"• {escape(problem)}" for problem in parsed.problems]
    return fit_lines(
        lines, MAX_CONTENT, head=[head], more=lambda n: f"…and {plural(n, 'more problem')}."
    )
