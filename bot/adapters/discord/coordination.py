"""What the processes running one Discord bot share, as the adapter sees it.

A bot split over several processes (its shards spread over them) must agree on
what a single process keeps to itself: which process owns a server (the lease
on its shard), whose turn it is to IDENTIFY (Discord counts them over all of a
bot's connections), whether the command tree needs syncing (once, not by every
process at every start), and where each player last played (a DM arrives on
shard 0; the server it is about may be another process's).

``Coordination`` is that, as a port; the app provides it over the database
(``bot.app.discord_shards``).  Without one the adapter is a lone process: it
owns every server, paces its own IDENTIFYs, syncs the commands at each start
and remembers players' servers in memory (``ServerMemory``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Protocol

log = logging.getLogger(__name__)

#: How many players' last servers a lone process remembers (what their DMs refer to).
REMEMBERED_PLAYERS = 10_000


class Coordination(Protocol):
    def owns(self, guild_id: int) -> bool:
        """Whether this process may act for ``guild_id`` now (holds its shard's lease)."""
        ...

    async def identify_turn(self, shard_id: int, max_concurrency: int) -> None:
        """Return once shard ``shard_id`` may IDENTIFY (its bucket's turn, bot-wide)."""
        ...

    async def commands_changed(self, scope: str, digest: str) -> bool:
        """Whether the command tree of ``scope`` ("global", "guild:<id>") must be synced:
        True for exactly one process when ``digest`` differs from the last one synced."""
        ...

    async def commands_not_synced(self, scope: str) -> None:
        """The sync ``commands_changed`` asked for failed: the next start tries again."""
        ...

    async def remember_server(self, user_id: int, guild_id: int, guild_name: str) -> None: ...

    async def last_server(self, user_id: int) -> tuple[int, str] | None: ...


class ServerMemory:
    """Where each player last played: in memory, or shared through ``Coordination``.

    ``remember`` is called on every guild interaction and message, so it writes only
    when a player's server changes (once per player and server in a process's life),
    behind, without holding up the command.
    """

    def __init__(self) -> None:
        self._known: OrderedDict[int, tuple[int, str]] = OrderedDict()
        self._shared: Coordination | None = None
        self._writes: set[asyncio.Task[None]] = set()

    def share_through(self, coordination: Coordination) -> None:
        self._shared = coordination

    def remember(self, user_id: int, guild_id: int, guild_name: str) -> None:
        changed = self._known.get(user_id) != (guild_id, guild_name)
        self._known[user_id] = (guild_id, guild_name)
        self._known.move_to_end(user_id)
        while len(self._known) > REMEMBERED_PLAYERS:
            self._known.popitem(last=False)
        if changed and self._shared is not None:
            write = self._shared.remember_server(user_id, guild_id, guild_name)
            task = asyncio.create_task(write, name=f"discord-remember:{user_id}")
            self._writes.add(task)
            task.add_done_callback(self._written)

    async def last_server(self, user_id: int) -> tuple[int, str] | None:
        """The server ``user_id`` last played in, by any process of the bot."""
        if self._shared is not None:
            try:
                found = await self._shared.last_server(user_id)
            except Exception as exc:  # the database is down: what this process saw
                log.warning("cannot read where %s last played: %s", user_id, exc)
            else:
                if found is not None:
                    return found
        return self._known.get(user_id)

    def _written(self, task: asyncio.Task[None]) -> None:
        self._writes.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.warning("cannot note where a player last played: %s", error)

    async def close(self) -> None:
        await asyncio.gather(*self._writes, return_exceptions=True)
