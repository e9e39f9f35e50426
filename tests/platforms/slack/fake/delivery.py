"""Slack's side of HTTP mode: signed POSTs to the app's request URL(s), one replica after another.

`HttpDelivery.spread_over([url1, url2, url3], signing_secret=...)` makes each `deliver` go
to the next URL in turn (a round-robin load balancer in front of replicas); one URL is the
plain single-process case. Every delivery is recorded with where it went and what came back.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp

from .http_driver import HttpReply, Signature, slack_headers
from .records import SlackRequest


@dataclass(frozen=True, slots=True)
class Delivery:
    """One request POSTed to the app: where to, as which retry, and its reply."""

    target: str
    request: SlackRequest
    reply: HttpReply
    retry_num: int | None = None
    retry_reason: str | None = None

    @property
    def team_id(self) -> str | None:
        payload = self.request.payload
        team = payload.get("team_id") or payload.get("team")
        if isinstance(team, dict):
            team = team.get("id")
        return None if team is None else str(team)


class HttpDelivery:
    """Signs and POSTs `SlackRequest`s to the configured request URLs, round robin."""

    def __init__(self, *, timeout: float = 10.0) -> None:
        self.targets: list[str] = []
        self.signing_secret = ""
        self.deliveries: list[Delivery] = []
        self._turn = 0
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    @property
    def configured(self) -> bool:
        return bool(self.targets)

    def spread_over(self, urls: str | Sequence[str], *, signing_secret: str) -> None:
        """Deliver to `urls` in turn from now on (a str is one URL)."""
        targets = [urls] if isinstance(urls, str) else list(urls)
        if not targets:
            raise ValueError("spread_over needs at least one request URL")
        self.targets, self.signing_secret, self._turn = targets, signing_secret, 0

    def next_target(self) -> str:
        if not self.targets:
            raise AssertionError("no request URL: call slack.spread_over([...]) first")
        target = self.targets[self._turn % len(self.targets)]
        self._turn += 1
        return target

    async def deliver(
        self,
        request: SlackRequest,
        *,
        target: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        signature: Signature = "valid",
        timestamp: int | None = None,
    ) -> Delivery:
        """POST `request` signed to `target`, or to the next request URL in turn."""
        url = target or self.next_target()
        body, content_type = request.http_body()
        headers = slack_headers(
            self.signing_secret,
            body,
            content_type,
            timestamp=timestamp,
            signature=signature,
            retry_num=retry_num,
            retry_reason=retry_reason,
        )
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        started = time.perf_counter()
        async with self._session.post(url, data=body, headers=headers) as response:
            text = await response.text()
        reply = HttpReply(response.status, text, time.perf_counter() - started)
        delivery = Delivery(url, request, reply, retry_num, retry_reason)
        self.deliveries.append(delivery)
        return delivery

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()
