"""Trivia on Discord with discord.py 2.7: the gateway client.

``TriviaClient`` is a ``discord.AutoShardedClient`` with one ``/trivia`` command group
(``commands`` for players, ``admin_commands`` for admins).  It reads what it
needs from discord.py's objects, builds commands with the pure functions of
``inbound``, and hands them to the service; what the service publishes comes
back through ``DiscordOutbound`` (the ``EventSink``), either as an
interaction's response (``interactions``) or through the channel's lane, which
posts with ``api.ChannelSender``.  No game rule is decided in this folder.

Discord facts this module is built around (GUIDE section 4):

* typed answers need the privileged Message Content intent; without it the
  bot plays choice mode with buttons, which need no privileged intent;
* option buttons carry ``trivia:pick:<game>:<question>:<option>``, a
  reveal's Report button ``trivia:report:<question id>`` and a daily question's
  buttons and form its round (``trivia:daily...:<round>``); all are routed by
  that custom_id (no view objects kept in memory, and clicks on an old message
  still get an answer after a restart);
* mentions never ping (``AllowedMentions.none()``): players' names and guesses
  are echoed, and ``@everyone`` typed as a guess must stay text;
* a guild's events come through its shard's connection, ``(guild_id >> 22) %
  shard_count``, DMs through shard 0's (``shards``).  A process runs the shards
  it is given (``TRIVIA_DISCORD_SHARDS`` of ``TRIVIA_DISCORD_SHARD_COUNT``), or
  all of those Discord recommends; each shard's IDENTIFY waits for its turn
  (``identify_turn``), and its state is reported by ``shard_states``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

import aiohttp
import discord
from discord import app_commands

from bot.adapters.adapter import PlatformUnreachable
from bot.adapters.common.budget import RequestBudget
from bot.adapters.discord import ids, inbound
from bot.adapters.discord.api import ChannelSender, message_kwargs, quiet_voice_warnings
from bot.adapters.discord.commands import TriviaCommands
from bot.adapters.discord.coordination import Coordination
from bot.adapters.discord.forms import on_daily, on_form_or_button
from bot.adapters.discord.interactions import Interactions
from bot.adapters.discord.outbox import DiscordOutbound
from bot.adapters.discord.shards import (
    IDENTIFY_WINDOW,
    IdentifyPacer,
    IdentifyTurn,
    Link,
    ShardBoard,
    check_shards,
    shard_of,
)
from bot.clock import SystemClock
from bot.config import shard_ranges
from bot.domain.commands import PickChoice
from bot.domain.events import Event
from bot.domain.model import ServerKey
from bot.observability.health import Health
from bot.observability.logs import log_context, tag_task
from bot.observability.metrics import Metrics, PlatformMeter
from bot.observability.shards import ShardState
from bot.ports import Clock, TriviaPort

log = logging.getLogger(__name__)


class TriviaClient(discord.AutoShardedClient):
    """The bot: slash commands, typed answers, button clicks and the forms, on the
    shards ``shard_ids`` of ``shard_count`` (None: all of those Discord recommends)."""

    def __init__(
        self,
        *,
        outbound: DiscordOutbound,
        typed_answers: bool,
        sync_guild: int | None = None,
        guild_ready_timeout: float = 2.0,
        defer_after: float = 1.5,
        meter: PlatformMeter | None = None,
        shard_count: int | None = None,
        shard_ids: Sequence[int] | None = None,
        identify_turn: IdentifyTurn | None = None,
        identify_window: float = IDENTIFY_WINDOW,
        rest_budget: RequestBudget | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``identify_turn``: awaited with a shard's id before it IDENTIFYs (default: an
        ``IdentifyPacer`` with Discord's ``max_concurrency`` and ``identify_window``);
        ``rest_budget``: what channel posts and edits spend (None: no limit of ours)."""
        check_shards(shard_count, shard_ids)
        intents = discord.Intents.default()
        intents.message_content = typed_answers
        quiet_voice_warnings()
        super().__init__(
            intents=intents,
            guild_ready_timeout=guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions.none(),
            shard_count=shard_count,
            # discord.py's own default is None ("all"), though its stubs say list[int].
            shard_ids=list(shard_ids) if shard_ids is not None else cast("list[int]", None),
        )
        self._identify_turn = identify_turn
        self._identify_window = identify_window
        #: What the bot's other processes share with this one (None: a lone process).
        self.coordination: Coordination | None = None
        self._clock = clock or SystemClock()
        #: From ``GET /gateway/bot``, once the shards are launched.
        self.max_concurrency: int | None = None
        self._board = ShardBoard()
        #: Inside ``launch_shards``: discord.py retries a shard that cannot connect every
        #: 5 s, forever, closed or not; the adapter cancels such a start when it closes.
        self.launching = False
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
        self.tree.add_command(TriviaCommands(self.interactions, monotonic=self._clock.monotonic))
        self._sync_guild = sync_guild
        self.sender = ChannelSender(self, self.meter, budget=rest_budget)
        outbound.attach(self.sender)

    # -- lifecycle ----------------------------------------------------------------------------

    def bind(self, service: TriviaPort) -> None:
        """Send what players do to ``service`` (``TriviaService``)."""
        self.interactions.bind(service)

    @property
    def service(self) -> TriviaPort:
        return self.interactions.service

    @property
    def connected(self) -> bool:
        """Ready, with every shard of this process connected (False while one reconnects)."""
        states = self.shard_states()
        return (
            self.is_ready()
            and not self.is_closed()
            and bool(states)
            and all(s.connected for s in states)
        )

    # -- shards -------------------------------------------------------------------------------

    @property
    def running_shards(self) -> tuple[int, ...]:
        """The shard ids this process runs; () while the count is not known yet (it comes
        from Discord when not configured)."""
        if self.shard_ids is not None:
            return tuple(self.shard_ids)
        return tuple(range(self.shard_count)) if self.shard_count is not None else ()

    def shard_for(self, guild_id: int | None) -> int:
        """The shard whose connection carries ``guild_id``'s events (None: a DM, shard 0)."""
        if guild_id is None:
            return 0
        if self.shard_count is None:
            raise RuntimeError("the shard count is not known before the client connects")
        return shard_of(guild_id, self.shard_count)

    def shard_states(self) -> list[ShardState]:
        """Each shard of this process as it stands now (health and metrics read this)."""
        links = {i: Link(not s.is_closed(), s.latency) for i, s in self.shards.items()}
        return self._board.states(self.running_shards, links, closed=self.is_closed())

    async def launch_shards(self) -> None:
        """Ask Discord for ``max_concurrency`` (and the shard count, unless configured),
        then launch.  Unlike discord.py's own, the shards connect to the configured
        gateway (``DISCORD_GATEWAY_URL``, a proxy) rather than the URL Discord returns."""
        if not self.is_closed():
            try:
                count, _url, limits = await self.http.get_bot_gateway()
            except (discord.GatewayNotFound, aiohttp.ClientError, OSError, TimeoutError) as exc:
                raise PlatformUnreachable(
                    f"Cannot ask Discord how to connect (GET /gateway/bot: {exc}); the gateway "
                    "was not tried"
                ) from exc
            self.max_concurrency = int(limits["max_concurrency"])
            # discord.py annotates shard_count as int; it is None until known.
            if cast("int | None", self.shard_count) is None:
                self.shard_count = count
            if self._identify_turn is None:
                self._identify_turn = IdentifyPacer(
                    self.max_concurrency, clock=self._clock, window=self._identify_window
                )
            log.info(
                "running shards %s of %d (Discord recommends %d; %d IDENTIFY at a time)",
                shard_ranges(self.running_shards),
                self.shard_count,
                count,
                self.max_concurrency,
            )
        self.launching = True
        try:
            await super().launch_shards()
        finally:
            self.launching = False

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait for the shard's turn (``identify_turn``) before it IDENTIFYs."""
        turn = self._identify_turn
        if turn is None:  # launch_shards sets one; keep discord.py's pacing otherwise
            await super().before_identify_hook(shard_id, initial=initial)
            return
        with log_context(ids.PLATFORM, shard=shard_id or 0):
            await turn(shard_id or 0)
            log.debug("shard %s: identifying", shard_id or 0)

    async def on_shard_ready(self, shard_id: int) -> None:
        self._board.ready(shard_id)
        with log_context(ids.PLATFORM, shard=shard_id):
            guilds = sum(1 for g in self.guilds if g.shard_id == shard_id)
            log.info("shard %d of %s ready with %d servers", shard_id, self.shard_count, guilds)

    async def on_shard_resumed(self, shard_id: int) -> None:
        self._board.resumed(shard_id)
        with log_context(ids.PLATFORM, shard=shard_id):
            log.info("shard %d resumed", shard_id)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        if self._board.disconnected(shard_id):
            with log_context(ids.PLATFORM, shard=shard_id):
                log.info("shard %d disconnected; discord.py reconnects it", shard_id)

    async def setup_hook(self) -> None:
        """Sync the commands: to one guild at once (TRIVIA_DISCORD_GUILD), or globally;
        with other processes, only when the tree changed since one of them last did."""
        guild = discord.Object(self._sync_guild) if self._sync_guild is not None else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        scope = f"guild:{guild.id}" if guild is not None else "global"
        shared = self.coordination
        if shared is not None and not await shared.commands_changed(scope, self._tree_digest()):
            log.info("commands unchanged since they were last synced (%s); not syncing", scope)
            return
        try:
            synced = await self.tree.sync(guild=guild)
        except BaseException:
            if shared is not None:
                await shared.commands_not_synced(scope)
            raise
        if guild is not None:
            log.info("synced %d commands to guild %s", len(synced), guild.id)
        else:
            log.info(
                "synced %d commands globally (clients may take a while to show them)", len(synced)
            )

    def _tree_digest(self) -> str:
        """A hash of the command tree as Discord would receive it."""
        guild = discord.Object(self._sync_guild) if self._sync_guild is not None else None
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def coordinate(self, coordination: Coordination) -> None:
        """Share with the bot's other processes (before ``start``): IDENTIFY turns, the
        command sync, and where players last played."""
        self.coordination = coordination
        self.interactions.servers.share_through(coordination)

        async def turn(shard_id: int) -> None:
            await coordination.identify_turn(shard_id, self.max_concurrency or 1)

        self._identify_turn = turn

    async def on_ready(self) -> None:
        log.info(
            "connected to Discord as %s in %d servers on shards %s of %s; typed answers %s",
            self.user,
            len(self.guilds),
            shard_ranges(self.running_shards),
            self.shard_count,
            "on" if self.typed_answers else "off (no Message Content intent: choice mode)",
        )

    async def close(self) -> None:
        self.interactions.close()
        if getattr(self, "_AutoShardedClient__queue", None) is None:
            # Never logged in: discord.py's sharded close feeds a queue made at login
            # (AttributeError without it); a plain client's close has nothing more to do.
            await discord.Client.close(self)
            return
        await super().close()

    # -- typed answers ----------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        guild_id = message.guild.id if message.guild else None
        shard = self.shard_for(guild_id)
        self.meter.received(shard)
        with log_context(ids.PLATFORM, guild_id, message.channel.id, shard=shard):
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
        """Option buttons, Report buttons, the daily question's buttons and forms; slash
        commands go through the tree."""
        data: Any = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        shard = self.shard_for(interaction.guild_id)
        self.meter.received(shard)
        with log_context(ids.PLATFORM, interaction.guild_id, interaction.channel_id, shard=shard):
            try:
                pick = ids.parse_pick(custom_id)
                hints = ids.parse_hints(custom_id)
                if interaction.type is discord.InteractionType.component and pick is not None:
                    await self._pick(interaction, pick)
                elif interaction.type is discord.InteractionType.component and hints is not None:
                    await self._show_hints(interaction, *hints)
                elif not await on_daily(self.interactions, interaction, custom_id, data):
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

    async def _show_hints(
        self, interaction: discord.Interaction, game_id: str, number: int
    ) -> None:
        """A click on "Hints": the message is updated in place with the hints given so far,
        for everyone, by the click's own response (not billed); else a word to the clicker."""
        context = self.interactions.context(interaction)
        if context is None:
            return
        channel = context[0]
        with self.outbound.hold(channel):  # the lane must not reveal it meanwhile
            shown = self.outbound.shown_hints(channel, game_id, number)
            if isinstance(shown, str):
                await interaction.response.send_message(shown, ephemeral=True)
                return
            embeds = interaction.app_permissions.embed_links
            await interaction.response.edit_message(
                **message_kwargs(shown, embeds=embeds, edit=True)
            )


class _Tree(app_commands.CommandTree["TriviaClient"]):
    async def interaction_check(self, interaction: discord.Interaction[TriviaClient]) -> bool:
        """Tags the log lines of a slash command with its place. discord.py runs each
        interaction in a task of its own, so the tag lives and dies with it."""
        shard = self.client.shard_for(interaction.guild_id)
        tag_task(ids.PLATFORM, interaction.guild_id, interaction.channel_id, shard=shard)
        return True

    async def on_error(
        self, interaction: discord.Interaction[TriviaClient], error: app_commands.AppCommandError
    ) -> None:
        """A slash command or autocomplete that raised: logged with its ids, answered."""
        command = interaction.command.qualified_name if interaction.command else "?"
        await self.client.interactions.failed(interaction, command, error)


#: Added to the budget's one-second window: calls that start a second apart may reach
#: Discord less than a second apart (latency varies), and a budget of exactly the
#: platform's limit then collides with it (global 429s seen in
#: scripts/bench_discord_budget.py with games started together).
BUDGET_SLACK = 0.1


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
        shard_count: int | None = None,
        shard_ids: Sequence[int] | None = None,
        identify_turn: IdentifyTurn | None = None,
        identify_window: float = IDENTIFY_WINDOW,
        rest_share: int | None = None,
        clock: Clock | None = None,
    ) -> None:
        """Shards ``shard_ids`` of ``shard_count`` (None: all Discord recommends);
        ``rest_share``: REST requests per second this process's channel posts and edits
        may spend (None: no limit of ours); the rest as ``TriviaClient``'s."""
        clock = clock or SystemClock()
        budget = (
            RequestBudget(rest_share, clock=clock, window=1.0 + BUDGET_SLACK)
            if rest_share is not None
            else None
        )
        self.outbound = DiscordOutbound(clock=clock)
        self.client = TriviaClient(
            outbound=self.outbound,
            typed_answers=typed_answers,
            sync_guild=sync_guild,
            guild_ready_timeout=guild_ready_timeout,
            meter=meter,
            shard_count=shard_count,
            shard_ids=shard_ids,
            identify_turn=identify_turn,
            identify_window=identify_window,
            rest_budget=budget,
            clock=clock,
        )
        self._token = token
        self._task: asyncio.Task[None] | None = None
        self._lost_shards: set[int] = set()
        self._all_lost = asyncio.Event()

    # -- shards (leases, recovery and health ask these) ----------------------------------------

    @property
    def shard_count(self) -> int | None:
        """How many shards the bot runs in all; None until known (from Discord, when not
        configured: it is known once ``connect`` has launched the shards)."""
        return self.client.shard_count

    @property
    def shard_ids(self) -> tuple[int, ...]:
        """The shards this process runs (() while the count is not known yet)."""
        return self.client.running_shards

    def shard_of(self, guild_id: int) -> int:
        """The shard of ``guild_id``; RuntimeError while the count is not known."""
        return self.client.shard_for(guild_id)

    def shard_states(self) -> list[ShardState]:
        return self.client.shard_states()

    @property
    def task(self) -> asyncio.Task[None]:
        """The task running the gateway connection (once connected)."""
        if self._task is None:
            raise RuntimeError("the Discord adapter is not connected")
        return self._task

    async def publish(self, event: Event) -> None:
        await self.outbound.publish(event)

    def coordinate(self, coordination: Coordination) -> None:
        """Run as one of the bot's processes (``coordination``), before ``connect``: act
        only for the servers of shards it holds, take IDENTIFY turns and sync the
        commands with the others, share where players last played."""
        self.client.coordinate(coordination)
        self.outbound.posting_only(lambda channel: self.owns(channel.server_key))

    def owns(self, server: ServerKey) -> bool:
        shared = self.client.coordination
        if shared is None or not server.server.isdigit():
            return True
        return shared.owns(int(server.server))

    async def let_go_of_shard(self, shard_id: int) -> None:
        """Another process owns ``shard_id`` now: close its gateway connection (its events
        are that process's to handle).  With no shard left, ``run`` ends (exit 1), and
        the supervisor starts the process again."""
        self._lost_shards.add(shard_id)
        shard = self.client.get_shard(shard_id)
        if shard is not None:
            await shard.disconnect()
        with log_context(ids.PLATFORM, shard=shard_id):
            log.warning("shard %d now belongs to another process; disconnected it", shard_id)
        if set(self.shard_ids) <= self._lost_shards:
            self._all_lost.set()

    def bind(self, service: TriviaPort) -> None:
        self.client.bind(service)
        self.outbound.noting_questions(service.note_question_message)
        self.outbound.noting_daily(service.note_daily_message)

    @contextlib.asynccontextmanager
    async def connect(self, health: Health, metrics: Metrics | None) -> AsyncIterator[None]:
        """Log in and open the gateway; inside once the bot is ready.  Leaving it takes
        no more commands in (the service refuses them once its games have ended).
        ``health`` and ``metrics`` report each shard from then on."""
        health.watch_shards(self.client.shard_states)
        if metrics is not None:
            metrics.watch_shards(self.platform, self.client.shard_states)
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
        """Until the gateway gives up for good (a refused intent, a revoked token, ...),
        or every shard of this process went to another one."""
        lost = asyncio.create_task(self._all_lost.wait(), name="discord-shards-lost")
        try:
            await asyncio.wait({self.task, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
        if self._all_lost.is_set():
            log.error("every shard of this process went to another process; stopping")
            return 1
        await self.task  # raises what stopped it
        log.error("the Discord connection closed; stopping")
        return 1

    async def connected(self) -> bool:
        return self.client.connected

    async def close(self, *, within: float | None = None) -> None:
        await self.outbound.close(within=within)
        await self.client.close()
        if self._task is not None and self.client.launching:
            self._task.cancel()  # still launching shards: it would retry them for ever
        if self._task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._task
