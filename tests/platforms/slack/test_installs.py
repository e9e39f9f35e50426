"""The app installed in any number of workspaces through Slack's OAuth flow (issue #15).

The whole bot (adapter built from settings with the app's client id and secret,
service, SQLite) takes installs at ``/slack/install``; the fake Slack's browser
clicks "Add to Slack" in each workspace and the fake records which token every
Web API call used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.model import PlayerKey
from tests.platforms.slack.fake import FakeSlack, FakeWorkspace
from tests.platforms.slack.installs_harness import installs_bot

# slack_sdk 3.48 sends oauth.v2.access's client credentials with aiohttp.BasicAuth, which
# aiohttp 3.14 deprecates; filterwarnings=error would turn bolt's code exchange into a 500.
pytestmark = pytest.mark.filterwarnings(
    "ignore:BasicAuth is deprecated:DeprecationWarning:slack_sdk"
)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def own_tokens_only(ws: FakeWorkspace) -> None:
    """Every call made in ``ws`` used a token of ``ws``'s installation, none revoked."""
    own = {t.value for t in ws.tokens}
    used = [(c.method, c.token, c.token_state) for c in ws.calls if c.token is not None]
    assert used, f"no call in {ws.team_id}"
    assert all(token in own for _, token, _ in used), used
    assert all(state == "valid" for *_, state in used), used


async def test_three_workspaces_install_and_each_plays_a_game_with_its_own_token(
    slack: FakeSlack, tmp_path: Path
) -> None:
    spaces = [slack.add_workspace(name) for name in ("Alpha", "Beta", "Gamma")]
    async with installs_bot(tmp_path, slack) as bot:
        await bot.install(*spaces)
        await bot.play(spaces)
        wins = [
            await bot.app.store.player_stats(PlayerKey("slack", ws.team_id, ws.default_user))
            for ws in spaces
        ]

    assert len({ws.bot_token for ws in spaces}) == 3
    for ws in spaces:
        own_tokens_only(ws)
        assert ws.transcript()[-1].startswith("triviabot: *🏁 Game over!*")
    assert [(w.correct if w else None) for w in wins] == [2, 2, 2]
    # bolt's install asks who the bot is once; requests take it from their installation.
    assert [c.team_id for c in slack.calls_to("auth.test")] == [ws.team_id for ws in spaces]
    assert {d.reply.status for d in slack.deliveries} == {200}
