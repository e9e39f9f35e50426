"""Playing trivia in Slack, through the real slack-bolt app and the fake Slack.

Every test runs the whole bot: slack-bolt's ``AsyncApp`` on loopback (signed
HTTP requests, or Socket Mode over a websocket), the service, SQLite and a
bank of our own whose prompts say what to answer.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.domain.commands import Command
from bot.domain.records import Period
from tests.fakes import RoutedService
from tests.platforms.slack.bot_harness import (
    ALICE,
    BOB,
    CHANNEL,
    Transport,
    answer_to,
    player,
    running_bot,
)
from tests.platforms.slack.fake import Message


@pytest.mark.parametrize("transport", ["http", "socket"])
async def test_two_players_play_a_text_game_to_the_end(
    tmp_path: Path, transport: Transport
) -> None:
    async with running_bot(tmp_path, transport=transport) as bot:
        slack = bot.slack
        started = await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        first = await bot.question(1)
        await bot.send(slack.message_event("purple", user=BOB))
        await bot.send(slack.message_event(answer_to(first), user=BOB))
        second = await bot.question(2)
        await bot.send(slack.message_event(answer_to(second), user=ALICE))
        await slack.wait_for_call("chat.postMessage", lambda c: "Game over" in c["text"])
        board = await bot.app.store.leaderboard(
            player(ALICE).server_key, Period.ALL, now=datetime.now(UTC)
        )

    assert (started.status, started.payload) == (200, None)
    transcript = slack.transcript()
    assert transcript[0].startswith("triviabot: 🎲 *Trivia!* 2 questions (colours), text mode")
    assert "bob: purple" in transcript
    # The question message itself became the reveal, naming the scorer: no post for either.
    assert "The answer: *blue*" in first.visible_text()
    assert "🏆 *bob* got it with “blue”: +" in first.visible_text()
    assert "🏆 *alice* got it with “green”: +" in second.visible_text()
    assert not any("got it" in c["text"] for c in slack.calls_to("chat.postMessage"))
    assert transcript[-1].startswith("triviabot: *🏁 Game over!*")
    assert "🏆 *alice* wins with" in transcript[-1]
    assert [row.player.user for row in board] == [ALICE, BOB]


@pytest.mark.parametrize("transport", ["http", "socket"])
async def test_choice_game_is_played_with_buttons_and_ends_on_the_leaderboard(
    tmp_path: Path, transport: Transport
) -> None:
    clock = ManualClock()
    async with running_bot(tmp_path, transport=transport, clock=clock) as bot:
        slack = bot.slack
        await bot.send(slack.slash_command("/trivia", "start space choice", user=ALICE))
        first = await bot.question(1)
        buttons_before = [b["type"] for b in first.blocks]
        right = _label(first, answer_to(first))
        wrong = _label(first, "Venus" if answer_to(first) == "Mars" else "The Sun")
        await bot.send(slack.block_action(message=first, label=right, user=BOB))
        await bot.send(slack.block_action(message=first, label=wrong, user=ALICE))
        await bot.send(slack.block_action(message=first, label=right, user=ALICE))
        await slack.wait_until(lambda: len(slack.ephemerals(ALICE)) == 2 or None)
        await clock.advance(30)
        await slack.wait_for_call("chat.update", lambda c: "The answer" in c["text"])
        second = await bot.question(2)
        for user in (ALICE, BOB):
            label = _label(second, answer_to(second))
            await bot.send(slack.block_action(message=second, label=label, user=user))
        await slack.wait_until(lambda: len(slack.ephemerals(BOB)) == 2 or None)
        await clock.advance(30)
        await slack.wait_for_call("chat.postMessage", lambda c: "Game over" in c["text"])
        mark = bot.mark()
        await bot.send(slack.slash_command("/trivia", "leaderboard", user=ALICE))
        board = await slack.wait_for_call("chat.postEphemeral", after=mark)

    assert "actions" in buttons_before
    # At the reveal the option buttons give way to Report; the picks are counted on the card.
    actions = [b for b in first.blocks if b["type"] == "actions"]
    assert [e["action_id"] for b in actions for e in b["elements"]] == ["trivia_report_question"]
    assert f"✅ {right}: 1 pick" in first.visible_text()
    assert f"▫️ {wrong}: 1 pick" in first.visible_text()
    assert "🏆 *bob* +" in first.visible_text()
    # Picks are confirmed to their player alone; a second pick is refused, privately.
    assert [e.text.split(":")[0] for e in slack.ephemerals(BOB)] == [
        "Your pick for question 1",
        "Your pick for question 2",
    ]
    assert "picks can't be changed" in slack.ephemerals(ALICE)[1].text
    assert not any("Your pick" in m.all_text() for m in slack.messages())
    assert board["user"] == ALICE
    assert board["text"].splitlines()[0] == "*Leaderboard, all time*"
    assert board["text"].splitlines()[1].startswith("🥇 *bob*:")
    assert board["text"].splitlines()[2].startswith("🥈 *alice*:")


def _label(question: Message, option: str) -> str:
    """The text of the button for ``option`` (``B. Mars``)."""
    for block in question.blocks:
        for element in block.get("elements", ()):
            text = element.get("text", {}).get("text", "")
            if text.endswith(f". {option}"):
                return str(text)
    raise AssertionError(f"no button for {option!r}")


async def test_stats_of_a_mentioned_player_and_the_home_tab_show_their_scores(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        await bot.send(slack.slash_command("/trivia", "start colours 1", user=ALICE))
        await bot.send(slack.message_event(answer_to(await bot.question(1)), user=BOB))
        await slack.wait_for_call("chat.postMessage", lambda c: "Game over" in c["text"])
        mark = bot.mark()
        await bot.send(slack.slash_command("/trivia", "stats <@U0BOB|bob>", user=ALICE))
        stats = await slack.wait_for_call("chat.postEphemeral", after=mark)
        await bot.send(slack.app_home_opened(user=BOB))
        await slack.wait_for_call("views.publish")

    assert stats["user"] == ALICE
    assert stats["text"].startswith("*Stats for bob*\nPoints: ")
    assert "Correct: 1 of 1 (100%)" in stats["text"]
    home = slack.home_view(BOB)
    assert home is not None
    text = home.all_text()
    assert "*Your stats*" in text
    assert "*Correct*\n1 of 1 (100%)" in text
    assert "🥇 *bob*: " in text


async def test_home_tab_of_someone_who_never_played_invites_them_to(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.send(bot.slack.app_home_opened(user=ALICE))
        await bot.slack.wait_for_call("views.publish")

    home = bot.slack.home_view(ALICE)
    assert home is not None
    assert "You have not played yet" in home.all_text()
    assert "No scores yet." in home.all_text()


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("dance", "I don't know `dance`."),
        ("leaderboard forever", "The leaderboard is for `all` time"),
        ("stats bob", "Mention the player"),
        ("stop now", "`stop` takes nothing after it."),
    ],
)
async def test_a_line_the_bot_cannot_read_gets_a_short_private_usage_in_the_ack(
    tmp_path: Path, typed: str, says: str
) -> None:
    async with running_bot(tmp_path) as bot:
        acked = await bot.send(bot.slack.slash_command("/trivia", typed, user=ALICE))

    assert acked.status == 200
    assert acked.payload["text"].startswith(says)
    assert "`/trivia start [category] [rounds] [text|choice] [seconds]`" in acked.payload["text"]
    assert acked.payload.get("response_type", "ephemeral") == "ephemeral"
    assert bot.slack.messages() == []


async def test_help_is_answered_in_the_ack_without_touching_the_service(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        acked = await bot.send(bot.slack.slash_command("/trivia", "", user=ALICE))

    assert "Play in any channel I'm in" in acked.payload["text"]
    assert acked.payload["blocks"][0]["type"] == "section"
    assert bot.slack.calls_to("users.info") == []


async def test_refusals_are_private_and_say_why(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        await bot.send(slack.slash_command("/trivia", "hint", user=BOB))
        no_game = await slack.wait_for_call("chat.postEphemeral")
        await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        await bot.question(1)
        mark = bot.mark()
        await bot.send(slack.slash_command("/trivia", "stop", user=BOB))
        not_yours = await slack.wait_for_call("chat.postEphemeral", after=mark)

    assert (no_game["user"], no_game["channel"]) == (BOB, CHANNEL)
    assert no_game["text"] == "🚫 No game is running in this channel. Start one with `start`."
    assert not_yours["text"].startswith("🚫 Only alice, who started this game, or an admin")
    assert not any("🚫" in m.all_text() for m in slack.messages())


async def test_the_question_shows_its_deadline_and_is_edited_once_into_its_reveal(
    tmp_path: Path,
) -> None:
    clock = ManualClock()
    async with running_bot(tmp_path, clock=clock) as bot:
        slack = bot.slack
        await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        question = await bot.question(1)
        shown = question.visible_text()
        await clock.advance(30)
        await slack.wait_until(lambda: "The answer" in question.all_text() or None)
        await bot.adapter.outbox.flush()
        edits = slack.calls_to("chat.update")

    # Slack draws the deadline in each reader's time zone: no countdown edits (Tier 3).
    deadline = int(clock.now().timestamp())
    assert f"⏱ 30 s, until <!date^{deadline}^{{time_secs}}|12:00:30 UTC>" in shown
    assert [e["ts"] for e in edits] == [question.ts]


async def test_shutdown_ends_the_running_game_and_flushes_its_last_messages(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        first = await bot.question(1)
        await bot.send(slack.message_event(answer_to(first), user=BOB))
        await bot.question(2)
    # Leaving the block is the bot's shutdown: service.shutdown, then the outbox is flushed.

    assert slack.transcript()[-1].startswith("triviabot: *🔌 Game ended: the bot is restarting.")
    assert "bob" in slack.transcript()[-1]
    second = slack.bot_messages()[-2]
    assert "The answer: *" in second.visible_text()


async def test_a_channel_the_bot_is_not_in_gets_told_how_to_invite_it(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        slack.fail_next("chat.postMessage", "not_in_channel", times=2)
        await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        told = await slack.wait_for_response()

    assert "invite me with `/invite @trivia`" in told.body["text"]
    assert [e.user for e in slack.ephemerals() if e.via == "response_url"] == [ALICE]


async def test_own_and_other_bots_messages_are_not_answers(tmp_path: Path) -> None:
    seen: list[Command] = []
    two = asyncio.Event()
    async with running_bot(tmp_path) as bot:
        slack = bot.slack

        async def spy(command: Command) -> None:
            seen.append(command)
            if len(seen) == 2:
                two.set()
            await bot.app.service.handle(command)

        bot.adapter.bind(RoutedService(bot.app.service, spy))
        await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        question = await bot.question(1)
        await bot.send(slack.bot_echo(question))
        other = {"type": "message", "subtype": "bot_message", "bot_id": "B0OTHER", "text": "blue"}
        await bot.send(slack.event({**other, "channel": CHANNEL}))
        await bot.send(slack.message_event("still here", user=BOB))
        async with asyncio.timeout(5):
            await two.wait()

    assert [type(c).__name__ for c in seen] == ["StartGame", "SubmitAnswer"]
    assert seen[1].actor.name == "bob"


async def test_chat_in_a_channel_without_a_game_costs_no_lookups(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        acked = await bot.send(bot.slack.message_event("hello everyone", user=BOB))
        await bot.send(bot.slack.slash_command("/trivia", "categories", user=ALICE))
        listed = await bot.slack.wait_for_call("chat.postEphemeral")

    assert acked.status == 200
    assert [c["user"] for c in bot.slack.calls_to("users.info")] == [ALICE]
    assert "*colours*: 2 questions" in listed["text"]


async def test_a_failing_command_is_logged_with_its_ids_and_the_bot_keeps_serving(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        failures = [RuntimeError("the service tripped")]

        async def flaky(command: Command) -> None:
            if failures:
                raise failures.pop()
            await bot.app.service.handle(command)

        bot.adapter.bind(RoutedService(bot.app.service, flaky))
        with caplog.at_level(logging.ERROR, logger="bot.adapters.slack.adapter"):
            first = await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
            await slack.wait_until(lambda: caplog.records or None)
        second = await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        await bot.question(1)

    assert (first.status, second.status) == (200, 200)
    (record,) = caplog.records
    assert record.getMessage() == (
        "slack: /trivia 'start colours' from U0ALICE in C0TRIVIA (T0TRIVIA) failed"
    )
    assert record.exc_info is not None
