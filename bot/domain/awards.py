"""What a player got for a question: the points and how they were made up, or a miss.

Plain values shared by the events that announce them, the scoreboard that
keeps them and the snapshot that carries a game to another process.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.model import PlayerKey


@dataclass(frozen=True, slots=True)
class Points:
    """How a score was made up; ``total`` is what the player gets."""

    base: int
    speed_bonus: int
    streak_bonus: int
    hint_penalty: int
    total: int


@dataclass(frozen=True, slots=True)
class Award:
    player: PlayerKey
    name: str
    guess: str
    points: Points
    answer_ms: int
    streak: int


@dataclass(frozen=True, slots=True)
class Miss:
    """A player who tried and did not score; recorded for accuracy stats."""

    player: PlayerKey
    name: str
    answer_ms: int
