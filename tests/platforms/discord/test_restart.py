"""A game survives a restart of the Discord bot: ``trivia-bot run discord`` in a subprocess,
stopped with SIGTERM mid-question and started again on the same database."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.domain.model import PlayerKey
from bot.storage import open_store
from tests.helpers import rows
from tests.platforms.discord.bot_harness import (
    discord_env,
    is_question,
    is_revealed,
    trivia_bot_process,
    word_to_type,
)
from tests.platforms.discord.fake import FakeDiscord, FakeMessage

QUESTION_POSTS = r"/channels/\d+/messages"


def questions_numbered(fake: FakeDiscord, channel: int, number: int) -> list[FakeMessage]:
    return [m for m in fake.channel_messages(channel) if f"Question {number}/3" in m.text]


async def test_a_game_stopped_by_sigterm_goes_on_after_the_restart_in_the_same_message(
    fake: FakeDiscord, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    channel = fake.channel.id
    env = discord_env(cli_env, fake, tmp_path, TRIVIA_ROUNDS="3", TRIVIA_CATEGORY="words")

    async with trivia_bot_process("run", "discord", env=env) as first:
        await first.wait_for_log("connected to Discord as TriviaBot")
        start = await fake.slash_command(fake.guild.id, channel, alice, subcommand="start")
        await start.response()
        q1 = await fake.wait_for_message(channel, is_question(1, 3))
        await fake.user_says(channel, alice, word_to_type(q1))
        await fake.wait_for_message(channel, is_revealed(q1))
        q2 = await fake.wait_for_message(channel, is_question(2, 3), after=q1)
        first.process.send_signal(signal.SIGTERM)
        first_code = await asyncio.wait_for(first.process.wait(), 15)
        await fake.wait_for_message(channel, lambda m: "Back in a moment" in m.text)
    assert first_code == 0, "\n".join(first.stderr)
    # Saved, not ended: the journal holds the game and its state.
    [(state,)] = rows(tmp_path / "trivia.db", "SELECT state FROM game_journal")
    assert state is not None

    async with trivia_bot_process("run", "discord", env=env) as second:
        await second.wait_for_log("goes on at question 2 of 3")
        await fake.user_says(channel, alice, word_to_type(q2))
        await fake.wait_for_message(channel, is_revealed(q2))  # the same message, edited
        q3 = await fake.wait_for_message(channel, is_question(3, 3), after=q2)
        await fake.user_says(channel, alice, word_to_type(q3))
        await fake.wait_for_message(channel, lambda m: "Game over!" in m.text)
        second.process.send_signal(signal.SIGTERM)
        second_code = await asyncio.wait_for(second.process.wait(), 15)

    log = "\n".join(first.stderr + second.stderr)
    assert second_code == 0, log
    assert "Traceback" not in log
    assert "shutting down" not in " ".join(m.text for m in fake.channel_messages(channel))
    # No second copy of the question: it went on in the message it was asked in.
    assert [m.id for m in questions_numbered(fake, channel, 2)] == [q2.id]
    store = await open_store(tmp_path / "trivia.db")
    try:
        stats = await store.player_stats(PlayerKey("discord", str(fake.guild.id), str(alice.id)))
    finally:
        await store.close()
    assert stats is not None
    assert (stats.games, stats.correct) == (1, 3)
    assert rows(tmp_path / "trivia.db", "SELECT count(*) FROM game_journal") == [(0,)]


async def test_a_game_saved_too_long_ago_ends_with_its_points_on_start(
    fake: FakeDiscord, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    channel = fake.channel.id
    env = discord_env(cli_env, fake, tmp_path, TRIVIA_ROUNDS="3", TRIVIA_CATEGORY="words")

    async with trivia_bot_process("run", "discord", env=env) as first:
        await first.wait_for_log("connected to Discord as TriviaBot")
        start = await fake.slash_command(fake.guild.id, channel, alice, subcommand="start")
        await start.response()
        q1 = await fake.wait_for_message(channel, is_question(1, 3))
        await fake.user_says(channel, alice, word_to_type(q1))
        await fake.wait_for_message(channel, is_question(2, 3), after=q1)
        first.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(first.process.wait(), 15) == 0
    # As if the bot had stayed down for ten minutes.
    db = tmp_path / "trivia.db"
    rows(db, "UPDATE game_journal SET state_us = state_us - 600000000")

    async with trivia_bot_process("run", "discord", env=env) as second:
        ended = await fake.wait_for_message(
            # The new process waits for its turn to IDENTIFY (5.5 s after the last one).
            channel,
            lambda m: "went down mid-game" in m.text,
            after=q1,
            timeout=20,
        )
        second.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.process.wait(), 15) == 0

    assert "Alice" in ended.text
    assert rows(db, "SELECT count(*) FROM game_journal") == [(0,)]
    assert rows(db, "SELECT reason FROM games") == [("restarted",)]
