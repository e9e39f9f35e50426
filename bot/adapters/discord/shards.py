"""Discord's shards, as the adapter needs them: which shard a guild is on, and whose turn
it is to IDENTIFY.

Discord puts a guild on shard ``(guild_id >> 22) % shard_count`` (GUIDE section 6); all its
events and interactions come through that shard's connection, and DMs through shard 0's.

A bot may start ``max_concurrency`` gateway sessions per 5 seconds (``GET /gateway/bot`` ->
``session_start_limit``), in buckets: shard ``s`` IDENTIFYs in bucket
``s % max_concurrency``, and each bucket takes one IDENTIFY per 5 seconds.  discord.py's own
``before_identify_hook`` sleeps 5 s before every IDENTIFY but the first, whatever the
buckets, and only within one process.  ``IdentifyPacer`` is the adapter's default: the same
rule per bucket, so a bot with ``max_concurrency`` 16 starts 16 shards at once, and a shard
that reconnects hours later does not wait at all.  Processes that start together must take
turns across processes; ``IdentifyTurn`` is the seam for that: the adapter awaits it with the
shard id just before each IDENTIFY is sent.

No discord.py here: ``adapter`` wires these into the client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from bot.observability.shards import ShardPhase, ShardState, measured
from bot.ports import Clock

#: Discord's window for session starts.
IDENTIFY_WINDOW: Final = 5.0
#: Turns of a bucket are spaced this much more than the window (a tenth): two IDENTIFYs
#: do not take the same time to reach Discord, and one that arrives early is refused.
TURN_MARGIN: Final = 0.1

#: Awaited with a shard's id just before that shard sends IDENTIFY; returns when it may.
IdentifyTurn = Callable[[int], Awaitable[None]]


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that carries ``guild_id``'s events among ``shard_count`` shards."""
    if shard_count < 1:
        raise ValueError(f"a bot runs at least 1 shard, not {shard_count}")
    return (guild_id >> 22) % shard_count


class IdentifyPacer:
    """One IDENTIFY per bucket (``shard_id % max_concurrency``) per ``window`` seconds,
    within this process (the module docstring).  Use it as an ``IdentifyTurn``."""

    def __init__(
        self, max_concurrency: int, *, clock: Clock, window: float = IDENTIFY_WINDOW
    ) -> None:
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, not {max_concurrency}")
        self.max_concurrency = max_concurrency
        self.window = window
        self._clock = clock
        self._last: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def bucket(self, shard_id: int) -> int:
        return shard_id % self.max_concurrency

    async def __call__(self, shard_id: int) -> None:
        key = self.bucket(shard_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            last = self._last.get(key)
            if last is not None:
                await self._clock.sleep_until(last + self.window * (1 + TURN_MARGIN))
            # Counted from the moment the turn is granted: the IDENTIFY follows at once.
            self._last[key] = self._clock.monotonic()


def check_shards(shard_count: int | None, shard_ids: Sequence[int] | None) -> None:
    """Raise ValueError unless ``shard_ids`` (None: all) fit ``shard_count`` (None: Discord's
    recommendation): ids need a count, lie in ``0 .. count - 1``, and are not empty."""
    if shard_count is not None and shard_count < 1:
        raise ValueError(f"a bot runs at least 1 shard, not {shard_count}")
    if shard_ids is None:
        return
    if shard_count is None:
        raise ValueError("shard ids need a shard count: the ids depend on how many there are")
    if not shard_ids:
        raise ValueError("a process runs at least one shard")
    beyond = [s for s in shard_ids if not 0 <= s < shard_count]
    if beyond:
        raise ValueError(f"shard {beyond[0]} is not among shards 0 to {shard_count - 1}")


@dataclass(frozen=True, slots=True)
class Link:
    """A launched shard's connection as discord.py shows it."""

    open: bool
    latency: float


class ShardBoard:
    """Which shards have been READY, and which are connected now; turned into the
    ``ShardState``s health and metrics report."""

    def __init__(self) -> None:
        self._seen: set[int] = set()  # READY at least once
        self._ready: set[int] = set()  # READY or RESUMED, and not disconnected since

    def ready(self, shard_id: int) -> None:
        self._seen.add(shard_id)
        self._ready.add(shard_id)

    def resumed(self, shard_id: int) -> None:
        self._ready.add(shard_id)

    def disconnected(self, shard_id: int) -> bool:
        """Forget that ``shard_id`` is connected; whether it was."""
        was = shard_id in self._ready
        self._ready.discard(shard_id)
        return was

    def states(
        self, running: Sequence[int], links: Mapping[int, Link], *, closed: bool
    ) -> list[ShardState]:
        """The state of each shard of ``running``; ``links`` holds the launched ones."""
        states = []
        for shard_id in running:
            link = links.get(shard_id)
            if closed:
                phase = ShardPhase.CLOSED
            elif link is None or shard_id not in self._seen:
                phase = ShardPhase.CONNECTING
            elif not link.open or shard_id not in self._ready:
                phase = ShardPhase.DISCONNECTED
            else:
                phase = ShardPhase.CONNECTED
            latency = measured(link.latency) if link is not None else None
            states.append(ShardState(shard_id, phase, latency))
        return states
