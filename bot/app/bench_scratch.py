"""Scratch stores for ``trivia-bot bench``: the backend of a location, never its data.

A bench writes hundreds of thousands of rows and times raw commits; none of it may
land in the operator's database.  :func:`open_scratch` gives a :class:`Scratch`
for the backend a location names, and every store it opens is new and goes away
afterwards:

- SQLite: a file in a temporary folder (removed with the folder);
- PostgreSQL: a schema of its own, created for the phase inside the URL's database
  and dropped (``CASCADE``) when the phase ends, whatever happened in it
  (``bot.storage.postgres.bench``).

Each backend also measures its raw baselines there: one row per commit, and one
answer (the store's five rows) per commit, without group commit.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Protocol

from bot.ports import OperatedStore
from bot.storage.errors import StoreOpenError
from bot.storage.location import is_postgres, sqlite_path
from bot.storage.sqlite.baseline import raw_answer_commits_per_second, raw_rows_per_second
from bot.storage.sqlite.store import open_sqlite_store


class Scratch(Protocol):
    """Where one backend's bench phases run."""

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        ...

    def store(self, name: str) -> AbstractAsyncContextManager[OperatedStore]:
        """A new, empty store (migrated) for one phase; gone after it."""
        ...

    async def raw_rows_per_second(self) -> float:
        """The backend's own driver, one one-row INSERT per commit."""
        ...

    async def raw_answer_commits_per_second(self) -> float:
        """One answer (the store's statements) per transaction, no group commit."""
        ...


class SqliteScratch:
    """Files in ``directory`` (a temporary folder its owner removes)."""

    backend = "sqlite"

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    @asynccontextmanager
    async def store(self, name: str) -> AsyncIterator[OperatedStore]:
        store = await open_sqlite_store(self._directory / f"{name}.db")
        try:
            yield store
        finally:
            await store.close()

    async def raw_rows_per_second(self) -> float:
        return raw_rows_per_second(self._directory / "raw.db")

    async def raw_answer_commits_per_second(self) -> float:
        return raw_answer_commits_per_second(self._directory / "same.db")


@asynccontextmanager
async def open_scratch(
    location: Path | str | None,
    *,
    directory: Path | None = None,
    say: Callable[[str], None] | None = None,
) -> AsyncIterator[Scratch]:
    """Scratch stores of ``location``'s backend (SQLite when None or a file).

    SQLite's go in a temporary folder under ``directory`` (default: beside the
    file ``location`` names, else the system's temporary folder).  ``say`` hears
    the name of every PostgreSQL schema created and dropped.
    """
    if location is not None and is_postgres(location):
        # asyncpg comes with the postgres extra: imported only when asked for.
        try:
            from bot.storage.postgres.bench import PostgresScratch
        except ModuleNotFoundError as exc:
            raise StoreOpenError(
                "Benching PostgreSQL needs asyncpg: pip install 'trivia-bot[postgres]'."
            ) from exc
        yield PostgresScratch(str(location), say=say)
        return
    if directory is None and location is not None:
        directory = sqlite_path(location).resolve().parent
    with tempfile.TemporaryDirectory(dir=directory, prefix="trivia-bench-") as tmp:
        yield SqliteScratch(Path(tmp))
