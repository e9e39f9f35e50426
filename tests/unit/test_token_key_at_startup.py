"""A stored Slack token the configured key cannot open stops the start with exit 2 and the
key error's words (which setting, what to do), before anything connects."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from rich.console import Console

from bot.adapters.console.adapter import ConsoleAdapter
from bot.adapters.console.inbound import console_actor
from bot.app.compose import App
from bot.app.lifecycle import run_until_stopped
from bot.app.shutdown import ShutdownBudget
from bot.config import Settings
from bot.slack_tokens import TokenKeyError


async def test_a_key_that_cannot_open_the_stored_tokens_exits_2_saying_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    @asynccontextmanager
    async def claim(app: App, budget: ShutdownBudget | None) -> AsyncIterator[None]:
        raise TokenKeyError("Cannot decrypt the Slack tokens stored for workspace T0BETA ...")
        yield

    adapter = ConsoleAdapter(
        actor=console_actor("ada"), console=Console(file=io.StringIO()), stdin=io.StringIO()
    )
    settings = Settings(db=tmp_path / "trivia.db", cache_dir=None)

    code = await run_until_stopped(settings, adapter, claim=claim)

    assert code == 2
    assert "Cannot decrypt the Slack tokens stored for workspace T0BETA" in capsys.readouterr().err
