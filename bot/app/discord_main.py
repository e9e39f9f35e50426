"""``trivia-bot run discord`` and ``trivia-bot discord invite``: start, serve, stop cleanly.

Order of things, and why:

1. The token is checked with a REST-only login that also says whether the
   developer portal allows the Message Content intent (asking for a privileged
   intent the application lacks closes the gateway with 4014).
2. The app (banks, database, service) opens before the gateway connects, so a
   broken bank fails fast and no event arrives before the service exists.
3. On SIGINT or SIGTERM (``docker stop``, systemd: discord.py's ``Client.run``
   handles only Ctrl-C, so the loop is ours) the exit stack unwinds in reverse:
   the service ends every game and records it (``GameEnded``, reason
   shutdown), the database closes, the outbox sends what is queued ("the bot
   is shutting down" and the standings), and only then the client disconnects.

With ``TRIVIA_HTTP_PORT`` set, ``/healthz`` and ``/metrics`` are served on that
port from the moment the app is open (the health check says "disconnected"
until the gateway is ready) until the games have ended.  Every log line of the
run carries the platform (and the server and channel where known), and
discord.py's rate-limit warnings are counted in ``trivia_rate_limit_hits``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

from bot.adapters.discord.adapter import (
    ApplicationInfo,
    TokenRejected,
    TriviaClient,
    discord_endpoints,
    fetch_application,
)
from bot.adapters.discord.adapter import invite_url as _invite_url
from bot.adapters.discord.inbound import PLATFORM
from bot.adapters.discord.outbox import DiscordOutbound
from bot.app.compose import App, open_app
from bot.bank import BankError
from bot.config import Settings
from bot.observability.health import Health
from bot.observability.http import observability_server
from bot.observability.instrument import counting_rate_limit_warnings
from bot.observability.logs import log_context
from bot.observability.metrics import Metrics
from bot.ports import Clock

log = logging.getLogger(__name__)

MISSING_TOKEN = (
    "DISCORD_TOKEN is not set. Create a bot in the Discord developer portal "
    "(https://discord.com/developers/applications -> your application -> Bot -> Reset Token) "
    "and export DISCORD_TOKEN=<that token>; see the README's Discord section."
)
TOKEN_REFUSED = (
    "Discord refused DISCORD_TOKEN (%s). Copy the bot token again from the developer portal "
    "(Bot -> Reset Token); an application id or client secret is not a bot token."
)
INTENT_OFF = (
    "The Message Content intent is off for this application, so typed answers cannot be "
    "read: games are played with buttons (choice mode). To allow typed answers, switch on "
    "Bot -> Privileged Gateway Intents -> Message Content Intent in the developer portal "
    "and restart."
)


def invite_url(client_id: str) -> str:
    """The OAuth2 URL that adds the bot with exactly the scopes and permissions it uses."""
    return _invite_url(client_id)


async def resolve_client_id(settings: Settings) -> str:
    """The application id, asked from Discord with DISCORD_TOKEN (exit 2 without one)."""
    info = await _application(settings)
    return str(info.id)


async def _application(settings: Settings) -> ApplicationInfo:
    if not settings.discord_token:
        log.error(MISSING_TOKEN)
        raise SystemExit(2)
    with discord_endpoints(settings.discord_api_base, settings.discord_gateway_url):
        try:
            return await fetch_application(settings.discord_token)
        except TokenRejected as exc:
            log.error(TOKEN_REFUSED, exc)
            raise SystemExit(2) from None


@dataclass(frozen=True, slots=True)
class RunningBot:
    """A connected bot: the client, the app behind it, and the task running the gateway."""

    client: TriviaClient
    app: App
    task: asyncio.Task[None]


@contextlib.asynccontextmanager
async def connected_bot(
    settings: Settings,
    *,
    guild_ready_timeout: float = 2.0,
    clock: Clock | None = None,
    rng: random.Random | None = None,
) -> AsyncIterator[RunningBot]:
    """Open the app, connect to Discord, and yield once the bot is ready.

    On exit (normal, error or cancellation): games end and are recorded, queued
    messages are sent, the client disconnects, the database closes.
    """
    token = settings.discord_token
    if not token:
        raise ValueError("connected_bot needs settings.discord_token")
    metrics = Metrics(platform=PLATFORM)
    meter = metrics.platform(PLATFORM)
    with (
        log_context(PLATFORM),
        counting_rate_limit_warnings(meter.rate_limited),
        discord_endpoints(settings.discord_api_base, settings.discord_gateway_url),
    ):
        info = await _application(settings)
        if not info.message_content:
            log.warning(INTENT_OFF)
        guild = int(settings.discord_guild) if settings.discord_guild else None
        async with AsyncExitStack() as stack:
            outbound = DiscordOutbound()
            client = TriviaClient(
                outbound=outbound,
                typed_answers=info.message_content,
                sync_guild=guild,
                guild_ready_timeout=guild_ready_timeout,
                meter=meter,
            )
            task: asyncio.Task[None] | None = None

            async def disconnect() -> None:
                await client.close()
                if task is not None:
                    with contextlib.suppress(Exception, asyncio.CancelledError):
                        await task

            # Unwound in reverse: the app's exit ends and records the games, then the
            # outbox sends what they published, then the client disconnects.
            stack.push_async_callback(disconnect)
            stack.push_async_callback(outbound.close)
            app = await stack.enter_async_context(
                open_app(settings, sink=outbound, clock=clock, rng=rng, metrics=metrics)
            )
            client.attach(app.service)
            if settings.http_port is not None:
                health = _health(client, app)
                serving = observability_server(
                    health=health, metrics=metrics, port=settings.http_port
                )
                await stack.enter_async_context(serving)
            task = asyncio.create_task(client.start(token), name="discord-client")
            await _until_ready(client, task)
            # Games a crash left running are ended (and said so) once we can post.
            await app.service.recover(PLATFORM)
            yield RunningBot(client=client, app=app, task=task)


def _health(client: TriviaClient, app: App) -> Health:
    async def connected() -> bool:
        return client.connected

    return Health(platform_connected=connected, database_writable=app.database_writable)


async def _until_ready(client: TriviaClient, task: asyncio.Task[None]) -> None:
    ready = asyncio.create_task(client.wait_until_ready(), name="discord-ready")
    try:
        await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ready.cancel()
    if task.done():
        task.result()  # raises what stopped the client
        raise RuntimeError("the Discord client stopped before it was ready")


async def run_discord(settings: Settings) -> int:
    """Serve until SIGINT/SIGTERM (exit 0) or until the connection fails for good (1).

    Exit 2: no token, or Discord refused it.
    """
    if not settings.discord_token:
        log.error(MISSING_TOKEN)
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    serving = asyncio.Event()
    server = asyncio.create_task(_serve(settings, stop, serving), name="discord-serve")
    stopping = asyncio.create_task(stop.wait(), name="discord-stop-signal")
    try:
        await asyncio.wait({server, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not server.done() and not serving.is_set():
            # Stopped while still connecting (Discord unreachable, retrying): give up.
            server.cancel()
        return await server
    except asyncio.CancelledError:
        return 0
    finally:
        stopping.cancel()
        for signum in signals:
            loop.remove_signal_handler(signum)


async def _serve(settings: Settings, stop: asyncio.Event, serving: asyncio.Event) -> int:
    try:
        async with connected_bot(settings) as bot:
            serving.set()
            stopping = asyncio.create_task(stop.wait(), name="discord-stop-wait")
            await asyncio.wait({stopping, bot.task}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if bot.task.done():
                # The gateway gave up (a refused intent, a revoked token, ...).
                bot.task.result()
                log.error("the Discord connection closed; stopping")
                return 1
            log.info("stopping: ending games and closing the connection")
    except SystemExit as exc:
        return int(exc.code or 0)
    except BankError as exc:
        log.error("%s", exc)
        return 1
    except Exception:
        log.exception("the Discord bot failed")
        return 1
    return 0
