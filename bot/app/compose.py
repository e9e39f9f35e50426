"""Composition root: the one place that knows the concrete classes.

``open_app`` builds the bank, the store and the service from settings inside
an ``AsyncExitStack``, so that whatever was opened is closed again in reverse
order, even when a later step fails.  Platform SDKs are imported lazily by
their adapters, so a console-only run never needs discord.py or slack-bolt.

While the app is open its bank files are reloaded without a restart
(``bot.bank.reload``): on SIGHUP, on ``trivia-bot reload`` (which finds the
process through its pid file, ``bot.app.running``) and when the files change.

Given a ``Metrics``, the app is instrumented from the outside: the sink and the
store are wrapped (``bot.observability.instrument``) and the service reports
each command it handled; without one (console play) nothing is wrapped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.app.shutdown import ShutdownBudget
from bot.bank import LoadedBank, StaticQuestionBank, bundled_bank_dir, load_banks
from bot.bank.reload import BankReloader
from bot.bank.server_bank import ServerQuestionBank
from bot.clock import SystemClock
from bot.config import Settings
from bot.coordination import Fence
from bot.domain.model import ServerKey
from bot.observability.instrument import CommandMeter, MeteredSink, MeteredStore
from bot.observability.metrics import Metrics
from bot.ports import (
    Clock,
    EventSink,
    OperatedStore,
    ReloadChannel,
    SharedStore,
    TriviaStore,
)
from bot.service.trivia import TriviaService
from bot.storage import open_store

log = logging.getLogger(__name__)

#: How long a health check may wait for the database's write lock.
WRITABLE_LOCK_WAIT = 0.5


class ServerTaking:
    """How this process takes a server that no process serves, when the firing loop has
    something due there: none by default (a Discord shard's guilds are its own from the
    start); Slack replicas take a workspace's lease when it is free (``take_with``)."""

    def __init__(self) -> None:
        self._take: Callable[[ServerKey], Awaitable[bool]] | None = None

    def take_with(self, take: Callable[[ServerKey], Awaitable[bool]]) -> None:
        self._take = take

    @property
    def possible(self) -> bool:
        return self._take is not None

    async def take(self, server: ServerKey) -> bool:
        """Whether this process serves ``server`` now, having taken it."""
        return self._take is not None and await self._take(server)


@dataclass(frozen=True, slots=True)
class App:
    """What ``open_app`` built. ``database_writable`` is the health check's question."""

    settings: Settings
    bank: ServerQuestionBank
    store: TriviaStore
    service: TriviaService
    database_writable: Callable[[], Awaitable[bool]]
    reloads: ReloadChannel
    location: str  # where the store keeps its data, for messages
    #: What the processes of one bot share (leases, turns, facts), and the fence their
    #: writes are made under: the backend itself.
    shared: SharedStore
    fence_writes: Callable[[Callable[[ServerKey], Fence | None]], None]
    #: The backend with every port it has, for what needs several at once (the Slack
    #: app's installations, refreshed under leases).
    backend: OperatedStore
    metrics: Metrics | None = None
    #: How servers nobody serves are taken (the firing loop's ``take``).
    taking: ServerTaking = field(default_factory=ServerTaking)


def bank_paths(settings: Settings) -> tuple[Path, ...]:
    return settings.questions or (bundled_bank_dir(),)


def load_configured_banks(settings: Settings) -> tuple[LoadedBank, ...]:
    """Load (and cache) the banks the settings name; raises ``BankError``."""
    return load_banks(bank_paths(settings), cache_dir=settings.cache_dir)


@asynccontextmanager
async def open_app(
    settings: Settings,
    *,
    sink: EventSink,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    metrics: Metrics | None = None,
    serve: bool = True,
    budget: ShutdownBudget | None = None,
    resumes_games: bool = False,
) -> AsyncIterator[App]:
    """The app for ``settings``; raises ``BankError`` if the banks do not load.

    ``serve=False`` (a CLI command acting once) leaves out what only a running
    bot needs: reloading the banks, and being listed for ``trivia-bot reload``.
    With a ``budget``, closing spends it in order: the games are recorded, then
    the database closes, each within what is left of it.  ``resumes_games`` (a
    platform whose channels outlive the process): games are saved as they go and
    handed over on the way out, for ``TRIVIA_RESUME_WITHIN`` seconds.
    """
    async with AsyncExitStack() as stack:
        if serve:
            # Until the reload handler is in place (and again once it is gone), a
            # SIGHUP (`systemctl reload`, a late `trivia-bot reload`) must not end
            # the bot halfway through loading banks or closing its database.
            stack.enter_context(_ignoring_sighup())
        static = StaticQuestionBank(load_configured_banks(settings))
        log.info("loaded %d bundled questions", len(static.all_questions))
        operated = await open_store(settings.db)
        stack.push_async_callback(_close_store, operated, budget)
        store: TriviaStore = operated
        if metrics is not None:
            store = MeteredStore(operated, metrics)
            sink = MeteredSink(sink, metrics)
        bank = ServerQuestionBank(static, store)
        service = TriviaService(
            bank=bank,
            editor=bank,
            settings_store=store,
            reports=store,
            journal=store,
            store=store,
            clock=clock or SystemClock(),
            sink=sink,
            defaults=settings.game_options(),
            rng=rng,
            observer=CommandMeter(metrics) if metrics is not None else None,
            resume_within=settings.resume_within if resumes_games else 0.0,
            daily=operated,
            schedules=operated,
        )
        if metrics is not None:
            metrics.watch_games(lambda: service.active_games)
            metrics.watch_pool(operated.pool_stats)
        # Registered after the store, so it runs first: games are ended and
        # recorded while the database is still open.
        stack.push_async_callback(_end_games, service, budget)

        async def database_writable() -> bool:
            return await operated.check_writable(lock_wait=WRITABLE_LOCK_WAIT)

        reloads = operated.reloads()
        if serve:
            await stack.enter_async_context(
                _reloading(settings, bank, reloads, _forgetting(bank, service))
            )
        yield App(
            settings=settings,
            bank=bank,
            store=store,
            service=service,
            database_writable=database_writable,
            reloads=reloads,
            location=operated.location,
            shared=operated,
            fence_writes=operated.fence_writes,
            backend=operated,
            metrics=metrics,
        )


def _forgetting(
    bank: ServerQuestionBank, service: TriviaService
) -> Callable[[ServerKey | None], None]:
    """What to do when another process changed a server: drop what was cached of it."""

    def forget(server: ServerKey | None) -> None:
        if server is None:
            bank.forget_all()
        else:
            bank.forget(server)
        service.server_changed(server)

    return forget


async def _end_games(service: TriviaService, budget: ShutdownBudget | None) -> None:
    await service.shutdown(within=budget.left() if budget is not None else None)


async def _close_store(store: OperatedStore, budget: ShutdownBudget | None) -> None:
    if budget is None:
        await store.close()
        return
    try:
        await asyncio.wait_for(store.close(), budget.left())
    except TimeoutError:
        log.warning("the database did not close within the shutdown budget; stopping anyway")


@asynccontextmanager
async def _reloading(
    settings: Settings,
    bank: ServerQuestionBank,
    reloads: ReloadChannel,
    server_changed: Callable[[ServerKey | None], None],
) -> AsyncIterator[None]:
    """Reload the banks on file changes, SIGHUP and other processes' asking while inside."""
    async with AsyncExitStack() as stack:
        reloader = BankReloader(bank=bank, paths=bank_paths(settings), cache_dir=settings.cache_dir)
        stack.push_async_callback(reloader.close)
        if settings.reload_seconds > 0:
            watcher = asyncio.create_task(
                reloader.watch(settings.reload_seconds), name="bank-watcher"
            )
            stack.push_async_callback(_cancel, watcher)
        sighup = stack.enter_context(_reload_on_sighup(reloader))
        if sighup or not reloads.by_signal:
            await stack.enter_async_context(reloads.listening(reloader.request, server_changed))
        yield


def _may_handle_sighup() -> bool:
    """Signals can be handled here: a platform with SIGHUP, on the main thread."""
    return hasattr(signal, "SIGHUP") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _ignoring_sighup() -> Iterator[None]:
    """SIGHUP is ignored while inside; the disposition found is restored after."""
    if not _may_handle_sighup():
        yield
        return
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGHUP, previous)


@contextlib.contextmanager
def _reload_on_sighup(reloader: BankReloader) -> Iterator[bool]:
    """SIGHUP reloads the banks while inside; yields whether the handler is in place."""
    if not _may_handle_sighup():
        yield False
        return
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, reloader.request, "SIGHUP")
    try:
        yield True
    finally:
        loop.remove_signal_handler(signal.SIGHUP)
        # remove_signal_handler puts back the default action, which ends the process.
        signal.signal(signal.SIGHUP, signal.SIG_IGN)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
