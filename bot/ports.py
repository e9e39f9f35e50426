"""The ports the service talks through, and the records that cross them.

Ports are ``typing.Protocol``s: an implementation never inherits from them, it
only has to fit.  SQL lives behind ``ScoreStore`` (``bot/storage``), files behind
``QuestionBank`` (``bot/bank``), time behind ``Clock`` (``bot/clock.py``), and
the chat platforms behind ``EventSink`` (``bot/adapters``).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.domain.model import (
    ChannelKey,
    FieldProblem,
    GameMode,
    PlayerKey,
    Question,
    QuestionDraft,
    ServerKey,
    ServerSettings,
    Standing,
)

if TYPE_CHECKING:
    from bot.domain.events import Event


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

    @property
    def accuracy(self) -> float:
        """Share of answered questions the player got right (0.0 to 1.0)."""
        return self.correct / self.answered if self.answered else 0.0


class ScoreStore(Protocol):
    """Durable scores, game results and the asked-question history.

    Every method that writes returns only once the data is committed, so the
    service can announce what it has written.  Implementations must pass
    ``tests/contract``.
    """

    async def record_answers(self, answers: Sequence[AnswerRecord]) -> None: ...

    async def record_game(self, game: GameRecord) -> None: ...

    async def leaderboard(
        self, server: ServerKey, period: Period, *, now: datetime, limit: int = 10
    ) -> list[LeaderboardRow]: ...

    async def player_stats(self, player: PlayerKey) -> PlayerStats | None: ...

    async def find_players(self, server: ServerKey, name: str) -> list[PlayerKey]: ...

    async def asked_questions(
        self, server: ServerKey, question_ids: Collection[str]
    ) -> set[str]: ...

    async def mark_asked(
        self, server: ServerKey, question_ids: Sequence[str], *, at: datetime
    ) -> None: ...

    async def forget_asked(self, server: ServerKey, question_ids: Collection[str]) -> None: ...

    async def close(self) -> None: ...


class QuestionBank(Protocol):
    """The questions a server may be asked: bundled banks plus, later, its own."""

    async def questions(self, server: ServerKey) -> Sequence[Question]: ...


class QuestionEditor(Protocol):
    """A server's admins curating its questions, validated like bank files.

    Every change names who made it and when; bundled questions are never
    changed, only switched off for one server.
    """

    async def add_question(
        self, server: ServerKey, draft: QuestionDraft, *, by: PlayerKey, at: datetime
    ) -> Question | tuple[FieldProblem, ...]:
        """The stored question, or every problem with the draft by form field."""
        ...

    async def edit_question(
        self,
        server: ServerKey,
        question_id: str,
        draft: QuestionDraft,
        *,
        fields: frozenset[str],
        by: PlayerKey,
        at: datetime,
    ) -> Question | tuple[FieldProblem, ...] | None:
        """Replace the ``fields`` of the server's own question with the draft's
        (other fields, tags and source are kept). None when the server has no
        question of its own with that id."""
        ...

    async def remove_question(
        self, server: ServerKey, question_id: str, *, by: PlayerKey, at: datetime
    ) -> bool:
        """False when the server has no question of its own with that id."""
        ...

    async def switch_question(
        self, server: ServerKey, question_id: str, *, on: bool, by: PlayerKey, at: datetime
    ) -> bool:
        """Disable (``on=False``) or re-enable a question, bundled or own, for
        this server. False when the server has no question with that id."""
        ...

    async def import_questions(
        self, server: ServerKey, questions: Sequence[Question], *, by: PlayerKey, at: datetime
    ) -> ImportResult:
        """Make validated questions the server's own. A question whose id the
        server already has replaces it, so importing a file twice updates."""
        ...

    async def custom_questions(self, server: ServerKey) -> Sequence[Question]:
        """The server's own questions (switched off or not), oldest first."""
        ...

    async def find_question(self, server: ServerKey, question_id: str) -> ListedQuestion | None:
        """One question the server has (bundled, own, enabled or not)."""
        ...

    async def list_questions(
        self, server: ServerKey, *, search: str, page: int, own_only: bool
    ) -> QuestionPage:
        """A page of the server's questions whose id, prompt, answers or
        category contain ``search`` (case-insensitive; empty: all)."""
        ...

    async def bundled_overview(self, server: ServerKey) -> BundledOverview: ...

    async def switch_bundled(
        self,
        server: ServerKey,
        kind: Switch,
        name: str,
        *,
        on: bool,
        by: PlayerKey,
        at: datetime,
    ) -> str | None:
        """Turn a bundled category or bank on or off for the server; the
        category's or bank's own spelling, or None when there is no such one."""
        ...


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What importing a bank into a server did, question by question."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (question id, why)


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


class CustomQuestionStore(Protocol):
    """Where servers' own questions are kept (the bundled banks stay files).

    Removal is soft: a removed question leaves the server's pool but stays in
    the database with who removed it and when.
    """

    async def custom_questions(self, server: ServerKey) -> list[Question]: ...

    async def save_custom_question(
        self, server: ServerKey, question: Question, *, by: PlayerKey, at: datetime
    ) -> None:
        """Insert the question, or replace the server's question with its id."""
        ...

    async def delete_custom_question(
        self, server: ServerKey, question_id: str, *, by: PlayerKey, at: datetime
    ) -> bool: ...

    async def question_history(self, server: ServerKey) -> dict[str, QuestionHistory]:
        """Who added and last changed each of the server's own questions."""
        ...

    async def switched_off(self, server: ServerKey) -> SwitchedOff: ...

    async def switch(
        self, server: ServerKey, kind: Switch, name: str, *, on: bool, by: PlayerKey, at: datetime
    ) -> None:
        """Record that ``name`` (a question id, casefolded category or bank id)
        is switched off (``on=False``) or on again, and by whom."""
        ...


class ReportStore(Protocol):
    """Players' reports about questions, and how admins resolved them."""

    async def file_report(self, draft: ReportDraft) -> QuestionReport: ...

    async def open_reports(
        self,
        server: ServerKey,
        *,
        question_id: str | None = None,
        reporter: PlayerKey | None = None,
        limit: int = 25,
    ) -> list[QuestionReport]:
        """Open reports, oldest first; only about ``question_id`` and by
        ``reporter`` when those are given."""
        ...

    async def count_open_reports(
        self, server: ServerKey, *, reporter: PlayerKey | None = None
    ) -> int: ...

    async def get_report(self, server: ServerKey, report_id: int) -> QuestionReport | None: ...

    async def resolve_reports(
        self,
        server: ServerKey,
        report_ids: Collection[int],
        resolution: Resolution,
        *,
        by: PlayerKey,
        at: datetime,
    ) -> None:
        """Close the reports that are still open among ``report_ids``."""
        ...


class SettingsStore(Protocol):
    """Each server's own settings."""

    async def server_settings(self, server: ServerKey) -> ServerSettings: ...

    async def save_server_settings(
        self, server: ServerKey, settings: ServerSettings, *, by: PlayerKey, at: datetime
    ) -> None: ...


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
    hold every point that was announced.
    """

    game: RunningGame
    questions_asked: int
    standings: tuple[Standing, ...]


class GameJournal(Protocol):
    """Running games, kept as they change so a restart can finish them."""

    async def journal_game(self, game: RunningGame) -> None:
        """Note a game that has started (committed when this returns)."""
        ...

    async def journal_progress(self, game_id: str, questions_asked: int) -> None: ...

    async def unfinished_games(self, platform: str) -> list[UnfinishedGame]:
        """Games of ``platform`` journaled but not recorded by ``record_game``
        (which ends a game's journal entry in the same transaction)."""
        ...


class TriviaStore(
    ScoreStore, CustomQuestionStore, ReportStore, SettingsStore, GameJournal, Protocol
):
    """Everything the bot keeps, as one backend provides it (SQLite, PostgreSQL)."""


class Clock(Protocol):
    """Time, passed in so that the core runs on a fake clock in tests."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; used for deadlines."""
        ...

    def now(self) -> datetime:
        """The wall-clock time, timezone-aware UTC; used for records."""
        ...

    async def sleep_until(self, deadline: float) -> None:
        """Return once ``monotonic()`` has reached ``deadline``."""
        ...


class EventSink(Protocol):
    """Where the service publishes what happened.

    ``publish`` is called with the channel's lock held, so an adapter that
    talks to a slow API must queue the event and return quickly.
    """

    async def publish(self, event: Event) -> None: ...
