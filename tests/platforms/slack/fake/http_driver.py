"""Drive an app's HTTP endpoint the way Slack does: signed POSTs, optional retry headers."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Literal, NamedTuple, Self

import aiohttp
from aiohttp import web

from .records import SlackRequest

Signature = Literal["valid", "bad", "missing"]


def slack_signature(signing_secret: str, timestamp: int | str, body: bytes) -> str:
    """`v0=` + HMAC-SHA256(secret, `v0:{timestamp}:{raw body}`), as Slack computes it."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def slack_headers(
    signing_secret: str,
    body: bytes,
    content_type: str,
    *,
    timestamp: int | None = None,
    signature: Signature = "valid",
    retry_num: int | None = None,
    retry_reason: str | None = None,
) -> dict[str, str]:
    """Headers of a Slack request. `timestamp=int(time.time()) - 301` makes a stale one."""
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": content_type,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "X-Slack-Request-Timestamp": str(stamp),
    }
    if signature == "valid":
        headers["X-Slack-Signature"] = slack_signature(signing_secret, stamp, body)
    elif signature == "bad":
        headers["X-Slack-Signature"] = slack_signature(signing_secret + "-wrong", stamp, body)
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
    return headers


class HttpReply(NamedTuple):
    """What the app answered: unpacks as `status, body, elapsed` (seconds)."""

    status: int
    body: str
    elapsed: float

    def json(self) -> Any:
        return json.loads(self.body)


class SlackHttpDriver:
    """POSTs signed `SlackRequest`s to an app's endpoint, e.g. `http://127.0.0.1:PORT/slack/events`."""

    def __init__(self, url: str, signing_secret: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self.signing_secret = signing_secret
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def post(
        self,
        request: SlackRequest,
        *,
        signature: Signature = "valid",
        timestamp: int | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> HttpReply:
        if self._session is None:
            raise RuntimeError("use `async with SlackHttpDriver(...) as http:`")
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
        started = time.perf_counter()
        async with self._session.post(self.url, data=body, headers=headers) as response:
            text = await response.text()
        return HttpReply(response.status, text, time.perf_counter() - started)


@asynccontextmanager
async def serve_app(app: web.Application, *, path: str = "/slack/events") -> AsyncIterator[str]:
    """Serve an aiohttp app (e.g. bolt's `AsyncApp.web_app()`) on a free loopback port.

    Yields the URL of `path`; the server is cleaned up on exit.
    """
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}{path}"
    finally:
        await runner.cleanup()
