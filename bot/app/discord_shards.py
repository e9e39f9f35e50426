"""One owner per Discord shard: the leases a Discord process holds, and what hangs on them.

Every Discord process, alone or one of many, holds a lease on each shard it runs
(``discord:shard:<id>``, ``LeaseKeeper``) from before it connects until after it
has saved its games:

* **Starting.** It takes its shards' leases first.  One another process holds is
  waited for up to ``TRIVIA_LEASE_WAIT`` (a rolling restart: the old process lets
  go when it has saved its games); then the process exits 2 naming the holder.
* **Acting.** Every write for a server is made under its shard's lease (the
  store's fencing refuses it once the lease changed hands), and the adapter posts
  for a server only while this process can prove it holds the lease (``owns``).
  IDENTIFYs take turns with the other processes through the database, the command
  tree is synced by one process when it changed, and where each player last
  played is kept in the database (``DatabaseCoordination``).
* **Losing.** A lease lost (the process was paused or cut off past it): that
  shard's games are let go without a word (their new owner carries them on) and
  its gateway connection is closed; with no shard left the process stops.
* **Stopping.** The games are saved first (``TriviaService.shutdown`` hands them
  over), under the leases still held; then the leases are released, so the next
  owner takes them at once instead of waiting for them to expire.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Final

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.discord.ids import PLATFORM
from bot.adapters.discord.shards import shard_of
from bot.app.compose import App
from bot.app.leases import LeaseKeeper, holder_description
from bot.app.shutdown import ShutdownBudget
from bot.app.turns import IDENTIFY_EVERY, identify_turn, wait_for_turn
from bot.config import Settings
from bot.coordination import Fence
from bot.domain.model import ServerKey
from bot.ports import Clock, FencedOut, SharedStore

log = logging.getLogger(__name__)

LEASE_PREFIX: Final = "discord:shard:"
#: How long a shard may wait for its IDENTIFY turn (discord.py gives a shard's start 180 s).
TURN_WITHIN: Final = 150.0
#: How long the last messages may take to go out, without a shutdown budget.
SAY_GOODBYE_WITHIN: Final = 10.0
#: The fact under which the digest of the last synced command tree is kept, per scope.
COMMANDS_FACT: Final = "discord:commands:"


def lease_name(shard_id: int) -> str:
    return f"{LEASE_PREFIX}{shard_id}"


class DatabaseCoordination:
    """``bot.adapters.discord.coordination.Coordination`` over the database and the
    process's leases; also the store's fence (``fence_for``)."""

    def __init__(
        self, *, store: SharedStore, keeper: LeaseKeeper, shard_count: int, clock: Clock
    ) -> None:
        self._store = store
        self._keeper = keeper
        self._count = shard_count
        self._clock = clock

    def shard_of_server(self, server: ServerKey) -> int | None:
        """The shard of a Discord server (None: not a guild of this bot)."""
        if server.platform != PLATFORM or not server.server.isdigit():
            return None
        return shard_of(int(server.server), self._count)

    def owns(self, guild_id: int) -> bool:
        return self._keeper.holds(lease_name(shard_of(guild_id, self._count)))

    def fence_for(self, server: ServerKey) -> Fence | None:
        """The lease ``server``'s writes are made under; ``FencedOut`` when this process
        cannot prove it still holds it (then nothing is even sent to the database)."""
        shard = self.shard_of_server(server)
        if shard is None:
            return None
        name = lease_name(shard)
        epoch = self._keeper.epoch(name)
        if epoch is None or not self._keeper.holds(name):
            raise FencedOut(f"{name}: this process no longer holds it")
        return Fence(name, epoch)

    async def identify_turn(self, shard_id: int, max_concurrency: int) -> None:
        name = identify_turn(shard_id, max_concurrency)
        waited = await wait_for_turn(
            self._store, name, every=IDENTIFY_EVERY, clock=self._clock, within=TURN_WITHIN
        )
        if waited > 0:
            log.info("shard %d waited %.1f s for its turn to connect", shard_id, waited)

    async def commands_changed(self, scope: str, digest: str) -> bool:
        return await self._store.set_fact_if_changed(COMMANDS_FACT + scope, digest)

    async def commands_not_synced(self, scope: str) -> None:
        await self._store.set_fact_if_changed(COMMANDS_FACT + scope, "not synced")

    async def remember_server(self, user_id: int, guild_id: int, guild_name: str) -> None:
        await self._store.remember_server(PLATFORM, str(user_id), str(guild_id), guild_name)

    async def last_server(self, user_id: int) -> tuple[int, str] | None:
        found = await self._store.last_server(PLATFORM, str(user_id))
        if found is None or not found.server.isdigit():
            return None
        return int(found.server), found.server_name


@contextlib.asynccontextmanager
async def holding_shards(
    settings: Settings,
    adapter: DiscordAdapter,
    app: App,
    budget: ShutdownBudget | None,
    *,
    clock: Clock,
) -> AsyncIterator[None]:
    """This process's shards held while inside (see the module docstring).  Raises
    ``LeaseUnavailable`` (exit 2) when one stays another process's past the wait."""
    count = adapter.shard_count
    shards = adapter.shard_ids
    if count is None or not shards:
        raise RuntimeError("the shards must be known before their leases are taken")
    lost_tasks: set[asyncio.Task[None]] = set()

    def lost(name: str) -> None:
        shard = int(name.removeprefix(LEASE_PREFIX))
        dropped = app.service.let_go(lambda server: coordination.shard_of_server(server) == shard)
        log.warning("lost the lease on shard %d; let %d games go to its new owner", shard, dropped)
        task = asyncio.create_task(adapter.let_go_of_shard(shard), name=f"let-go-{shard}")
        lost_tasks.add(task)
        task.add_done_callback(lost_tasks.discard)

    keeper = LeaseKeeper(
        app.shared,
        [lease_name(shard) for shard in shards],
        holder=holder_description(clock),
        clock=clock,
        ttl=settings.lease_seconds,
        wait=settings.lease_wait,
        on_lost=lost,
    )
    coordination = DatabaseCoordination(
        store=app.shared, keeper=keeper, shard_count=count, clock=clock
    )
    await keeper.start()
    try:
        app.fence_writes(coordination.fence_for)
        adapter.coordinate(coordination)
        yield
    finally:
        try:
            # Saved under the leases, before anyone else may take them; and said so
            # ("back in a moment") while this process still speaks for their servers.
            await app.service.shutdown(within=budget.left() if budget is not None else None)
            with contextlib.suppress(TimeoutError):
                left = budget.left() if budget is not None else SAY_GOODBYE_WITHIN
                await asyncio.wait_for(adapter.outbound.flush(), left)
        finally:
            await keeper.close(within=budget.left() if budget is not None else None)
            await asyncio.gather(*lost_tasks, return_exceptions=True)
