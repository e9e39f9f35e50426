"""What a schedule does when it comes due in a running bot (issue #17).

``ScheduledPlay`` is the firing loop's (``schedule_runner``) other half, one per bot
process, acting only for the servers that process serves:

- a **daily question**'s due time opens a round (``DailyRounds.open_round``: the daily
  desk draws, stores and posts it); a round whose window has ended is revealed on the
  next pass (``close_due``), the loop waking for it (``next_close``);
- a **weekly quiz**'s due time starts a game in its channel through the service's own
  start path (``TriviaService.start_scheduled``), started by the schedule itself (a
  system actor, an admin of nobody's server) with the server's defaults under the
  schedule's own options.  A quiz that cannot start (a game already runs there, no
  question fits) is skipped, logged, and the channel told (``QuizSkipped``);
- its **reminder** (``QuizReminder``) comes the schedule's ``remind`` minutes before;
- a **season's results** (``SeasonResults``) are posted once the season has ended, once
  per server (claimed in the database), in each channel of its active schedules.

A due time skipped after a downtime shows nothing to players: the loop logs it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Final, Protocol

from bot.domain.commands import StartGame
from bot.domain.daily import DailyRound, Season, SeasonLength
from bot.domain.events import QuizReminder, QuizSkipped, SeasonResults
from bot.domain.model import Actor, ChannelKey, GameMode, PlayerKey, ServerKey
from bot.domain.schedule import Due, Schedule, ScheduleKind
from bot.domain.schedule_words import local_time
from bot.ports import Clock, EventSink, ScheduleStore, ScoreStore
from bot.service.schedule_runner import DEFAULT_POLL, ScheduleRunner
from bot.service.trivia import TriviaService

log = logging.getLogger(__name__)

#: Who starts a scheduled quiz, as players read it ("started by ...").
SCHEDULE_NAME: Final = "the weekly quiz schedule"
#: A firing this much after its time is said to be late (the bot was not running).
LATE_AFTER: Final = timedelta(minutes=1)
#: How long after a season's end its results may still be posted (after a downtime);
#: later, a results post would be news nobody waits for.
RESULTS_WITHIN: Final = timedelta(days=3)
#: How many players a season's results name.
RESULTS_ROWS: Final = 10


class DailyRounds(Protocol):
    """The daily question's desk, as the firing loop drives it."""

    async def open_round(
        self, schedule: Schedule, due: Due, *, note: str = ""
    ) -> DailyRound | None: ...

    async def close_due(
        self, now: datetime, *, serves: Callable[[ServerKey], bool] | None = None
    ) -> int: ...

    async def next_close(self) -> datetime | None: ...


def channel_of(schedule: Schedule) -> ChannelKey:
    return ChannelKey(schedule.server.platform, schedule.server.server, schedule.channel)


def schedule_actor(schedule: Schedule) -> Actor:
    """The schedule as the one who starts its quiz: no player's id can be the same."""
    user = f"schedule-{schedule.id}"
    key = PlayerKey(schedule.server.platform, schedule.server.server, user)
    return Actor(key=key, name=SCHEDULE_NAME, is_admin=True)


def quiz_command(schedule: Schedule) -> StartGame:
    """The ``StartGame`` a weekly quiz's due time sends: its own options (checked when it
    was added), ``None`` for the rest, which the server's defaults fill in."""
    options = schedule.option_map
    return StartGame(
        channel=channel_of(schedule),
        actor=schedule_actor(schedule),
        rounds=int(options["rounds"]) if "rounds" in options else None,
        seconds=float(options["seconds"]) if "seconds" in options else None,
        mode=GameMode(options["mode"]) if "mode" in options else None,
        category=schedule.category,
        difficulty=schedule.difficulty,
    )


class ScheduledPlay:
    """Fires one process's schedules (see the module docstring)."""

    def __init__(
        self,
        *,
        service: TriviaService,
        schedules: ScheduleStore,
        scores: ScoreStore,
        sink: EventSink,
        clock: Clock,
        holder: str,
        serves: Callable[[ServerKey], bool],
        daily: DailyRounds | None,
    ) -> None:
        self._service = service
        self._schedules = schedules
        self._scores = scores
        self._sink = sink
        self._clock = clock
        self._holder = holder
        self._serves = serves
        self._daily = daily
        #: (server, season) pairs whose results need no more looking at by this process.
        self._seasons_done: set[tuple[ServerKey, str]] = set()

    def runner(
        self,
        *,
        poll: float = DEFAULT_POLL,
        take: Callable[[ServerKey], Awaitable[bool]] | None = None,
    ) -> ScheduleRunner:
        """The firing loop that drives this; ``take`` as ``ScheduleRunner``'s."""
        return ScheduleRunner(
            self._schedules,
            clock=self._clock,
            fire=self.fire,
            remind=self.remind,
            chores=self,
            holder=self._holder,
            serves=self._serves,
            poll=poll,
            take=take,
        )

    # -- a due time ---------------------------------------------------------------------

    async def fire(self, schedule: Schedule, due: Due) -> None:
        match schedule.kind:
            case ScheduleKind.DAILY_QUESTION:
                await self._open_daily(schedule, due)
            case ScheduleKind.WEEKLY_QUIZ:
                await self._start_quiz(schedule)

    async def _open_daily(self, schedule: Schedule, due: Due) -> None:
        if self._daily is None:
            log.error(
                "schedule %s: this bot keeps no daily questions (no daily store); not posted",
                schedule.id,
            )
            return
        await self._daily.open_round(schedule, due, note=self._late_note(schedule, due))

    def _late_note(self, schedule: Schedule, due: Due) -> str:
        """What players are told about a due time fired late or moved by daylight saving."""
        notes = [due.note] if due.note else []
        late = self._clock.now() - due.at
        if late >= LATE_AFTER:
            minutes = int(late.total_seconds() // 60)
            notes.append(
                f"posted {minutes} min late: the bot was not running at "
                f"{local_time(due.at, schedule)}"
            )
        return "; ".join(notes)

    async def _start_quiz(self, schedule: Schedule) -> None:
        command = quiz_command(schedule)
        refused = await self._service.start_scheduled(command)
        if refused is None:
            log.info("schedule %s started its quiz in %s", schedule.id, command.channel)
            return
        log.warning(
            "schedule %s: the quiz in %s did not start: %s", schedule.id, command.channel, refused
        )
        assert schedule.id is not None  # the runner fires stored schedules only
        await self._sink.publish(
            QuizSkipped(channel=command.channel, schedule_id=schedule.id, reason=refused)
        )

    async def remind(self, schedule: Schedule, due: Due) -> None:
        assert schedule.id is not None  # the runner reminds of stored schedules only
        options = schedule.option_map
        if "rounds" in options:
            rounds = int(options["rounds"])
        else:
            rounds = (await self._service.server_defaults(schedule.server)).rounds
        log.info("schedule %s: reminder of the quiz at %s", schedule.id, due.at.isoformat())
        await self._sink.publish(
            QuizReminder(
                channel=channel_of(schedule),
                schedule_id=schedule.id,
                starts_at=due.at,
                rounds=rounds,
                category=schedule.category,
            )
        )

    # -- chores on every pass -----------------------------------------------------------

    async def run(self, now: datetime) -> None:
        if self._daily is not None:
            await self._daily.close_due(now, serves=self._serves)
        await self._season_results(now)

    async def next_at(self, now: datetime) -> datetime | None:
        # Seasons end at the start of a UTC month (quarters too).
        wanted = [Season.containing(now, SeasonLength.MONTHLY).ends]
        if self._daily is not None and (closes := await self._daily.next_close()) is not None:
            wanted.append(closes)
        return min(wanted)

    async def _season_results(self, now: datetime) -> None:
        """Post each served server's results of the season that ended last, once."""
        active: dict[ServerKey, list[Schedule]] = {}
        for schedule in await self._schedules.schedules():
            if not schedule.paused and self._serves(schedule.server):
                active.setdefault(schedule.server, []).append(schedule)
        for server, schedules in active.items():
            settings = await self._service.server_settings(server)
            ended = Season.containing(now, settings.season_length).previous
            if (server, ended.name) in self._seasons_done:
                continue
            # A server that had no schedule in that season, or a season long over (the
            # bot was down), gets no post.
            existed = any(s.created is not None and s.created < ended.ends for s in schedules)
            if not existed or now - ended.ends > RESULTS_WITHIN:
                self._seasons_done.add((server, ended.name))
                continue
            won = await self._schedules.claim_season_results(server, ended.name, self._holder)
            self._seasons_done.add((server, ended.name))
            if not won:
                continue  # another process posts them (or did)
            rows = tuple(await self._scores.season_leaderboard(server, ended, limit=RESULTS_ROWS))
            channels = sorted({s.channel for s in schedules})
            log.info(
                "season %s of %s ended: results in %d channels", ended.name, server, len(channels)
            )
            for channel in channels:
                key = ChannelKey(server.platform, server.server, channel)
                await self._sink.publish(SeasonResults(channel=key, season=ended, rows=rows))
