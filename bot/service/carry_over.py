"""Games that go on after a restart, on this process or on another one.

What the service keeps of each running game, and what it does with it:

* after every transition that changed the game (not chatter: a wrong guess,
  a refusal, the score shown), the game's state is saved before its events
  are shown, in one transaction with the points and misses of the same moment:
  after a crash the next owner starts from what the channel last saw (a state
  saved behind could be older: the question revealed a second time, or asked
  again with its first message left open).  Each save of a game carries the
  next number of its sequence, so a save that reaches the database late never
  undoes a newer one;
* a stop that hands over (SIGTERM on a platform that resumes games, with
  ``TRIVIA_RESUME_WITHIN`` above 0) saves every game and tells its channel
  "back in a moment" (``GamePaused``) instead of ending it;
* on start, a game whose state was saved at most ``resume_within`` seconds ago
  goes on where it stood (``GameResumed``): the question keeps the time it had
  left, by the wall clock.  An older one, or one never saved, is ended with its
  points, as a crash always was (``recovery``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.events import (
    CloseGuess,
    Event,
    GameResumed,
    QuestionAsked,
    QuestionRevealed,
    Rejected,
    RevealReason,
    ScoreShown,
    WrongGuess,
)
from bot.domain.hints import hints_for
from bot.domain.model import GameMode
from bot.domain.question_refs import unrevealed_number
from bot.domain.records import UnfinishedGame
from bot.domain.snapshot import GameSnapshot

#: Events that change nothing a restart must keep.
_CHATTER = (WrongGuess, CloseGuess, Rejected, ScoreShown)


def changes_state(events: Sequence[Event]) -> bool:
    """Whether a transition that published ``events`` changed what must be saved."""
    return not is_chatter(events)


def is_chatter(events: Sequence[Event]) -> bool:
    """Whether ``events`` are all chatter: nothing to record or save, no deadline moved
    (a transition that changes the game's state or timing says so by another event)."""
    # By exact type (events are final dataclasses): a set test in C, asked once per guess.
    return _CHATTER_TYPES.issuperset(map(type, events))


_CHATTER_TYPES: frozenset[type[Event]] = frozenset(_CHATTER)


class SaveSequence:
    """Each running game's save counter: the number its next save carries."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def next(self, game_id: str) -> int:
        number = self._last.get(game_id, 0) + 1
        self._last[game_id] = number
        return number

    def resumed(self, game_id: str, last: int) -> None:
        """A game resumed from a save numbered ``last``: its next save comes after it."""
        self._last[game_id] = last

    def forget(self, game_id: str) -> None:
        self._last.pop(game_id, None)


def resumable(item: UnfinishedGame, now: datetime, within: float) -> GameSnapshot | None:
    """The state to carry ``item`` on from, if it was saved at most ``within``
    seconds before ``now`` and its game was still going; None to end it."""
    state, saved_at = item.state, item.state_at
    if state is None or saved_at is None or state.phase == "ended":
        return None
    age = (now - saved_at).total_seconds()
    # A save "from the future" (clocks of two hosts apart) counts as fresh.
    return state if age <= within else None


def resumed_event(state: GameSnapshot, message: str | None) -> GameResumed:
    """What the channel's adapter needs to show the game going on from ``state``."""
    round_ = state.round
    if round_ is None or state.phase not in ("asking", "between"):
        return GameResumed(
            channel=state.channel,
            game_id=state.game_id,
            mode=state.options.mode,
            asked=None,
            hints=(),
            message=message,
        )
    question = state.questions[round_.number - 1]
    total = len(state.questions)
    asked = QuestionAsked(
        channel=state.channel,
        game_id=state.game_id,
        number=round_.number,
        total=total,
        question=question,
        choices=question.choices,
        seconds=state.options.seconds,
        ends_at=round_.deadline,
    )
    revealed = None
    if state.phase == "between":
        # Saved, maybe not shown: a crash between the save and the post.  Shown again
        # (an edit of its message), told as answered or timed out by its awards.
        text = state.options.mode is GameMode.TEXT
        counts = [0] * len(question.choices)
        for _, choice, _ in round_.picks:
            counts[choice] += 1
        revealed = QuestionRevealed(
            channel=state.channel,
            game_id=state.game_id,
            number=round_.number,
            total=total,
            question=question,
            reason=RevealReason.ANSWERED if text and round_.awards else RevealReason.TIMEOUT,
            awards=round_.awards,
            choice_counts=tuple(counts) if not text else (),
            next_in=state.options.pause if round_.number < total else None,
        )
    return GameResumed(
        channel=state.channel,
        game_id=state.game_id,
        mode=state.options.mode,
        asked=asked,
        hints=hints_for(question)[: round_.hints_shown],
        message=message,
        revealed=revealed,
        unrevealed=_unrevealed(state, message, asked.number),
    )


def _unrevealed(
    state: GameSnapshot, message: str | None, current: int | None
) -> QuestionRevealed | None:
    """The earlier question whose message was noted but never noted as revealed: the
    process that ran the game stopped after the reveal was saved and before the message
    showed it.  None when there is none (or the reference is not in that format)."""
    noted = unrevealed_number(message)
    if noted is None or noted == current or not 1 <= noted <= len(state.questions):
        return None
    return QuestionRevealed(
        channel=state.channel,
        game_id=state.game_id,
        number=noted,
        total=len(state.questions),
        question=state.questions[noted - 1],
        reason=RevealReason.STOPPED,
        awards=(),
        choice_counts=(),
        next_in=None,
    )
