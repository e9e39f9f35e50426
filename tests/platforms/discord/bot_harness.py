"""Run the real trivia bot (``connected_bot``: app, SQLite, discord.py) against a FakeDiscord.

    async with FakeDiscord() as fake, trivia_bot(fake, tmp_path) as bot:
        start = await fake.slash_command(guild, channel, alice, subcommand="start")

The bank's prompts say what to answer ("Type the word blue", "Pick Mars"), so a test plays
along by reading the question (``word_to_type``, ``option_to_pick``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.app.discord_main import RunningBot, connected_bot
from bot.clock import SystemClock
from bot.config import Settings
from bot.ports import Clock
from tests.platforms.discord.fake import FakeDiscord, FakeMessage, FakeUser

BANK = """\
id: discord-tests
title: Discord adapter tests
questions:
  - id: type-blue
    prompt: "Type the word blue"
    answers: [blue]
    category: words
    explanation: Blue is a colour.
  - id: type-green
    prompt: "Type the word green"
    answers: [green]
    category: words
  - id: type-orange
    prompt: "Type the word orange"
    answers: [orange]
    category: words
  - id: pick-mars
    prompt: "Pick Mars"
    type: choice
    choices: [Venus, Mars, Jupiter]
    answers: [Mars]
    category: planets
  - id: pick-venus
    prompt: "Pick Venus"
    type: choice
    choices: [Venus, Mars, Jupiter]
    answers: [Venus]
    category: planets
"""

_TYPE = re.compile(r"Type the word (\w+)")
_PICK = re.compile(r"Pick (\w+)")


def write_bank(directory: Path) -> Path:
    path = directory / "bank.yaml"
    path.write_text(BANK, encoding="utf-8")
    return path


def bot_settings(fake: FakeDiscord, directory: Path, **changes: Any) -> Settings:
    settings = Settings(
        db=directory / "trivia.db",
        questions=(write_bank(directory),),
        cache_dir=directory / "cache",
        pause=0.0,
        discord_token=fake.token,
        discord_api_base=fake.api_base,
        discord_gateway_url=fake.gateway_url,
        discord_guild=str(fake.guild.id),
    )
    return replace(settings, **changes)


class FastClock(SystemClock):
    """Real time, ``speed`` times faster for deadlines: a 5 s question lasts 5/speed s.

    The wall clock is left alone (it is what gets recorded), so a countdown shows the
    question's nominal length.
    """

    def __init__(self, speed: float) -> None:
        self._speed = speed
        self._origin = time.monotonic()

    def monotonic(self) -> float:
        return self._origin + (time.monotonic() - self._origin) * self._speed

    async def sleep_until(self, deadline: float) -> None:
        # Until the deadline has passed, as the port says: a loop may wake a sleeper early
        # (uvloop by up to a millisecond), which this clock makes ``speed`` times longer.
        while (delay := deadline - self.monotonic()) > 0:  # noqa: ASYNC110 (not polling)
            await asyncio.sleep(delay / self._speed)


@asynccontextmanager
async def trivia_bot(
    fake: FakeDiscord,
    directory: Path,
    *,
    speed: float = 1.0,
    clock: Clock | None = None,
    **changes: Any,
) -> AsyncIterator[RunningBot]:
    """The bot on real time (``speed`` times faster for deadlines), or on ``clock`` (a
    ``ManualClock`` the test moves: schedules across days)."""
    settings = bot_settings(fake, directory, **changes)
    if clock is None and speed != 1.0:
        clock = FastClock(speed)
    async with connected_bot(settings, guild_ready_timeout=0.05, clock=clock) as bot:
        yield bot


async def start_one_question(fake: FakeDiscord, starter: FakeUser) -> FakeMessage:
    """``/trivia start`` a one-question game of the "words" bank in the fake's
    channel, and return the question once it is posted."""
    await fake.slash_command(
        fake.guild.id,
        fake.channel.id,
        starter,
        subcommand="start",
        options={"category": "words", "rounds": 1},
    )
    return await fake.wait_for_message(fake.channel.id, is_question(1, 1))


def word_to_type(question: FakeMessage) -> str:
    found = _TYPE.search(question.text)
    assert found, f"not a typing question: {question.text!r}"
    return found[1]


def option_to_pick(question: FakeMessage) -> str:
    """The custom_id of the right option button."""
    found = _PICK.search(question.text)
    assert found, f"not a picking question: {question.text!r}"
    for button in question.buttons:
        if button["label"].endswith(f". {found[1]}"):
            return str(button["custom_id"])
    raise AssertionError(f"no button for {found[1]} on {question.buttons}")


def is_question(number: int, total: int) -> Any:
    return lambda m: f"Question {number}/{total}" in m.text and "Time's up <t:" in m.text


def is_revealed(message: FakeMessage) -> Any:
    return lambda m: m.id == message.id and "The answer:" in m.text


async def reply_to(
    fake: FakeDiscord,
    user: FakeUser,
    subcommand: str,
    options: dict[str, Any] | None = None,
    *,
    guild_id: int | None = None,
    channel_id: int | None = None,
    timeout: float = 5.0,  # noqa: ASYNC109 - a test's deadline
) -> FakeMessage:
    """``user`` runs ``/trivia <subcommand>`` (in the fake's channel unless told
    otherwise); the bot's answer once it is filled in."""
    asked = await fake.slash_command(
        guild_id or fake.guild.id,
        channel_id or fake.channel.id,
        user,
        subcommand=subcommand,
        options=options,
    )
    return await asked.response_message(timeout=timeout)


async def add_by_form(
    fake: FakeDiscord,
    admin: FakeUser,
    fields: dict[str, str],
    *,
    guild_id: int | None = None,
    channel_id: int | None = None,
) -> FakeMessage:
    """``admin`` fills in the ``/trivia add`` form; the bot's answer."""
    opened = await fake.slash_command(
        guild_id or fake.guild.id, channel_id or fake.channel.id, admin, subcommand="add"
    )
    await opened.response()
    sent = await fake.submit_modal(opened, fields)
    return await sent.response_message()


async def choices_for(
    fake: FakeDiscord, user: FakeUser, subcommand: str, focused: str, options: dict[str, Any]
) -> list[dict[str, Any]]:
    """``user`` types option ``focused`` of ``/trivia <subcommand>`` in the fake's
    channel; the choices the bot offers."""
    typing = await fake.autocomplete(
        fake.guild.id,
        fake.channel.id,
        user,
        subcommand=subcommand,
        focused=focused,
        options=options,
    )
    await typing.response()
    return list(typing.choices or [])


async def edit_by_form(
    fake: FakeDiscord, admin: FakeUser, question_id: str, fields: dict[str, str]
) -> FakeMessage:
    """``admin`` opens ``/trivia edit`` on ``question_id`` and sends the form with
    ``fields`` changed (the rest as filled in); the bot's answer."""
    opened = await fake.slash_command(
        fake.guild.id,
        fake.channel.id,
        admin,
        subcommand="edit",
        options={"question_id": question_id},
    )
    await opened.response()
    sent = await fake.submit_modal(opened, fields)
    return await sent.response_message()


# -- the real command in a subprocess ----------------------------------------------------------


def discord_env(
    cli_env: dict[str, str], fake: FakeDiscord, tmp_path: Path, **extra: str
) -> dict[str, str]:
    """The whole configuration, from environment variables only."""
    env = dict(cli_env)
    env.update(
        DISCORD_TOKEN=fake.token,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        TRIVIA_DISCORD_GUILD=str(fake.guild.id),
        TRIVIA_DB=str(tmp_path / "trivia.db"),
        TRIVIA_QUESTIONS=str(write_bank(tmp_path)),
        TRIVIA_PAUSE="0",
        TRIVIA_LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


@dataclass
class BotProcess:
    """``python -m bot ...`` running; ``stdout`` and ``stderr`` fill in line by line."""

    process: asyncio.subprocess.Process
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    _seen: asyncio.Event = field(default_factory=asyncio.Event)

    async def read(self, stream: asyncio.StreamReader | None, into: list[str]) -> None:
        assert stream is not None
        async for raw in stream:
            into.append(raw.decode(errors="replace").rstrip())
            self._seen.set()

    async def wait_for_log(self, text: str) -> None:
        async with asyncio.timeout(15):
            while not any(text in line for line in self.stderr):
                self._seen.clear()
                await self._seen.wait()


@contextlib.asynccontextmanager
async def trivia_bot_process(*args: str, env: dict[str, str]) -> AsyncIterator[BotProcess]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    running = BotProcess(process)
    readers = [
        asyncio.create_task(running.read(process.stdout, running.stdout)),
        asyncio.create_task(running.read(process.stderr, running.stderr)),
    ]
    try:
        yield running
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
        await asyncio.gather(*readers)
