"""Discord's REST rate limits, enforced when a test asks (``FakeDiscord(rate_limits=True)``).

What is enforced (https://discord.com/developers/docs/topics/rate-limits, and the figures
bots see in the headers):

* **Global**: ``global_rate`` requests per second per bot token (50), counted over every
  request that carries the bot's ``Authorization``. Interaction endpoints are exempt: the
  callback (``/interactions/{id}/{token}/callback``) and the interaction's webhook
  (``/webhooks/{app}/{token}...``, follow-ups and their edits).
* **Per route**, each with ``X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket`` on every
  answer so that discord.py can pace itself: channel posts 5 per 5 s per channel, channel
  edits and deletes 5 per 5 s per channel, and each interaction webhook (application id +
  token) 5 per 2 s.

Windows are fixed: a bucket opens at its first request and resets ``per`` seconds later, as
Discord's headers describe. A request over a limit gets 429 with ``Via`` and a JSON
``retry_after`` (discord.py retries only those), ``X-RateLimit-Scope`` ``global`` or ``user``.
Time is the event loop's clock (``time_scale`` > 1 shortens every window, for a bot on a
fast clock).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

GLOBAL_RATE = 50
_POST = re.compile(r"/channels/(\d+)/messages")
_EDIT = re.compile(r"/channels/(\d+)/messages/\d+")
_WEBHOOK = re.compile(r"/webhooks/(\d+)/([^/]+)(?:/messages/[^/]+)?")


@dataclass(slots=True)
class _Window:
    limit: int
    per: float
    count: int = 0
    resets_at: float = 0.0

    def take(self, now: float) -> float | None:
        """Count one request; None if allowed, else seconds until the window resets."""
        if now >= self.resets_at:
            self.count, self.resets_at = 0, now + self.per
        if self.count >= self.limit:
            return self.resets_at - now
        self.count += 1
        return None


@dataclass(frozen=True, slots=True)
class Verdict:
    """``retry_after`` None: allowed (``headers`` describe its bucket); else a 429."""

    headers: dict[str, str]
    retry_after: float | None = None
    scope: str = "user"


def exempt(path: str) -> bool:
    """Interaction endpoints: not bound to the bot's global limit."""
    return path.startswith(("/interactions/", "/webhooks/"))


def route_bucket(method: str, path: str) -> tuple[str, int, float] | None:
    """(bucket key, limit, seconds) of a request's per-route limit, or None."""
    if method == "POST" and (m := _POST.fullmatch(path)):
        return f"post:{m[1]}", 5, 5.0
    if method in ("PATCH", "DELETE") and (m := _EDIT.fullmatch(path)):
        return f"edit:{m[1]}", 5, 5.0
    if m := _WEBHOOK.fullmatch(path):
        return f"webhook:{m[1]}:{m[2]}", 5, 2.0
    return None


class RateLimits:
    """The fake's limits (module docstring); ``take`` judges one request."""

    def __init__(self, *, global_rate: int = GLOBAL_RATE, time_scale: float = 1.0) -> None:
        self.global_rate = global_rate
        self.time_scale = time_scale
        self._global = _Window(global_rate, 1.0 / time_scale)
        self._routes: dict[str, _Window] = {}
        #: 429s served, by scope ("global", "user").
        self.hits: dict[str, int] = {}

    def take(self, method: str, path: str, *, now: float) -> Verdict:
        bucket = route_bucket(method, path)
        headers: dict[str, str] = {}
        window: _Window | None = None
        if bucket is not None:
            key, limit, per = bucket
            window = self._routes.get(key)
            if window is None:
                window = self._routes[key] = _Window(limit, per / self.time_scale)
            # Judged without counting first: a request refused globally spends no route slot.
            if now < window.resets_at and window.count >= window.limit:
                return self._refused(window.resets_at - now, "user")
        if not exempt(path):
            wait = self._global.take(now)
            if wait is not None:
                return self._refused(wait, "global")
        if window is not None and bucket is not None:
            window.take(now)
            reset_after = max(window.resets_at - now, 0.0)
            headers = {
                "X-RateLimit-Limit": str(window.limit),
                "X-RateLimit-Remaining": str(window.limit - window.count),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": bucket[0].split(":", 1)[0],
            }
        return Verdict(headers)

    def _refused(self, retry_after: float, scope: str) -> Verdict:
        self.hits[scope] = self.hits.get(scope, 0) + 1
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Scope": scope,
        }
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        return Verdict(headers, retry_after=max(retry_after, 0.001), scope=scope)
