"""Playing trivia on Discord: the real bot (discord.py, service, SQLite) against FakeDiscord."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.domain.commands import ShowStats, SubmitAnswer
from tests.platforms.discord.bot_harness import (
    is_question,
    is_revealed,
    option_to_pick,
    start_one_question,
    trivia_bot,
    word_to_type,
)
from tests.platforms.discord.fake import INTENT_MESSAGE_CONTENT, FakeDiscord
from tests.platforms.discord.fake.payloads import PERM_EMBED_LINKS

MESSAGES = r"/channels/\d+/messages"
MESSAGE = r"/channels/\d+/messages/\d+"
FOLLOWUPS = r"/webhooks/\d+/[^/]+"
FOLLOWUP = r"/webhooks/\d+/[^/]+/messages/\d+"


async def test_a_text_game_runs_from_start_to_final_standings_with_two_players(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    bob = fake.add_member(fake.guild.id, "bob")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path):
        start = await fake.slash_command(
            fake.guild.id,
            channel,
            alice,
            subcommand="start",
            options={"category": "words", "rounds": 2, "mode": "text"},
        )
        announced = await start.response_message()
        q1 = await fake.wait_for_message(channel, is_question(1, 2))
        said = await fake.user_says(channel, bob, "purple")  # wrong: nothing happens
        await fake.user_says(channel, alice, word_to_type(q1))
        revealed = await fake.wait_for_message(channel, is_revealed(q1))
        q2 = await fake.wait_for_message(channel, is_question(2, 2), after=q1)
        await fake.user_says(channel, bob, word_to_type(q2).upper() + "!")
        final = await fake.wait_for_message(channel, lambda m: "Game over!" in m.text, after=q2)

    assert (announced.ephemeral, announced.text.splitlines()[0]) == (False, "Trivia!")
    assert "started by Alice" in announced.text
    assert announced.id < q1.id  # "game started" stands above the first question
    assert "Answered! The answer: **blue**" in revealed.text or "The answer:" in revealed.text
    assert "Alice **+" in fake.message(q1).text
    assert fake.message(q2).text.count("Bob **+") == 1
    assert "1. **" in final.text
    assert "Alice" in final.text
    assert "Bob" in final.text
    assert "wins with" in final.text
    # Nothing but the bot's own posts: no reply to bob's wrong guess.
    bot_posts = fake.channel_messages(channel, from_bot=True)
    assert [m.id for m in bot_posts] == [announced.id, q1.id, q2.id, final.id]
    assert all(m.id != said.id for m in bot_posts)
    # The budget: per question one post and one edit (the reveal), plus the final post, all
    # through the webhook of the /trivia start interaction: none billed to the bot token.
    assert len(fake.requests_matching("POST", FOLLOWUPS)) == 3
    assert len(fake.requests_matching("PATCH", FOLLOWUP)) == 2
    assert fake.requests_matching("POST", MESSAGES) == []
    assert fake.requests_matching("PATCH", MESSAGE) == []


async def test_a_choice_game_is_played_with_buttons_and_counts_shown_at_the_reveal(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    bob = fake.add_member(fake.guild.id, "bob")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path, speed=20.0):
        start = await fake.slash_command(
            fake.guild.id,
            channel,
            alice,
            subcommand="start",
            options={"category": "planets", "rounds": 1, "mode": "choice", "seconds": 5.0},
        )
        await start.response()
        question = await fake.wait_for_message(channel, is_question(1, 1))
        right = option_to_pick(question)
        wrong = next(b["custom_id"] for b in question.buttons if b["custom_id"] != right)
        alice_click = await fake.click_button(question, right, alice)
        bob_click = await fake.click_button(question, wrong, bob)
        again = await fake.click_button(question, right, bob)
        confirmed = await alice_click.response_message()
        bob_confirmed = await bob_click.response_message()
        refused = await again.response_message()
        await fake.wait_for_message(channel, is_revealed(question), timeout=5)
        final = await fake.wait_for_message(channel, lambda m: "Game over!" in m.text)

    assert (confirmed.ephemeral, bob_confirmed.ephemeral, refused.ephemeral) == (True, True, True)
    assert "Your pick:" in confirmed.content
    assert "locked in" in confirmed.content
    assert "already picked" in refused.content
    after = fake.message(question)
    *options, report = after.buttons
    assert all(b["disabled"] for b in options)
    assert (report["label"], report.get("disabled", False)) == ("Report", False)
    labels = sorted(b["label"] for b in options)
    assert sum(label.endswith("(1)") for label in labels) == 2
    assert sum(label.endswith("(0)") for label in labels) == 1
    assert "Alice **+" in after.text
    assert "Bob" not in after.text
    assert "Alice" in final.text
    assert "Solo games" not in final.text


async def test_the_leaderboard_after_a_game_is_shown_to_the_asker_alone(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    bob = fake.add_member(fake.guild.id, "bob")
    channel = fake.channel.id

    # Commands synced globally (no TRIVIA_DISCORD_GUILD): the only way they reach DMs.
    async with trivia_bot(fake, tmp_path, discord_guild=None):
        question = await start_one_question(fake, alice)
        await fake.user_says(channel, alice, word_to_type(question))
        await fake.wait_for_message(channel, lambda m: "Game over!" in m.text)
        asked = await fake.slash_command(
            fake.guild.id, channel, bob, subcommand="leaderboard", options={"period": "today"}
        )
        board = await asked.response_message()
        in_dm = await fake.slash_command(
            None, fake.dm_channel(alice).id, alice, subcommand="leaderboard"
        )
        dm_board = await in_dm.response_message()
        stranger = fake.add_user("carol")
        lost = await fake.slash_command(
            None, fake.dm_channel(stranger).id, stranger, subcommand="stats"
        )
        explained = await lost.response_message()
        game_in_dm = await fake.slash_command(
            None, fake.dm_channel(alice).id, alice, subcommand="start"
        )
        refused = await game_in_dm.response_message()
        reports_in_dm = await fake.slash_command(
            None, fake.dm_channel(alice).id, alice, subcommand="reports"
        )
        reports_refused = await reports_in_dm.response_message()

    assert [c["name"] for c in fake.commands()] == ["trivia"]
    assert fake.commands(fake.guild.id) == []
    assert board.ephemeral
    assert board.text.splitlines()[0] == "Leaderboard, today"
    assert "1. **Alice**: " in board.text
    assert "Bob" not in board.text  # bob never played
    assert dm_board.text.splitlines()[0] == "Leaderboard in Test Server, all time"
    assert "1. **Alice**: " in dm_board.text
    assert "Scores are kept per server" in explained.content
    assert refused.ephemeral
    assert refused.content.startswith("Trivia games are played in server channels")
    assert "each server keeps its own questions and reports" in reports_refused.content


async def test_a_hint_is_edited_into_the_question_instead_of_posted(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path):
        question = await start_one_question(fake, alice)
        asked = await fake.slash_command(fake.guild.id, channel, alice, subcommand="hint")
        ack = await asked.response_message()
        hinted = await fake.wait_for_message(
            channel, lambda m: m.id == question.id and "Hint: " in m.text
        )
        posts_before_answer = len(fake.requests_matching("POST", FOLLOWUPS))
        await fake.user_says(channel, alice, word_to_type(question))
        await fake.wait_for_message(channel, lambda m: "Game over!" in m.text)

    assert (ack.ephemeral, ack.content) == (True, "The hint is on the question.")
    assert "letters)" in hinted.text
    assert posts_before_answer == 1  # just the question


async def test_another_bot_typing_the_answer_does_not_score(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    robot = fake.add_member(fake.guild.id, "robot", bot=True)
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path):
        question = await start_one_question(fake, alice)
        # Handled in order: had the robot's message counted, it would have scored first.
        await fake.user_says(channel, robot, word_to_type(question))
        await fake.user_says(channel, alice, word_to_type(question))
        revealed = await fake.wait_for_message(channel, is_revealed(question))

    assert "Alice **+" in revealed.text
    assert "Robot" not in revealed.text


async def test_close_guesses_typed_together_become_one_notice(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    bob = fake.add_member(fake.guild.id, "bob")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path):
        question = await start_one_question(fake, alice)
        word = word_to_type(question)
        fake.rate_limit_next("POST", FOLLOWUPS, retry_after=0.2)  # the first notice is slow
        await fake.user_says(channel, alice, _close_guess(word, "z"))
        await fake.user_says(channel, bob, _close_guess(word, "q"))
        await fake.user_says(channel, bob, _close_guess(word, "x"))
        notice = await fake.wait_for_message(channel, lambda m: "So close" in m.text)
        await fake.wait_until(lambda: len(fake.requests_matching("POST", FOLLOWUPS)) >= 3)
        await fake.user_says(channel, alice, word)
        await fake.wait_for_message(channel, is_revealed(question))

    notices = [m for m in fake.channel_messages(channel, from_bot=True) if "So close" in m.text]
    assert sum(m.text.count("So close") for m in notices) == 3
    assert len(notices) < 3
    assert notice.content.startswith("🤏 So close")


def _close_guess(word: str, letter: str) -> str:
    """One edit beyond the typo allowance (0 up to 4 letters, 1 up to 8): close, not right."""
    edits = 1 if len(word) <= 4 else 2
    return word[0] + letter * edits + word[1 + edits :]


async def test_without_embed_permission_messages_are_plain_text(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    channel = fake.channel.id
    _take_embed_links_away(fake)

    async with trivia_bot(fake, tmp_path):
        start = await fake.slash_command(
            fake.guild.id,
            channel,
            alice,
            subcommand="start",
            options={"category": "words", "rounds": 1},
        )
        announced = await start.response_message()
        question = await fake.wait_for_message(channel, is_question(1, 1))
        await fake.user_says(channel, alice, word_to_type(question))
        revealed = await fake.wait_for_message(channel, is_revealed(question))

    assert (announced.embeds, question.embeds, revealed.embeds) == ((), (), ())
    assert announced.content.startswith("**Trivia!**")
    assert "**Question 1/1**" in question.content
    assert "The answer: **" in revealed.content


def _take_embed_links_away(fake: FakeDiscord) -> None:
    guild = fake.guild
    guild.everyone_role = replace(
        guild.everyone_role, permissions=guild.everyone_role.permissions & ~PERM_EMBED_LINKS
    )
    for role_id, role in list(guild.roles.items()):
        guild.roles[role_id] = replace(role, permissions=role.permissions & ~PERM_EMBED_LINKS)


async def test_a_rate_limited_post_is_retried_and_the_game_goes_on(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path):
        # A game started by /trivia start posts through that interaction's webhook.
        fake.rate_limit_next("POST", FOLLOWUPS, retry_after=0.05)
        fake.rate_limit_next("PATCH", FOLLOWUP, retry_after=0.05)
        question = await start_one_question(fake, alice)
        await fake.user_says(channel, alice, word_to_type(question))
        await fake.wait_for_message(channel, is_revealed(question))
        await fake.wait_for_message(channel, lambda m: "Game over!" in m.text)

    assert fake.rate_limited == 2
    assert [r.status for r in fake.requests_matching("POST", FOLLOWUPS)] == [429, 200, 200]
    assert [r.status for r in fake.requests_matching("PATCH", FOLLOWUP)] == [429, 200]
    questions = [m for m in fake.channel_messages(channel) if "Question 1/1" in m.text]
    assert len(questions) == 1


async def test_without_the_message_content_intent_games_are_played_with_buttons(
    tmp_path: Path,
) -> None:
    async with FakeDiscord(message_content_allowed=False) as fake:
        alice = fake.add_member(fake.guild.id, "alice")
        channel = fake.channel.id

        async with trivia_bot(fake, tmp_path, speed=20.0):
            start = await fake.slash_command(
                fake.guild.id,
                channel,
                alice,
                subcommand="start",
                options={"seconds": 5.0, "rounds": 1},
            )
            announced = await start.response_message()
            question = await fake.wait_for_message(channel, is_question(1, 1))
            click = await fake.click_button(question, option_to_pick(question), alice)
            await click.response()
            revealed = await fake.wait_for_message(channel, is_revealed(question))
            helped = await fake.slash_command(fake.guild.id, channel, alice, subcommand="help")
            help_text = await helped.response_message()

        assert fake.intents is not None
        assert not fake.intents & INTENT_MESSAGE_CONTENT
        assert "Message Content intent is off" in announced.content
        assert "Click the button" in announced.text
        assert question.buttons
        assert "Alice **+" in revealed.text
        assert "cannot read typed messages" in help_text.text


class _FailsOnce:
    """The service, except that the first command of each given type raises."""

    def __init__(self, service: Any, *kinds: type) -> None:
        self._service = service
        self._kinds = set(kinds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    async def handle(self, command: Any) -> None:
        if type(command) in self._kinds:
            self._kinds.discard(type(command))
            raise RuntimeError("boom")
        await self._service.handle(command)


async def test_a_failing_event_is_logged_with_its_ids_and_the_bot_keeps_serving(
    fake: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path) as bot:
        bot.client.bind(_FailsOnce(bot.app.service, ShowStats, SubmitAnswer))
        failed = await fake.slash_command(fake.guild.id, channel, alice, subcommand="stats")
        apology = await failed.response_message()
        question = await start_one_question(fake, alice)
        lost = await fake.user_says(channel, alice, word_to_type(question))
        await fake.user_says(channel, alice, word_to_type(question))
        await fake.wait_for_message(channel, is_revealed(question))

    assert apology.ephemeral
    assert apology.content == "Sorry, that went wrong on my side; it has been logged."
    failures = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(failures) == 2
    assert f"interaction {failed.id} (trivia stats)" in failures[0].getMessage()
    assert failures[0].exc_info is not None
    assert f"message {lost.id} in channel {channel}" in failures[1].getMessage()


async def test_the_start_command_offers_matching_categories_with_their_sizes(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")

    async with trivia_bot(fake, tmp_path):
        typing = await fake.autocomplete(
            fake.guild.id,
            fake.channel.id,
            alice,
            subcommand="start",
            focused="category",
            options={"category": "PLAN"},
        )
        await typing.response()

    assert typing.choices == [{"name": "planets (2)", "value": "planets"}]
