"""The players of one game and what they have earned.

``TriviaGame`` decides who answered correctly; the ``Scoreboard`` keeps the
books: the points of each award by the ``ScoringRules``, the streak that grows
with every correct answer and breaks on a question the player did not score,
the misses of those who tried and failed, and the table ``rank`` orders.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass

from bot.domain.awards import Award, Miss
from bot.domain.model import Actor, Difficulty, Instant, PlayerKey, Standing
from bot.domain.scoring import ScoringRules
from bot.domain.snapshot import PlayerState, to_mono, to_wall
from bot.domain.standings import Tally, rank


@dataclass(slots=True)
class _Player:
    name: str
    points: int = 0
    correct: int = 0
    streak: int = 0
    # When the player's total last changed: the earlier one wins a tie.
    scored_at: float = float("inf")


class Scoreboard:
    """Every player who took part in one game, with their points and streak."""

    __slots__ = ("_players", "_rules")

    def __init__(self, rules: ScoringRules) -> None:
        self._rules = rules
        self._players: dict[PlayerKey, _Player] = {}

    def join(self, actor: Actor) -> None:
        """Count ``actor`` in, under the name they go by now."""
        player = self._players.get(actor.key)
        if player is None:
            self._players[actor.key] = _Player(name=actor.name)
        else:
            player.name = actor.name

    def award(
        self,
        key: PlayerKey,
        *,
        guess: str,
        difficulty: Difficulty,
        seconds: float,
        hints_shown: int,
        elapsed_ms: int,
        at: float,
    ) -> Award:
        """Score a correct answer by a player who joined, ``at`` being when
        their total changes (monotonic seconds, for ties)."""
        player = self._players[key]
        player.streak += 1
        points = self._rules.score(
            difficulty,
            elapsed=elapsed_ms / 1000,
            seconds=seconds,
            streak=player.streak,
            hints_shown=hints_shown,
        )
        player.points += points.total
        player.correct += 1
        player.scored_at = at
        return Award(
            player=key,
            name=player.name,
            guess=guess,
            points=points,
            answer_ms=elapsed_ms,
            streak=player.streak,
        )

    def settle(self, tried: Mapping[PlayerKey, int], scorers: Set[PlayerKey]) -> tuple[Miss, ...]:
        """Close a question: everyone who did not score loses their streak, and
        those who tried (first attempt at ``tried[key]`` ms) are its misses."""
        for key, player in self._players.items():
            if key not in scorers:
                player.streak = 0
        return tuple(
            Miss(player=key, name=self._players[key].name, answer_ms=ms)
            for key, ms in tried.items()
            if key not in scorers
        )

    def state(self, now: Instant) -> tuple[PlayerState, ...]:
        """The players as plain values, their moments on the wall clock."""
        return tuple(
            PlayerState(
                key=key,
                name=p.name,
                points=p.points,
                correct=p.correct,
                streak=p.streak,
                scored_at=None if p.scored_at == float("inf") else to_wall(p.scored_at, now),
            )
            for key, p in self._players.items()
        )

    def restore(self, players: Iterable[PlayerState], now: Instant) -> None:
        """Take the players back as ``state`` gave them, on this process's clock."""
        self._players = {
            p.key: _Player(
                name=p.name,
                points=p.points,
                correct=p.correct,
                streak=p.streak,
                scored_at=float("inf") if p.scored_at is None else to_mono(p.scored_at, now),
            )
            for p in players
        }

    def standings(self) -> tuple[Standing, ...]:
        return rank(
            Tally(
                player=key, name=p.name, points=p.points, correct=p.correct, reached_at=p.scored_at
            )
            for key, p in self._players.items()
        )
