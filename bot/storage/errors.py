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


class StoreOpenError(RuntimeError):
    """The database cannot be opened: a folder that is missing or read-only, a file
    that is no database.  The message says which, and what to do about it."""
