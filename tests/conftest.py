"""Fixtures every test folder shares."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.platforms.fake_discord import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord (REST and gateway) on 127.0.0.1, for the real discord.py client."""
    async with FakeDiscord() as server:
        yield server
