"""The firing loop: each due time of each schedule fires once (issue #17).

A pass (``ScheduleRunner.tick``) reads every schedule from the store and, for each,
the due times between its last claimed one (or its creation) and now
(``Schedule.missed``): the latest still inside its window fires, the older ones are
skipped, each with a note.  Before anything is fired or noted its due time is claimed
in the store (``ScheduleStore.claim_firing``); only the process whose claim wins acts
on it, so several processes sharing one database, or one process restarted, fire a due
time once.  A due time reached while the bot runs takes the same path: it is simply
"missed" by less than the loop's sleep.

The claim is made before ``fire`` runs: a process that dies between the two loses that
firing rather than repeating it (at most once; a repeat is what players would see).

A paused schedule's due times are claimed silently as they pass, so resuming it does
not fire or note the days it was paused.

A runner acts only on the servers its process serves (``serves``: a Discord process
its shards' guilds, a Slack replica the workspaces it holds the lease of): a due time is
claimed by a process that can act on it, never by one of another platform.

``run`` repeats passes, sleeping on the clock until the next due time, at most
``poll`` seconds (schedules added, paused or removed by another process are seen by
then).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.domain.model import ServerKey
from bot.domain.schedule import Due, Schedule
from bot.ports import Clock, ScheduleStore

log = logging.getLogger(__name__)

#: The longest the loop sleeps between two passes, in seconds.
DEFAULT_POLL: Final = 60.0

Fire = Callable[[Schedule, Due], Awaitable[None]]
Note = Callable[[Schedule, Due, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Fired:
    """What one pass did with one due time: fired it (``late`` if after its time) or
    skipped it with ``note``."""

    schedule_id: int
    due: datetime
    late: bool = False
    note: str = ""

    @property
    def skipped(self) -> bool:
        return bool(self.note)


async def _no_note(schedule: Schedule, due: Due, note: str) -> None:
    return None


def _every_server(server: ServerKey) -> bool:
    return True


class ScheduleRunner:
    """Fires schedules' due times once each (see the module docstring)."""

    def __init__(
        self,
        store: ScheduleStore,
        *,
        clock: Clock,
        fire: Fire,
        holder: str,
        note: Note = _no_note,
        serves: Callable[[ServerKey], bool] = _every_server,
        poll: float = DEFAULT_POLL,
    ) -> None:
        if not holder:
            raise ValueError("the runner's holder names its process and cannot be empty")
        if not poll > 0:
            raise ValueError(f"poll must be a positive number of seconds, got {poll!r}")
        self._store = store
        self._clock = clock
        self._fire = fire
        self._note = note
        self._holder = holder
        self._poll = poll
        self._serves = serves

    async def tick(self) -> list[Fired]:
        """One pass at the clock's now: what was fired or skipped, oldest first per schedule."""
        now = self._clock.now()
        done: list[Fired] = []
        for schedule in await self._store.schedules():
            if not self._serves(schedule.server):
                continue
            try:
                done += await self._pass(schedule, now)
            except Exception:
                # One schedule's failure (its fire, a bad row) never stops the others.
                log.exception("schedule %s of %s failed", schedule.id, schedule.server)
        return done

    async def _pass(self, schedule: Schedule, now: datetime) -> list[Fired]:
        if schedule.id is None:
            return []
        since = await self._store.last_firing(schedule.id) or schedule.created or now
        if schedule.paused:
            for passed in schedule.due_between(since, now):
                await self._store.claim_firing(schedule.id, passed.at, self._holder)
            return []
        missed = schedule.missed(since, now)
        done: list[Fired] = []
        for skipped, why in zip(missed.skipped, missed.notes, strict=True):
            if await self._store.claim_firing(schedule.id, skipped.at, self._holder):
                log.warning("schedule %s: %s", schedule.id, why)
                await self._note(schedule, skipped, why)
                done.append(Fired(schedule.id, skipped.at, note=why))
        due = missed.late
        if due is not None and await self._store.claim_firing(schedule.id, due.at, self._holder):
            if due.note:
                await self._note(schedule, due, due.note)
            await self._fire(schedule, due)
            done.append(Fired(schedule.id, due.at, late=now > due.at))
        return done

    async def next_wake(self) -> float:
        """Seconds until the next pass: the next due time of an active schedule, at most
        ``poll``."""
        now = self._clock.now()
        wait = self._poll
        for schedule in await self._store.schedules():
            if not schedule.paused and self._serves(schedule.server):
                wait = min(wait, (schedule.next_due(now) - now).total_seconds())
        return max(wait, 0.0)

    async def run(self) -> None:
        """Passes until cancelled."""
        while True:
            try:
                await self.tick()
                wait = await self.next_wake()
            except Exception:
                log.exception("a pass of the schedules failed; trying again in %.0f s", self._poll)
                wait = self._poll
            await self._clock.sleep_until(self._clock.monotonic() + wait)
