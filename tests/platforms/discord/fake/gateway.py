"""The gateway websocket: HELLO, IDENTIFY, heartbeats, READY + GUILD_CREATE, RESUME, dispatch.

Frames are JSON text, or zlib-stream binary when the client asks for ``compress=zlib-stream``
(discord.py does by default; it accepts both). Closing codes follow Discord: 4004 for a bad
token, 4010 for an invalid shard, 4011 when sharding is required, 4014 for a privileged intent
the application is not allowed.

Each session serves one shard (``shard: [id, count]`` in its IDENTIFY): READY and GUILD_CREATE
describe that shard's guilds only, and ``dispatch`` sends a guild's events to the sessions of
the guild's shard, a DM's to shard 0 (``shards``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from .payloads import (
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_PRESENCES,
    INTENT_MESSAGE_CONTENT,
    JSON,
)
from .shards import Delivery, IdentifyLog, shard_of

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE_UPDATE = 0, 1, 2, 3
RESUME, REQUEST_GUILD_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 8, 9, 10, 11
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_INVALID_SHARD = 4010
CLOSE_SHARDING_REQUIRED = 4011
CLOSE_DISALLOWED_INTENTS = 4014


class GatewayHost(Protocol):
    """What the gateway asks of the fake's world."""

    @property
    def token(self) -> str: ...

    def ready_payload(self, session: Session) -> JSON: ...

    def guild_payloads(self, session: Session) -> list[JSON]: ...

    def member_chunk(self, request: JSON) -> JSON: ...

    def changed(self) -> None: ...


class Connection:
    """One websocket. Sends are serialised so sequence numbers go out in order."""

    def __init__(self, ws: web.WebSocketResponse, *, compress: bool) -> None:
        self.ws = ws
        self._lock = asyncio.Lock()
        self._zlib = zlib.compressobj() if compress else None

    async def send(self, payload: JSON, *, session: Session | None = None) -> bool:
        """Send one frame; False if the connection closed under us (the client went away)."""
        async with self._lock:
            if self.ws.closed:
                return False
            if session is not None:
                session.seq += 1
                payload["s"] = session.seq
            text = json.dumps(payload)
            try:
                if self._zlib is None:
                    await self.ws.send_str(text)
                else:
                    data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
            except ConnectionError:
                log.info("fake gateway: connection closed while sending %s", payload.get("t"))
                return False
            return True


@dataclass(slots=True)
class Session:
    """A gateway session: survives a dropped connection, so the client can RESUME it."""

    id: str
    intents: int
    identify: JSON
    #: (shard id, shard count) from the IDENTIFY; None for an unsharded session.
    shard: tuple[int, int] | None = None
    seq: int = 0
    connection: Connection | None = field(default=None, repr=False)

    def has(self, intent: int) -> bool:
        return bool(self.intents & intent)

    def serves(self, guild_id: int | None) -> bool:
        """Whether this session gets the events of ``guild_id`` (None: a DM, shard 0's)."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else shard_of(guild_id, count))


class Gateway:
    """Accepts websocket connections at ``/gateway`` and speaks Discord's gateway protocol."""

    def __init__(
        self,
        host: GatewayHost,
        *,
        heartbeat_interval_ms: int,
        allowed_privileged_intents: int,
        shard_count: int,
        identify_log: IdentifyLog,
    ) -> None:
        self._host = host
        self.shard_count = shard_count
        self.identify_log = identify_log
        #: Every event sent, with its guild and the shard whose connection carried it.
        self.deliveries: list[Delivery] = []
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.allowed_privileged_intents = allowed_privileged_intents
        self.answer_heartbeats = True
        #: Answer ``compress=zlib-stream`` with zlib frames (False: plain text, also accepted).
        self.zlib_frames = True
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.heartbeats = 0
        self.received: list[JSON] = []
        self.urls: list[str] = []  # path and query of every connection, in order
        self.close_codes: list[int] = []

    @property
    def live(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.connection is not None]

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self.urls.append(str(request.rel_url))
        wants_zlib = request.query.get("compress") == "zlib-stream"
        connection = Connection(ws, compress=wants_zlib and self.zlib_frames)
        self.connections.add(connection)
        session: Session | None = None
        try:
            await connection.send(
                {"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
            )
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                frame: JSON = json.loads(message.data)
                self.received.append(frame)
                session = await self._on_frame(connection, frame, session)
                self._host.changed()
        finally:
            self.connections.discard(connection)
            if session is not None and session.connection is connection:
                session.connection = None
            self._host.changed()
        return ws

    async def _on_frame(
        self, connection: Connection, frame: JSON, session: Session | None
    ) -> Session | None:
        op = frame.get("op")
        raw = frame.get("d")
        data: JSON = raw if isinstance(raw, dict) else {}
        if op == HEARTBEAT:
            self.heartbeats += 1
            if self.answer_heartbeats:
                await connection.send({"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            return await self._identify(connection, data)
        elif op == RESUME:
            return await self._resume(connection, data)
        elif op == REQUEST_GUILD_MEMBERS and session is not None:
            await self.send_event(session, "GUILD_MEMBERS_CHUNK", self._host.member_chunk(data))
        elif op == PRESENCE_UPDATE:
            log.debug("presence update: %s", data)
        return session

    async def _identify(self, connection: Connection, data: JSON) -> Session | None:
        raw_shard = data.get("shard")
        shard = _shard_pair(raw_shard)
        shard_id, count = shard if shard is not None else (0, 1)
        self.identify_log.add(asyncio.get_running_loop().time(), shard_id, count)
        if data.get("token") != self._host.token:
            await self._close(connection, CLOSE_AUTHENTICATION_FAILED, "Authentication failed.")
            return None
        if raw_shard is None and self.shard_count > 1:
            await self._close(connection, CLOSE_SHARDING_REQUIRED, "Sharding required.")
            return None
        # Stricter than Discord, which also takes more shards than it recommends: the fake
        # wants the count it was made with, so a misconfigured test fails loudly.
        if raw_shard is not None and (shard is None or count != self.shard_count):
            await self._close(connection, CLOSE_INVALID_SHARD, "Invalid shard.")
            return None
        intents = int(data.get("intents", 0))
        refused = intents & PRIVILEGED_INTENTS & ~self.allowed_privileged_intents
        if refused:
            await self._close(connection, CLOSE_DISALLOWED_INTENTS, "Disallowed intent(s).")
            return None
        session = Session(
            id=uuid.uuid4().hex,
            intents=intents,
            identify=data,
            shard=shard if raw_shard is not None else None,
            connection=connection,
        )
        self.sessions[session.id] = session
        await self.send_event(session, "READY", self._host.ready_payload(session))
        for guild in self._host.guild_payloads(session):
            await self.send_event(session, "GUILD_CREATE", guild, guild_id=int(guild["id"]))
        return session

    async def _resume(self, connection: Connection, data: JSON) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or data.get("token") != self._host.token:
            await connection.send({"op": INVALID_SESSION, "d": False})
            return None
        session.connection = connection
        # Events missed while disconnected are not replayed: the fake sends nothing then.
        await self.send_event(session, "RESUMED", {})
        return session

    async def _close(self, connection: Connection, code: int, reason: str) -> None:
        log.info("fake gateway closing a connection: %s %s", code, reason)
        self.close_codes.append(code)
        await connection.ws.close(code=code, message=reason.encode())

    async def send_event(
        self, session: Session, event: str, data: Any, *, guild_id: int | None = None
    ) -> bool:
        """Send one event to ``session``, logged in ``deliveries`` (about ``guild_id``)."""
        if session.connection is None:
            return False
        frame = {"op": DISPATCH, "t": event, "d": data}
        sent = await session.connection.send(frame, session=session)
        if sent:
            shard_id = session.shard[0] if session.shard is not None else None
            self.deliveries.append(Delivery(event, guild_id, shard_id, session.id))
        return sent

    async def dispatch(
        self,
        event: str,
        data_for: Callable[[Session], JSON | None],
        *,
        guild_id: int | None,
    ) -> int:
        """Send ``event`` to the live sessions serving ``guild_id`` (None: a DM, shard 0);
        ``data_for`` returns None to skip a session.  How many sessions got it."""
        delivered = 0
        for session in self.live:
            if not session.serves(guild_id):
                continue
            data = data_for(session)
            if data is not None and await self.send_event(session, event, data, guild_id=guild_id):
                delivered += 1
        return delivered

    async def drop(self, code: int) -> None:
        """Close every connection with ``code``, keeping the sessions so clients can RESUME."""
        for connection in list(self.connections):
            await self._close(connection, code, "dropped by the test")

    async def close_all(self) -> None:
        for connection in list(self.connections):
            await connection.ws.close(code=1001, message=b"fake Discord shutting down")


def _shard_pair(raw: Any) -> tuple[int, int] | None:
    """``[id, count]`` as Discord takes it (0 <= id < count), else None."""
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        return None
    shard_id, count = raw
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (shard_id, count)):
        return None
    return (shard_id, count) if 0 <= shard_id < count else None
