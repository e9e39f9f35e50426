"""``/healthz``: 200 when the platform is connected and the database writable, else 503
naming what fails; and the store's cheap writability check behind it."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.app.compose import App
from bot.clock import ManualClock
from bot.domain.model import ChannelKey, PlayerKey
from bot.domain.records import AnswerRecord
from bot.observability.health import Health
from bot.observability.http import observability_server
from bot.storage import open_store
from tests.fakes import RecordingSink
from tests.helpers import free_port

from .apps import instrumented_app
from .scrape import get


async def connected() -> bool:
    return True


async def disconnected() -> bool:
    return False


@asynccontextmanager
async def served(
    app: App, *, platform: Callable[[], Awaitable[bool]] = connected
) -> AsyncIterator[str]:
    assert app.metrics is not None
    port = free_port()
    health = Health(platform_connected=platform, database_writable=app.database_writable)
    async with observability_server(
        health=health, metrics=app.metrics, port=port, host="127.0.0.1"
    ):
        yield f"http://127.0.0.1:{port}"


@asynccontextmanager
async def app_in(tmp_path: Path) -> AsyncIterator[App]:
    async with instrumented_app(tmp_path, sink=RecordingSink(), clock=ManualClock()) as app:
        yield app


@contextmanager
def write_lock_held(db: Path) -> Iterator[None]:
    """Another process's transaction holding the database's write lock."""
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_healthz_answers_200_and_a_small_json_body_when_all_is_well(tmp_path: Path) -> None:
    async with app_in(tmp_path) as app, served(app) as url:
        answer = await get(url + "/healthz")

    assert (answer.status, answer.content_type) == (200, "application/json; charset=utf-8")
    assert answer.json() == {"status": "ok", "platform": "connected", "database": "writable"}


async def test_healthz_answers_503_naming_the_platform_when_it_is_disconnected(
    tmp_path: Path,
) -> None:
    async with app_in(tmp_path) as app, served(app, platform=disconnected) as url:
        answer = await get(url + "/healthz")

    assert answer.status == 503
    assert answer.json() == {
        "status": "failing",
        "platform": "disconnected",
        "database": "writable",
        "failing": ["platform"],
    }


async def test_healthz_answers_503_naming_the_database_while_another_process_holds_its_lock(
    tmp_path: Path,
) -> None:
    async with app_in(tmp_path) as app, served(app) as url:
        with write_lock_held(tmp_path / "trivia.db"):
            started = time.perf_counter()
            locked = await get(url + "/healthz")
            waited = time.perf_counter() - started
        released = await get(url + "/healthz")

    assert locked.status == 503
    assert locked.json()["database"] == "not writable"
    assert locked.json()["failing"] == ["database"]
    assert waited < 2.0  # the app waits 0.5 s for the lock, never the 5 s busy timeout
    assert released.status == 200


async def test_a_check_that_hangs_counts_as_failing_within_the_timeout() -> None:
    async def hangs() -> bool:
        await asyncio.Event().wait()
        return True

    health = Health(platform_connected=hangs, database_writable=connected, timeout=0.05)
    report = await health.check()

    assert (report.ok, report.platform_connected, report.database_writable) == (False, False, True)


async def test_a_check_that_raises_counts_as_failing() -> None:
    async def broken() -> bool:
        raise RuntimeError("the connection object is gone")

    report = await Health(platform_connected=connected, database_writable=broken).check()

    assert report.as_json()["failing"] == ["database"]


# -- the store's check --------------------------------------------------------------------


async def test_the_store_is_writable_again_once_the_lock_is_released_with_its_timeout_intact(
    tmp_path: Path,
) -> None:
    store = await open_store(tmp_path / "trivia.db")
    try:
        assert await store.check_writable(lock_wait=0.05)
        with write_lock_held(tmp_path / "trivia.db"):
            started = time.perf_counter()
            assert not await store.check_writable(lock_wait=0.05)
            assert time.perf_counter() - started < 1.0
        assert await store.check_writable(lock_wait=0.05)
        settings = await store.connection_settings()
    finally:
        await store.close()

    assert settings.busy_timeout_ms == 5000  # the check's short wait did not stick


async def test_the_stores_own_writes_are_never_mistaken_for_a_lock(tmp_path: Path) -> None:
    channel = ChannelKey("test", "g", "c")
    store = await open_store(tmp_path / "trivia.db")
    try:
        writes = [
            store.record_answers(
                [
                    AnswerRecord(
                        player=PlayerKey("test", "g", f"p{i}"),
                        name=f"p{i}",
                        channel=channel,
                        game_id="g1",
                        question_id=f"q{i}",
                        correct=True,
                        points=10,
                        answer_ms=500,
                        streak=1,
                        at=datetime(2025, 1, 1, tzinfo=UTC),
                    )
                ]
            )
            for i in range(200)
        ]
        checks = [store.check_writable(lock_wait=0.05) for _ in range(20)]
        *_, results = await asyncio.gather(*writes, asyncio.gather(*checks))
    finally:
        await store.close()

    assert results == [True] * 20


async def test_a_closed_store_is_not_writable(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "trivia.db")
    await store.close()

    assert not await store.check_writable()
