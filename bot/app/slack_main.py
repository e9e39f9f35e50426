"""``trivia-bot run slack``: Socket Mode by default, the Events API over HTTP with ``--http``.

Before the lifecycle (``bot.app.lifecycle``) opens anything, the settings and
the bot token are checked: missing or malformed tokens, and a token Slack
refuses, exit with 2 and say where to find the right one.  In HTTP mode
``/healthz`` and ``/metrics`` are served on the Slack server itself, next to
``/slack/events``; on ``TRIVIA_HTTP_PORT`` too when it is set to another port
(the only place in Socket Mode).
"""

from __future__ import annotations

import logging

from bot.adapters.adapter import PlatformRefused, PlatformUnreachable
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.api import check_token
from bot.adapters.slack.ids import PLATFORM
from bot.adapters.slack.transports import EventsApi, SocketMode, Transport
from bot.app.lifecycle import run_until_stopped, tell
from bot.config import Settings
from bot.observability.logs import log_context
from bot.observability.metrics import Metrics

log = logging.getLogger(__name__)

APPS_PAGE = "https://api.slack.com/apps"
WHERE = {
    "SLACK_BOT_TOKEN": "your app's OAuth & Permissions page: Bot User OAuth Token, xoxb-…",
    "SLACK_APP_TOKEN": (
        "your app's Basic Information page: App-Level Tokens, one with the "
        "connections:write scope, xapp-…"
    ),
    "SLACK_SIGNING_SECRET": "your app's Basic Information page: App Credentials, Signing Secret",
}
PREFIXES = {"SLACK_BOT_TOKEN": "xoxb-", "SLACK_APP_TOKEN": "xapp-"}


def missing_settings(settings: Settings, *, http: bool) -> list[str]:
    """What stops the bot from starting, one line per variable, saying where to get it."""
    wanted = {"SLACK_BOT_TOKEN": settings.slack_bot_token}
    if http:
        wanted["SLACK_SIGNING_SECRET"] = settings.slack_signing_secret
    else:
        wanted["SLACK_APP_TOKEN"] = settings.slack_app_token
    problems = []
    for variable, value in wanted.items():
        prefix = PREFIXES.get(variable)
        if not value:
            problems.append(f"{variable} is not set: find it on {WHERE[variable]}.")
        elif prefix and not value.startswith(prefix):
            problems.append(
                f"{variable} should start with {prefix!r}: copy it from {WHERE[variable]}."
            )
    return problems


async def run_slack(settings: Settings, *, http: bool, host: str, port: int) -> int:
    """Serve Slack until SIGINT/SIGTERM; 0 on a clean stop, 1 bad bank, 2 bad setup."""
    with log_context(PLATFORM):
        problems = missing_settings(settings, http=http)
        if problems:
            tell(
                "Slack is not configured:",
                *problems,
                f"Apps are at {APPS_PAGE}; docs/slack.md walks through creating one from "
                "deploy/slack-manifest.yaml.",
            )
            return 2
        assert settings.slack_bot_token is not None
        try:
            await check_token(settings.slack_bot_token, base_url=settings.slack_api_url)
        except PlatformRefused as exc:
            tell(f"SLACK_BOT_TOKEN does not work: {exc}.", f"Check {WHERE['SLACK_BOT_TOKEN']}.")
            return 2
        except PlatformUnreachable as exc:
            # Exit 1: the supervisor tries again (a network outage at boot must not
            # leave the bot down for good, as exit 2 would).
            tell(
                f"Cannot reach Slack ({exc}). The token was not checked: this is the "
                "network or Slack, not the configuration.",
                "The bot exits with 1, so systemd or Docker start it again.",
            )
            return 1
        transport: Transport
        if http:
            transport = EventsApi(host=host, port=port)
        else:
            assert settings.slack_app_token is not None
            transport = SocketMode(settings.slack_app_token)
        metrics = Metrics(platform=PLATFORM)
        adapter = SlackAdapter.from_settings(
            settings, meter=metrics.platform(PLATFORM), transport=transport
        )
        code = await run_until_stopped(settings, adapter, metrics=metrics)
        if code == 0:
            log.info("slack: stopped cleanly")
        return code
