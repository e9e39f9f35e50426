"""What issue #16's scenarios play on both platforms: a bank of typed and choice questions
(``budget_bank``) and the scenarios themselves (the rows of the issue's table).  Each
platform's ``scenarios`` module plays them against its fake and counts the calls."""

from __future__ import annotations

import enum
from pathlib import Path

WORDS = (
    "purple",
    "orange",
    "yellow",
    "silver",
    "violet",
    "magenta",
    "crimson",
    "emerald",
    "scarlet",
    "indigo",
)
PLANETS = ("Venus", "Mars", "Jupiter")


def budget_bank() -> str:
    """Ten typed questions ("Type the word purple": two automatic hints each) and ten
    with options ("Pick Mars")."""
    lines = ["id: budget", "title: Budget scenarios", "questions:"]
    for index, word in enumerate(WORDS):
        lines += [
            f"  - id: type-{word}",
            f'    prompt: "Type the word {word}"',
            f"    answers: [{word}]",
            "    category: words",
        ]
        pick = PLANETS[index % 3]
        lines += [
            f"  - id: pick-{pick.lower()}-{index}",
            f'    prompt: "Pick {pick} ({index})"',
            "    type: choice",
            f"    choices: [{', '.join(PLANETS)}]",
            f"    answers: [{pick}]",
            "    category: planets",
        ]
    return "\n".join(lines) + "\n"


def write_budget_bank(directory: Path) -> Path:
    path = directory / "budget.yaml"
    path.write_text(budget_bank(), encoding="utf-8")
    return path


class Scenario(enum.StrEnum):
    """The rows of issue #16's table."""

    ANSWERED_FAST = "text, answered fast (one wrong, one close guess)"
    AFTER_HINT = "text, answered after the first auto hint"
    UNANSWERED = "text, nobody answers"
    CHOICE = "choice, 3 clicks"
