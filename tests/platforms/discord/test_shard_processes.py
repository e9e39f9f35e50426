"""Shards split over processes: the real ``trivia-bot run discord`` in subprocesses, configured
by environment variables only, against one fake Discord serving four shards."""

from __future__ import annotations

import asyncio
import signal
from contextlib import AsyncExitStack
from pathlib import Path

from tests.platforms.discord.bot_harness import (
    BotProcess,
    discord_env,
    is_question,
    trivia_bot_process,
    word_to_type,
)
from tests.platforms.discord.fake import FakeDiscord


async def test_two_processes_each_serve_their_own_shards(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        servers = [fake.add_guild(f"Shard {k} server", shard=k) for k in range(4)]
        players = [fake.add_member(g.id, f"player{k}") for k, g in enumerate(servers)]
        processes: list[BotProcess] = []
        async with AsyncExitStack() as stack:
            for shards in ("0-1", "2-3"):
                home = tmp_path / shards
                home.mkdir()
                env = discord_env(
                    cli_env,
                    fake,
                    home,
                    TRIVIA_DISCORD_GUILD="",
                    TRIVIA_DISCORD_SHARD_COUNT="4",
                    TRIVIA_DISCORD_SHARDS=shards,
                    TRIVIA_CATEGORY="words",
                )
                process = await stack.enter_async_context(
                    trivia_bot_process("run", "discord", env=env)
                )
                processes.append(process)
            for process in processes:
                await process.wait_for_log("connected to Discord as TriviaBot")
            for k in (1, 3):  # a game on each process
                channel = servers[k].text_channels[0].id
                start = await fake.slash_command(
                    servers[k].id, channel, players[k], subcommand="start", options={"rounds": 1}
                )
                await start.response()
                question = await fake.wait_for_message(channel, is_question(1, 1))
                await fake.user_says(channel, players[k], word_to_type(question))
            for k in (1, 3):
                channel = servers[k].text_channels[0].id
                await fake.wait_for_message(channel, lambda m: "Game over!" in m.text, timeout=10)
            live = fake.live_shards()
            for process in processes:
                process.process.send_signal(signal.SIGTERM)
            codes = [await asyncio.wait_for(p.process.wait(), 15) for p in processes]

    logs = ["\n".join(p.stderr) for p in processes]
    assert codes == [0, 0], logs
    assert live == [0, 1, 2, 3]
    assert "on shards 0-1 of 4" in logs[0]
    assert "on shards 2-3 of 4" in logs[1]
    assert sorted(r.shard_id for r in fake.identify_log) == [0, 1, 2, 3]
    assert fake.identify_violations == []  # four buckets: one IDENTIFY in each
    for k, server in enumerate(servers):
        carried = {d.shard_id for d in fake.deliveries if d.guild_id == server.id}
        assert carried == {k}
    assert all("Traceback" not in log for log in logs)


async def test_a_shard_list_without_a_count_stops_the_bot_with_2_and_an_example(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    env = {**cli_env, "DISCORD_TOKEN": "unused", "TRIVIA_DISCORD_SHARDS": "0-3"}

    async with trivia_bot_process("run", "discord", env=env) as bot_process:
        code = await asyncio.wait_for(bot_process.process.wait(), 15)

    log = "\n".join(bot_process.stderr)
    assert code == 2, log
    assert "discord_shards = '0-3' needs the shard count too" in log
    assert "TRIVIA_DISCORD_SHARD_COUNT" in log
