"""``FakeDiscord``: the server, the handles tests arrange with, the verbs that act like users."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import web

from .acting import UserActions
from .errors import FakeDiscordError, FakeDiscordTimeout
from .gateway import Gateway, Session
from .interactions import InteractionHost
from .limits import RateLimits
from .messages import FakeAttachment, FakeMessage, MessageRef, MessageStore, message_id_of
from .payloads import (
    FLAG_EPHEMERAL,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILD_PRESENCES,
    INTENT_MESSAGE_CONTENT,
    JSON,
    FakeChannel,
    FakeGuild,
    FakeUser,
)
from .rest import API_PREFIX, VIA_PREFIX, RecordedRequest, RestApi
from .sharding import ShardViews
from .shards import IDENTIFY_WINDOW, IdentifyLog
from .world import World

log = logging.getLogger(__name__)

T = TypeVar("T")


class FakeDiscord(UserActions, ShardViews):
    """A Discord REST API and gateway on 127.0.0.1 for one test. See the package docstring."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        bot_name: str = "TriviaBot",
        guild_name: str = "Test Server",
        channel_name: str = "trivia",
        heartbeat_interval_ms: int = 1000,
        interaction_deadline: float = 3.0,
        message_content_allowed: bool = True,
        members_allowed: bool = True,
        presences_allowed: bool = True,
        zlib_frames: bool = True,
        shard_count: int = 1,
        max_concurrency: int = 1,
        identify_window: float = IDENTIFY_WINDOW,
        rate_limits: RateLimits | bool = False,
        interaction_token_life: float = 900.0,
    ) -> None:
        if shard_count < 1:
            raise ValueError("shard_count must be at least 1")
        allowed = (
            (INTENT_MESSAGE_CONTENT if message_content_allowed else 0)
            | (INTENT_GUILD_MEMBERS if members_allowed else 0)
            | (INTENT_GUILD_PRESENCES if presences_allowed else 0)
        )
        self._world = World(
            token=token,
            bot_name=bot_name,
            interaction_deadline=interaction_deadline,
            allowed_privileged_intents=allowed,
            shard_count=shard_count,
        )
        self.guild: FakeGuild = self._world.add_guild(guild_name, channels=(channel_name,))
        self.channel: FakeChannel = self.guild.text_channels[0]
        self._gateway = Gateway(
            self,
            heartbeat_interval_ms=heartbeat_interval_ms,
            allowed_privileged_intents=allowed,
            shard_count=shard_count,
            identify_log=IdentifyLog(max_concurrency=max_concurrency, window=identify_window),
        )
        self._gateway.zlib_frames = zlib_frames
        self._rest = RestApi(
            self._world,
            publish=self._publish,
            on_change=self.changed,
            max_concurrency=max_concurrency,
            limits=RateLimits() if rate_limits is True else (rate_limits or None),
        )
        self._world.desk.token_life = interaction_token_life
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.api_base = ""
        self.gateway_url = ""

    # -- lifecycle ----------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway.handle)
        app.router.add_get("/attachments/{file_id}/{filename}", self._rest.attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest.handle)
        app.router.add_route(
            "*", VIA_PREFIX + "/{via}" + API_PREFIX + "/{tail:.*}", self._rest.handle
        )
        app.router.add_route("*", "/{tail:.*}", self._rest.handle)
        # A short shutdown_timeout: a test must not wait a minute for a lingering connection.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        try:
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
        except BaseException:
            await self._runner.cleanup()
            raise
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        self.api_base = self.base_url + API_PREFIX
        self.gateway_url = f"ws://{host}:{port}/gateway"
        self._world.base_url = self.base_url
        self._world.gateway_url = self.gateway_url
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._rest.unhandled:
            log.warning("fake Discord answered 404 to unknown routes: %s", self._rest.unhandled)
        if self._rest.crashes and exc is None:
            raise FakeDiscordError("fake Discord crashed while serving") from self._rest.crashes[0]

    # -- what the gateway asks of us (GatewayHost) -----------------------------------------
    @property
    def token(self) -> str:
        return self._world.token

    def ready_payload(self, session: Session) -> JSON:
        return self._world.ready_payload(session)

    def guild_payloads(self, session: Session) -> list[JSON]:
        return self._world.guild_payloads(session)

    def member_chunk(self, request: JSON) -> JSON:
        return self._world.member_chunk(request)

    def _interaction_host(self) -> InteractionHost:
        return self

    def changed(self) -> None:
        """Wake every waiter: something happened (a request, a frame, an event)."""
        self._changed.set()
        self._changed = asyncio.Event()

    # -- identity and records -----------------------------------------------------------------
    @property
    def application_id(self) -> int:
        return self._world.application_id

    @property
    def bot_user(self) -> FakeUser:
        return self._world.bot

    @property
    def messages(self) -> MessageStore:
        return self._world.messages

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._rest.requests

    def api_base_via(self, marker: str) -> str:
        """An API base of its own (for one of several bot processes): the requests sent
        to it are served as usual and recorded with ``via=marker``."""
        if not marker or "/" in marker:
            raise ValueError(f"a marker is a non-empty path segment, got {marker!r}")
        if not self.base_url:
            raise RuntimeError("the fake Discord is not started yet")
        return f"{self.base_url}{VIA_PREFIX}/{marker}{API_PREFIX}"

    @property
    def downloads(self) -> list[str]:
        """File names of the attachments the bot downloaded, in order."""
        return self._rest.downloads

    @property
    def rate_limited(self) -> int:
        """How many 429s the fake has served."""
        return self._rest.rate_limited

    @property
    def limits(self) -> RateLimits | None:
        """Discord's rate limits as enforced (``rate_limits=True``), or None."""
        return self._rest.limits

    def billed_requests(self, *, since: int = 0) -> list[RecordedRequest]:
        """Requests counted against the bot token's global limit (from index ``since``)."""
        return [r for r in self.requests[since:] if r.billed]

    def webhook_requests(self, *, since: int = 0) -> list[RecordedRequest]:
        """Calls through interaction webhooks (follow-ups and their edits), answered or not."""
        return [r for r in self.requests[since:] if r.path.startswith("/webhooks/")]

    @property
    def unhandled_requests(self) -> list[RecordedRequest]:
        return self._rest.unhandled

    @property
    def heartbeats(self) -> int:
        return self._gateway.heartbeats

    @property
    def gateway(self) -> Gateway:
        """Low-level gateway state: ``sessions``, ``received`` frames, ``close_codes``..."""
        return self._gateway

    @property
    def identify_payloads(self) -> list[JSON]:
        return [s.identify for s in self._gateway.sessions.values()]

    @property
    def intents(self) -> int | None:
        """The intents of the latest IDENTIFY, or None before any."""
        sessions = list(self._gateway.sessions.values())
        return sessions[-1].intents if sessions else None

    @property
    def interaction_deadline(self) -> float:
        return self._world.desk.deadline

    @interaction_deadline.setter
    def interaction_deadline(self, seconds: float) -> None:
        self._world.desk.deadline = seconds

    def requests_matching(self, method: str, path_regex: str) -> list[RecordedRequest]:
        pattern = re.compile(path_regex)
        return [
            r for r in self.requests if r.method == method.upper() and pattern.fullmatch(r.path)
        ]

    def commands(self, guild_id: int | None = None) -> list[JSON]:
        """The command definitions the bot last synced (globally, or to ``guild_id``)."""
        if guild_id is None:
            return copy.deepcopy(self._world.global_commands)
        return copy.deepcopy(self._world.guild_commands.get(guild_id, []))

    # -- arranging ----------------------------------------------------------------------------
    def add_guild(
        self, name: str, *, channels: Sequence[str] = ("trivia",), shard: int | None = None
    ) -> FakeGuild:
        """A new guild with the bot in it (on shard ``shard`` if given: its id is picked so).
        Arrange before the client connects."""
        return self._world.add_guild(name, channels=channels, shard=shard)

    def add_channel(self, guild_id: int, name: str) -> FakeChannel:
        return self._world.add_channel(guild_id, name)

    def add_member(
        self,
        guild_id: int,
        who: str | FakeUser,
        *,
        admin: bool = False,
        permissions: int | None = None,
        bot: bool = False,
    ) -> FakeUser:
        """A member of ``guild_id``. ``permissions`` bits are added to @everyone's."""
        return self._world.add_member(guild_id, who, admin=admin, permissions=permissions, bot=bot)

    def add_user(self, name: str, *, bot: bool = False) -> FakeUser:
        """A user in no guild (for DMs)."""
        return self._world.add_user(name, bot=bot)

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        return self._world.dm_channel(user)

    def attachment(
        self, filename: str, data: bytes, *, content_type: str | None = None
    ) -> FakeAttachment:
        """A file a user can attach (``user_says(..., attachments=[...])`` or a slash option)."""
        return self._world.add_file(filename, data, content_type)

    def read_attachment(self, attachment: Mapping[str, Any] | FakeAttachment) -> bytes:
        """The bytes of a file the bot uploaded (an entry of ``FakeMessage.attachments``)."""
        file_id = attachment.id if isinstance(attachment, FakeAttachment) else int(attachment["id"])
        return self._world.messages.files[file_id].data

    def reactions(self, message: MessageRef) -> list[str]:
        return list(self._world.messages.reactions.get(message_id_of(message), []))

    # -- injected failures --------------------------------------------------------------------
    def rate_limit_next(
        self,
        method: str,
        path_regex: str,
        *,
        retry_after: float = 0.05,
        global_: bool = False,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching requests 429 (with ``Via``), then normally.

        ``path_regex`` must match the whole path relative to the API base, e.g.
        ``r"/channels/\\d+/messages"``. ``fake.rate_limited`` counts the 429s served.
        """
        self._rest.inject_rate_limit(
            method, path_regex, retry_after=retry_after, global_=global_, times=times
        )

    def fail_next(
        self,
        method: str,
        path_regex: str,
        *,
        status: int = 403,
        code: int = 50013,
        message: str = "Missing Permissions",
        times: int = 1,
    ) -> None:
        """Answer the next matching requests with a Discord error (default: Missing Permissions)."""
        body = {"code": code, "message": message}
        self._rest.inject(method, path_regex, status=status, body=body, headers={}, times=times)

    async def drop_gateway(self, *, code: int = 4000) -> None:
        """Close every gateway connection; discord.py reconnects and RESUMEs."""
        await self._gateway.drop(code)

    # -- gateway events for what the bot did over REST ----------------------------------------
    async def _publish(self, event: str, message: JSON) -> None:
        if int(message.get("flags", 0)) & FLAG_EPHEMERAL:
            return  # nobody but the interaction's user sees it; no gateway event
        guild_id = int(message["guild_id"]) if "guild_id" in message else None
        if event == "MESSAGE_DELETE":
            data: JSON = {k: message[k] for k in ("id", "channel_id", "guild_id") if k in message}
            intent = INTENT_GUILD_MESSAGES if "guild_id" in message else INTENT_DIRECT_MESSAGES
            await self._gateway.dispatch(
                event, lambda s: data if s.has(intent) else None, guild_id=guild_id
            )
        else:
            await self._gateway.dispatch(
                event, lambda s: self._world.message_create_for(s, message), guild_id=guild_id
            )

    # -- reading the channel --------------------------------------------------------------------
    def message(self, message: MessageRef) -> FakeMessage:
        """The current state of a message (raises FakeDiscordError if it was deleted)."""
        if self._world.messages.get(message_id_of(message)) is None:
            raise FakeDiscordError(f"message {message_id_of(message)} does not exist")
        return self._world.messages.snapshot(message_id_of(message))

    def channel_messages(
        self, channel_id: int, *, from_bot: bool | None = None
    ) -> list[FakeMessage]:
        """Messages in the channel, oldest first, as they stand now (ephemeral ones included).

        ``from_bot=True`` keeps the bot's messages, ``False`` the others', ``None`` all.
        """
        store = self._world.messages
        snapshots = [store.snapshot(i) for i in store.channel_ids(channel_id)]
        if from_bot is None:
            return snapshots
        return [m for m in snapshots if (m.author.id == self.bot_user.id) == from_bot]

    # -- waiting ------------------------------------------------------------------------------
    async def wait_until(
        self,
        check: Callable[[], T | None],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test's deadline
        what: str = "a condition",
    ) -> T:
        """Return ``check()``'s first truthy result; re-checked whenever the fake sees activity.

        Between events it re-checks every 10 ms too, so a check on the test's own state (a list
        an ``on_message`` handler appends to) works as well.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            result = check()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise FakeDiscordTimeout(
                    f"timed out after {timeout}s waiting for {what}\n{self.describe()}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.01))

    async def wait_for_message(
        self,
        channel_id: int,
        predicate: Callable[[FakeMessage], bool] | None = None,
        *,
        from_bot: bool | None = True,
        after: MessageRef | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test's deadline
    ) -> FakeMessage:
        """The first message in the channel (created after ``after``) that satisfies ``predicate``.

        Messages are judged as they stand now, so an edit that makes a message match counts.
        By default only the bot's messages are considered.
        """
        floor = message_id_of(after) if after is not None else 0

        def found() -> FakeMessage | None:
            for message in self.channel_messages(channel_id, from_bot=from_bot):
                if message.id > floor and (predicate is None or predicate(message)):
                    return message
            return None

        return await self.wait_until(
            found, timeout=timeout, what=f"a message in channel {channel_id} matching {predicate}"
        )

    async def wait_for_request(
        self,
        method: str,
        path_regex: str,
        *,
        since: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test's deadline
    ) -> RecordedRequest:
        """The first request (index >= ``since``) matching method and whole path."""

        def found() -> RecordedRequest | None:
            return next(
                (r for r in self.requests_matching(method, path_regex) if r.index >= since), None
            )

        return await self.wait_until(
            found, timeout=timeout, what=f"a request {method} {path_regex}"
        )

    def describe(self) -> str:
        """A summary of what the fake saw, for failure messages."""
        lines = ["fake Discord saw these requests (last 15):"]
        lines += [f"  {r.status} {r.method} {r.path} {r.json!r:.200}" for r in self.requests[-15:]]
        for channel in self._world.channels.values():
            messages = self.channel_messages(channel.id)
            if messages:
                lines.append(f"channel {channel.id} ({channel.name or 'DM'}):")
                lines += [f"  [{m.author.name}] {m.text!r:.200}" for m in messages[-10:]]
        return "\n".join(lines)
