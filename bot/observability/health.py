"""Is the bot healthy: is its platform connected, and can it write its database?

Both questions are asked afresh at each check, at the same time, and each gets
``timeout`` seconds: a check that raises or takes longer counts as a "no", so
``/healthz`` answers quickly even when the database is locked or the platform's
connection hangs.

A sharded adapter (Discord) also lists its shards (``watch_shards``): the report
then names each shard's state and latency, so an operator sees which of them is
down while the platform as a whole reads "disconnected".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.observability.shards import ShardState, ShardStates

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class HealthReport:
    platform_connected: bool
    database_writable: bool
    #: The adapter's shards (none for a platform without shards).
    shards: tuple[ShardState, ...] = ()

    @property
    def ok(self) -> bool:
        return self.platform_connected and self.database_writable

    def as_json(self) -> dict[str, Any]:
        """``{"status": "ok", "platform": "connected", "database": "writable"}`` when
        healthy; otherwise status "failing" and ``failing`` names the parts that fail."""
        body: dict[str, Any] = {
            "status": "ok" if self.ok else "failing",
            "platform": "connected" if self.platform_connected else "disconnected",
            "database": "writable" if self.database_writable else "not writable",
        }
        if not self.ok:
            parts = (("platform", self.platform_connected), ("database", self.database_writable))
            body["failing"] = [name for name, good in parts if not good]
        if self.shards:
            # Keyed by id, as text: JSON object keys are strings.
            body["shards"] = {str(s.id): s.as_json() for s in self.shards}
        return body


class Health:
    """The two checks behind ``/healthz``.

    ``platform_connected``: the adapter's connection (Discord's gateway, Slack's
    Socket Mode websocket; in Slack's HTTP mode, the server answering is the
    connection).  ``database_writable``: the store could start a write now.
    """

    def __init__(
        self, *, platform_connected: Check, database_writable: Check, timeout: float = 2.0
    ) -> None:
        self._platform = platform_connected
        self._database = database_writable
        self._timeout = timeout
        self._shards: ShardStates | None = None

    def watch_shards(self, states: ShardStates) -> None:
        """List the shards ``states()`` describes in every report (the adapter, once it
        knows them)."""
        self._shards = states

    async def check(self) -> HealthReport:
        platform, database = await asyncio.gather(
            self._ask("platform", self._platform), self._ask("database", self._database)
        )
        shards = self._read_shards()
        return HealthReport(platform_connected=platform, database_writable=database, shards=shards)

    def _read_shards(self) -> tuple[ShardState, ...]:
        if self._shards is None:
            return ()
        try:
            return tuple(sorted(self._shards(), key=lambda s: s.id))
        except Exception:
            log.exception("health: reading the shards failed")
            return ()

    async def _ask(self, what: str, check: Check) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                return await check()
        except TimeoutError:
            log.warning("health: the %s check took over %.1f s", what, self._timeout)
        except Exception:
            log.exception("health: the %s check failed", what)
        return False


async def always() -> bool:
    """A check that always passes (Slack's HTTP mode: answering is being connected)."""
    return True
