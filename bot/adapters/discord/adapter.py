"""Trivia on Discord with discord.py 2.7: the gateway client.

``TriviaClient`` is a ``discord.Client`` with one ``/trivia`` command group
(``commands`` for players, ``admin_commands`` for admins).  It reads what it
needs from discord.py's objects, builds commands with the pure functions of
``inbound``, and hands them to the service; what the service publishes comes
back through ``DiscordOutbound`` (the ``EventSink``), either as an
interaction's response (``interactions``) or through the channel's lane, which
posts with ``api.ChannelSender``.  No game rule is decided in this folder.

Discord facts this module is built around (GUIDE section 4):

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
import logging
from collections.abc import AsyncIterator
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord import ids, inbound
from bot.adapters.discord.api import ChannelSender, quiet_voice_warnings
from bot.adapters.discord.commands import TriviaCommands
from bot.adapters.discord.forms import on_form_or_button
from bot.adapters.discord.interactions import Interactions
from bot.adapters.discord.outbox import DiscordOutbound
from bot.domain.commands import PickChoice
from bot.domain.events import Event
from bot.domain.model import ServerKey
from bot.observability.health import Health
from bot.observability.logs import log_context, tag_task
from bot.observability.metrics import Metrics, PlatformMeter
from bot.ports import TriviaPort

log = logging.getLogger(__name__)


class TriviaClient(discord.Client):
    """The bot: slash commands, typed answers, button clicks and the forms."""

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
        self.meter = meter or PlatformMeter()
        self.interactions = Interactions(
            outbound=outbound,
            typed_answers=typed_answers,
            meter=self.meter,
            defer_after=defer_after,
        )
        self.tree = _Tree(self)
        self.tree.add_command(TriviaCommands(self.interactions))
        self._sync_guild = sync_guild
        outbound.attach(ChannelSender(self, self.meter))

    # -- lifecycle ----------------------------------------------------------------------------

    def bind(self, service: TriviaPort) -> None:
        """Send what players do to ``service`` (``TriviaService``)."""
        self.interactions.bind(service)

    @property
    def service(self) -> TriviaPort:
        return self.interactions.service

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
        self.interactions.close()
        await super().close()

    # -- typed answers ----------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        guild_id = message.guild.id if message.guild else None
        with log_context(ids.PLATFORM, guild_id, message.channel.id):
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
        if command is None or self.service.game_in(command.channel) is None:
            return  # chat in a channel with no game is just chat
        self.interactions.remember(author.id, message.guild)
        await self.service.handle(command)

    # -- clicks and forms ----------------------------------------------------------------------

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Option buttons, Report buttons and forms; slash commands go through the tree."""
        data: Any = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        with log_context(ids.PLATFORM, interaction.guild_id, interaction.channel_id):
            try:
                pick = ids.parse_pick(custom_id)
                if interaction.type is discord.InteractionType.component and pick is not None:
                    await self._pick(interaction, pick)
                else:
                    await on_form_or_button(self.interactions, interaction, custom_id, data)
            except Exception:
                await self.interactions.failed(interaction, custom_id)

    async def _pick(self, interaction: discord.Interaction, pick: ids.PickRef) -> None:
        context = self.interactions.context(interaction)
        if context is None:
            return
        channel, actor = context
        game = self.service.game_in(channel)
        # A button of another game (an old message) names no open question: number 0
        # never does, so the game refuses it in its own words.
        number = pick.number if game is not None and game.game_id == pick.game_id else 0
        command = PickChoice(
            channel=channel, actor=actor, question_number=number, choice=pick.choice
        )
        await self.interactions.answer(interaction, [command], ack=None)


class _Tree(app_commands.CommandTree["TriviaClient"]):
    async def interaction_check(self, interaction: discord.Interaction[TriviaClient]) -> bool:
        """Tags the log lines of a slash command with its place. discord.py runs each
        interaction in a task of its own, so the tag lives and dies with it."""
        tag_task(ids.PLATFORM, interaction.guild_id, interaction.channel_id)
        return True

    async def on_error(
        self, interaction: discord.Interaction[TriviaClient], error: app_commands.AppCommandError
    ) -> None:
        """A slash command or autocomplete that raised: logged with its ids, answered."""
        command = interaction.command.qualified_name if interaction.command else "?"
        await self.client.interactions.failed(interaction, command, error)


class DiscordAdapter:
    """The Discord bot as the process lifecycle drives it (``bot.adapters.adapter``):
    the outbox is the service's sink, the client carries commands in.

    Closing sends what the games' ends queued before the client disconnects:
    REST calls need the client's HTTP session.
    """

    platform = ids.PLATFORM
    observability_port = None
    resumes_games = True

    def __init__(
        self,
        *,
        token: str,
        typed_answers: bool,
        sync_guild: int | None = None,
        guild_ready_timeout: float = 2.0,
        meter: PlatformMeter | None = None,
    ) -> None:
        self.outbound = DiscordOutbound()
        self.client = TriviaClient(
            outbound=self.outbound,
            typed_answers=typed_answers,
            sync_guild=sync_guild,
            guild_ready_timeout=guild_ready_timeout,
            meter=meter,
        )
        self._token = token
        self._task: asyncio.Task[None] | None = None

    @property
    def task(self) -> asyncio.Task[None]:
        """The task running the gateway connection (once connected)."""
        if self._task is None:
            raise RuntimeError("the Discord adapter is not connected")
        return self._task

    async def publish(self, event: Event) -> None:
        await self.outbound.publish(event)

    def owns(self, server: ServerKey) -> bool:
        return True

    def bind(self, service: TriviaPort) -> None:
        self.client.bind(service)
        self.outbound.noting_questions(service.note_question_message)

    @contextlib.asynccontextmanager
    async def connect(self, health: Health, metrics: Metrics | None) -> AsyncIterator[None]:
        """Log in and open the gateway; inside once the bot is ready.  Leaving it takes
        no more commands in (the service refuses them once its games have ended)."""
        self._task = asyncio.create_task(self.client.start(self._token), name="discord-client")
        ready = asyncio.create_task(self.client.wait_until_ready(), name="discord-ready")
        try:
            await asyncio.wait({self._task, ready}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
        if self._task.done():
            self._task.result()  # raises what stopped the client
            raise RuntimeError("the Discord client stopped before it was ready")
        yield

    async def run(self) -> int:
        """Until the gateway gives up for good (a refused intent, a revoked token, ...)."""
        await self.task  # raises what stopped it
        log.error("the Discord connection closed; stopping")
        return 1

    async def connected(self) -> bool:
        return self.client.connected

    async def close(self, *, within: float | None = None) -> None:
        await self.outbound.close(within=within)
        await self.client.close()
        if self._task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._task
