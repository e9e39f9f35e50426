"""Schedules and their firings (``bot.ports.ScheduleStore``), once for every SQL backend.

Like ``bot.storage.shared_store``: each operation is one statement of the dialect's SQL
module in a transaction of its own, outside the group-commit writer's queue, so a claim
is known at once.  That a due time fires once is the database's to settle: the claim is
an ``INSERT ... ON CONFLICT DO NOTHING`` on the primary key (schedule, due time), which
exactly one process's statement gets a row from.
"""

from __future__ import annotations

import contextlib
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from types import ModuleType
from typing import Any

from bot.domain.model import ServerKey
from bot.domain.schedule import Schedule, ScheduleError, ScheduleKind, parse_time
from bot.storage.periods import from_epoch_us, to_epoch_us
from bot.storage.shared_store import Statement

log = logging.getLogger(__name__)


def schedule_params(schedule: Schedule) -> tuple[object, ...]:
    """``ADD_SCHEDULE``'s parameters."""
    if schedule.created is None:
        raise ValueError("a schedule is stored with the time it was created")
    return (
        schedule.server.platform,
        schedule.server.server,
        schedule.channel,
        schedule.kind.value,
        f"{schedule.at:%H:%M}",
        schedule.zone,
        ",".join(str(day) for day in sorted(schedule.days)),
        None if schedule.closes is None else f"{schedule.closes:%H:%M}",
        schedule.category,
        schedule.difficulty,
        json.dumps(dict(schedule.options), sort_keys=True),
        int(schedule.paused),
        to_epoch_us(schedule.created),
        schedule.remind,
    )


def schedule_row(row: Sequence[Any]) -> Schedule:
    """A row of ``_SCHEDULE_COLUMNS`` -> its schedule."""
    (id_, platform, server, channel, kind, at, zone, days, closes, category, difficulty) = row[:11]
    options, paused, created_us, remind = row[11:]
    loaded: dict[str, str] = json.loads(options)
    return Schedule(
        id=int(id_),
        server=ServerKey(platform, server),
        channel=channel,
        kind=ScheduleKind(kind),
        at=parse_time(at),
        zone=zone,
        days=frozenset(int(day) for day in days.split(",")),
        closes=None if closes is None else parse_time(closes),
        category=category,
        difficulty=difficulty,
        options=tuple(sorted(loaded.items())),
        paused=bool(paused),
        created=from_epoch_us(int(created_us)),
        remind=int(remind),
    )


class ScheduleSqlStore(ABC):
    """``bot.ports.ScheduleStore`` over a dialect's SQL (see the module docstring)."""

    _sql: ModuleType

    @abstractmethod
    def _usable(self) -> contextlib.AbstractContextManager[None]: ...

    @abstractmethod
    async def _fetch(self, query: str, params: Sequence[object]) -> list[Sequence[Any]]: ...

    @abstractmethod
    async def _write_now(
        self, first: Statement, otherwise: Statement | None = None
    ) -> tuple[list[Sequence[Any]], list[Sequence[Any]]]: ...

    async def add_schedule(self, schedule: Schedule) -> Schedule:
        with self._usable():
            rows, _ = await self._write_now((self._sql.ADD_SCHEDULE, schedule_params(schedule)))
        return _with_id(schedule, int(rows[0][0]))

    async def schedules(self, server: ServerKey | None = None) -> list[Schedule]:
        with self._usable():
            if server is None:
                rows = await self._fetch(self._sql.ALL_SCHEDULES, ())
            else:
                rows = await self._fetch(
                    self._sql.SCHEDULES_OF_SERVER, (server.platform, server.server)
                )
        loaded: list[Schedule] = []
        for row in rows:
            try:
                loaded.append(schedule_row(row))
            except ScheduleError as exc:
                # A zone the host's tz database no longer knows must not stop the others.
                log.error("schedule %s cannot be used and is left out: %s", row[0], exc)
        return loaded

    async def set_schedule_paused(self, server: ServerKey, schedule_id: int, paused: bool) -> bool:
        params = (server.platform, server.server, schedule_id, int(paused))
        with self._usable():
            rows, _ = await self._write_now((self._sql.SET_SCHEDULE_PAUSED, params))
        return bool(rows)

    async def remove_schedule(self, server: ServerKey, schedule_id: int) -> bool:
        params = (server.platform, server.server, schedule_id)
        with self._usable():
            rows, _ = await self._write_now((self._sql.REMOVE_SCHEDULE, params))
        return bool(rows)

    async def claim_firing(self, schedule_id: int, due_at: datetime, holder: str) -> bool:
        if not holder:
            raise ValueError("a firing's holder cannot be empty")
        params = (schedule_id, to_epoch_us(due_at), holder)
        with self._usable():
            rows, _ = await self._write_now((self._sql.CLAIM_FIRING, params))
        return bool(rows)

    async def last_firing(self, schedule_id: int) -> datetime | None:
        with self._usable():
            rows = await self._fetch(self._sql.LAST_FIRING, (schedule_id,))
        latest = rows[0][0] if rows else None
        return None if latest is None else from_epoch_us(int(latest))

    async def claim_reminder(self, schedule_id: int, due_at: datetime, holder: str) -> bool:
        if not holder:
            raise ValueError("a reminder's holder cannot be empty")
        params = (schedule_id, to_epoch_us(due_at), holder)
        with self._usable():
            rows, _ = await self._write_now((self._sql.CLAIM_REMINDER, params))
        return bool(rows)

    async def claim_season_results(self, server: ServerKey, season: str, holder: str) -> bool:
        if not holder:
            raise ValueError("a season's results' holder cannot be empty")
        params = (server.platform, server.server, season, holder)
        with self._usable():
            rows, _ = await self._write_now((self._sql.CLAIM_SEASON_RESULTS, params))
        return bool(rows)


def _with_id(schedule: Schedule, schedule_id: int) -> Schedule:

    return replace(schedule, id=schedule_id)
