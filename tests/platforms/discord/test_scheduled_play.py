"""Scheduled play on Discord from end to end (issue #17's "Done when"): the real bot
(discord.py, service, desks, firing loop, SQLite) against FakeDiscord, on a manual clock
that the tests move across days, a week and a season's end.

Players and admins act through Discord (slash commands, buttons, forms); the bot posts,
edits and answers through Discord.  Time moves only when a test says so
(``at``), and the bot's messages are awaited on the fake, never slept for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app.discord_main import RunningBot
from bot.clock import ManualClock
from tests.platforms.discord.bot_harness import is_question, is_revealed, trivia_bot, word_to_type
from tests.platforms.discord.fake import FakeDiscord, FakeMessage, FakeUser

#: A Monday; November 2026's season ends at the end of the month.
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DAILY = {
    "kind": "daily",
    "time": "09:00",
    "timezone": "UTC",
    "closes": "17:00",
    "category": "words",
}


def close_to(word: str) -> str:
    """Nearly ``word`` (one edit beyond what the matcher forgives): not counted."""
    return word[:-1] + "z" if len(word) <= 4 else word[0] + "zz" + word[3:]


def is_daily(message: FakeMessage) -> bool:
    return "Question of the day" in message.text and "Closes <t:" in message.text


@dataclass
class Scene:
    """The bot on a manual clock, a server's admin and three players."""

    fake: FakeDiscord
    bot: RunningBot
    clock: ManualClock
    ada: FakeUser
    alice: FakeUser
    bob: FakeUser
    carol: FakeUser

    async def at(self, when: datetime, *, timers: int = 1) -> None:
        """Time passes to ``when`` while the bot idles, then its timers wake (the firing
        loop's first): it acts on what is due at ``when``, on time.

        Waits first until the bot is idle, its ``timers`` (the firing loop's, and a
        running game's) waiting on the clock: the loop's database work is real I/O, and
        time moved under a pass would have it sleep past what is due."""
        await self.fake.wait_until(lambda: self.clock.pending >= timers or None)
        self.clock.jump((when - self.clock.now()).total_seconds())
        await self.clock.advance(0)

    async def command(
        self, user: FakeUser, subcommand: str, options: dict[str, Any] | None = None
    ) -> FakeMessage:
        asked = await self.fake.slash_command(
            self.fake.guild.id,
            self.fake.channel.id,
            user,
            subcommand=subcommand,
            options=options,
        )
        return await asked.response_message()

    async def daily_question(self, after: FakeMessage | None = None) -> FakeMessage:
        return await self.fake.wait_for_message(self.fake.channel.id, is_daily, after=after)

    async def answer_by_form(self, question: FakeMessage, user: FakeUser, text: str) -> str:
        """``user`` clicks the question's Answer button and sends ``text``; the verdict."""
        button = question.button_labeled("Answer")["custom_id"]
        clicked = await self.fake.click_button(question, button, user)
        await clicked.response()
        sent = await self.fake.submit_modal(clicked, {"answer": text})
        verdict = await sent.response_message()
        assert verdict.ephemeral
        return verdict.content

    async def revealed(self, question: FakeMessage) -> FakeMessage:
        return await self.fake.wait_for_message(
            self.fake.channel.id, lambda m: m.id == question.id and "Closed." in m.text
        )

    async def posted(self, wanted: Callable[[FakeMessage], bool]) -> FakeMessage:
        """The bot's first public message that is ``wanted`` (ephemeral replies left out)."""
        return await self.fake.wait_for_message(
            self.fake.channel.id, lambda m: not m.ephemeral and wanted(m)
        )

    def public_posts(self) -> list[FakeMessage]:
        posts = self.fake.channel_messages(self.fake.channel.id, from_bot=True)
        return [m for m in posts if not m.ephemeral]


@asynccontextmanager
async def scene(
    fake: FakeDiscord, tmp_path: Path, *, start: datetime = MONDAY
) -> AsyncIterator[Scene]:
    clock = ManualClock(wall=start)
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    players = [fake.add_member(fake.guild.id, name) for name in ("alice", "bob", "carol")]
    async with trivia_bot(fake, tmp_path, clock=clock) as bot:
        yield Scene(fake, bot, clock, ada, *players)


# -- the weekly quiz -----------------------------------------------------------------------------


async def test_a_weekly_quiz_is_reminded_then_played_at_its_time(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    friday = MONDAY + timedelta(days=4)
    quiz = {
        "kind": "quiz",
        "time": "16:00",
        "timezone": "UTC",
        "days": "fri",
        "category": "words",
        "rounds": 1,
        "seconds": 20.0,
        "mode": "text",
        "remind": 10,
    }
    async with scene(fake, tmp_path, start=friday) as s:
        added = await s.command(s.ada, "schedule add", quiz)
        await s.at(friday.replace(hour=15, minute=49))
        early = [m.text for m in s.public_posts()]
        await s.at(friday.replace(hour=15, minute=50))
        reminder = await s.posted(lambda m: "Trivia quiz soon" in m.text)
        await s.at(friday.replace(hour=16))
        started = await s.posted(lambda m: "Trivia!" in m.text)
        question = await fake.wait_for_message(fake.channel.id, is_question(1, 1))
        await fake.user_says(fake.channel.id, s.bob, word_to_type(question))
        await fake.wait_for_message(fake.channel.id, is_revealed(question))
        over = await s.posted(lambda m: "Game over!" in m.text)

    assert "weekly quiz" in added.text
    assert early == []
    starts = int(friday.replace(hour=16).timestamp())
    assert f"<t:{starts}:R>" in reminder.text
    assert reminder.id < started.id < question.id
    assert "Bob" in over.text
