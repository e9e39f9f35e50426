"""Several Slack replicas serving the same workspaces (``TRIVIA_NATS_URL`` set).

Any replica may receive any request (Slack, or the load balancer in front of the
replicas, picks one).  Each workspace's games have one owner, the replica holding
its lease (``workspace_leases``), and its game writes are fenced by that
tenure's epoch, as a Discord shard's are:

* **Routing.** A game command (``bot.forwarding.codec.GAME_COMMANDS``) runs on
  the owner.  A replica that receives one for a workspace nobody holds live takes
  the lease first (and carries on the games saved there); for one another replica
  owns, it forwards the command over NATS request/reply to that replica's
  subject (``codec.subject_for`` of the lease's holder).  The Slack request was
  acked before (the adapter acks at once); the owner posts what the command
  causes with its own outbox, answering the sender ephemerally or through the
  ``response_url`` that travels with the command.  Everything else (leaderboard,
  stats, admin, reports, App Home) runs where it landed.
* **Retrying, once.** A forwarded command that finds no owner (no responders: it
  died; too slow; it no longer holds the lease) is tried again, with the same
  id, until a live owner takes it or this replica can take the lease itself, for
  at most ``FORWARD_WITHIN``.  The owner remembers the ids it carried out
  (``RecentIds``) and answers a repeat as a duplicate without running it again;
  a command the dead owner carried out before dying is in its saved state (the
  point and the state commit together), so the new owner sees it as done.
* **Adopting.** Every ``SCAN_EVERY`` seconds each replica looks for saved,
  unfinished games of workspaces whose lease is free or expired, takes the lease
  and carries the games on from their saved state: the open question keeps its
  deadline, one whose deadline passed meanwhile is revealed at once.  So a
  question is revealed at most about ``TRIVIA_LEASE_SECONDS + SCAN_EVERY``
  seconds after its deadline when its owner is killed.
* **Schedules.** A workspace's schedule fires on the replica holding its lease; one
  coming due in a workspace nobody holds makes the first replica that sees it take
  the lease (``App.taking``), as a game command would.
* **Redeliveries.** Slack's retries of an event are recognised by whichever replica
  they reach (``SeenEvents``: the event ids are in the database).
* **Stopping.** SIGTERM: no more forwarded commands are taken, the games are
  saved ("back in a moment"), their messages are sent, and only then the leases
  are released, so another replica adopts them at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Final

from bot.adapters.adapter import PlatformUnreachable
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.recent_ids import RecentIds
from bot.adapters.slack.routing import RunHere, SendTo, current_request, route
from bot.adapters.slack.seen_events import SeenEvents
from bot.app.compose import App
from bot.app.leases import holder_description
from bot.app.shutdown import ShutdownBudget
from bot.app.workspace_leases import PLATFORM, WorkspaceLeases
from bot.config import Settings
from bot.domain.commands import Command
from bot.domain.model import ChannelKey, ServerKey
from bot.forwarding.codec import (
    Applied,
    BadMessage,
    Forwarded,
    decode,
    decode_reply,
    encode,
    encode_reply,
    is_game_command,
    subject_for,
)
from bot.forwarding.nats_link import LinkUnavailable, NatsLink, NoAnswer
from bot.ports import Clock, GameJournal, StoreUnavailable
from bot.service.trivia import TriviaService
from bot.storage.location import masked_urls

log = logging.getLogger(__name__)

#: How long one forwarded request waits for the owner's answer.
FORWARD_TIMEOUT: Final = 2.5
#: Pause between two tries to find a command's owner.
RETRY_PAUSE: Final = 0.2
#: How often a replica looks for saved games nobody runs.
SCAN_EVERY: Final = 1.0
#: How long the last messages may take to go out, without a shutdown budget.
SAY_GOODBYE_WITHIN: Final = 5.0

RememberUrl = Callable[[ChannelKey, str, str], None]


class SlackReplica:
    """One replica's routing, forwarding and adopting (the adapter's ``Router``)."""

    def __init__(
        self,
        *,
        service: TriviaService,
        journal: GameJournal,
        leases: WorkspaceLeases,
        link: NatsLink,
        clock: Clock,
        remember_response_url: RememberUrl,
        forward_within: float,
    ) -> None:
        self._service = service
        self._journal = journal
        self._leases = leases
        self._link = link
        self._clock = clock
        self._remember_response_url = remember_response_url
        self._within = forward_within
        self._done = RecentIds()
        self._adopted: set[str] = set()
        self._adopting: dict[str, asyncio.Lock] = {}
        #: Each free workspace lease's epoch whose games were looked at already.
        self._examined: dict[str, int] = {}
        self._first_scan = True

    # -- the adapter's Router ----------------------------------------------------------

    async def run(self, command: Command) -> None:
        if not is_game_command(command):
            await self._service.handle(command)
            return
        request = current_request()
        command_id = request.request_id or f"local-{uuid.uuid4().hex}"
        await self.carry_out(Forwarded(command_id, command, request.response_url))

    async def may_have_game(self, channel: ChannelKey) -> bool:
        if self._service.game_in(channel) is not None:
            return True
        if self._leases.holds(channel.server) and channel.server in self._adopted:
            return False
        # Owned elsewhere (or waiting to be adopted): the owner decides.  A workspace with
        # no lease at all is asked again (a game may have just started on another replica).
        held = await self._leases.holder_of(channel.server)
        if held is None:
            held = await self._leases.holder_of(channel.server, fresh=True)
        return held is not None

    def owns(self, server: ServerKey) -> bool:
        return server.platform == PLATFORM and self._leases.holds(server.server)

    async def take(self, server: ServerKey) -> bool:
        """Own ``server`` now if it is a workspace whose lease is free or expired (or
        already this replica's): what the firing loop does for a schedule due there."""
        return server.platform == PLATFORM and await self.adopt(server.server)

    # -- routing -------------------------------------------------------------------------

    async def carry_out(self, message: Forwarded) -> None:
        """Run ``message``'s command on its workspace's owner (see the module docstring)."""
        team = message.command.channel.server
        deadline = self._clock.monotonic() + self._within
        fresh = False
        tries = 0
        while True:
            tries += 1
            mine = self._leases.holds(team) and team in self._adopted
            lease = None if mine else await self._leases.holder_of(team, fresh=fresh)
            decision = route(message.command, mine=mine, lease=lease, me=self._leases.holder)
            match decision:
                case RunHere(take=False):
                    await self._apply(message)
                    return
                case RunHere(take=True):
                    if await self.adopt(team):
                        await self._apply(message)
                        return
                case SendTo(holder=holder):
                    if await self._forward(message, holder):
                        return
            now = self._clock.monotonic()
            if now >= deadline:
                log.warning(
                    "dropped %s %s for workspace %s: no owner took it in %.0f s (%d tries)",
                    type(message.command).__name__,
                    message.command_id,
                    team,
                    self._within,
                    tries,
                )
                return
            await self._clock.sleep_until(min(now + RETRY_PAUSE, deadline))
            fresh = True

    async def _forward(self, message: Forwarded, holder: str) -> bool:
        """Whether the owner ``holder`` carried the command out (or had already)."""
        try:
            data = await self._link.request(
                subject_for(holder), encode(message), within=FORWARD_TIMEOUT
            )
            reply = decode_reply(data)
        except (NoAnswer, BadMessage) as exc:
            log.info("forwarding %s to %s: %s", message.command_id, holder, exc)
            return False
        return reply.owner

    async def serve(self, data: bytes) -> bytes:
        """A command another replica forwarded here (the NATS handler)."""
        try:
            message = decode(data)
        except BadMessage as exc:
            log.warning("a forwarded command could not be read: %s", exc)
            return encode_reply(Applied("", owner=False))
        team = message.command.channel.server
        if not (self._leases.holds(team) and team in self._adopted):
            return encode_reply(Applied(message.command_id, owner=False))
        ran = await self._apply(message)
        log.info(
            "%s %s forwarded by another replica: %s",
            type(message.command).__name__,
            message.command_id,
            "carried out" if ran else "a repeat, carried out before",
        )
        return encode_reply(Applied(message.command_id, duplicate=not ran))

    async def _apply(self, message: Forwarded) -> bool:
        """Run the command here once per id; False: it ran already."""
        if not self._done.first_time(message.command_id):
            log.info("command %s was carried out already", message.command_id)
            return False
        command = message.command
        if message.response_url:
            self._remember_response_url(
                command.channel, command.actor.key.user, message.response_url
            )
        await self._service.handle(command)
        return True

    # -- owning workspaces -------------------------------------------------------------

    async def adopt(self, team: str) -> bool:
        """Own ``team``'s games: take its lease if free or expired, and carry on the
        games saved there.  Whether this replica owns it now."""
        lock = self._adopting.setdefault(team, asyncio.Lock())
        async with lock:
            if self._leases.holds(team) and team in self._adopted:
                return True
            if not await self._leases.take(team):
                return False
            try:
                found = await self._service.recover(
                    PLATFORM, owns=lambda s: s == ServerKey(PLATFORM, team)
                )
            except StoreUnavailable as exc:
                log.warning("took workspace %s but could not read its games yet: %s", team, exc)
                return False
            self._adopted.add(team)
            log.info("this replica owns workspace %s now (%d saved games found)", team, found)
            return True

    def lost(self, team: str) -> None:
        """The lease on ``team`` was lost: its games go to the new owner, unsaid."""
        self._adopted.discard(team)
        dropped = self._service.let_go(lambda s: s == ServerKey(PLATFORM, team))
        log.warning("lost workspace %s; let %d games go to its new owner", team, dropped)

    async def scan(self) -> list[str]:
        """Adopt every workspace with unfinished games whose lease nobody holds live.

        The games are read only when a workspace lease has newly become free (a tenure
        that ended since the last look: a game can only start under a live tenure, so a
        tenure already looked at cannot have gained one), and once at the first scan
        for games saved before any lease existed (a single process's, before replicas)."""
        leases = await self._leases.leases(fresh=True)
        me = self._leases.holder
        newly_free = {
            team: held.epoch
            for team, held in leases.items()
            if (held.expired or held.holder == me)
            and not (self._leases.holds(team) and team in self._adopted)
            and self._examined.get(team) != held.epoch
        }
        if not newly_free and not self._first_scan:
            return []
        teams = {
            item.game.channel.server for item in await self._journal.unfinished_games(PLATFORM)
        }
        candidates = teams & newly_free.keys()
        if self._first_scan:
            candidates |= teams - leases.keys()
        adopted = [team for team in sorted(candidates) if await self.adopt(team)]
        for team, epoch in newly_free.items():
            if team not in candidates or team in adopted:
                self._examined[team] = epoch
        self._first_scan = False
        return adopted

    async def scan_forever(self, every: float = SCAN_EVERY) -> None:
        while True:
            await self._clock.sleep_until(self._clock.monotonic() + every)
            try:
                await self.scan()
            except StoreUnavailable as exc:
                log.warning("could not look for games to adopt: %s", exc)
            except Exception:
                log.exception("looking for games to adopt failed")


@contextlib.asynccontextmanager
async def serving_replicas(
    settings: Settings,
    adapter: SlackAdapter,
    app: App,
    budget: ShutdownBudget | None,
    *,
    clock: Clock,
) -> AsyncIterator[SlackReplica]:
    """This replica routing, forwarding and adopting while inside (module docstring)."""
    assert settings.nats_url is not None
    holder = holder_description(clock)
    link = NatsLink(settings.nats_url, name=holder)
    try:
        await link.connect()
    except LinkUnavailable as exc:
        raise PlatformUnreachable(f"{exc} (TRIVIA_NATS_URL)") from exc
    replica: SlackReplica | None = None

    def lost(team: str) -> None:
        if replica is not None:
            replica.lost(team)

    leases = WorkspaceLeases(
        app.shared, holder=holder, clock=clock, ttl=settings.lease_seconds, on_lost=lost
    )
    replica = SlackReplica(
        service=app.service,
        journal=app.store,
        leases=leases,
        link=link,
        clock=clock,
        remember_response_url=adapter.outbox.remember_response_url,
        forward_within=max(2 * settings.lease_seconds, 10.0),
    )
    scanning: asyncio.Task[None] | None = None
    try:
        app.fence_writes(leases.fence_for)
        app.taking.take_with(replica.take)
        adapter.route_through(replica)
        # A redelivery may reach another replica than the first delivery did.
        adapter.recognise_events_with(SeenEvents(app.backend, clock=clock).first_time)
        await link.listen(subject_for(holder), replica.serve)
        scanning = asyncio.create_task(replica.scan_forever(), name="adopt-workspaces")
        log.info(
            "serving as a replica: %s, forwarding over %s", holder, masked_urls(settings.nats_url)
        )
        yield replica
    finally:
        try:
            if scanning is not None:
                scanning.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await scanning
            # Nothing new for the owned workspaces; their forwarders retry elsewhere.
            await link.stop_listening()
            # Saved under the leases, and said so, before anyone else may take them.
            await app.service.shutdown(within=budget.left() if budget is not None else None)
            with contextlib.suppress(TimeoutError):
                left = budget.left() if budget is not None else SAY_GOODBYE_WITHIN
                await asyncio.wait_for(adapter.outbox.flush(), left)
        finally:
            await leases.close(within=budget.left() if budget is not None else None)
            await link.close()
