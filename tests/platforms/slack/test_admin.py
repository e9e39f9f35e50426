"""Workspace admins add and remove questions and change settings through Slack modals."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.platforms.slack.bot_harness import ADA, ALICE, BOB, SlackBot, Transport, running_bot
from tests.platforms.slack.fake import View

OWNER = "U0OWNER"
QUESTION = {
    "prompt": {"value": "Maths one: what is six times seven?"},
    "answers": {"value": "42\nforty-two"},
    "category": {"value": "maths"},
    "difficulty": {"value": "easy"},
    "explanation": {"value": "6 x 7 = 42."},
}


async def open_form(bot: SlackBot, subcommand: str, user: str) -> View:
    """``/trivia add`` or ``settings``: the modal once the "Loading…" notice is filled in."""
    slack = bot.slack
    mark = bot.mark()
    await bot.send(slack.slash_command("/trivia", subcommand, user=user))
    opened = await slack.wait_for_call("views.open", after=mark)
    view = slack.views[opened.response["view"]["id"]]
    if view.callback_id == "trivia_notice":
        await slack.wait_until(lambda: view.history or None, what="the form to be filled in")
    return view


@pytest.mark.parametrize("transport", ["http", "socket"])
async def test_an_admin_fixes_a_rejected_question_inline_and_it_is_then_asked(
    tmp_path: Path, transport: Transport
) -> None:
    async with running_bot(tmp_path, transport=transport) as bot:
        slack = bot.slack
        form = await open_form(bot, "add", ADA)
        blank_answers = {**QUESTION, "answers": {"value": ""}}
        rejected = await bot.send(slack.view_submission(form, blank_answers))
        added = await bot.send(slack.view_submission(form, QUESTION))
        confirmed = await slack.wait_for_call("chat.postEphemeral")
        await bot.send(slack.slash_command("/trivia", "start maths 1", user=BOB))
        question = await bot.question(1)
        await bot.send(slack.message_event("forty two", user=BOB))
        await slack.wait_for_call("chat.postMessage", lambda c: "Game over" in c["text"])

    assert form.callback_id == "trivia_add_question"
    assert [b["block_id"] for b in form.blocks if b["type"] == "input"] == [
        "prompt",
        "answers",
        "category",
        "difficulty",
        "explanation",
        "choices",
        "hints",
    ]
    assert rejected.payload["response_action"] == "errors"
    assert list(rejected.payload["errors"]) == ["answers"]
    assert added.payload is None  # a bare ack closes the modal
    assert (confirmed["user"], confirmed["channel"]) == (ADA, "C0TRIVIA")
    assert confirmed["text"].startswith("✅ Added `")
    assert "Maths one: what is six times seven?" in question.visible_text()
    assert "The answer: *42*" in question.visible_text()
    assert any("🏆 *bob* got it" in line for line in slack.transcript())


@pytest.mark.parametrize(
    ("subcommand", "refusal"),
    [
        ("add", "🚫 Only admins can add questions"),
        ("settings", "🚫 Only admins can change settings"),
    ],
)
async def test_a_member_who_is_not_an_admin_is_refused_before_any_form_opens(
    tmp_path: Path, subcommand: str, refusal: str
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        notice = await open_form(bot, subcommand, ALICE)
        mark = bot.mark()
        await bot.send(slack.slash_command("/trivia", "start maths", user=ALICE))
        none_here = await slack.wait_for_call("chat.postEphemeral", after=mark)

    # The refusal, in the core's words, where the form would have been; no form ever.
    assert notice.callback_id == "trivia_notice"
    assert refusal in notice.all_text()
    shown = [version.get("callback_id") for version in (*notice.history, notice.view)]
    assert shown == ["trivia_notice", "trivia_notice"]
    assert "No questions match category 'maths'" in none_here["text"]
    assert slack.messages() == []


async def test_owners_and_configured_user_ids_count_as_admins(tmp_path: Path) -> None:
    def alice_is_admin(settings: Any) -> Any:
        return replace(settings, slack_admins=(ALICE,))

    async with running_bot(tmp_path, settings=alice_is_admin) as bot:
        slack = bot.slack
        for user, prompt in ((OWNER, "Owner one: 1 + 1?"), (ALICE, "Alice one: 2 + 2?")):
            form = await open_form(bot, "add", user)
            values = {"prompt": {"value": prompt}, "answers": {"value": "2"}}
            await bot.send(slack.view_submission(form, values))
        await slack.wait_until(lambda: len(slack.ephemerals()) == 2 or None)

    assert [e.text[:9] for e in slack.ephemerals()] == ["✅ Added `", "✅ Added `"]


async def test_an_admin_removes_a_question_and_a_member_may_not(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        await bot.send(slack.view_submission(await open_form(bot, "add", ADA), QUESTION))
        added = await slack.wait_for_call("chat.postEphemeral")
        question_id = added["text"].split("`")[1]
        await bot.send(slack.slash_command("/trivia", f"remove {question_id}", user=BOB))
        await bot.send(slack.slash_command("/trivia", f"remove {question_id}", user=ADA))
        await slack.wait_until(lambda: len(slack.ephemerals()) == 3 or None)

    refused, removed = slack.ephemerals()[1:]
    assert (refused.user, removed.user) == (BOB, ADA)
    assert refused.text.startswith("🚫 Only admins can remove questions")
    assert removed.text == f"🗑 Removed `{question_id}` from this workspace's questions."


async def test_settings_open_filled_in_and_saving_them_changes_the_next_game(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        form = await open_form(bot, "settings", ADA)
        filled = await slack.wait_for_call("views.update")
        form = slack.views[filled["view_id"]]
        saved = await bot.send(
            slack.view_submission(
                form,
                {
                    "rounds": {"value": "1"},
                    "mode": {"value": "choice"},
                    "season_length": {"value": "quarterly"},
                },
            )
        )
        confirmed = await slack.wait_for_call("chat.postEphemeral")
        await bot.send(slack.slash_command("/trivia", "start", user=BOB))
        started = await slack.wait_for_call("chat.postMessage")

    assert form.callback_id == "trivia_settings"
    assert [b["block_id"] for b in form.blocks] == [
        "rounds",
        "seconds",
        "mode",
        "start_policy",
        "season_length",
    ]
    assert saved.payload is None
    assert confirmed["text"].startswith("✅ *Settings saved*")
    assert "• Rounds: 1\n" in confirmed["text"]
    assert "• Mode: choice\n" in confirmed["text"]
    assert confirmed["text"].endswith("• Seasons: quarterly")
    assert "1 question (any category), choice mode" in started["text"]


async def test_settings_that_are_not_numbers_are_shown_next_to_their_field(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        await open_form(bot, "settings", ADA)
        filled = await slack.wait_for_call("views.update")
        form = slack.views[filled["view_id"]]
        reply = await bot.send(slack.view_submission(form, {"seconds": {"value": "soon"}}))

    assert reply.payload == {
        "response_action": "errors",
        "errors": {"seconds": "A number of seconds, or blank for the default."},
    }
