"""The Discord adapter's admin side without a client: forms and options -> commands,
admin events -> replies that fit Discord's limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from discord import app_commands

from bot.adapters.discord import ids, inbound, render
from bot.adapters.discord.adapter import TriviaClient
from bot.adapters.discord.forms import form_overflow
from bot.adapters.discord.message import MAX_EMBED_TOTAL, embed, fit_lines
from bot.adapters.discord.outbox import DiscordOutbound
from bot.adapters.discord.render_admin import upload_problems
from bot.bank.uploads import ParsedUpload
from bot.domain.commands import EditQuestion, ShowBundled, SwitchBundled
from bot.domain.events import (
    BundledShown,
    QuestionShown,
    QuestionsImported,
    QuestionsListed,
    ReportsListed,
)
from bot.domain.model import ChannelKey, PlayerKey, Question, QuestionDraft, ServerKey
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
    Switch,
)

CHANNEL = ChannelKey("discord", "10", "20")
ADA = PlayerKey("discord", "10", "31")
ACTOR = inbound.make_actor(10, 31, "Ada", manage_guild=True)
AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def rows(**values: str) -> list[dict[str, object]]:
    return [
        {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
        for key, value in values.items()
    ]


def report(number: int, *, reason: str = "", prompt: str = "Type the word blue") -> QuestionReport:
    return QuestionReport(
        id=number,
        draft=ReportDraft(
            server=ServerKey("discord", "10"),
            channel=CHANNEL,
            question_id="type-blue",
            prompt=prompt,
            kind=ReportKind.UNCLEAR,
            reason=reason,
            reporter=PlayerKey("discord", "10", "40"),
            reporter_name="**Eve**",
            at=AT,
        ),
    )


# -- forms and options -> commands --------------------------------------------------------------


def test_the_edit_form_changes_only_the_fields_it_has() -> None:
    components = rows(prompt="New?", answers="a\nb", category="c", difficulty="", explanation="")

    command = inbound.edit_from_modal(CHANNEL, ACTOR, "q-1", components)

    assert command == EditQuestion(
        channel=CHANNEL,
        actor=ACTOR,
        question_id="q-1",
        draft=QuestionDraft(prompt="New?", answers="a\nb", category="c", difficulty="medium"),
        fields=frozenset({"prompt", "answers", "category", "difficulty", "explanation"}),
    )
    assert "choices" not in command.fields  # a form without them keeps a question's options


def test_the_report_form_reads_the_chosen_kind_and_the_reason() -> None:
    components = [
        {"type": 18, "component": {"type": 3, "custom_id": "kind", "values": ["unclear"]}},
        {"type": 18, "component": {"type": 4, "custom_id": "reason", "value": "  two ways  "}},
    ]

    command = inbound.report_from_modal(CHANNEL, ACTOR, "type-blue", components)
    unknown_kind = inbound.report_command(CHANNEL, ACTOR, kind="rude")

    assert (command.kind, command.reason, command.question_id) == (
        ReportKind.UNCLEAR,
        "two ways",
        "type-blue",
    )
    assert (unknown_kind.kind, unknown_kind.question_id) == (ReportKind.WRONG, None)


def test_custom_ids_that_name_a_question_round_trip_and_refuse_the_rest() -> None:
    button = ids.report_custom_id("type-blue")
    form = ids.report_modal_id("type-blue")
    edit = ids.edit_modal_id("type-blue")

    assert button == "trivia:report:type-blue"
    assert button is not None
    assert form is not None
    assert edit is not None
    assert ids.parse_report(button) == "type-blue"
    assert ids.parse_report_modal(form) == "type-blue"
    assert ids.parse_edit_modal(edit) == "type-blue"
    assert ids.parse_report(form) is None  # a form is not a button
    assert ids.parse_report("trivia:report:") is None
    assert ids.parse_report("trivia:report:a b") is None
    assert ids.report_custom_id("x" * 90) is None  # would not fit in 100 characters
    assert inbound.question_id_of(" `type-blue` ") == "type-blue"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, ShowBundled(channel=CHANNEL, actor=ACTOR)),
        (
            {"kind": "category", "name": " Words ", "on": False},
            SwitchBundled(
                channel=CHANNEL, actor=ACTOR, kind=Switch.CATEGORY, name="Words", on=False
            ),
        ),
        ({"kind": "bank", "name": "x"}, None),  # on: missing
        ({"name": "words", "on": True}, None),  # kind: missing
        ({"kind": "category", "name": "  ", "on": True}, None),
    ],
)
def test_bundled_shows_without_options_and_switches_with_all_three(
    options: dict[str, object], expected: object
) -> None:
    assert inbound.bundled_command(CHANNEL, ACTOR, **options) == expected  # type: ignore[arg-type]


def test_the_question_list_options_default_to_the_first_page_of_everything() -> None:
    listed = inbound.questions_command(CHANNEL, ACTOR, search="  mars ")

    assert (listed.search, listed.page, listed.own_only) == ("mars", 1, False)


# -- fitting text into Discord ------------------------------------------------------------------


def test_lines_that_do_not_fit_are_counted_never_cut() -> None:
    lines = [f"line {n:03d} " + "x" * 40 for n in range(100)]

    text = fit_lines(lines, 500, head=["Head"], more=lambda n: f"…and {n} more.")

    shown = text.splitlines()
    assert len(text) <= 500
    assert shown[0] == "Head"
    assert all(line in lines for line in shown[1:-1])
    assert shown[-1] == f"…and {100 - len(shown[1:-1])} more."
    assert fit_lines(["a", "b"], 500, more=str) == "a\nb"


def embed_size(e: render.Embed) -> int:
    return (
        len(e.title)
        + len(e.description)
        + len(e.footer)
        + sum(len(f.name) + len(f.value) for f in e.fields)
    )


def test_an_embed_is_kept_under_discord_s_total_of_6000_characters() -> None:
    five = [render.Field(f"f{n}", "v" * 1000) for n in range(5)]
    eight = [render.Field(f"f{n}", "v" * 1000) for n in range(8)]

    shorter = embed("t", "d" * 4000, fields=five)
    fewer = embed("t", "d" * 4000, fields=eight)

    assert embed_size(shorter) <= MAX_EMBED_TOTAL
    assert len(shorter.fields) == 5  # the description gave way
    assert 900 < len(shorter.description) < 1000
    assert embed_size(fewer) <= MAX_EMBED_TOTAL
    assert len(fewer.description) == 500  # then fields from the end
    assert [f.name for f in fewer.fields] == ["f0", "f1", "f2", "f3", "f4"]


def test_an_upload_s_problems_fill_one_message_and_say_how_many_more_there_are() -> None:
    problems = tuple(f"big_file.yaml:{n}: question 'q{n}': no *answers*" for n in range(200))

    text = upload_problems(ParsedUpload("big_file.yaml", problems=problems))

    lines = text.splitlines()
    assert len(text) <= render.MAX_CONTENT
    assert lines[0].startswith(
        r"big\_file.yaml was not imported, so nothing changed: 200 problems."
    )
    assert lines[1] == r"• big\_file.yaml:0: question 'q0': no \*answers\*"
    assert lines[-1] == f"…and {200 - (len(lines) - 2)} more problems."


# -- admin events -> replies -----------------------------------------------------------------------


def listed(question: Question, *, own: bool = True, enabled: bool = True) -> ListedQuestion:
    return ListedQuestion(question, own=own, enabled=enabled)


def test_a_page_of_questions_shows_ids_state_and_where_the_next_page_is() -> None:
    long = Question(id="q-long", prompt="P" * 3000, answers=("a",), category="c" * 40)
    page = QuestionPage(
        items=tuple(listed(long, enabled=n % 2 == 0) for n in range(10)),
        page=2,
        pages=5,
        total=47,
        search="P",
        own_only=False,
    )

    reply = render.private(QuestionsListed(channel=CHANNEL, recipient=ADA, page=page))

    assert reply is not None
    assert reply.embed is not None
    assert reply.embed.title == "Questions matching “P”, page 2 of 5"
    assert reply.embed.description.count("✅ `q-long`") == 5
    assert reply.embed.description.count("⛔ `q-long`") == 5
    assert "this server's · off" in reply.embed.description
    assert reply.embed.footer.startswith("47 questions matching “P” · page 2 of 5 · next: ")
    assert len(reply.plain().content) <= render.MAX_CONTENT


def test_one_question_in_full_shows_its_history_reports_and_how_to_resolve_them() -> None:
    question = Question(
        id="q-1",
        prompt="Which planet?",
        answers=("Mars", "the red planet"),
        choices=("Venus", "Mars"),
        hints=("red",),
        tags=("space",),
    )
    history = QuestionHistory(added_by="31", added_at=AT, changed_by="cli", changed_at=AT)
    item = ListedQuestion(question, own=True, enabled=True, history=history)
    reports = tuple(report(n, reason="r" * 300) for n in range(1, 30))

    reply = render.private(
        QuestionShown(channel=CHANNEL, recipient=ADA, item=item, reports=reports)
    )

    assert reply is not None
    assert reply.embed is not None
    fields = {f.name: f.value for f in reply.embed.fields}
    assert fields["Answers"] == "**Mars** (shown at the reveal)\nthe red planet"
    assert fields["History"] == (
        f"Added by <@31> <t:{int(AT.timestamp())}:R>; last changed by cli "
        f"<t:{int(AT.timestamp())}:R>."
    )
    assert len(fields["Open reports (29)"]) <= render.MAX_FIELD_VALUE
    assert fields["Open reports (29)"].endswith("more.")
    assert reply.embed.footer.startswith("/trivia edit question_id:q-1 · /trivia disable")


def test_reports_show_the_reporter_literally_and_say_when_there_are_more() -> None:
    reply = render.private(
        ReportsListed(channel=CHANNEL, recipient=ADA, reports=(report(7, reason="x"),), total=30)
    )

    assert reply is not None
    assert reply.embed is not None
    assert reply.embed.title == "Open reports (the oldest 1 of 30)"
    assert reply.embed.description == (
        f"**#7** `type-blue` “Type the word blue” unclear: x "
        f"(by \\*\\*Eve\\*\\*, <t:{int(AT.timestamp())}:R>)"
    )
    assert "/trivia dismiss" in reply.embed.footer


def test_an_import_lists_what_it_skipped_within_one_message() -> None:
    result = ImportResult(
        added=("a",), updated=(), skipped=tuple((f"q-{n}", "a bundled question") for n in range(90))
    )

    reply = render.private(
        QuestionsImported(channel=CHANNEL, recipient=ADA, source="up.yaml", result=result)
    )

    assert reply is not None
    lines = reply.content.splitlines()
    assert lines[0] == "Imported up.yaml: 1 added, 0 updated, 90 skipped."
    assert lines[1] == "• `q-0` skipped: a bundled question"
    assert lines[-1].startswith("…and ")
    assert len(reply.content) <= render.MAX_CONTENT


def test_the_bundled_overview_marks_what_is_off_and_what_just_changed() -> None:
    overview = BundledOverview(
        banks=(BundledPart("core", "Core questions", 120, on=True),),
        categories=(
            BundledPart("geo", "geo", 70, on=True),
            BundledPart("Stunts", "Stunts", 50, on=False),
        ),
    )

    reply = render.private(
        BundledShown(
            channel=CHANNEL, recipient=ADA, overview=overview, changed="category Stunts off"
        )
    )

    assert reply is not None
    assert reply.embed is not None
    assert reply.embed.description.splitlines() == [
        "**category Stunts off.**",
        "",
        "**Banks**",
        "✅ `core` Core questions (120)",
        "",
        "**Categories**",
        "✅ `geo` (70)",
        "⛔ `Stunts` (50)",
    ]


def test_a_question_too_long_for_the_edit_form_is_sent_to_a_bank_file_instead() -> None:
    fits = QuestionDraft(prompt="p" * 500, answers="\n".join(["a" * 200] * 19))
    overflows = QuestionDraft(prompt="p", answers="\n".join(["a" * 200] * 20))

    assert form_overflow(fits) is None
    assert form_overflow(overflows) == (
        "This question's answers take 4,019 characters, more than a Discord form holds "
        "(4,000). Change it in a bank file instead: `/trivia export`, edit the file, then "
        "`/trivia import` it."
    )


async def test_help_names_every_subcommand_and_the_group_stays_within_discord_s_25() -> None:
    client = TriviaClient(outbound=DiscordOutbound(), typed_answers=True)
    try:
        group = client.tree.get_command("trivia")
        assert isinstance(group, app_commands.Group)
        names = {command.name for command in group.commands}
    finally:
        await client.close()
    described = " ".join(name for name, _ in render.HELP_COMMANDS)

    assert len(names) <= 25
    missing = {n for n in names - {"help"} if re.search(rf"\b{n}\b", described) is None}
    assert not missing, f"/trivia help does not mention {sorted(missing)}"
