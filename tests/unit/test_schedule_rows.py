"""A stored schedule that can no longer be used (its zone gone from the host's tz
database) is left out with an error logged; the others still load, fire and go."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from bot.domain.model import ServerKey
from bot.domain.schedule import Schedule, ScheduleKind, parse_days
from bot.storage.sqlite.store import open_sqlite_store

GUILD = ServerKey("discord", "guild-1")


async def test_a_schedule_whose_zone_is_gone_is_left_out_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "trivia.db"
    store = await open_sqlite_store(path)
    try:
        good = Schedule(
            server=GUILD,
            channel="general",
            kind=ScheduleKind.DAILY_QUESTION,
            at=time(9, 0),
            zone="UTC",
            days=parse_days("daily"),
            created=datetime(2026, 1, 1, tzinfo=UTC),
        )
        first = await store.add_schedule(good)
        second = await store.add_schedule(good)
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schedules SET zone = 'Mars/Olympus_Mons' WHERE id = ?", (first.id,))
    conn.close()

    store = await open_sqlite_store(path)
    try:
        assert await store.schedules(GUILD) == [second]
        assert first.id is not None
        assert await store.remove_schedule(GUILD, first.id)
    finally:
        await store.close()
    assert f"schedule {first.id} cannot be used and is left out: unknown time zone" in caplog.text
