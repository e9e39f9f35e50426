"""The Slack workspaces a replica owns: one lease each, taken when first needed.

A workspace's games belong to the replica holding ``slack:workspace:<team>``
(team ids are unique across Slack, Enterprise Grid included: on an org-wide
install each workspace of the org is leased on its own).  Unlike a Discord
process, whose shards are known before it connects, a replica takes a
workspace's lease when it first needs it (a game command arrives, or a scan
finds saved games nobody runs) and only if it is free or expired; each lease is
then kept by a ``LeaseKeeper`` of its own (renewed every ``ttl / 3``, released on
the way out).  Who holds what is read from the database at most every
``look_every`` seconds (``holder_of``), so that a chatty channel does not cost a
query per message.

Writes for a workspace this replica holds or held are fenced by its tenure's
epoch (``fence_for``); a workspace it never held (a leaderboard, an admin form
landing here while another replica runs its games) writes unfenced, since such
writes never race a game.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Final

from bot.app.deadlines import before
from bot.app.leases import LeaseKeeper, LeaseUnavailable
from bot.coordination import Fence, LeaseHeld
from bot.domain.model import ServerKey
from bot.ports import Clock, FencedOut, LeaseStore, StoreUnavailable

log = logging.getLogger(__name__)

LEASE_PREFIX: Final = "slack:workspace:"
PLATFORM: Final = "slack"
#: A read asked to be fresh reuses one at most this old (many asking at once share it).
FRESH_WITHIN: Final = 0.1


def lease_name(team: str) -> str:
    return f"{LEASE_PREFIX}{team}"


def team_of_lease(name: str) -> str | None:
    return name.removeprefix(LEASE_PREFIX) if name.startswith(LEASE_PREFIX) else None


class WorkspaceLeases:
    """The workspace leases of one replica (see the module docstring)."""

    def __init__(
        self,
        store: LeaseStore,
        *,
        holder: str,
        clock: Clock,
        ttl: float,
        on_lost: Callable[[str], None] = lambda team: None,
        look_every: float = 0.5,
    ) -> None:
        self._store = store
        self._holder = holder
        self._clock = clock
        self._ttl = ttl
        self._on_lost = on_lost
        self._look_every = look_every
        self._keepers: dict[str, LeaseKeeper] = {}
        self._seen: dict[str, LeaseHeld] = {}
        self._seen_at: float | None = None
        self._looking: asyncio.Lock = asyncio.Lock()
        self._closing: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def holder(self) -> str:
        return self._holder

    def holds(self, team: str) -> bool:
        keeper = self._keepers.get(team)
        return keeper is not None and keeper.holds(lease_name(team))

    def fence_for(self, server: ServerKey) -> Fence | None:
        """The tenure ``server``'s writes are made under (None: never held here)."""
        if server.platform != PLATFORM:
            return None
        keeper = self._keepers.get(server.server)
        if keeper is None:
            return None
        name = lease_name(server.server)
        epoch = keeper.epoch(name)
        if epoch is None or not keeper.holds(name):
            raise FencedOut(f"{name}: this replica no longer holds it")
        return Fence(name, epoch)

    # -- who holds what ----------------------------------------------------------------

    async def holder_of(self, team: str, *, fresh: bool = False) -> LeaseHeld | None:
        """The workspace's lease as the database last had it (None: never taken), read
        again when older than ``look_every`` (``fresh``: than ``FRESH_WITHIN``)."""
        await self.look(fresh=fresh)
        return self._seen.get(team)

    async def leases(self, *, fresh: bool = False) -> dict[str, LeaseHeld]:
        """Every workspace lease by team, as last read."""
        await self.look(fresh=fresh)
        return dict(self._seen)

    async def look(self, *, fresh: bool = False) -> None:
        async with self._looking:
            now = self._clock.monotonic()
            age = None if self._seen_at is None else now - self._seen_at
            if age is not None and age < (FRESH_WITHIN if fresh else self._look_every):
                return
            try:
                found = await before(
                    self._clock,
                    self._store.lease_holders(LEASE_PREFIX),
                    now + self._ttl / 3,
                    name="read workspace leases",
                )
            except StoreUnavailable as exc:
                log.warning("could not read the workspace leases: %s", exc)
                return
            if not isinstance(found, list):
                log.warning("the workspace leases could not be read in time")
                return
            self._seen = {
                team: held for held in found if (team := team_of_lease(held.name)) is not None
            }
            self._seen_at = now

    # -- taking and letting go ------------------------------------------------------------

    async def take(self, team: str) -> bool:
        """Take the workspace's lease if it is free or expired; whether this replica
        holds it now."""
        if self.holds(team):
            return True
        if self._closed or team in self._keepers:
            # A tenure this replica cannot prove any more is not lost yet: a second keeper
            # of the same lease would release it under the first one's feet.  It is taken
            # again once ``on_lost`` has let the games go.
            return False
        name = lease_name(team)
        keeper = LeaseKeeper(
            self._store,
            [name],
            holder=self._holder,
            clock=self._clock,
            ttl=self._ttl,
            wait=0.0,
            on_lost=lambda _: self._lost(team, keeper),
        )
        try:
            await keeper.start()
        except LeaseUnavailable as exc:
            if exc.held is not None:
                self._seen[team] = exc.held
            return False
        self._keepers[team] = keeper
        self._seen_at = None  # the table changed: read it again next time
        return True

    def _lost(self, team: str, keeper: LeaseKeeper) -> None:
        if self._keepers.get(team) is not keeper:
            return
        try:
            self._on_lost(team)
        finally:
            # Its games are let go: from now on this workspace writes only unfenced
            # admin changes here, like one never held.
            del self._keepers[team]
            self._seen_at = None
            self._close_later(keeper)

    def _close_later(self, keeper: LeaseKeeper) -> None:
        task = asyncio.create_task(keeper.close(within=self._ttl / 3), name="close lost lease")
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close(self, *, within: float | None = None) -> None:
        """Release every lease still held (each within ``ttl / 3``, all within
        ``within``).  Idempotent."""
        self._closed = True
        keepers, self._keepers = list(self._keepers.values()), {}
        await asyncio.gather(*(k.close(within=within) for k in keepers), return_exceptions=True)
        await asyncio.gather(*self._closing, return_exceptions=True)
