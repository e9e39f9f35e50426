"""`FakeSlack`: the Web API, response URLs, file downloads and Socket Mode on 127.0.0.1."""

# The waits take `timeout=` on purpose: running out of time fails the test with what was seen,
# which a bare `asyncio.timeout` around the call cannot say.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Self, TypeVar

from aiohttp import web

from .payloads import DEFAULT_CHANNEL, DEFAULT_USER, SlackPayloads
from .records import (
    ApiCall,
    Ephemeral,
    JsonDict,
    Message,
    ResponseUrlPost,
    SlackChannel,
    SlackFile,
    SlackRequest,
    SlackUser,
    SocketAck,
    View,
)
from .socket_mode import Envelope, SocketModeEndpoint
from .workspace import (
    DEFAULT_CHANNELS,
    DEFAULT_USERS,
    Identity,
    SlackWorkspace,
    error,
    receive_upload,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Arguments the SDK sends as JSON strings when it form-encodes a call.
JSON_FIELDS = ("blocks", "attachments", "view", "metadata")

LOGIN_PAGE = "<!DOCTYPE html><html><body>Sign in to Slack</body></html>"


class FakeSlack(SlackPayloads):
    """A Slack workspace on loopback, driven and inspected by tests. See the package docstring."""

    def __init__(
        self,
        *,
        identity: Identity | None = None,
        users: Iterable[SlackUser] = DEFAULT_USERS,
        channels: Iterable[SlackChannel] = DEFAULT_CHANNELS,
        trigger_ttl: float = 3.0,
    ) -> None:
        self.identity = identity or Identity()
        self.workspace = SlackWorkspace(self.identity, trigger_ttl=trigger_ttl)
        bot = SlackUser(self.identity.bot_user_id, self.identity.bot_name, is_bot=True)
        for user in (bot, *users):
            self.workspace.add_user(user)
        for channel in channels:
            self.workspace.channels[channel.id] = channel
        #: Every Web API call answered (429s are in `rate_limited_calls` instead), in order.
        self.calls: list[ApiCall] = []
        self.rate_limited_calls: list[ApiCall] = []
        self.unknown_methods: list[str] = []
        self.responses: list[ResponseUrlPost] = []
        #: (file id, whether the download carried the bot token)
        self.file_downloads: list[tuple[str, bool]] = []
        #: (file id, bytes) POSTed to upload URLs from files.getUploadURLExternal
        self.uploads: list[tuple[str, bytes]] = []
        self._rate_limits: defaultdict[str, deque[int]] = defaultdict(deque)
        self._failures: defaultdict[str, deque[str]] = defaultdict(deque)
        self._changed = asyncio.Condition()
        self.socket = SocketModeEndpoint(self.identity.api_app_id, self._take_ticket, self._notify)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link/", self.socket.handle)
        app.router.add_post("/response-url/{key}", self._response_url)
        app.router.add_get("/files-pri/{team_file}/{name}", self._file)
        app.router.add_get("/files-pri/{team_file}/download/{name}", self._file)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.base_url = self.workspace.base_url = f"http://{host}:{port}/"

    async def close(self) -> None:
        """Idempotent. Close the app's Socket Mode handler first, or it will try to reconnect."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        await self.socket.close()
        await runner.cleanup()

    # ------------------------------------------------------------------ identity

    @property
    def api_url(self) -> str:
        """What to pass as `AsyncWebClient(base_url=...)` (the SDK appends the method name)."""
        return f"{self.base_url}api/"

    @property
    def bot_token(self) -> str:
        return self.identity.bot_token

    @property
    def app_token(self) -> str:
        return self.identity.app_token

    @property
    def team_id(self) -> str:
        return self.identity.team_id

    @property
    def bot_user_id(self) -> str:
        return self.identity.bot_user_id

    @property
    def bot_id(self) -> str:
        return self.identity.bot_id

    # ------------------------------------------------------------------ arranging

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        *,
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        home_team: str | None = None,
    ) -> SlackUser:
        """`slack.add_user("U0DAN", "dan", is_admin=True)`; replaces a member with that id.
        `home_team` makes them a Slack Connect guest: `users.info` names their own team."""
        user = SlackUser(
            user_id,
            name or user_id.lower(),
            is_admin=is_admin,
            is_owner=is_owner,
            is_bot=is_bot,
            home_team=home_team,
        )
        return self.workspace.add_user(user)

    def add_channel(
        self, channel_id: str, name: str | None = None, *, is_private: bool = False
    ) -> SlackChannel:
        channel = SlackChannel(channel_id, name or channel_id.lower(), is_private=is_private)
        self.workspace.channels[channel_id] = channel
        return channel

    def add_file(
        self,
        content: bytes | str,
        *,
        name: str = "questions.yaml",
        user: str = DEFAULT_USER,
        filetype: str = "yaml",
        mimetype: str = "text/plain",
    ) -> SlackFile:
        """A file `user` shared; `files.info` describes it and its `url_private` serves it."""
        data = content.encode() if isinstance(content, str) else content
        file = SlackFile(
            f"F{self.workspace.next_number():08d}", name, data, user, filetype, mimetype
        )
        self.workspace.files[file.id] = file
        return file

    def rate_limit_next(self, method: str, *, retry_after: int = 0, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and `Retry-After`.

        The SDK's retry handler reads the header with `int(...)`, so whole seconds only; it
        sleeps `retry_after + random.random()`. 0 is accepted and keeps a test under a second;
        see `instant_rate_limit_retries` for no real sleep at all.
        """
        if retry_after < 0 or int(retry_after) != retry_after:
            raise ValueError("Retry-After is a whole, non-negative number of seconds")
        self._rate_limits[method].extend([retry_after] * times)

    def fail_next(self, method: str, error_code: str, *, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with `{"ok": false, "error": error_code}`."""
        self._failures[method].extend([error_code] * times)

    # ------------------------------------------------------------------ inspecting

    def messages(self, channel: str = DEFAULT_CHANNEL) -> list[Message]:
        """Visible messages in `channel` (users' and the bot's), oldest first, as edited."""
        return self.workspace.channel_messages(channel)

    def bot_messages(self, channel: str = DEFAULT_CHANNEL) -> list[Message]:
        return [m for m in self.messages(channel) if m.user == self.bot_user_id]

    def last_bot_message(self, channel: str = DEFAULT_CHANNEL) -> Message:
        found = self.bot_messages(channel)
        if not found:
            raise AssertionError(f"the bot has posted nothing visible in {channel}")
        return found[-1]

    def transcript(self, channel: str = DEFAULT_CHANNEL) -> list[str]:
        """`["bob: paris", "triviabot: Correct! | ...", ...]`: each visible message as a client
        renders it (`Message.visible_text`, block texts joined by " | ")."""
        users = self.workspace.users

        def line(m: Message) -> str:
            who = users[m.user].name if m.user in users else m.user
            return f"{who}: {' | '.join(m.visible_text().splitlines())}"

        return [line(m) for m in self.messages(channel)]

    def ephemerals(self, user: str | None = None) -> list[Ephemeral]:
        """Ephemeral messages (chat.postEphemeral and response_url), for `user` or everyone."""
        return [e for e in self.workspace.ephemerals if user is None or e.user == user]

    @property
    def views(self) -> dict[str, View]:
        """Modals and Home tabs by view id."""
        return self.workspace.views

    def file_api(self, file: SlackFile) -> JsonDict:
        """The file object Slack shows the app (`url_private_download` serves the content)."""
        return file.to_api(base_url=self.base_url, team_id=self.team_id)

    def shared_files(self, channel: str) -> list[SlackFile]:
        """Files the bot shared in `channel` (external uploads), oldest first."""
        return [f for m in self.bot_messages(channel) for f in m.files]

    def home_view(self, user: str) -> View | None:
        return self.workspace.home_views.get(user)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    @property
    def socket_acks(self) -> list[SocketAck]:
        return self.socket.acks

    # ------------------------------------------------------------------ waiting

    async def wait_until(
        self, probe: Callable[[], T | None], *, timeout: float = 5.0, what: str = "a condition"
    ) -> T:
        """Re-check `probe` whenever the fake records something; its first non-None result."""
        async with self._changed:
            try:
                async with asyncio.timeout(timeout):
                    while (found := probe()) is None:
                        await self._changed.wait()
            except TimeoutError:
                raise AssertionError(f"gave up after {timeout} s waiting for {what}") from None
        return found

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        after: int = 0,
        timeout: float = 5.0,
    ) -> ApiCall:
        """The first `method` call at index >= `after` in `slack.calls` that `predicate` accepts.

        Pass `after=len(slack.calls)` to ignore what happened before the step under test.
        """

        def probe() -> ApiCall | None:
            matches = (c for c in self.calls[after:] if c.method == method)
            return next((c for c in matches if predicate is None or predicate(c)), None)

        try:
            return await self.wait_until(probe, timeout=timeout, what=method)
        except AssertionError:
            seen = [dict(c.args) for c in self.calls[after:] if c.method == method]
            raise AssertionError(f"no matching {method} within {timeout} s; saw {seen}") from None

    async def wait_for_response(
        self,
        predicate: Callable[[ResponseUrlPost], bool] | None = None,
        *,
        after: int = 0,
        timeout: float = 5.0,
    ) -> ResponseUrlPost:
        """The first response_url post (bolt's `respond()`) at index >= `after`."""

        def probe() -> ResponseUrlPost | None:
            posts = self.responses[after:]
            return next((p for p in posts if predicate is None or predicate(p)), None)

        return await self.wait_until(probe, timeout=timeout, what="a response_url post")

    # ------------------------------------------------------------------ Socket Mode

    async def wait_for_socket(self, *, timeout: float = 5.0) -> web.WebSocketResponse:
        """The newest open Socket Mode connection (after `hello` was sent)."""

        def newest() -> web.WebSocketResponse | None:
            return self.socket.connections[-1] if self.socket.connections else None

        return await self.wait_until(newest, timeout=timeout, what="a Socket Mode connection")

    async def socket_send(
        self,
        request: SlackRequest,
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 5.0,
    ) -> Envelope:
        """Push `request` to the connected app as an envelope; `await` the result for the ack."""
        ws = await self.wait_for_socket(timeout=timeout)
        return await self.socket.send(
            ws, request, retry_attempt=retry_attempt, retry_reason=retry_reason, timeout=timeout
        )

    async def socket_send_slash_command(
        self, command: str, text: str = "", **where: str
    ) -> Envelope:
        """`ack = await (await slack.socket_send_slash_command("/trivia", "start"))`."""
        return await self.socket_send(self.slash_command(command, text, **where))

    async def socket_request_reconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's `disconnect` message: the app should open a new connection."""
        ws = await self.wait_for_socket()
        await ws.send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-slack"}}
        )

    # ------------------------------------------------------------------ HTTP handlers

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await request_args(request)
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
        form_token = args.pop("token", None)
        token = token or (str(form_token) if form_token else None)
        if self._rate_limits[method]:
            retry_after = self._rate_limits[method].popleft()
            answer = error("ratelimited")
            call = ApiCall(method, args, token, 429, answer)
            self.rate_limited_calls.append(call)
            await self._notify()
            return web.json_response(answer, status=429, headers={"Retry-After": str(retry_after)})
        if self._failures[method]:
            answer = error(self._failures[method].popleft())
        else:
            answer = self.workspace.call(method, args, token)
        if answer.get("error") == "unknown_method":
            self.unknown_methods.append(method)
        self.calls.append(ApiCall(method, args, token, 200, answer))
        await self._notify()
        return web.json_response(answer, headers={"X-OAuth-Scopes": self.identity.scopes})

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append(ResponseUrlPost(str(request.url), body))
        known = self.workspace.respond(request.match_info["key"], body)
        await self._notify()
        if not known:
            return web.Response(status=404, text="no_such_response_url")
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2 of the external upload: Slack answers 200 `OK - <length>`."""
        data = await request.read()
        received = receive_upload(self.workspace, request.match_info["file_id"], data)
        self.uploads.append((request.match_info["file_id"], data))
        await self._notify()
        if not received:
            return web.Response(status=404, text="upload_not_found")
        return web.Response(text=f"OK - {len(data)}")

    async def _file(self, request: web.Request) -> web.Response:
        team_file = request.match_info["team_file"]
        file = self.workspace.files.get(team_file.removeprefix(f"{self.team_id}-"))
        authorized = request.headers.get("Authorization") == f"Bearer {self.bot_token}"
        if file is None:
            return web.Response(status=404, text="file_not_found")
        self.file_downloads.append((file.id, authorized))
        await self._notify()
        if not authorized:
            # Real Slack answers an unauthenticated download with its sign-in page and 200.
            return web.Response(text=LOGIN_PAGE, content_type="text/html")
        return web.Response(body=file.content, content_type=file.mimetype)

    # ------------------------------------------------------------------ internals

    def _take_ticket(self, ticket: str) -> bool:
        if ticket not in self.workspace.socket_tickets:
            return False
        self.workspace.socket_tickets.discard(ticket)
        return True

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


async def request_args(request: web.Request) -> JsonDict:
    """Arguments of a Web API call, wherever the SDK put them: query, form or JSON body."""
    args: JsonDict = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                args.update(body)
        else:
            form = await request.post()
            args.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in JSON_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            args[key] = json.loads(value)
    return args
