"""Composition root: the one place that knows the concrete classes.

``open_app`` builds the bank, the store and the service from settings inside
an ``AsyncExitStack``, so that whatever was opened is closed again in reverse
order, even when a later step fails.  Platform SDKs are imported lazily by
their adapters, so a console-only run never needs discord.py or slack-bolt.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.bank import LoadedBank, StaticQuestionBank, bundled_bank_dir, load_banks
from bot.bank.server_bank import ServerQuestionBank
from bot.clock import SystemClock
from bot.config import Settings
from bot.ports import Clock, EventSink, TriviaStore
from bot.service import TriviaService
from bot.storage import open_sqlite_store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class App:
    settings: Settings
    bank: ServerQuestionBank
    store: TriviaStore
    service: TriviaService


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
) -> AsyncIterator[App]:
    async with AsyncExitStack() as stack:
        static = StaticQuestionBank(load_configured_banks(settings))
        log.info("loaded %d bundled questions", len(static.all_questions))
        store = await open_sqlite_store(settings.db)
        stack.push_async_callback(store.close)
        bank = ServerQuestionBank(static, store)
        service = TriviaService(
            bank=bank,
            editor=bank,
            settings_store=store,
            journal=store,
            store=store,
            clock=clock or SystemClock(),
            sink=sink,
            defaults=settings.game_options(),
            rng=rng,
        )
        # Registered after the store, so it runs first: games are ended and
        # recorded while the database is still open.
        stack.push_async_callback(service.shutdown)
        yield App(settings=settings, bank=bank, store=store, service=service)
