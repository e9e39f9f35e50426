"""Durable scores: the ``ScoreStore`` implementations and what they share.

``open_sqlite_store`` is the default backend (``sqlite``, SQL in ``sqlite_sql``,
schema in ``migrations/``).  Backend-neutral pieces: ``periods`` (UTC days,
weeks from Monday), ``write_plan`` (folding a batch of writes into totals),
``group_commit`` (many callers, one transaction), ``bench`` (synthetic load).
Every backend must pass ``tests/contract``.
"""

from bot.storage.errors import SchemaError, StoreClosedError
from bot.storage.sqlite.store import SqliteScoreStore, open_sqlite_store

__all__ = ["SchemaError", "SqliteScoreStore", "StoreClosedError", "open_sqlite_store"]
