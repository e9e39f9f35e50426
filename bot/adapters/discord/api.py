"""Discord's REST side, as the rest of the adapter sees it: logging in, and the
``MessageSender`` the outbox posts and edits through (the invite link is built
without discord.py, in ``invite``).

With ``adapter`` (the gateway client), ``interactions`` and the two command
modules, one of the modules of this folder that import discord.py; what they
build from its objects is decided by the pure ``inbound``, ``render`` and
``outbox`` beside them.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.adapter import PlatformRefused, PlatformUnreachable
from bot.adapters.common.budget import RequestBudget
from bot.adapters.common.rate_limits import through_rate_limits
from bot.adapters.discord import render
from bot.adapters.discord.message import ButtonStyle, Reply
from bot.adapters.discord.outbox import RouteGone
from bot.domain.model import ChannelKey
from bot.observability.metrics import PlatformMeter

log = logging.getLogger(__name__)

T = TypeVar("T")

_STYLES = {
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.SECONDARY: discord.ButtonStyle.secondary,
    ButtonStyle.SUCCESS: discord.ButtonStyle.success,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
}


class TokenRejected(PlatformRefused):
    """Discord refused the bot token."""


# -- connecting ------------------------------------------------------------------------------


@contextlib.contextmanager
def discord_endpoints(api_base: str | None, gateway_url: str | None) -> Iterator[None]:
    """Point discord.py's REST calls and gateway elsewhere (a proxy, a fake); restored on exit.

    Both are needed: a plain ``Client`` never asks ``/gateway/bot``, it connects
    straight to ``DiscordWebSocket.DEFAULT_GATEWAY``.
    """
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    if api_base:
        Route.BASE = api_base.rstrip("/")
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved


@dataclass(frozen=True, slots=True)
class ApplicationInfo:
    id: int
    name: str
    message_content: bool
    #: From GET /gateway/bot: the shard count Discord recommends, and how many shards
    #: may IDENTIFY at once (per 5 s).
    recommended_shards: int = 1
    max_concurrency: int = 1


def quiet_voice_warnings() -> None:
    """The bot never joins voice: no "PyNaCl is not installed" warning at every start."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


async def fetch_application(token: str) -> ApplicationInfo:
    """Log in over REST only: the application's id and whether the developer portal
    allows the Message Content intent (asking for it when it is off closes the
    gateway with 4014, so the bot asks first)."""
    quiet_voice_warnings()
    client = discord.Client(intents=discord.Intents.default())  # never connects
    try:
        await client.login(token)  # GET /users/@me, GET /oauth2/applications/@me
        shards, limits = await _gateway_limits(client)
    except discord.LoginFailure as exc:
        raise TokenRejected(str(exc)) from exc
    except (aiohttp.ClientError, OSError, TimeoutError, discord.DiscordServerError) as exc:
        raise PlatformUnreachable(
            f"Cannot reach Discord at {Route.BASE} ({exc}). The token was not checked: this "
            "is the network or Discord, not the configuration"
        ) from exc
    finally:
        await client.close()
    application = client.application
    if application is None:  # login always fills it in
        raise RuntimeError("logged in without application info")
    flags = client.application_flags
    allowed = flags.gateway_message_content or flags.gateway_message_content_limited
    return ApplicationInfo(
        id=application.id,
        name=application.name,
        message_content=allowed,
        recommended_shards=int(shards),
        max_concurrency=int(limits["max_concurrency"]),
    )


async def _gateway_limits(client: discord.Client) -> tuple[int, dict[str, Any]]:
    """Before any gateway connection: the shard count Discord recommends, and its
    session start limits (``max_concurrency``)."""
    try:
        shards, _url, limits = await client.http.get_bot_gateway()
    except (discord.GatewayNotFound, aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise PlatformUnreachable(
            f"Cannot ask Discord how to connect (GET /gateway/bot: {exc}); the gateway "
            "was not tried"
        ) from exc
    return int(shards), dict(limits)


# -- sending ----------------------------------------------------------------------------------


def _view(reply: Reply) -> discord.ui.View | None:
    if not reply.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for b in reply.buttons:
        view.add_item(
            discord.ui.Button(
                label=b.label,
                custom_id=b.custom_id,
                style=_STYLES[b.style],
                disabled=b.disabled,
                row=b.row,
            )
        )
    # Clicks are routed by custom_id in on_interaction; a stopped view is not kept in
    # discord.py's view store, so a long-running bot does not collect one per question.
    view.stop()
    return view


def _embed(spec: render.Embed) -> discord.Embed:
    out = discord.Embed(title=spec.title, description=spec.description or None, colour=spec.colour)
    for f in spec.fields:
        out.add_field(name=f.name, value=f.value, inline=f.inline)
    if spec.footer:
        out.set_footer(text=spec.footer)
    return out


def message_kwargs(reply: Reply, *, embeds: bool, edit: bool = False) -> dict[str, Any]:
    """Keyword arguments for sending ``reply``; for an edit, None clears what it lacks
    (a file is only ever added: edits of game messages carry none)."""
    shown = reply if embeds else reply.plain()
    kwargs: dict[str, Any] = {
        "content": shown.content or None,
        "embed": _embed(shown.embed) if shown.embed is not None else None,
        "view": _view(shown),
    }
    if shown.file is not None:
        file = discord.File(io.BytesIO(shown.file.data), filename=shown.file.filename)
        kwargs["attachments" if edit else "file"] = [file] if edit else file
    if edit:
        return kwargs
    kwargs["nonce"] = reply.nonce  # discord.py sends enforce_nonce with it
    return {key: value for key, value in kwargs.items() if value is not None}


class ChannelSender:
    """``MessageSender`` for the outbox: posts and edits in a channel.

    Every attempt spends from ``budget``, this process's share of Discord's global
    REST limit (``bot.adapters.common.budget``), when one is given.  Interaction
    responses do not pass here: Discord does not count them against that limit.
    """

    def __init__(
        self,
        client: discord.Client,
        meter: PlatformMeter,
        *,
        budget: RequestBudget | None = None,
    ) -> None:
        self._client = client
        self._meter = meter
        self.budget = budget

    async def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        """``call()`` through rate limits; each attempt waits for the budget first."""

        async def within_budget() -> T:
            if self.budget is not None:
                await self.budget.spend()
            return await call()

        return await _through_rate_limits(within_budget)

    def _embeds_allowed(self, channel_id: int) -> bool:
        channel = self._client.get_channel(channel_id)
        if isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            me = channel.guild.me
            return me is None or channel.permissions_for(me).embed_links
        return True

    def _target(self, channel: ChannelKey) -> discord.PartialMessageable:
        return self._client.get_partial_messageable(
            int(channel.channel), guild_id=int(channel.server)
        )

    async def post(self, channel: ChannelKey, reply: Reply) -> int | None:
        kwargs = message_kwargs(reply, embeds=self._embeds_allowed(int(channel.channel)))
        try:
            sent = await self._call(lambda: self._target(channel).send(**kwargs))
        except discord.HTTPException as exc:
            self._meter.error()
            log.warning("could not post in %s: %s %s", channel, exc.status, exc.text)
            return None
        return sent.id

    async def edit(self, channel: ChannelKey, message_id: int, reply: Reply) -> bool:
        kwargs = message_kwargs(reply, embeds=self._embeds_allowed(int(channel.channel)), edit=True)
        try:
            message = self._target(channel).get_partial_message(message_id)
            await self._call(lambda: message.edit(**kwargs))
        except discord.NotFound:
            return False
        except discord.Forbidden as exc:
            if exc.code == _NOT_AUTHOR:
                return False  # not ours to edit (a webhook's message): post it anew
            self._meter.error()
            log.warning("could not edit %s in %s: %s %s", message_id, channel, exc.status, exc.text)
        except discord.HTTPException as exc:
            self._meter.error()
            log.warning("could not edit %s in %s: %s %s", message_id, channel, exc.status, exc.text)
        return True


#: Discord's error codes: a message authored by someone else; a webhook that is gone, or
#: whose token is no longer valid (an interaction's, after its 15 minutes).
_NOT_AUTHOR = 50005
_WEBHOOK_GONE = (10015, 50027)


class WebhookSender:
    """``MessageSender`` through the webhook of an interaction (``interaction.followup``):
    follow-up messages and their edits, which Discord does not count against the bot's
    global limit.  Raises ``RouteGone`` once the webhook takes no more calls (its token's
    15 minutes are over), so that the outbox goes on with ``ChannelSender``."""

    def __init__(self, webhook: discord.Webhook, meter: PlatformMeter, *, embeds: bool) -> None:
        self._webhook = webhook
        self._meter = meter
        self._embeds = embeds

    def _gone(self, exc: discord.HTTPException) -> bool:
        return exc.status == 401 or exc.code in _WEBHOOK_GONE

    async def post(self, channel: ChannelKey, reply: Reply) -> int | None:
        kwargs = message_kwargs(reply, embeds=self._embeds)
        # Webhooks take no nonce; a game posting through one is never posted again by
        # another process (a resumed game posts through its channel).
        kwargs.pop("nonce", None)
        try:
            sent = await _through_rate_limits(lambda: self._webhook.send(wait=True, **kwargs))
        except discord.HTTPException as exc:
            if self._gone(exc):
                raise RouteGone(f"{exc.status} {exc.text}") from exc
            self._meter.error()
            log.warning("could not follow up in %s: %s %s", channel, exc.status, exc.text)
            return None
        return sent.id

    async def edit(self, channel: ChannelKey, message_id: int, reply: Reply) -> bool:
        kwargs = message_kwargs(reply, embeds=self._embeds, edit=True)
        try:
            await _through_rate_limits(lambda: self._webhook.edit_message(message_id, **kwargs))
        except discord.HTTPException as exc:
            if self._gone(exc):
                raise RouteGone(f"{exc.status} {exc.text}") from exc
            if isinstance(exc, discord.NotFound):
                return False
            self._meter.error()
            what = f"follow-up {message_id} in {channel}"
            log.warning("could not edit %s: %s %s", what, exc.status, exc.text)
        return True


def _rate_limited(exc: Exception) -> bool:
    return isinstance(exc, discord.HTTPException) and exc.status == 429


async def _through_rate_limits(call: Callable[[], Awaitable[T]]) -> T:
    return await through_rate_limits(call, rate_limited=_rate_limited, what="discord")
