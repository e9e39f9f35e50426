"""Durable scores: ``open_store`` chooses the backend, the rest is shared by all
of them.

``open_store(location)`` is the one place a backend is chosen: every caller
(the app, the CLI, the bench) opens its store through it.  SQLite is the
embedded default (``sqlite/``: its SQL, rows, transactions, schema, migrations
and maintenance); PostgreSQL (``postgres/``) is the store for bots that run as
several processes.  ``sql_store`` is the API they share.  Backend-neutral
pieces: ``periods`` (UTC days, weeks from Monday), ``write_plan`` (folding a
batch of writes into totals), ``group_commit`` (many callers, one transaction),
``read_rows`` and ``records_json`` (rows -> records), ``shared_store`` (what the
processes of one bot share: leases, paced turns, facts, last servers; fencing is in
``fencing`` and each backend's), ``game_state_json`` (a running game's saved state),
``bench`` (synthetic load; the stores it runs on are ``bot.app.bench_scratch``),
``bulk``, ``copying`` and ``copy_check`` (``db copy``: every table moved to another
database, then both read back and compared). Every backend must pass
``tests/contract``.
"""

from __future__ import annotations

from pathlib import Path

from bot.ports import OperatedStore
from bot.storage.errors import SchemaError, StoreClosedError, StoreOpenError
from bot.storage.location import is_postgres, masked, sqlite_path
from bot.storage.sqlite.store import SqliteScoreStore, open_sqlite_store

__all__ = ["SchemaError", "SqliteScoreStore", "StoreClosedError", "open_store"]


async def open_store(location: Path | str) -> OperatedStore:
    """The store at ``location`` (``bot.storage.location``): a SQLite file (created
    with its folders if missing) or a PostgreSQL database (``postgresql://...``).

    Applies pending migrations; raises ``StoreOpenError`` when the database cannot
    be opened, ``SchemaError`` for one written by a newer trivia-bot.
    """
    if is_postgres(location):
        # asyncpg comes with the postgres extra: imported only when asked for.
        try:
            from bot.storage.postgres.store import open_postgres_store
        except ModuleNotFoundError as exc:
            raise StoreOpenError(
                f"TRIVIA_DB names a PostgreSQL database ({masked(location)}), but asyncpg "
                "is not installed here: pip install 'trivia-bot[postgres]' (in a checkout, "
                "`make postgres`)."
            ) from exc
        return await open_postgres_store(str(location))
    return await open_sqlite_store(sqlite_path(location))
