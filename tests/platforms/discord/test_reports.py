"""Players report questions on Discord (``/trivia report`` or a reveal's Report button);
admins list the open reports and resolve them by editing, disabling or dismissing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.platforms.discord.bot_harness import (
    add_by_form,
    choices_for,
    edit_by_form,
    is_question,
    is_revealed,
    reply_to,
    start_one_question,
    trivia_bot,
    word_to_type,
)
from tests.platforms.discord.fake import FakeDiscord, FakeMessage, FakeUser
from tests.platforms.discord.fake.messages import walk_components


async def play_one_word(fake: FakeDiscord, player: FakeUser) -> tuple[str, FakeMessage]:
    """A one-question game of the "words" bank, answered right; the question's id and
    the revealed message."""
    question = await start_one_question(fake, player)
    word = word_to_type(question)
    await fake.user_says(fake.channel.id, player, word)
    revealed = await fake.wait_for_message(fake.channel.id, is_revealed(question))
    await fake.wait_for_message(fake.channel.id, lambda m: "Game over!" in m.text)
    return f"type-{word}", revealed


async def report_by_button(
    fake: FakeDiscord, revealed: FakeMessage, user: FakeUser, values: dict[str, Any]
) -> FakeMessage:
    """``user`` clicks the reveal's Report button and submits the form it opens."""
    (button,) = [b for b in revealed.buttons if b["label"] == "Report"]
    clicked = await fake.click_button(revealed, button["custom_id"], user)
    await clicked.response()
    sent = await fake.submit_modal(clicked, values)
    return await sent.response_message()


async def test_a_player_reports_the_last_question_and_the_admins_see_the_report(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    ada = fake.add_member(fake.guild.id, "ada", admin=True)

    async with trivia_bot(fake, tmp_path):
        nothing_yet = await reply_to(fake, alice, "report")
        question_id, _ = await play_one_word(fake, alice)
        filed = await reply_to(
            fake, alice, "report", {"kind": "unclear", "reason": "Blue is **also** a mood"}
        )
        twice = await reply_to(fake, alice, "report")
        listed = await reply_to(fake, ada, "reports")
        shown = await reply_to(fake, ada, "question", {"question_id": question_id})

    assert nothing_yet.content.startswith("⛔ There is no question to report here")
    assert filed.ephemeral
    assert filed.content.startswith(f"Thanks: you reported `{question_id}` (“Type the word ")
    assert "as unclear. The server's admins will look at it (report #1)." in filed.content
    assert twice.content.startswith("⛔ You have already reported this question")
    assert listed.ephemeral
    lines = listed.text.splitlines()
    assert lines[0] == "Open reports (1)"
    assert re.fullmatch(
        rf"\*\*#1\*\* `{question_id}` “Type the word \w+” unclear: "
        r"Blue is \\\*\\\*also\\\*\\\* a mood \(by Alice, <t:\d+:R>\)",
        lines[1],
    ), lines[1]
    assert "/trivia edit" in lines[2]
    assert "/trivia dismiss report_id:<number>" in lines[2]
    assert "Open reports (1): **#1** unclear: Blue is" in shown.text


async def test_a_reveal_s_report_button_files_a_report_about_that_very_question(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    bob = fake.add_member(fake.guild.id, "bob")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path):
        await reply_to(fake, alice, "start", {"category": "words", "rounds": 2})
        first = await fake.wait_for_message(channel, is_question(1, 2))
        await fake.user_says(channel, alice, word_to_type(first))
        first_revealed = await fake.wait_for_message(channel, is_revealed(first))
        second = await fake.wait_for_message(channel, is_question(2, 2), after=first)
        await fake.user_says(channel, alice, word_to_type(second))
        await fake.wait_for_message(channel, lambda m: "Game over!" in m.text)
        clicked = await fake.click_button(
            first_revealed, f"trivia:report:type-{word_to_type(first)}", bob
        )
        form = await clicked.response()
        sent = await fake.submit_modal(clicked, {"kind": "wrong", "reason": "Looks green to me"})
        filed = await sent.response_message()
        # Through the webhook of the /trivia start interaction (it started the game).
        patches = fake.requests_matching("PATCH", rf"/webhooks/\d+/[^/]+/messages/{first.id}")

    first_id = f"type-{word_to_type(first)}"
    assert form["type"] == 9
    assert clicked.modal is not None
    assert clicked.modal["custom_id"] == f"trivia:report-form:{first_id}"
    kinds = next(
        c for c in walk_components(clicked.modal["components"]) if c.get("custom_id") == "kind"
    )
    assert [o["value"] for o in kinds["options"]] == ["wrong", "unclear"]
    # The button rode on the reveal edit that happens anyway: one edit, no extra call.
    (patch,) = patches
    sent_ids = [c.get("custom_id") for c in walk_components(patch.json["components"])]
    assert f"trivia:report:{first_id}" in sent_ids
    assert filed.ephemeral
    assert filed.content.startswith(f"Thanks: you reported `{first_id}`")  # not the last one
    assert "as wrong" in filed.content


async def test_editing_a_reported_question_resolves_its_reports(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    alice = fake.add_member(fake.guild.id, "alice")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path):
        await add_by_form(fake, ada, {"prompt": "Tallest animal?", "answers": "giraffe"})
        await reply_to(fake, alice, "start", {"category": "custom"})
        question = await fake.wait_for_message(channel, is_question(1, 1))
        await fake.user_says(channel, alice, "giraffe")
        revealed = await fake.wait_for_message(channel, is_revealed(question))
        await report_by_button(fake, revealed, alice, {"reason": "Say: tallest living animal"})
        fix = {"prompt": "Tallest living animal?"}
        edited = await edit_by_form(fake, ada, "tallest-animal", fix)
        listed = await reply_to(fake, ada, "reports")

    assert edited.content.startswith("Saved `tallest-animal`: “Tallest living animal?”")
    assert edited.content.endswith("Closed 1 report: #1.")
    assert listed.text.splitlines() == ["Open reports", "No open reports. 🎉"]


async def test_disabling_a_reported_bundled_question_resolves_its_reports(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    alice = fake.add_member(fake.guild.id, "alice")
    bob = fake.add_member(fake.guild.id, "bob")

    async with trivia_bot(fake, tmp_path):
        question_id, revealed = await play_one_word(fake, alice)
        await reply_to(fake, alice, "report")
        await report_by_button(fake, revealed, bob, {"kind": "unclear"})
        disabled = await reply_to(fake, ada, "disable", {"question_id": question_id})
        listed = await reply_to(fake, ada, "reports")

    assert disabled.content.startswith(f"Disabled `{question_id}`")
    assert disabled.content.endswith("Closed 2 reports: #1, #2.")
    assert "No open reports." in listed.text


async def test_dismissing_a_report_closes_it_and_leaves_the_question_as_it_is(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    alice = fake.add_member(fake.guild.id, "alice")

    async with trivia_bot(fake, tmp_path):
        question_id, _ = await play_one_word(fake, alice)
        await reply_to(fake, alice, "report", {"reason": "too easy"})
        offered = await choices_for(fake, ada, "dismiss", "report_id", {"report_id": "1"})
        dismissed = await reply_to(fake, ada, "dismiss", {"report_id": 1})
        again = await reply_to(fake, ada, "dismiss", {"report_id": 1})
        shown = await reply_to(fake, ada, "question", {"question_id": question_id})

    assert offered == [{"name": f"#1 {question_id} · wrong: too easy", "value": 1}]
    assert dismissed.content == (
        f"Dismissed report #1 about `{question_id}`; the question is unchanged."
    )
    assert again.content.startswith("⛔ Report #1 is closed already")
    assert "Status: bundled · on" in shown.text
    assert "Open reports" not in shown.text
