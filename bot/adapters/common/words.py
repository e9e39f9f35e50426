"""Small text helpers every renderer shares (console, Discord, Slack): no markup here."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.words import plural

__all__ = ["clip", "closed_reports", "plural", "then"]


def clip(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def then(text: str, note: str) -> str:
    """``text`` and then ``note`` (a sentence of its own), when there is one."""
    return f"{text} {note}" if note else text


def closed_reports(resolved: Sequence[int]) -> str:
    """What a change that closed players' reports adds ("Closed 2 reports: #4, #7."), or ""."""
    if not resolved:
        return ""
    return f"Closed {plural(len(resolved), 'report')}: {', '.join(f'#{n}' for n in resolved)}."


#: What every platform says when a channel's results wait for the database (``ScoresDelayed``).
SCORES_DELAYED = (
    "⏳ Saving the scores is taking longer than usual: the database is busy. Nothing is "
    "lost, and the game goes on as soon as they are saved."
)
#: What every platform says of a game saved to go on after a restart.
GAME_PAUSED = "⏸️ Back in a moment: the bot is restarting. This game goes on where it stood."
#: What every platform says of a game whose end could not be saved before the bot stopped.
GAME_SUSPENDED = (
    "⏸️ The bot is restarting and could not save this game in time. Nothing is lost: "
    "when the bot is back the game goes on from its last saved point, or, if it was away "
    "too long, is finished with every point."
)


def took(seconds: float) -> str:
    """How long after a daily question opened someone answered it: "4.2 s", "42 s",
    "5 min 3 s", "2 h 5 min"."""
    whole = max(int(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{seconds:.1f} s" if seconds < 10 else f"{secs} s"


def streak_words(streak: int) -> str:
    """A winner's daily streak after their name, from two days on: ", 🔥 3-day streak"."""
    return f", 🔥 {streak}-day streak" if streak > 1 else ""
