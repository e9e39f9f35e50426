"""`FakeSlack`: the Web API, OAuth, response URLs, file downloads and Socket Mode on 127.0.0.1."""

# The waits take `timeout=` on purpose: running out of time fails the test with what was seen,
# which a bare `asyncio.timeout` around the call cannot say.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Self, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from .delivery import HttpDelivery
from .handles import WorkspaceTools
from .installs import TOKEN_METHODS, Installations
from .limits import RateLimits, retry_after
from .oauth import OAuthApp, OAuthRefusal
from .records import (
    ApiCall,
    JsonDict,
    ResponseUrlPost,
    SlackChannel,
    SlackRequest,
    SlackUser,
    SocketAck,
)
from .socket_mode import Envelope, SocketModeEndpoint
from .tenancy import Tenancy
from .tokens import SlackClock, Token
from .workspace import (
    DEFAULT_CHANNELS,
    DEFAULT_USERS,
    METHODS,
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


class FakeSlack(Tenancy, WorkspaceTools):
    """Slack on loopback, driven and inspected by tests. See the package docstring.

    The builders and inspectors on the fake itself (`slack.slash_command`, `slack.messages`)
    speak for the default workspace, pre-installed with `identity.bot_token`; more
    workspaces come from `add_workspace`.
    """

    def __init__(
        self,
        *,
        identity: Identity | None = None,
        users: Iterable[SlackUser] = DEFAULT_USERS,
        channels: Iterable[SlackChannel] = DEFAULT_CHANNELS,
        trigger_ttl: float = 3.0,
        oauth: OAuthApp | None = None,
        rate_limits: RateLimits | bool = False,
    ) -> None:
        #: Slack's per-method, per-channel and per-workspace limits, when enforced (`limits`).
        self.limits = (
            rate_limits
            if isinstance(rate_limits, RateLimits)
            else (RateLimits() if rate_limits else None)
        )
        self.identity = identity or Identity()
        self.clock = SlackClock()
        self.installs = Installations(
            app=oauth or OAuthApp(), app_id=self.identity.api_app_id, clock=self.clock
        )
        self.installs.book.add(Token(self.identity.app_token, "app", None, self.clock.now()))
        self.workspace = SlackWorkspace(
            self.identity, trigger_ttl=trigger_ttl, team_name=self.identity.team_domain
        )
        members = list(users)
        bot = SlackUser(self.identity.bot_user_id, self.identity.bot_name, is_bot=True)
        for user in (bot, *members):
            self.workspace.add_user(user)
        for channel in channels:
            self.workspace.channels[channel.id] = channel
        self.installs.add(self.workspace)
        installer = next((u.id for u in members if u.is_owner), members[0].id if members else "")
        self.installs.install(
            self.workspace,
            user=installer or bot.id,
            scopes=self.identity.scopes,
            bot_token=self.identity.bot_token,
            rotating=False,
        )
        #: Every Web API call answered (429s are in `rate_limited_calls` instead), in order.
        self.calls: list[ApiCall] = []
        self.rate_limited_calls: list[ApiCall] = []
        self.unknown_methods: list[str] = []
        self.responses: list[ResponseUrlPost] = []
        #: (file id, whether the download carried a token that works in the file's workspace)
        self.file_downloads: list[tuple[str, bool]] = []
        #: (file id, bytes) POSTed to upload URLs from files.getUploadURLExternal
        self.uploads: list[tuple[str, bytes]] = []
        self._rate_limits: defaultdict[str, deque[int]] = defaultdict(deque)
        self._failures: defaultdict[str, deque[str]] = defaultdict(deque)
        self._changed = asyncio.Condition()
        self.socket = SocketModeEndpoint(self.identity.api_app_id, self._take_ticket, self._notify)
        self.http = HttpDelivery()
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
        app.router.add_get("/oauth/v2/authorize", self._authorize)
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
        self.base_url = f"http://{host}:{port}/"
        for ws in self.installs.workspaces.values():
            ws.base_url = self.base_url

    async def close(self) -> None:
        """Idempotent. Close the app's Socket Mode handler first, or it will try to reconnect."""
        await self.http.close()
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

    # ------------------------------------------------------------------ faults

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
        token, client = credentials(request, args)
        wait = self._over_limit(method, args, token)
        if self._rate_limits[method] or wait is not None:
            after = self._rate_limits[method].popleft() if wait is None else retry_after(wait)
            answer = error("ratelimited")
            state = self.installs.book.state(token)
            call = ApiCall(method, args, token, 429, answer, state)
            self.rate_limited_calls.append(call)
            await self._notify()
            return web.json_response(answer, status=429, headers={"Retry-After": str(after)})
        call = self._answer(method, args, token, client)
        if call.error == "unknown_method":
            self.unknown_methods.append(method)
        self.calls.append(call)
        await self._notify()
        return web.json_response(call.response, headers={"X-OAuth-Scopes": self._scopes(token)})

    def _answer(
        self, method: str, args: JsonDict, token: str | None, client: tuple[str, str] | None
    ) -> ApiCall:
        """Answer one call: app credentials for `oauth.v2.access`; otherwise the token decides
        whether the call is made at all and in which workspace."""
        state = self.installs.book.state(token)

        def answered(answer: JsonDict, ws: SlackWorkspace | None = None) -> ApiCall:
            team, org = (None, None) if ws is None else (ws.team_id, ws.enterprise_id)
            return ApiCall(method, args, token, 200, answer, state, team, org)

        if self._failures[method]:
            return answered(error(self._failures[method].popleft()))
        if method == "oauth.v2.access":
            answer = self.installs.exchange(args, client)
            team, org = answer.get("team") or {}, answer.get("enterprise") or {}
            return ApiCall(method, args, token, 200, answer, state, team.get("id"), org.get("id"))
        if method not in METHODS and method not in TOKEN_METHODS:
            log.warning("fake Slack: unknown Web API method %s called with %s", method, args)
            return answered(error("unknown_method"))
        verdict = self.installs.check(method, token)
        if verdict.problem is not None or verdict.token is None:
            return answered(error(verdict.problem or "invalid_auth"))
        if method in TOKEN_METHODS:
            grant = verdict.token.grant
            answer = self.installs.token_method(method, verdict.token, args)
            team, org = (None, None) if grant is None else (grant.team_id, grant.enterprise_id)
            return ApiCall(method, args, token, 200, answer, state, team, org)
        ws = self.installs.workspace_for(verdict.token, args, self.workspace)
        if ws is None:
            return answered(error("team_access_not_granted"))
        if self.installs.foreign_channel(ws, args):
            return answered(error("channel_not_found"), ws)
        return answered(ws.call(method, args), ws)

    def _over_limit(self, method: str, args: JsonDict, token: str | None) -> float | None:
        """With `limits`: None if the call is within Slack's limits, else how long to wait."""
        if self.limits is None:
            return None
        found = None if token is None else self.installs.book.tokens.get(token)
        grant = None if found is None else found.grant
        team = (grant.team_id if grant is not None else None) or str(token)
        channel = args.get("channel")
        return self.limits.check(method, team, channel if isinstance(channel, str) else None)

    def _scopes(self, token: str | None) -> str:
        found = None if token is None else self.installs.book.tokens.get(token)
        grant = None if found is None else found.grant
        return self.identity.scopes if grant is None else grant.scopes

    async def _authorize(self, request: web.Request) -> web.Response:
        """Slack's authorize page, after the member clicked Allow (or Cancel). The browser says
        who is signed in, and where, with `X-Fake-Slack-*` headers (see `SlackBrowser`)."""
        query, headers = request.query, request.headers
        ws = self.installs.workspaces.get(headers.get("X-Fake-Slack-Team", ""))
        if ws is None:
            return web.Response(text=LOGIN_PAGE, content_type="text/html")
        if query.get("team") and query["team"] != ws.team_id:
            return web.Response(status=400, text=f"this link is for {query['team']}")
        if headers.get("X-Fake-Slack-Allow") == "0":
            target = query.get("redirect_uri") or next(iter(self.installs.app.redirect_urls), "")
            refused = urlencode({"error": "access_denied", "state": query.get("state", "")})
            return web.Response(status=302, headers={"Location": f"{target}?{refused}"})
        try:
            location = self.installs.approve(
                ws,
                user=headers.get("X-Fake-Slack-User") or ws.default_user,
                client_id=query.get("client_id", ""),
                scopes=query.get("scope", ""),
                user_scopes=query.get("user_scope", ""),
                redirect_uri=query.get("redirect_uri") or None,
                state=query.get("state"),
                org_wide=headers.get("X-Fake-Slack-Org-Wide") == "1",
            )
        except OAuthRefusal as refusal:
            return web.Response(status=400, text=refusal.code)
        await self._notify()
        return web.Response(status=302, headers={"Location": location})

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append(ResponseUrlPost(str(request.url), body))
        key = request.match_info["key"]
        owner = self._owner(lambda ws: key in ws.response_targets)
        known = owner is not None and owner.respond(key, body)
        await self._notify()
        if not known:
            return web.Response(status=404, text="no_such_response_url")
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2 of the external upload: Slack answers 200 `OK - <length>`."""
        data = await request.read()
        file_id = request.match_info["file_id"]
        owner = self._owner(lambda ws: file_id in ws.pending_uploads)
        received = owner is not None and receive_upload(owner, file_id, data)
        self.uploads.append((file_id, data))
        await self._notify()
        if not received:
            return web.Response(status=404, text="upload_not_found")
        return web.Response(text=f"OK - {len(data)}")

    async def _file(self, request: web.Request) -> web.Response:
        team, _, file_id = request.match_info["team_file"].rpartition("-")
        ws = self.installs.workspaces.get(team)
        file = None if ws is None else ws.files.get(file_id)
        if ws is None or file is None:
            return web.Response(status=404, text="file_not_found")
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
        verdict = self.installs.check("files.info", token)
        grant = None if verdict.token is None else verdict.token.grant
        authorized = (
            verdict.problem is None
            and grant is not None
            and grant.covers(ws.team_id, ws.enterprise_id)
        )
        self.file_downloads.append((file.id, authorized))
        await self._notify()
        if not authorized:
            # Real Slack answers an unauthenticated download with its sign-in page and 200.
            return web.Response(text=LOGIN_PAGE, content_type="text/html")
        return web.Response(body=file.content, content_type=file.mimetype)

    # ------------------------------------------------------------------ internals

    def _owner(self, test: Callable[[SlackWorkspace], bool]) -> SlackWorkspace | None:
        return next((ws for ws in self.installs.workspaces.values() if test(ws)), None)

    def _take_ticket(self, ticket: str) -> bool:
        if ticket not in self.workspace.socket_tickets:
            return False
        self.workspace.socket_tickets.discard(ticket)
        return True

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


def credentials(request: web.Request, args: JsonDict) -> tuple[str | None, tuple[str, str] | None]:
    """(the token a call presents, the app's Basic-auth client id and secret). The token comes
    from `Authorization: Bearer` or a `token` argument, which is taken out of `args`."""
    header = request.headers.get("Authorization", "")
    form_token = args.pop("token", None)
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip(), None
    token = str(form_token) if form_token else None
    if not header.startswith("Basic "):
        return token, None
    try:
        decoded = base64.b64decode(header.removeprefix("Basic ").strip()).decode()
    except (binascii.Error, UnicodeDecodeError):
        return token, None
    client_id, _, client_secret = decoded.partition(":")
    return token, (client_id, client_secret)


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
