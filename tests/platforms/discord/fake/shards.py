"""Sharding as the fake Discord plays it: which shard a guild is on, and the logs tests read.

Discord puts a guild on shard ``(guild_id >> 22) % shard_count``; DMs arrive on shard 0.
A bot may start ``max_concurrency`` sessions per 5 seconds, in buckets: an IDENTIFY of shard
``s`` belongs to bucket ``s % max_concurrency``, and each bucket takes one IDENTIFY per window
(so ``max_concurrency`` in all). The fake does not refuse an IDENTIFY that breaks the rule
(Discord would invalidate the session); it marks it in ``IdentifyLog`` so a test can assert
that none happened.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Discord's window for session starts (``session_start_limit``: per 5 seconds).
IDENTIFY_WINDOW = 5.0


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that carries ``guild_id``'s events when the bot runs ``shard_count`` shards."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True, slots=True)
class IdentifyRecord:
    """One IDENTIFY the gateway received.

    ``time`` is the event loop's monotonic clock; ``key`` the rate-limit bucket
    (``shard_id % max_concurrency``); ``violation`` whether another IDENTIFY of the same
    bucket came less than the window before it. An IDENTIFY without ``shard`` is shard 0 of 1.
    """

    time: float
    shard_id: int
    shard_count: int
    key: int
    violation: bool


class IdentifyLog:
    """Every IDENTIFY in order, each checked against the bucket's previous one."""

    def __init__(self, *, max_concurrency: int, window: float) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.max_concurrency = max_concurrency
        self.window = window
        self.records: list[IdentifyRecord] = []
        self._last_in_bucket: dict[int, float] = {}

    def add(self, time: float, shard_id: int, shard_count: int) -> IdentifyRecord:
        key = shard_id % self.max_concurrency
        previous = self._last_in_bucket.get(key)
        violation = previous is not None and time - previous < self.window
        self._last_in_bucket[key] = time
        record = IdentifyRecord(time, shard_id, shard_count, key, violation)
        self.records.append(record)
        return record

    @property
    def violations(self) -> list[IdentifyRecord]:
        return [r for r in self.records if r.violation]


@dataclass(frozen=True, slots=True)
class Delivery:
    """An event the gateway sent to a session: which guild it concerned (None: a DM) and
    which shard's connection carried it (None: an unsharded session)."""

    event: str
    guild_id: int | None
    shard_id: int | None
    session_id: str


@dataclass(frozen=True, slots=True)
class CommandSync:
    """A bulk overwrite of the application commands (``guild_id`` None: the global ones)."""

    guild_id: int | None
    time: float
