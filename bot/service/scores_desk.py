"""What players read: leaderboards, stats and the categories they can play.

Reads only; the store answers from maintained totals (microseconds), never a
scan of every answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from bot.domain.commands import ListCategories, ShowLeaderboard, ShowStats
from bot.domain.daily import Season, SeasonError
from bot.domain.events import CategoriesShown, LeaderboardShown, Refusal, StatsShown
from bot.domain.records import Period
from bot.ports import Clock, EventSink, QuestionBank, ScoreStore
from bot.service.daily_desk import DailyDesk
from bot.service.settings_desk import ServerPolicy, refuse


class ScoresDesk:
    """Answers ``ShowLeaderboard``, ``ShowStats`` and ``ListCategories``; with a
    ``daily`` desk, the daily questions' boards and streaks too (a server's
    seasons are as long as its settings say)."""

    def __init__(
        self,
        *,
        bank: QuestionBank,
        store: ScoreStore,
        clock: Clock,
        sink: EventSink,
        policy: ServerPolicy,
        daily: DailyDesk | None = None,
    ) -> None:
        self._bank = bank
        self._policy = policy
        self._store = store
        self._clock = clock
        self._sink = sink
        self._daily = daily

    async def handle(self, command: ShowLeaderboard | ShowStats | ListCategories) -> None:
        match command:
            case ShowLeaderboard():
                await self._leaderboard(command)
            case ShowStats():
                await self._stats(command)
            case ListCategories():
                await self._categories(command)

    async def _leaderboard(self, command: ShowLeaderboard) -> None:
        if command.daily:
            if self._daily is None:
                message = "This bot has no daily questions to rank."
                await refuse(self._sink, command.channel, command.actor, Refusal.NOT_NOW, message)
                return
            settings = await self._policy.server_settings(command.channel.server_key)
            length = settings.season_length
            await self._daily.leaderboard(command, length)
            return
        if command.season is not None:
            await self._season_leaderboard(command, command.season)
            return
        rows = await self._store.leaderboard(
            command.channel.server_key, command.period, now=self._clock.now(), limit=command.limit
        )
        await self._sink.publish(
            LeaderboardShown(
                channel=command.channel,
                recipient=command.actor.key,
                period=command.period,
                rows=tuple(rows),
            )
        )

    async def _season_leaderboard(self, command: ShowLeaderboard, name: str) -> None:
        """A season's board, named as the player typed it (``Season.parse``)."""
        server = command.channel.server_key
        settings = await self._policy.server_settings(server)
        try:
            season = Season.parse(name, settings.season_length, now=self._clock.now())
        except SeasonError as exc:
            await refuse(self._sink, command.channel, command.actor, Refusal.BAD_OPTION, f"{exc}.")
            return
        rows = await self._store.season_leaderboard(server, season, limit=command.limit)
        await self._sink.publish(
            LeaderboardShown(
                channel=command.channel,
                recipient=command.actor.key,
                period=Period.ALL,
                rows=tuple(rows),
                season=season,
            )
        )

    async def _stats(self, command: ShowStats) -> None:
        player = command.player or command.actor.key
        stats = await self._store.player_stats(player)
        if stats is None:
            who = "You have" if player == command.actor.key else "That player has"
            await refuse(
                self._sink,
                command.channel,
                command.actor,
                Refusal.UNKNOWN_PLAYER,
                f"{who} not played here yet.",
            )
            return
        if self._daily is not None:
            streaks = await self._daily.streaks(player)
            stats = replace(stats, daily_streak=streaks.current, best_daily_streak=streaks.best)
        await self._sink.publish(
            StatsShown(channel=command.channel, recipient=command.actor.key, stats=stats)
        )

    async def _categories(self, command: ListCategories) -> None:
        questions = await self._bank.questions(command.channel.server_key)
        counts = Counter(q.category for q in questions)
        await self._sink.publish(
            CategoriesShown(
                channel=command.channel,
                recipient=command.actor.key,
                categories=tuple(sorted(counts.items())),
            )
        )
