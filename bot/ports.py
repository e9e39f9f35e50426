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
    """Adds and removes a server's own questions, validating them like bank files."""

    async def add_question(
        self, server: ServerKey, draft: QuestionDraft, *, by: PlayerKey, at: datetime
    ) -> Question | tuple[FieldProblem, ...]:
        """The stored question, or every problem with the draft by form field."""
        ...

    async def remove_question(
        self, server: ServerKey, question_id: str, *, by: PlayerKey, at: datetime
    ) -> bool:
        """False when the server has no question of its own with that id."""
        ...

    async def import_questions(
        self, server: ServerKey, questions: Sequence[Question], *, by: PlayerKey, at: datetime
    ) -> ImportResult:
        """Make validated questions the server's own. A question whose id the
        server already has replaces it, so importing a file twice updates."""
        ...


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What importing a bank into a server did, question by question."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (question id, why)


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


class TriviaStore(ScoreStore, CustomQuestionStore, SettingsStore, GameJournal, Protocol):
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
