"""``MemoryScheduleStore``: ``bot.ports.ScheduleStore`` in memory.

The firing loop's tests run on it with the manual clock (the SQL stores answer from a
thread, which the manual clock cannot wait for); ``tests/contract/test_schedules.py``
runs it through the same contract as SQLite and PostgreSQL, so it behaves as they do.
Two runners given the same instance share one "database".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.model import ServerKey
from bot.domain.schedule import Schedule


class MemoryScheduleStore:
    def __init__(self) -> None:
        self._schedules: dict[int, Schedule] = {}
        self._firings: dict[tuple[int, datetime], str] = {}
        self._reminders: dict[tuple[int, datetime], str] = {}
        self._seasons: dict[tuple[ServerKey, str], str] = {}
        self._next_id = 1

    async def close(self) -> None:
        return None

    async def add_schedule(self, schedule: Schedule) -> Schedule:
        if schedule.created is None:
            raise ValueError("a schedule is stored with the time it was created")
        stored = replace(schedule, id=self._next_id)
        self._schedules[self._next_id] = stored
        self._next_id += 1
        return stored

    async def schedules(self, server: ServerKey | None = None) -> list[Schedule]:
        return [
            schedule
            for _, schedule in sorted(self._schedules.items())
            if server is None or schedule.server == server
        ]

    async def set_schedule_paused(self, server: ServerKey, schedule_id: int, paused: bool) -> bool:
        found = self._schedules.get(schedule_id)
        if found is None or found.server != server:
            return False
        self._schedules[schedule_id] = replace(found, paused=paused)
        return True

    async def remove_schedule(self, server: ServerKey, schedule_id: int) -> bool:
        found = self._schedules.get(schedule_id)
        if found is None or found.server != server:
            return False
        del self._schedules[schedule_id]
        for claims in (self._firings, self._reminders):
            for key in [key for key in claims if key[0] == schedule_id]:
                del claims[key]
        return True

    async def claim_firing(self, schedule_id: int, due_at: datetime, holder: str) -> bool:
        if not holder:
            raise ValueError("a firing's holder cannot be empty")
        key = (schedule_id, due_at)
        if schedule_id not in self._schedules or key in self._firings:
            return False
        self._firings[key] = holder
        return True

    async def last_firing(self, schedule_id: int) -> datetime | None:
        dues = [due for sid, due in self._firings if sid == schedule_id]
        return max(dues, default=None)

    async def claim_reminder(self, schedule_id: int, due_at: datetime, holder: str) -> bool:
        if not holder:
            raise ValueError("a reminder's holder cannot be empty")
        key = (schedule_id, due_at)
        if schedule_id not in self._schedules or key in self._reminders:
            return False
        self._reminders[key] = holder
        return True

    async def claim_season_results(self, server: ServerKey, season: str, holder: str) -> bool:
        if not holder:
            raise ValueError("a season's results' holder cannot be empty")
        if (server, season) in self._seasons:
            return False
        self._seasons[(server, season)] = holder
        return True
