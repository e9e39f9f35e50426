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
    return all(isinstance(event, _CHATTER) for event in events)


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
    asked: QuestionAsked | None = None
    hints: tuple[str, ...] = ()
    if state.phase == "asking" and round_ is not None:
        question = state.questions[round_.number - 1]
        asked = QuestionAsked(
            channel=state.channel,
            game_id=state.game_id,
            number=round_.number,
            total=len(state.questions),
            question=question,
            choices=question.choices,
            seconds=state.options.seconds,
            ends_at=round_.deadline,
        )
        hints = hints_for(question)[: round_.hints_shown]
    return GameResumed(
        channel=state.channel,
        game_id=state.game_id,
        mode=state.options.mode,
        asked=asked,
        hints=hints,
        message=message,
        unrevealed=_unrevealed(state, message, None if asked is None else asked.number),
    )


#: What an adapter appends to a question's message reference once the message shows the
#: answer ("<number>:<message>" is ``bot.adapters.common.question_refs``'s format).
REVEALED_MARK = ":revealed"


def _unrevealed(
    state: GameSnapshot, message: str | None, current: int | None
) -> QuestionRevealed | None:
    """The earlier question whose message was noted but never noted as revealed: the
    process that ran the game stopped after the reveal was saved and before the message
    showed it.  None when there is none (or the reference is not in that format)."""
    if message is None or message.endswith(REVEALED_MARK):
        return None
    number, _, _ = message.partition(":")
    if not number.isdigit() or int(number) == current:
        return None
    noted = int(number)
    if not 1 <= noted <= len(state.questions):
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
