"""``trivia-bot run slack``: Socket Mode by default, the Events API over HTTP with ``--http``.

Two ways to run.  One workspace, with its bot token (``SLACK_BOT_TOKEN``, and
``SLACK_APP_TOKEN`` for Socket Mode or ``SLACK_SIGNING_SECRET`` with
``--http``).  Or any number of workspaces through OAuth installs
(``SLACK_CLIENT_ID``, ``SLACK_CLIENT_SECRET`` and ``SLACK_SIGNING_SECRET``,
``--http`` only): ``/slack/install`` takes installs and each workspace is
served with its own token, so there is no one token to check at startup.

Before the lifecycle (``bot.app.lifecycle``) opens anything, the settings and
the bot token are checked: missing or malformed tokens, and a token Slack
refuses, exit with 2 and say where to find the right one.  In HTTP mode
``/healthz`` and ``/metrics`` are served on the Slack server itself, next to
``/slack/events``; on ``TRIVIA_HTTP_PORT`` too when it is set to another port
(the only place in Socket Mode).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from bot.adapters.adapter import PlatformRefused, PlatformUnreachable
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.api import check_token
from bot.adapters.slack.ids import PLATFORM
from bot.adapters.slack.transports import EventsApi, SocketMode, Transport
from bot.app.compose import App
from bot.app.leases import holder_description
from bot.app.lifecycle import Claim, run_until_stopped, tell
from bot.app.shutdown import ShutdownBudget
from bot.clock import SystemClock
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
    "SLACK_CLIENT_ID": "your app's Basic Information page: App Credentials, Client ID",
    "SLACK_CLIENT_SECRET": "your app's Basic Information page: App Credentials, Client Secret",
}
MODES = (
    "Two ways to run: one workspace with SLACK_BOT_TOKEN (and SLACK_APP_TOKEN for Socket Mode, "
    "or SLACK_SIGNING_SECRET with --http); or any number of workspaces installing the app "
    "through /slack/install, with SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
    "SLACK_SIGNING_SECRET and --http (no SLACK_BOT_TOKEN)."
)
PREFIXES = {"SLACK_BOT_TOKEN": "xoxb-", "SLACK_APP_TOKEN": "xapp-"}


def takes_installs(settings: Settings) -> bool:
    """Whether the bot serves OAuth installs (any number of workspaces): the app's client
    id or secret is set."""
    return bool(settings.slack_client_id or settings.slack_client_secret)


def replicas_claim(settings: Settings, adapter: SlackAdapter) -> Claim | None:
    """With ``TRIVIA_NATS_URL``, this process is one of several replicas sharing the
    workspaces (``slack_replicas``); without it, one process serves them all."""
    if not settings.nats_url:
        return None

    def claim(app: App, budget: ShutdownBudget | None) -> AbstractAsyncContextManager[None]:
        from bot.app.slack_replicas import serving_replicas

        return _as_none(serving_replicas(settings, adapter, app, budget, clock=SystemClock()))

    return claim


@asynccontextmanager
async def _as_none(inner: AbstractAsyncContextManager[object]) -> AsyncIterator[None]:
    async with inner:
        yield


def missing_settings(settings: Settings, *, http: bool) -> list[str]:
    """What stops the bot from starting, one line per variable, saying where to get it."""
    if takes_installs(settings):
        return _missing_for_installs(settings, http=http)
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


def _installs_claim(adapter: SlackAdapter) -> Claim | None:
    """With OAuth installs: keep them in the database from when it is open (before Slack
    can reach the bot) until it closes."""
    oauth = adapter.oauth
    if oauth is None:
        return None
    clock = SystemClock()
    holder = holder_description(clock)

    def claim(app: App, budget: ShutdownBudget | None) -> AbstractAsyncContextManager[None]:
        return oauth.attached(app.backend, clock=clock, holder=holder)

    return claim


def slack_claim(settings: Settings, adapter: SlackAdapter) -> Claim | None:
    """What this Slack process holds while it serves: its OAuth installs (taken first,
    let go of last) and, with replicas, its share of the workspaces."""
    claims = [c for c in (_installs_claim(adapter), replicas_claim(settings, adapter)) if c]
    if len(claims) <= 1:
        return claims[0] if claims else None

    @asynccontextmanager
    async def claim(app: App, budget: ShutdownBudget | None) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for each in claims:
                await stack.enter_async_context(each(app, budget))
            yield

    return claim


def _missing_for_installs(settings: Settings, *, http: bool) -> list[str]:
    problems = []
    if not http:
        problems.append(
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET take installs from any workspace, which "
            "Slack sends over HTTP: run with --http (or unset them to serve one workspace "
            "over Socket Mode with SLACK_BOT_TOKEN and SLACK_APP_TOKEN)."
        )
    wanted = {
        "SLACK_CLIENT_ID": settings.slack_client_id,
        "SLACK_CLIENT_SECRET": settings.slack_client_secret,
        "SLACK_SIGNING_SECRET": settings.slack_signing_secret,
    }
    problems += [
        f"{variable} is not set: find it on {WHERE[variable]}."
        for variable, value in wanted.items()
        if not value
    ]
    return problems


async def run_slack(settings: Settings, *, http: bool, host: str, port: int) -> int:
    """Serve Slack until SIGINT/SIGTERM; 0 on a clean stop, 1 bad bank, 2 bad setup."""
    with log_context(PLATFORM):
        problems = missing_settings(settings, http=http)
        if problems:
            tell(
                "Slack is not configured:",
                *problems,
                MODES,
                f"Apps are at {APPS_PAGE}; docs/slack.md walks through creating one from "
                "deploy/slack-manifest.yaml (one workspace) or "
                "deploy/slack-manifest.distributed.yaml (installs).",
            )
            return 2
        try:
            if not takes_installs(settings):
                # OAuth installs have a token per workspace, checked as each is used.
                assert settings.slack_bot_token is not None
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
        code = await run_until_stopped(
            settings, adapter, metrics=metrics, claim=slack_claim(settings, adapter)
        )
        if code == 0:
            log.info("slack: stopped cleanly")
        return code
