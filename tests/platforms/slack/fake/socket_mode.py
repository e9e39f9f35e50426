"""Slack's Socket Mode endpoint: hello, envelopes out, acks in, pings answered.

The app reaches it through `apps.connections.open`, which hands out a one-use ticket URL.
"""

# `timeout=` on purpose: an expired wait fails the test naming the envelope that was not acked.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from .records import SlackRequest, SocketAck

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Envelope:
    """An envelope pushed to the app. `await envelope` gives the app's `SocketAck`."""

    envelope_id: str
    request: SlackRequest
    ack_future: asyncio.Future[SocketAck] = field(repr=False)
    timeout: float = 5.0

    async def acked(self, *, timeout: float | None = None) -> SocketAck:
        limit = self.timeout if timeout is None else timeout
        try:
            return await asyncio.wait_for(asyncio.shield(self.ack_future), limit)
        except TimeoutError:
            raise AssertionError(
                f"{self.request.kind} envelope {self.envelope_id} not acked within {limit} s"
            ) from None

    def __await__(self) -> Generator[Any, None, SocketAck]:
        return self.acked().__await__()


@dataclass(slots=True)
class SocketModeEndpoint:
    """Live websocket connections and what went over them."""

    app_id: str
    take_ticket: Callable[[str], bool]
    notify: Callable[[], Awaitable[None]]
    connections: list[web.WebSocketResponse] = field(default_factory=list)
    connections_opened: int = 0
    pings: int = 0
    acks: list[SocketAck] = field(default_factory=list)
    pending: dict[str, asyncio.Future[SocketAck]] = field(default_factory=dict)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not self.take_ticket(request.query.get("ticket", "")):
            log.warning("fake Slack: Socket Mode connection with an unknown ticket refused")
            return web.Response(status=401, text="invalid ticket")
        ws = web.WebSocketResponse(autoping=False)  # answer pings ourselves, to count them
        await ws.prepare(request)
        await ws.send_json(self.hello())
        self.connections.append(ws)
        self.connections_opened += 1
        await self.notify()
        try:
            async for message in ws:
                if message.type == WSMsgType.PING:
                    self.pings += 1
                    await ws.pong(message.data)
                elif message.type == WSMsgType.TEXT:
                    self.receive(message.data)
                    await self.notify()
        finally:
            self.connections.remove(ws)
            await self.notify()
        return ws

    def hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self.connections) + 1,
            "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }

    def receive(self, raw: str) -> None:
        try:
            data = json.loads(raw)
            envelope_id = str(data["envelope_id"])
        except (ValueError, KeyError, TypeError):
            log.warning("fake Slack: unexpected Socket Mode message %r", raw)
            return
        ack = SocketAck(envelope_id, data.get("payload"))
        self.acks.append(ack)
        future = self.pending.pop(envelope_id, None)
        if future is None:
            log.warning("fake Slack: ack for unknown or already acked envelope %s", envelope_id)
        elif not future.done():
            future.set_result(ack)

    async def send(
        self,
        ws: web.WebSocketResponse,
        request: SlackRequest,
        *,
        retry_attempt: int,
        retry_reason: str,
        timeout: float,
    ) -> Envelope:
        envelope_id = str(uuid.uuid4())
        body: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": request.kind,
            "payload": request.payload,
            # Slack lets the app answer slash commands and interactions inside the ack.
            "accepts_response_payload": request.kind != "events_api",
        }
        if request.kind == "events_api":
            body |= {"retry_attempt": retry_attempt, "retry_reason": retry_reason}
        future: asyncio.Future[SocketAck] = asyncio.get_running_loop().create_future()
        self.pending[envelope_id] = future
        await ws.send_json(body)
        return Envelope(envelope_id, request, future, timeout)

    async def close(self) -> None:
        for future in self.pending.values():
            future.cancel()
        self.pending.clear()
        for ws in list(self.connections):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake Slack shutting down")
