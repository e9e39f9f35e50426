"""What the processes sharing one PostgreSQL database tell each other: LISTEN/NOTIFY.

Two kinds of news, both rare (LISTEN/NOTIFY suits rare changes, not per-answer
traffic: every notifying commit takes a global lock):

* ``trivia_server_changed``: a server's own questions, switches or settings
  changed (sent by the write transaction itself, delivered at its commit).
  Every bot drops what it cached of that server, so an admin's change made
  through the CLI or another process reaches the next game within a second.
* ``trivia_reload``: ``trivia-bot reload`` asks every bot to reload its bank
  files (what SIGHUP and pid files do for bots sharing a SQLite file).  Each
  bot answers on ``trivia_reload_done``, so the command can say who reloaded.

A bot listens on a connection of its own, kept open while it serves and opened
again (after a pause) if the database goes away; after such a gap every cache
is dropped, since news may have been missed.

PostgreSQL delivers a notification to every listener on the *database*, but
one database can hold several trivia-bots apart in schemas of their own
(``?search_path=...``: another deployment, or each test's schema).  So every
payload starts with the schema it was sent from (``current_schema()``, the one
the tables are in), and a listener heeds only news from its own schema.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

import asyncpg

from bot.domain.model import ServerKey

log = logging.getLogger(__name__)

SERVER_CHANGED = "trivia_server_changed"
RELOAD = "trivia_reload"
RELOAD_DONE = "trivia_reload_done"
#: How long ``trivia-bot reload`` waits for the bots' answers.
ANSWER_WAIT = 1.5
#: How long a listener waits before connecting again after losing the database.
RECONNECT_AFTER = 2.0

Connect = Callable[[], Any]  # () -> Awaitable[asyncpg.Connection]


#: How ``ask_to_reload`` asks: the request after the schema it is for.
ASK_TO_RELOAD = "SELECT pg_notify($1, json_build_array(current_schema(), $2::text)::text)"


def _from_schema(payload: str, schema: str | None, parts: int) -> list[str] | None:
    """The ``parts`` values of a payload sent from ``schema``; None for one sent from
    another schema of the database (or one that is not ours at all)."""
    try:
        found = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(found, list) or len(found) != parts + 1 or found[0] != schema:
        return None
    return [str(value) for value in found[1:]]


def _set_on_close(closed: asyncio.Event, conn: object) -> None:
    closed.set()


def _me() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()}"


class Listener:
    """One process's LISTEN connection and what it does with the news."""

    def __init__(
        self,
        connect: Connect,
        *,
        server_changed: Callable[[ServerKey | None], None],
        reload: Callable[[str], None] | None,
    ) -> None:
        """``server_changed(None)`` means "maybe anything changed" (after a gap)."""
        self._connect = connect
        self._server_changed = server_changed
        self._reload = reload
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection[Any] | None = None
        self._schema: str | None = None  # the schema whose news this process heeds
        self._ready = asyncio.Event()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self._task = asyncio.create_task(self._keep_listening(), name="postgres-listener")
        try:
            # The first connection before serving: news from now on is not missed.
            async with asyncio.timeout(10):
                await self._ready.wait()
            yield
        finally:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            if self._conn is not None and not self._conn.is_closed():
                await self._conn.close()

    async def _keep_listening(self) -> None:
        first = True
        while True:
            try:
                self._conn = conn = await self._connect()
                self._schema = await conn.fetchval("SELECT current_schema()")
                await conn.add_listener(SERVER_CHANGED, self._on_server_changed)
                if self._reload is not None:
                    await conn.add_listener(RELOAD, self._on_reload)
                if not first:
                    log.warning("listening to the database again; dropping every cache")
                    self._server_changed(None)
                first = False
                self._ready.set()
                closed = asyncio.Event()
                conn.add_termination_listener(partial(_set_on_close, closed))
                await closed.wait()
                log.warning("lost the database's notifications; listening again soon")
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("cannot listen to the database's notifications: %s", exc)
            await asyncio.sleep(RECONNECT_AFTER)

    def _on_server_changed(self, conn: object, pid: int, channel: str, payload: str) -> None:
        found = _from_schema(payload, self._schema, 2)
        if found is not None:
            self._server_changed(ServerKey(*found))

    def _on_reload(self, conn: object, pid: int, channel: str, payload: str) -> None:
        assert self._reload is not None
        found = _from_schema(payload, self._schema, 1)
        if found is None:
            return
        (request,) = found
        self._reload(f"trivia-bot reload ({request})")
        if self._conn is not None:
            reply = json.dumps({"request": request, "bot": _me()})
            asyncio.get_running_loop().create_task(self._answer(reply), name="reload-answer")

    async def _answer(self, reply: str) -> None:
        with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            assert self._conn is not None
            await self._conn.execute("SELECT pg_notify($1, $2)", RELOAD_DONE, reply)


class NotifyReloads:
    """The ``ReloadChannel`` of a PostgreSQL store (see the module docstring)."""

    #: Asks arrive as notifications, not as SIGHUP: no signal handler is needed.
    by_signal = False

    def __init__(self, connect: Connect) -> None:
        self._connect = connect

    @contextlib.asynccontextmanager
    async def listening(
        self,
        reload: Callable[[str], None],
        server_changed: Callable[[ServerKey | None], None],
    ) -> AsyncIterator[None]:
        listener = Listener(self._connect, server_changed=server_changed, reload=reload)
        async with listener.running():
            yield

    async def ask_to_reload(self) -> list[str]:
        request = f"{_me()}, request {uuid.uuid4().hex[:8]}"
        answers: list[str] = []

        def answered(conn: object, pid: int, channel: str, payload: str) -> None:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                reply = json.loads(payload)
                if reply["request"] == request:
                    answers.append(str(reply["bot"]))

        conn = await self._connect()
        try:
            await conn.add_listener(RELOAD_DONE, answered)
            await conn.execute(ASK_TO_RELOAD, RELOAD, request)
            await asyncio.sleep(ANSWER_WAIT)
        finally:
            await conn.close()
        return sorted(answers)
