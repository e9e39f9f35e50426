"""How many points a correct answer is worth.

The rules (also in the README, "Scoring"):

- **Base** by difficulty: easy 10, medium 20, hard 30.
- **Speed bonus**: up to half the base, in proportion to the time left on the
  question when the answer came (answer at once: +50 %; at the buzzer: +0).
- **Streak bonus**: +2 for every earlier question in an unbroken run of correct
  answers by the same player in this game, at most +10.
- **Hints**: every hint shown before the answer takes a quarter of the base
  away; at most three quarters, so a correct answer always earns something.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.awards import Points
from bot.domain.model import Difficulty


@dataclass(frozen=True, slots=True)
class ScoringRules:
    easy: int = 10
    medium: int = 20
    hard: int = 30
    speed_share: float = 0.5
    streak_step: int = 2
    streak_cap: int = 10
    hint_share: float = 0.25
    max_hint_share: float = 0.75

    def base(self, difficulty: Difficulty) -> int:
        match difficulty:
            case Difficulty.EASY:
                return self.easy
            case Difficulty.MEDIUM:
                return self.medium
            case Difficulty.HARD:
                return self.hard

    def score(
        self,
        difficulty: Difficulty,
        *,
        elapsed: float,
        seconds: float,
        streak: int,
        hints_shown: int,
    ) -> Points:
        """Points for a correct answer ``elapsed`` seconds into a question of
        ``seconds``; ``streak`` counts this answer (1 = no earlier run)."""
        base = self.base(difficulty)
        time_left = min(max(seconds - elapsed, 0.0), seconds) / seconds if seconds > 0 else 0.0
        speed = round(base * self.speed_share * time_left)
        streak_bonus = min(max(streak - 1, 0) * self.streak_step, self.streak_cap)
        penalty = round(base * min(self.hint_share * hints_shown, self.max_hint_share))
        total = base - penalty + speed + streak_bonus
        return Points(
            base=base,
            speed_bonus=speed,
            streak_bonus=streak_bonus,
            hint_penalty=penalty,
            total=total,
        )
