"""Replicas forwarding game commands to their workspace's owner, on the manual clock.

Each replica is a real ``SlackReplica`` with real ``WorkspaceLeases`` over one
``MemorySharedStore`` (the database); NATS is ``Bus`` (request/reply in memory: no
listener is "no responders", at once, as NATS answers); the service is ``Service``,
which records what it was asked to do.  A replica "dies" when its link stops listening
and its database calls hang (so its leases expire and are lost, as a killed process's).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from bot.adapters.slack.routing import note_request
from bot.app.slack_replicas import SlackReplica
from bot.app.workspace_leases import WorkspaceLeases, lease_name
from bot.clock import ManualClock
from bot.coordination import Fence
from bot.domain.commands import Command, ShowLeaderboard, StartGame, SubmitAnswer
from bot.domain.model import Actor, ChannelKey, PlayerKey, ServerKey
from bot.domain.records import Period
from bot.domain.schedule import Due, Schedule, ScheduleKind, parse_days
from bot.forwarding.codec import Forwarded, decode_reply, encode, subject_for
from bot.forwarding.nats_link import NoAnswer
from bot.ports import FencedOut
from bot.service.schedule_runner import ScheduleRunner
from tests.fake_schedules import MemoryScheduleStore
from tests.fake_shared import MemorySharedStore

TTL = 3.0
TEAM = "T0EAST"
CHANNEL = ChannelKey("slack", TEAM, "C0GEN")
ALICE = Actor(PlayerKey("slack", TEAM, "W0ALICE"), "alice")
ANSWER = SubmitAnswer(CHANNEL, ALICE, "paris")


class Bus:
    """NATS request/reply in memory."""

    def __init__(self) -> None:
        self.handlers: dict[str, Callable[[bytes], Awaitable[bytes]]] = {}


@dataclass
class Link:
    bus: Bus
    subject: str = ""

    async def listen(self, subject: str, handler: Callable[[bytes], Awaitable[bytes]]) -> None:
        self.subject = subject
        self.bus.handlers[subject] = handler

    async def request(self, subject: str, data: bytes, *, within: float) -> bytes:
        handler = self.bus.handlers.get(subject)
        if handler is None:
            raise NoAnswer(f"{subject}: no responders")
        return await handler(data)


class View:
    """One process's connection to the shared database; ``dead``: every call hangs."""

    def __init__(self, store: MemorySharedStore) -> None:
        self._store = store
        self.dead = False

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._store, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            if self.dead:
                await asyncio.Event().wait()
            return await method(*args, **kwargs)

        return call


@dataclass
class Service:
    handled: list[Command] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    let_go_of: list[str] = field(default_factory=list)

    async def handle(self, command: Command) -> None:
        self.handled.append(command)

    def game_in(self, channel: ChannelKey) -> None:
        return None

    async def recover(self, platform: str, *, owns: Callable[[ServerKey], bool]) -> int:
        self.recovered += [t for t in (TEAM, "T0WEST") if owns(ServerKey(platform, t))]
        return 1

    def let_go(self, lost: Callable[[ServerKey], bool]) -> int:
        self.let_go_of += [t for t in (TEAM, "T0WEST") if lost(ServerKey("slack", t))]
        return 1


@dataclass
class Journal:
    teams: list[str] = field(default_factory=list)
    reads: int = 0

    async def unfinished_games(self, platform: str) -> list[Any]:
        self.reads += 1
        return [SimpleNamespace(game=SimpleNamespace(channel=ChannelKey(platform, t, "C")))
                for t in self.teams]  # fmt: skip


@dataclass
class Replica:
    name: str
    replica: SlackReplica
    leases: WorkspaceLeases
    service: Service
    link: Link
    view: View

    def die(self) -> None:
        self.link.bus.handlers.pop(self.link.subject, None)
        self.view.dead = True

    async def run(self, command: Command, request_id: str) -> None:
        note_request({"event_id": request_id})
        await self.replica.run(command)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(clock: ManualClock) -> MemorySharedStore:
    return MemorySharedStore(clock)


@pytest.fixture
def bus() -> Bus:
    return Bus()


@pytest.fixture
def journal() -> Journal:
    return Journal()


@pytest.fixture
def start(
    store: MemorySharedStore, clock: ManualClock, bus: Bus, journal: Journal
) -> Callable[[str], Awaitable[Replica]]:
    async def started(name: str) -> Replica:
        holder = f"host pid {name} started 2026-01-01T00:00:00.000Z"
        view, service, link = View(store), Service(), Link(bus)
        made: list[SlackReplica] = []
        leases = WorkspaceLeases(
            view,  # type: ignore[arg-type]
            holder=holder,
            clock=clock,
            ttl=TTL,
            on_lost=lambda team: made[0].lost(team),
        )
        replica = SlackReplica(
            service=service,  # type: ignore[arg-type]
            journal=journal,  # type: ignore[arg-type]
            leases=leases,
            link=link,  # type: ignore[arg-type]
            clock=clock,
            remember_response_url=lambda channel, user, url: None,
            forward_within=2 * TTL,
        )
        made.append(replica)
        await link.listen(subject_for(holder), replica.serve)
        return Replica(name, replica, leases, service, link, view)

    return started


Start = Callable[[str], Awaitable[Replica]]


async def test_a_game_command_for_a_workspace_nobody_holds_takes_it_and_runs_here(
    start: Start,
) -> None:
    a = await start("a")

    await a.run(ANSWER, "Ev1")

    assert a.leases.holds(TEAM)
    assert a.service.recovered == [TEAM]  # its saved games, if any, go on here
    assert a.service.handled == [ANSWER]


async def test_a_game_command_landing_elsewhere_runs_on_the_owner_once_even_redelivered(
    start: Start,
) -> None:
    a, b, c = await start("a"), await start("b"), await start("c")
    await a.run(StartGame(CHANNEL, ALICE), "Tr0")

    await b.run(ANSWER, "Ev1")
    await c.run(ANSWER, "Ev1")  # Slack delivered it again, to another replica

    assert a.service.handled == [StartGame(CHANNEL, ALICE), ANSWER]
    assert b.service.handled == c.service.handled == []
    assert not b.leases.holds(TEAM)


async def test_commands_that_touch_no_game_run_where_they_land(start: Start) -> None:
    a, b = await start("a"), await start("b")
    await a.run(ANSWER, "Ev1")
    board = ShowLeaderboard(CHANNEL, ALICE, Period.ALL)

    await b.run(board, "Ev2")

    assert b.service.handled == [board]
    assert a.service.handled == [ANSWER]


async def test_a_command_for_a_dead_owner_is_retried_with_its_id_until_another_takes_over(
    start: Start, clock: ManualClock
) -> None:
    a, b = await start("a"), await start("b")
    await a.run(StartGame(CHANNEL, ALICE), "Tr0")
    await clock.advance(1.0)  # renewed once
    a.die()

    sent = asyncio.create_task(b.run(ANSWER, "Ev1"))
    await clock.advance(0.5)
    waiting = not sent.done() and b.service.handled == []
    await clock.advance(TTL)  # the lease expires: b takes the workspace over
    await sent

    assert waiting  # no responder: tried again, not given up
    assert b.leases.holds(TEAM)
    assert b.service.recovered == [TEAM]
    assert b.service.handled == [ANSWER]
    assert a.service.handled == [StartGame(CHANNEL, ALICE)]
    assert a.service.let_go_of == [TEAM]  # the dead one knew it had lost it


async def test_an_owner_answers_a_repeat_as_a_duplicate_and_runs_it_once(start: Start) -> None:
    a = await start("a")
    await a.run(StartGame(CHANNEL, ALICE), "Tr0")
    forwarded = encode(Forwarded("Ev7", ANSWER))

    first = decode_reply(await a.replica.serve(forwarded))
    again = decode_reply(await a.replica.serve(forwarded))

    assert (first.owner, first.duplicate) == (True, False)
    assert (again.owner, again.duplicate) == (True, True)
    assert a.service.handled.count(ANSWER) == 1


async def test_a_replica_asked_for_a_workspace_it_does_not_own_says_so(start: Start) -> None:
    b = await start("b")

    reply = decode_reply(await b.replica.serve(encode(Forwarded("Ev7", ANSWER))))

    assert reply.owner is False
    assert b.service.handled == []


async def test_the_scan_adopts_saved_games_whose_owner_died_and_leaves_live_ones(
    start: Start, clock: ManualClock, journal: Journal
) -> None:
    a, b = await start("a"), await start("b")
    await a.run(StartGame(CHANNEL, ALICE), "Tr0")
    journal.teams = [TEAM]

    before = await b.replica.scan()
    a.die()
    await clock.advance(TTL + 0.1)
    after = await b.replica.scan()

    assert before == []
    assert after == [TEAM]
    assert b.service.recovered == [TEAM]


async def test_writes_are_fenced_by_the_tenure_of_a_workspace_held_here(
    start: Start, clock: ManualClock
) -> None:
    a = await start("a")
    never = a.leases.fence_for(ServerKey("slack", "T0WEST"))
    await a.run(ANSWER, "Ev1")
    held = a.leases.fence_for(ServerKey("slack", TEAM))
    a.view.dead = True  # cut off from the database: renewals hang
    clock.jump(TTL)

    assert never is None  # an admin write for a workspace run elsewhere
    assert held == Fence(lease_name(TEAM), 1)
    with pytest.raises(FencedOut):
        a.leases.fence_for(ServerKey("slack", TEAM))


async def test_the_scan_reads_the_games_only_when_a_lease_newly_became_free(
    start: Start, clock: ManualClock, journal: Journal
) -> None:
    a, b = await start("a"), await start("b")
    await b.replica.scan()  # the first scan reads them once: games from before any lease
    await a.run(StartGame(CHANNEL, ALICE), "Tr0")
    await clock.advance(1.0)
    journal.teams = [TEAM]
    while_owned = [await b.replica.scan() for _ in range(3)]
    reads_while_owned = journal.reads
    a.die()
    await clock.advance(TTL + 0.1)
    adopted = await b.replica.scan()

    assert while_owned == [[], [], []]
    assert reads_while_owned == 1
    assert adopted == [TEAM]
    assert journal.reads == 2


async def test_the_first_scan_adopts_games_a_single_process_saved_before_any_lease(
    start: Start, journal: Journal
) -> None:
    journal.teams = [TEAM]  # saved by a process that ran without replicas
    b = await start("b")

    first, second = await b.replica.scan(), await b.replica.scan()

    assert (first, second) == ([TEAM], [])
    assert b.service.recovered == [TEAM]


async def test_chat_in_a_workspace_whose_games_just_began_elsewhere_goes_to_the_owner(
    start: Start, clock: ManualClock
) -> None:
    a, b = await start("a"), await start("b")
    before = await b.replica.may_have_game(CHANNEL)  # nobody holds it: just chat
    await a.run(StartGame(CHANNEL, ALICE), "Tr0")
    await clock.advance(0.2)  # well within the half second b keeps what it read

    assert before is False
    assert await b.replica.may_have_game(CHANNEL) is True


async def test_a_tenure_that_cannot_be_proved_is_not_taken_twice_before_it_is_lost(
    store: MemorySharedStore, clock: ManualClock
) -> None:
    lost: list[str] = []
    leases = WorkspaceLeases(store, holder="host pid 1", clock=clock, ttl=TTL, on_lost=lost.append)
    assert await leases.take(TEAM)
    clock.jump(TTL)  # paused past its deadline: it cannot prove its hold, nor has it lost it yet

    again = await leases.take(TEAM)
    await clock.advance(0.1)  # the keeper wakes, sees the deadline gone: the games go
    after = await leases.take(TEAM)
    await leases.close()

    assert (again, lost, after) == (False, [TEAM], True)


async def test_a_schedule_due_in_a_free_workspace_fires_once_on_the_replica_that_takes_it(
    start: Start, clock: ManualClock
) -> None:
    schedules = MemoryScheduleStore()
    first_due = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=2)
    await schedules.add_schedule(
        Schedule(
            server=ServerKey("slack", TEAM),
            channel="C0GEN",
            kind=ScheduleKind.DAILY_QUESTION,
            at=first_due.time(),
            zone="UTC",
            days=parse_days("daily"),
            created=clock.now(),
        )
    )
    fired: list[str] = []

    def runner(r: Replica) -> ScheduleRunner:
        async def fire(schedule: Schedule, due: Due) -> None:
            fired.append(r.name)

        return ScheduleRunner(
            schedules,
            clock=clock,
            fire=fire,
            holder=r.name,
            serves=r.replica.owns,
            take=r.replica.take,
        )

    a, b = await start("a"), await start("b")
    loops = [runner(a), runner(b)]
    await asyncio.gather(*(loop.tick() for loop in loops))
    assert not a.leases.holds(TEAM)
    assert not b.leases.holds(TEAM), "nothing due yet: nobody takes the workspace"

    await clock.advance(120)
    await asyncio.gather(*(loop.tick() for loop in loops))
    assert len(fired) == 1
    owner = a if fired == ["a"] else b
    assert owner.leases.holds(TEAM)
    assert owner.service.recovered == [TEAM]  # its saved games go on there too
