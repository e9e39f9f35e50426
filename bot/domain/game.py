"""One trivia game in one channel, as a pure state machine.

Every transition is a plain method call that takes the current ``Instant`` and
returns the events it caused.  There is no I/O, no asyncio and no global time
or randomness here: the service passes time in, awaits the store and publishes
the events afterwards.  Deadlines are data (``next_deadline``); the service
sleeps until them and calls ``tick``.  Every entry point first catches up with
deadlines that have passed, so a late answer can never beat a reveal that was
already due.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import timedelta

from bot.domain.answers import Verdict
from bot.domain.awards import Award
from bot.domain.events import (
    AnswerAccepted,
    ChoiceRecorded,
    CloseGuess,
    EndReason,
    Event,
    GameEnded,
    GameStarted,
    HintGiven,
    QuestionAsked,
    QuestionRevealed,
    Refusal,
    Rejected,
    RevealReason,
    ScoreShown,
    WrongChoice,
    WrongGuess,
)
from bot.domain.model import (
    Actor,
    ChannelKey,
    GameMode,
    GameOptions,
    Instant,
    PlayerKey,
    Question,
    Standing,
)
from bot.domain.rounds import Round
from bot.domain.scoreboard import Scoreboard
from bot.domain.scoring import ScoringRules
from bot.domain.snapshot import GameSnapshot, to_mono, to_wall
from bot.domain.standings import winner_of


class Phase(enum.Enum):
    NEW = "new"
    ASKING = "asking"
    BETWEEN = "between"
    ENDED = "ended"


class TriviaGame:
    """Rules of one game: asking, hints, answers, scoring, reveals and the end."""

    __slots__ = (
        "_idle",
        "_next_at",
        "_phase",
        "_questions",
        "_round",
        "_scores",
        "_started",
        "channel",
        "game_id",
        "options",
        "started_by",
    )

    def __init__(
        self,
        game_id: str,
        channel: ChannelKey,
        *,
        options: GameOptions,
        questions: Sequence[Question],
        started_by: Actor,
        rules: ScoringRules | None = None,
    ) -> None:
        if not questions:
            raise ValueError("a game needs at least one question")
        self.game_id = game_id
        self.channel = channel
        self.options = options
        self.started_by = started_by
        self._questions = tuple(questions)
        self._scores = Scoreboard(rules or ScoringRules())
        self._phase = Phase.NEW
        self._round: Round | None = None
        self._next_at: float | None = None
        self._idle = 0
        self._started: Instant | None = None

    # -- what the service reads -------------------------------------------------

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def ended(self) -> bool:
        return self._phase is Phase.ENDED

    @property
    def total(self) -> int:
        return len(self._questions)

    @property
    def question_number(self) -> int:
        return self._round.number if self._round else 0

    @property
    def current_question(self) -> Question | None:
        return self._round.question if self._round and self._phase is Phase.ASKING else None

    @property
    def started(self) -> Instant | None:
        """When ``start`` was called."""
        return self._started

    @property
    def next_deadline(self) -> float | None:
        """When ``tick`` next has something to do (monotonic seconds)."""
        if self._phase is Phase.ASKING and self._round is not None:
            return self._round.next_due
        if self._phase is Phase.BETWEEN:
            return self._next_at
        return None

    def standings(self) -> tuple[Standing, ...]:
        return self._scores.standings()

    # -- carrying a game over to another process ------------------------------------

    def snapshot(self, now: Instant) -> GameSnapshot:
        """Everything this game holds, as plain values on the wall clock."""
        return GameSnapshot(
            game_id=self.game_id,
            channel=self.channel,
            options=self.options,
            started_by=self.started_by,
            questions=self._questions,
            phase=self._phase.value,
            round=self._round.state(now) if self._round is not None else None,
            next_at=to_wall(self._next_at, now) if self._next_at is not None else None,
            idle=self._idle,
            started_at=self._started.wall if self._started is not None else None,
            players=self._scores.state(now),
            taken_at=now.wall,
        )

    @classmethod
    def resume(
        cls, snapshot: GameSnapshot, now: Instant, *, rules: ScoringRules | None = None
    ) -> TriviaGame:
        """The game ``snapshot`` describes, going on from ``now``: deadlines keep
        their wall-clock instants, so a question keeps the time it had left."""
        game = cls(
            snapshot.game_id,
            snapshot.channel,
            options=snapshot.options,
            questions=snapshot.questions,
            started_by=snapshot.started_by,
            rules=rules,
        )
        game._phase = Phase(snapshot.phase)
        if snapshot.round is not None:
            question = snapshot.questions[snapshot.round.number - 1]
            game._round = Round.from_state(snapshot.round, question, now)
        game._next_at = to_mono(snapshot.next_at, now) if snapshot.next_at else None
        game._idle = snapshot.idle
        if snapshot.started_at is not None:
            game._started = Instant(to_mono(snapshot.started_at, now), snapshot.started_at)
        game._scores.restore(snapshot.players, now)
        return game

    # -- transitions --------------------------------------------------------------

    def start(self, now: Instant) -> list[Event]:
        if self._phase is not Phase.NEW:
            raise RuntimeError("game already started")
        self._started = now
        events: list[Event] = [
            GameStarted(
                channel=self.channel,
                game_id=self.game_id,
                options=self.options,
                started_by=self.started_by.key,
                started_by_name=self.started_by.name,
                total_questions=self.total,
            )
        ]
        events.extend(self._ask(1, now))
        return events

    def tick(self, now: Instant) -> list[Event]:
        """Do whatever deadlines have passed: hints, reveals, the next question."""
        events: list[Event] = []
        while (deadline := self.next_deadline) is not None and deadline <= now.mono:
            if self._phase is Phase.ASKING:
                assert self._round is not None
                if self._round.deadline <= now.mono:
                    # Catching up past the end of the question: hints that fell
                    # due on the way would only be noise before the reveal.
                    end = self._round.deadline
                    at_end = Instant(end, now.wall - timedelta(seconds=now.mono - end))
                    events.extend(self._reveal(RevealReason.TIMEOUT, at_end))
                else:
                    events.append(self._give_hint())
            else:
                # Asked now, not when it was due: after a stall (a locked
                # database, a slow platform) players still get the full time.
                events.extend(self._ask(self._round.number + 1 if self._round else 1, now))
        return events

    def answer(self, actor: Actor, text: str, now: Instant) -> list[Event]:
        """A typed message while the game runs: a guess, or a pick by letter/number."""
        events = self.tick(now)
        round_ = self._open_round()
        if round_ is None:
            return events
        match = round_.matcher.check(text)
        if self.options.mode is GameMode.CHOICE:
            # In choice mode only messages that name an option count; the rest is chat.
            if match.choice is not None:
                events.extend(self._pick(actor, match.choice, now))
            return events
        self._scores.join(actor)
        elapsed_ms = round_.elapsed_ms(now)
        if actor.key in round_.locked_out:
            return events
        round_.tried.setdefault(actor.key, elapsed_ms)
        if match.verdict is Verdict.ACCEPTED:
            # A pick by letter or number is shown as the option it names.
            guess = round_.question.choices[match.choice] if match.choice is not None else text
            events.extend(self._award_first(actor, guess, round_, now))
        elif match.choice is not None:
            # A wrong option: one pick per player, or everyone would try them all.
            round_.locked_out.add(actor.key)
            events.append(
                WrongChoice(
                    channel=self.channel,
                    game_id=self.game_id,
                    number=round_.number,
                    recipient=actor.key,
                    choice=match.choice,
                )
            )
            if self.options.solo:
                events.extend(self._reveal(RevealReason.NOBODY_LEFT, now))
        else:
            kind = CloseGuess if match.verdict is Verdict.CLOSE else WrongGuess
            events.append(
                kind(
                    channel=self.channel,
                    game_id=self.game_id,
                    number=round_.number,
                    player=actor.key,
                    name=actor.name,
                    guess=text,
                )
            )
        return events

    def pick(
        self, actor: Actor, choice: int, now: Instant, *, number: int | None = None
    ) -> list[Event]:
        """A click on option ``choice`` (0-based) of question ``number``."""
        events = self.tick(now)
        round_ = self._open_round()
        if round_ is None or (number is not None and number != round_.number):
            events.append(self._refuse(actor, Refusal.NOT_NOW, "That question is already closed."))
            return events
        if not 0 <= choice < len(round_.question.choices):
            events.append(self._refuse(actor, Refusal.BAD_OPTION, "That option does not exist."))
            return events
        if self.options.mode is GameMode.TEXT:
            letter = chr(ord("A") + choice)
            return events + self.answer(actor, letter, now)
        events.extend(self._pick(actor, choice, now))
        return events

    def hint(self, actor: Actor, now: Instant) -> list[Event]:
        events = self.tick(now)
        round_ = self._open_round()
        if round_ is None:
            events.append(self._refuse(actor, Refusal.NOT_NOW, "No question is open right now."))
        elif round_.hints_shown >= len(round_.hints):
            message = (
                "This question has no hints."
                if not round_.hints
                else "That was the last hint for this question."
            )
            events.append(self._refuse(actor, Refusal.NOT_NOW, message))
        else:
            events.append(self._give_hint(requested=True))
        return events

    def skip(self, actor: Actor, now: Instant) -> list[Event]:
        events = self.tick(now)
        if not self._may_control(actor):
            events.append(self._not_allowed(actor, "skip questions"))
        elif self._open_round() is None:
            events.append(self._refuse(actor, Refusal.NOT_NOW, "No question is open right now."))
        else:
            events.extend(self._reveal(RevealReason.SKIPPED, now))
        return events

    def stop(self, actor: Actor, now: Instant) -> list[Event]:
        events = self.tick(now)
        if self.ended:
            return events
        if not self._may_control(actor):
            events.append(self._not_allowed(actor, "stop the game"))
            return events
        return events + self._finish(EndReason.STOPPED, now)

    def shutdown(self, now: Instant) -> list[Event]:
        """The bot is going away: end the game and record it, no questions asked."""
        if self.ended:
            return []
        return self._finish(EndReason.SHUTDOWN, now)

    def score(self, asked_by: PlayerKey | None = None) -> ScoreShown:
        return ScoreShown(
            channel=self.channel,
            game_id=self.game_id,
            standings=self.standings(),
            number=self.question_number,
            total=self.total,
            asked_by=asked_by,
        )

    # -- internals ------------------------------------------------------------------

    def _open_round(self) -> Round | None:
        return self._round if self._phase is Phase.ASKING else None

    def _may_control(self, actor: Actor) -> bool:
        return actor.is_admin or actor.key == self.started_by.key

    def _ask(self, number: int, now: Instant) -> list[Event]:
        question = self._questions[number - 1]
        seconds = self.options.seconds
        auto = self.options.auto_hints and self.options.mode is GameMode.TEXT
        self._round = Round.ask(
            question, number=number, at=now.mono, seconds=seconds, auto_hints=auto
        )
        self._phase = Phase.ASKING
        self._next_at = None
        return [
            QuestionAsked(
                channel=self.channel,
                game_id=self.game_id,
                number=number,
                total=self.total,
                question=question,
                choices=question.choices,
                seconds=seconds,
                ends_at=now.wall + timedelta(seconds=seconds),
            )
        ]

    def _give_hint(self, *, requested: bool = False) -> HintGiven:
        round_ = self._round
        assert round_ is not None
        hint = round_.next_hint()
        return HintGiven(
            channel=self.channel,
            game_id=self.game_id,
            number=round_.number,
            hint=hint,
            hints_shown=round_.hints_shown,
            hints_left=len(round_.hints) - round_.hints_shown,
            requested=requested,
        )

    def _make_award(
        self, player: PlayerKey, guess: str, round_: Round, elapsed_ms: int, at: float
    ) -> Award:
        award = self._scores.award(
            player,
            guess=guess,
            difficulty=round_.question.difficulty,
            seconds=self.options.seconds,
            hints_shown=round_.hints_shown,
            elapsed_ms=elapsed_ms,
            at=at,
        )
        round_.awards.append(award)
        return award

    def _award_first(self, actor: Actor, guess: str, round_: Round, now: Instant) -> list[Event]:
        # Claim the question before anything is awaited: the caller holds the
        # channel's lock, and this state change happens before any I/O.
        award = self._make_award(actor.key, guess, round_, round_.elapsed_ms(now), now.mono)
        events: list[Event] = [
            AnswerAccepted(
                channel=self.channel,
                game_id=self.game_id,
                number=round_.number,
                question_id=round_.question.id,
                award=award,
            )
        ]
        events.extend(self._reveal(RevealReason.ANSWERED, now))
        return events

    def _pick(self, actor: Actor, choice: int, now: Instant) -> list[Event]:
        round_ = self._round
        assert round_ is not None
        if actor.key in round_.picks:
            return [
                self._refuse(
                    actor,
                    Refusal.ALREADY_ANSWERED,
                    "You already picked an answer for this question; picks can't be changed.",
                )
            ]
        self._scores.join(actor)
        elapsed_ms = round_.elapsed_ms(now)
        round_.picks[actor.key] = (choice, elapsed_ms)
        round_.tried.setdefault(actor.key, elapsed_ms)
        events: list[Event] = [
            ChoiceRecorded(
                channel=self.channel,
                game_id=self.game_id,
                number=round_.number,
                recipient=actor.key,
                choice=choice,
                choice_text=round_.question.choices[choice],
            )
        ]
        if self.options.solo:
            events.extend(self._reveal(RevealReason.NOBODY_LEFT, now))
        return events

    def _reveal(self, reason: RevealReason, now: Instant) -> list[Event]:
        round_ = self._round
        assert round_ is not None
        assert self._phase is Phase.ASKING
        events: list[Event] = []
        counts: tuple[int, ...] = ()
        if self.options.mode is GameMode.CHOICE:
            counts = round_.choice_counts()
            if reason in (RevealReason.TIMEOUT, RevealReason.NOBODY_LEFT):
                events.extend(self._award_picks(round_))
        misses = self._scores.settle(round_.tried, round_.scorers())
        self._idle = 0 if round_.tried else self._idle + 1
        last = round_.number >= self.total
        idle_out = self._idle >= self.options.max_idle_questions
        ending = last or idle_out or reason is RevealReason.STOPPED
        events.append(
            QuestionRevealed(
                channel=self.channel,
                game_id=self.game_id,
                number=round_.number,
                total=self.total,
                question=round_.question,
                reason=reason,
                awards=tuple(round_.awards),
                choice_counts=counts,
                next_in=None if ending else self.options.pause,
                misses=misses,
            )
        )
        self._phase = Phase.BETWEEN
        self._next_at = now.mono + self.options.pause
        if reason is not RevealReason.STOPPED and ending:
            events.extend(self._end(EndReason.COMPLETED if last else EndReason.IDLE))
        return events

    def _award_picks(self, round_: Round) -> list[Event]:
        """Choice mode scores when time is up: every correct pick, fastest
        first, at the time it was made; announced by the reveal."""
        question = round_.question
        events: list[Event] = []
        for ms, key in round_.correct_picks():
            award = self._make_award(key, question.answer, round_, ms, round_.asked_at + ms / 1000)
            events.append(
                AnswerAccepted(
                    channel=self.channel,
                    game_id=self.game_id,
                    number=round_.number,
                    question_id=question.id,
                    award=award,
                    announce=False,
                )
            )
        return events

    def _finish(self, reason: EndReason, now: Instant) -> list[Event]:
        events: list[Event] = []
        if self._phase is Phase.ASKING:
            events.extend(self._reveal(RevealReason.STOPPED, now))
        events.extend(self._end(reason))
        return events

    def _end(self, reason: EndReason) -> list[Event]:
        self._phase = Phase.ENDED
        self._next_at = None
        standings = self.standings()
        winner = winner_of(standings)
        return [
            GameEnded(
                channel=self.channel,
                game_id=self.game_id,
                reason=reason,
                standings=standings,
                winner=winner,
                questions_asked=self.question_number,
            )
        ]

    def _refuse(self, actor: Actor, reason: Refusal, message: str) -> Rejected:
        return Rejected(channel=self.channel, recipient=actor.key, reason=reason, message=message)

    def _not_allowed(self, actor: Actor, what: str) -> Rejected:
        return self._refuse(
            actor,
            Refusal.NOT_ALLOWED,
            f"Only {self.started_by.name}, who started this game, or an admin can {what}.",
        )
