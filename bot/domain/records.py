"""The records that cross the ports: what the service writes and what it reads back.

Plain frozen values, no I/O: the store turns them into rows, the renderers
into messages.  The ports that carry them are in ``bot.ports``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bot.domain.model import (
    ChannelKey,
    GameMode,
    PlayerKey,
    Question,
    ServerKey,
    Standing,
)
from bot.domain.snapshot import GameSnapshot


class Period(enum.StrEnum):
    """Leaderboard windows. Weeks start on Monday; days and weeks are UTC."""

    ALL = "all"
    WEEK = "week"
    TODAY = "today"

    @property
    def label(self) -> str:
        """The period in words, as every platform shows it: "all time", "this week", "today"."""
        return {"all": "all time", "week": "this week", "today": "today"}[self.value]


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One player's outcome on one question.

    Written when a point is scored (``correct=True``, before it is announced)
    and at the reveal for players who tried and missed (``correct=False``).
    ``streak`` is the player's run of consecutive correct answers in this game
    including this one (0 for a miss).
    """

    player: PlayerKey
    name: str
    channel: ChannelKey
    game_id: str
    question_id: str
    correct: bool
    points: int
    answer_ms: int
    streak: int
    at: datetime


@dataclass(frozen=True, slots=True)
class GameRecord:
    """A finished game. ``winner`` is None for one-player games and games
    nobody scored in: they count for stats but not for wins."""

    game_id: str
    channel: ChannelKey
    mode: GameMode
    started_at: datetime
    ended_at: datetime
    reason: str
    questions_asked: int
    standings: tuple[Standing, ...]
    winner: PlayerKey | None


@dataclass(frozen=True, slots=True)
class LeaderboardRow:
    rank: int
    player: PlayerKey
    name: str
    points: int
    correct: int


@dataclass(frozen=True, slots=True)
class PlayerStats:
    player: PlayerKey
    name: str
    points: int
    games: int
    wins: int
    correct: int
    answered: int
    best_streak: int
    average_answer_ms: float | None
    #: The player's run of daily questions answered right, now and at its longest
    #: (``bot.domain.daily``); the score store leaves them 0, the scores desk fills them.
    daily_streak: int = 0
    best_daily_streak: int = 0

    @property
    def accuracy(self) -> float:
        """Share of answered questions the player got right (0.0 to 1.0)."""
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class DailyAnswer:
    """One player's private answer to a daily round (``bot.ports.DailyStore``): kept
    once per player and round, the first one given.  ``points`` are what a right
    one scored (0 for a wrong one)."""

    round_id: int
    player: PlayerKey
    name: str
    guess: str
    correct: bool
    points: int
    at: datetime


@dataclass(frozen=True, slots=True)
class DailyStreak:
    """A player's run of daily rounds answered right in a server: the one going on
    (``current``) and the longest so far (``best``)."""

    current: int = 0
    best: int = 0


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What importing a bank into a server did, question by question."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (question id, why)


@dataclass(frozen=True, slots=True)
class ImportRefused:
    """An import refused whole, before anything was written: ``message`` says
    why and what to do (say, the server's own questions would pass their cap)."""

    message: str


class Switch(enum.StrEnum):
    """What an admin can switch off for their server."""

    QUESTION = "question"
    CATEGORY = "category"  # of the bundled banks
    BANK = "bank"  # a bundled bank


@dataclass(frozen=True, slots=True)
class SwitchedOff:
    """What a server has switched off: question ids (bundled or own),
    bundled categories (casefolded) and bundled bank ids."""

    questions: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    banks: frozenset[str] = frozenset()

    def allows(self, question: Question) -> bool:
        if question.id in self.questions:
            return False
        if question.scope:  # the server's own: only switched off one by one
            return True
        return (
            question.bank_id not in self.banks
            and question.category.casefold() not in self.categories
        )


@dataclass(frozen=True, slots=True)
class QuestionHistory:
    """Who added a server's own question and who last changed it, and when."""

    added_by: str
    added_at: datetime
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class ListedQuestion:
    """A question as an admin sees it: whose it is and whether it is asked here.

    ``enabled`` is False when the question, or (for a bundled one) its
    category or bank, is switched off for the server.
    """

    question: Question
    own: bool
    enabled: bool
    history: QuestionHistory | None = None


@dataclass(frozen=True, slots=True)
class QuestionPage:
    items: tuple[ListedQuestion, ...]
    page: int  # 1-based; clamped to the last page
    pages: int  # at least 1
    total: int  # matching questions on all pages
    search: str
    own_only: bool


@dataclass(frozen=True, slots=True)
class BundledPart:
    """A bundled bank or category and whether the server has it on."""

    name: str  # bank id or category name
    title: str  # bank title; the category name again for categories
    questions: int
    on: bool


@dataclass(frozen=True, slots=True)
class BundledOverview:
    banks: tuple[BundledPart, ...]
    categories: tuple[BundledPart, ...]


class ReportKind(enum.StrEnum):
    WRONG = "wrong"  # the answer (or an option, or the explanation) is wrong
    UNCLEAR = "unclear"  # the question can be read more than one way


class Resolution(enum.StrEnum):
    EDITED = "edited"
    DISABLED = "disabled"
    REMOVED = "removed"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class ReportDraft:
    """A player's report before it is stored."""

    server: ServerKey
    channel: ChannelKey
    question_id: str
    prompt: str  # as it was asked: the question may change or go later
    kind: ReportKind
    reason: str
    reporter: PlayerKey
    reporter_name: str
    at: datetime


@dataclass(frozen=True, slots=True)
class QuestionReport:
    """A stored report; open while ``resolution`` is None."""

    id: int
    draft: ReportDraft
    resolution: Resolution | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None

    @property
    def question_id(self) -> str:
        return self.draft.question_id


@dataclass(frozen=True, slots=True)
class RunningGame:
    """What the journal keeps of a game while it runs."""

    game_id: str
    channel: ChannelKey
    mode: GameMode
    started_at: datetime
    started_by: PlayerKey
    total_questions: int


@dataclass(frozen=True, slots=True)
class UnfinishedGame:
    """A journaled game that was never recorded as ended (the bot died).

    ``standings`` are rebuilt from the committed answers of the game, so they
    hold every point that was announced.  ``state`` is the game as last saved
    (None if it never was, or cannot be read): saved in the same transaction
    as the points of the same moment, its scores agree with ``standings``.
    ``question_message`` is the platform's reference to the open question's
    message, as the adapter noted it.
    """

    game: RunningGame
    questions_asked: int
    standings: tuple[Standing, ...]
    state: GameSnapshot | None = None
    state_seq: int = 0
    state_at: datetime | None = None
    question_message: str | None = None


@dataclass(frozen=True, slots=True)
class GameInPlay:
    """What an adapter may know of a channel's running game: never the game itself,
    whose state only the service changes."""

    game_id: str
    mode: GameMode
    question_number: int  # the latest question's number; 0 before the first
