"""Every renderer has words for every way a game can end."""

from __future__ import annotations

import pytest

from bot.adapters.console import render as render_console
from bot.adapters.discord import render as render_discord
from bot.adapters.slack import render as render_slack
from bot.domain.events import EndReason


@pytest.mark.parametrize("module", [render_console, render_discord, render_slack])
def test_every_end_reason_has_a_title(module: object) -> None:
    titles = module.END_TITLES  # type: ignore[attr-defined]
    assert set(titles) == set(EndReason)
