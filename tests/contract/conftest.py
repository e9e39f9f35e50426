"""The backends that must pass the ``ScoreStore`` contract.

Each entry of ``BACKENDS`` turns a test's ``tmp_path`` into a :class:`Backend`:
a way to open a store on *one* database private to that test, any number of
times (the reopen tests close a store and open the same database again).

PostgreSQL runs in a schema of the test database made for the test alone
(``tests/services.py``): skipped, with the address and the error, where the
server cannot be reached, and failed instead under ``TRIVIA_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.ports import SharedStore, TriviaStore
from bot.storage.sql_store import SqlScoreStore
from bot.storage.sqlite.store import open_sqlite_store
from tests.fake_shared import MemorySharedStore
from tests.fakes import MemoryScoreStore


@dataclass(frozen=True, slots=True)
class Backend:
    name: str
    open: Callable[[], Awaitable[TriviaStore]]


def sqlite_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    path = tmp_path / "scores.db"

    async def open_store() -> TriviaStore:
        return await open_sqlite_store(path)

    return Backend("sqlite", open_store)


def memory_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """``tests.fakes.MemoryScoreStore``, the double the service tests run on. Its "database"
    is the data of the first store this backend opens: every later open is a new handle on
    that same data (``MemoryScoreStore.reopen``), as opening the same file again would be."""
    opened: list[MemoryScoreStore] = []

    async def open_store() -> TriviaStore:
        store = opened[0].reopen() if opened else MemoryScoreStore()
        opened.append(store)
        return store

    return Backend("memory", open_store)


def postgres_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    dsn: str = request.getfixturevalue("postgres_dsn")

    async def open_store() -> TriviaStore:
        from bot.storage.postgres.store import open_postgres_store

        return await open_postgres_store(dsn)

    return Backend("postgres", open_store)


BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], Backend]] = {
    "sqlite": sqlite_backend,
    "memory": memory_backend,
    "postgres": postgres_backend,
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return BACKENDS[request.param](request, tmp_path)


@pytest.fixture
async def shared(backend: Backend) -> AsyncIterator[SharedStore]:
    """What the processes of one bot share (leases, turns, facts, last servers): the SQL
    stores themselves; for "memory", ``tests.fake_shared.MemorySharedStore`` on the system
    clock, the double the lease keeper's unit tests run on."""
    if backend.name == "memory":
        yield MemorySharedStore(SystemClock())
        return
    opened = await backend.open()
    assert isinstance(opened, SqlScoreStore)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[TriviaStore]:
    opened = await backend.open()
    try:
        yield opened
    finally:
        await opened.close()
