"""Fixtures every test folder shares."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.platforms.discord.fake import FakeDiscord
from tests.services import nats_server, postgres_schema

if os.environ.get("TRIVIA_EVENT_LOOP") == "uvloop":
    import uvloop

    def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> object:
        """TRIVIA_EVENT_LOOP=uvloop runs every async test on uvloop, as the bot would."""
        return {"uvloop": uvloop.new_event_loop}


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord (REST and gateway) on 127.0.0.1, for the real discord.py client."""
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """The environment for running the ``trivia-bot`` command in a subprocess, isolated from
    the user's files and settings: no ``TRIVIA_``, ``DISCORD_`` or ``SLACK_`` variable of the
    caller's, every place the bot reads or writes under ``tmp_path``, no colour, 120 columns.
    A test adds its own settings on top (``{**cli_env, "TRIVIA_ROUNDS": "4"}``)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TRIVIA_", "DISCORD_", "SLACK_"))
    }
    env.update(
        TRIVIA_CACHE_DIR=str(tmp_path / "cache"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_CACHE_HOME=str(tmp_path / "xcache"),
        NO_COLOR="1",
        COLUMNS="120",
        PYTHONUNBUFFERED="1",
        PYTHONIOENCODING="utf-8",
    )
    return env


@pytest.fixture
async def postgres_dsn() -> AsyncIterator[str]:
    """A PostgreSQL DSN whose schema is this test's own (``tests/services.py``)."""
    async with postgres_schema() as dsn:
        yield dsn


@pytest.fixture
async def nats_url() -> str:
    """The URL of a NATS server that answers (``tests/services.py``)."""
    return await nats_server()
