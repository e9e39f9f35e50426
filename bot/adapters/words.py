"""Small text helpers every renderer shares (console, Discord, Slack): no markup here."""

from __future__ import annotations


def clip(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plural(count: int, word: str) -> str:
    """ "1 question", "2 questions": ``word`` takes an s unless there is one."""
    return f"{count} {word}{'' if count == 1 else 's'}"
