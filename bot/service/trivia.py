"""The trivia service: commands in, events out, one game per channel.

It routes each command to its channel's game under that channel's
``asyncio.Lock`` (platform SDKs run every handler as its own task, so two
answers, or an answer and a stop, really do race), owns the question timers,
writes results through the ``ScoreStore`` and only then publishes the events
that announce them: a point that was announced is a point that is committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from bot.domain.commands import (
    AddSchedule,
    AnswerDaily,
    ChangeSettings,
    Command,
    ListCategories,
    ListSchedules,
    PickChoice,
    RemoveSchedule,
    RequestHint,
    ShowLeaderboard,
    ShowScore,
    ShowSettings,
    ShowStats,
    SkipQuestion,
    StartGame,
    StopGame,
    SubmitAnswer,
    SwitchSchedule,
)
from bot.domain.daily import DailyHome, SeasonLength
from bot.domain.events import (
    Event,
    GamePaused,
    GameSuspended,
    QuestionAsked,
    Refusal,
    ScoresDelayed,
)
from bot.domain.game import TriviaGame
from bot.domain.model import (
    Actor,
    ChannelKey,
    GameOptions,
    Instant,
    Limits,
    PlayerKey,
    Question,
    ServerKey,
    ServerSettings,
)
from bot.domain.records import GameInPlay, UnfinishedGame
from bot.domain.scoring import ScoringRules
from bot.domain.snapshot import GameSnapshot
from bot.observability.logs import channel_context
from bot.ports import (
    Clock,
    CommandObserver,
    DailyStore,
    EventSink,
    FencedOut,
    GameJournal,
    QuestionBank,
    QuestionEditor,
    ReportStore,
    ScheduleStore,
    ScoreStore,
    SettingsStore,
    StoreUnavailable,
)
from bot.service.carry_over import (
    SaveSequence,
    changes_state,
    is_chatter,
    resumable,
    resumed_event,
)
from bot.service.daily_desk import DailyDesk
from bot.service.draw import QuestionDraw
from bot.service.question_desk import QuestionDesk
from bot.service.recording import records_for
from bot.service.recovery import end_interrupted_games
from bot.service.schedule_desk import ScheduleDesk
from bot.service.scores_desk import ScoresDesk
from bot.service.settings_desk import AdminDesk, ServerPolicy, refuse
from bot.service.stalls import WriteStalls
from bot.service.timers import ChannelTimers

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
"""How soon a transition whose write failed is tried again."""
BUSY = "The scores are busy right now (the database is not answering); try again in a moment."
HELD = (
    "The scores are busy right now (the database is not answering): what you did is kept and "
    "shows here as soon as it is saved."
)


class TriviaService:
    """Runs trivia games in many channels at once."""

    def __init__(
        self,
        *,
        bank: QuestionBank,
        store: ScoreStore,
        clock: Clock,
        sink: EventSink,
        defaults: GameOptions | None = None,
        limits: Limits | None = None,
        rules: ScoringRules | None = None,
        rng: random.Random | None = None,
        editor: QuestionEditor | None = None,
        settings_store: SettingsStore | None = None,
        reports: ReportStore | None = None,
        journal: GameJournal | None = None,
        new_game_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        observer: CommandObserver | None = None,
        resume_within: float = 0.0,
        daily: DailyStore | None = None,
        schedules: ScheduleStore | None = None,
    ) -> None:
        """``resume_within`` > 0 (with a ``journal``): games are saved as they go,
        ``shutdown`` hands them over instead of ending them, and ``recover`` carries
        on those saved at most that many seconds before (``carry_over``).  ``daily``:
        where the daily question's rounds are kept (without it, ``AnswerDaily`` and
        the daily boards are refused).  Without ``schedules`` the admins' schedule
        commands are refused."""
        self._bank = bank
        self._draw_rng = rng or random.Random()
        self._draw = QuestionDraw(bank=bank, store=store, rng=self._draw_rng)
        self._observer = observer
        self._store = store
        self._clock = clock
        self._sink = sink
        self._defaults = defaults or GameOptions()
        self._limits = limits or Limits()
        self._rules = rules or ScoringRules()
        self._new_game_id = new_game_id
        self._journal = journal
        self._resume_within = resume_within if journal is not None else 0.0
        self._saves = SaveSequence()
        # The last question asked in each channel, even after its game ended:
        # what a player's report is about.
        self._last_asked: dict[ChannelKey, Question] = {}
        self._policy = ServerPolicy(
            defaults=self._defaults, limits=self._limits, store=settings_store
        )
        self._admin = AdminDesk(policy=self._policy, store=settings_store, clock=clock, sink=sink)
        # Without both (a bare service in tests) question commands are refused.
        self._questions = (
            QuestionDesk(
                policy=self._policy,
                editor=editor,
                reports=reports,
                clock=clock,
                sink=sink,
                last_question=self._last_asked.get,
            )
            if editor is not None and reports is not None
            else None
        )
        self._schedules = (
            ScheduleDesk(policy=self._policy, store=schedules, clock=clock, sink=sink)
            if schedules is not None
            else None
        )
        self._games: dict[ChannelKey, TriviaGame] = {}
        self._locks: dict[ChannelKey, asyncio.Lock] = {}
        self._timers = ChannelTimers(clock, self._wake)
        self._writes: set[asyncio.Task[None]] = set()
        self._backlog: dict[ChannelKey, list[Event]] = {}
        self._stalls = WriteStalls(clock)
        self._daily = (
            DailyDesk(
                bank=bank,
                scores=store,
                store=daily,
                clock=clock,
                sink=sink,
                rng=self._draw_rng,
                rules=self._rules,
            )
            if daily is not None
            else None
        )
        self._scores = ScoresDesk(
            bank=bank,
            store=store,
            clock=clock,
            sink=sink,
            policy=self._policy,
            daily=self._daily,
        )
        self._closed = False
        self._unrecorded = 0

    # -- public ---------------------------------------------------------------------

    @property
    def defaults(self) -> GameOptions:
        return self._defaults

    async def server_defaults(self, server: ServerKey) -> GameOptions:
        """The options ``server``'s new games get: the bot's defaults with its settings."""
        return self._policy.server_defaults(await self._policy.server_settings(server))

    @property
    def daily(self) -> DailyDesk | None:
        """The daily question's desk (None without a ``DailyStore``): what the firing
        loop opens rounds and reveals them with."""
        return self._daily

    @property
    def active_games(self) -> int:
        return len(self._games)

    @property
    def unrecorded_games(self) -> int:
        """How many games ``shutdown`` could not record (the next start ends them)."""
        return self._unrecorded

    def game_in(self, channel: ChannelKey) -> GameInPlay | None:
        game = self._games.get(channel)
        if game is None:
            return None
        return GameInPlay(
            game_id=game.game_id, mode=game.options.mode, question_number=game.question_number
        )

    async def handle(self, command: Command) -> None:
        """Carry out one command; refusals come back as ``Rejected`` events.

        Log lines written meanwhile (and by the tasks it starts) name the
        command's channel; the observer, if any, learns how long it took.
        """
        # Real time, not the injected clock: this measures the bot, not the game.
        started = time.perf_counter()
        try:
            with channel_context(command.channel):
                try:
                    await self._dispatch(command)
                except StoreUnavailable as exc:
                    log.warning("%s could not be carried out: %s", type(command).__name__, exc)
                    await refuse(self._sink, command.channel, command.actor, Refusal.NOT_NOW, BUSY)
        finally:
            if self._observer is not None:
                self._observer.handled(command, time.perf_counter() - started)

    async def _dispatch(self, command: Command) -> None:
        match command:
            case StartGame():
                await self._start(command)
            case SubmitAnswer(channel=channel, actor=actor, text=text):
                # Chat in a channel without a game is just chat: no refusal.
                await self._in_game(channel, None, lambda g, now: g.answer(actor, text, now))
            case PickChoice(channel=channel, actor=actor, choice=choice, question_number=number):
                await self._in_game(
                    channel, actor, lambda g, now: g.pick(actor, choice, now, number=number)
                )
            case RequestHint(channel=channel, actor=actor):
                await self._in_game(channel, actor, lambda g, now: g.hint(actor, now))
            case SkipQuestion(channel=channel):
                actor = await self._policy.effective(command.actor, channel.server_key)
                await self._in_game(channel, actor, lambda g, now: g.skip(actor, now))
            case StopGame(channel=channel):
                actor = await self._policy.effective(command.actor, channel.server_key)
                await self._in_game(channel, actor, lambda g, now: g.stop(actor, now))
            case ShowScore(channel=channel, actor=actor):
                await self._in_game(channel, actor, lambda g, now: [g.score(actor.key)])
            case ShowLeaderboard() | ShowStats() | ListCategories():
                await self._scores.handle(command)
            case ShowSettings() | ChangeSettings():
                await self._admin.handle(command)
            case AnswerDaily() if self._daily is not None:
                await self._daily.answer(command)
            case AddSchedule() | ListSchedules() | SwitchSchedule() | RemoveSchedule():
                if self._schedules is None:
                    message = "This bot has no place to keep schedules."
                    await refuse(
                        self._sink, command.channel, command.actor, Refusal.NOT_NOW, message
                    )
                    return
                await self._schedules.handle(command)
            case AnswerDaily():
                message = "This bot has no place to keep daily questions."
                await refuse(self._sink, command.channel, command.actor, Refusal.NOT_NOW, message)
            case _:  # the question commands (mypy checks that nothing else is left)
                if self._questions is None:
                    message = "This bot has no place to keep questions and reports."
                    await refuse(
                        self._sink, command.channel, command.actor, Refusal.NOT_NOW, message
                    )
                    return
                await self._questions.handle(command)

    async def recover(
        self, platform: str, *, owns: Callable[[ServerKey], bool] | None = None
    ) -> int:
        """Deal with ``platform``'s games that were running when the bot last stopped:
        those saved recently enough go on where they stood, the others end with their
        points (``carry_over``, ``recovery``).  Only games of servers ``owns`` accepts
        (this process's shards) are touched.

        Call it once the platform is connected, before taking commands.  Returns
        how many games it found.
        """
        if self._journal is None:
            return 0
        found = [
            item
            for item in await self._journal.unfinished_games(platform)
            if owns is None or owns(item.game.channel.server_key)
        ]
        stale = []
        for item in found:
            state = resumable(item, self._clock.now(), self._resume_within)
            if state is None or state.channel in self._games:
                stale.append(item)
            else:
                await self._resume(item, state)
        await end_interrupted_games(stale, store=self._store, sink=self._sink, clock=self._clock)
        return len(found)

    async def _resume(self, item: UnfinishedGame, state: GameSnapshot) -> None:
        channel = state.channel
        with channel_context(channel):
            async with self._lock(channel):
                now = self._now()
                game = TriviaGame.resume(state, now, rules=self._rules)
                self._games[channel] = game
                self._saves.resumed(game.game_id, item.state_seq)
                if game.current_question is not None:
                    self._last_asked[channel] = game.current_question
                log.info(
                    "game %s in %s goes on at question %d of %d",
                    game.game_id,
                    channel,
                    game.question_number,
                    game.total,
                )
                await self._sink.publish(resumed_event(state, item.question_message))
                # Deadlines that passed while no process ran it fall due now.
                await self._apply(game, game.tick(now))

    async def note_question_message(self, channel: ChannelKey, game_id: str, ref: str) -> None:
        """The adapter shows ``game_id``'s open question at ``ref`` (its own reference):
        kept with the game's state, so that whoever carries the game on edits it."""
        if self._resume_within > 0 and self._journal is not None:
            game = self._games.get(channel)
            if game is not None and game.game_id == game_id:
                write = self._journal.note_question_message(channel, game_id, ref)
                self._write_behind(write, game)

    async def note_daily_message(self, round_id: int, ref: str) -> None:
        """The adapter shows daily round ``round_id`` at ``ref``: its reveal edits it."""
        if self._daily is not None:
            await self._daily.note_message(round_id, ref)

    async def daily_home(self, player: PlayerKey) -> DailyHome | None:
        """What the player's home view shows of the daily question now (the rounds
        open in their server, their streaks, the season's daily board); None when
        this bot keeps no daily rounds."""
        if self._daily is None:
            return None
        length = await self._season_length(player.server_key)
        return await self._daily.player_home(player, self._clock.now(), season_length=length)

    async def _season_length(self, server: ServerKey) -> SeasonLength:
        return (await self._policy.server_settings(server)).season_length

    async def shutdown(self, *, within: float | None = None) -> int:
        """Hand every running game over (saved, "back in a moment": with
        ``resume_within``) or end it (recorded, announced), and stop all timers;
        returns how many games could be neither saved nor recorded.

        An end the store cannot take now (``StoreUnavailable``) is tried again every
        ``RETRY_SECONDS`` for at most ``within`` real seconds (None: until it is).  A
        game still unsaved then is announced ``GameSuspended``: it stays in the
        journal, and the next start deals with it (``recover``).  Idempotent;
        commands that arrive afterwards are refused.
        """
        if self._closed:
            return self._unrecorded
        self._closed = True
        self._timers.stop_new()  # ends are retried here, within the budget
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                # Together: a store that commits in groups takes them in one transaction.
                if self._resume_within > 0:
                    # A game that cannot be saved now (the database failing) could not
                    # be recorded either: it is suspended, and the next start sees it.
                    await asyncio.gather(*(self._hand_over(ch) for ch in list(self._games)))
                else:
                    await asyncio.gather(*(self._end(ch) for ch in list(self._games)))
                    await self._record_what_is_left()
                # Writes behind must reach the store before it closes.
                await asyncio.gather(*self._writes, return_exceptions=True)
        await self._timers.stop()
        return await self._suspend_what_is_left()

    async def _hand_over(self, channel: ChannelKey) -> None:
        """Save ``channel``'s game where it stands, for the next process to carry on."""
        assert self._journal is not None  # resume_within > 0 only with a journal
        with channel_context(channel):
            async with self._lock(channel):
                game = self._games.get(channel)
                if game is None:
                    return
                if channel in self._backlog:
                    await self._apply(game, [])  # what is not saved yet goes first
                    if channel in self._backlog:
                        return
                seq = self._saves.next(game.game_id)
                try:
                    await self._journal.save_game_state(game.snapshot(self._now()), seq)
                except Exception as exc:
                    log.warning("game %s could not be saved to go on later: %s", game.game_id, exc)
                    return
                del self._games[channel]
                self._saves.forget(game.game_id)
                log.info("game %s in %s saved; it goes on after the restart", game.game_id, channel)
                await self._sink.publish(GamePaused(channel=channel, game_id=game.game_id))

    async def _end(self, channel: ChannelKey) -> bool:
        """End ``channel``'s game if one runs there; whether one did."""
        with channel_context(channel):
            async with self._lock(channel):
                game = self._games.get(channel)
                if game is None:
                    return False
                await self._apply(game, game.shutdown(self._now()))
                return True

    async def _record_what_is_left(self) -> None:
        while self._backlog:
            await self._clock.sleep_until(self._clock.monotonic() + RETRY_SECONDS)
            for channel in list(self._backlog):
                async with self._lock(channel):
                    game = self._games.get(channel)
                    if game is not None:
                        await self._apply(game, [])

    async def _suspend_what_is_left(self) -> int:
        # A game leaves ``_games`` once its end is recorded: those left were not.
        for channel, game in list(self._games.items()):
            del self._games[channel]
            self._backlog.pop(channel, None)
            log.warning(
                "game %s in %s could not be recorded before stopping; the next start ends it",
                game.game_id,
                channel,
            )
            self._unrecorded += 1
            await self._sink.publish(GameSuspended(channel=channel, game_id=game.game_id))
        return self._unrecorded

    # -- commands -----------------------------------------------------------------------

    async def _start(self, command: StartGame) -> None:
        refusal = await self._begin(command)
        if refusal is not None:
            reason, message = refusal
            await refuse(self._sink, command.channel, command.actor, reason, message)

    async def start_scheduled(self, command: StartGame) -> str | None:
        """Start a game the bot starts by itself (a scheduled quiz; ``command.actor`` is
        the schedule, not a player): the same path as a player's ``StartGame``, but a
        refusal comes back in words (None: it started) instead of going to a player who
        does not exist."""
        with channel_context(command.channel):
            refusal = await self._begin(command)
        return None if refusal is None else refusal[1]

    async def _begin(self, command: StartGame) -> tuple[Refusal, str] | None:
        """Start ``command``'s game; why not, if it did not."""
        channel, actor = command.channel, command.actor
        async with self._lock(channel):
            if self._closed:
                return Refusal.NOT_NOW, "The bot is shutting down."
            if channel in self._games:
                return (
                    Refusal.GAME_RUNNING,
                    "A game is already running in this channel; stop it first.",
                )
            settings = await self._policy.server_settings(channel.server_key)
            if not settings.may_start(actor):
                return Refusal.NOT_ALLOWED, self._policy.who_may_start(settings)
            options, problem = self._options_for(command, settings)
            if problem:
                return Refusal.BAD_OPTION, problem
            questions, problem = await self._draw.questions(channel.server_key, options)
            if problem:
                return Refusal.NO_QUESTIONS, problem
            game = TriviaGame(
                self._new_game_id(),
                channel,
                options=options,
                questions=questions,
                started_by=actor,
                rules=self._rules,
            )
            self._games[channel] = game
            log.info(
                "game %s started in %s by %s: %d questions, %s mode",
                game.game_id,
                channel,
                actor.key,
                game.total,
                options.mode,
            )
            await self._apply(game, game.start(self._now()))
            return None

    def _options_for(
        self, command: StartGame, settings: ServerSettings
    ) -> tuple[GameOptions, str | None]:
        defaults = self._policy.server_defaults(settings)
        options = replace(
            defaults,
            rounds=command.rounds if command.rounds is not None else defaults.rounds,
            seconds=command.seconds if command.seconds is not None else defaults.seconds,
            mode=command.mode or defaults.mode,
            category=command.category or defaults.category,
            tags=command.tags or defaults.tags,
            difficulty=command.difficulty or defaults.difficulty,
            solo=command.solo,
        )
        return options, self._policy.check_limits(options.rounds, options.seconds)

    async def server_settings(self, server: ServerKey) -> ServerSettings:
        """A server's own settings (for adapters that show them in a form)."""
        return await self._policy.server_settings(server)

    def server_changed(self, server: ServerKey | None) -> None:
        """Another process changed ``server``'s settings (None: maybe any server's):
        forget what was read of them."""
        self._policy.forget(server)

    async def may_administer(self, actor: Actor, server: ServerKey) -> bool:
        """Whether ``actor`` counts as an admin of ``server``: for adapters that
        must decide before a command exists (whether to open an admin form)."""
        return (await self._policy.effective(actor, server)).is_admin

    async def _in_game(
        self,
        channel: ChannelKey,
        actor: Actor | None,
        step: Callable[[TriviaGame, Instant], Sequence[Event]],
    ) -> None:
        async with self._lock(channel):
            game = self._games.get(channel)
            if game is None:
                if actor is not None:
                    await refuse(
                        self._sink,
                        channel,
                        actor,
                        Refusal.NO_GAME,
                        "No game is running in this channel. Start one with `start`.",
                    )
                return
            stalled = channel in self._backlog
            events = step(game, self._now())
            if not events:
                pass  # chat that changed nothing
            elif stalled or channel in self._stalls or not is_chatter(events):
                await self._apply(game, events)
            else:
                # Most chat is a wrong guess: nothing to record, to save or to time
                # (the deadline only moves with an event that is not chatter), so no
                # write plan and no timer check; and nothing waits to go before it.
                for event in events:
                    await self._sink.publish(event)
            if stalled and actor is not None and channel in self._backlog:
                # What the command did waits with the rest for the database (the
                # channel heard why when it started): its sender is told now rather
                # than left without an answer.
                await refuse(self._sink, channel, actor, Refusal.NOT_NOW, HELD)

    # -- applying a transition -------------------------------------------------------

    async def _apply(self, game: TriviaGame, events: Sequence[Event]) -> None:
        """Persist what ``events`` record, publish them, reschedule the timer.

        Runs with the channel's lock held.  Points and game results are
        committed before any event is published (a crash never loses what was
        announced); the asked-question history and misses, which announce
        nothing, are written behind.  The store keeps every write in order.

        If a write fails, the game has already moved on but nobody has been
        told: the events wait in the channel's backlog, a retry is scheduled,
        and the next attempt (the retry or the channel's next command) writes
        and publishes them first, in order.  When that starts a stall, the
        channel hears ``ScoresDelayed`` (``stalls`` keeps the log short).  A
        ``StoreUnavailable`` is waited out; any other error is a bug and is
        re-raised.
        """
        events = [*self._backlog.pop(game.channel, []), *events]
        now = self._now()
        at = now.wall
        records = records_for(game, events, at=at)
        if self._resume_within > 0 and records.game is None and changes_state(events):
            records.state = game.snapshot(now)
            records.state_seq = self._saves.next(game.game_id)
        try:
            await records.commit_announced(self._store, self._journal)
        except FencedOut as exc:
            # Another process owns this server now: it carries the game on.
            self._let_go(game, exc)
            return
        except Exception as exc:
            self._backlog[game.channel] = list(events)
            self._timers.set(game, self._clock.monotonic() + RETRY_SECONDS, retry=True)
            if self._stalls.failed(game.channel, game.game_id, exc):
                await self._sink.publish(ScoresDelayed(channel=game.channel, game_id=game.game_id))
            if isinstance(exc, StoreUnavailable):
                return
            raise
        self._stalls.saved(game.channel)
        server = game.channel.server_key
        for write in records.behind(self._store, self._journal, server=server, at=at):
            self._write_behind(write, game)
        for event in events:
            if isinstance(event, QuestionAsked):
                self._last_asked[game.channel] = event.question
            await self._sink.publish(event)
        if records.game is not None:
            self._games.pop(game.channel, None)
            self._saves.forget(game.game_id)
            log.info("game %s in %s ended: %s", game.game_id, game.channel, records.game.reason)
        self._timers.follow(game)

    def _write_behind(self, write: Coroutine[Any, Any, None], game: TriviaGame) -> None:
        task = asyncio.create_task(write, name=f"trivia-write:{game.channel}")
        self._writes.add(task)
        task.add_done_callback(partial(self._written, game=game))

    def _written(self, task: asyncio.Task[None], *, game: TriviaGame) -> None:
        self._writes.discard(task)
        if not task.cancelled() and isinstance(error := task.exception(), FencedOut):
            if self._games.get(game.channel) is game:
                self._let_go(game, error)
        elif not task.cancelled() and (error := task.exception()) is not None:
            # Nothing announced waits for it (misses, the asked history, progress).
            self._stalls.failed(game.channel, game.game_id, error)

    async def end_games(self, server: ServerKey) -> int:
        """End every game running in ``server`` as a shutdown would, each recorded with its
        standings (the bot was removed from that server: an uninstall); how many."""
        channels = [channel for channel in self._games if channel.server_key == server]
        return sum(await asyncio.gather(*(self._end(channel) for channel in channels)))

    def let_go(self, lost: Callable[[ServerKey], bool]) -> int:
        """Drop the games of servers ``lost`` names (a shard another process took over)
        without a write or a word: their new owner carries them on.  How many."""
        games = [game for game in self._games.values() if lost(game.channel.server_key)]
        for game in games:
            self._let_go(game, None)
        return len(games)

    def _let_go(self, game: TriviaGame, why: Exception | None) -> None:
        self._games.pop(game.channel, None)
        self._backlog.pop(game.channel, None)
        self._saves.forget(game.game_id)
        self._timers.set(game, None)
        log.warning(
            "game %s in %s is no longer this process's to run%s",
            game.game_id,
            game.channel,
            f" ({why})" if why is not None else "",
        )

    # -- timers ---------------------------------------------------------------------------

    async def _wake(self, game: TriviaGame) -> None:
        with channel_context(game.channel):
            async with self._lock(game.channel):
                if self._games.get(game.channel) is not game:
                    return
                try:
                    await self._apply(game, game.tick(self._now()))
                except Exception:
                    # A timer has nobody to report to: log it with the game's ids;
                    # _apply kept the events and scheduled a retry.
                    log.exception("timer of game %s in %s failed", game.game_id, game.channel)

    # -- helpers ----------------------------------------------------------------------------

    def _lock(self, channel: ChannelKey) -> asyncio.Lock:
        lock = self._locks.get(channel)
        if lock is None:
            lock = self._locks[channel] = asyncio.Lock()
        return lock

    def _now(self) -> Instant:
        return Instant(self._clock.monotonic(), self._clock.now())
