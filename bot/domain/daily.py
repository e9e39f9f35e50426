"""The daily question and seasons: what scheduled play shows players (issue #17).

Pure types, shared by the service that runs scheduled play and every adapter
that shows it.  A *daily round* is one firing of a daily-question schedule: one
question posted in a channel and open until ``closes_at``.  Players answer it
privately, once each (a close guess is not an answer: they are told and may try
again); when the window closes the answer and who got it right, fastest first,
replace the question in its message.

A *streak* is a player's run of daily rounds answered right in a server, in the
order the rounds opened: a round the player did not answer right breaks it, and
the round still open does not break it until it closes.

A *season* is a calendar month or quarter in UTC (a server chooses which); its
leaderboard sums the points scored in it, games and daily rounds alike.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.domain.model import (
    ChannelKey,
    PlayerKey,
    Question,
    SeasonLength,
    ServerKey,
    choice_index,
)
from bot.domain.records import LeaderboardRow

__all__ = [
    "MAX_DAILY_ANSWER",
    "DailyHome",
    "DailyRound",
    "DailyWinner",
    "HomeRound",
    "Season",
    "SeasonError",
    "SeasonLength",
    "Verdict",
]


#: The longest private answer kept (its form field takes no more).
MAX_DAILY_ANSWER = 200


@dataclass(frozen=True, slots=True)
class DailyRound:
    """One daily question in one channel.  ``message_ref`` is the platform's
    reference of the message that shows it (None until the adapter has posted it);
    ``revealed`` is True once its window closed and the answer was shown."""

    id: int
    schedule_id: int
    channel: ChannelKey
    question: Question
    choices: tuple[str, ...]
    opened_at: datetime
    closes_at: datetime
    message_ref: str | None = None
    revealed: bool = False

    @property
    def server(self) -> ServerKey:
        return self.channel.server_key

    @property
    def correct_choice(self) -> int | None:
        """Which of ``choices`` (as shown) is the answer; None for a typed question."""
        return choice_index(self.choices, self.question.answer) if self.choices else None


class Verdict(enum.StrEnum):
    """What a private answer to a daily question came to."""

    RIGHT = "right"
    WRONG = "wrong"
    #: Nearly right: not counted, the player may answer again.
    CLOSE = "close"
    #: The player had answered this round already; nothing changed.
    ALREADY = "already"
    #: The round's window has closed (or there is no open round here).
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class DailyWinner:
    """A player who answered a daily round right; ``seconds`` after it opened."""

    player: PlayerKey
    name: str
    seconds: float
    streak: int


@dataclass(frozen=True, slots=True)
class HomeRound:
    """A daily round open in the player's server, and what they made of it so far:
    ``verdict`` RIGHT or WRONG once they answered, None before."""

    round: DailyRound
    verdict: Verdict | None = None

    @property
    def answered(self) -> bool:
        return self.verdict is not None


_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$")
_QUARTER = re.compile(r"^(?P<year>\d{4})-?[qQ](?P<quarter>[1-4])$")


class SeasonError(ValueError):
    """A season name that cannot be read; the message shows the forms that can."""


@dataclass(frozen=True, slots=True, order=True)
class Season:
    """A month (``2026-12``) or a quarter (``2026-Q4``), in UTC."""

    year: int
    #: The first month of the season (1-12).
    month: int
    length: SeasonLength

    @classmethod
    def containing(cls, at: datetime, length: SeasonLength) -> Season:
        at = at.astimezone(UTC)
        if length is SeasonLength.MONTHLY:
            return cls(at.year, at.month, length)
        return cls(at.year, (at.month - 1) // 3 * 3 + 1, length)

    @classmethod
    def parse(cls, text: str, length: SeasonLength, *, now: datetime) -> Season:
        """``current``, ``previous``, ``2026-12`` or ``2026-Q4``; the form must match
        ``length`` (a monthly server has no quarters)."""
        cleaned = text.strip()
        current = cls.containing(now, length)
        if cleaned.lower() in ("", "current", "this"):
            return current
        if cleaned.lower() in ("previous", "last"):
            return current.previous
        month = _MONTH.match(cleaned)
        quarter = _QUARTER.match(cleaned)
        if length is SeasonLength.MONTHLY and month and 1 <= int(month["month"]) <= 12:
            return cls(int(month["year"]), int(month["month"]), length)
        if length is SeasonLength.QUARTERLY and quarter:
            return cls(int(quarter["year"]), (int(quarter["quarter"]) - 1) * 3 + 1, length)
        example = current.name
        raise SeasonError(
            f"unknown season {text!r}: this server's seasons are {length.value}; "
            f"use 'current', 'previous' or a name like {example}"
        )

    @property
    def months(self) -> int:
        return 1 if self.length is SeasonLength.MONTHLY else 3

    @property
    def name(self) -> str:
        if self.length is SeasonLength.MONTHLY:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-Q{(self.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        """In words, as players see it: "December 2026", "Q4 2026"."""
        if self.length is SeasonLength.MONTHLY:
            return date(self.year, self.month, 1).strftime("%B %Y")
        return f"Q{(self.month - 1) // 3 + 1} {self.year}"

    @property
    def starts(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def ends(self) -> datetime:
        """The first instant after the season (the next one's ``starts``)."""
        return self.next.starts

    @property
    def next(self) -> Season:
        index = self.year * 12 + self.month - 1 + self.months
        return Season(index // 12, index % 12 + 1, self.length)

    @property
    def previous(self) -> Season:
        index = self.year * 12 + self.month - 1 - self.months
        return Season(index // 12, index % 12 + 1, self.length)


@dataclass(frozen=True, slots=True)
class DailyHome:
    """What one player's home view shows of scheduled play (Slack's App Home): the
    rounds open in their server, their streaks, and the season's daily board."""

    player: PlayerKey
    rounds: tuple[HomeRound, ...]
    streak: int
    best_streak: int
    season: Season
    season_rows: tuple[LeaderboardRow, ...]
