"""Commands: what adapters ask the service to do.

An adapter turns a platform event into one of these (a pure translation) and
hands it to ``TriviaService.handle``.  Every command says where it came from
(``channel``) and who sent it (``actor``), so replies can be routed back.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.model import Actor, ChannelKey, GameMode, PlayerKey, QuestionDraft, StartPolicy
from bot.ports import Period


@dataclass(frozen=True, slots=True)
class StartGame:
    """Start a game; ``None`` fields take the server's defaults."""

    channel: ChannelKey
    actor: Actor
    rounds: int | None = None
    seconds: float | None = None
    mode: GameMode | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SubmitAnswer:
    """A typed guess (text mode) or a typed pick such as ``B`` or ``2``."""

    channel: ChannelKey
    actor: Actor
    text: str


@dataclass(frozen=True, slots=True)
class PickChoice:
    """A click on an option button; ``choice`` is the 0-based option index."""

    channel: ChannelKey
    actor: Actor
    question_number: int
    choice: int


@dataclass(frozen=True, slots=True)
class RequestHint:
    channel: ChannelKey
    actor: Actor


@dataclass(frozen=True, slots=True)
class SkipQuestion:
    channel: ChannelKey
    actor: Actor


@dataclass(frozen=True, slots=True)
class StopGame:
    channel: ChannelKey
    actor: Actor


@dataclass(frozen=True, slots=True)
class ShowScore:
    """The running game's standings so far."""

    channel: ChannelKey
    actor: Actor


@dataclass(frozen=True, slots=True)
class ShowLeaderboard:
    channel: ChannelKey
    actor: Actor
    period: Period = Period.ALL
    limit: int = 10


@dataclass(frozen=True, slots=True)
class ShowStats:
    """Stats of ``player`` (default: the actor)."""

    channel: ChannelKey
    actor: Actor
    player: PlayerKey | None = None


@dataclass(frozen=True, slots=True)
class ListCategories:
    channel: ChannelKey
    actor: Actor


@dataclass(frozen=True, slots=True)
class AddQuestion:
    """An admin adds a question to this server's own questions."""

    channel: ChannelKey
    actor: Actor
    draft: QuestionDraft


@dataclass(frozen=True, slots=True)
class RemoveQuestion:
    """An admin removes one of this server's own questions (kept in history)."""

    channel: ChannelKey
    actor: Actor
    question_id: str


@dataclass(frozen=True, slots=True)
class ShowSettings:
    channel: ChannelKey
    actor: Actor


@dataclass(frozen=True, slots=True)
class ChangeSettings:
    """An admin changes server settings; ``None`` leaves a field as it is,
    and ``reset`` names fields to put back to the bot's default."""

    channel: ChannelKey
    actor: Actor
    rounds: int | None = None
    seconds: float | None = None
    mode: GameMode | None = None
    start_policy: StartPolicy | None = None
    starter_role: str | None = None
    admin_role: str | None = None
    reset: frozenset[str] = frozenset()


Command = (
    StartGame
    | SubmitAnswer
    | PickChoice
    | RequestHint
    | SkipQuestion
    | StopGame
    | ShowScore
    | ShowLeaderboard
    | ShowStats
    | ListCategories
    | AddQuestion
    | RemoveQuestion
    | ShowSettings
    | ChangeSettings
)
