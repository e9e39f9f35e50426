"""Admins manage their server's scheduled play in chat: add (checked like the command
line), list, pause, resume and remove; members are refused; nobody reaches another
server's schedules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.domain.commands import AddSchedule, ListSchedules, RemoveSchedule, SwitchSchedule
from bot.domain.events import Refusal, Rejected, SchedulesShown
from bot.domain.model import ChannelKey, GameOptions
from bot.domain.schedule import ScheduleKind
from tests.fake_schedules import MemoryScheduleStore
from tests.fakes import CHANNEL, SERVER, player
from tests.harness import ServiceHarness, build_service

ADMIN = player("ada", admin=True)
MEMBER = player("max")
OTHER_SERVER = ChannelKey("test", "guild-2", "general")
#: A Thursday; the next Friday 16:00 in New York is 2026-03-06 21:00 UTC (EST).
THURSDAY = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def service_harness() -> ServiceHarness:
    return build_service(
        options=GameOptions(rounds=5, seconds=30, pause=0),
        clock=ManualClock(wall=THURSDAY),
        schedules=MemoryScheduleStore(),
        settle=False,
    )


def quiz(**changes: object) -> AddSchedule:
    fields: dict[str, object] = {
        "channel": CHANNEL,
        "actor": ADMIN,
        "kind": "quiz",
        "at": "16:00",
        "zone": "America/New_York",
        "days": "fri",
        "options": ("rounds=15",),
    }
    return AddSchedule(**{**fields, **changes})  # type: ignore[arg-type]


async def test_an_admin_adds_a_quiz_and_hears_when_it_next_runs(h: ServiceHarness) -> None:
    await h.send(quiz(remind="15"))
    shown = h.sink.last(SchedulesShown)
    assert shown.recipient == ADMIN.key
    assert shown.changed == (
        "Added schedule 1: weekly quiz in general at 16:00 America/New_York (fri), "
        "may start 30 min late, rounds=15, reminder 15 min before. "
        "Next: Fri 2026-03-06 16:00 EST."
    )
    # The clocks go forward on 2026-03-08 there: 16:00 exists, so nothing moves.
    assert shown.notes == ()
    [added] = shown.schedules
    assert (added.kind, added.server, added.channel, added.remind) == (
        ScheduleKind.WEEKLY_QUIZ,
        SERVER,
        "general",
        15,
    )


async def test_a_daily_question_goes_to_the_channel_named_and_dst_moves_are_noted(
    h: ServiceHarness,
) -> None:
    await h.send(
        AddSchedule(
            channel=CHANNEL,
            actor=ADMIN,
            kind="daily",
            at="02:30",
            zone="Europe/Berlin",
            closes="17:00",
            difficulty="Easy",
            target="trivia",
        )
    )
    shown = h.sink.last(SchedulesShown)
    [added] = shown.schedules
    assert added.channel == "trivia"
    assert added.difficulty == "easy"
    assert shown.changed.startswith("Added schedule 1: daily question in trivia at 02:30")
    assert shown.notes == (
        "Note: 02:30 does not exist on 2026-03-29 in Europe/Berlin (clocks go forward): "
        "the daily question runs at 03:30 instead.",
    )


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"zone": "Europe/Berln"}, "unknown time zone 'Europe/Berln': use an IANA name"),
        ({"at": "25:00"}, "bad time '25:00': use HH:MM on a 24-hour clock"),
        ({"days": "funday"}, "unknown day 'funday'"),
        ({"kind": "hourly"}, "unknown kind 'hourly'"),
        ({"difficulty": "brutal"}, "unknown difficulty 'brutal'"),
        ({"options": ("rounds=500",)}, "rounds must be a whole number from 1 to 50"),
        ({"options": ("colour=red",)}, "unknown option 'colour'"),
        ({"closes": "15:00"}, "the window must close after the schedule's time 16:00"),
        ({"closes": "5pm"}, "bad closing time '5pm'"),
        ({"remind": "soon"}, "remind must be a whole number of minutes"),
        ({"kind": "daily"}, "game options are for a weekly quiz"),
        ({"kind": "daily", "options": (), "remind": "5"}, "a reminder is for a weekly quiz"),
    ],
)
async def test_each_bad_setting_is_refused_naming_it(
    h: ServiceHarness, changes: dict[str, object], refusal: str
) -> None:
    await h.send(quiz(**changes))
    refused = h.sink.last(Rejected)
    assert refused.reason is Refusal.BAD_OPTION
    assert refused.message.startswith("The schedule was not added: ")
    assert refusal in refused.message
    assert h.sink.of(SchedulesShown) == []


@pytest.mark.parametrize(
    "command",
    [
        quiz(actor=MEMBER),
        ListSchedules(channel=CHANNEL, actor=MEMBER),
        SwitchSchedule(channel=CHANNEL, actor=MEMBER, schedule_id=1, paused=True),
        RemoveSchedule(channel=CHANNEL, actor=MEMBER, schedule_id=1),
    ],
    ids=["add", "list", "pause", "remove"],
)
async def test_a_member_is_refused_every_schedule_command(
    h: ServiceHarness, command: AddSchedule | ListSchedules | SwitchSchedule | RemoveSchedule
) -> None:
    await h.send(quiz())
    h.sink.clear()
    await h.send(command)
    refused = h.sink.last(Rejected)
    assert refused.recipient == MEMBER.key
    assert refused.reason is Refusal.NOT_ALLOWED
    assert refused.message.startswith("Only admins can manage scheduled play")
    assert h.sink.of(SchedulesShown) == []


async def test_an_admin_lists_pauses_resumes_and_removes(h: ServiceHarness) -> None:
    await h.send(quiz())
    await h.send(quiz(kind="daily", options=(), at="09:00", zone="UTC"))
    await h.send(SwitchSchedule(channel=CHANNEL, actor=ADMIN, schedule_id=1, paused=True))
    shown = h.sink.last(SchedulesShown)
    assert shown.changed == "Schedule 1 is paused."
    assert [s.paused for s in shown.schedules] == [True, False]
    await h.send(SwitchSchedule(channel=CHANNEL, actor=ADMIN, schedule_id=1, paused=False))
    assert h.sink.last(SchedulesShown).changed == "Schedule 1 runs again."
    await h.send(RemoveSchedule(channel=CHANNEL, actor=ADMIN, schedule_id=2))
    shown = h.sink.last(SchedulesShown)
    assert shown.changed == "Removed schedule 2."
    assert [s.id for s in shown.schedules] == [1]
    await h.send(ListSchedules(channel=CHANNEL, actor=ADMIN))
    listed = h.sink.last(SchedulesShown)
    assert (listed.changed, [s.id for s in listed.schedules]) == ("", [1])


async def test_another_servers_admin_neither_sees_nor_touches_them(h: ServiceHarness) -> None:
    await h.send(quiz())
    stranger = player("sam", admin=True, server=OTHER_SERVER.server_key)
    await h.send(ListSchedules(channel=OTHER_SERVER, actor=stranger))
    assert h.sink.last(SchedulesShown).schedules == ()
    for command in (
        SwitchSchedule(channel=OTHER_SERVER, actor=stranger, schedule_id=1, paused=True),
        RemoveSchedule(channel=OTHER_SERVER, actor=stranger, schedule_id=1),
    ):
        await h.send(command)
        assert h.sink.last(Rejected).message == (
            "This server has no schedule 1: list them to see their numbers."
        )
    await h.send(ListSchedules(channel=CHANNEL, actor=ADMIN))
    assert [s.paused for s in h.sink.last(SchedulesShown).schedules] == [False]


async def test_without_a_schedule_store_the_commands_are_refused_plainly() -> None:
    bare = build_service(settle=False)
    try:
        await bare.send(ListSchedules(channel=CHANNEL, actor=ADMIN))
        assert bare.sink.last(Rejected).message == "This bot has no place to keep schedules."
    finally:
        await bare.service.shutdown()
