"""``trivia-bot run slack``: Socket Mode by default, the Events API over HTTP with ``--http``.

Lifecycle, outermost first: the adapter (its outbox is flushed last), the app
(bank, store, service: on exit every running game is ended and recorded, and
its last messages are queued), then the transport (closed first, so nothing
new comes in while games end).  SIGINT and SIGTERM both end it cleanly with
exit code 0; missing or malformed tokens exit with 2 before anything starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator

from aiohttp import web

from bot.adapters.slack_adapter import SlackAdapter, check_token
from bot.adapters.slack_ids import PLATFORM
from bot.app import open_app
from bot.bank import BankError
from bot.config import Settings

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
        adapter = SlackAdapter.from_settings(settings)
        # Exits run in reverse: transport closed, then games ended, then the outbox flushed.
        async with adapter, open_app(settings, sink=adapter) as app:
            adapter.bind(app.service.handle)
            async with _transport(adapter, settings, http=http, host=host, port=port):
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
async def _transport(
    adapter: SlackAdapter, settings: Settings, *, http: bool, host: str, port: int
) -> AsyncIterator[None]:
    if not http:
        assert settings.slack_app_token is not None
        async with adapter.socket_mode(settings.slack_app_token):
            _tell("Connected to Slack over Socket Mode. Ctrl-C stops the bot.")
            yield
        return
    runner = web.AppRunner(adapter.web_app(), handle_signals=False, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        _tell(f"Serving Slack's Events API on http://{host}:{port}/slack/events. Ctrl-C stops.")
        yield
    finally:
        await runner.cleanup()


def _tell(*lines: str) -> None:
    # Operator-facing setup errors: plain lines on stderr, no log formatting in the way.
    sys.stderr.write("\n".join(lines) + "\n")
