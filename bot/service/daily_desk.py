"""The daily question's desk: a round opened, answers judged in private, the reveal.

Rules (issue #17), and where each is kept:

- A round is one question drawn from the server's pool by the games' no-repeat rule
  (``QuestionDraw.one``), with the schedule's category and difficulty, stored whole
  (``DailyStore.open_daily_round``) before it is posted.
- An answer is judged by the games' matcher (``matcher_for``); a clicked option is
  right when it is the question's answer.  A CLOSE guess is not an answer: nothing is
  kept, the player may try again.  A RIGHT or WRONG one is **kept before its verdict
  is shown**, once per player and round: the database settles races
  (``record_daily_answer``), so a second answer, from anywhere, is ALREADY and changes
  nothing.  After the window (or with no round open) the verdict is CLOSED.
- A kept answer also goes to the score store (``AnswerRecord``, game id
  ``daily:<round id>``): a right one with the base points of its difficulty, a wrong
  one as a miss, so daily points count in stats and in the all/week/today boards.
  Its ``answer_ms`` is 0: hours into a window say nothing of a player's speed, and
  must not swamp their games' average.  The kept answer is what counts (streaks,
  the daily boards, the reveal), so its verdict is shown even when the score store
  cannot take the record just then: the record waits in the desk and goes first with
  the next answer or reveal pass (``close_due``), in order.
- The reveal (``close_due``) is claimed first (``mark_daily_revealed``): of several
  processes, or one restarted, exactly one shows it; a process that stops between the
  claim and the publish loses that reveal rather than repeating it.  Winners come
  fastest first, each with their streak as of the window's close.

Streaks and the daily boards are the store's to compute (``DailyStore``); seasons are
calendar months or quarters in UTC (``bot.domain.daily.Season``).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Final

from bot.domain.answer_target import Verdict as MatchVerdict
from bot.domain.answers import matcher_for
from bot.domain.commands import AnswerDaily, ShowLeaderboard
from bot.domain.daily import (
    MAX_DAILY_ANSWER,
    DailyHome,
    DailyRound,
    DailyWinner,
    HomeRound,
    Season,
    SeasonError,
    SeasonLength,
    Verdict,
)
from bot.domain.events import (
    DailyAnswerJudged,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    DailyQuestionSkipped,
    LeaderboardShown,
    Refusal,
)
from bot.domain.model import ChannelKey, PlayerKey, Question, QuestionFilter, ServerKey
from bot.domain.records import AnswerRecord, DailyAnswer, DailyStreak, Period
from bot.domain.schedule import Due, Schedule
from bot.domain.scoring import ScoringRules
from bot.ports import (
    Clock,
    DailyStore,
    EventSink,
    FencedOut,
    QuestionBank,
    ScoreStore,
    StoreUnavailable,
)
from bot.service.draw import QuestionDraw
from bot.service.settings_desk import refuse

log = logging.getLogger(__name__)

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_FAR: Final = datetime(9999, 1, 1, tzinfo=UTC)


def game_id_of(round_id: int) -> str:
    """The game id a daily round's answers carry in the score store."""
    return f"daily:{round_id}"


def period_bounds(period: Period, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of ``period`` around ``now``: UTC days, ISO weeks from Monday."""
    if period is Period.ALL:
        return _EPOCH, _FAR
    day = datetime(now.year, now.month, now.day, tzinfo=UTC)
    if period is Period.TODAY:
        return day, day + timedelta(days=1)
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


class DailyDesk:
    """Runs the daily question (see the module docstring)."""

    def __init__(
        self,
        *,
        bank: QuestionBank,
        scores: ScoreStore,
        store: DailyStore,
        clock: Clock,
        sink: EventSink,
        rng: random.Random,
        rules: ScoringRules | None = None,
    ) -> None:
        self._scores = scores
        self._store = store
        self._clock = clock
        self._sink = sink
        self._rules = rules or ScoringRules()
        self._draw = QuestionDraw(bank=bank, store=scores, rng=rng)
        #: Score records of kept answers the score store could not take yet, oldest first.
        self._unsaved: list[AnswerRecord] = []

    # -- opening ------------------------------------------------------------------------

    async def open_round(
        self, schedule: Schedule, due: Due, *, note: str = ""
    ) -> DailyRound | None:
        """Draw, store and post the question ``schedule`` is due to ask at ``due``; None
        (and the channel told why) when no question fits, or when the window is over."""
        server = schedule.server
        channel = ChannelKey(server.platform, server.server, schedule.channel)
        now = self._clock.now()
        if due.closes <= now:
            log.warning(
                "daily question of schedule %s not posted: its window closed %s",
                schedule.id,
                due.closes.isoformat(),
            )
            return None

        # Text mode: a daily question is answered by typing or by clicking its options.
        wanted = QuestionFilter(category=schedule.category, difficulty=schedule.difficulty)
        question, every = await self._draw.one(server, wanted.matches)
        if question is None:
            reason = _nothing_fits(schedule, every)
            log.warning(
                "daily question of schedule %s in %s skipped: %s", schedule.id, channel, reason
            )
            await self._sink.publish(
                DailyQuestionSkipped(channel=channel, schedule_id=schedule.id or 0, reason=reason)
            )
            return None
        opened = await self._store.open_daily_round(
            DailyRound(
                id=0,
                schedule_id=schedule.id or 0,
                channel=channel,
                question=question,
                choices=question.choices,
                opened_at=now,
                closes_at=due.closes,
            )
        )
        try:
            await self._scores.mark_asked(server, [question.id], at=now)
        except StoreUnavailable as exc:
            # Only the no-repeat history waits on it: the round is kept, so it is shown
            # (a round kept but never posted would still be revealed at its close).
            log.warning("daily question %s not noted as asked in %s: %s", question.id, server, exc)
        log.info(
            "daily round %s opened in %s: question %s until %s",
            opened.id,
            channel,
            question.id,
            opened.closes_at.isoformat(),
        )
        await self._sink.publish(DailyQuestionPosted(channel=channel, round=opened, note=note))
        return opened

    async def note_message(self, round_id: int, ref: str) -> None:
        """Where the adapter shows the round: its reveal edits that message."""
        await self._store.note_daily_message(round_id, ref)

    # -- answering ----------------------------------------------------------------------

    async def answer(self, command: AnswerDaily) -> None:
        """Judge one private answer (see the module docstring); the verdict goes to
        its sender alone."""
        now = self._clock.now()
        player = command.actor.key
        round_ = await self._round_for(command, now)
        if round_ is None or round_.revealed or now >= round_.closes_at:
            await self._judged(command, round_, Verdict.CLOSED, _typed(command), now)
            return
        kept = await self._store.daily_answer(round_.id, player)
        if kept is not None:
            await self._judged(command, round_, Verdict.ALREADY, kept.guess, now)
            return
        judged = await self._judge(command, round_)
        if judged is None:
            return
        verdict, guess = judged
        if verdict is Verdict.CLOSE:
            await self._judged(command, round_, verdict, guess, now)
            return
        right = verdict is Verdict.RIGHT
        points = self._rules.base(round_.question.difficulty) if right else 0
        answer = DailyAnswer(
            round_id=round_.id,
            player=player,
            name=command.actor.name,
            guess=guess,
            correct=right,
            points=points,
            at=now,
        )
        if not await self._store.record_daily_answer(answer):
            # Another answer of theirs won the race, or the round was revealed meanwhile.
            again = await self._store.daily_answer(round_.id, player)
            if again is not None:
                await self._judged(command, round_, Verdict.ALREADY, again.guess, now)
            else:
                await self._judged(command, round_, Verdict.CLOSED, guess, now)
            return
        self._unsaved.append(_score_record(round_, answer))
        await self.save_scores()
        await self._judged(command, round_, verdict, guess, now)

    async def save_scores(self) -> bool:
        """Hand the score store the records of kept answers it could not take before;
        whether none is left waiting."""
        if not self._unsaved:
            return True
        waiting = list(self._unsaved)
        try:
            await self._scores.record_answers(waiting)
        except StoreUnavailable as exc:
            log.warning(
                "%d daily answer(s) not in the score store yet (kept, tried again later): %s",
                len(waiting),
                exc,
            )
            return False
        except FencedOut as exc:
            # This process no longer owns their server: trying again can never succeed.
            log.warning("%d daily answer(s) left out of the scores: %s", len(waiting), exc)
        except Exception:
            # A bug (a record no store takes): retrying would repeat it forever.
            del self._unsaved[: len(waiting)]
            raise
        del self._unsaved[: len(waiting)]
        return True

    async def _round_for(self, command: AnswerDaily, now: datetime) -> DailyRound | None:
        server = command.channel.server_key
        if command.round_id is not None:
            found = await self._store.daily_round(command.round_id)
            return found if found is not None and found.server == server else None
        open_here = await self._store.open_daily_rounds(server, now=now, channel=command.channel)
        return open_here[0] if open_here else None

    async def _judge(self, command: AnswerDaily, round_: DailyRound) -> tuple[Verdict, str] | None:
        """The verdict and the guess as kept; None (the sender told) for an answer
        that says nothing."""
        question = round_.question
        if command.choice is not None:
            if not 0 <= command.choice < len(round_.choices):
                await refuse(
                    self._sink,
                    command.channel,
                    command.actor,
                    Refusal.BAD_OPTION,
                    f"That option does not exist: this question has {len(round_.choices)}.",
                )
                return None
            picked = round_.choices[command.choice]
            right = command.choice == round_.correct_choice
            if round_.correct_choice is None:  # options that spell the answer otherwise
                right = matcher_for(question).check(picked).accepted
            return (Verdict.RIGHT if right else Verdict.WRONG), picked
        text = (command.text or "").strip()
        if not text:
            how = "pick an option or type" if round_.choices else "type"
            await refuse(
                self._sink,
                command.channel,
                command.actor,
                Refusal.BAD_OPTION,
                f"Your answer was empty: {how} your answer to the daily question.",
            )
            return None
        match = matcher_for(question).check(text)
        guess = (
            round_.choices[match.choice] if match.choice is not None else text[:MAX_DAILY_ANSWER]
        )
        verdict = {
            MatchVerdict.ACCEPTED: Verdict.RIGHT,
            MatchVerdict.CLOSE: Verdict.CLOSE,
            MatchVerdict.REJECTED: Verdict.WRONG,
        }[match.verdict]
        return verdict, guess

    async def _judged(
        self,
        command: AnswerDaily,
        round_: DailyRound | None,
        verdict: Verdict,
        guess: str,
        now: datetime,
    ) -> None:
        streak = await self._store.daily_streak(command.actor.key, now=now)
        await self._sink.publish(
            DailyAnswerJudged(
                channel=command.channel,
                recipient=command.actor.key,
                round_id=round_.id if round_ is not None else 0,
                verdict=verdict,
                guess=guess,
                streak=streak.current,
                closes_at=round_.closes_at if round_ is not None else now,
            )
        )

    # -- revealing -----------------------------------------------------------------------

    async def close_due(
        self, now: datetime, *, serves: Callable[[ServerKey], bool] | None = None
    ) -> int:
        """Reveal every round whose window closed by ``now`` and that nobody revealed
        yet (of the servers ``serves`` accepts: this process's); how many this call
        revealed.  Each is claimed before it is shown, so it is shown once."""
        await self.save_scores()
        revealed = 0
        for round_ in await self._store.daily_rounds_due(now):
            if serves is not None and not serves(round_.server):
                continue
            if not await self._store.mark_daily_revealed(round_.id):
                continue  # another process (or an earlier pass) has it
            answers = await self._store.daily_answers(round_.id)
            winners = []
            for answer in answers:
                if answer.correct:
                    streak = await self._store.daily_streak(answer.player, now=round_.closes_at)
                    seconds = (answer.at - round_.opened_at).total_seconds()
                    winners.append(DailyWinner(answer.player, answer.name, seconds, streak.current))
            log.info(
                "daily round %s in %s revealed: %d answered, %d right",
                round_.id,
                round_.channel,
                len(answers),
                len(winners),
            )
            await self._sink.publish(
                DailyQuestionRevealed(
                    channel=round_.channel,
                    round=replace(round_, revealed=True),
                    winners=tuple(winners),
                    answered=len(answers),
                )
            )
            revealed += 1
        return revealed

    async def next_close(self) -> datetime | None:
        """When the next round still to reveal closes (None: none is open)."""
        return await self._store.next_daily_close()

    # -- reading --------------------------------------------------------------------------

    async def streak(self, player: PlayerKey) -> int:
        """The player's current daily streak in their server."""
        return (await self.streaks(player)).current

    async def streaks(self, player: PlayerKey) -> DailyStreak:
        return await self._store.daily_streak(player, now=self._clock.now())

    async def player_home(
        self,
        player: PlayerKey,
        now: datetime,
        *,
        season_length: SeasonLength = SeasonLength.MONTHLY,
        limit: int = 10,
    ) -> DailyHome:
        """The rounds open in the player's server (answered or not, with their verdict),
        their streaks, and the current season's daily board."""
        server = player.server_key
        shown = []
        for round_ in await self._store.open_daily_rounds(server, now=now):
            kept = await self._store.daily_answer(round_.id, player)
            verdict = None if kept is None else Verdict.RIGHT if kept.correct else Verdict.WRONG
            shown.append(HomeRound(round_, verdict))
        streak = await self._store.daily_streak(player, now=now)
        season = Season.containing(now, season_length)
        rows = await self._store.daily_leaderboard(
            server, since=season.starts, until=season.ends, limit=limit
        )
        return DailyHome(
            player=player,
            rounds=tuple(shown),
            streak=streak.current,
            best_streak=streak.best,
            season=season,
            season_rows=tuple(rows),
        )

    async def leaderboard(self, command: ShowLeaderboard, length: SeasonLength) -> None:
        """The daily questions' board: of ``command.season`` (a name ``Season.parse``
        reads, in seasons of ``length``) or of ``command.period``."""
        now = self._clock.now()
        server = command.channel.server_key
        season = None
        period = command.period
        if command.season is not None:
            try:
                season = Season.parse(command.season, length, now=now)
            except SeasonError as exc:
                await refuse(
                    self._sink, command.channel, command.actor, Refusal.BAD_OPTION, f"{exc}."
                )
                return
            since, until, period = season.starts, season.ends, Period.ALL
        else:
            since, until = period_bounds(period, now)
        rows = await self._store.daily_leaderboard(
            server, since=since, until=until, limit=command.limit
        )
        await self._sink.publish(
            LeaderboardShown(
                channel=command.channel,
                recipient=command.actor.key,
                period=period,
                rows=tuple(rows),
                season=season,
                daily=True,
            )
        )


def _nothing_fits(schedule: Schedule, every: list[Question]) -> str:
    if not every:
        return "No daily question today: there are no questions loaded for this server."
    wanted = []
    if schedule.category:
        wanted.append(f"category {schedule.category!r}")
    if schedule.difficulty:
        wanted.append(f"difficulty {schedule.difficulty!r}")
    categories = ", ".join(sorted({q.category for q in every}))
    return (
        f"No daily question today: no questions match {' and '.join(wanted)}. "
        f"Categories here: {categories}. An admin can change the schedule "
        f"({schedule.id}) or add questions."
    )


def _typed(command: AnswerDaily) -> str:
    if command.text is not None:
        return command.text.strip()[:MAX_DAILY_ANSWER]
    return "" if command.choice is None else f"option {command.choice + 1}"


def _score_record(round_: DailyRound, answer: DailyAnswer) -> AnswerRecord:
    return AnswerRecord(
        player=answer.player,
        name=answer.name,
        channel=round_.channel,
        game_id=game_id_of(round_.id),
        question_id=round_.question.id,
        correct=answer.correct,
        points=answer.points,
        answer_ms=0,
        streak=1 if answer.correct else 0,
        at=answer.at,
    )
