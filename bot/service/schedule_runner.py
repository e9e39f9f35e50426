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
claimed by a process that can act on it, never by one of another platform.  Where a
server may be served by whichever process takes it first (``take``: a Slack workspace
whose lease nobody holds), a runner with something due there takes it, then acts.

A weekly quiz's reminder (``remind``) is claimed the same way, apart from its firing
(``ScheduleStore.claim_reminder``): once the reminder's time has come and before the
quiz's, by one process.  A bot down for the whole of that span posts none.

``chores`` is what else the loop does on each pass (closing the daily questions whose
window ended, posting a season's results) and when it next needs a pass.

``run`` repeats passes, sleeping on the clock until the next due time, reminder or
chore, at most ``poll`` seconds (schedules added, paused or removed by another process
are seen by then).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from bot.domain.model import ServerKey
from bot.domain.schedule import Due, Schedule
from bot.ports import Clock, ScheduleStore

log = logging.getLogger(__name__)

#: The longest the loop sleeps between two passes, in seconds.
DEFAULT_POLL: Final = 60.0

Fire = Callable[[Schedule, Due], Awaitable[None]]
Note = Callable[[Schedule, Due, str], Awaitable[None]]
Remind = Callable[[Schedule, Due], Awaitable[None]]


class Chores(Protocol):
    """What the loop does on each pass besides firing schedules."""

    async def run(self, now: datetime) -> None: ...

    async def next_at(self, now: datetime) -> datetime | None:
        """When a pass is next needed for them (None, or a past instant: no sooner than
        the loop's poll)."""
        ...


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
        remind: Remind | None = None,
        chores: Chores | None = None,
        take: Callable[[ServerKey], Awaitable[bool]] | None = None,
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
        self._remind = remind
        self._chores = chores
        self._take = take

    async def tick(self) -> list[Fired]:
        """One pass at the clock's now: what was fired or skipped, oldest first per schedule."""
        now = self._clock.now()
        done: list[Fired] = []
        for schedule in await self._store.schedules():
            try:
                if not self._serves(schedule.server) and not await self._taken(schedule, now):
                    continue
                done += await self._pass(schedule, now)
            except Exception:
                # One schedule's failure (its fire, a bad row) never stops the others.
                log.exception("schedule %s of %s failed", schedule.id, schedule.server)
        if self._chores is not None:
            try:
                await self._chores.run(now)
            except Exception:
                log.exception("the schedules' chores failed; trying again next pass")
        return done

    async def _taken(self, schedule: Schedule, now: datetime) -> bool:
        """Whether this process took ``schedule``'s server, nobody serving it, because
        something of it is due now (``take``)."""
        if self._take is None or schedule.paused or schedule.id is None:
            return False
        since = await self._store.last_firing(schedule.id) or schedule.created or now
        due = any(True for _ in schedule.due_between(since, now))
        reminder = self._remind is not None and schedule.reminder_due(now) is not None
        if not (due or reminder):
            return False
        taken = await self._take(schedule.server)
        if taken:
            log.info("took %s to act on its schedule %s", schedule.server, schedule.id)
        return taken and self._serves(schedule.server)

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
        soon = schedule.reminder_due(now) if self._remind is not None else None
        if soon is not None and await self._store.claim_reminder(
            schedule.id, soon.at, self._holder
        ):
            assert self._remind is not None
            await self._remind(schedule, soon)
        return done

    async def next_wake(self) -> float:
        """Seconds until the next pass: the next due time or reminder of an active
        schedule, or the chores' next instant, at most ``poll``."""
        now = self._clock.now()
        wanted: list[datetime] = []
        for schedule in await self._store.schedules():
            if not schedule.paused and (self._serves(schedule.server) or self._take):
                wanted.append(schedule.next_due(now))
                reminder = schedule.next_reminder(now) if self._remind is not None else None
                if reminder is not None:
                    wanted.append(reminder)
        if self._chores is not None:
            chore = await self._chores.next_at(now)
            # A past one is another process's to do (a round of a server this one does
            # not serve): waiting for it would spin; the poll looks again.
            if chore is not None and chore > now:
                wanted.append(chore)
        wait = min([self._poll, *((at - now).total_seconds() for at in wanted)])
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
