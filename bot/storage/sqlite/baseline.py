"""The fair baseline for the store's group commit: plain sqlite3, one transaction per answer.

An answer is five index-maintained rows (the log row, the player's totals and
three period totals), so comparing the store's answers/s with a one-row
INSERT+COMMIT loop compares five writes with one.  This runs the store's own
schema and statements synchronously, one ``BEGIN IMMEDIATE``..``COMMIT`` per
answer, with the same pragmas: what "no group commit, no thread hop" achieves.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from bot.storage.periods import KIND_ALL, KIND_DAY, KIND_WEEK, week_start_day
from bot.storage.sqlite import sql
from bot.storage.sqlite.schema import load_migrations

_AT_US = 1_715_774_400_000_000  # 2024-05-15 12:00 UTC
_DAY = _AT_US // 86_400_000_000


def raw_answer_commits_per_second(path: Path, *, answers: int = 5000, players: int = 1000) -> float:
    """Answers/s committed one per transaction through plain sqlite3 into a new database."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        for migration in load_migrations():
            for statement in migration.statements:
                conn.execute(statement)
        server_id = conn.execute(
            "INSERT INTO servers (platform, server) VALUES ('baseline', 'baseline') RETURNING id"
        ).fetchone()[0]
        periods = ((KIND_ALL, 0), (KIND_WEEK, week_start_day(_DAY)), (KIND_DAY, _DAY))
        started = time.perf_counter()
        for index in range(answers):
            user = f"u{index % players}"
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql.UPSERT_PLAYER, (server_id, user, user, user, 1, 1, 1, 1, 900, 0, 0))
            (player_id,) = conn.execute(
                "SELECT id FROM players WHERE server_id = ? AND user_id = ?", (server_id, user)
            ).fetchone()
            conn.execute(
                sql.INSERT_ANSWER, (player_id, "c", "g", f"q{index}", 1, 1, 900, 1, _AT_US)
            )
            for kind, start in periods:
                conn.execute(
                    sql.UPSERT_PERIOD_TOTAL, (server_id, kind, start, player_id, 1, 1, _AT_US)
                )
            conn.execute("COMMIT")
        return answers / (time.perf_counter() - started)


def raw_rows_per_second(path: Path, *, seconds: float = 1.0) -> float:
    """The baseline: plain sqlite3, one INSERT and one COMMIT per row."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v INTEGER, s TEXT)")
        rows = 0
        started = time.perf_counter()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            for _ in range(100):
                conn.execute("BEGIN")
                conn.execute("INSERT INTO t (v, s) VALUES (?, ?)", (rows, "x"))
                conn.execute("COMMIT")
                rows += 1
        return rows / (time.perf_counter() - started)
    finally:
        conn.close()
