"""The real Discord bot fires its guilds' schedules: the firing loop runs in the process
(``bot.app.schedules``), on real time, against FakeDiscord and a SQLite file.

A schedule whose time passed a minute before the bot started, inside its window, fires
once as the bot comes up: the daily question is posted with its Answer button, and the
weekly quiz starts as a game "started by the weekly quiz schedule".  How schedules fire
on the manual clock (days, weeks, daylight saving, seasons) is
``tests/unit/test_scheduled_play.py``; this pins the wiring in a Discord process.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.adapters.discord.ids import PLATFORM
from bot.domain.model import ServerKey
from bot.domain.schedule import Schedule, ScheduleKind, parse_days
from bot.storage.sqlite.store import open_sqlite_store
from tests.platforms.discord.bot_harness import trivia_bot
from tests.platforms.discord.fake import FakeDiscord


def zone_at_noon(now: datetime) -> str:
    """A fixed-offset zone where ``now`` is about noon: a window that closes at midnight
    is then hours away, whenever the test runs."""
    offset = 12 - now.hour
    offset = offset - 24 if offset > 12 else offset
    # POSIX-style names: Etc/GMT-3 is three hours *ahead* of UTC.
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


async def add_missed(db: Path, fake: FakeDiscord, kind: ScheduleKind, **options: str) -> None:
    now = datetime.now(UTC)
    zone = zone_at_noon(now)
    store = await open_sqlite_store(db)
    try:
        due = (now - timedelta(minutes=1)).astimezone(ZoneInfo(zone))
        await store.add_schedule(
            Schedule(
                server=ServerKey(PLATFORM, str(fake.guild.id)),
                channel=str(fake.channel.id),
                kind=kind,
                at=due.time().replace(second=0, microsecond=0),
                zone=zone,
                days=parse_days("daily"),
                category="words",
                options=tuple(options.items()),
                remind=0,
                created=now - timedelta(hours=2),
            )
        )
    finally:
        await store.close()


async def test_a_missed_daily_question_is_posted_as_the_bot_comes_up(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    await add_missed(tmp_path / "trivia.db", fake, ScheduleKind.DAILY_QUESTION)
    async with trivia_bot(fake, tmp_path):
        posted = await fake.wait_for_message(
            fake.channel.id, lambda m: "Type the word" in m.text, timeout=10
        )
    assert [b["label"] for b in posted.buttons] == ["Answer"]
    assert "late" in posted.text  # it says it was posted late, and why


async def test_a_missed_weekly_quiz_starts_as_the_bot_comes_up(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    await add_missed(tmp_path / "trivia.db", fake, ScheduleKind.WEEKLY_QUIZ, rounds="1")
    async with trivia_bot(fake, tmp_path):
        started = await fake.wait_for_message(
            fake.channel.id, lambda m: "weekly quiz schedule" in m.text, timeout=10
        )
    assert "1 question" in started.text
