"""Slack's Web API over slack-sdk, as the rest of the adapter sees it.

``SdkWeb`` implements the protocols the pure modules beside it call
(``outbox.SlackWeb``, ``forms.ViewsApi``, ``uploads.FileApi``); Slack's errors
become ``SlackCallError``.  Every HTTP 429 is counted as a rate-limit hit
(``PlatformMeter``) before the SDK waits out ``Retry-After`` and retries.
With ``adapter`` and ``oauth``, the only modules of this folder that import slack-sdk.

With the app installed in many workspaces, every call carries the token of the
workspace it acts in: ``Clients`` hands out one client per token (same API base,
retries and meter), and ``RequestWeb`` makes the calls a request leads to (its
forms, its shared files) with the token bolt authorized that request with.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Mapping
from contextvars import ContextVar
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.adapter import PlatformRefused, PlatformUnreachable
from bot.adapters.slack.message import SlackMessage
from bot.adapters.slack.outbox import SlackCallError
from bot.adapters.slack.uploads import DownloadError
from bot.observability.metrics import PlatformMeter

log = logging.getLogger(__name__)

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
    token: str | None,
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


#: ``auth.test`` errors that mean the token itself is no good (retrying will not help).
REFUSED = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)


async def check_token(token: str, *, base_url: str | None = None) -> None:
    """Return if Slack accepts the bot token (``auth.test``); raise ``PlatformRefused``
    when Slack refuses it, ``PlatformUnreachable`` when Slack cannot be asked (the
    network, an outage, a rate limit: worth trying again later)."""
    client = build_client(token, base_url=base_url, retries=1)
    try:
        await client.auth_test()
    except SlackApiError as exc:
        code = str(exc.response.get("error", "an error"))
        status = exc.response.status_code
        if code in REFUSED or status in (401, 403):
            raise PlatformRefused(f"Slack answered {code}") from exc
        raise PlatformUnreachable(f"Slack answered {code} (HTTP {status})") from exc
    except (SlackClientError, aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise PlatformUnreachable(str(exc) or type(exc).__name__) from exc


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
        # A new message for the user alone: never in place of the message they clicked.
        reply = await webhook.send(
            text=message.text,
            blocks=message.blocks_json() or None,
            response_type="ephemeral",
            replace_original=False,
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


# -- a token per workspace -----------------------------------------------------------------------


class Clients:
    """Web API clients on one API base with our retries, one per token (the newest
    ``limit`` kept: a rotated token's client is simply no longer asked for)."""

    def __init__(
        self, *, base_url: str | None = None, meter: PlatformMeter | None = None, limit: int = 1000
    ) -> None:
        self._base_url = base_url
        self._meter = meter
        self._limit = limit
        self._clients: OrderedDict[str, AsyncWebClient] = OrderedDict()

    def client(self, token: str) -> AsyncWebClient:
        found = self._clients.get(token)
        if found is None:
            found = self._clients[token] = build_client(
                token, base_url=self._base_url, meter=self._meter
            )
            while len(self._clients) > self._limit:
                self._clients.popitem(last=False)
        else:
            self._clients.move_to_end(token)
        return found


_REQUEST_CLIENT: ContextVar[AsyncWebClient | None] = ContextVar(
    "slack_request_client", default=None
)


def use_request_client(client: AsyncWebClient) -> None:
    """The rest of this task (a request being handled, and the tasks it starts) calls
    Slack with ``client``: bolt's per-request client, holding the token it authorized."""
    _REQUEST_CLIENT.set(client)


class RequestWeb:
    """``forms.ViewsApi`` and ``uploads.FileApi`` with the token of the request being
    handled (``use_request_client``); outside a request, ``fallback``'s."""

    def __init__(self, fallback: AsyncWebClient, meter: PlatformMeter | None = None) -> None:
        self._fallback = fallback
        self._meter = meter

    def _web(self) -> SdkWeb:
        return SdkWeb(_REQUEST_CLIENT.get() or self._fallback, self._meter)

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> str:
        return await self._web().open_view(trigger_id, view)

    async def update_view(self, view_id: str, view: dict[str, Any]) -> None:
        await self._web().update_view(view_id, view)

    async def file_info(self, file_id: str) -> Mapping[str, Any] | None:
        return await self._web().file_info(file_id)

    async def download(self, url: str, *, limit: int) -> bytes:
        return await self._web().download(url, limit=limit)
