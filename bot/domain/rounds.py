"""The question a game is asking and what players did with it.

A ``Round`` keeps the books of one question for ``TriviaGame``, which decides
every rule: when it was asked and when it is due, which hints are shown and
when the automatic ones fall due, who tried and when, who is locked out after
a wrong option, the picks of choice mode and the awards made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.answers import AnswerMatcher, matcher_for
from bot.domain.awards import Award
from bot.domain.hints import hints_for
from bot.domain.model import Instant, PlayerKey, Question
from bot.domain.snapshot import RoundState, to_mono, to_wall


@dataclass(slots=True)
class Round:
    """The question being asked and what players did with it."""

    question: Question
    number: int
    asked_at: float
    deadline: float
    hints: tuple[str, ...]
    hint_times: tuple[float, ...]
    hints_shown: int = 0
    # First attempt time per player (ms), for miss records and idleness.
    tried: dict[PlayerKey, int] = field(default_factory=dict)
    locked_out: set[PlayerKey] = field(default_factory=set)
    picks: dict[PlayerKey, tuple[int, int]] = field(default_factory=dict)  # choice, ms
    awards: list[Award] = field(default_factory=list)
    # The question's matcher, looked up once per round rather than once per guess
    # (the lookup hashes the whole question).
    _matcher: AnswerMatcher | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def matcher(self) -> AnswerMatcher:
        """What judges the guesses of this round's question."""
        matcher = self._matcher
        if matcher is None:
            matcher = self._matcher = matcher_for(self.question)
        return matcher

    @classmethod
    def ask(
        cls, question: Question, *, number: int, at: float, seconds: float, auto_hints: bool
    ) -> Round:
        """Question ``number`` asked at ``at`` (monotonic seconds) for ``seconds``."""
        hints = hints_for(question)
        # Automatic hints are spread evenly over the question's time.
        hint_times = (
            tuple(at + seconds * (i + 1) / (len(hints) + 1) for i in range(len(hints)))
            if auto_hints
            else ()
        )
        return cls(
            question=question,
            number=number,
            asked_at=at,
            deadline=at + seconds,
            hints=hints,
            hint_times=hint_times,
        )

    @property
    def next_due(self) -> float:
        """When the next automatic hint, or else the end of the question, is due."""
        pending = self.hint_times[self.hints_shown :]
        return min(self.deadline, *pending) if pending else self.deadline

    def elapsed_ms(self, now: Instant) -> int:
        return max(0, round((now.mono - self.asked_at) * 1000))

    def next_hint(self) -> str:
        hint = self.hints[self.hints_shown]
        # Automatic hints are due at hint_times[hints_shown], so a hint asked for
        # by hand also moves the schedule on: the next one comes at the next slot.
        self.hints_shown += 1
        return hint

    def choice_counts(self) -> tuple[int, ...]:
        """How many players picked each option."""
        tally = [0] * len(self.question.choices)
        for choice, _ in self.picks.values():
            tally[choice] += 1
        return tuple(tally)

    def correct_picks(self) -> list[tuple[int, PlayerKey]]:
        """(ms, player) of every pick of the correct option, fastest first."""
        correct = self.question.correct_choice
        return sorted((ms, key) for key, (choice, ms) in self.picks.items() if choice == correct)

    def scorers(self) -> set[PlayerKey]:
        return {award.player for award in self.awards}

    def state(self, now: Instant) -> RoundState:
        """The round as plain values, its moments on the wall clock."""
        return RoundState(
            number=self.number,
            asked_at=to_wall(self.asked_at, now),
            deadline=to_wall(self.deadline, now),
            hint_times=tuple(to_wall(t, now) for t in self.hint_times),
            hints_shown=self.hints_shown,
            tried=tuple(self.tried.items()),
            locked_out=tuple(sorted(self.locked_out)),
            picks=tuple((key, choice, ms) for key, (choice, ms) in self.picks.items()),
            awards=tuple(self.awards),
        )

    @classmethod
    def from_state(cls, state: RoundState, question: Question, now: Instant) -> Round:
        """The round ``state`` describes, its moments on this process's clock."""
        return cls(
            question=question,
            number=state.number,
            asked_at=to_mono(state.asked_at, now),
            deadline=to_mono(state.deadline, now),
            hints=hints_for(question),
            hint_times=tuple(to_mono(t, now) for t in state.hint_times),
            hints_shown=state.hints_shown,
            tried=dict(state.tried),
            locked_out=set(state.locked_out),
            picks={key: (choice, ms) for key, choice, ms in state.picks},
            awards=list(state.awards),
        )
