"""Request/reply over NATS (``TRIVIA_NATS_URL``): the one module that imports nats-py.

A replica listens on its own subject (``codec.subject_for``) and answers each
request with what its handler returns; ``request`` asks another replica and
raises ``NoAnswer`` when nobody listens there (NATS says so at once: "no
responders"), when the answer does not come in time, or when NATS itself is
unreachable.  Whoever asked then finds out again who owns the workspace.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import Error as NatsError

log = logging.getLogger(__name__)

Handler = Callable[[bytes], Awaitable[bytes]]


class NoAnswer(Exception):
    """A request nobody answered (no responders, too late, NATS unreachable)."""


class LinkUnavailable(Exception):
    """NATS could not be reached when the replica started."""


class NatsLink:
    """One connection to NATS: ``listen`` on this replica's subject, ``request`` others'."""

    def __init__(self, url: str, *, name: str, connect_timeout: float = 5.0) -> None:
        self._url = url
        self._name = name
        self._connect_timeout = connect_timeout
        self._client: Client | None = None
        self._subscription: Subscription | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    async def connect(self) -> None:
        try:
            self._client = await nats.connect(
                self._url,
                name=self._name,
                connect_timeout=self._connect_timeout,
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
            )
        except (NatsError, OSError, TimeoutError) as exc:
            raise LinkUnavailable(f"cannot reach NATS at {self._url}: {exc!r}") from exc

    async def listen(self, subject: str, handler: Handler) -> None:
        """Answer every request on ``subject`` with ``handler``'s bytes, each in a task."""
        client = self._connected()

        async def received(msg: Msg) -> None:
            task = asyncio.create_task(self._answer(msg, handler), name=f"forwarded {subject}")
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)

        self._subscription = await client.subscribe(subject, cb=received)
        # Subscribed at the server before anyone is told to send here.
        await client.flush(timeout=max(1, round(self._connect_timeout)))

    async def _answer(self, msg: Msg, handler: Handler) -> None:
        try:
            reply = await handler(msg.data)
        except Exception:
            log.exception("a forwarded request on %s failed", msg.subject)
            return
        if msg.reply:
            try:
                await msg.respond(reply)
            except (NatsError, OSError) as exc:
                log.warning("could not answer a forwarded request: %r", exc)

    async def request(self, subject: str, data: bytes, *, within: float) -> bytes:
        client = self._connected()
        try:
            msg = await client.request(subject, data, timeout=within)
        except (NatsError, OSError, TimeoutError) as exc:
            raise NoAnswer(f"{subject}: {type(exc).__name__}") from exc
        return msg.data

    async def stop_listening(self) -> None:
        """No new requests: unsubscribe, then finish those being answered."""
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            try:
                await subscription.unsubscribe()
            except (NatsError, OSError) as exc:
                log.warning("could not unsubscribe from NATS: %r", exc)
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def close(self) -> None:
        await self.stop_listening()
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            try:
                await asyncio.wait_for(client.close(), 5.0)
            except (NatsError, OSError, TimeoutError) as exc:
                log.warning("could not close the NATS connection cleanly: %r", exc)

    def _connected(self) -> Client:
        if self._client is None:
            raise NoAnswer("not connected to NATS")
        return self._client

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
