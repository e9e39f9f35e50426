"""The bot on several shards: the real discord.py ``AutoShardedClient`` of the adapter, with
the app behind it, against a fake Discord serving four shards with servers on every one.

IDENTIFY turns run on a short window (``WINDOW``, the fake's too) instead of Discord's 5 s,
so a four-shard start takes a second at most.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord.message import Reply
from bot.app.discord_main import RunningBot, connected_bot, run_discord
from bot.domain.model import ChannelKey
from bot.observability.logs import setup_logging
from bot.observability.shards import ShardPhase
from tests.helpers import free_port
from tests.observability.scrape import Scraped, get
from tests.platforms.discord.bot_harness import bot_settings, is_question, word_to_type
from tests.platforms.discord.fake import FakeDiscord, FakeGuild, FakeUser

#: The IDENTIFY window of these tests, for the bot's pacer and the fake's log alike.
WINDOW = 0.3
POSTS = r"/channels/\d+/messages"


@asynccontextmanager
async def sharded_bot(
    fake: FakeDiscord, tmp_path: Path, **changes: Any
) -> AsyncIterator[RunningBot]:
    """The whole bot (app, SQLite, the adapter) against ``fake``, commands synced globally."""
    settings = bot_settings(fake, tmp_path, discord_guild=None, **changes)
    async with connected_bot(settings, guild_ready_timeout=0.05, identify_window=WINDOW) as bot:
        yield bot


def servers_on_every_shard(fake: FakeDiscord) -> list[tuple[FakeGuild, FakeUser]]:
    """A server on each shard, in shard order, each with a player."""
    guilds = [fake.add_guild(f"Shard {k} server", shard=k) for k in range(fake.shard_count)]
    return [(g, fake.add_member(g.id, f"player{k}")) for k, g in enumerate(guilds)]


def carried_by(fake: FakeDiscord, guild_id: int | None) -> set[int | None]:
    """The shards whose connections carried the users' events of ``guild_id`` (None: DMs)."""
    kinds = ("MESSAGE_CREATE", "INTERACTION_CREATE")
    return {d.shard_id for d in fake.deliveries if d.event in kinds and d.guild_id == guild_id}


async def play_one_question(fake: FakeDiscord, guild: FakeGuild, player: FakeUser) -> str:
    """``player`` starts a one-question game in ``guild`` and answers it; the final message."""
    channel = guild.text_channels[0].id
    start = await fake.slash_command(
        guild.id, channel, player, subcommand="start", options={"category": "words", "rounds": 1}
    )
    await start.response()
    question = await fake.wait_for_message(channel, is_question(1, 1))
    await fake.user_says(channel, player, word_to_type(question))
    over = await fake.wait_for_message(channel, lambda m: "Game over!" in m.text)
    return over.text


# -- events on their shards -------------------------------------------------------------------


async def test_each_servers_events_arrive_on_its_shard_and_a_game_plays_on_shard_3(
    tmp_path: Path,
) -> None:
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        servers = servers_on_every_shard(fake)
        async with sharded_bot(fake, tmp_path) as bot:
            for guild, player in servers:
                await fake.user_says(guild.text_channels[0].id, player, "anyone up for trivia?")
            shard_3, player_3 = servers[3]
            final = await play_one_question(fake, shard_3, player_3)
            adapter = bot.adapter
            known = (adapter.shard_count, adapter.shard_ids)
            shard_of = {guild.id: adapter.shard_of(guild.id) for guild, _ in servers}

    assert "Player3" in final
    assert known == (4, (0, 1, 2, 3))  # the count Discord recommends, all in this process
    assert shard_of == {guild.id: k for k, (guild, _) in enumerate(servers)}
    for k, (guild, _) in enumerate(servers):
        assert carried_by(fake, guild.id) == {k}
    # The game's slash command, answer and the bot's own echoes: all on shard 3.
    game = [d for d in fake.deliveries if d.guild_id == shard_3.id]
    assert {d.event for d in game} >= {"INTERACTION_CREATE", "MESSAGE_CREATE", "MESSAGE_UPDATE"}
    assert {d.shard_id for d in game} == {3}
    assert len(fake.command_syncs) == 1  # one process: the tree is synced once


async def test_a_dm_command_reaches_the_bot_on_shard_0(tmp_path: Path) -> None:
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        servers = servers_on_every_shard(fake)
        _, player = servers[2]
        async with sharded_bot(fake, tmp_path):
            asked = await fake.slash_command(
                None, fake.dm_channel(player).id, player, subcommand="stats"
            )
            answer = await asked.response_message()

    assert "Scores are kept per server" in answer.text  # answered: shard 0 heard it
    assert carried_by(fake, None) == {0}


async def test_a_process_running_shards_1_and_3_of_4_gets_only_their_servers(
    tmp_path: Path,
) -> None:
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        servers = servers_on_every_shard(fake)
        async with sharded_bot(fake, tmp_path, discord_shard_count=4, discord_shards=(1, 3)) as bot:
            served = {g.id for g in bot.client.guilds}
            for guild, player in servers:
                await fake.user_says(guild.text_channels[0].id, player, "hello")
            final = await play_one_question(fake, *servers[1])
            live = fake.live_shards()
            states = bot.adapter.shard_states()

    assert live == [1, 3]
    assert served == {g.id for g in fake.guilds if fake.shard_of(g.id) in (1, 3)}
    assert [(s.id, s.phase) for s in states] == [
        (1, ShardPhase.CONNECTED),
        (3, ShardPhase.CONNECTED),
    ]
    assert "Player1" in final
    # No connection of this process serves shards 0 and 2: their events reach nobody here.
    assert carried_by(fake, servers[0][0].id) == set()
    assert carried_by(fake, servers[2][0].id) == set()
    assert carried_by(fake, servers[3][0].id) == {3}
    assert sorted(r.shard_id for r in fake.identify_log) == [1, 3]


# -- IDENTIFY pacing --------------------------------------------------------------------------


@pytest.mark.parametrize("max_concurrency", [1, 2])
async def test_the_shards_identify_in_turn_without_breaking_max_concurrency(
    tmp_path: Path, max_concurrency: int
) -> None:
    async with FakeDiscord(
        shard_count=4, max_concurrency=max_concurrency, identify_window=WINDOW
    ) as fake:
        servers_on_every_shard(fake)
        async with sharded_bot(fake, tmp_path) as bot:
            max_concurrency_seen = bot.client.max_concurrency

    log = fake.identify_log
    assert max_concurrency_seen == max_concurrency
    assert [r.shard_id for r in log] == [0, 1, 2, 3]
    assert fake.identify_violations == []
    times = [r.time for r in log]
    if max_concurrency == 2:
        # Two buckets: shards 0 and 1 start together, 2 and 3 a window later.
        assert times[1] - times[0] < WINDOW
        assert times[2] - times[0] >= WINDOW
    else:
        assert all(b - a >= WINDOW for a, b in itertools.pairwise(times))


# -- health, metrics and logs per shard -------------------------------------------------------


async def test_healthz_and_metrics_show_every_shard(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        servers = servers_on_every_shard(fake)
        async with sharded_bot(fake, tmp_path, http_port=port) as bot:
            for guild, player in servers[1:]:
                await fake.user_says(guild.text_channels[0].id, player, "hello")
            await fake.wait_until(lambda: len(carried_by(fake, servers[3][0].id)) == 1)
            health = await get(url + "/healthz")
            metrics = Scraped.parse((await get(url + "/metrics")).body)
        closed = bot.adapter.shard_states()

    body = health.json()
    assert (health.status, body["status"], body["platform"]) == (200, "ok", "connected")
    assert sorted(body["shards"]) == ["0", "1", "2", "3"]
    for shard in body["shards"].values():
        assert shard["state"] == "connected"
        assert shard["latency_ms"] is None or shard["latency_ms"] >= 0
    for k in range(4):
        labels = {"platform": "discord", "shard": str(k)}
        assert metrics.value("trivia_gateway_connected", **labels) == 1
    events = [
        metrics.value("trivia_gateway_events_received_total", platform="discord", shard=str(k))
        for k in range(4)
    ]
    assert events == [None, 1, 1, 1]
    assert {s.phase for s in closed} == {ShardPhase.CLOSED}


@contextmanager
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    buffer = io.StringIO()
    setup_logging("INFO", "json", stream=buffer)
    try:
        yield buffer
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)


async def test_log_lines_about_a_server_name_its_shard(tmp_path: Path) -> None:
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        servers = servers_on_every_shard(fake)
        with json_logs() as buffer:
            async with sharded_bot(fake, tmp_path):
                await play_one_question(fake, *servers[3])
                await play_one_question(fake, *servers[2])

    entries = [json.loads(line) for line in buffer.getvalue().splitlines()]
    started = [e for e in entries if " started in " in e["message"]]
    assert [(e["server"], e["shard"]) for e in started] == [
        (str(servers[3][0].id), 3),
        (str(servers[2][0].id), 2),
    ]
    ready = sorted(e["shard"] for e in entries if "ready with" in e["message"])
    assert ready == [0, 1, 2, 3]


# -- the REST budget --------------------------------------------------------------------------


async def test_channel_posts_keep_to_the_rest_share_while_interactions_do_not_wait(
    tmp_path: Path,
) -> None:
    async with FakeDiscord() as fake:
        alice = fake.add_member(fake.guild.id, "alice")
        channel = ChannelKey("discord", str(fake.guild.id), str(fake.channel.id))
        async with sharded_bot(fake, tmp_path, discord_rest_share=4) as bot:
            sender = bot.client.sender
            loop = asyncio.get_running_loop()
            began = loop.time()
            posts = [
                asyncio.create_task(sender.post(channel, Reply(content=f"notice {i}")))
                for i in range(6)
            ]
            await fake.wait_until(lambda: len(fake.requests_matching("POST", POSTS)) == 4)
            # The share is spent for this second; an interaction's answer is not part of it.
            asked = await fake.slash_command(
                fake.guild.id, fake.channel.id, alice, subcommand="leaderboard"
            )
            await asked.response_message()
            answered_after = loop.time() - began
            await asyncio.wait_for(asyncio.gather(*posts), 3)

    sent = [r.time for r in fake.requests_matching("POST", POSTS)]
    assert len(sent) == 6
    assert sent[3] - sent[0] < 0.5  # a burst of the whole share at once
    assert sent[4] - sent[0] >= 0.95  # the fifth waited for the first to leave the second
    assert answered_after < 0.9
    # Measured where Discord counts (arrivals, give or take loopback jitter): never more
    # than the share within a second.
    for t in sent:
        assert sum(1 for u in sent if t <= u < t + 0.95) <= 4


async def test_a_failing_gateway_bot_request_stops_the_bot_with_1_saying_so(
    fake: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.fail_next("GET", r"/gateway/bot", status=403, code=40001, message="Unauthorized")

    code = await asyncio.wait_for(run_discord(bot_settings(fake, tmp_path)), 15)

    assert code == 1  # worth a restart: Discord's answer, not the configuration
    said = capsys.readouterr().err
    assert "Cannot ask Discord how to connect (GET /gateway/bot" in said
    assert "Traceback" not in said
    assert fake.gateway.urls == []  # the gateway was not tried
