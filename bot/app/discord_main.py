"""``trivia-bot run discord`` and ``trivia-bot discord invite``.

Before the lifecycle (``bot.app.lifecycle``) opens anything, the token is
checked with a REST-only login that also says whether the developer portal
allows the Message Content intent (asking for a privileged intent the
application lacks closes the gateway with 4014).  discord.py's REST base and
gateway URL are pointed at ``DISCORD_API_BASE`` / ``DISCORD_GATEWAY_URL`` for
the whole run, and its rate-limit warnings are counted in
``trivia_rate_limit_hits``.

The process runs the shards of ``TRIVIA_DISCORD_SHARDS`` among
``TRIVIA_DISCORD_SHARD_COUNT`` (default: all those Discord recommends), and
its channel posts and edits spend at most ``TRIVIA_DISCORD_REST_SHARE``
requests per second (default: its shards' part of Discord's 50).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import partial

from bot.adapters.adapter import PlatformUnreachable
from bot.adapters.discord.adapter import DiscordAdapter, TriviaClient
from bot.adapters.discord.api import (
    ApplicationInfo,
    TokenRejected,
    discord_endpoints,
    fetch_application,
)
from bot.adapters.discord.ids import PLATFORM
from bot.adapters.discord.shards import IDENTIFY_WINDOW, IdentifyTurn
from bot.app.compose import App
from bot.app.discord_shards import holding_shards
from bot.app.lifecycle import run_until_stopped, serving, tell
from bot.clock import SystemClock
from bot.config import Settings
from bot.observability.instrument import (
    DISCORD_WEBHOOK_RATE_LIMITED,
    counting_rate_limit_warnings,
)
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
#: Exit 1 (not 2, "do not restart"): an outage at boot must not keep the bot down for good.
RETRIED = "The bot exits with 1, so systemd or Docker start it again."
INTENT_OFF = (
    "The Message Content intent is off for this application, so typed answers cannot be "
    "read: games are played with buttons (choice mode). To allow typed answers, switch on "
    "Bot -> Privileged Gateway Intents -> Message Content Intent in the developer portal "
    "and restart."
)


async def resolve_client_id(settings: Settings) -> str:
    """The application id, asked from Discord with DISCORD_TOKEN (exit 2 without one)."""
    with discord_endpoints(settings.discord_api_base, settings.discord_gateway_url):
        info = await _application(settings)
    return str(info.id)


async def _application(settings: Settings) -> ApplicationInfo:
    if not settings.discord_token:
        log.error(MISSING_TOKEN)
        raise SystemExit(2)
    try:
        return await fetch_application(settings.discord_token)
    except TokenRejected as exc:
        log.error(TOKEN_REFUSED, exc)
        raise SystemExit(2) from None


@contextlib.contextmanager
def _discord_run(settings: Settings, metrics: Metrics) -> Iterator[None]:
    """What holds for the whole of a Discord run: its log tag, its endpoints, and
    discord.py's rate-limit warnings counted."""
    with (
        log_context(PLATFORM),
        counting_rate_limit_warnings(metrics.platform(PLATFORM).rate_limited),
        counting_rate_limit_warnings(
            metrics.platform(PLATFORM).rate_limited,
            logger="discord.webhook.async_",
            prefix=DISCORD_WEBHOOK_RATE_LIMITED,
        ),
        discord_endpoints(settings.discord_api_base, settings.discord_gateway_url),
    ):
        yield


async def _adapter(
    settings: Settings,
    metrics: Metrics,
    *,
    guild_ready_timeout: float = 2.0,
    identify_turn: IdentifyTurn | None = None,
    identify_window: float = IDENTIFY_WINDOW,
) -> DiscordAdapter:
    """The adapter for ``settings``, once Discord has accepted the token.

    ``identify_turn``: awaited with a shard's id before it IDENTIFYs (None: the adapter
    paces its own shards, one per ``max_concurrency`` bucket per ``identify_window``)."""
    info = await _application(settings)
    if not info.message_content:
        log.warning(INTENT_OFF)
    assert settings.discord_token is not None  # _application checked it
    return DiscordAdapter(
        token=settings.discord_token,
        typed_answers=info.message_content,
        sync_guild=int(settings.discord_guild) if settings.discord_guild else None,
        guild_ready_timeout=guild_ready_timeout,
        meter=metrics.platform(PLATFORM),
        # Known before connecting, so that the process can take its shards' leases first.
        shard_count=settings.discord_shard_count or info.recommended_shards,
        shard_ids=settings.discord_shards,
        identify_turn=identify_turn,
        identify_window=identify_window,
        rest_share=settings.discord_rest_rate(),
    )


async def run_discord(settings: Settings) -> int:
    """Serve until SIGINT/SIGTERM (exit 0) or until the connection fails for good (1).

    Exit 2: no token, or Discord refused it.
    """
    if not settings.discord_token:
        log.error(MISSING_TOKEN)
        return 2
    metrics = Metrics(platform=PLATFORM)
    with _discord_run(settings, metrics):
        try:
            adapter = await _adapter(settings, metrics)
        except SystemExit as exc:
            return int(exc.code or 0)
        except PlatformUnreachable as exc:
            tell(f"{exc}.", RETRIED)
            return 1
        claim = partial(holding_shards, settings, adapter, clock=SystemClock())
        return await run_until_stopped(settings, adapter, metrics=metrics, claim=claim)


@dataclass(frozen=True, slots=True)
class RunningBot:
    """A connected bot: the client, the app behind it, and the task running the gateway."""

    client: TriviaClient
    app: App
    adapter: DiscordAdapter

    @property
    def task(self) -> asyncio.Task[None]:
        return self.adapter.task


@contextlib.asynccontextmanager
async def connected_bot(
    settings: Settings,
    *,
    guild_ready_timeout: float = 2.0,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    identify_turn: IdentifyTurn | None = None,
    identify_window: float = IDENTIFY_WINDOW,
    hold_shards: bool = False,
) -> AsyncIterator[RunningBot]:
    """The lifecycle's ``serving`` without the signals: for tests and embedding.
    ``identify_turn`` and ``identify_window`` as for the adapter; ``hold_shards``: take
    the shards' leases and coordinate with other processes, as ``run_discord`` does.

    On exit (normal, error or cancellation): games end and are recorded, queued
    messages are sent, the client disconnects, the database closes.
    """
    if not settings.discord_token:
        raise ValueError("connected_bot needs settings.discord_token")
    metrics = Metrics(platform=PLATFORM)
    with _discord_run(settings, metrics):
        adapter = await _adapter(
            settings,
            metrics,
            guild_ready_timeout=guild_ready_timeout,
            identify_turn=identify_turn,
            identify_window=identify_window,
        )
        claim = (
            partial(holding_shards, settings, adapter, clock=clock or SystemClock())
            if hold_shards
            else None
        )
        async with serving(
            settings, adapter, metrics=metrics, clock=clock, rng=rng, claim=claim
        ) as running:
            yield RunningBot(client=adapter.client, app=running.app, adapter=adapter)
