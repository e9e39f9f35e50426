"""Admins' schedule commands in chat: add, list, pause or resume, remove (issue #17).

The same rules as ``trivia-bot schedule``: each setting is read by
``bot.domain.schedule``'s parsers, so a bad one is refused with the words the command
line uses, naming the setting; adding one says when it next runs in its own zone and
which of the coming year's days daylight saving moves it on
(``bot.domain.schedule_words``).  Only a server's admins (``ServerPolicy``) may see or
change its schedules, and only its own.  Every answer is ``SchedulesShown``, for the
admin alone, with the server's schedules as they now are.
"""

from __future__ import annotations

import logging

from bot.domain.commands import AddSchedule, ListSchedules, RemoveSchedule, SwitchSchedule
from bot.domain.events import Refusal, SchedulesShown
from bot.domain.model import Actor, ChannelKey
from bot.domain.schedule import (
    DEFAULT_REMIND,
    Schedule,
    ScheduleError,
    ScheduleKind,
    parse_days,
    parse_difficulty,
    parse_kind,
    parse_option,
    parse_remind,
    parse_time,
    parse_zone,
)
from bot.domain.schedule_words import added
from bot.ports import Clock, EventSink, ScheduleStore
from bot.service.settings_desk import ServerPolicy, admits, refuse

log = logging.getLogger(__name__)

ScheduleCommand = AddSchedule | ListSchedules | SwitchSchedule | RemoveSchedule

#: What an admin may not do without being one, in the refusal's words.
WHAT = "manage scheduled play"


class ScheduleDesk:
    """Carries out the schedule commands of a server's admins (see the module docstring)."""

    def __init__(
        self, *, policy: ServerPolicy, store: ScheduleStore, clock: Clock, sink: EventSink
    ) -> None:
        self._policy = policy
        self._store = store
        self._clock = clock
        self._sink = sink

    async def handle(self, command: ScheduleCommand) -> None:
        if not await admits(self._policy, self._sink, command.channel, command.actor, WHAT):
            return
        match command:
            case AddSchedule():
                await self._add(command)
            case ListSchedules():
                await self._show(command.channel, command.actor)
            case SwitchSchedule(schedule_id=schedule_id, paused=paused):
                server = command.channel.server_key
                if await self._store.set_schedule_paused(server, schedule_id, paused):
                    done = "is paused" if paused else "runs again"
                    log.info("schedule %s of %s %s", schedule_id, server, done)
                    await self._show(
                        command.channel, command.actor, f"Schedule {schedule_id} {done}."
                    )
                else:
                    await self._unknown(command.channel, command.actor, schedule_id)
            case RemoveSchedule(schedule_id=schedule_id):
                server = command.channel.server_key
                if await self._store.remove_schedule(server, schedule_id):
                    log.info("schedule %s of %s removed", schedule_id, server)
                    await self._show(
                        command.channel, command.actor, f"Removed schedule {schedule_id}."
                    )
                else:
                    await self._unknown(command.channel, command.actor, schedule_id)

    async def _add(self, command: AddSchedule) -> None:
        now = self._clock.now()
        try:
            new = self._read(command)
        except ScheduleError as exc:
            message = f"The schedule was not added: {exc}."
            await refuse(self._sink, command.channel, command.actor, Refusal.BAD_OPTION, message)
            return
        stored = await self._store.add_schedule(new)
        said, notes = added(stored, now)
        log.info("schedule %s added to %s by %s", stored.id, stored.server, command.actor.key)
        await self._show(command.channel, command.actor, said, notes)

    def _read(self, command: AddSchedule) -> Schedule:
        """The schedule ``command`` asks for; ``ScheduleError`` naming a bad setting."""
        kind = parse_kind(command.kind)
        quiz = kind is ScheduleKind.WEEKLY_QUIZ
        if command.options and not quiz:
            raise ScheduleError("game options are for a weekly quiz, not a daily question")
        if command.remind is not None and command.remind.strip() and not quiz:
            raise ScheduleError("a reminder is for a weekly quiz, not a daily question")
        parse_zone(command.zone)
        target = (command.target or "").strip() or command.channel.channel
        return Schedule(
            server=command.channel.server_key,
            channel=target,
            kind=kind,
            at=parse_time(command.at),
            zone=command.zone,
            days=parse_days(command.days),
            closes=parse_time(command.closes, setting="closing time") if command.closes else None,
            category=(command.category or "").strip() or None,
            difficulty=parse_difficulty(command.difficulty) if command.difficulty else None,
            options=tuple(parse_option(text, self._policy.limits) for text in command.options),
            remind=parse_remind(command.remind) if command.remind else DEFAULT_REMIND,
            created=self._clock.now(),
        )

    async def _show(
        self, channel: ChannelKey, actor: Actor, changed: str = "", notes: tuple[str, ...] = ()
    ) -> None:
        schedules = await self._store.schedules(channel.server_key)
        await self._sink.publish(
            SchedulesShown(
                channel=channel,
                recipient=actor.key,
                schedules=tuple(schedules),
                changed=changed,
                notes=notes,
            )
        )

    async def _unknown(self, channel: ChannelKey, actor: Actor, schedule_id: int) -> None:
        message = f"This server has no schedule {schedule_id}: list them to see their numbers."
        await refuse(self._sink, channel, actor, Refusal.BAD_OPTION, message)
