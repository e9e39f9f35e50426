"""Durable scores: ``open_store`` chooses the backend, the rest is shared by all of them.

``open_store(location)`` is the one place a backend is chosen: every caller
(the app, the CLI, the bench) opens its store through it.  SQLite is the
embedded default (``sqlite/``: its SQL, rows, transactions, schema,
migrations and maintenance).  Backend-neutral pieces: ``periods`` (UTC days,
weeks from Monday), ``write_plan`` (folding a batch of writes into totals),
``group_commit`` (many callers, one transaction), ``read_rows`` and
``records_json`` (rows -> records), ``bench`` (synthetic load).  Every backend
must pass ``tests/contract``.
"""

from __future__ import annotations

from pathlib import Path

from bot.ports import OperatedStore
from bot.storage.errors import SchemaError, StoreClosedError
from bot.storage.sqlite.store import SqliteScoreStore, open_sqlite_store

__all__ = ["SchemaError", "SqliteScoreStore", "StoreClosedError", "open_store"]


async def open_store(location: Path | str) -> OperatedStore:
    """The store at ``location``: a SQLite file's path (created with its folders if
    missing), or ``sqlite:///PATH``.  Applies pending migrations; raises
    ``SchemaError`` for a database written by a newer trivia-bot."""
    text = str(location)
    if text.startswith("sqlite://"):
        text = text.removeprefix("sqlite://")
    return await open_sqlite_store(text)
