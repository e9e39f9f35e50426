"""SIGTERM to a real bot process at bad moments: it stops within its budget, in order of value.

Docker kills what outlives 10 s.  The bot gets ``TRIVIA_SHUTDOWN_SECONDS`` (8 by default)
and spends it on recording every game first, then on the games' last messages, and drops
what is left with a log line that counts it.  Produced for real: a Discord that answers
every post with 429, another process holding the database's write lock.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from bot.adapters.common.words import GAME_SUSPENDED
from tests.helpers import rows
from tests.platforms.discord.bot_harness import (
    discord_env,
    is_question,
    trivia_bot_process,
)
from tests.platforms.discord.fake import FakeDiscord, FakeUser

# A game started by /trivia start speaks through its interaction's webhook; others
# through the channel: either way, these are its posts and edits.
MESSAGES = r"/channels/\d+/messages|/webhooks/\d+/[^/]+"
MESSAGE = r"/channels/\d+/messages/\d+|/webhooks/\d+/[^/]+/messages/\d+"
#: Docker's default grace period: past it the process is killed.
GRACE = 10.0
CHANNELS = 4

HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


async def _games_in_four_channels(fake: FakeDiscord, starter: FakeUser) -> list[int]:
    channels = [fake.channel.id] + [
        fake.add_channel(fake.guild.id, f"trivia-{n}").id for n in range(1, CHANNELS)
    ]
    for channel in channels:
        start = await fake.slash_command(
            fake.guild.id, channel, starter, subcommand="start", options={"rounds": 5}
        )
        await start.response()
    for channel in channels:
        await fake.wait_for_message(channel, is_question(1, 5), timeout=10)
    return channels


def _games_table(db: Path) -> tuple[int, int]:
    """(games recorded, games still in the journal)."""
    with sqlite3.connect(db) as conn:
        (recorded,) = conn.execute("SELECT count(*) FROM games").fetchone()
        (running,) = conn.execute("SELECT count(*) FROM game_journal").fetchone()
    conn.close()
    return int(recorded), int(running)


@pytest.mark.slow
@pytest.mark.parametrize("resume_within", ["120", "0"], ids=["saved", "recorded"])
async def test_sigterm_in_a_429_storm_keeps_every_game_and_exits_0_within_the_grace(
    fake: FakeDiscord, tmp_path: Path, cli_env: dict[str, str], resume_within: str
) -> None:
    """Every game is saved to go on after the restart (or, with TRIVIA_RESUME_WITHIN=0,
    recorded as ended) although no message gets through."""
    alice = fake.add_member(fake.guild.id, "alice")
    env = discord_env(
        cli_env, fake, tmp_path, TRIVIA_SECONDS="120", TRIVIA_RESUME_WITHIN=resume_within
    )

    async with trivia_bot_process("run", "discord", env=env) as bot:
        await bot.wait_for_log("connected to Discord as TriviaBot")
        channels = await _games_in_four_channels(fake, alice)
        # From now on Discord answers every post and edit "slow down", for 3 s at a time.
        fake.rate_limit_next("POST", MESSAGES, retry_after=3.0, times=10_000)
        fake.rate_limit_next("PATCH", MESSAGE, retry_after=3.0, times=10_000)
        signalled = time.monotonic()
        bot.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(bot.process.wait(), 30)
        took = time.monotonic() - signalled

    log = "\n".join(bot.stderr)
    assert took < GRACE, f"stopped after {took:.1f} s\n{log}"
    assert code == 0, log
    assert "Traceback" not in log
    db = tmp_path / "trivia.db"
    if resume_within == "0":
        assert _games_table(db) == (len(channels), 0)
    else:
        assert _games_table(db) == (0, len(channels))
        assert rows(db, "SELECT count(*) FROM game_journal WHERE state IS NULL") == [(0,)]
    # What could not be sent is dropped with a line that counts it.
    assert "still queued after" in log, log


@pytest.mark.slow
async def test_sigterm_while_another_process_holds_the_lock_suspends_the_games_in_time(
    fake: FakeDiscord, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    env = discord_env(cli_env, fake, tmp_path, TRIVIA_SECONDS="120")
    db = tmp_path / "trivia.db"

    async with trivia_bot_process("run", "discord", env=env) as bot:
        await bot.wait_for_log("connected to Discord as TriviaBot")
        channels = await _games_in_four_channels(fake, alice)
        holder = await asyncio.create_subprocess_exec(
            sys.executable, "-c", HOLD_LOCK, str(db), "30", stdout=asyncio.subprocess.PIPE
        )
        try:
            assert holder.stdout is not None
            assert await holder.stdout.readline() == b"locked\n"
            signalled = time.monotonic()
            bot.process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(bot.process.wait(), 30)
            took = time.monotonic() - signalled
        finally:
            holder.kill()
            await holder.wait()
        told = [
            any(GAME_SUSPENDED in m.text for m in fake.channel_messages(c, from_bot=True))
            for c in channels
        ]

    log = "\n".join(bot.stderr)
    assert took < GRACE, f"stopped after {took:.1f} s\n{log}"
    assert code == 1, log  # a game left unrecorded: worth a restart
    assert "Traceback" not in log
    assert told == [True] * len(channels)
    # Nothing announced that was not saved: the games wait in the journal for the next start.
    assert _games_table(db) == (0, len(channels))
    assert "could not be recorded in time" in log
