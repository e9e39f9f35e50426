"""Trivia on Discord with discord.py 2.7: the client, its connection and its sends.

``TriviaClient`` is a ``discord.Client`` with one ``/trivia`` command group
(``discord_commands`` for players, ``discord_admin`` for admins; with this
module, the only ones that import ``discord``).  It reads what it needs from
discord.py's objects, builds commands with the pure functions of
``discord_inbound``, and hands them to the service; what the service publishes
comes back through ``DiscordOutbound`` (the ``EventSink``), either as this
interaction's response or through the channel's outbox, which calls
``_ChannelSender`` here.  No game rule is decided in these modules.

Discord facts this module is built around (GUIDE section 4):

* an interaction gets 3 s for its first response: a command that has not
  finished after ``defer_after`` seconds (a slow database) is deferred first;
* typed answers need the privileged Message Content intent; without it the
  bot plays choice mode with buttons, which need no privileged intent;
* option buttons carry ``trivia:pick:<game>:<question>:<option>`` and a
  reveal's Report button ``trivia:report:<question id>``; both are routed by
  that custom_id (no view objects kept in memory, and clicks on an old message
  still get an answer after a restart);
* mentions never ping (``AllowedMentions.none()``): players' names and guesses
  are echoed, and ``@everyone`` typed as a guess must stay text.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import discord  # noqa: TID251 - this is the Discord adapter
import yarl
from discord import app_commands  # noqa: TID251 - this is the Discord adapter
from discord.gateway import DiscordWebSocket  # noqa: TID251 - this is the Discord adapter
from discord.http import Route  # noqa: TID251 - this is the Discord adapter

from bot.adapters.discord import inbound, render
from bot.adapters.discord.admin_commands import on_form_or_button
from bot.adapters.discord.commands import TriviaCommands
from bot.adapters.discord.message import ButtonStyle, Reply
from bot.adapters.discord.outbox import (
    DiscordOutbound,
    Replies,
    ResponseMessage,
    collecting,
    response_messages,
)
from bot.bank.uploads import UploadParser
from bot.domain.commands import (
    AddQuestion,
    Command,
    EditQuestion,
    ImportQuestions,
    PickChoice,
)
from bot.domain.events import Event
from bot.domain.game import TriviaGame
from bot.domain.model import Actor, ChannelKey, ServerKey, ServerSettings
from bot.observability.logs import log_context, tag_task
from bot.observability.metrics import PlatformMeter

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Invite scopes: a bot user, and slash commands.
INVITE_SCOPES = ("bot", "applications.commands")
#: What the bot does in a channel, and nothing more (see docs/discord.md):
#: see it, post questions and results, and show them as embeds.
INVITE_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
_STYLES = {
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.SECONDARY: discord.ButtonStyle.secondary,
    ButtonStyle.SUCCESS: discord.ButtonStyle.success,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
}
_REMEMBERED_PLAYERS = 10_000


class TriviaPort(Protocol):
    """What the adapter needs of ``TriviaService``."""

    async def handle(self, command: Command) -> None: ...

    async def server_settings(self, server: ServerKey) -> ServerSettings: ...

    async def may_administer(self, actor: Actor, server: ServerKey) -> bool: ...

    def game(self, channel: ChannelKey) -> TriviaGame | None: ...


class TokenRejected(Exception):
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
    except discord.LoginFailure as exc:
        raise TokenRejected(str(exc)) from exc
    finally:
        await client.close()
    application = client.application
    if application is None:  # login always fills it in
        raise RuntimeError("logged in without application info")
    flags = client.application_flags
    allowed = flags.gateway_message_content or flags.gateway_message_content_limited
    return ApplicationInfo(id=application.id, name=application.name, message_content=allowed)


def invite_url(client_id: str | int) -> str:
    return discord.utils.oauth_url(client_id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES)


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


def _message(reply: Reply, *, embeds: bool, edit: bool = False) -> dict[str, Any]:
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
    return {key: value for key, value in kwargs.items() if value is not None}


class _ChannelSender:
    """``MessageSender`` for the outbox: posts and edits in a channel."""

    def __init__(self, client: discord.Client, meter: PlatformMeter) -> None:
        self._client = client
        self._meter = meter

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
        kwargs = _message(reply, embeds=self._embeds_allowed(int(channel.channel)))
        try:
            sent = await _through_rate_limits(lambda: self._target(channel).send(**kwargs))
        except discord.HTTPException as exc:
            self._meter.error()
            log.warning("could not post in %s: %s %s", channel, exc.status, exc.text)
            return None
        return sent.id

    async def edit(self, channel: ChannelKey, message_id: int, reply: Reply) -> bool:
        kwargs = _message(reply, embeds=self._embeds_allowed(int(channel.channel)), edit=True)
        try:
            message = self._target(channel).get_partial_message(message_id)
            await _through_rate_limits(lambda: message.edit(**kwargs))
        except discord.NotFound:
            return False
        except discord.HTTPException as exc:
            self._meter.error()
            log.warning("could not edit %s in %s: %s %s", message_id, channel, exc.status, exc.text)
        return True


#: discord.py gives up on a request after five 429s (each one waited out); a longer storm
#: would drop a question or its reveal, so the whole call is made again, this many times in all.
RATE_LIMIT_ROUNDS = 3


async def _through_rate_limits(call: Callable[[], Awaitable[T]]) -> T:
    """``call()``, made again (up to ``RATE_LIMIT_ROUNDS`` in all) while Discord keeps
    answering 429: discord.py has already slept each ``retry_after``, so this is patience,
    not a storm of our own."""
    for _ in range(RATE_LIMIT_ROUNDS - 1):
        try:
            return await call()
        except discord.HTTPException as exc:
            if exc.status != 429:
                raise
            log.warning("still rate limited after discord.py's retries; trying again")
    return await call()


# -- the client ---------------------------------------------------------------------------------


class TriviaClient(discord.Client):
    """The bot: slash commands, typed answers, button clicks and the add form."""

    def __init__(
        self,
        *,
        outbound: DiscordOutbound,
        typed_answers: bool,
        sync_guild: int | None = None,
        guild_ready_timeout: float = 2.0,
        defer_after: float = 1.5,
        meter: PlatformMeter | None = None,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = typed_answers
        quiet_voice_warnings()
        super().__init__(
            intents=intents,
            guild_ready_timeout=guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.typed_answers = typed_answers
        self.outbound = outbound
        self.tree = _Tree(self)
        self.tree.add_command(TriviaCommands(self))
        self._sync_guild = sync_guild
        self._defer_after = defer_after
        self._service: TriviaPort | None = None
        # user id -> (guild id, guild name) where they last used the bot: what DMs refer to.
        self._last_server: OrderedDict[int, tuple[int, str]] = OrderedDict()
        #: Uploaded banks are parsed in a worker process (GUIDE section 5).
        self.uploads = UploadParser()
        self.meter = meter or PlatformMeter()
        outbound.attach(_ChannelSender(self, self.meter))

    # -- lifecycle ----------------------------------------------------------------------------

    def attach(self, service: TriviaPort) -> None:
        self._service = service

    @property
    def service(self) -> TriviaPort:
        if self._service is None:
            raise RuntimeError("TriviaClient has no service attached")
        return self._service

    @property
    def connected(self) -> bool:
        """Ready and holding an open gateway connection (False while reconnecting)."""
        ws = self.ws
        return self.is_ready() and not self.is_closed() and ws is not None and ws.open

    async def setup_hook(self) -> None:
        """Sync the commands: to one guild at once (TRIVIA_DISCORD_GUILD), or globally."""
        if self._sync_guild is not None:
            guild = discord.Object(self._sync_guild)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), self._sync_guild)
        else:
            synced = await self.tree.sync()
            log.info(
                "synced %d commands globally (clients may take a while to show them)", len(synced)
            )

    async def on_ready(self) -> None:
        log.info(
            "connected to Discord as %s in %d servers; typed answers %s",
            self.user,
            len(self.guilds),
            "on" if self.typed_answers else "off (no Message Content intent: choice mode)",
        )

    async def close(self) -> None:
        self.uploads.close()
        await super().close()

    # -- typed answers ----------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        guild_id = message.guild.id if message.guild else None
        with log_context(inbound.PLATFORM, guild_id, message.channel.id):
            try:
                await self._on_message(message)
            except Exception:
                self.meter.error()
                log.exception(
                    "message %s in channel %s (guild %s) from %s failed",
                    message.id,
                    message.channel.id,
                    guild_id,
                    message.author.id,
                )

    async def _on_message(self, message: discord.Message) -> None:
        if self.user is None or message.author.bot or message.guild is None:
            return
        author = message.author
        member = author if isinstance(author, discord.Member) else None
        incoming = inbound.IncomingMessage(
            guild_id=message.guild.id,
            channel_id=message.channel.id,
            author_id=author.id,
            author_name=author.display_name,
            author_is_bot=author.bot,
            content=message.content,
            bot_user_id=self.user.id,
            manage_guild=member.guild_permissions.manage_guild if member else False,
            role_ids=tuple(r.id for r in member.roles) if member else (),
        )
        command = inbound.answer_from_message(incoming)
        if command is None or self.service.game(command.channel) is None:
            return  # chat in a channel with no game is just chat
        self._remember(author.id, message.guild)
        await self.service.handle(command)

    # -- clicks and forms ----------------------------------------------------------------------

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Option buttons, Report buttons and forms; slash commands go through the tree."""
        data: Any = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        with log_context(inbound.PLATFORM, interaction.guild_id, interaction.channel_id):
            try:
                pick = inbound.parse_pick(custom_id)
                if interaction.type is discord.InteractionType.component and pick is not None:
                    await self._pick(interaction, pick)
                else:
                    await on_form_or_button(self, interaction, custom_id, data)
            except Exception:
                await self.failed(interaction, custom_id)

    async def _pick(self, interaction: discord.Interaction, pick: inbound.PickRef) -> None:
        context = self.context(interaction)
        if context is None:
            return
        channel, actor = context
        game = self.service.game(channel)
        # A button of another game (an old message) names no open question: number 0
        # never does, so the game refuses it in its own words.
        number = pick.number if game is not None and game.game_id == pick.game_id else 0
        command = PickChoice(
            channel=channel, actor=actor, question_number=number, choice=pick.choice
        )
        await self.answer(interaction, [command], ack=None)

    async def failed(
        self, interaction: discord.Interaction, what: str, error: BaseException | None = None
    ) -> None:
        self.meter.error()
        log.error(
            "interaction %s (%s) in guild %s channel %s by %s failed",
            interaction.id,
            what,
            interaction.guild_id,
            interaction.channel_id,
            interaction.user.id,
            exc_info=error or True,
        )
        autocomplete = interaction.type is discord.InteractionType.autocomplete
        if not autocomplete and not interaction.response.is_done():
            with contextlib.suppress(discord.HTTPException):
                await interaction.response.send_message(
                    "Sorry, that went wrong on my side; it has been logged.", ephemeral=True
                )

    # -- running a command for an interaction --------------------------------------------------

    async def in_server(self, interaction: discord.Interaction) -> tuple[ChannelKey, Actor] | None:
        """``context``, or None after telling a user in a DM that games, questions and
        reports belong to a server."""
        context = self.context(interaction)
        if context is None:
            await interaction.response.send_message(render.DM_NO_GAMES, ephemeral=True)
        return context

    async def allowed(
        self,
        interaction: discord.Interaction,
        probe: AddQuestion | EditQuestion | ImportQuestions,
        *,
        deferred: bool | None = None,
    ) -> bool:
        """True for admins; otherwise the core refuses ``probe`` (in its words) and this
        says False.

        Asked before a form is opened or a file downloaded, so a non-admin is not made to
        fill one in first; the probe is never carried out (the core refuses a
        non-admin's command before it reads it).
        """
        if await self.service.may_administer(probe.actor, probe.channel.server_key):
            return True
        await self.answer(interaction, [probe], deferred=deferred)
        return False

    async def ask(self, command: Command) -> Replies:
        """Run ``command`` and return what it published for its sender, sending nothing
        (to fill a form or an autocomplete list with it)."""
        replies = Replies()
        with collecting(replies):
            await self.service.handle(command)
        return replies

    async def reply_with(self, interaction: discord.Interaction, replies: Replies) -> None:
        """Answer with replies ``ask`` collected."""
        await self._respond(interaction, response_messages(replies, ack="Done."), None)

    async def say(self, interaction: discord.Interaction, reply: Reply) -> None:
        """Answer with ``reply`` for the user alone (in place of an ephemeral defer)."""
        embeds = interaction.guild_id is None or interaction.app_permissions.embed_links
        if interaction.response.is_done():
            await interaction.edit_original_response(**_message(reply, embeds=embeds, edit=True))
        else:
            await interaction.response.send_message(
                **_message(reply, embeds=embeds), ephemeral=True
            )

    def context(self, interaction: discord.Interaction) -> tuple[ChannelKey, Actor] | None:
        """The channel and actor of an interaction in a server; None in DMs."""
        guild, channel_id, user = interaction.guild, interaction.channel_id, interaction.user
        if interaction.guild_id is None or channel_id is None:
            return None
        member = user if isinstance(user, discord.Member) else None
        actor = inbound.make_actor(
            interaction.guild_id,
            user.id,
            user.display_name,
            manage_guild=interaction.permissions.manage_guild,
            role_ids=[r.id for r in member.roles] if member else (),
        )
        if guild is not None:
            self._remember(user.id, guild)
        return inbound.channel_key(interaction.guild_id, channel_id), actor

    def _remember(self, user_id: int, guild: discord.Guild) -> None:
        self._last_server[user_id] = (guild.id, guild.name)
        self._last_server.move_to_end(user_id)
        while len(self._last_server) > _REMEMBERED_PLAYERS:
            self._last_server.popitem(last=False)

    def last_server(self, user_id: int) -> tuple[int, str] | None:
        return self._last_server.get(user_id)

    async def answer(
        self,
        interaction: discord.Interaction,
        commands: Sequence[Command],
        *,
        capture: tuple[type[Event], ...] = (),
        ack: str | None = "Done.",
        note: str = "",
        server_name: str | None = None,
        deferred: bool | None = None,
    ) -> Replies:
        """Run ``commands`` and answer the interaction with what they published.

        ``capture``: channel announcements this interaction shows itself (public);
        everything for the user alone is ephemeral; with nothing to show, ``ack``
        (None: a click is acknowledged silently).  ``deferred``: the caller already
        deferred the response (True: ephemerally).
        """
        replies = Replies(capture=capture)
        hold = self.outbound.hold(commands[0].channel) if capture else contextlib.nullcontext()
        with hold:
            deferred = await self._collect(
                interaction, commands, replies, ephemeral=not capture, deferred=deferred
            )
            messages = response_messages(replies, ack=ack, note=note, server_name=server_name)
            await self._respond(interaction, messages, deferred)
        return replies

    async def _collect(
        self,
        interaction: discord.Interaction,
        commands: Sequence[Command],
        replies: Replies,
        *,
        ephemeral: bool,
        deferred: bool | None,
    ) -> bool | None:
        """Run the commands, deferring the response if they take long; returns how the
        response was deferred (True: ephemeral, False: public, None: not deferred)."""

        async def handle_all() -> None:
            with collecting(replies):
                for command in commands:
                    await self.service.handle(command)

        task = asyncio.create_task(handle_all(), name=f"discord-interaction:{interaction.id}")
        done, _ = await asyncio.wait({task}, timeout=self._defer_after)
        if not done and not interaction.response.is_done():
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
            deferred = ephemeral
        await task
        return deferred

    async def _respond(
        self,
        interaction: discord.Interaction,
        messages: Sequence[ResponseMessage],
        deferred: bool | None,
    ) -> None:
        if not messages:
            if not interaction.response.is_done():
                await interaction.response.defer()  # a click: nothing to say
            elif deferred is not None:
                await interaction.delete_original_response()
            return
        embeds = interaction.guild_id is None or interaction.app_permissions.embed_links
        for index, message in enumerate(messages):
            reply, ephemeral = message.reply, message.ephemeral
            try:
                if index == 0:
                    await self._first_response(interaction, reply, ephemeral, deferred, embeds)
                else:
                    await interaction.followup.send(
                        **_message(reply, embeds=embeds), ephemeral=ephemeral
                    )
            except discord.HTTPException as exc:
                self.meter.error()
                log.warning(
                    "could not answer interaction %s: %s %s", interaction.id, exc.status, exc.text
                )
                if not ephemeral and message.event is not None:
                    self.outbound.enqueue(message.event)  # the channel still has to see it

    @staticmethod
    async def _first_response(
        interaction: discord.Interaction,
        reply: Reply,
        ephemeral: bool,
        deferred: bool | None,
        embeds: bool,
    ) -> None:
        kwargs = _message(reply, embeds=embeds)
        if not interaction.response.is_done():
            await interaction.response.send_message(**kwargs, ephemeral=ephemeral)
        elif deferred == ephemeral:
            await interaction.edit_original_response(**_message(reply, embeds=embeds, edit=True))
        else:
            # Deferred in public, but the answer is for the user alone (a refusal).
            await interaction.delete_original_response()
            await interaction.followup.send(**kwargs, ephemeral=ephemeral)


class _Tree(app_commands.CommandTree["TriviaClient"]):
    async def interaction_check(self, interaction: discord.Interaction[TriviaClient]) -> bool:
        """Tags the log lines of a slash command with its place. discord.py runs each
        interaction in a task of its own, so the tag lives and dies with it."""
        tag_task(inbound.PLATFORM, interaction.guild_id, interaction.channel_id)
        return True

    async def on_error(
        self, interaction: discord.Interaction[TriviaClient], error: app_commands.AppCommandError
    ) -> None:
        """A slash command or autocomplete that raised: logged with its ids, answered."""
        command = interaction.command.qualified_name if interaction.command else "?"
        await self.client.failed(interaction, command, error)
