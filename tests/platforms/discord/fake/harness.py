"""Point the real discord.py at a FakeDiscord, and run a client against it for one test.

The only module of the fake that imports discord.py (the fake itself speaks plain JSON).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .errors import FakeDiscordError, FakeDiscordTimeout
from .server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.contextmanager
def point_discord_at(fake: FakeDiscord) -> Iterator[None]:
    """Send discord.py's REST calls and gateway connection to ``fake``; restore on exit.

    Both are needed: a plain ``Client`` never asks ``/gateway/bot``, it connects straight to
    ``DiscordWebSocket.DEFAULT_GATEWAY``. Webhook and interaction calls use ``Route`` too.
    """
    saved_base, saved_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        Route.BASE = saved_base
        DiscordWebSocket.DEFAULT_GATEWAY = saved_gateway


@contextlib.asynccontextmanager
async def run_client(
    fake: FakeDiscord,
    client: ClientT,
    *,
    token: str | None = None,
    ready_timeout: float = 5.0,
) -> AsyncIterator[ClientT]:
    """Start ``client`` against ``fake``, wait for ``on_ready``, and close it cleanly on exit.

    An error that stops the client before it is ready (a bad token, a refused privileged
    intent: ``discord.PrivilegedIntentsRequired``) is raised from here; one that stops it
    later is raised on exit unless the test body failed first.
    """
    with point_discord_at(fake):
        task = asyncio.create_task(client.start(token or fake.token), name="fake-discord-client")
        ready = asyncio.create_task(client.wait_until_ready(), name="fake-discord-ready")
        body_failed = False
        try:
            done, _ = await asyncio.wait(
                {task, ready}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if task in done:
                task.result()  # raises what stopped the client
                raise FakeDiscordError("the client stopped before it was ready")
            if ready not in done:
                raise FakeDiscordTimeout(
                    f"client not ready after {ready_timeout}s\n{fake.describe()}"
                )
            yield client
        except BaseException:
            body_failed = True
            raise
        finally:
            ready.cancel()
            await client.close()
            outcomes = await asyncio.gather(ready, task, return_exceptions=True)
            stopped_by = outcomes[1]
            if (
                isinstance(stopped_by, BaseException)
                and not isinstance(stopped_by, asyncio.CancelledError)
                and not body_failed
            ):
                raise stopped_by
