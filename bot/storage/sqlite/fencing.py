"""Fencing on SQLite: a write made under a lease lands only while its tenure lasts.

A process that holds a lease (``bot.coordination``) carries the lease's name and
epoch with each write it makes for that work.  The write path calls
:func:`lease_current` inside its transaction, after ``BEGIN IMMEDIATE`` and before it
writes, and rolls back (or leaves that part of the batch out) when it answers False.
``BEGIN IMMEDIATE`` holds the database's one write lock until the commit, and taking a
lease is a write, so no other process can begin a new tenure between the check and
the commit: a process that was paused past its lease, or cut off, changes nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from typing import Any

from bot.coordination import Fence
from bot.storage.fencing import refuse_stale
from bot.storage.sqlite import sql


def leases_of(conn: sqlite3.Connection, names: Collection[str]) -> list[Sequence[Any]]:
    """(name, holder, epoch, unexpired now) of each lease in ``names`` that exists.

    Call it inside a write transaction (``BEGIN IMMEDIATE``) on ``conn``; outside one
    the answer may be stale before it is used.
    """
    if not conn.in_transaction:
        raise RuntimeError("the fencing check must run inside the writing transaction")
    return conn.execute(sql.LEASES_OF_FENCES, (json.dumps(sorted(names)),)).fetchall()


def check_fences(conn: sqlite3.Connection, fences: Collection[Fence]) -> None:
    """Raise ``FencedOut`` unless every one of ``fences`` is current (``fencing``)."""
    refuse_stale(fences, leases_of(conn, {fence.name for fence in fences}))


def lease_current(conn: sqlite3.Connection, name: str, epoch: int) -> bool:
    """Whether tenure ``epoch`` of lease ``name`` is unexpired now (SQLite's clock)."""
    return any(row[2] == epoch and row[3] for row in leases_of(conn, [name]))
