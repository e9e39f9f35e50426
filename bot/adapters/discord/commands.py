"""The players' ``/trivia`` subcommands on Discord, and the group that holds them all.

Each subcommand reads its options, builds one command with the pure functions
of ``inbound`` and lets ``Interactions.answer`` run it and reply. The
admins' subcommands are in ``admin_commands``; ``TriviaCommands`` inherits them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import discord
from discord import app_commands

from bot.adapters.discord import inbound, inbound_scheduled, render
from bot.adapters.discord.admin_commands import MAX_AUTOCOMPLETE, AdminCommands, ScheduleCommands
from bot.adapters.discord.inbound import LIMITS, Mode
from bot.adapters.discord.interactions import Interactions
from bot.adapters.discord.message import clip
from bot.domain.commands import (
    ListCategories,
    RequestHint,
    ShowLeaderboard,
    ShowScore,
    ShowStats,
    SkipQuestion,
    StopGame,
)
from bot.domain.daily import MAX_DAILY_ANSWER
from bot.domain.events import CategoriesShown, GameEnded, GameStarted, ScoreShown
from bot.domain.model import Actor, ChannelKey

# -- the /trivia commands ---------------------------------------------------------------------

#: Seconds during which the standings shown in a channel are not shown there again: a
#: repeated ``/trivia score`` is answered for the asker alone.
SCORE_SHOWN_FOR = 15.0
_KEPT_CHANNELS = 10_000

_PERIODS = [
    app_commands.Choice(name="all time", value="all"),
    app_commands.Choice(name="this week", value="week"),
    app_commands.Choice(name="today", value="today"),
]


class TriviaCommands(AdminCommands, app_commands.Group):
    """``/trivia ...``: each subcommand reads its options and runs one command.

    Discord allows a group 25 subcommands and subgroups; this one has 25, the last of
    them the ``schedule`` group (the admins' come from ``AdminCommands`` and are named at
    the end of this class body): a new one must go into a group.
    """

    def __init__(
        self, bot: Interactions, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(name="trivia", description="Play trivia in this channel")
        self.answers = bot
        self._monotonic = monotonic
        #: When each channel last saw the standings in public (``score``).
        self._scores_shown: dict[ChannelKey, float] = {}
        self.add_command(ScheduleCommands(bot))

    @app_commands.command(name="start", description="Start a trivia game in this channel")
    @app_commands.describe(
        category="Only questions of this category",
        rounds="How many questions",
        mode="text: type answers, first right answer scores; choice: click an option",
        seconds="Seconds per question",
    )
    async def start(
        self,
        interaction: discord.Interaction,
        category: str | None = None,
        rounds: app_commands.Range[int, LIMITS.min_rounds, LIMITS.max_rounds] | None = None,
        mode: Mode | None = None,
        seconds: app_commands.Range[float, LIMITS.min_seconds, LIMITS.max_seconds] | None = None,
    ) -> None:
        if (context := await self.answers.in_server(interaction)) is None:
            return
        perms = interaction.app_permissions
        can_post = (
            perms.send_messages_in_threads
            if isinstance(interaction.channel, discord.Thread)
            else perms.send_messages
        )
        if not (perms.view_channel and can_post):
            await interaction.response.send_message(
                "I can't post in this channel: give me View Channel and Send Messages here.",
                ephemeral=True,
            )
            return
        command, forced = inbound.start_command(
            *context,
            category=category,
            rounds=rounds,
            mode=mode,
            seconds=seconds,
            typed_answers=self.answers.typed_answers,
        )
        note = render.TYPED_ANSWERS_OFF if forced else ""
        await self.answers.answer(interaction, [command], capture=(GameStarted,), note=note)

    @start.autocomplete("category")
    async def _category_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        replies = await self._asked(interaction, ListCategories)
        wanted = current.casefold().strip()
        return [
            app_commands.Choice(name=clip(f"{name} ({count})", 100), value=name[:100])
            for shown in replies
            if isinstance(shown, CategoriesShown)
            for name, count in shown.categories
            if wanted in name.casefold()
        ][:MAX_AUTOCOMPLETE]

    @app_commands.command(name="stop", description="End the game (scores are kept)")
    async def stop(self, interaction: discord.Interaction) -> None:
        if (context := await self.answers.in_server(interaction)) is not None:
            await self.answers.answer(interaction, [StopGame(*context)], capture=(GameEnded,))

    @app_commands.command(name="skip", description="Reveal this question and go on")
    async def skip(self, interaction: discord.Interaction) -> None:
        if (context := await self.answers.in_server(interaction)) is not None:
            await self.answers.answer(interaction, [SkipQuestion(*context)], ack="Skipped.")

    @app_commands.command(name="hint", description="Show the next hint (costs points)")
    async def hint(self, interaction: discord.Interaction) -> None:
        if (context := await self.answers.in_server(interaction)) is not None:
            await self.answers.answer(
                interaction, [RequestHint(*context)], ack="The hint is on the question."
            )

    @app_commands.command(name="score", description="Standings of the running game")
    async def score(self, interaction: discord.Interaction) -> None:
        """The standings, in public at most once per ``SCORE_SHOWN_FOR`` seconds a channel
        (asked again meanwhile: for the asker alone), and never holding the channel's
        lane: a game's own messages do not wait for it."""
        if (context := await self.answers.in_server(interaction)) is None:
            return
        channel = context[0]
        now = self._monotonic()
        public = now - self._scores_shown.get(channel, -SCORE_SHOWN_FOR) >= SCORE_SHOWN_FOR
        if public:
            self._scores_shown[channel] = now
            while len(self._scores_shown) > _KEPT_CHANNELS:
                del self._scores_shown[next(iter(self._scores_shown))]
        await self.answers.answer(
            interaction,
            [ShowScore(*context)],
            capture=(ScoreShown,),
            hold=False,
            only_for_asker=not public,
        )

    @app_commands.command(name="leaderboard", description="This server's best players")
    @app_commands.choices(period=_PERIODS)
    @app_commands.describe(
        period="All time, this week or today",
        season="A season instead: current, previous, or a name like 2026-11 or 2026-Q4",
        daily="Only the daily questions' points",
    )
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        period: str = "all",
        season: app_commands.Range[str, 1, 20] | None = None,
        daily: bool = False,
    ) -> None:
        where = await self._scores_context(interaction)
        if where is not None:
            channel, actor, server_name = where
            command = ShowLeaderboard(
                channel,
                actor,
                period=inbound.period_of(period),
                season=season.strip() if season else None,
                daily=daily,
            )
            await self.answers.answer(interaction, [command], server_name=server_name)

    @app_commands.command(name="answer", description="Answer the daily question (only you see it)")
    @app_commands.describe(text="Your answer (for a choice question, the option's text)")
    async def answer(
        self, interaction: discord.Interaction, text: app_commands.Range[str, 1, MAX_DAILY_ANSWER]
    ) -> None:
        if (context := await self.answers.in_server(interaction)) is not None:
            command = inbound_scheduled.answer_command(*context, text)
            await self.answers.answer(interaction, [command])

    @app_commands.command(name="stats", description="Your trivia stats, or a member's")
    @app_commands.describe(member="Whose stats (default: yours)")
    async def stats(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        where = await self._scores_context(interaction)
        if where is not None:
            channel, actor, server_name = where
            player = inbound.player_key(int(channel.server), member.id) if member else None
            command = ShowStats(channel, actor, player=player)
            await self.answers.answer(interaction, [command], server_name=server_name)

    async def _scores_context(
        self, interaction: discord.Interaction
    ) -> tuple[ChannelKey, Actor, str | None] | None:
        """Scores and questions are per server. In a DM they are those of the server where
        the user last used the bot (since it started); without one, the user is told how."""
        context = self.answers.context(interaction)
        if context is not None:
            return (*context, None)
        user = interaction.user
        known = await self.answers.last_server(user.id)
        if known is None or interaction.channel_id is None:
            await interaction.response.send_message(render.DM_NO_SERVER, ephemeral=True)
            return None
        guild_id, guild_name = known
        actor = inbound.make_actor(guild_id, user.id, user.display_name, manage_guild=False)
        return inbound.channel_key(guild_id, interaction.channel_id), actor, guild_name

    @app_commands.command(name="categories", description="The categories you can play")
    async def categories(self, interaction: discord.Interaction) -> None:
        where = await self._scores_context(interaction)
        if where is not None:
            channel, actor, server_name = where
            command = ListCategories(channel, actor)
            await self.answers.answer(interaction, [command], server_name=server_name)

    @app_commands.command(name="help", description="How to play")
    async def help(self, interaction: discord.Interaction) -> None:
        await self.answers.say(
            interaction, render.help_reply(typed_answers=self.answers.typed_answers)
        )

    # discord.py takes a group's subcommands from its own class body only.
    add = AdminCommands.add
    edit = AdminCommands.edit
    remove = AdminCommands.remove
    disable = AdminCommands.disable
    enable = AdminCommands.enable
    question = AdminCommands.question
    questions = AdminCommands.questions
    import_ = AdminCommands.import_
    export = AdminCommands.export
    report = AdminCommands.report
    reports = AdminCommands.reports
    dismiss = AdminCommands.dismiss
    bundled = AdminCommands.bundled
    settings = AdminCommands.settings
