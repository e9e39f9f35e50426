"""The fake Discord's shards, proven against the real discord.py 2.7 ``AutoShardedClient``.

A bare sharded client (not the bot's adapter) connects one gateway session per shard; the
fake routes each guild's events to its shard and DMs to shard 0, refuses a client that gets
the sharding wrong, and logs every IDENTIFY against Discord's ``max_concurrency``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import discord
import pytest
from discord import app_commands

from tests.platforms.discord.fake import (
    FakeDiscord,
    FakeDiscordError,
    FakeGuild,
    point_discord_at,
    run_client,
)


class UnpacedClient(discord.AutoShardedClient):
    """A sharded client that IDENTIFYs every shard at once (discord.py's own hook waits 5 s
    between them): fast, and a way to break Discord's rate on purpose."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


def sharded_client(**options: Any) -> UnpacedClient:
    intents = discord.Intents.default()
    intents.message_content = True
    return UnpacedClient(intents=intents, guild_ready_timeout=0.05, **options)


def guild_per_shard(fake: FakeDiscord) -> list[FakeGuild]:
    """One guild on each shard of ``fake``, in shard order."""
    return [fake.add_guild(f"Shard {k} server", shard=k) for k in range(fake.shard_count)]


def collect(seen: list[discord.Message]) -> Callable[[discord.Message], Coroutine[Any, Any, None]]:
    async def on_message(message: discord.Message) -> None:
        seen.append(message)

    return on_message


# -- arranging --------------------------------------------------------------------------------


async def test_gateway_bot_recommends_the_shard_count_and_max_concurrency() -> None:
    async with FakeDiscord(shard_count=4, max_concurrency=2) as fake:
        client = sharded_client()
        async with run_client(fake, client):
            limits = await client.fetch_session_start_limits()
            count, url, _ = await client.http.get_bot_gateway()

    assert (count, url, limits.max_concurrency) == (4, fake.gateway_url, 2)
    assert client.shard_count == 4  # discord.py asked /gateway/bot: no count was given


async def test_a_guild_can_be_put_on_any_shard_and_no_other() -> None:
    async with FakeDiscord(shard_count=8) as fake:
        guilds = [fake.add_guild(f"g{k}", shard=k) for k in (5, 0, 7, 5)]
        with pytest.raises(FakeDiscordError, match="no shard 8"):
            fake.add_guild("nowhere", shard=8)

    assert [(g.id >> 22) % 8 for g in guilds] == [5, 0, 7, 5]
    assert [fake.shard_of(g.id) for g in guilds] == [5, 0, 7, 5]
    assert sorted(g.id for g in guilds) == [g.id for g in guilds]  # ids still increase


# -- READY and GUILD_CREATE per shard ---------------------------------------------------------


async def test_each_shard_is_ready_with_its_own_guilds_only() -> None:
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        guilds = guild_per_shard(fake)
        client = sharded_client()
        async with run_client(fake, client):
            identified = sorted(tuple(p["shard"]) for p in fake.identify_payloads)
            live = fake.live_shards()
            seen = {g.id: g.shard_id for g in client.guilds}

    assert identified == [(0, 4), (1, 4), (2, 4), (3, 4)]
    assert live == [0, 1, 2, 3]
    created = [d for d in fake.deliveries if d.event == "GUILD_CREATE"]
    # Each guild once, on its own shard's connection.
    assert sorted(d.guild_id or 0 for d in created) == sorted(g.id for g in fake.guilds)
    assert all(d.shard_id == fake.shard_of(d.guild_id or 0) for d in created)
    assert sorted(d.shard_id or 0 for d in fake.deliveries if d.event == "READY") == [0, 1, 2, 3]
    assert seen == {g.id: fake.shard_of(g.id) for g in fake.guilds}
    assert {seen[g.id] for g in guilds} == {0, 1, 2, 3}


async def test_a_client_running_some_shards_gets_only_their_guilds() -> None:
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        guilds = guild_per_shard(fake)
        client = sharded_client(shard_count=4, shard_ids=[1, 3])
        async with run_client(fake, client):
            seen = {g.id for g in client.guilds}
            live = fake.live_shards()

    assert live == [1, 3]
    assert seen == {g.id for g in fake.guilds if fake.shard_of(g.id) in (1, 3)}
    assert {guilds[1].id, guilds[3].id} <= seen
    assert not {guilds[0].id, guilds[2].id} & seen


# -- routing events ---------------------------------------------------------------------------


async def test_guild_events_go_to_their_shard_and_dms_to_shard_0() -> None:
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        guilds = guild_per_shard(fake)
        players = [fake.add_member(g.id, f"player{k}") for k, g in enumerate(guilds)]
        client = sharded_client()
        seen: list[discord.Message] = []
        client.event(collect(seen))
        async with run_client(fake, client):
            for guild, player in zip(guilds, players, strict=True):
                await fake.user_says(guild.text_channels[0].id, player, f"hello {guild.name}")
            await fake.user_says(fake.dm_channel(players[2]).id, players[2], "hello in private")
            await fake.wait_until(lambda: len(seen) == 5)

    said = [d for d in fake.deliveries if d.event == "MESSAGE_CREATE"]
    assert [(d.guild_id, d.shard_id) for d in said] == [
        *((g.id, k) for k, g in enumerate(guilds)),
        (None, 0),
    ]
    assert [m.content for m in seen if m.guild is None] == ["hello in private"]
    assert sorted(m.guild.shard_id for m in seen if m.guild is not None) == [0, 1, 2, 3]


async def test_an_interaction_goes_to_its_guilds_shard_only() -> None:
    async with FakeDiscord(shard_count=2, max_concurrency=2) as fake:
        on_one = fake.add_guild("Shard 1 server", shard=1)
        ada = fake.add_member(on_one.id, "ada")
        client = sharded_client()
        received: list[discord.Interaction] = []

        async def on_interaction(interaction: discord.Interaction) -> None:
            received.append(interaction)

        client.event(on_interaction)
        async with run_client(fake, client):
            await fake.slash_command(on_one.id, on_one.text_channels[0].id, ada, name="ping")
            await fake.wait_until(lambda: received)

    (delivery,) = [d for d in fake.deliveries if d.event == "INTERACTION_CREATE"]
    assert (delivery.guild_id, delivery.shard_id) == (on_one.id, 1)


# -- refusals ---------------------------------------------------------------------------------


async def test_an_unsharded_client_is_refused_with_4011_when_sharding_is_required() -> None:
    async with FakeDiscord(shard_count=2) as fake:
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        with pytest.raises(discord.ConnectionClosed) as closed:
            async with run_client(fake, client):
                pass

    assert closed.value.code == 4011
    assert fake.gateway.close_codes == [4011]


@pytest.mark.parametrize("count", [2, 8])
async def test_a_wrong_shard_count_is_refused_with_4010(count: int) -> None:
    async with FakeDiscord(shard_count=4, max_concurrency=8) as fake:
        client = sharded_client(shard_count=count, shard_ids=[0])
        with pytest.raises(discord.ConnectionClosed) as closed:
            async with run_client(fake, client):
                pass

    assert closed.value.code == 4010
    assert fake.gateway.close_codes == [4010]


# -- the IDENTIFY log -------------------------------------------------------------------------


@pytest.mark.parametrize(("max_concurrency", "violations"), [(1, 3), (2, 2), (4, 0)])
async def test_identifies_beyond_max_concurrency_are_logged_as_violations(
    max_concurrency: int, violations: int
) -> None:
    async with FakeDiscord(shard_count=4, max_concurrency=max_concurrency) as fake:
        client = sharded_client()  # all four IDENTIFY within a few milliseconds
        async with run_client(fake, client):
            pass

    log = fake.identify_log
    assert [(r.shard_id, r.shard_count) for r in log] == [(0, 4), (1, 4), (2, 4), (3, 4)]
    assert [r.key for r in log] == [k % max_concurrency for k in range(4)]
    assert len(fake.identify_violations) == violations
    # The fake only records: every shard still connected.
    assert fake.gateway.close_codes == []


async def test_identifies_a_window_apart_are_no_violation() -> None:
    async with FakeDiscord(identify_window=0.4) as fake:
        loop = asyncio.get_running_loop()
        async with run_client(fake, sharded_client()):
            pass
        first = fake.identify_log[0].time
        await fake.wait_until(lambda: loop.time() >= first + 0.4, what="the window to pass")
        async with run_client(fake, sharded_client()):
            pass
        async with run_client(fake, sharded_client()):  # at once: too soon
            pass

    assert [r.violation for r in fake.identify_log] == [False, False, True]


# -- command syncs ----------------------------------------------------------------------------


async def test_every_command_sync_is_counted() -> None:
    async with FakeDiscord(shard_count=2, max_concurrency=2) as fake:
        client = sharded_client()
        tree = app_commands.CommandTree(client)

        @tree.command(name="ping", description="Answers pong")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

        async with run_client(fake, client):
            await tree.sync()
            await tree.sync(guild=discord.Object(fake.guild.id))

    assert [s.guild_id for s in fake.command_syncs] == [None, fake.guild.id]
    assert [c["name"] for c in fake.commands()] == ["ping"]


async def test_requests_through_an_api_base_via_a_marker_are_recorded_with_it() -> None:
    async with FakeDiscord() as fake:
        client = sharded_client()
        with point_discord_at(fake):
            discord.http.Route.BASE = fake.api_base_via("process-2")
            await client.login(fake.token)
            try:
                channel = await client.fetch_channel(fake.channel.id)
                assert isinstance(channel, discord.TextChannel)
                posted = await channel.send("hello")
            finally:
                await client.close()

    [post] = fake.requests_matching("POST", rf"/channels/{fake.channel.id}/messages")
    assert (post.via, post.reply_id) == ("process-2", posted.id)
    assert {r.via for r in fake.requests} == {"process-2"}
    assert fake.message(posted.id).content == "hello"


async def test_a_post_with_an_enforced_nonce_already_used_gets_the_first_message_back() -> None:
    async with FakeDiscord() as fake:
        client = sharded_client()
        with point_discord_at(fake):
            await client.login(fake.token)
            try:
                channel = await client.fetch_channel(fake.channel.id)
                assert isinstance(channel, discord.TextChannel)
                first = await channel.send("Question 3/5", nonce="3:game")
                again = await channel.send("Question 3/5", nonce="3:game")
                other = await channel.send("Question 4/5", nonce="4:game")
            finally:
                await client.close()

    assert again.id == first.id != other.id
    assert [m.content for m in fake.channel_messages(fake.channel.id)] == [
        "Question 3/5",
        "Question 4/5",
    ]
