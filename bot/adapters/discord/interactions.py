"""Answering Discord interactions (slash commands, clicks, forms) with what the
service publishes for them.

A command runs through the outbox's reply collector
(``bot.adapters.common.replies``): what it publishes for the user alone, and the
channel announcements the interaction shows itself, become the interaction's
response; everything else goes to the channel as usual.  Discord allows 3 s
for the first response: a command still running after ``defer_after`` seconds
(a slow database) is deferred first and answered when it is done.  A deferred
response is always followed up: after ``busy_after`` seconds with why it is
slow, then with the answer, or, before the interaction's 15 minutes run out,
with "try again in a moment"; and with an apology if the command fails.

The command modules (``commands``, ``admin_commands``) and the client
(``adapter``) answer through one ``Interactions``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import replace

import discord

from bot.adapters.common.replies import Collecting
from bot.adapters.discord import inbound, render
from bot.adapters.discord.api import WebhookSender, message_kwargs
from bot.adapters.discord.coordination import ServerMemory
from bot.adapters.discord.message import Reply
from bot.adapters.discord.outbox import (
    DiscordOutbound,
    Replies,
    ResponseMessage,
    response_messages,
    wants_for_interaction,
)
from bot.bank.uploads import UploadParser
from bot.domain.commands import AddQuestion, Command, EditQuestion, ImportQuestions
from bot.domain.events import Event, GameStarted, ScoresDelayed
from bot.domain.model import Actor, ChannelKey
from bot.observability.metrics import PlatformMeter
from bot.ports import TriviaPort

log = logging.getLogger(__name__)


WENT_WRONG = "Sorry, that went wrong on my side; it has been logged."
STILL_WORKING = "⏳ Still working on it: the scores are busy right now. The answer will show here."
TRY_AGAIN = "The scores are still busy; try again in a moment."


class Interactions:
    """Runs the commands of interactions and answers them (module docstring)."""

    def __init__(
        self,
        *,
        outbound: DiscordOutbound,
        typed_answers: bool,
        meter: PlatformMeter,
        defer_after: float = 1.5,
        busy_after: float = 10.0,
        give_up_after: float = 14 * 60.0,
    ) -> None:
        self.outbound = outbound
        self._busy_after = busy_after
        self._give_up_after = give_up_after
        self.typed_answers = typed_answers
        self.meter = meter
        self._defer_after = defer_after
        self._service: TriviaPort | None = None
        # user id -> (guild id, guild name) where they last used the bot: what DMs refer to.
        #: Where each player last played: what their DMs refer to.
        self.servers = ServerMemory()
        #: Uploaded banks are parsed in a worker process (GUIDE section 5).
        self.uploads = UploadParser()

    def bind(self, service: TriviaPort) -> None:
        self._service = service

    @property
    def service(self) -> TriviaPort:
        if self._service is None:
            raise RuntimeError("the Discord adapter has no service bound")
        return self._service

    def close(self) -> None:
        self.uploads.close()

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
        if interaction.type is discord.InteractionType.autocomplete:
            return
        with contextlib.suppress(discord.HTTPException):
            if not interaction.response.is_done():
                await interaction.response.send_message(WENT_WRONG, ephemeral=True)
            else:
                # Deferred ("thinking..."): a deferred response must always be followed up.
                await interaction.edit_original_response(content=WENT_WRONG, embed=None, view=None)

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
        collecting = self.outbound.replies.start(
            self.service.handle, [command], wants=wants_for_interaction(())
        )
        return Replies.of(await collecting.finish())

    async def reply_with(self, interaction: discord.Interaction, replies: Replies) -> None:
        """Answer with replies ``ask`` collected."""
        await self._respond(interaction, response_messages(replies, ack="Done."), None)

    async def say(self, interaction: discord.Interaction, reply: Reply) -> None:
        """Answer with ``reply`` for the user alone (in place of an ephemeral defer)."""
        embeds = interaction.guild_id is None or interaction.app_permissions.embed_links
        if interaction.response.is_done():
            await interaction.edit_original_response(
                **message_kwargs(reply, embeds=embeds, edit=True)
            )
        else:
            await interaction.response.send_message(
                **message_kwargs(reply, embeds=embeds), ephemeral=True
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
            self.remember(user.id, guild)
        return inbound.channel_key(interaction.guild_id, channel_id), actor

    def remember(self, user_id: int, guild: discord.Guild) -> None:
        self.servers.remember(user_id, guild.id, guild.name)

    async def last_server(self, user_id: int) -> tuple[int, str] | None:
        return await self.servers.last_server(user_id)

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
        hold: bool | None = None,
        only_for_asker: bool = False,
    ) -> Replies:
        """Run ``commands`` and answer the interaction with what they published.

        ``capture``: channel announcements this interaction shows itself (public);
        everything for the user alone is ephemeral; with nothing to show, ``ack``
        (None: a click is acknowledged silently).  ``deferred``: the caller already
        deferred the response (True: ephemerally).  ``hold``: keep the channel's lane
        waiting until the response is out (default: when capturing), so that what the
        command caused in the channel shows below it.  A game this interaction started
        posts through its webhook from then on (``DiscordOutbound.follow_up_through``).
        ``only_for_asker``: what is captured is shown to the user alone (ephemeral).
        """
        if hold is None:
            hold = bool(capture)
        lane = self.outbound.hold(commands[0].channel) if hold else contextlib.nullcontext()
        with lane:
            collecting = self.outbound.replies.start(
                # A stall the command ran into is news for the channel it was run in.
                self.service.handle,
                commands,
                wants=wants_for_interaction((*capture, ScoresDelayed)),
            )
            if not await collecting.within(self._defer_after):
                if not interaction.response.is_done():
                    # A slow database: Discord allows 3 s for the first response.
                    await interaction.response.defer(ephemeral=not capture, thinking=True)
                    deferred = not capture
                if not await self._wait_deferred(interaction, collecting):
                    return Replies()
            replies = Replies.of(collecting.events)
            self._follow_up(interaction, replies)
            messages = response_messages(replies, ack=ack, note=note, server_name=server_name)
            if only_for_asker:
                messages = [replace(message, ephemeral=True) for message in messages]
            await self._respond(interaction, messages, deferred)
        return replies

    def _follow_up(self, interaction: discord.Interaction, replies: Replies) -> None:
        """A game this interaction started speaks through its webhook (not billed)."""
        for event in replies.public:
            if isinstance(event, GameStarted):
                embeds = interaction.guild_id is None or interaction.app_permissions.embed_links
                sender = WebhookSender(interaction.followup, self.meter, embeds=embeds)
                self.outbound.follow_up_through(event.channel, event.game_id, sender)

    async def _wait_deferred(
        self, interaction: discord.Interaction, collecting: Collecting
    ) -> bool:
        """Wait for a deferred command: Discord's token takes follow-ups for 15 minutes,
        and "thinking..." must never be the last word.  After ``busy_after`` seconds the
        user hears why it is slow; past ``give_up_after`` the command's replies go out
        as usual and the user is told to try again (False: answered that way)."""
        if await collecting.within(self._busy_after):
            return True
        with contextlib.suppress(discord.HTTPException):
            await interaction.edit_original_response(content=STILL_WORKING)
        if await collecting.within(self._give_up_after - self._busy_after):
            return True
        collecting.let_go(deliver=True)
        log.warning("interaction %s: gave up waiting for %s", interaction.id, collecting.what)
        with contextlib.suppress(discord.HTTPException):
            await interaction.edit_original_response(content=TRY_AGAIN)
        return False

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
                        **message_kwargs(reply, embeds=embeds), ephemeral=ephemeral
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
        kwargs = message_kwargs(reply, embeds=embeds)
        if not interaction.response.is_done():
            await interaction.response.send_message(**kwargs, ephemeral=ephemeral)
        elif deferred == ephemeral:
            await interaction.edit_original_response(
                **message_kwargs(reply, embeds=embeds, edit=True)
            )
        else:
            # Deferred in public, but the answer is for the user alone (a refusal).
            await interaction.delete_original_response()
            await interaction.followup.send(**kwargs, ephemeral=ephemeral)
