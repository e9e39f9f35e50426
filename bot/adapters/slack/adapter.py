"""The Slack adapter: slack-bolt listeners in, ``SlackOutbox`` out.

With ``api`` (the Web API over slack-sdk), the only module of this folder that
imports an SDK.  It translates and decides nothing: ``inbound`` turns payloads
into commands, ``render`` and ``modals`` turn events into Block Kit, and
``outbox`` sends them in order per channel.  What is left here is what Slack's
wire needs:

* every slash command and interaction is acked before any slow work (Slack
  gives 3 s); ``slash`` handles ``/trivia``, ``forms`` opens the modals and
  runs their submissions, ``daily_answers`` the daily question's answer form
  (its verdict is the submission's response), ``uploads`` turns bank files
  shared with the bot into imports; ``http`` refuses HTTP requests bolt cannot
  read;
* the App Home is published when a player opens it (``app_home_opened``), with
  scheduled play's part (``TriviaPort.daily_home``) above their stats;
* replies to one command are picked out by the reply collector
  (``bot.adapters.common.replies``): while a command runs for a form or the App
  Home, ``publish`` keeps the events meant for its sender;
* an event Slack delivers again (same ``event_id``) is handled once;
* every request acts in the workspace that authenticated it (``_place``, the
  rule in ``workspaces``), never in one its payload names: commands, forms and
  file shares that name another are refused;
* ``Actor.is_admin`` is the workspace's admin/owner flag from ``users.info``
  (cached) or the configured ``TRIVIA_SLACK_ADMINS``;
* with OAuth installs (``oauth``: any number of workspaces), each request is
  answered with its workspace's token, everything sent later uses the token of
  the workspace it goes to, and an uninstall ends that workspace's games.

What it reports for operators: each listener tags its log lines with the
workspace and channel, and failed listeners count as platform errors.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.common.replies import ReplyCollector, ask, for_recipient
from bot.adapters.slack.api import (
    Clients,
    RequestWeb,
    SdkWeb,
    build_client,
    use_request_client,
)
from bot.adapters.slack.daily_answers import SlackDailyAnswers
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.forms import FORM_CALLBACKS, SlackForms, first_section_text
from bot.adapters.slack.http import Parsed, slack_events_app
from bot.adapters.slack.ids import (
    COMMAND,
    DAILY_ANSWER_ACTION,
    DAILY_ANSWER_CALLBACK,
    DAILY_PICK_PATTERN,
    PICK_ACTION_PATTERN,
    PLATFORM,
    REPORT_ACTION,
)
from bot.adapters.slack.inbound import (
    channel_key,
    channel_of,
    daily_answer_round,
    daily_pick,
    pick_choice,
    report_target,
    team_of,
    typed_answer,
)
from bot.adapters.slack.oauth import OAuthApp, OAuthInstalls, add_install_routes
from bot.adapters.slack.outbox import SlackOutbox, SlackWeb, recipient_of
from bot.adapters.slack.recent_ids import RecentIds
from bot.adapters.slack.render import home_view
from bot.adapters.slack.routing import Router, note_request
from bot.adapters.slack.slash import SlackSlash
from bot.adapters.slack.transports import EventsApi, SocketMode, Transport
from bot.adapters.slack.uninstalls import Uninstalls
from bot.adapters.slack.uploads import SlackUploads, file_share
from bot.adapters.slack.workspaces import Installation, Place, place
from bot.bank.uploads import UploadParser
from bot.config import Settings
from bot.domain.commands import Command, ShowLeaderboard, ShowStats, SubmitAnswer
from bot.domain.daily import DailyHome
from bot.domain.events import Event, LeaderboardShown, StatsShown
from bot.domain.model import Actor, ChannelKey, ServerKey
from bot.domain.records import Period
from bot.observability.health import Health
from bot.observability.http import add_routes, serving
from bot.observability.logs import tag_task
from bot.observability.metrics import Metrics, PlatformMeter
from bot.ports import StoreUnavailable, TriviaPort

log = logging.getLogger(__name__)

#: How long a form submission waits for the service before acking (Slack allows 3 s).
REPLY_BUDGET = 2.0
#: ``chat.update`` is Tier 3: about 50 a minute per workspace; the outbox paces by it.
EDITS_PER_MINUTE = 50.0
#: ``chat.postEphemeral`` is Tier 4: about 100 a minute per workspace.
EPHEMERALS_PER_MINUTE = 100.0


# -- the adapter ---------------------------------------------------------------------------------


class SlackAdapter:
    """A slack-bolt ``AsyncApp`` wired to the trivia service, and its ``EventSink``.

    ``bind(service)`` before serving; serve with ``web_app()`` (HTTP) or
    ``socket_mode(app_token)``; ``close()`` (or ``async with``) flushes what is
    queued for Slack and awaits every task.
    """

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        signing_secret: str = "",
        admins: Iterable[str] = (),
        post_interval: float = 1.0,
        reply_budget: float = REPLY_BUDGET,
        meter: PlatformMeter | None = None,
        transport: Transport | None = None,
        oauth: OAuthInstalls | None = None,
        api_url: str | None = None,
    ) -> None:
        self.client = client
        self.transport = transport
        self._signing_secret = signing_secret
        self.meter = meter or PlatformMeter()
        self.oauth = oauth
        self._clients = Clients(base_url=api_url, meter=self.meter)
        if oauth is None:
            self.bolt = AsyncApp(
                client=client,
                signing_secret=signing_secret,
                name="trivia-bot",
                logger=logging.getLogger("slack_bolt"),
            )
        else:
            # Requests are authorized by the installations (``oauth.WorkspaceAuthorize``).
            self.bolt = AsyncApp(
                client=client,
                signing_secret=signing_secret,
                name="trivia-bot",
                logger=logging.getLogger("slack_bolt"),
                installation_store=oauth.store,
                authorize=oauth.authorize,  # type: ignore[arg-type]  # an AsyncAuthorize
                oauth_settings=oauth.settings(),
            )
        web = SdkWeb(client, self.meter)
        self.outbox = SlackOutbox(
            web,
            post_interval=post_interval,
            web_for=self._web_for if oauth is not None else None,
            edits_per_minute=EDITS_PER_MINUTE,
            ephemerals_per_minute=EPHEMERALS_PER_MINUTE,
        )
        self.directory = SlackDirectory(self._users_info, admins=admins)
        self.uninstalls = Uninstalls(installed=self._installed, end_games=self._end_games)
        self.replies = ReplyCollector(send=self.outbox.send)
        # Forms and shared files: the token of the request they come from.
        scoped = RequestWeb(client, self.meter)
        self.forms = SlackForms(
            views=scoped,
            directory=self.directory,
            ask=self._ask,
            may_administer=self._may_administer,
            send=self.outbox.send,
            reply_budget=reply_budget,
            meter=self.meter,
        )
        self.daily = SlackDailyAnswers(
            views=scoped,
            directory=self.directory,
            ask=self._ask,
            send=self.outbox.send,
            reply_budget=reply_budget,
            meter=self.meter,
        )
        self.slash = SlackSlash(
            forms=self.forms,
            directory=self.directory,
            run=self._run,
            remember_response_url=self.outbox.remember_response_url,
            meter=self.meter,
        )
        self.parser = UploadParser()
        self.uploads = SlackUploads(
            files=scoped,
            parser=self.parser,
            directory=self.directory,
            run=self._run,
            note=self.outbox.note,
        )
        self._events = RecentIds()
        self._seen: Callable[[str], Awaitable[bool]] | None = None
        self._service: TriviaPort | None = None
        self._router: Router | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._register()

    @classmethod
    def from_settings(
        cls, settings: Settings, *, meter: PlatformMeter | None = None, **options: Any
    ) -> SlackAdapter:
        if settings.slack_client_id and settings.slack_client_secret:
            # OAuth installs: no token of its own; each request brings its workspace's.
            client = build_client(None, base_url=settings.slack_api_url, meter=meter)
            app = OAuthApp(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                authorization_url=settings.slack_authorization_url,
                token_keys=settings.slack_token_key,
            )
            # Its stores are the database's once it is open (``OAuthInstalls.attached``).
            options.setdefault("oauth", OAuthInstalls(app, client=client))
        else:
            client = build_client(
                settings.slack_bot_token or "", base_url=settings.slack_api_url, meter=meter
            )
        return cls(
            client=client,
            signing_secret=settings.slack_signing_secret or "",
            admins=settings.slack_admins,
            meter=meter,
            api_url=settings.slack_api_url,
            **options,
        )

    platform = PLATFORM

    resumes_games = True

    @property
    def observability_port(self) -> int | None:
        """In HTTP mode, ``/healthz`` and ``/metrics`` are served beside ``/slack/events``."""
        return self.transport.port if isinstance(self.transport, EventsApi) else None

    def owns(self, server: ServerKey) -> bool:
        return self._router is None or self._router.owns(server)

    def bind(self, service: TriviaPort) -> None:
        """Send inbound commands to ``service`` (``TriviaService``)."""
        self._service = service
        self.outbox.noting_questions(service.note_question_message)
        self.outbox.noting_daily(service.note_daily_message)

    def route_through(self, router: Router) -> None:
        """Several replicas share the workspaces: commands go to ``router``, which runs
        each game command on its workspace's owner (``routing``)."""
        self._router = router

    def recognise_events_with(self, first_time: Callable[[str], Awaitable[bool]]) -> None:
        """Slack's redeliveries are recognised by ``first_time`` (``SeenEvents``: every
        replica's deliveries, in the database) instead of this process's memory alone."""
        self._seen = first_time

    # -- EventSink -------------------------------------------------------------------------

    async def publish(self, event: Event) -> None:
        """Never blocks: replies being captured are kept, everything else is queued."""
        if not self.replies.intercept(event):
            self.outbox.send(event)

    # -- transports --------------------------------------------------------------------------

    def web_app(self, path: str = "/slack/events") -> web.Application:
        """The Events API endpoint at ``path`` (signed requests only; what bolt cannot
        read is refused before it, see ``http``); the runner adds ``/healthz`` and
        ``/metrics``."""
        app = slack_events_app(self._read, signing_secret=self._signing_secret, path=path)
        flow = self.bolt.oauth_flow
        if flow is not None:
            add_install_routes(app, flow)
        return app

    def _read(self, text: str, request: web.Request) -> Parsed:
        """bolt's request for a decoded body, as bolt's aiohttp adapter builds it."""
        headers: dict[str, str | Sequence[str]] = dict(request.headers.items())
        bolt_request = AsyncBoltRequest(body=text, query=request.query_string, headers=headers)

        async def run() -> web.Response:
            return await to_aiohttp_response(await self.bolt.async_dispatch(bolt_request))

        return Parsed(bolt_request.body, run)

    @asynccontextmanager
    async def socket_mode(self, app_token: str) -> AsyncIterator[None]:
        """Connected to Slack over Socket Mode while inside."""
        handler = AsyncSocketModeHandler(self.bolt, app_token=app_token)
        try:
            await handler.connect_async()  # type: ignore[no-untyped-call]
            self._socket = handler
            yield
        finally:
            self._socket = None
            await handler.close_async()  # type: ignore[no-untyped-call]

    async def socket_connected(self) -> bool:
        """Whether the Socket Mode connection is up now (False outside ``socket_mode``)."""
        socket = self._socket
        return socket is not None and await socket.client.is_connected()

    @asynccontextmanager
    async def connect(self, health: Health, metrics: Metrics | None) -> AsyncIterator[None]:
        """Taking Slack's requests over the configured transport while inside."""
        match self.transport:
            case SocketMode(app_token=app_token):
                async with self.socket_mode(app_token):
                    tell("Connected to Slack over Socket Mode. Ctrl-C stops the bot.")
                    yield
            case EventsApi(host=host, port=port, path=path):
                web_app = self.web_app(path)
                if metrics is not None:
                    add_routes(web_app, health=health, metrics=metrics)
                async with serving(web_app, host=host, port=port):
                    tell(f"Serving Slack's Events API on http://{host}:{port}{path}. Ctrl-C stops.")
                    if self.bolt.oauth_flow is not None:
                        install = self.bolt.oauth_flow.install_path
                        tell(f"Workspaces install the app at http://{host}:{port}{install}.")
                    yield
            case None:
                raise RuntimeError("the Slack adapter has no transport to connect with")

    async def run(self) -> int:
        """Slack never stops on its own: until the process is told to stop."""
        await asyncio.Event().wait()
        return 0

    async def connected(self) -> bool:
        """Over HTTP Slack comes to us: up while serving; Socket Mode: the socket is up."""
        if isinstance(self.transport, EventsApi):
            return True
        return await self.socket_connected()

    async def close(self, *, within: float | None = None) -> None:
        """Let in-flight commands finish (briefly), then flush the outbox (for at most
        ``within`` seconds in all, when given). Idempotent."""
        started = asyncio.get_running_loop().time()
        await self.replies.close(within=5.0 if within is None else min(within, 5.0))
        left = (
            None
            if within is None
            else max(within - (asyncio.get_running_loop().time() - started), 0.0)
        )
        await self.outbox.close(within=left)
        await self.uninstalls.close()
        self.parser.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- listeners ---------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.bolt
        app.middleware(self._tag_logs)
        app.middleware(self._once_per_event)
        if self.oauth is not None:
            app.event("app_uninstalled")(self._on_uninstalled)
            app.event("tokens_revoked")(self._on_uninstalled)
        app.command(COMMAND)(self._on_command)
        app.event("message")(self._on_message)
        app.event("app_home_opened")(self._on_home_opened)
        app.action(re.compile(PICK_ACTION_PATTERN))(self._on_pick)
        app.action(REPORT_ACTION)(self._on_report_click)
        app.action(DAILY_ANSWER_ACTION)(self._on_daily_answer_click)
        app.action(re.compile(DAILY_PICK_PATTERN))(self._on_daily_pick)
        for callback in FORM_CALLBACKS:
            app.view(callback)(self._on_form)
        app.view(DAILY_ANSWER_CALLBACK)(self._on_daily_form)

    async def _tag_logs(
        self,
        body: dict[str, Any],
        context: AsyncBoltContext,
        next_: Callable[[], Awaitable[None]],
    ) -> None:
        """Log lines of the rest of a request, and of the listener tasks it starts, name
        its place.  Each request runs in a task of its own (aiohttp's per request,
        the Socket Mode client's per message), and bolt runs middleware one after
        another rather than nested, so the tag is set for the rest of the task; so
        is the client with the token bolt authorized the request with."""
        tag_task(PLATFORM, team_of(body), channel_of(body))
        use_request_client(context.client)
        note_request(body)
        await next_()

    async def _once_per_event(
        self,
        body: dict[str, Any],
        request: AsyncBoltRequest,
        next_: Callable[[], Awaitable[None]],
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not await self._first_time(event_id):
            retry = request.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("slack: event %s delivered again (retry %s): already handled", event_id, retry)
            return BoltResponse(status=200, body="")
        await next_()
        return None

    async def _first_time(self, event_id: str) -> bool:
        if self._seen is not None:
            try:
                return await self._seen(event_id)
            except StoreUnavailable as exc:
                log.warning("slack: could not ask whether event %s is new: %s", event_id, exc)
        return self._events.first_time(event_id)

    async def _on_command(
        self, ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await self.slash.handle(ack, command, self._place(context, command))

    async def _on_message(
        self, event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        try:
            found = self._place(context, body)
            share = file_share(event)
            if share is not None:
                await self.uploads.shared(found, share)
                return
            typed = typed_answer(event)
            if typed is None:
                return
            # Answers count in the authenticated workspace, whatever else the event names.
            team = found.team
            channel = channel_key(team, typed.channel_id)
            # Chat in a channel without a game is just chat: no lookups, no locks.
            if not await self._may_have_game(channel):
                return
            actor = await self.directory.actor(team, typed.user_id)
            await self._run(SubmitAnswer(channel=channel, actor=actor, text=typed.text))
        except Exception:
            self.meter.error()
            log.exception(
                "slack: message event %s from %s in %s failed",
                body.get("event_id"),
                event.get("user"),
                event.get("channel"),
            )

    async def _on_pick(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        """An option of a game's question clicked; the pick's confirmation goes back
        through the click's response_url (no Web API call)."""
        await self._on_option(ack, body, action, context, pick_choice, "click")

    async def _on_daily_pick(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        """An option of a daily question clicked: the answer, judged at once; its verdict
        goes back through the click's response_url (no Web API call, for them alone)."""
        await self._on_option(ack, body, action, context, daily_pick, "daily pick")

    async def _on_option(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        translate: Callable[..., Command | None],
        what: str,
    ) -> None:
        await ack()
        user = body.get("user") or {}
        channel_id = channel_of(body)
        try:
            team = self._place(context, body).team
            channel = channel_key(team, str(channel_id))
            if url := body.get("response_url"):
                self.outbox.remember_response_url(channel, str(user.get("id")), str(url))
            actor = await self.directory.actor(team, str(user.get("id")), user.get("name"))
            command = translate(action, channel=channel, actor=actor)
            if command is not None:
                await self._run(command)
        except Exception:
            self.meter.error()
            log.exception(
                "slack: %s %s (%s) by %s in %s failed",
                what,
                action.get("action_id"),
                action.get("value"),
                user.get("id"),
                channel_id,
            )

    async def _on_daily_answer_click(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        """The Answer button of a typed daily question: open its form (within the
        trigger's 3 s, so before anything else)."""
        await ack()
        channel_id = channel_of(body)
        try:
            round_id = daily_answer_round(action)
            if round_id is None or not channel_id:
                return
            channel = channel_key(self._place(context, body).team, str(channel_id))
            shown = first_section_text(body.get("message") or {})
            await self.daily.open_form(str(body.get("trigger_id", "")), channel, round_id, shown)
        except Exception:
            self.meter.error()
            log.exception(
                "slack: Answer click on round %s by %s in %s failed",
                action.get("value"),
                (body.get("user") or {}).get("id"),
                channel_id,
            )

    async def _on_daily_form(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        await self.daily.submit(ack, body, view, self._place(context, body))

    async def _on_home_opened(
        self, event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        team = self._place(context, body).team
        if event.get("tab", "home") != "home" or not team:
            return
        user = str(event.get("user", ""))
        try:
            actor = await self.directory.actor(team, user)
            channel = channel_key(team, str(event.get("channel") or user))
            board, _ = await self._ask(
                ShowLeaderboard(channel=channel, actor=actor, period=Period.ALL),
                within=10.0,
                deliver_late=False,
            )
            mine, _ = await self._ask(
                ShowStats(channel=channel, actor=actor), within=10.0, deliver_late=False
            )
            rows = next((e.rows for e in board if isinstance(e, LeaderboardShown)), ())
            stats = next((e.stats for e in mine if isinstance(e, StatsShown)), None)
            daily = await self._daily_home(actor)
            view = home_view(stats=stats, rows=rows, daily=daily)
            # The token of the workspace that sent the event (bolt's per-request client).
            await context.client.views_publish(user_id=user, view=view)
        except Exception:
            self.meter.error()
            log.exception("slack: App Home for %s (event %s) failed", user, body.get("event_id"))

    async def _on_form(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        await self.forms.submit(ack, body, view, self._place(context, body))

    async def _on_report_click(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        """The Report button on a reveal: open the report form for that question."""
        await ack()
        channel_id = channel_of(body)
        try:
            question_id = report_target(action)
            if question_id is None or not channel_id:
                return
            channel = channel_key(self._place(context, body).team, str(channel_id))
            shown = first_section_text(body.get("message") or {})
            await self.forms.open_report(
                str(body.get("trigger_id", "")), channel, question_id, shown
            )
        except Exception:
            self.meter.error()
            log.exception(
                "slack: report click on %s by %s in %s failed",
                action.get("value"),
                (body.get("user") or {}).get("id"),
                channel_id,
            )

    # -- running commands --------------------------------------------------------------------

    @staticmethod
    def _place(context: AsyncBoltContext, body: Mapping[str, Any]) -> Place:
        """Where a request acts: the workspace of the installation whose token answers it
        (``workspaces``).  With one bot token that is bolt's authorize result, the
        token's ``auth.test``: a workspace install, since the manifest does not deploy
        the app org-wide (``org_deploy_enabled: false``)."""
        result = context.authorize_result
        installation = Installation(
            team_id=result.team_id if result is not None else None,
            enterprise_id=result.enterprise_id if result is not None else None,
            # An OAuth installation says (``WorkspaceAuthorize``); an org-wide token's
            # auth.test (one token) names its org and no workspace.
            is_enterprise_install=result is not None
            and (
                bool(result.get("is_enterprise_install"))
                or (result.team_id is None and result.enterprise_id is not None)
            ),
        )
        return place(body, installation, request_team=context.team_id)

    async def _run(self, command: Command) -> None:
        if self._service is None:
            log.warning("slack: %s arrived before the service was bound", type(command).__name__)
            return
        if self._router is not None:
            await self._router.run(command)
        else:
            await self._service.handle(command)

    async def _may_have_game(self, channel: ChannelKey) -> bool:
        if self._router is not None:
            return await self._router.may_have_game(channel)
        return self._service is not None and self._service.game_in(channel) is not None

    async def _ask(
        self, command: Command, *, within: float, deliver_late: bool = True
    ) -> tuple[list[Event], bool]:
        """Run ``command``; (its replies to the sender, whether it finished ``within``)."""
        wants = for_recipient(recipient_of, command.actor.key)
        return await ask(
            self.replies, self._run, command, wants=wants, within=within, deliver_late=deliver_late
        )

    async def _daily_home(self, actor: Actor) -> DailyHome | None:
        """Scheduled play's part of the Home tab; None (the tab shows the rest) when the
        bot keeps no daily rounds or its store cannot be read now.

        Drawn only when the player opens the tab: Slack sends ``app_home_opened`` each
        time, so redrawing it on every answer (a Tier 4 ``views.publish`` and three
        reads each) would buy nothing the next look does not show."""
        if self._service is None:
            return None
        try:
            return await self._service.daily_home(actor.key)
        except StoreUnavailable as exc:
            log.warning("slack: the daily question's home view could not be read: %s", exc)
            return None

    async def _may_administer(self, actor: Actor, server: ServerKey) -> bool:
        return self._service is not None and await self._service.may_administer(actor, server)

    async def _users_info(self, team_id: str, user_id: str) -> Mapping[str, Any] | None:
        # One bot token, one workspace: the token's own (``_place`` made sure it is team_id);
        # with OAuth installs, team_id's.
        client = await self._client_for(team_id)
        if client is None:
            return None
        try:
            response = await client.users_info(user=user_id)
        except (SlackClientError, aiohttp.ClientError, OSError) as exc:
            self.meter.error()
            log.warning("slack: users.info for %s failed: %r", user_id, exc)
            return None
        user = response.get("user")
        return user if isinstance(user, dict) else None

    # -- OAuth installs: a token per workspace ------------------------------------------------

    async def _client_for(self, team_id: str) -> AsyncWebClient | None:
        """The client acting in ``team_id`` now; None if no installation covers it."""
        if self.oauth is None:
            return self.client
        token = await self.oauth.tokens.token_for(team_id)
        return None if token is None else self._clients.client(token)

    async def _web_for(self, team_id: str) -> SlackWeb | None:
        client = await self._client_for(team_id)
        if client is None:
            self.uninstalls.noticed(team_id)  # removed while its games run here?
            return None
        self.uninstalls.covered(team_id)
        return SdkWeb(client, self.meter)

    async def _installed(self, team_id: str) -> bool:
        return self.oauth is None or await self.oauth.is_installed(team_id)

    async def _end_games(self, server: ServerKey) -> int:
        return 0 if self._service is None else await self._service.end_games(server)

    async def _on_uninstalled(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """``app_uninstalled``/``tokens_revoked``: forget what Slack revoked; a workspace
        that lost its bot token has its games ended and recorded (nothing is said
        there: no token is left to say it with), and nothing more is sent there."""
        assert self.oauth is not None
        try:
            for team in sorted(await self.oauth.forget(event, context)):
                await self.uninstalls.end(team)
        except Exception:
            self.meter.error()
            log.exception("slack: %s for %s failed", event.get("type"), context.team_id)


def tell(*lines: str) -> None:
    # What an operator starting the bot should see: plain lines on stderr.
    sys.stderr.write("\n".join(lines) + "\n")
