"""Discord commands while the database misbehaves: a deferred interaction is always followed up.

Discord shows "Bot is thinking..." for a deferred interaction until the bot edits it, for
up to 15 minutes.  Whatever the database does (another process holds its write lock past
the busy timeout, a command stays slow, a command fails), the user gets words.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.common.words import SCORES_DELAYED
from bot.adapters.discord.interactions import STILL_WORKING, TRY_AGAIN, WENT_WRONG
from bot.domain.commands import ShowLeaderboard
from bot.service.trivia import HELD
from tests.fakes import RoutedService
from tests.platforms.discord.bot_harness import is_question, trivia_bot
from tests.platforms.discord.fake import FakeDiscord


@pytest.mark.slow
async def test_start_and_score_while_another_process_holds_the_lock_are_answered(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    channel = fake.channel.id
    async with trivia_bot(fake, tmp_path) as bot:
        holder = sqlite3.connect(bot.app.settings.db, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # longer than the store's 5 s busy timeout
        try:
            start = await fake.slash_command(
                fake.guild.id, channel, alice, subcommand="start", options={"rounds": 1}
            )
            started = await start.response_message(timeout=15)
            score = await fake.slash_command(fake.guild.id, channel, alice, subcommand="score")
            # Deferred in public, answered for alice alone: a follow-up.
            scored = await score.wait_followup(timeout=15)
        finally:
            holder.execute("COMMIT")
            holder.close()
        # Once the lock goes, the game starts for real, in the channel.
        question = await fake.wait_for_message(channel, is_question(1, 1), timeout=10)

    assert started.text == SCORES_DELAYED
    assert not started.ephemeral
    assert scored.text.endswith(HELD)
    assert scored.ephemeral
    assert question.text


class Stuck:
    """The service with leaderboards that take ``seconds`` (or fail after them)."""

    def __init__(self, service: Any, seconds: float, *, error: Exception | None = None) -> None:
        self._service = service
        self._seconds = seconds
        self._error = error

    async def handle(self, command: Any) -> None:
        if isinstance(command, ShowLeaderboard):
            await asyncio.sleep(self._seconds)
            if self._error is not None:
                raise self._error
        await self._service.handle(command)


async def test_a_command_that_stays_slow_is_followed_up_before_the_token_runs_out(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    async with trivia_bot(fake, tmp_path) as bot:
        answers = bot.client.interactions
        # The real bounds are 10 s and 14 minutes; a test takes them in fractions.
        answers._busy_after, answers._give_up_after = 0.3, 1.0
        bot.client.bind(RoutedService(bot.app.service, Stuck(bot.app.service, 30).handle))
        board = await fake.slash_command(
            fake.guild.id, fake.channel.id, alice, subcommand="leaderboard"
        )
        slow = await board.response_message(timeout=5)
        shown_first = slow.text
        await fake.wait_until(
            lambda: board.message is not None and board.message.text == TRY_AGAIN, timeout=5
        )

    assert shown_first in {STILL_WORKING, TRY_AGAIN}


async def test_a_deferred_command_that_fails_is_followed_up_with_an_apology(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    async with trivia_bot(fake, tmp_path) as bot:
        stuck = Stuck(bot.app.service, 2.0, error=RuntimeError("boom"))
        bot.client.bind(RoutedService(bot.app.service, stuck.handle))
        board = await fake.slash_command(
            fake.guild.id, fake.channel.id, alice, subcommand="leaderboard"
        )
        first = await board.response(timeout=3)
        apology = await board.response_message(timeout=10)

    assert first["type"] == 5  # deferred ("thinking...") after 1.5 s
    assert apology.text == WENT_WRONG
    assert apology.ephemeral
