"""Admins curate their workspace's questions from Slack; players report bad ones.

Through the real slack-bolt app, the service and SQLite, against the fake Slack: the
question form and its edit, disabling and removing, the paged list, bank files shared
with the bot (fetched with the bot token, refused whole when they have a problem),
exports uploaded to the admin's DM, reports from a command or the reveal's button, and
bundled categories switched off.  Admin replies are ephemeral in a channel and plain
posts in the bot's DM.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import load_bank_text
from bot.bank.limits import MAX_UPLOAD_BYTES
from tests.platforms.slack.bot_harness import (
    ADA,
    ALICE,
    BOB,
    CHANNEL,
    TEAM,
    SlackBot,
    Transport,
    answer_to,
    running_bot,
)
from tests.platforms.slack.fake import FakeSlack, Identity, Message, View

ADA_DM = "D0ADMIN"
BOB_DM = "D0BOB"
OTHER_TEAM = "T0OTHERS"
QUESTION = {
    "prompt": {"value": "Maths one: what is six times seven?"},
    "answers": {"value": "42"},
    "category": {"value": "maths"},
    "difficulty": {"value": "easy"},
}
BROKEN = """\
id: broken
title: Broken
questions:
  - {id: fine-one, prompt: "Fine?", answers: [yes]}
  - {id: no-answers, prompt: "Where are my answers?"}
  - {id: bad-difficulty, prompt: "Hard?", answers: [x], difficulty: brutal}
"""


def bank(count: int, *, answer_offset: int = 0) -> str:
    """A bank file of ``count`` sums; the same ids every time, answers shifted by the offset."""
    lines = ["id: sums", "title: Sums shared in Slack", "questions:"]
    for n in range(1, count + 1):
        answer = 2 * n + answer_offset
        lines.append(
            f'  - {{id: sum-{n}, prompt: "Sum {n}: what is {n} plus {n}?", '
            f'answers: ["{answer}"], category: sums}}'
        )
    return "\n".join(lines) + "\n"


async def trivia(
    bot: SlackBot, text: str, *, user: str = ADA, channel: str = CHANNEL, team: str = TEAM
) -> str:
    """``/trivia text``: the private answer's text (the ack's, or the ephemeral that follows).
    ``team`` is the workspace of the bot's fake Slack (each serves one)."""
    slack = bot.slack
    assert slack.team_id == team
    before = len(slack.ephemerals(user))
    request = slack.slash_command("/trivia", text, user=user, channel=channel)
    acked = await bot.send(request)
    if acked.payload is not None:
        return str(acked.payload["text"])
    replies = await slack.wait_until(
        lambda: slack.ephemerals(user)[before:] or None, what=f"the reply to /trivia {text}"
    )
    return replies[0].text


async def share(
    bot: SlackBot, content: str | bytes, *, name: str, user: str = ADA, channel: str = ADA_DM
) -> None:
    """``user`` shares a file in ``channel`` (the bot's DM by default)."""
    slack = bot.slack
    file = slack.add_file(content, name=name, user=user)
    await bot.send(slack.message_event("", user=user, channel=channel, files=[file]))


async def dm_reply(bot: SlackBot, *, after: int) -> str:
    """The bot's next post in Ada's DM."""
    slack = bot.slack
    posts = await slack.wait_until(
        lambda: slack.bot_messages(ADA_DM)[after:] or None, what="a reply in the DM"
    )
    return posts[0].text


async def open_form(bot: SlackBot, text: str, *, user: str = ADA) -> View:
    """``/trivia add`` or ``edit ID``: the modal, once it is filled in."""
    slack = bot.slack
    mark = bot.mark()
    await bot.send(slack.slash_command("/trivia", text, user=user))
    opened = await slack.wait_for_call("views.open", after=mark)
    view = slack.views[opened.response["view"]["id"]]
    if view.callback_id == "trivia_notice":  # filled in once the service answered
        await slack.wait_until(lambda: view.history or None, what="the form to be filled in")
    return view


async def add_question(bot: SlackBot) -> str:
    before = len(bot.slack.ephemerals(ADA))
    await bot.send(bot.slack.view_submission(await open_form(bot, "add"), QUESTION))
    added = await bot.slack.wait_until(lambda: bot.slack.ephemerals(ADA)[before:] or None)
    return added[0].text.split("`")[1]


def initial(view: View, block_id: str) -> str:
    block = next(b for b in view.blocks if b.get("block_id") == block_id)
    element = block["element"]
    if "initial_option" in element:
        return str(element["initial_option"]["value"])
    return str(element.get("initial_value", ""))


async def revealed(bot: SlackBot, number: int) -> Message:
    """Question ``number`` once a player answered it and the card shows the answer."""
    card = await bot.question(number)
    await bot.send(bot.slack.message_event(answer_to(card), user=BOB))
    await bot.slack.wait_until(
        lambda: "The answer:" in card.visible_text() or None, what="the reveal"
    )
    return card


# -- one question's life -----------------------------------------------------------------------


async def test_an_admin_edits_disables_enables_and_removes_a_question(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        question_id = await add_question(bot)
        form = await open_form(bot, f"edit {question_id}")
        no_answers = {**QUESTION, "answers": {"value": ""}}
        blank = await bot.send(slack.view_submission(form, no_answers))
        changed = {**QUESTION, "answers": {"value": "42\nforty-two"}}
        saved = await bot.send(slack.view_submission(form, changed))
        edited = await slack.wait_until(lambda: slack.ephemerals(ADA)[1:] or None)
        disabled = await trivia(bot, f"disable {question_id}")
        shown = await trivia(bot, f"question {question_id}")
        enabled = await trivia(bot, f"enable {question_id}")
        removed = await trivia(bot, f"remove {question_id}")
        listed = await trivia(bot, "questions own")

    assert form.callback_id == "trivia_edit_question"
    assert initial(form, "prompt") == "Maths one: what is six times seven?"
    assert (initial(form, "answers"), initial(form, "difficulty")) == ("42", "easy")
    # A problem is shown next to its field and the question stays as it was.
    assert blank.payload["response_action"] == "errors"
    assert list(blank.payload["errors"]) == ["answers"]
    assert saved.payload is None
    assert edited[0].text.startswith(f"✏️ Updated `{question_id}` (maths, easy)")
    assert disabled.startswith(f"⏸ Disabled `{question_id}`")
    assert "⏸ disabled here" in shown
    assert "*Also accepted:* forty-two" in shown
    assert enabled.startswith(f"▶️ Enabled `{question_id}`")
    assert removed == f"🗑 Removed `{question_id}` from this workspace's questions."
    assert "none yet" in listed


async def test_a_bundled_question_opens_no_edit_form_but_can_be_disabled(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        notice = await open_form(bot, "edit colour-sky")
        disabled = await trivia(bot, "disable colour-sky")
        await bot.send(bot.slack.slash_command("/trivia", "start colours 2", user=BOB))
        only = await bot.question(1)

    assert notice.callback_id == "trivia_notice"
    assert "'colour-sky' is a bundled question: it cannot be edited" in notice.all_text()
    assert "only switched off for this server (disable it)" in notice.all_text()
    assert disabled.startswith("⏸ Disabled `colour-sky`")
    assert "Question 1/1" in only.visible_text()  # the sky is not asked any more
    assert "Colour two" in only.visible_text()


async def test_the_list_pages_through_the_questions_and_searches_them(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await share(bot, bank(12), name="sums.yaml")
        await dm_reply(bot, after=0)
        first = await trivia(bot, "questions own")
        second = await trivia(bot, "questions own page 2")
        found = await trivia(bot, "questions sky")
        everything = await trivia(bot, "questions")
        nothing = await trivia(bot, "questions zebra")

    assert "page 1 of 2 · 12 questions" in first
    assert "Next: `/trivia questions own page 2`" in first
    assert first.count("`sum-") == 10
    assert "page 2 of 2" in second
    assert "`sum-9` · sums · own" in second  # in order of id: sum-1, sum-10, ... sum-9
    assert second.count("`sum-") == 2
    assert "matching “sky”" in found
    assert "`colour-sky` · colours · bundled (slack-test-bank)" in found
    assert "`sum-1`" not in found
    assert "16 questions" in everything
    assert nothing.startswith("No questions matching “zebra”.")


# -- bank files shared with the bot -------------------------------------------------------------


@pytest.mark.parametrize("transport", ["http", "socket"])
async def test_a_clean_bank_shared_in_the_dm_is_imported_and_sharing_it_again_updates(
    tmp_path: Path, transport: Transport
) -> None:
    async with running_bot(tmp_path, transport=transport) as bot:
        slack = bot.slack
        await share(bot, bank(3), name="sums.yaml")
        first = await dm_reply(bot, after=0)
        await share(bot, bank(3, answer_offset=1), name="sums.yaml")
        second = await dm_reply(bot, after=1)
        shown = await trivia(bot, "question sum-2")

    assert first.startswith("📥 Imported `sums.yaml`: 3 added, 0 updated, 0 skipped.")
    assert second.startswith("📥 Imported `sums.yaml`: 0 added, 3 updated, 0 skipped.")
    assert "*Answer:* 5" in shown  # 2 + 2, shifted by the second file
    # Fetched with the bot token, each time; replies in the DM are plain posts there.
    assert [authorized for _, authorized in slack.file_downloads] == [True, True]
    assert slack.ephemerals(ADA)[:-1] == []


async def test_a_file_with_problems_changes_nothing_and_every_problem_names_its_line(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        await share(bot, BROKEN, name="broken.yaml", channel=CHANNEL)
        refused = await slack.wait_until(lambda: slack.ephemerals(ADA) or None)
        listed = await trivia(bot, "questions own")

    text = refused[0].text
    assert text.startswith("⚠️ `broken.yaml` was not imported: it has 2 problems, so nothing")
    assert "• broken.yaml:5: question 'no-answers', field 'answers'" in text
    assert "• broken.yaml:6: question 'bad-difficulty', field 'difficulty'" in text
    assert "none yet" in listed  # fine-one was not taken either
    assert slack.messages(CHANNEL)[-1].user == ADA  # nothing posted for all to see


async def test_members_files_and_other_files_are_not_fetched(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        await share(bot, bank(1), name="mine.yaml", user=BOB, channel=CHANNEL)  # just chat
        await share(bot, bank(1), name="mine.yaml", user=BOB, channel=BOB_DM)
        refused = await slack.wait_until(
            lambda: slack.bot_messages(BOB_DM) or None, what="the refusal in Bob's DM"
        )
        await share(bot, b"\x89PNG", name="cat.png", channel=CHANNEL)  # just chat
        compose = slack.add_file("services:\n  web: {image: nginx}\n", name="compose.yml", user=ADA)
        await bot.send(slack.message_event("", user=ADA, channel=CHANNEL, files=[compose]))
        await slack.wait_until(lambda: slack.file_downloads or None, what="the compose file")
        await share(bot, "hello", name="notes.txt")  # in the DM: a hint
        hint = await dm_reply(bot, after=0)
        huge = slack.add_file(b"#" * (MAX_UPLOAD_BYTES + 1), name="huge.yaml", user=ADA)
        await bot.send(slack.message_event("", user=ADA, channel=ADA_DM, files=[huge]))
        too_big = await dm_reply(bot, after=1)
        listed = await trivia(bot, "questions own")

    assert refused[0].text.startswith("🚫 Only admins can import questions")
    assert slack.ephemerals(BOB) == []  # the bank Bob shared in the channel was ignored
    assert hint.startswith("`notes.txt` is not a bank file (`.yaml` or `.yml`)")
    assert "share a bank file" in hint
    assert too_big.startswith("⚠️ huge.yaml is 513 KiB; files sent in chat can be at most 512 KiB")
    assert "Split it into smaller files" in too_big
    # Only the admin's compose file was fetched (and then left alone): nothing for a member.
    assert [file_id for file_id, _ in slack.file_downloads] == [compose.id]
    assert slack.ephemerals(ADA)[:-1] == []  # the png and the compose file were ignored
    assert "none yet" in listed


async def test_a_share_that_names_only_the_file_is_looked_up_then_imported(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        file = slack.add_file(bank(2), name="sums.yaml", user=ADA)
        # What Slack Connect sends: the id, and a note to ask files.info for the rest.
        inner = {"type": "message", "subtype": "file_share", "user": ADA, "channel": ADA_DM}
        inner |= {
            "channel_type": "im",
            "files": [{"id": file.id, "file_access": "check_file_info"}],
        }
        await bot.send(slack.event(inner))
        imported = await dm_reply(bot, after=0)

    assert imported.startswith("📥 Imported `sums.yaml`: 2 added")
    assert [c["file"] for c in slack.calls_to("files.info")] == [file.id]


async def test_a_file_slack_will_not_serve_is_reported_and_changes_nothing(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        file = slack.add_file(bank(2), name="gone.yaml", user=ADA)
        listed = slack.file_api(file)
        del slack.workspace.files[file.id]  # deleted before the bot fetched it
        inner = {"type": "message", "subtype": "file_share", "user": ADA, "channel": ADA_DM}
        await bot.send(slack.event({**inner, "channel_type": "im", "files": [listed]}))
        failed = await dm_reply(bot, after=0)
        own = await trivia(bot, "questions own")

    assert failed == (
        "⚠️ I could not fetch `gone.yaml`: Slack answered HTTP 404; try again. Nothing changed."
    )
    assert "none yet" in own


async def test_an_export_goes_to_the_admins_dm_and_loads_as_a_bank(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        await share(bot, bank(3), name="sums.yaml")
        await dm_reply(bot, after=0)
        question_id = await add_question(bot)
        note = await trivia(bot, "export")
        exported = await slack.wait_until(lambda: slack.shared_files(ADA_DM) or None)
        loaded = load_bank_text(exported[0].content, path=exported[0].name)

    assert note == "📤 I sent you `export-slack-t0trivia.yaml` in a direct message."
    assert exported[0].name == "export-slack-t0trivia.yaml"
    assert sorted(q.id for q in loaded.questions) == sorted(
        ["sum-1", "sum-2", "sum-3", question_id]
    )
    comment = slack.bot_messages(ADA_DM)[-1].text
    assert comment.startswith("📤 `export-slack-t0trivia.yaml`: this workspace's 4 questions")
    assert slack.shared_files(CHANNEL) == []  # answers never go to the channel
    assert [c.method for c in slack.calls if c.method.startswith("files.")] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


async def test_each_workspace_keeps_its_own_questions(tmp_path: Path) -> None:
    # Two workspaces, each served by its own token, on one database.
    async with running_bot(tmp_path) as bot:
        question_id = await add_question(bot)
    others = FakeSlack(identity=Identity(team_id=OTHER_TEAM, bot_token="xoxb-other-token"))
    async with others, running_bot(tmp_path, slack=others) as there:
        elsewhere = await trivia(there, "questions own", team=OTHER_TEAM)
        not_theirs = await trivia(there, f"remove {question_id}", team=OTHER_TEAM)
        off_there = await trivia(there, "disable colour-sky", team=OTHER_TEAM)
    async with running_bot(tmp_path) as bot:
        here = await trivia(bot, "questions colour")
        still_here = await trivia(bot, "questions own")

    assert "none yet" in elsewhere
    assert not_theirs.startswith("🚫 This server has no question of its own with id")
    assert off_there.startswith("⏸ Disabled `colour-sky`")
    assert "⏸ *disabled*" not in here  # switched off in the other workspace only
    assert f"`{question_id}`" in still_here


# -- reports --------------------------------------------------------------------------------


async def test_players_report_by_command_and_by_the_reveal_button_and_admins_resolve_them(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        await bot.send(slack.slash_command("/trivia", "start colours 2", user=ALICE))
        await bot.question(1)
        by_command = await trivia(bot, "report unclear which sky?", user=ALICE)
        card = await revealed(bot, 1)
        mark = bot.mark()
        await bot.send(slack.block_action(message=card, label="🚩 Report", user=BOB))
        opened = await slack.wait_for_call("views.open", after=mark)
        form = slack.views[opened.response["view"]["id"]]
        values = {"kind": {"value": "wrong"}, "reason": {"value": "Sunsets are orange"}}
        filed = await bot.send(slack.view_submission(form, values))
        thanks = await slack.wait_until(lambda: slack.ephemerals(BOB) or None)
        mark = bot.mark()
        await bot.send(slack.block_action(message=card, label="🚩 Report", user=BOB))
        reopened = await slack.wait_for_call("views.open", after=mark)
        await bot.send(slack.view_submission(slack.views[reopened.response["view"]["id"]], values))
        again = await slack.wait_until(lambda: slack.ephemerals(BOB)[1:] or None)
        listed = await trivia(bot, "reports")
        dismissed = await trivia(bot, "dismiss 1")
        disabled = await trivia(bot, "disable colour-sky")
        none_left = await trivia(bot, "reports")

    assert by_command.startswith("🚩 Thanks: report #1 on `colour-sky` (unclear) is in.")
    assert form.callback_id == "trivia_report"
    assert "Colour one: what colour is a clear daytime sky?" in form.all_text()
    assert filed.payload is None
    assert thanks[0].text.startswith("🚩 Thanks: report #2 on `colour-sky` (wrong)")
    assert again[0].text.startswith("🚫 You have already reported this question")
    assert "*Open reports* · 2 open" in listed
    assert "*#1* · `colour-sky` · unclear: “which sky?” · by alice" in listed
    assert "*#2* · `colour-sky` · wrong: “Sunsets are orange” · by bob" in listed
    assert "`/trivia dismiss REPORT`" in listed
    assert dismissed.startswith("👌 Dismissed report #1 on `colour-sky`")
    assert disabled.endswith("Closed 1 report: #2.")
    assert none_left == "No open reports. 🎉"


async def test_editing_a_reported_question_closes_its_reports(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        question_id = await add_question(bot)
        await bot.send(slack.slash_command("/trivia", "start maths 1", user=BOB))
        await bot.question(1)
        await trivia(bot, "report wrong it is 42.0", user=BOB)
        form = await open_form(bot, f"edit {question_id}")
        before = len(slack.ephemerals(ADA))
        await bot.send(slack.view_submission(form, {**QUESTION, "answers": {"value": "42.0"}}))
        edited = await slack.wait_until(lambda: slack.ephemerals(ADA)[before:] or None)
        shown = await trivia(bot, f"question {question_id}")

    assert edited[0].text.endswith("Closed 1 report: #1.")
    assert "🚩" not in shown


async def test_a_report_with_nothing_asked_here_is_refused(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        refused = await trivia(bot, "report wrong", user=BOB)

    assert refused.startswith("🚫 There is no question to report here")


# -- bundled banks and categories, and who may do all this -------------------------------------


async def test_an_admin_switches_a_bundled_category_off_and_games_skip_it(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        overview = await trivia(bot, "bundled")
        switched = await trivia(bot, "bundled category space off")
        refused = await trivia(bot, "start space", user=BOB)
        unknown = await trivia(bot, "bundled category cooking off")
        back = await trivia(bot, "bundled category Space on")

    assert "`slack-test-bank` Questions for the Slack adapter's tests: 4 questions · on" in overview
    assert "• `space`: 2 questions · on" in overview
    assert switched.startswith("✅ category space off.")
    assert "• `space`: 2 questions · ⏸ *off*" in switched
    assert refused.startswith("🚫")
    assert unknown.startswith("🚫 There is no bundled category called 'cooking'")
    assert back.startswith("✅ category space on.")


@pytest.mark.parametrize(
    "text",
    [
        "questions",
        "question colour-sky",
        "disable colour-sky",
        "enable colour-sky",
        "export",
        "reports",
        "dismiss 1",
        "bundled",
        "bundled category space off",
    ],
)
async def test_members_who_are_not_admins_are_refused_privately(tmp_path: Path, text: str) -> None:
    async with running_bot(tmp_path) as bot:
        refused = await trivia(bot, text, user=BOB)
        seen_by_all = bot.slack.messages(CHANNEL)

    assert refused.startswith("🚫 Only admins can"), refused
    assert seen_by_all == []


async def test_a_member_cannot_open_the_edit_form(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        notice = await open_form(bot, "edit colour-sky", user=BOB)

    assert notice.callback_id == "trivia_notice"
    assert "Only admins can edit questions" in notice.all_text()


async def test_a_question_too_long_for_the_form_is_not_opened_cut(tmp_path: Path) -> None:
    answers = ", ".join(f'"answer {n} ' + "x" * 180 + '"' for n in range(20))
    question = f"  - {{id: many, prompt: Many?, answers: [{answers}]}}\n"
    long_bank = "id: long\ntitle: Long\nquestions:\n" + question
    async with running_bot(tmp_path) as bot:
        await share(bot, long_bank, name="long.yaml")
        await dm_reply(bot, after=0)
        notice = await open_form(bot, "edit many")
        shown = await trivia(bot, "question many")

    assert notice.callback_id == "trivia_notice"
    assert "more than a Slack form holds (3,000)" in notice.all_text()
    assert "answer 19" in shown  # nothing was saved cut


async def test_import_explains_how_to_share_a_file(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        said = await trivia(bot, "import")

    assert said.startswith("To import questions, share a bank file (`.yaml` or `.yml`) with me")
