"""Scheduled play on Discord from end to end (issue #17's "Done when"): the real bot
(discord.py, service, desks, firing loop, SQLite) against FakeDiscord, on a manual clock
that the tests move across days, a week and a season's end.

Players and admins act through Discord (slash commands, buttons, forms); the bot posts,
edits and answers through Discord.  Time moves only when a test says so
(``at``), and the bot's messages are awaited on the fake, never slept for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app.discord_main import RunningBot
from bot.clock import ManualClock
from tests.platforms.discord.bot_harness import (
    is_question,
    is_revealed,
    option_to_pick,
    trivia_bot,
    word_to_type,
)
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

    @property
    def people(self) -> tuple[FakeUser, ...]:
        return (self.ada, self.alice, self.bob, self.carol)

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
    fake: FakeDiscord,
    tmp_path: Path,
    *,
    start: datetime = MONDAY,
    people: Sequence[FakeUser] = (),
) -> AsyncIterator[Scene]:
    """The bot on a manual clock from ``start``; ``people`` (ada, alice, bob, carol) are
    those of an earlier scene (the same server after a restart), or new members."""
    clock = ManualClock(wall=start)
    if not people:
        people = [fake.add_member(fake.guild.id, "ada", admin=True)]
        people += [fake.add_member(fake.guild.id, name) for name in ("alice", "bob", "carol")]
    async with trivia_bot(fake, tmp_path, clock=clock) as bot:
        yield Scene(fake, bot, clock, *people)


# -- the daily question ----------------------------------------------------------------------


async def test_an_admin_schedules_a_daily_question_and_three_players_answer_it_privately(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with scene(fake, tmp_path) as s:
        refused = await s.command(s.bob, "schedule add", DAILY)
        added = await s.command(s.ada, "schedule add", DAILY)
        await s.at(MONDAY.replace(hour=9))
        question = await s.daily_question()
        word = word_to_type(question)
        on_time = "-# " not in question.text  # no note: not late, not moved
        alice_hears = await s.answer_by_form(question, s.alice, word)
        bob_answers = await s.command(s.bob, "answer", {"text": "purple"})
        carol_first = await s.answer_by_form(question, s.carol, close_to(word))
        carol_again = await s.answer_by_form(question, s.carol, word.upper())
        seen_before_close = [m.id for m in s.public_posts()]
        await s.at(MONDAY.replace(hour=17))
        revealed = await s.revealed(question)

    assert refused.ephemeral
    assert refused.content.startswith("⛔")
    assert added.ephemeral
    assert f"Added schedule 1: daily question in <#{fake.channel.id}> at 09:00" in added.text
    assert "`#1` **daily question**" in added.text
    assert "at 09:00 UTC (daily), open until 17:00, words" in added.text
    assert on_time
    closes = int(MONDAY.replace(hour=17).timestamp())
    assert f"Closes <t:{closes}:R>" in question.text
    assert "is right!" in alice_hears
    assert bob_answers.ephemeral
    assert "is not it" in bob_answers.content
    assert "nearly it: not counted, so try again" in carol_first
    assert "is right!" in carol_again
    # Nobody saw anyone's answer: the channel had the question alone until it closed.
    assert seen_before_close == [question.id]
    assert f"The answer: **{word}**" in revealed.text
    assert "3 players answered, 2 right." in revealed.text
    assert revealed.text.index("1. **Alice**") < revealed.text.index("2. **Carol**")
    assert "Bob" not in revealed.text
    assert [b["label"] for b in revealed.buttons] == ["Report"]


async def test_a_choice_question_is_answered_by_clicking_and_revealed_with_its_options(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with scene(fake, tmp_path) as s:
        await s.command(s.ada, "schedule add", {**DAILY, "category": "planets"})
        await s.at(MONDAY.replace(hour=9))
        question = await s.daily_question()
        right = option_to_pick(question)
        wrong = next(b["custom_id"] for b in question.buttons if b["custom_id"] != right)
        verdicts = []
        for player, option in ((s.alice, right), (s.bob, wrong)):
            clicked = await fake.click_button(question, option, player)
            verdicts.append(await clicked.response_message())
        await s.at(MONDAY.replace(hour=17))
        revealed = await s.revealed(question)

    assert [b["label"][:2] for b in question.buttons] == ["A.", "B.", "C."]
    assert all(v.ephemeral for v in verdicts)
    assert "is right!" in verdicts[0].content
    assert "is not it" in verdicts[1].content
    assert "2 players answered, 1 right." in revealed.text
    assert "1. **Alice**" in revealed.text
    assert "Bob" not in revealed.text
    *options, report = revealed.buttons
    assert all(b["disabled"] for b in options)
    assert [b["custom_id"] for b in options if b["style"] == 3] == [right]  # green
    assert report["label"] == "Report"


async def test_a_streak_grows_over_three_days_and_breaks_on_the_fourth(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    verdicts: list[str] = []
    reveals: list[str] = []
    async with scene(fake, tmp_path) as s:
        await s.command(s.ada, "schedule add", DAILY)
        question: FakeMessage | None = None
        for day in range(5):
            morning = MONDAY.replace(hour=9) + timedelta(days=day)
            await s.at(morning)
            question = await s.daily_question(after=question)
            word = word_to_type(question)
            guess = "purple" if day == 3 else word  # Thursday: wrong
            verdicts.append(await s.answer_by_form(question, s.alice, guess))
            await s.at(morning.replace(hour=17))
            reveals.append((await s.revealed(question)).text)

    assert "Your streak starts today" in verdicts[0]
    assert "2 days in a row" in verdicts[1]
    assert "3 days in a row" in verdicts[2]
    assert "is not it" in verdicts[3]
    assert "Your streak starts today" in verdicts[4]  # broken on Thursday
    assert "🔥 3-day streak" in reveals[2]
    assert "Alice" not in reveals[3]
    assert "streak" not in reveals[4]


async def test_a_restart_while_the_question_is_open_still_edits_its_message_at_the_close(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with scene(fake, tmp_path) as s:
        await s.command(s.ada, "schedule add", DAILY)
        await s.at(MONDAY.replace(hour=9))
        question = await s.daily_question()
        word = word_to_type(question)
        await s.answer_by_form(question, s.alice, word)
        people = s.people
    # The bot is down from 09:00 to 12:00; another process (or the same one, restarted)
    # carries on from the database.
    async with scene(fake, tmp_path, start=MONDAY.replace(hour=12), people=people) as s:
        bob_hears = await s.answer_by_form(question, s.bob, word)
        await s.at(MONDAY.replace(hour=17))
        revealed = await s.revealed(question)
        posts = s.public_posts()

    assert "is right!" in bob_hears  # the button still works after the restart
    assert revealed.edits == 1
    assert [m.id for m in posts] == [question.id]  # edited in place, not posted again
    assert revealed.text.index("1. **Alice**") < revealed.text.index("2. **Bob**")


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
        # The pass at 15:49 is over (the loop sleeps again) before what it posted is read.
        await fake.wait_until(lambda: s.clock.pending >= 1 or None)
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


# -- seasons --------------------------------------------------------------------------------------


async def test_a_seasons_end_posts_its_results_once_with_the_daily_points(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    last_day = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    async with scene(fake, tmp_path, start=last_day) as s:
        await s.command(s.ada, "schedule add", DAILY)
        await s.at(last_day.replace(hour=9))
        question = await s.daily_question()
        await s.answer_by_form(question, s.alice, word_to_type(question))
        await s.at(last_day.replace(hour=17))
        await s.revealed(question)
        await s.at(datetime(2026, 12, 1, 0, 5, tzinfo=UTC))
        results = await s.posted(lambda m: "Season" in m.text)
        await s.at(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
        board = await s.command(s.alice, "leaderboard", {"season": "previous", "daily": True})

    assert "Season November 2026 is over" in results.text
    assert "1. **Alice**" in results.text
    assert sum("is over" in m.text for m in s.public_posts()) == 1
    assert board.ephemeral
    assert "season November 2026" in board.text
    assert "1. **Alice**" in board.text
