"""Final tables and winners: the rules every ended game follows.

Used by a running game and by a game rebuilt from the answer log after a
restart, so both end by the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.model import PlayerKey, Standing


@dataclass(frozen=True, slots=True)
class Tally:
    """One player's result so far; ``reached_at`` is when their total last
    changed (any increasing number: a clock reading, a log position)."""

    player: PlayerKey
    name: str
    points: int
    correct: int
    reached_at: float


def rank(tallies: Iterable[Tally]) -> tuple[Standing, ...]:
    """Most points first; a tie goes to whoever got there first."""
    ordered = sorted(tallies, key=lambda t: (-t.points, t.reached_at, t.name, t.player))
    return tuple(
        Standing(player=t.player, name=t.name, points=t.points, correct=t.correct, rank=index)
        for index, t in enumerate(ordered, start=1)
    )


def winner_of(standings: tuple[Standing, ...]) -> Standing | None:
    """The top of the table, except that one-player games and games nobody
    scored in have no winner, so wins cannot be farmed alone."""
    if len(standings) < 2 or standings[0].points <= 0:
        return None
    return standings[0]
