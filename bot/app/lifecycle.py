"""One lifecycle for every process kind: open, connect, recover, serve, stop cleanly.

``serving`` is the order of things, the same on every platform:

1. the app (banks, database, service) opens before the platform connects, so
   a broken bank fails fast and no command arrives before the service exists;
2. ``/healthz`` and ``/metrics`` are served on ``TRIVIA_HTTP_PORT`` from then
   on (unless the adapter's own HTTP server answers them there);
3. the adapter connects; games the last stop left running go on where they
   stood if they were saved recently enough, the others are ended, recorded
   and said so (``TriviaService.recover``), before any new command is taken;
   then the schedules of the servers this process serves fire (``schedules``);
4. on the way out, in reverse: no schedule fires any more, nothing new comes
   in, every running game is
   saved to go on after the restart ("back in a moment", on Discord and
   Slack) or ends and is recorded ("the bot is shutting down" and its
   standings: the console, or ``TRIVIA_RESUME_WITHIN=0``), the
   database closes, and only then the adapter sends what is queued and lets
   go of the platform.  All of it within ``TRIVIA_SHUTDOWN_SECONDS``
   (``shutdown.ShutdownBudget``), spent in order of value: recording the
   games, then their last messages, then whatever is left is dropped with a
   log line that counts it.  A game whose end could not be recorded in time
   is told so and stays in the journal for the next start.

``run_until_stopped`` adds the signals (SIGINT and SIGTERM, what Ctrl-C,
``docker stop`` and systemd send; discord.py's own ``run`` handles only
Ctrl-C) and turns what can go wrong into exit codes: 0 a clean stop (every
game recorded), 1 a broken bank, a platform that cannot be reached or a game
left unrecorded (worth retrying), 2 a platform that refused the bot's
credentials (not worth retrying).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass

from bot.adapters.adapter import Adapter, PlatformRefused, PlatformUnreachable
from bot.app.collector import settle_collector
from bot.app.compose import App, open_app
from bot.app.leases import LeaseUnavailable
from bot.app.schedules import firing_schedules
from bot.app.shutdown import ShutdownBudget
from bot.bank import BankError
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.words import plural
from bot.observability.health import Health
from bot.observability.logs import log_context
from bot.observability.metrics import Metrics
from bot.ports import Clock
from bot.slack_tokens import TokenKeyError
from bot.storage.errors import SchemaError, StoreOpenError

log = logging.getLogger(__name__)


#: What a process holds while it serves, taken once the app is open and before the
#: platform connects, let go once the games are saved (``discord_shards``: its shards).
Claim = Callable[[App, ShutdownBudget | None], AbstractAsyncContextManager[None]]


@dataclass(frozen=True, slots=True)
class Running:
    """A connected adapter and the app behind it."""

    app: App
    adapter: Adapter


@contextlib.asynccontextmanager
async def serving(
    settings: Settings,
    adapter: Adapter,
    *,
    metrics: Metrics | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    budget: ShutdownBudget | None = None,
    claim: Claim | None = None,
) -> AsyncIterator[Running]:
    """The app open on ``adapter``, the platform connected and crashed games recovered
    (the module docstring's steps 1 to 3); on exit, step 4, within ``budget`` if given.
    ``claim``: what the process must hold before it connects (its shards)."""
    async with AsyncExitStack() as stack:
        # Last: games end first, then the adapter sends, with what is left of the budget.
        stack.push_async_callback(_close_adapter, adapter, budget)
        app = await stack.enter_async_context(
            open_app(
                settings,
                sink=adapter,
                clock=clock,
                rng=rng,
                metrics=metrics,
                budget=budget,
                resumes_games=adapter.resumes_games,
            )
        )
        if claim is not None:
            await stack.enter_async_context(claim(app, budget))
        adapter.bind(app.service)
        health = Health(
            platform_connected=adapter.connected, database_writable=app.database_writable
        )
        port = settings.http_port
        if metrics is not None and port is not None and port != adapter.observability_port:
            # aiohttp comes with the platform extras only: a console game
            # (``make play``, no extras) never serves HTTP and never imports it.
            from bot.observability.http import observability_server

            await stack.enter_async_context(
                observability_server(health=health, metrics=metrics, port=port)
            )
        await stack.enter_async_context(adapter.connect(health, metrics))
        await app.service.recover(adapter.platform, owns=adapter.owns)
        await stack.enter_async_context(
            firing_schedules(app, adapter, clock=clock or SystemClock(), daily=app.service.daily)
        )
        yield Running(app=app, adapter=adapter)


async def _close_adapter(adapter: Adapter, budget: ShutdownBudget | None) -> None:
    await adapter.close(within=budget.left() if budget is not None else None)


async def run_until_stopped(
    settings: Settings,
    adapter: Adapter,
    *,
    metrics: Metrics | None = None,
    rng: random.Random | None = None,
    claim: Claim | None = None,
) -> int:
    """Serve until SIGINT/SIGTERM (exit 0) or until the platform stops on its own (its
    code); 1 for a broken bank or an unreachable platform, 2 for refused credentials
    or work another process holds (``claim``)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    try:
        with log_context(adapter.platform):
            return await _until_stopped(
                settings, adapter, stop, metrics=metrics, rng=rng, claim=claim
            )
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)


async def _until_stopped(
    settings: Settings,
    adapter: Adapter,
    stop: asyncio.Event,
    *,
    metrics: Metrics | None,
    rng: random.Random | None,
    claim: Claim | None,
) -> int:
    connected = asyncio.Event()
    server = asyncio.create_task(
        _serve(settings, adapter, stop, connected, metrics=metrics, rng=rng, claim=claim),
        name=f"{adapter.platform}-serve",
    )
    stopping = asyncio.create_task(stop.wait(), name=f"{adapter.platform}-stop-signal")
    try:
        await asyncio.wait({server, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not server.done() and not connected.is_set():
            # Stopped while still connecting (the platform unreachable, retrying): give up.
            server.cancel()
        return await server
    except asyncio.CancelledError:
        return 0
    finally:
        stopping.cancel()


async def _serve(
    settings: Settings,
    adapter: Adapter,
    stop: asyncio.Event,
    connected: asyncio.Event,
    *,
    metrics: Metrics | None,
    rng: random.Random | None,
    claim: Claim | None,
) -> int:
    budget = ShutdownBudget(settings.shutdown_seconds)
    try:
        async with serving(
            settings, adapter, metrics=metrics, rng=rng, budget=budget, claim=claim
        ) as running:
            connected.set()
            # Loaded and connected: what exists now lives as long as the process.
            settle_collector()
            code = await _run(adapter, stop, budget)
        if code == 0 and running.app.service.unrecorded_games:
            # The journal keeps them: the next start ends them with their points.
            unrecorded = plural(running.app.service.unrecorded_games, "game")
            tell(f"{unrecorded} could not be recorded in time; the next start ends them.")
            return 1
        return code
    except BankError as exc:
        tell(f"{_problems(len(exc.problems))} in the question banks:", *map(str, exc.problems))
        return 1
    except (StoreOpenError, SchemaError) as exc:
        tell(str(exc))
        return 1
    except (PlatformRefused, LeaseUnavailable, TokenKeyError) as exc:
        tell(str(exc))
        return 2
    except PlatformUnreachable as exc:
        tell(str(exc))
        return 1
    except Exception:
        log.exception("the %s bot failed", adapter.platform)
        return 1


async def _run(adapter: Adapter, stop: asyncio.Event, budget: ShutdownBudget) -> int:
    """Until ``stop`` is set (0) or the adapter stops on its own (its code); then the
    shutdown budget's clock starts."""
    running = asyncio.create_task(adapter.run(), name=f"{adapter.platform}-run")
    stopping = asyncio.create_task(stop.wait(), name=f"{adapter.platform}-stop-wait")
    try:
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if running.done():
            return running.result()
        log.info("stopping: ending games and closing the connection")
        return 0
    finally:
        budget.start()
        stopping.cancel()
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


def _problems(count: int) -> str:
    return plural(count, "problem")


def tell(*lines: str) -> None:
    """Operator-facing setup errors: plain lines on stderr, no log formatting in the way."""
    sys.stderr.write("\n".join(lines) + "\n")
