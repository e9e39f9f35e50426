"""Events API deliveries already handled, by any replica: Slack's redeliveries recognised.

Slack redelivers an event it did not see acked in time (after about 0 s, 1 min and 5 min,
with the same ``event_id``), and a load balancer may hand the redelivery to another
replica than the first.  ``SeenEvents.first_time`` asks the database
(``SlackInstallStore.first_sighting``: of any number of replicas asking about one id,
exactly one hears True), with this process's ``RecentIds`` in front so that a
redelivery to the same replica costs no query.  Every ``prune_every`` seconds it also
forgets expired event ids and OAuth states (``prune_slack_rows``), so those tables
stay small without a job of their own.
"""

from __future__ import annotations

import logging
from typing import Final

from bot.adapters.slack.recent_ids import RecentIds
from bot.ports import Clock, SlackInstallStore

log = logging.getLogger(__name__)

#: How long an event id is remembered: Slack's last retry comes after about 5 minutes.
DEFAULT_KEEP: Final = 600.0
DEFAULT_PRUNE_EVERY: Final = 300.0


class SeenEvents:
    """Event ids seen by any replica in the last ``keep`` seconds (module docstring)."""

    def __init__(
        self,
        store: SlackInstallStore,
        *,
        clock: Clock,
        keep: float = DEFAULT_KEEP,
        prune_every: float = DEFAULT_PRUNE_EVERY,
    ) -> None:
        if keep <= 0 or prune_every <= 0:
            raise ValueError(f"keep and prune_every must be positive, got {keep}, {prune_every}")
        self._store = store
        self._clock = clock
        self._keep = keep
        self._prune_every = prune_every
        self._local = RecentIds(ttl=keep, monotonic=clock.monotonic)
        self._next_prune = clock.monotonic() + prune_every

    async def first_time(self, event_id: str) -> bool:
        """True for the first delivery of ``event_id`` to any replica within ``keep``
        seconds, False for every later one.  Raises the port's ``StoreUnavailable`` when
        the database cannot say (the caller decides whether to handle the event anyway)."""
        if not self._local.first_time(event_id):
            return False
        first = await self._store.first_sighting(event_id, keep=self._keep)
        if self._clock.monotonic() >= self._next_prune:
            self._next_prune = self._clock.monotonic() + self._prune_every
            pruned = await self._store.prune_slack_rows()
            log.debug("slack: forgot %d expired event ids and OAuth states", pruned)
        return first
