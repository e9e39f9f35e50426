"""The real bot taking OAuth installs from any number of workspaces of the fake Slack.

``installs_bot(tmp_path, slack)`` runs the adapter built from settings with
``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET`` (no bot token), the service and
SQLite, serving ``/slack/install``, ``/slack/oauth_redirect`` and
``/slack/events`` on loopback; the fake delivers Slack's requests there
(``slack.deliver``) and sends browsers back to the redirect URL.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.adapters.slack.adapter import SlackAdapter
from bot.app.compose import App, open_app
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.model import ChannelKey
from bot.ports import Clock
from tests.platforms.slack.bot_harness import SECRET, answer_to, bot_settings
from tests.platforms.slack.fake import (
    ApiCall,
    FakeSlack,
    FakeWorkspace,
    Message,
    add_to_slack,
    serve_app,
)


def installs_settings(tmp_path: Path, slack: FakeSlack, **overrides: Any) -> Settings:
    """The bot's settings for OAuth installs: the app's credentials, no token of its own."""
    return replace(
        bot_settings(tmp_path, slack),
        slack_bot_token=None,
        slack_app_token=None,
        slack_client_id=slack.oauth.client_id,
        slack_client_secret=slack.oauth.client_secret,
        slack_authorization_url=slack.authorize_url,
        **overrides,
    )


@dataclass
class InstallsBot:
    slack: FakeSlack
    adapter: SlackAdapter
    app: App
    base: str

    @property
    def install_url(self) -> str:
        return f"{self.base}/slack/install"

    async def install(self, *spaces: FakeWorkspace, org_wide: bool = False) -> None:
        """Each workspace's owner clicks "Add to Slack" and Allow."""
        for ws in spaces:
            visit = await add_to_slack(self.install_url, ws, org_wide=org_wide)
            assert visit.status == 200, visit.body

    async def question(self, ws: FakeWorkspace, number: int, *, after: int = 0) -> Message:
        """Question ``number`` of the game in ``ws``'s default channel, once posted."""

        def asked(call: ApiCall) -> bool:
            return call.team_id == ws.team_id and f"Question {number}/" in call["text"]

        call = await self.slack.wait_for_call("chat.postMessage", asked, after=after)
        found = ws.workspace.find_message(call["channel"], call.response["ts"])
        assert found is not None
        return found

    async def game_over(self, ws: FakeWorkspace) -> None:
        def over(call: ApiCall) -> bool:
            return call.team_id == ws.team_id and "Game over" in call["text"]

        await self.slack.wait_for_call("chat.postMessage", over)

    async def play(self, spaces: Sequence[FakeWorkspace], *, rounds: int = 2) -> None:
        """A text game in each workspace's default channel, every question answered
        right by its owner, to the end."""
        for ws in spaces:
            await self.slack.deliver(ws.slash_command("/trivia", "start colours"))
        for number in range(1, rounds + 1):
            for ws in spaces:
                card = await self.question(ws, number)
                await self.slack.deliver(ws.message_event(answer_to(card)))
        for ws in spaces:
            await self.game_over(ws)


def channel_of(ws: FakeWorkspace) -> ChannelKey:
    return ChannelKey("slack", ws.team_id, ws.default_channel)


@asynccontextmanager
async def installs_bot(
    tmp_path: Path,
    slack: FakeSlack,
    *,
    clock: Clock | None = None,
    settings: Settings | None = None,
    **adapter_options: Any,
) -> AsyncIterator[InstallsBot]:
    options: dict[str, Any] = {"post_interval": 0.0}
    options.update(adapter_options)
    config = settings or installs_settings(tmp_path, slack)
    adapter = SlackAdapter.from_settings(config, **options)
    async with (
        adapter,
        open_app(config, sink=adapter, clock=clock, rng=random.Random(7)) as app,
    ):
        assert adapter.oauth is not None
        async with (
            adapter.oauth.attached(app.backend, clock=SystemClock(), holder="installs-bot"),
            serve_app(adapter.web_app(), path="") as base,
        ):
            adapter.bind(app.service)
            slack.oauth.redirect_urls.append(f"{base}/slack/oauth_redirect")
            slack.spread_over(f"{base}/slack/events", signing_secret=SECRET)
            yield InstallsBot(slack, adapter, app, base)
