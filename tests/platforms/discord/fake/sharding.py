"""The views of FakeDiscord that tell a test about shards: which shard a guild is on, which
shards are connected, and the logs of IDENTIFYs, deliveries and command syncs."""

from __future__ import annotations

from .gateway import Gateway
from .payloads import FakeGuild
from .rest import RestApi
from .shards import CommandSync, Delivery, IdentifyRecord, shard_of
from .world import World


class ShardViews:
    """Mixed into FakeDiscord, which supplies the world, the gateway and the REST API."""

    _world: World
    _gateway: Gateway
    _rest: RestApi

    @property
    def shard_count(self) -> int:
        """How many shards the fake serves (and recommends in ``GET /gateway/bot``)."""
        return self._world.shard_count

    @property
    def max_concurrency(self) -> int:
        return self._rest.max_concurrency

    @property
    def guilds(self) -> list[FakeGuild]:
        """Every guild, ``fake.guild`` first, in creation order."""
        return list(self._world.guilds.values())

    def shard_of(self, guild_id: int) -> int:
        """The shard whose connection carries ``guild_id``'s events."""
        return shard_of(guild_id, self.shard_count)

    @property
    def identify_log(self) -> list[IdentifyRecord]:
        """Every IDENTIFY received, in order, each marked if it broke the rate limit."""
        return list(self._gateway.identify_log.records)

    @property
    def identify_violations(self) -> list[IdentifyRecord]:
        """IDENTIFYs that came less than ``identify_window`` after one of the same bucket."""
        return self._gateway.identify_log.violations

    @property
    def deliveries(self) -> list[Delivery]:
        """Every event the gateway sent (READY, GUILD_CREATE, messages, interactions...),
        with the guild it concerned and the shard whose connection carried it."""
        return list(self._gateway.deliveries)

    @property
    def command_syncs(self) -> list[CommandSync]:
        """Every ``PUT`` of the command tree (global or per guild), in order."""
        return list(self._rest.command_syncs)

    def live_shards(self) -> list[int]:
        """The shard ids with a connected session, sorted (0 for unsharded sessions)."""
        return sorted({s.shard[0] if s.shard else 0 for s in self._gateway.live})
