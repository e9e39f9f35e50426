"""The Slack adapter: slack-bolt listeners in, ``SlackOutbox`` out.

The only module that imports ``slack_bolt`` / ``slack_sdk``.  It translates
and decides nothing: ``slack_inbound`` turns payloads into commands,
``render_slack`` and ``slack_modals`` turn events into Block Kit, and
``slack_outbox`` sends them in order per channel.  What is left here is what
Slack's wire needs:

* every slash command and interaction is acked before any slow work (Slack
  gives 3 s); ``slack_forms`` opens the modals and runs their submissions,
  ``slack_uploads`` turns bank files shared with the bot into imports;
* replies to one command are picked out with a context variable: while a
  captured ``handle`` runs, ``publish`` keeps the events meant for its sender;
* an event Slack delivers again (same ``event_id``) is handled once;
* ``Actor.is_admin`` is the workspace's admin/owner flag from ``users.info``
  (cached) or the configured ``TRIVIA_SLACK_ADMINS``.

What it reports for operators: each listener tags its log lines with the
workspace and channel, failed listeners and failed Web API calls count as
platform errors, and every HTTP 429 is counted as a rate-limit hit
(``PlatformMeter``) before the SDK retries it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import (  # noqa: TID251
    AsyncSocketModeHandler,
)
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltRequest  # noqa: TID251
from slack_bolt.response import BoltResponse  # noqa: TID251
from slack_sdk.errors import SlackApiError, SlackClientError  # noqa: TID251
from slack_sdk.http_retry.builtin_async_handlers import (  # noqa: TID251
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest  # noqa: TID251
from slack_sdk.http_retry.response import HttpResponse  # noqa: TID251
from slack_sdk.http_retry.state import RetryState  # noqa: TID251
from slack_sdk.web.async_client import AsyncWebClient  # noqa: TID251
from slack_sdk.webhook.async_client import AsyncWebhookClient  # noqa: TID251

from bot.adapters.common.replies import ReplyCollector
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.forms import FORM_CALLBACKS, SlackForms, first_section_text
from bot.adapters.slack.ids import (
    COMMAND,
    PICK_ACTION_PATTERN,
    PLATFORM,
    REPORT_ACTION,
)
from bot.adapters.slack.inbound import (
    IMPORT_HOWTO,
    ExplainImport,
    OpenAddQuestion,
    OpenEditQuestion,
    OpenSettings,
    ShowHelp,
    Usage,
    channel_key,
    channel_of,
    parse_trivia,
    payload_actor,
    pick_choice,
    report_target,
    team_of,
    typed_answer,
    with_actor,
)
from bot.adapters.slack.message import SlackMessage
from bot.adapters.slack.outbox import SlackCallError, SlackOutbox, recipient_of
from bot.adapters.slack.recent_ids import RecentIds
from bot.adapters.slack.render import help_message, home_view, usage_text
from bot.adapters.slack.uploads import DownloadError, SlackUploads, file_share
from bot.bank.uploads import UploadParser
from bot.config import Settings
from bot.domain.commands import Command, ShowLeaderboard, ShowStats, SubmitAnswer
from bot.domain.events import Event, GameEnded, GameStarted, LeaderboardShown, StatsShown
from bot.domain.model import ChannelKey
from bot.domain.records import Period
from bot.observability.logs import tag_task
from bot.observability.metrics import PlatformMeter

log = logging.getLogger(__name__)

Handle = Callable[[Command], Awaitable[None]]

#: How long a form submission waits for the service before acking (Slack allows 3 s).
REPLY_BUDGET = 2.0
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=30)


# -- the Web API, as the outbox sees it ----------------------------------------------------------


class CountingRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """slack-sdk's 429 handler (wait ``Retry-After``, retry), calling ``on_hit`` for each 429.

    Counted whether or not a retry is left: the SDK asks each handler once per
    response, in order, and this is the only one that looks at a 429.
    """

    def __init__(self, *, on_hit: Callable[[], None], max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._on_hit = on_hit

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            self._on_hit()
        return await super().can_retry_async(
            state=state, request=request, response=response, error=error
        )


def build_client(
    token: str,
    *,
    base_url: str | None = None,
    retries: int = 5,
    meter: PlatformMeter | None = None,
) -> AsyncWebClient:
    """A client whose 429s are retried after ``Retry-After`` (never dropped on the floor),
    each one counted on ``meter``."""
    on_hit = (meter or PlatformMeter()).rate_limited
    handlers = [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        CountingRateLimitHandler(on_hit=on_hit, max_retry_count=retries),
    ]
    if base_url is None:
        return AsyncWebClient(token=token, retry_handlers=handlers)
    # The SDK urljoins the method name onto the base: without the slash it would drop "api".
    base = base_url if base_url.endswith("/") else base_url + "/"
    return AsyncWebClient(token=token, base_url=base, retry_handlers=handlers)


async def check_token(token: str, *, base_url: str | None = None) -> str | None:
    """None if Slack accepts the bot token (``auth.test``), else what went wrong."""
    client = build_client(token, base_url=base_url, retries=1)
    try:
        await client.auth_test()
    except SlackApiError as exc:
        return f"Slack answered {exc.response.get('error', 'an error')}"
    except (SlackClientError, aiohttp.ClientError, OSError) as exc:
        return f"Slack could not be reached ({exc!r})"
    return None


class SdkWeb:
    """``slack_outbox.SlackWeb`` over slack-sdk: Slack's errors become ``SlackCallError``
    (and count on ``meter``)."""

    def __init__(self, client: AsyncWebClient, meter: PlatformMeter | None = None) -> None:
        self._client = client
        self._meter = meter or PlatformMeter()

    async def post_message(self, channel: str, message: SlackMessage) -> str:
        response = await self._call(
            "chat.postMessage",
            self._client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=message.blocks_json() or None,
                unfurl_links=False,
                unfurl_media=False,
            ),
        )
        return str(response["ts"])

    async def update_message(self, channel: str, ts: str, message: SlackMessage) -> None:
        await self._call(
            "chat.update",
            self._client.chat_update(
                channel=channel, ts=ts, text=message.text, blocks=message.blocks_json()
            ),
        )

    async def post_ephemeral(self, channel: str, user: str, message: SlackMessage) -> None:
        await self._call(
            "chat.postEphemeral",
            self._client.chat_postEphemeral(
                channel=channel, user=user, text=message.text, blocks=message.blocks_json() or None
            ),
        )

    async def respond(self, response_url: str, message: SlackMessage) -> None:
        webhook = AsyncWebhookClient(response_url)
        reply = await webhook.send(
            text=message.text, blocks=message.blocks_json() or None, response_type="ephemeral"
        )
        if reply.status_code != 200:
            self._meter.error()
            raise SlackCallError("response_url", f"http_{reply.status_code}")

    async def open_dm(self, user: str) -> str:
        response = await self._call(
            "conversations.open", self._client.conversations_open(users=user)
        )
        return str(response["channel"]["id"])

    async def upload_file(self, channel: str, filename: str, content: str, comment: str) -> None:
        # files_upload_v2: files.getUploadURLExternal, the upload, files.completeUploadExternal.
        await self._call(
            "files.completeUploadExternal",
            self._client.files_upload_v2(
                channel=channel,
                filename=filename,
                title=filename,
                content=content,
                initial_comment=comment,
            ),
        )

    # -- slack_forms.ViewsApi ----------------------------------------------------------------

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> str:
        opened = await self._call(
            "views.open", self._client.views_open(trigger_id=trigger_id, view=view)
        )
        return str(opened["view"]["id"])

    async def update_view(self, view_id: str, view: dict[str, Any]) -> None:
        await self._call("views.update", self._client.views_update(view_id=view_id, view=view))

    # -- slack_uploads.FileApi ---------------------------------------------------------------

    async def file_info(self, file_id: str) -> Mapping[str, Any] | None:
        try:
            response = await self._call("files.info", self._client.files_info(file=file_id))
        except SlackCallError as exc:
            log.warning("slack: files.info for %s failed: %s", file_id, exc.code)
            return None
        found = response.get("file")
        return found if isinstance(found, dict) else None

    async def download(self, url: str, *, limit: int) -> bytes:
        """A shared file's bytes, fetched with the bot token (``files:read``); stops
        reading past ``limit`` bytes, so a file bigger than Slack said is no danger."""
        headers = {"Authorization": f"Bearer {self._client.token}"}
        data = bytearray()
        try:
            async with (
                aiohttp.ClientSession(timeout=DOWNLOAD_TIMEOUT) as session,
                session.get(url, headers=headers) as response,
            ):
                if response.status != 200:
                    raise DownloadError(f"Slack answered HTTP {response.status}; try again.")
                if response.content_type == "text/html":
                    # Slack's sign-in page: the token was not accepted for this file.
                    raise DownloadError("Slack did not let me read it (the app needs files:read).")
                async for chunk in response.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > limit:
                        break
        except (aiohttp.ClientError, TimeoutError) as exc:
            self._meter.error()
            raise DownloadError("the download failed; please share it again.") from exc
        return bytes(data)

    async def _call(self, method: str, call: Coroutine[Any, Any, Any]) -> Any:
        try:
            return await call
        except SlackApiError as exc:
            self._meter.error()
            raise SlackCallError(method, str(exc.response.get("error", "unknown"))) from exc


# -- the adapter ---------------------------------------------------------------------------------


class SlackAdapter:
    """A slack-bolt ``AsyncApp`` wired to the trivia service, and its ``EventSink``.

    ``bind(service.handle)`` before serving; serve with ``web_app()`` (HTTP) or
    ``socket_mode(app_token)``; ``close()`` (or ``async with``) flushes what is
    queued for Slack and awaits every task.
    """

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        signing_secret: str = "",
        admins: Iterable[str] = (),
        countdown_every: float | None = 10.0,
        post_interval: float = 1.0,
        reply_budget: float = REPLY_BUDGET,
        meter: PlatformMeter | None = None,
    ) -> None:
        self.client = client
        self.meter = meter or PlatformMeter()
        self.bolt = AsyncApp(
            client=client,
            signing_secret=signing_secret,
            name="trivia-bot",
            logger=logging.getLogger("slack_bolt"),
        )
        web = SdkWeb(client, self.meter)
        self.outbox = SlackOutbox(web, countdown_every=countdown_every, post_interval=post_interval)
        self.directory = SlackDirectory(self._users_info, admins=admins)
        self.replies = ReplyCollector(send=self.outbox.send, recipient_of=recipient_of)
        self.forms = SlackForms(
            views=web,
            directory=self.directory,
            ask=self._ask,
            send=self.outbox.send,
            reply_budget=reply_budget,
            meter=self.meter,
        )
        self.parser = UploadParser()
        self.uploads = SlackUploads(
            files=web,
            parser=self.parser,
            directory=self.directory,
            run=self._run,
            note=self.outbox.note,
        )
        self._events = RecentIds()
        self._handle: Handle | None = None
        self._active: set[ChannelKey] = set()
        self._socket: AsyncSocketModeHandler | None = None
        self._register()

    @classmethod
    def from_settings(
        cls, settings: Settings, *, meter: PlatformMeter | None = None, **options: Any
    ) -> SlackAdapter:
        client = build_client(
            settings.slack_bot_token or "", base_url=settings.slack_api_url, meter=meter
        )
        return cls(
            client=client,
            signing_secret=settings.slack_signing_secret or "",
            admins=settings.slack_admins,
            meter=meter,
            **options,
        )

    def bind(self, handle: Handle) -> None:
        """Send inbound commands to ``handle`` (``TriviaService.handle``)."""
        self._handle = handle

    # -- EventSink -------------------------------------------------------------------------

    async def publish(self, event: Event) -> None:
        """Never blocks: replies being captured are kept, everything else is queued."""
        match event:
            case GameStarted(channel=channel):
                self._active.add(channel)
            case GameEnded(channel=channel):
                self._active.discard(channel)
        if not self.replies.intercept(event):
            self.outbox.send(event)

    # -- transports --------------------------------------------------------------------------

    def web_app(self, path: str = "/slack/events") -> web.Application:
        """The Events API endpoint at ``path`` (signed requests only); the runner adds
        ``/healthz`` and ``/metrics``."""
        return self.bolt.web_app(path=path)

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

    async def close(self) -> None:
        """Let in-flight commands finish (briefly), then flush the outbox. Idempotent."""
        await self.replies.close()
        await self.outbox.close()
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
        app.command(COMMAND)(self._on_command)
        app.event("message")(self._on_message)
        app.event("app_home_opened")(self._on_home_opened)
        app.action(re.compile(PICK_ACTION_PATTERN))(self._on_pick)
        app.action(REPORT_ACTION)(self._on_report_click)
        for callback in FORM_CALLBACKS:
            app.view(callback)(self._on_form)

    async def _tag_logs(
        self,
        body: dict[str, Any],
        next_: Callable[[], Awaitable[None]],
    ) -> None:
        """Log lines of the rest of a request, and of the listener tasks it starts, name
        its place.  Each request runs in a task of its own (aiohttp's per request,
        the Socket Mode client's per message), and bolt runs middleware one after
        another rather than nested, so the tag is set for the rest of the task."""
        tag_task(PLATFORM, team_of(body), channel_of(body))
        await next_()

    async def _once_per_event(
        self,
        body: dict[str, Any],
        request: AsyncBoltRequest,
        next_: Callable[[], Awaitable[None]],
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not self._events.first_time(event_id):
            retry = request.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("slack: event %s delivered again (retry %s): already handled", event_id, retry)
            return BoltResponse(status=200, body="")
        await next_()
        return None

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        team, user = team_of(command), str(command.get("user_id", ""))
        channel = channel_key(team, str(command.get("channel_id", "")))
        text = str(command.get("text", ""))
        acked = False
        try:
            provisional = payload_actor(team, user, command.get("user_name"))
            parsed = parse_trivia(text, channel=channel, actor=provisional)
            match parsed:
                case Usage():
                    acked = True
                    await ack(text=usage_text(parsed))
                    return
                case ShowHelp():
                    shown = help_message()
                    acked = True
                    await ack(text=shown.text, blocks=shown.blocks_json())
                    return
                case ExplainImport():
                    acked = True
                    await ack(text=IMPORT_HOWTO)
                    return
            acked = True
            await ack()
            if url := command.get("response_url"):
                self.outbox.remember_response_url(channel, user, str(url))
            trigger = str(command.get("trigger_id", ""))
            match parsed:
                case OpenAddQuestion():
                    await self.forms.open_add(trigger, channel)
                case OpenSettings():
                    await self.forms.open_settings(trigger, channel, provisional)
                case OpenEditQuestion(question_id=question_id):
                    await self.forms.open_edit(trigger, channel, provisional, question_id)
                case _:
                    actor = await self.directory.actor(team, user, provisional.name)
                    await self._run(with_actor(parsed, actor))
        except Exception:
            self.meter.error()
            log.exception(
                "slack: %s %r from %s in %s (%s) failed", COMMAND, text, user, channel.channel, team
            )
        finally:
            if not acked:
                await ack()

    async def _on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        try:
            share = file_share(event)
            if share is not None:
                await self.uploads.shared(team_of(body), share)
                return
            typed = typed_answer(event)
            if typed is None:
                return
            team = team_of(body)
            channel = channel_key(team, typed.channel_id)
            # Chat in a channel without a game is just chat: no lookups, no locks.
            if channel not in self._active:
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

    async def _on_pick(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = body.get("user") or {}
        channel_id = channel_of(body)
        try:
            team = team_of(body)
            actor = await self.directory.actor(team, str(user.get("id")), user.get("name"))
            command = pick_choice(action, channel=channel_key(team, str(channel_id)), actor=actor)
            if command is not None:
                await self._run(command)
        except Exception:
            self.meter.error()
            log.exception(
                "slack: click %s (%s) by %s in %s failed",
                action.get("action_id"),
                action.get("value"),
                user.get("id"),
                channel_id,
            )

    async def _on_home_opened(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event.get("user", ""))
        try:
            team = team_of(body)
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
            await self.client.views_publish(user_id=user, view=home_view(stats=stats, rows=rows))
        except Exception:
            self.meter.error()
            log.exception("slack: App Home for %s (event %s) failed", user, body.get("event_id"))

    async def _on_form(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        await self.forms.submit(ack, body, view)

    async def _on_report_click(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        """The Report button on a reveal: open the report form for that question."""
        await ack()
        channel_id = channel_of(body)
        try:
            question_id = report_target(action)
            if question_id is None or not channel_id:
                return
            channel = channel_key(team_of(body), str(channel_id))
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

    async def _run(self, command: Command) -> None:
        if self._handle is None:
            log.warning("slack: %s arrived before the service was bound", type(command).__name__)
            return
        await self._handle(command)

    async def _ask(
        self, command: Command, *, within: float, deliver_late: bool = True
    ) -> tuple[list[Event], bool]:
        return await self.replies.ask(self._run, command, within=within, deliver_late=deliver_late)

    async def _users_info(self, user_id: str) -> Mapping[str, Any] | None:
        try:
            response = await self.client.users_info(user=user_id)
        except (SlackClientError, aiohttp.ClientError, OSError) as exc:
            self.meter.error()
            log.warning("slack: users.info for %s failed: %r", user_id, exc)
            return None
        user = response.get("user")
        return user if isinstance(user, dict) else None
