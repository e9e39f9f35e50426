"""The backends that must pass the ``ScoreStore`` contract.

Each entry of ``BACKENDS`` turns a test's ``tmp_path`` into a :class:`Backend`:
a way to open a store on *one* database private to that test, any number of
times (the reopen tests close a store and open the same database again).

To add PostgreSQL: write a factory that reads a DSN from the environment (say
``TRIVIA_TEST_POSTGRES_DSN``), calls ``pytest.skip("PostgreSQL contract tests
need TRIVIA_TEST_POSTGRES_DSN")`` when it is unset or the server does not
answer, creates a fresh schema or database for the test, and returns a
``Backend`` whose ``open`` connects to it; then add it to ``BACKENDS``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.ports import TriviaStore
from bot.storage.sqlite.store import open_sqlite_store
from tests.fakes import MemoryScoreStore


@dataclass(frozen=True, slots=True)
class Backend:
    name: str
    open: Callable[[], Awaitable[TriviaStore]]


def sqlite_backend(tmp_path: Path) -> Backend:
    path = tmp_path / "scores.db"

    async def open_store() -> TriviaStore:
        return await open_sqlite_store(path)

    return Backend("sqlite", open_store)


def memory_backend(tmp_path: Path) -> Backend:
    """``tests.fakes.MemoryScoreStore``, the double the service tests run on. Its "database"
    is the data of the first store this backend opens: every later open is a new handle on
    that same data (``MemoryScoreStore.reopen``), as opening the same file again would be."""
    opened: list[MemoryScoreStore] = []

    async def open_store() -> TriviaStore:
        store = opened[0].reopen() if opened else MemoryScoreStore()
        opened.append(store)
        return store

    return Backend("memory", open_store)


BACKENDS: dict[str, Callable[[Path], Backend]] = {
    "sqlite": sqlite_backend,
    "memory": memory_backend,
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return BACKENDS[request.param](tmp_path)


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[TriviaStore]:
    opened = await backend.open()
    try:
        yield opened
    finally:
        await opened.close()
