"""``trivia-bot run slack``: Socket Mode by default, the Events API over HTTP with ``--http``.

Lifecycle, outermost first: the adapter (its outbox is flushed last), the app
(bank, store, service: on exit every running game is ended and recorded, and
its last messages are queued), then the transport (closed first, so nothing
new comes in while games end).  SIGINT and SIGTERM both end it cleanly with
exit code 0; missing or malformed tokens exit with 2 before anything starts.

``/healthz`` and ``/metrics``: in HTTP mode on the Slack server itself, next to
``/slack/events``; on ``TRIVIA_HTTP_PORT`` too when it is set to another port
(the only place in Socket Mode).  Every log line of the run carries the
platform, and the workspace and channel where known.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator

from bot.adapters.slack.adapter import SlackAdapter, check_token
from bot.adapters.slack.ids import PLATFORM
from bot.app.compose import App, open_app
from bot.bank import BankError
from bot.config import Settings
from bot.observability.health import Health, always
from bot.observability.http import add_routes, observability_server, serving
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
        return await _run_slack(settings, http=http, host=host, port=port)


async def _run_slack(settings: Settings, *, http: bool, host: str, port: int) -> int:
    problems = missing_settings(settings, http=http)
    if problems:
        _tell(
            "Slack is not configured:",
            *problems,
            f"Apps are at {APPS_PAGE}; docs/slack.md walks through creating one from "
            "deploy/slack-manifest.yaml.",
        )
        return 2
    assert settings.slack_bot_token is not None
    problem = await check_token(settings.slack_bot_token, base_url=settings.slack_api_url)
    if problem is not None:
        _tell(f"SLACK_BOT_TOKEN does not work: {problem}.", f"Check {WHERE['SLACK_BOT_TOKEN']}.")
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        metrics = Metrics(platform=PLATFORM)
        adapter = SlackAdapter.from_settings(settings, meter=metrics.platform(PLATFORM))
        # Exits run in reverse: transport closed, then games ended, then the outbox flushed.
        async with adapter, open_app(settings, sink=adapter, metrics=metrics) as app:
            adapter.bind(app.service.handle)
            health = Health(
                platform_connected=always if http else adapter.socket_connected,
                database_writable=app.database_writable,
            )
            async with (
                _observability(app, health, metrics, http=http, slack_port=port),
                _transport(adapter, settings, health, metrics, http=http, host=host, port=port),
            ):
                # Games a crash left running are ended (and said so) first.
                await app.service.recover(PLATFORM)
                await stop.wait()
            log.info("slack: stopping; ending %d running games", app.service.active_games)
    except BankError as exc:
        _tell(f"{len(exc.problems)} problem(s) in the question banks:", *map(str, exc.problems))
        return 1
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    log.info("slack: stopped cleanly")
    return 0


@contextlib.asynccontextmanager
async def _observability(
    app: App, health: Health, metrics: Metrics, *, http: bool, slack_port: int
) -> AsyncIterator[None]:
    """``/healthz`` and ``/metrics`` on ``TRIVIA_HTTP_PORT``, unless the Slack server
    already serves them there."""
    port = app.settings.http_port
    if port is None or (http and port == slack_port):
        yield
        return
    async with observability_server(health=health, metrics=metrics, port=port):
        yield


@contextlib.asynccontextmanager
async def _transport(
    adapter: SlackAdapter,
    settings: Settings,
    health: Health,
    metrics: Metrics,
    *,
    http: bool,
    host: str,
    port: int,
) -> AsyncIterator[None]:
    if not http:
        assert settings.slack_app_token is not None
        async with adapter.socket_mode(settings.slack_app_token):
            _tell("Connected to Slack over Socket Mode. Ctrl-C stops the bot.")
            yield
        return
    web_app = adapter.web_app()
    add_routes(web_app, health=health, metrics=metrics)
    async with serving(web_app, host=host, port=port):
        _tell(f"Serving Slack's Events API on http://{host}:{port}/slack/events. Ctrl-C stops.")
        yield


def _tell(*lines: str) -> None:
    # Operator-facing setup errors: plain lines on stderr, no log formatting in the way.
    sys.stderr.write("\n".join(lines) + "\n")
