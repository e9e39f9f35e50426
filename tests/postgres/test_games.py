"""A game on every platform with its scores in PostgreSQL, read back by another process.

Console: ``trivia-bot play`` in a subprocess.  Discord and Slack: the real bot against
the project's fakes, in this process.  Each time the leaderboard comes from a separate
``trivia-bot leaderboard`` process on the same database.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.model import ServerKey
from bot.domain.records import Period
from tests.e2e.conftest import BANKS, run_cli
from tests.e2e.test_console_play import play_along
from tests.platforms.discord.bot_harness import (
    reply_to,
    start_one_question,
    trivia_bot,
    word_to_type,
)
from tests.platforms.discord.fake import FakeDiscord
from tests.platforms.slack.bot_harness import ALICE, TEAM, answer_to, running_bot

pytestmark = pytest.mark.slow


async def test_a_console_game_saves_its_points_where_the_leaderboard_and_stats_find_them(
    pg_env: dict[str, str],
) -> None:
    args = ["--bank", str(BANKS / "tiny.yaml"), "--player", "Tess", "--pause", "0", "--rounds", "2"]

    output, code = await play_along(args, pg_env)
    board = run_cli("leaderboard", env=pg_env)
    stats = run_cli("stats", "tess", env=pg_env)

    assert code == 0, output
    assert output.count("Correct!") == 2
    final = re.search(r"│\s*1\s*│\s*Tess\s*│\s*(\d+)\s*│\s*2\s*│", output)
    assert final, output
    assert board.returncode == 0, board.stderr
    assert re.search(rf"Tess\s*│\s*{final[1]}\s*│\s*2", board.stdout), board.stdout
    assert stats.returncode == 0, stats.stderr
    assert re.search(r"Games\s*│\s*1", stats.stdout), stats.stdout
    assert re.search(r"Accuracy\s*│\s*100% of 2 answered", stats.stdout), stats.stdout


async def test_a_discord_game_saves_its_points_where_the_leaderboard_finds_them(
    fake: FakeDiscord, tmp_path: Path, postgres_dsn: str, pg_env: dict[str, str]
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    bob = fake.add_member(fake.guild.id, "bob")
    server = ServerKey("discord", str(fake.guild.id))

    async with trivia_bot(fake, tmp_path, db=postgres_dsn) as bot:
        question = await start_one_question(fake, alice)
        await fake.user_says(fake.channel.id, alice, word_to_type(question))
        await fake.wait_for_message(fake.channel.id, lambda m: "Game over!" in m.text)
        shown = await reply_to(fake, bob, "leaderboard")
        stored = await bot.app.store.leaderboard(server, Period.ALL, now=datetime.now(UTC))
    board = run_cli("leaderboard", "--server", f"discord:{fake.guild.id}", env=pg_env)

    assert [(row.name, row.correct) for row in stored] == [("Alice", 1)]
    points = stored[0].points
    assert points > 0
    assert f"1. **Alice**: {points}" in shown.text, shown.text
    assert board.returncode == 0, board.stderr
    assert re.search(rf"Alice\s*│\s*{points}\s*│\s*1", board.stdout), board.stdout


async def test_a_slack_game_saves_its_points_where_the_leaderboard_finds_them(
    tmp_path: Path, postgres_dsn: str, pg_env: dict[str, str]
) -> None:
    server = ServerKey("slack", TEAM)

    on_postgres = lambda s: replace(s, db=postgres_dsn, rounds=1)  # noqa: E731
    async with running_bot(tmp_path, settings=on_postgres) as bot:
        slack = bot.slack
        await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        question = await bot.question(1)
        await bot.send(slack.message_event(answer_to(question), user=ALICE))
        await slack.wait_for_call("chat.postMessage", lambda c: "Game over" in c["text"])
        mark = bot.mark()
        await bot.send(slack.slash_command("/trivia", "leaderboard", user=ALICE))
        shown = await slack.wait_for_call("chat.postEphemeral", after=mark)
        stored = await bot.app.store.leaderboard(server, Period.ALL, now=datetime.now(UTC))
    board = run_cli("leaderboard", "--server", f"slack:{TEAM}", env=pg_env)

    assert [(row.player.user, row.correct) for row in stored] == [(ALICE, 1)]
    points = stored[0].points
    assert points > 0
    assert shown["text"].splitlines()[1].startswith(f"🥇 *alice*: {points}"), shown["text"]
    assert board.returncode == 0, board.stderr
    assert re.search(rf"alice\s*│\s*{points}\s*│\s*1", board.stdout), board.stdout
