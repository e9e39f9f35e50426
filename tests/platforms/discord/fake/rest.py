"""The REST half of the fake: routes, request recording, injected 429s and failures.

Every answer is JSON with ``Content-Type: application/json`` exactly (discord.py parses nothing
else), errors use Discord's ``{"code", "message"}`` body, and a route the fake does not know
answers 404 and logs a warning, so a test fails at once instead of hanging.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from . import validation
from .errors import UNKNOWN_MESSAGE, ApiError, unknown
from .interactions import Upload
from .limits import RateLimits, exempt
from .payloads import API_VERSION, FLAG_EPHEMERAL, JSON
from .shards import CommandSync
from .world import World

log = logging.getLogger(__name__)

API_PREFIX = f"/api/v{API_VERSION}"
#: ``/via/<marker>`` + API_PREFIX: an API base whose requests are recorded with the marker.
VIA_PREFIX = "/via"
Reply = tuple[int, Any]
Publish = Callable[[str, JSON], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the bot made. ``path`` is relative to the API base: ``/channels/1/messages``.

    ``via``: the marker of the API base it came through (``FakeDiscord.api_base_via``; None:
    the plain ``api_base``); ``reply_id``: the id in the answer's body (the message a POST
    created), if any."""

    index: int
    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: tuple[str, ...]
    status: int
    time: float
    via: str | None = None
    reply_id: int | None = None
    #: Counted against the bot token's global limit (not an interaction endpoint, not refused).
    billed: bool = False


@dataclass(slots=True)
class InjectedReply:
    """The next ``times`` requests matching method and path get this answer instead."""

    method: str
    pattern: re.Pattern[str]
    status: int
    body: JSON
    headers: dict[str, str]
    times: int

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and self.method == method and self.pattern.fullmatch(path) is not None


@dataclass(frozen=True, slots=True)
class Incoming:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    uploads: list[Upload]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    if status == 204 or body is None:
        return web.Response(status=204, headers=headers)
    # body=bytes keeps aiohttp from appending "; charset=utf-8", which discord.py rejects.
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )


def _id_in(reply: Any) -> int | None:
    found = reply.get("id") if isinstance(reply, dict) else None
    return int(found) if isinstance(found, str | int) and str(found).isdigit() else None


async def _read(request: web.Request) -> tuple[Any, list[Upload]]:
    if request.content_type == "multipart/form-data":
        body: Any = None
        files: dict[int, Upload] = {}
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):  # nested multipart: Discord never uses it
                continue
            data = await part.read()
            if part.name == "payload_json":
                body = json.loads(data)
            elif part.name and (match := re.fullmatch(r"files\[(\d+)\]", part.name)):
                ctype = part.headers.get("Content-Type")
                files[int(match.group(1))] = (part.filename or "file", bytes(data), ctype)
        return body, [files[i] for i in sorted(files)]
    raw = await request.read()
    return (json.loads(raw) if raw else None), []


class RestApi:
    def __init__(
        self,
        world: World,
        *,
        publish: Publish,
        on_change: Callable[[], None],
        max_concurrency: int = 1,
        limits: RateLimits | None = None,
    ) -> None:
        self._world = world
        #: Discord's rate limits, enforced (None: only injected 429s).
        self.limits = limits
        self.max_concurrency = max_concurrency
        #: Every bulk overwrite of the command tree (global or per guild), in order.
        self.command_syncs: list[CommandSync] = []
        self._publish = publish
        self._on_change = on_change
        self.requests: list[RecordedRequest] = []
        self.injected: list[InjectedReply] = []
        self.rate_limited = 0
        self.unhandled: list[RecordedRequest] = []
        self.crashes: list[Exception] = []
        #: Attachments the bot downloaded (their file names), in order.
        self.downloads: list[str] = []
        d = r"(\d+)"
        table: list[tuple[str, str, Callable[..., Awaitable[Reply]]]] = [
            ("GET", r"/users/@me", self._me),
            ("GET", r"/users/" + d, self._user),
            ("GET", r"/(?:oauth2/)?applications/@me", self._application),
            ("GET", r"/gateway", self._gateway),
            ("GET", r"/gateway/bot", self._gateway_bot),
            ("GET", rf"/applications/{d}/commands", self._get_commands),
            ("PUT", rf"/applications/{d}/commands", self._put_commands),
            ("GET", rf"/applications/{d}/guilds/{d}/commands", self._get_commands),
            ("PUT", rf"/applications/{d}/guilds/{d}/commands", self._put_commands),
            ("GET", rf"/channels/{d}", self._channel),
            ("POST", rf"/channels/{d}/messages", self._create_message),
            ("GET", rf"/channels/{d}/messages", self._history),
            ("GET", rf"/channels/{d}/messages/{d}", self._get_message),
            ("PATCH", rf"/channels/{d}/messages/{d}", self._edit_message),
            ("DELETE", rf"/channels/{d}/messages/{d}", self._delete_message),
            ("PUT", rf"/channels/{d}/messages/{d}/reactions/([^/]+)/@me", self._react),
            ("DELETE", rf"/channels/{d}/messages/{d}/reactions/([^/]+)/@me", self._unreact),
            ("POST", rf"/channels/{d}/typing", self._typing),
            ("GET", rf"/guilds/{d}", self._guild),
            ("GET", rf"/guilds/{d}/members/{d}", self._member),
            ("POST", r"/users/@me/channels", self._create_dm),
            ("POST", rf"/interactions/{d}/([^/]+)/callback", self._callback),
            ("POST", rf"/webhooks/{d}/([^/]+)", self._followup),
            ("GET", rf"/webhooks/{d}/([^/]+)/messages/(@original|\d+)", self._webhook_get),
            ("PATCH", rf"/webhooks/{d}/([^/]+)/messages/(@original|\d+)", self._webhook_edit),
            (
                "DELETE",
                rf"/webhooks/{d}/([^/]+)/messages/(@original|\d+)",
                self._webhook_delete,
            ),
        ]
        self._routes = [(m, re.compile(p), h) for m, p, h in table]

    # -- plumbing ---------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.Response:
        arrived = asyncio.get_running_loop().time()
        via = request.match_info.get("via")
        path = request.path
        if via is not None:
            path = path.removeprefix(f"{VIA_PREFIX}/{via}")
        path = path.removeprefix(API_PREFIX)
        body, uploads = await _read(request)
        incoming = Incoming(request.method, path, dict(request.query), body, uploads)
        try:
            status, reply, headers = await self._answer(request, incoming)
        except Exception as exc:
            # A bug in the fake. Not a 500: discord.py would retry it for seconds. FakeDiscord
            # raises these again when the test leaves it.
            log.exception("fake Discord crashed on %s %s", request.method, path)
            self.crashes.append(exc)
            status, reply, headers = 400, {"code": 0, "message": f"fake Discord bug: {exc!r}"}, {}
        recorded = RecordedRequest(
            len(self.requests),
            request.method,
            path,
            dict(request.query),
            body,
            tuple(u[0] for u in uploads),
            status,
            arrived,
            via,
            _id_in(reply),
            billed=status not in (401, 429) and not exempt(path) and path != "/gateway",
        )
        self.requests.append(recorded)
        if status == 404 and isinstance(reply, dict) and reply.get("code") == 0:
            self.unhandled.append(recorded)
        self._on_change()
        return json_response(status, None if status == 204 else reply, headers)

    async def _answer(
        self, request: web.Request, incoming: Incoming
    ) -> tuple[int, Any, dict[str, str]]:
        for injected in self.injected:
            if injected.matches(incoming.method, incoming.path):
                injected.times -= 1
                if injected.status == 429:
                    self.rate_limited += 1
                return injected.status, injected.body, injected.headers
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(incoming.path)
            if method != incoming.method or match is None:
                continue
            tokenless = incoming.path.startswith(("/webhooks/", "/interactions/"))
            if not tokenless and request.headers.get("Authorization") != f"Bot {self._world.token}":
                return 401, {"code": 0, "message": "401: Unauthorized"}, {}
            headers: dict[str, str] = {}
            if self.limits is not None:
                now = asyncio.get_running_loop().time()
                verdict = self.limits.take(incoming.method, incoming.path, now=now)
                if verdict.retry_after is not None:
                    self.rate_limited += 1
                    body = {
                        "message": "You are being rate limited.",
                        "retry_after": verdict.retry_after,
                        "global": verdict.scope == "global",
                    }
                    return 429, body, verdict.headers
                headers = verdict.headers
            try:
                status, reply = await handler(incoming, *match.groups())
            except ApiError as exc:
                log.info("fake Discord refused %s %s: %s", incoming.method, incoming.path, exc)
                return exc.status, exc.body(), headers
            return status, reply, headers
        log.warning("fake Discord has no route for %s %s", incoming.method, incoming.path)
        return 404, {"code": 0, "message": "404: Not Found"}, {}

    def inject(
        self,
        method: str,
        path_regex: str,
        *,
        status: int,
        body: JSON,
        headers: dict[str, str],
        times: int,
    ) -> None:
        self.injected.append(
            InjectedReply(method.upper(), re.compile(path_regex), status, body, headers, times)
        )

    def inject_rate_limit(
        self, method: str, path_regex: str, *, retry_after: float, global_: bool, times: int
    ) -> None:
        headers = {
            "Via": "1.1 google",  # discord.py only retries a 429 that came through Discord's proxy
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Scope": "global" if global_ else "user",
        }
        if global_:
            headers["X-RateLimit-Global"] = "true"
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": global_,
        }
        self.inject(method, path_regex, status=429, body=body, headers=headers, times=times)

    async def attachment(self, request: web.Request) -> web.Response:
        stored = self._world.messages.files.get(int(request.match_info["file_id"]))
        if stored is None or stored.filename != request.match_info["filename"]:
            return web.Response(status=404)
        self.downloads.append(stored.filename)
        return web.Response(
            body=stored.data, content_type=stored.content_type or "application/octet-stream"
        )

    # -- identity ---------------------------------------------------------------------------
    async def _me(self, req: Incoming) -> Reply:
        return 200, self._world.me_payload()

    async def _user(self, req: Incoming, user_id: str) -> Reply:
        user = self._world.users.get(int(user_id))
        if user is None:
            raise unknown("User", 10013)
        return 200, user.payload()

    async def _application(self, req: Incoming) -> Reply:
        return 200, self._world.application_payload()

    async def _gateway(self, req: Incoming) -> Reply:
        return 200, {"url": self._world.gateway_url}

    async def _gateway_bot(self, req: Incoming) -> Reply:
        limit = {
            "total": 1000,
            "remaining": 999,
            "reset_after": 0,
            "max_concurrency": self.max_concurrency,
        }
        return 200, {
            "url": self._world.gateway_url,
            "shards": self._world.shard_count,
            "session_start_limit": limit,
        }

    # -- application commands ---------------------------------------------------------------
    def _check_app(self, app_id: str) -> None:
        if int(app_id) != self._world.application_id:
            raise unknown("Application", 10002)

    async def _get_commands(self, req: Incoming, app_id: str, guild_id: str | None = None) -> Reply:
        self._check_app(app_id)
        if guild_id is None:
            return 200, self._world.global_commands
        return 200, self._world.guild_commands.get(int(guild_id), [])

    async def _put_commands(self, req: Incoming, app_id: str, guild_id: str | None = None) -> Reply:
        self._check_app(app_id)
        if guild_id is not None:
            self._world.guild(int(guild_id))
        stored = self._world.put_commands(int(guild_id) if guild_id else None, req.body or [])
        now = asyncio.get_running_loop().time()
        self.command_syncs.append(CommandSync(int(guild_id) if guild_id else None, now))
        return 200, stored

    # -- channels and messages --------------------------------------------------------------
    async def _channel(self, req: Incoming, channel_id: str) -> Reply:
        return 200, self._world.channel(int(channel_id)).payload()

    async def _create_message(self, req: Incoming, channel_id: str) -> Reply:
        channel = self._world.channel(int(channel_id))
        body: JSON = dict(req.body or {})
        if body.get("enforce_nonce") and body.get("nonce") is not None:
            # Discord: the bot's message with this nonce (of the last few minutes) comes
            # back, and no second one is created.
            for message_id in self._world.messages.channel_ids(channel.id):
                existing = self._world.messages.get(message_id)
                if existing is not None and existing.get("nonce") == str(body["nonce"]):
                    return 200, existing
        body.pop("enforce_nonce", None)
        validation.raise_for(
            validation.check_message(body, creating=True, has_files=bool(req.uploads))
        )
        body["flags"] = int(body.get("flags") or 0) & ~FLAG_EPHEMERAL  # only interactions can
        body["attachments"] = self._world.messages.resolve_attachments(
            body.get("attachments"), req.uploads
        )
        message = self._world.messages.create(channel, self._world.bot, body)
        await self._publish("MESSAGE_CREATE", message)
        return 200, message

    async def _history(self, req: Incoming, channel_id: str) -> Reply:
        self._world.channel(int(channel_id))
        ids = self._world.messages.channel_ids(int(channel_id))
        before, after = req.query.get("before"), req.query.get("after")
        ids = [i for i in ids if (not before or i < int(before)) and (not after or i > int(after))]
        ids = [i for i in ids if not self._world.messages.snapshot(i).ephemeral]
        limit = int(req.query.get("limit", 50))
        newest_first = list(reversed(ids))[:limit]
        return 200, [self._world.messages.get(i) for i in newest_first]

    def _message(self, channel_id: str, message_id: str) -> JSON:
        self._world.channel(int(channel_id))
        message = self._world.messages.get(int(message_id))
        if message is None or message["channel_id"] != channel_id:
            raise unknown("Message", UNKNOWN_MESSAGE)
        return message

    async def _get_message(self, req: Incoming, channel_id: str, message_id: str) -> Reply:
        return 200, self._message(channel_id, message_id)

    async def _edit_message(self, req: Incoming, channel_id: str, message_id: str) -> Reply:
        current = self._message(channel_id, message_id)
        if int(current["author"]["id"]) != self._world.bot.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        body: JSON = dict(req.body or {})
        validation.raise_for(
            validation.check_message(body, creating=False, has_files=bool(req.uploads))
        )
        if "attachments" in body or req.uploads:
            body["attachments"] = self._world.messages.resolve_attachments(
                body.get("attachments"), req.uploads, kept=current["attachments"]
            )
        message = self._world.messages.edit(int(message_id), body)
        await self._publish("MESSAGE_UPDATE", message)
        return 200, message

    async def _delete_message(self, req: Incoming, channel_id: str, message_id: str) -> Reply:
        message = self._message(channel_id, message_id)
        self._world.messages.delete(int(message_id))
        await self._publish("MESSAGE_DELETE", message)
        return 204, None

    async def _react(self, req: Incoming, channel_id: str, message_id: str, emoji: str) -> Reply:
        self._message(channel_id, message_id)
        self._world.messages.reactions.setdefault(int(message_id), []).append(emoji)
        return 204, None

    async def _unreact(self, req: Incoming, channel_id: str, message_id: str, emoji: str) -> Reply:
        self._message(channel_id, message_id)
        reactions = self._world.messages.reactions.get(int(message_id), [])
        if emoji in reactions:
            reactions.remove(emoji)
        return 204, None

    async def _typing(self, req: Incoming, channel_id: str) -> Reply:
        self._world.channel(int(channel_id))
        return 204, None

    async def _guild(self, req: Incoming, guild_id: str) -> Reply:
        return 200, self._world.guild(int(guild_id)).payload(include_members=set())

    async def _member(self, req: Incoming, guild_id: str, user_id: str) -> Reply:
        guild = self._world.guild(int(guild_id))
        if int(user_id) not in guild.members:
            raise unknown("Member", 10007)
        return 200, guild.member_payload(int(user_id))

    async def _create_dm(self, req: Incoming) -> Reply:
        user = self._world.users.get(int((req.body or {}).get("recipient_id", 0)))
        if user is None:
            raise unknown("User", 10013)
        return 200, self._world.dm_channel(user).payload()

    # -- interactions -------------------------------------------------------------------------
    async def _callback(self, req: Incoming, interaction_id: str, token: str) -> Reply:
        desk = self._world.desk
        reply = desk.callback(int(interaction_id), token, dict(req.body or {}), req.uploads)
        resource = reply.get("resource") or {}
        if "message" in resource and resource["type"] in (4, 5):
            await self._publish("MESSAGE_CREATE", resource["message"])
        elif "message" in resource:
            await self._publish("MESSAGE_UPDATE", resource["message"])
        with_response = req.query.get("with_response", "").lower() in ("1", "true")
        return (200, reply) if with_response else (204, None)

    async def _followup(self, req: Incoming, app_id: str, token: str) -> Reply:
        self._check_webhook(app_id)
        desk = self._world.desk
        replaced = desk.by_token(token).original_message_id
        message = desk.followup(token, dict(req.body or {}), req.uploads)
        # After a "thinking" defer the first follow-up edits the placeholder instead.
        event = "MESSAGE_UPDATE" if int(message["id"]) == replaced else "MESSAGE_CREATE"
        await self._publish(event, message)
        wait = req.query.get("wait", "").lower() in ("1", "true")
        return (200, message) if wait else (204, None)

    async def _webhook_get(self, req: Incoming, app_id: str, token: str, ref: str) -> Reply:
        self._check_webhook(app_id)
        return 200, self._world.desk.get(token, ref)

    async def _webhook_edit(self, req: Incoming, app_id: str, token: str, ref: str) -> Reply:
        self._check_webhook(app_id)
        message = self._world.desk.edit(token, ref, dict(req.body or {}), req.uploads)
        await self._publish("MESSAGE_UPDATE", message)
        return 200, message

    async def _webhook_delete(self, req: Incoming, app_id: str, token: str, ref: str) -> Reply:
        self._check_webhook(app_id)
        message = dict(self._world.desk.get(token, ref))
        self._world.desk.delete(token, ref)
        await self._publish("MESSAGE_DELETE", message)
        return 204, None

    def _check_webhook(self, app_id: str) -> None:
        if int(app_id) != self._world.application_id:
            raise unknown("Webhook", 10015)
