"""Slack's Web API rate limits, enforced by the fake when asked (`FakeSlack(rate_limits=...)`).

What Slack documents (docs.slack.dev/apis/web-api/rate-limits): limits apply "per API method
per workspace per app"; Tier 2 allows 20+ calls a minute, Tier 3 50+, Tier 4 100+, each with
"occasional" or "sporadic" bursts; `chat.postMessage` has a special tier, "one message per
second per channel" with short bursts, "while also maintaining a workspace-wide limit" that
Slack does not publish ("several hundred messages per minute" in its older docs).  A call over
a limit is answered HTTP 429 with `Retry-After` (whole seconds) and `{"ok": false, "error":
"ratelimited"}`.  Response URLs are not Web API calls and have no tier.

The model here, where Slack leaves it open: each limit is a token bucket, full at the start,
refilled at the documented rate; a tier's bucket holds half a minute's calls (Tier 3: 25, so
reveals of many games falling due together pass, and a sustained rate above 50 a minute does
not), a channel's holds `post_burst` posts, the workspace's posts `workspace_posts_per_minute`
(300, the low end of "several hundred") with the same half-minute burst.  `time_scale` runs
every limit that many times faster, for a bot on a clock that much faster.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

#: The tier of each Web API method the bot calls (Slack's method reference pages).
TIERS: dict[str, int] = {
    "chat.update": 3,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "reactions.add": 3,
    "views.open": 4,
    "views.update": 4,
    "views.publish": 4,
    "users.info": 4,
    "conversations.info": 3,
    "conversations.open": 3,
    "files.info": 4,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
}
PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
POST = "chat.postMessage"


def is_tiered(method: str) -> bool:
    """A call spending a per-workspace tier (Tier 1 to 4; `chat.postMessage` is special)."""
    return method in TIERS


@dataclass(slots=True)
class _Bucket:
    rate: float  # calls per second
    capacity: float
    tokens: float
    at: float

    def take(self, now: float) -> float:
        """0 and one call taken, or the seconds until one may be made."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class RateLimits:
    """Slack's limits as the fake enforces them (module docstring)."""

    time_scale: float = 1.0
    burst_minutes: float = 0.5
    post_burst: int = 3
    workspace_posts_per_minute: int = 300
    monotonic: Callable[[], float] = time.monotonic
    #: 429s answered, by scope ("T0TRIVIA chat.update", "C0TRIVIA chat.postMessage", ...).
    hits: Counter[str] = field(default_factory=Counter)
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)

    def check(self, method: str, team: str, channel: str | None) -> float | None:
        """None if a call of `method` in `team` (to `channel`) may be made now and is counted;
        else the seconds Slack would ask the caller to wait."""
        now = self.monotonic()
        scopes: list[tuple[str, float, float]] = []
        if method == POST:
            per_minute = self.workspace_posts_per_minute
            scopes.append((team, per_minute / 60, per_minute * self.burst_minutes))
            if channel:
                scopes.append((f"{team}/{channel}", 1.0, float(self.post_burst)))
        elif method in TIERS:
            per_minute = PER_MINUTE[TIERS[method]]
            scopes.append((team, per_minute / 60, per_minute * self.burst_minutes))
        buckets = [self._bucket(method, scope, rate, size, now) for scope, rate, size in scopes]
        # A call is taken from every bucket or from none.
        saved = [(b.tokens, b.at) for b in buckets]
        for bucket, (scope, _, _) in zip(buckets, scopes, strict=True):
            wait = bucket.take(now)
            if wait > 0:
                for b, (tokens, at) in zip(buckets, saved, strict=True):
                    b.tokens, b.at = tokens, at
                self.hits[f"{scope} {method}"] += 1
                return wait
        return None

    def _bucket(self, method: str, scope: str, rate: float, size: float, now: float) -> _Bucket:
        key = (method, scope)
        found = self._buckets.get(key)
        if found is None:
            rate *= self.time_scale
            found = self._buckets[key] = _Bucket(rate, size, size, now)
        return found


def retry_after(wait: float) -> int:
    """`Retry-After` in whole seconds, as Slack sends it (never less than the wait)."""
    return max(0, math.ceil(wait))
