"""Running the Discord bot: the 3-second deadline with a slow database, the real command in a
subprocess (configured by environment variables only, stopped by SIGTERM), tokens and invites."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import pytest

import bot.app.compose
from bot.app.discord_main import run_discord
from bot.config import Settings
from bot.domain.model import PlayerKey
from bot.storage import open_store
from tests.platforms.discord.bot_harness import (
    discord_env,
    is_question,
    is_revealed,
    trivia_bot,
    trivia_bot_process,
    word_to_type,
)
from tests.platforms.discord.fake import FakeDiscord

CALLBACK = r"/interactions/\d+/[^/]+/callback"


class SlowStore:
    """The real store, with every call taking ``delay`` seconds longer (a database under load)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.delay = 0.0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if name == "close" or not asyncio.iscoroutinefunction(attribute):
            return attribute

        async def slow(*args: Any, **kwargs: Any) -> Any:
            if self.delay:
                await asyncio.sleep(self.delay)
            return await attribute(*args, **kwargs)

        return slow


async def test_an_interaction_is_answered_within_3_s_while_the_database_is_slow(
    fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    stores: list[SlowStore] = []

    async def open_slow_store(path: Path | str) -> SlowStore:
        stores.append(SlowStore(await open_store(path)))
        return stores[-1]

    monkeypatch.setattr(bot.app.compose, "open_store", open_slow_store)

    async with trivia_bot(fake, tmp_path):
        # Every store call takes 0.8 s more: starting a game (settings, own questions,
        # history, journal) then takes over 3 s, longer than Discord waits for a response.
        stores[0].delay = 0.8
        loop = asyncio.get_running_loop()
        began = loop.time()
        start = await fake.slash_command(
            fake.guild.id, fake.channel.id, alice, subcommand="start", options={"rounds": 1}
        )
        first = await start.response(timeout=3)
        answered_in = loop.time() - began
        announced = await start.response_message(timeout=10)
        took = loop.time() - began
        stores[0].delay = 0.0
        await fake.slash_command(fake.guild.id, fake.channel.id, alice, subcommand="stop")
        await fake.wait_for_message(fake.channel.id, lambda m: "Game stopped." in m.text)

    assert first["type"] == 5  # "thinking...", then filled in
    assert answered_in < 3.0
    assert took > 3.0  # without the deferral Discord would have dropped the interaction
    assert fake.requests_matching("POST", CALLBACK)[0].status == 200
    assert announced.text.startswith("Trivia!")
    assert not announced.ephemeral


async def test_trivia_bot_run_discord_plays_and_exits_0_on_sigterm_with_the_game_recorded(
    fake: FakeDiscord, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    """With TRIVIA_RESUME_WITHIN=0 a stop ends the games (test_restart: they go on)."""
    alice = fake.add_member(fake.guild.id, "alice")
    channel = fake.channel.id
    env = discord_env(
        cli_env,
        fake,
        tmp_path,
        TRIVIA_ROUNDS="2",
        TRIVIA_CATEGORY="words",
        TRIVIA_RESUME_WITHIN="0",
    )

    async with trivia_bot_process("run", "discord", env=env) as bot_process:
        await bot_process.wait_for_log("connected to Discord as TriviaBot")
        start = await fake.slash_command(fake.guild.id, channel, alice, subcommand="start")
        await start.response()
        q1 = await fake.wait_for_message(channel, is_question(1, 2))
        await fake.user_says(channel, alice, word_to_type(q1))
        await fake.wait_for_message(channel, is_revealed(q1))
        await fake.wait_for_message(channel, is_question(2, 2), after=q1)
        bot_process.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(bot_process.process.wait(), 15)
        ended = await fake.wait_for_message(channel, lambda m: "shutting down" in m.text)

    log = "\n".join(bot_process.stderr)
    assert code == 0, log
    assert "Alice" in ended.text
    assert "Traceback" not in log
    assert "WARNING" not in log
    store = await open_store(tmp_path / "trivia.db")
    try:
        stats = await store.player_stats(PlayerKey("discord", str(fake.guild.id), str(alice.id)))
    finally:
        await store.close()
    assert stats is not None
    assert (stats.games, stats.correct) == (1, 1)


async def test_trivia_bot_discord_invite_asks_discord_for_the_application_id(
    fake: FakeDiscord, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    env = discord_env(cli_env, fake, tmp_path)

    async with trivia_bot_process("discord", "invite", env=env) as bot_process:
        code = await asyncio.wait_for(bot_process.process.wait(), 15)

    assert code == 0, "\n".join(bot_process.stderr)
    assert bot_process.stdout == [
        f"https://discord.com/oauth2/authorize?client_id={fake.application_id}"
        "&scope=bot+applications.commands&permissions=19456"
    ]


async def test_run_discord_without_a_token_explains_and_exits_2(
    caplog: pytest.LogCaptureFixture,
) -> None:
    code = await run_discord(Settings(discord_token=None))

    assert code == 2
    assert "DISCORD_TOKEN is not set" in caplog.text


async def test_a_refused_token_explains_and_exits_2(
    fake: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        discord_token="not-the-token",
        discord_api_base=fake.api_base,
        discord_gateway_url=fake.gateway_url,
        db=tmp_path / "trivia.db",
    )

    code = await run_discord(settings)

    assert code == 2
    assert "Discord refused DISCORD_TOKEN" in caplog.text


async def test_sigterm_while_the_gateway_is_unreachable_still_exits_0(
    fake: FakeDiscord, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    env = discord_env(cli_env, fake, tmp_path, DISCORD_GATEWAY_URL="ws://127.0.0.1:9/gateway")

    async with trivia_bot_process("run", "discord", env=env) as bot_process:
        # The commands are synced before the gateway connection is tried.
        await fake.wait_for_request("PUT", r"/applications/\d+/guilds/\d+/commands", timeout=15)
        bot_process.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(bot_process.process.wait(), 15)

    assert code == 0, "\n".join(bot_process.stderr)
