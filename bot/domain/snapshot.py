"""A running game as plain values: what another process needs to carry it on.

``TriviaGame.snapshot(now)`` takes one, ``TriviaGame.resume(snapshot, now)``
makes a game that goes on exactly where the snapshot stood.  A game counts
time on the monotonic clock of the process running it, which means nothing
to another process (or to this one after a restart), so every moment is kept
as a wall-clock instant (UTC) and turned back into the new process's
monotonic time on resume: a question keeps the time it had left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.awards import Award
from bot.domain.model import Actor, ChannelKey, GameOptions, Instant, PlayerKey, Question


def to_wall(mono: float, now: Instant) -> datetime:
    """The wall-clock instant of monotonic time ``mono``, seen from ``now``."""
    return now.wall + timedelta(seconds=mono - now.mono)


def to_mono(wall: datetime, now: Instant) -> float:
    """The monotonic time of wall-clock instant ``wall``, seen from ``now``."""
    return now.mono + (wall - now.wall).total_seconds()


@dataclass(frozen=True, slots=True)
class PlayerState:
    """One player's line on a game's scoreboard.  ``scored_at`` orders ties (the
    earlier wins); None for a player who has not scored."""

    key: PlayerKey
    name: str
    points: int
    correct: int
    streak: int
    scored_at: datetime | None


@dataclass(frozen=True, slots=True)
class RoundState:
    """The question being asked (or the last one asked) and what players did."""

    number: int
    asked_at: datetime
    deadline: datetime
    hint_times: tuple[datetime, ...]
    hints_shown: int
    tried: tuple[tuple[PlayerKey, int], ...]
    locked_out: tuple[PlayerKey, ...]
    picks: tuple[tuple[PlayerKey, int, int], ...]  # player, choice, ms
    awards: tuple[Award, ...]


@dataclass(frozen=True, slots=True)
class GameSnapshot:
    """Everything ``TriviaGame`` holds, with every moment on the wall clock."""

    game_id: str
    channel: ChannelKey
    options: GameOptions
    started_by: Actor
    questions: tuple[Question, ...]
    phase: str
    round: RoundState | None
    next_at: datetime | None
    idle: int
    started_at: datetime | None
    players: tuple[PlayerState, ...]
    taken_at: datetime
