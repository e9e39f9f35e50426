"""Errors a score store raises for misuse or a database it cannot work with."""

from __future__ import annotations


class StoreClosedError(RuntimeError):
    """The store was used after ``close()`` began."""


class SchemaError(RuntimeError):
    """The database schema cannot be used by this version of trivia-bot.

    Raised when the database was written by a newer trivia-bot, when a
    migration fails (that migration is rolled back), or when the bundled
    migrations themselves are malformed.
    """
