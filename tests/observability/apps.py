"""An instrumented app (SQLite, the service, a recording sink) on a manual clock."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app.compose import App, open_app
from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.events import QuestionAsked
from bot.domain.model import Actor, ChannelKey, PlayerKey
from bot.observability.metrics import Metrics
from tests.fakes import RecordingSink
from tests.platforms.slack.bot_harness import write_bank

CHANNEL = ChannelKey("discord", "111", "222")
OTHER_CHANNEL = ChannelKey("slack", "T0TEAM", "C0OTHER")


def actor(name: str, channel: ChannelKey = CHANNEL) -> Actor:
    return Actor(key=PlayerKey(channel.platform, channel.server, name), name=name)


def current_answer(sink: RecordingSink, channel: ChannelKey = CHANNEL) -> str:
    asked = [e for e in sink.of(QuestionAsked) if e.channel == channel]
    return asked[-1].question.answer


@asynccontextmanager
async def instrumented_app(
    tmp_path: Path,
    *,
    sink: RecordingSink,
    clock: ManualClock,
    metrics: Metrics | None = None,
    db: Path | str | None = None,
) -> AsyncIterator[App]:
    settings = Settings(
        db=db if db is not None else tmp_path / "trivia.db",
        questions=(write_bank(tmp_path),),
        cache_dir=None,
        rounds=2,
        seconds=30.0,
        pause=5.0,
        auto_hints=False,
    )
    async with open_app(
        settings,
        sink=sink,
        clock=clock,
        rng=random.Random(7),
        metrics=metrics or Metrics(process=False),
    ) as app:
        yield app
