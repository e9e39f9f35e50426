"""Admin events -> Slack messages: question lists, one question, imports, reports, bundled.

Pure functions, like ``render_slack`` (which hands these events here).  Every
one of these events has a recipient, so each message is seen by one admin (or,
for ``ReportFiled``, by the player who reported): it may be long, but it stays
inside Slack's limits (``slack_blocks``).  Every line names the command that
acts on what it shows, with the ids to type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.adapters.common.words import closed_reports
from bot.adapters.slack.message import (
    MAX_BLOCKS,
    SECTION_TEXT_MAX,
    Block,
    SlackMessage,
    clip,
    context,
    esc,
    message,
    plural,
    section,
)
from bot.bank.uploads import ParsedUpload
from bot.domain.events import (
    BundledShown,
    Event,
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
from bot.domain.records import (
    BundledPart,
    ListedQuestion,
    QuestionReport,
)

#: A prompt in a list is cut here; ``/trivia question ID`` shows it whole.
LIST_PROMPT_MAX = 150


def render_admin(event: Event) -> SlackMessage | None:
    """The message for an admin event; None for any other event."""
    match event:
        case QuestionEdited(question=question, resolved=resolved):
            return message(
                f"✏️ Updated `{esc(question.id)}` ({esc(question.category)}, "
                f"{question.difficulty}): {esc(question.prompt)}",
                closed_reports(resolved),
            )
        case QuestionSwitched(question_id=question_id, on=on, resolved=resolved):
            qid = esc(question_id)
            head = (
                f"▶️ Enabled `{qid}`: it can be asked here again."
                if on
                else f"⏸ Disabled `{qid}`: it will not be asked here until `/trivia enable {qid}`."
            )
            return message(head, closed_reports(resolved))
        case QuestionRemoved(question_id=question_id, resolved=resolved):
            return message(
                f"🗑 Removed `{esc(question_id)}` from this workspace's questions.",
                closed_reports(resolved),
            )
        case QuestionsListed():
            return question_list(event)
        case QuestionShown(item=item, reports=reports):
            return question_card(item, reports)
        case QuestionsImported():
            return imported(event)
        case QuestionsExported(filename=filename, count=count):
            return message(
                f"📤 `{esc(filename)}`: this workspace's {plural(count, 'question')} as a bank "
                "file. Edit it and share it with me again to update them."
            )
        case ReportFiled(report=report):
            return message(
                f"🚩 Thanks: report #{report.id} on `{esc(report.question_id)}` "
                f"({report.draft.kind}) is in. The workspace's admins will look at it."
            )
        case ReportsListed(reports=reports, total=total):
            return report_list(reports, total)
        case ReportDismissed(report=report):
            return message(
                f"👌 Dismissed report #{report.id} on `{esc(report.question_id)}`; "
                "the question is unchanged."
            )
        case BundledShown():
            return bundled(event)
        case _:
            return None


def when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def lines_message(title: str, lines: Iterable[str], footer: str = "") -> SlackMessage:
    """A title, many lines packed into as few sections as Slack allows, and a footer."""
    blocks: list[Block] = [section(title)]
    chunk: list[str] = []
    every = list(lines)
    shown = 0
    for line in every:
        line = clip(line, SECTION_TEXT_MAX)
        if chunk and len("\n".join([*chunk, line])) > SECTION_TEXT_MAX:
            if len(blocks) >= MAX_BLOCKS - 2:
                break
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
        shown += 1
    if chunk:
        blocks.append(section("\n".join(chunk)))
    left = len(every) - shown
    tail = f"…and {left} more." if left else ""
    if tail or footer:
        blocks.append(context(" ".join(part for part in (tail, footer) if part)))
    return message(title, *every, footer, blocks=blocks)


# -- questions -------------------------------------------------------------------------------


def origin(item: ListedQuestion) -> str:
    return "own" if item.own else f"bundled ({esc(item.question.bank_id)})"


def question_line(item: ListedQuestion) -> str:
    q = item.question
    off = " · ⏸ *disabled*" if not item.enabled else ""
    return (
        f"`{esc(q.id)}` · {esc(q.category)} · {origin(item)}{off}\n"
        f"      {esc(clip(q.prompt, LIST_PROMPT_MAX))}"
    )


def question_list(event: QuestionsListed) -> SlackMessage:
    page = event.page
    which = "This workspace's own questions" if page.own_only else "Questions here"
    search = f" matching “{esc(page.search)}”" if page.search else ""
    if not page.items:
        return message(
            f"No questions{search}." if page.search else f"{which}: none yet.",
            "`/trivia questions` lists them all; `/trivia add` adds one.",
        )
    title = (
        f"*{which}{search}* · page {page.page} of {page.pages} · {plural(page.total, 'question')}"
    )
    more = ""
    if page.page < page.pages:
        words = " ".join(
            part
            for part in (esc(page.search), "own" if page.own_only else "", f"page {page.page + 1}")
            if part
        )
        more = f"Next: `/trivia questions {words}` · "
    footer = f"{more}`/trivia question ID` shows one · `/trivia disable ID` · `/trivia edit ID`"
    return lines_message(title, (question_line(item) for item in page.items), footer)


def question_card(item: ListedQuestion, reports: Sequence[QuestionReport]) -> SlackMessage:
    q = item.question
    qid = esc(q.id)
    state = "on" if item.enabled else "⏸ disabled here"
    lines = [
        f"*`{qid}`* · {esc(q.category)} · {q.difficulty} · {q.type} · {origin(item)} · {state}",
        esc(q.prompt),
        f"*Answer:* {esc(q.answer)}",
    ]
    if len(q.answers) > 1:
        lines.append(f"*Also accepted:* {', '.join(esc(a) for a in q.answers[1:])}")
    if q.choices:
        lines.append(f"*Options:* {' · '.join(esc(c) for c in q.choices)}")
    if q.hints:
        lines.append(f"*Hints:* {' · '.join(esc(h) for h in q.hints)}")
    if q.explanation:
        lines.append(f"*Explanation:* {esc(q.explanation)}")
    if item.history is not None:
        h = item.history
        lines.append(
            f"Added by {esc(h.added_by)} on {when(h.added_at)}; "
            f"last changed by {esc(h.changed_by)} on {when(h.changed_at)}."
        )
    lines += [f"🚩 {report_line(report)}" for report in reports]
    toggle = f"`/trivia enable {qid}`" if not item.enabled else f"`/trivia disable {qid}`"
    actions = [toggle]
    if item.own:
        actions = [f"`/trivia edit {qid}`", toggle, f"`/trivia remove {qid}`"]
    return lines_message(lines[0], lines[1:], " · ".join(actions))


# -- imports ---------------------------------------------------------------------------------


def imported(event: QuestionsImported) -> SlackMessage:
    result = event.result
    title = (
        f"📥 Imported `{esc(event.source)}`: {len(result.added)} added, "
        f"{len(result.updated)} updated, {len(result.skipped)} skipped."
    )
    lines = [f"• `{esc(qid)}` skipped: {esc(why)}" for qid, why in result.skipped]
    return lines_message(title, lines, "`/trivia questions own` lists this workspace's own.")


def upload_refused(parsed: ParsedUpload) -> SlackMessage:
    """A shared bank file with problems: every one of them, and that nothing changed."""
    count = len(parsed.problems)
    title = (
        f"⚠️ `{esc(parsed.filename)}` was not imported: it has {plural(count, 'problem')}, "
        "so nothing changed. Fix them and share the file again."
    )
    return lines_message(title, (f"• {esc(problem)}" for problem in parsed.problems))


# -- reports ---------------------------------------------------------------------------------


def report_line(report: QuestionReport) -> str:
    d = report.draft
    reason = f": “{esc(d.reason)}”" if d.reason else ""
    return (
        f"*#{report.id}* · `{esc(d.question_id)}` · {d.kind}{reason} · "
        f"by {esc(d.reporter_name)} · {when(d.at)}"
    )


def report_list(reports: Sequence[QuestionReport], total: int) -> SlackMessage:
    if not reports:
        return message("No open reports. 🎉")
    title = f"*Open reports* · {total} open" + (
        f", the oldest {len(reports)} shown" if total > len(reports) else ""
    )
    lines = [
        f"{report_line(r)}\n      {esc(clip(r.draft.prompt, LIST_PROMPT_MAX))}" for r in reports
    ]
    footer = (
        "Resolve one: `/trivia edit QUESTION` or `/trivia disable QUESTION` (either closes the "
        "question's reports) · `/trivia dismiss REPORT` keeps the question as it is."
    )
    return lines_message(title, lines, footer)


# -- bundled banks and categories ------------------------------------------------------------


def part_line(part: BundledPart, *, show_title: bool) -> str:
    name = f"`{esc(part.name)}`" + (f" {esc(part.title)}" if show_title else "")
    state = "on" if part.on else "⏸ *off*"
    return f"• {name}: {plural(part.questions, 'question')} · {state}"


def bundled(event: BundledShown) -> SlackMessage:
    overview = event.overview
    head = f"✅ {esc(event.changed)}." if event.changed else "*Bundled questions here*"
    lines = ["*Banks*", *(part_line(p, show_title=True) for p in overview.banks)]
    lines += ["*Categories*", *(part_line(p, show_title=False) for p in overview.categories)]
    footer = "`/trivia bundled category NAME off` · `/trivia bundled bank ID on`"
    return lines_message(head, lines, footer)
