"""The state of each gateway shard a process runs, as health and metrics report it.

A sharded adapter (Discord) describes its shards with ``ShardState``s; ``/healthz`` lists
them and ``/metrics`` labels the gateway series by shard.  A platform without shards
reports none, and both stay as they were.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ShardPhase(StrEnum):
    """Where a shard's connection stands."""

    #: Not connected yet: waiting for its IDENTIFY turn, identifying, or loading its guilds.
    CONNECTING = "connecting"
    #: READY received and the connection open: its guilds' events arrive.
    CONNECTED = "connected"
    #: Was connected and lost the connection; the client is reconnecting.
    DISCONNECTED = "disconnected"
    #: The client closed for good (stopping, or Discord refused it).
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ShardState:
    """One shard: its id, its phase, and the heartbeat round trip (None until measured)."""

    id: int
    phase: ShardPhase
    latency: float | None = None

    @property
    def connected(self) -> bool:
        return self.phase is ShardPhase.CONNECTED

    def as_json(self) -> dict[str, Any]:
        """``{"state": "connected", "latency_ms": 41.5}`` (latency null until measured)."""
        latency = None if self.latency is None else round(self.latency * 1000, 1)
        return {"state": self.phase.value, "latency_ms": latency}


#: Read at each check or scrape: the shards as they stand now.
ShardStates = Callable[[], Sequence[ShardState]]


def measured(latency: float) -> float | None:
    """discord.py's latency, or None while it is not a number yet (inf or nan before the
    first heartbeat is acknowledged)."""
    return latency if math.isfinite(latency) else None
