"""Admin events -> Block Kit: lists, one question, imports, reports, bundled; the forms.

Every admin reply stays inside Slack's limits however much there is to say (50 blocks,
3000 characters a section), escapes what users wrote, and names the command to type next.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.slack.message import MAX_BLOCKS, SECTION_TEXT_MAX, SlackMessage
from bot.adapters.slack.modals import edit_question_modal, report_modal
from bot.adapters.slack.outbox import recipient_of
from bot.adapters.slack.render import render
from bot.adapters.slack.render_admin import upload_refused
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
from bot.domain.model import ChannelKey, PlayerKey, Question, QuestionType
from bot.domain.records import (
    BundledOverview,
    BundledPart,
    ImportResult,
    ListedQuestion,
    QuestionHistory,
    QuestionPage,
    QuestionReport,
    ReportDraft,
    ReportKind,
)

CHANNEL = ChannelKey("slack", "T1", "C1")
ADA = PlayerKey("slack", "T1", "U1")
BOB = PlayerKey("slack", "T1", "U2")
WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
OWN = Question(
    id="maths-1",
    prompt="What is <six> times seven?",
    answers=("42", "forty-two"),
    type=QuestionType.CHOICE,
    choices=("41", "42"),
    category="maths",
    hints=("between 40 and 45",),
    explanation="6 x 7 & so on",
    bank_id="server:slack:T1",
    scope="slack:T1",
)
BUNDLED = Question(
    id="colour-sky", prompt="What colour is the sky?", answers=("blue",), bank_id="general"
)
HISTORY = QuestionHistory("ada", WHEN, "ada", WHEN)


def report(number: int = 3, *, reason: str = "two <b>answers</b> fit") -> QuestionReport:
    draft = ReportDraft(
        server=CHANNEL.server_key,
        channel=CHANNEL,
        question_id="colour-sky",
        prompt="What colour is the sky?",
        kind=ReportKind.UNCLEAR,
        reason=reason,
        reporter=BOB,
        reporter_name="bob",
        at=WHEN,
    )
    return QuestionReport(id=number, draft=draft)


def page(items: int = 2, *, page_number: int = 1, pages: int = 1) -> QuestionPage:
    listed = (ListedQuestion(OWN, own=True, enabled=True, history=HISTORY),)
    listed += (ListedQuestion(BUNDLED, own=False, enabled=False),) * (items - 1)
    return QuestionPage(listed, page_number, pages, total=items, search="", own_only=False)


OVERVIEW = BundledOverview(
    banks=(BundledPart("general", "General knowledge", 120, True),),
    categories=(BundledPart("space", "space", 40, False), BundledPart("art", "art", 80, True)),
)


def every_admin_event() -> list[Event]:
    who: dict[str, Any] = {"channel": CHANNEL, "recipient": ADA}
    result = ImportResult(added=("a",), updated=("b", "c"), skipped=(("d", "too <long>"),))
    return [
        QuestionEdited(**who, question=OWN, resolved=(1, 2)),
        QuestionSwitched(**who, question_id="colour-sky", on=False, resolved=(4,)),
        QuestionSwitched(**who, question_id="colour-sky", on=True),
        QuestionRemoved(**who, question_id="maths-1", resolved=(5,)),
        QuestionsListed(**who, page=page()),
        QuestionShown(**who, item=ListedQuestion(OWN, own=True, enabled=True), reports=()),
        QuestionsImported(**who, source="q.yaml", result=result),
        QuestionsExported(**who, filename="export.yaml", text="id: x\n", count=3),
        ReportFiled(channel=CHANNEL, recipient=BOB, report=report()),
        ReportsListed(**who, reports=(report(),), total=1),
        ReportDismissed(**who, report=report()),
        BundledShown(**who, overview=OVERVIEW),
    ]


def within_slacks_limits(shown: SlackMessage) -> None:
    assert shown.text
    assert 0 < len(shown.blocks) <= MAX_BLOCKS
    for block in shown.blocks:
        text = block.get("text", {}).get("text", "")
        assert len(text) <= SECTION_TEXT_MAX


@pytest.mark.parametrize("event", every_admin_event(), ids=lambda e: type(e).__name__)
def test_every_admin_event_is_a_private_message_within_slacks_limits(event: Event) -> None:
    shown = render(event)

    assert shown is not None
    within_slacks_limits(shown)
    assert recipient_of(event) is not None
    assert "<" not in json.dumps(shown.blocks_json()) + shown.text


def test_the_list_shows_the_page_ids_origin_and_what_is_off() -> None:
    listed = QuestionsListed(channel=CHANNEL, recipient=ADA, page=page(2, pages=3))

    text = render(listed).text  # type: ignore[union-attr]

    assert text.startswith("*Questions here* · page 1 of 3 · 2 questions")
    assert "`maths-1` · maths · own\n      What is &lt;six&gt; times seven?" in text
    assert "`colour-sky` · general · bundled (general) · ⏸ *disabled*" in text
    assert "Next: `/trivia questions page 2`" in text


def test_one_question_shows_everything_and_how_to_act_on_it() -> None:
    shown = QuestionShown(
        channel=CHANNEL,
        recipient=ADA,
        item=ListedQuestion(OWN, own=True, enabled=True, history=HISTORY),
        reports=(report(),),
    )

    text = render(shown).text  # type: ignore[union-attr]

    assert "*Answer:* 42" in text
    assert "*Also accepted:* forty-two" in text
    assert "*Options:* 41 · 42" in text
    assert "*Explanation:* 6 x 7 &amp; so on" in text
    assert "Added by ada on 2026-03-01 09:30 UTC" in text
    assert "🚩 *#3* · `colour-sky` · unclear: “two &lt;b&gt;answers&lt;/b&gt; fit” · by bob" in text
    assert text.endswith(
        "`/trivia edit maths-1` · `/trivia disable maths-1` · `/trivia remove maths-1`"
    )


def test_a_bundled_question_offers_only_switching_it_back_on() -> None:
    shown = QuestionShown(
        channel=CHANNEL,
        recipient=ADA,
        item=ListedQuestion(BUNDLED, own=False, enabled=False),
        reports=(),
    )

    assert render(shown).text.endswith("`/trivia enable colour-sky`")  # type: ignore[union-attr]


def test_two_hundred_problems_fit_in_one_message_and_none_is_lost_from_the_text() -> None:
    problems = tuple(
        f"big.yaml:{n}: question 'q{n}', field 'answers': " + "x" * 80 for n in range(1, 201)
    )

    shown = upload_refused(ParsedUpload("big.yaml", problems=problems))

    within_slacks_limits(shown)
    assert shown.text.startswith("⚠️ `big.yaml` was not imported: it has 200 problems")
    assert all(f"big.yaml:{n}:" in shown.text for n in range(1, 201))


def test_reports_say_how_to_resolve_them_and_how_many_are_left_out() -> None:
    listed = ReportsListed(channel=CHANNEL, recipient=ADA, reports=(report(),), total=30)

    text = render(listed).text  # type: ignore[union-attr]

    assert text.startswith("*Open reports* · 30 open, the oldest 1 shown")
    assert "*#3* · `colour-sky` · unclear" in text
    assert "2026-03-01 09:30 UTC" in text
    assert "`/trivia dismiss REPORT`" in text


def test_bundled_parts_say_what_is_on_and_what_just_changed() -> None:
    shown = BundledShown(
        channel=CHANNEL, recipient=ADA, overview=OVERVIEW, changed="category space off"
    )

    text = render(shown).text  # type: ignore[union-attr]

    assert text.startswith("✅ category space off.")
    assert "• `general` General knowledge: 120 questions · on" in text
    assert "• `space`: 40 questions · ⏸ *off*" in text


def test_the_edit_form_is_filled_in_with_the_question_as_it_is() -> None:
    form = edit_question_modal("T1/C1/maths-1", OWN)

    values = {b["block_id"]: b["element"] for b in form["blocks"] if b["type"] == "input"}
    assert form["callback_id"] == "trivia_edit_question"
    assert form["private_metadata"] == "T1/C1/maths-1"
    assert values["prompt"]["initial_value"] == "What is <six> times seven?"  # plain_text
    assert values["answers"]["initial_value"] == "42\nforty-two"
    assert values["choices"]["initial_value"] == "41\n42"
    assert values["difficulty"]["initial_option"]["value"] == "medium"
    assert values["explanation"]["initial_value"] == "6 x 7 & so on"


def test_the_report_form_asks_what_is_wrong_and_bounds_the_reason() -> None:
    form = report_modal("T1/C1/colour-sky", "*Question 1/2*\nWhat colour is the sky?")

    inputs = {b["block_id"]: b["element"] for b in form["blocks"] if b["type"] == "input"}
    assert form["callback_id"] == "trivia_report"
    assert [o["value"] for o in inputs["kind"]["options"]] == ["wrong", "unclear"]
    assert inputs["reason"]["max_length"] == 500
