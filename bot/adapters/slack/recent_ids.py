"""Remembering which deliveries were already handled, for a while."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class RecentIds:
    """Ids seen in the last ``ttl`` seconds, at most ``limit`` of them (oldest go first).

    Slack redelivers an event it thinks was not acked after about 0 s, 1 min
    and 5 min, with the same ``event_id``; ten minutes of ids covers that.
    """

    def __init__(
        self,
        *,
        ttl: float = 600.0,
        limit: int = 50_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._limit = limit
        self._monotonic = monotonic
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def first_time(self, item: str) -> bool:
        """True the first time ``item`` is seen within the window, False after."""
        now = self._monotonic()
        # Insertion order is expiry order, so expired ids are all at the front.
        while self._seen and (
            next(iter(self._seen.values())) <= now or len(self._seen) >= self._limit
        ):
            self._seen.popitem(last=False)
        if item in self._seen:
            return False
        self._seen[item] = now + self._ttl
        return True
