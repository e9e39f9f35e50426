"""What admins and reporters type after ``/trivia``, and what they share, as commands.

The pure half of the Slack question desk: ``slack_inbound`` for the slash command,
the Report button and the report form; ``slack_uploads`` for file-share events.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.slack.commands import (
    ExplainImport,
    OpenEditQuestion,
    Usage,
    parse_trivia,
)
from bot.adapters.slack.ids import decode_subject, encode_subject
from bot.adapters.slack.inbound import (
    channel_of,
    payload_actor,
    report_from_form,
    report_target,
)
from bot.adapters.slack.uploads import FileShare, SharedFile, file_share
from bot.domain.commands import (
    DismissReport,
    ExportQuestions,
    ListQuestions,
    ListReports,
    ReportQuestion,
    ShowBundled,
    ShowQuestion,
    SwitchBundled,
    SwitchQuestion,
)
from bot.domain.model import ChannelKey
from bot.domain.records import (
    ReportKind,
    Switch,
)

CHANNEL = ChannelKey("slack", "T1", "C1")
ADA = payload_actor("T1", "U1", "ada")
WHERE = {"channel": CHANNEL, "actor": ADA}


def parse(text: str) -> Any:
    return parse_trivia(text, channel=CHANNEL, actor=ADA)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("questions", ListQuestions(**WHERE)),
        ("list", ListQuestions(**WHERE)),
        ("questions own", ListQuestions(**WHERE, own_only=True)),
        ("questions page 3", ListQuestions(**WHERE, page=3)),
        (
            "questions Red Planet page 2 own",
            ListQuestions(**WHERE, search="Red Planet", page=2, own_only=True),
        ),
        ("question colour-sky", ShowQuestion(**WHERE, question_id="colour-sky")),
        ("show `colour-sky`", ShowQuestion(**WHERE, question_id="colour-sky")),
        ("edit maths-1", OpenEditQuestion("maths-1")),
        ("disable colour-sky", SwitchQuestion(**WHERE, question_id="colour-sky", on=False)),
        ("enable colour-sky", SwitchQuestion(**WHERE, question_id="colour-sky", on=True)),
        ("export", ExportQuestions(**WHERE)),
        ("import", ExplainImport()),
        ("report", ReportQuestion(**WHERE)),
        ("report unclear", ReportQuestion(**WHERE, kind=ReportKind.UNCLEAR)),
        (
            "report WRONG it is Mars, not Venus",
            ReportQuestion(**WHERE, kind=ReportKind.WRONG, reason="it is Mars, not Venus"),
        ),
        ("report the options repeat", ReportQuestion(**WHERE, reason="the options repeat")),
        ("reports", ListReports(**WHERE)),
        ("dismiss 12", DismissReport(**WHERE, report_id=12)),
        ("dismiss #12", DismissReport(**WHERE, report_id=12)),
        ("bundled", ShowBundled(**WHERE)),
        (
            "bundled category Science Fiction off",
            SwitchBundled(**WHERE, kind=Switch.CATEGORY, name="Science Fiction", on=False),
        ),
        (
            "bundled bank general ON",
            SwitchBundled(**WHERE, kind=Switch.BANK, name="general", on=True),
        ),
    ],
)
def test_each_admin_subcommand_becomes_its_command(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("questions page", "Say which page by its number"),
        ("questions page two", "Say which page by its number"),
        ("questions page 0", "Say which page by its number"),
        ("questions page ²", "Say which page by its number"),
        ("questions page 9999999999999999999999", "Say which page by its number"),
        ("question", "Say which question: `/trivia question QUESTION-ID`"),
        ("edit a b", "Say which question: `/trivia edit QUESTION-ID`"),
        ("disable", "Say which question: `/trivia disable QUESTION-ID`"),
        ("dismiss", "Say which report by its number"),
        ("dismiss twelve", "Say which report by its number"),
        ("dismiss ²", "Say which report by its number"),
        ("dismiss 99999999999999999999999", "Say which report by its number"),
        ("bundled category", "Turn a bundled category or bank on or off"),
        ("bundled category space", "Turn a bundled category or bank on or off"),
        ("bundled shelf space off", "Turn a bundled category or bank on or off"),
        ("export all", "`export` takes nothing after it."),
        ("import now", "`import` takes nothing after it."),
    ],
)
def test_admin_lines_the_bot_cannot_read_say_what_to_type(text: str, start: str) -> None:
    parsed = parse(text)

    assert isinstance(parsed, Usage)
    assert parsed.message.startswith(start)


def test_the_report_button_carries_its_questions_id() -> None:
    assert report_target({"action_id": "trivia_report_question", "value": "colour-sky"}) == (
        "colour-sky"
    )
    assert report_target({"action_id": "trivia_report_question", "value": ""}) is None
    assert report_target({"action_id": "trivia_pick_0", "value": "1:0"}) is None


def test_the_report_form_gives_its_kind_and_reason() -> None:
    values = {
        "kind": {"value": {"selected_option": {"value": "unclear"}}},
        "reason": {"value": {"value": "  two answers fit  "}},
    }
    blank = {"kind": {"value": {"selected_option": None}}, "reason": {"value": {"value": None}}}

    assert report_from_form(values) == (ReportKind.UNCLEAR, "two answers fit")
    assert report_from_form(blank) == (ReportKind.WRONG, "")


def test_a_form_about_one_question_names_it_and_junk_is_refused() -> None:
    metadata = encode_subject("T1", "C1", "colour-sky")

    assert decode_subject(metadata) == ("T1", "C1", "colour-sky")
    assert decode_subject("T1/C1") is None
    assert decode_subject("T1/C1/") is None
    assert decode_subject("nonsense") is None


def shared(**fields: Any) -> dict[str, Any]:
    file = {
        "id": "F1",
        "name": "bank.yaml",
        "size": 120,
        "url_private_download": "http://127.0.0.1/files-pri/T1-F1/download/bank.yaml",
    }
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel": "C1",
        "user": "U1",
        "files": [file],
    }
    return {**event, **fields}


def test_a_file_share_names_who_shared_what_and_where() -> None:
    share = file_share(shared())

    assert share == FileShare(
        channel_id="C1",
        user_id="U1",
        in_dm=False,
        files=(
            SharedFile(
                "F1", "bank.yaml", 120, "http://127.0.0.1/files-pri/T1-F1/download/bank.yaml"
            ),
        ),
    )
    assert share.files[0].is_bank


def test_a_share_in_the_bots_dm_and_a_file_without_details_are_told_apart() -> None:
    dm = file_share(shared(channel="D1", channel_type="im"))
    bare = file_share(shared(files=[{"id": "F2", "file_access": "check_file_info"}]))

    assert dm is not None
    assert dm.in_dm
    assert bare is not None
    assert bare.files[0].needs_info
    assert not bare.files[0].is_bank  # its name comes with files.info


@pytest.mark.parametrize(
    "event",
    [
        shared(bot_id="B1"),
        shared(subtype="message_changed"),
        shared(files=[]),
        shared(files="F1"),
        shared(user=None),
        {"type": "message", "channel": "C1", "user": "U1", "text": "paris"},
    ],
)
def test_messages_without_a_persons_files_are_no_share(event: dict[str, Any]) -> None:
    assert file_share(event) is None


@pytest.mark.parametrize(
    ("name", "is_bank"),
    [("bank.yaml", True), ("BANK.YML", True), ("bank.json", False), ("yaml", False)],
)
def test_only_yaml_files_are_banks(name: str, is_bank: bool) -> None:
    assert SharedFile("F1", name, 1, None).is_bank is is_bank


@pytest.mark.parametrize(
    ("body", "channel"),
    [
        ({"channel": {"id": "C1"}, "container": {"channel_id": "C2"}}, "C1"),
        ({"channel": {}, "container": {"channel_id": "C2"}}, "C2"),
        ({"view": {"private_metadata": encode_subject("T1", "C3", "sky")}}, "C3"),
        ({"view": {"private_metadata": "T1/C4"}}, "C4"),
        ({"view": {"private_metadata": ""}, "channel_id": "C5"}, "C5"),
        ({}, None),
    ],
)
def test_every_kind_of_payload_names_its_channel(body: dict[str, Any], channel: str | None) -> None:
    assert channel_of(body) == channel
