"""Commands: what adapters ask the service to do.

An adapter turns a platform event into one of these (a pure translation) and
hands it to ``TriviaService.handle``.  Every command says where it came from
(``channel``) and who sent it (``actor``), so replies can be routed back.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.model import (
    DRAFT_FIELDS,
    Actor,
    ChannelKey,
    GameMode,
    PlayerKey,
    Question,
    QuestionDraft,
    SeasonLength,
    StartPolicy,
)
from bot.domain.records import (
    Period,
    ReportKind,
    Switch,
)


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
    #: One player by construction (the console): see ``GameOptions.solo``.
    solo: bool = False
    #: Only questions of this difficulty ("easy", ...): a scheduled quiz's choice.
    difficulty: str | None = None


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
    """``season``: a season's board by name ("current", "previous", "2026-11",
    "2026-Q3"; see ``Season.parse``) instead of ``period``; ``daily``: only the
    daily questions' points."""

    channel: ChannelKey
    actor: Actor
    period: Period = Period.ALL
    limit: int = 10
    season: str | None = None
    daily: bool = False


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
class EditQuestion:
    """An admin changes one of this server's own questions.

    Only ``fields`` are taken from the draft (a Discord form has no room for
    choices and hints, so it leaves them as they are); tags, number settings
    and the source are always kept. Editing resolves the question's open
    reports.
    """

    channel: ChannelKey
    actor: Actor
    question_id: str
    draft: QuestionDraft
    fields: frozenset[str] = frozenset(DRAFT_FIELDS)


@dataclass(frozen=True, slots=True)
class SwitchQuestion:
    """An admin disables (``on=False``) or re-enables a question for this
    server: one of its own or a bundled one. Disabling resolves the
    question's open reports."""

    channel: ChannelKey
    actor: Actor
    question_id: str
    on: bool


@dataclass(frozen=True, slots=True)
class ListQuestions:
    """An admin pages through this server's questions, optionally searching."""

    channel: ChannelKey
    actor: Actor
    search: str = ""
    page: int = 1
    own_only: bool = False


@dataclass(frozen=True, slots=True)
class ShowQuestion:
    """An admin looks at one question in full (and at its open reports);
    adapters also use it to fill an edit form."""

    channel: ChannelKey
    actor: Actor
    question_id: str


@dataclass(frozen=True, slots=True)
class ImportQuestions:
    """An admin imports a validated bank file into this server's questions.

    Adapters parse and validate the file (off the event loop) and send this
    only for a file without problems; ``source`` names the file.
    """

    channel: ChannelKey
    actor: Actor
    source: str
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class ExportQuestions:
    """An admin asks for this server's own questions as a bank file."""

    channel: ChannelKey
    actor: Actor


@dataclass(frozen=True, slots=True)
class ReportQuestion:
    """A player flags a question as wrong or unclear.

    ``question_id`` comes from a button on a reveal; without it the report is
    about the last question asked in the channel.
    """

    channel: ChannelKey
    actor: Actor
    kind: ReportKind = ReportKind.WRONG
    reason: str = ""
    question_id: str | None = None


@dataclass(frozen=True, slots=True)
class ListReports:
    """An admin looks at this server's open reports."""

    channel: ChannelKey
    actor: Actor


@dataclass(frozen=True, slots=True)
class DismissReport:
    """An admin closes a report without changing the question."""

    channel: ChannelKey
    actor: Actor
    report_id: int


@dataclass(frozen=True, slots=True)
class ShowBundled:
    """The bundled banks and categories, and which are on for this server."""

    channel: ChannelKey
    actor: Actor


@dataclass(frozen=True, slots=True)
class SwitchBundled:
    """An admin turns a bundled category or bank on or off for this server."""

    channel: ChannelKey
    actor: Actor
    kind: Switch
    name: str
    on: bool


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
    #: Monthly or quarterly seasons (their leaderboards and results posts).
    season_length: SeasonLength | None = None


@dataclass(frozen=True, slots=True)
class AnswerDaily:
    """A private answer to a daily question: ``text`` typed (a form, ``/trivia
    answer``) or ``choice`` clicked (0-based).  ``round_id`` None: the round open
    in ``channel``."""

    channel: ChannelKey
    actor: Actor
    text: str | None = None
    choice: int | None = None
    round_id: int | None = None


@dataclass(frozen=True, slots=True)
class AddSchedule:
    """An admin adds a schedule.  Settings come as the admin typed them and are
    read by ``bot.domain.schedule``'s parsers, so every surface refuses a bad one
    with the same words.  ``target`` is the channel to post in (None: this one)."""

    channel: ChannelKey
    actor: Actor
    kind: str
    at: str
    zone: str
    days: str = "daily"
    closes: str | None = None
    category: str | None = None
    difficulty: str | None = None
    options: tuple[str, ...] = ()
    remind: str | None = None
    target: str | None = None


@dataclass(frozen=True, slots=True)
class ListSchedules:
    channel: ChannelKey
    actor: Actor


@dataclass(frozen=True, slots=True)
class SwitchSchedule:
    """Pause (``paused=True``) or resume one of this server's schedules."""

    channel: ChannelKey
    actor: Actor
    schedule_id: int
    paused: bool


@dataclass(frozen=True, slots=True)
class RemoveSchedule:
    channel: ChannelKey
    actor: Actor
    schedule_id: int


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
    | EditQuestion
    | SwitchQuestion
    | ListQuestions
    | ShowQuestion
    | ImportQuestions
    | ExportQuestions
    | ReportQuestion
    | ListReports
    | DismissReport
    | ShowBundled
    | SwitchBundled
    | ShowSettings
    | ChangeSettings
    | AnswerDaily
    | AddSchedule
    | ListSchedules
    | SwitchSchedule
    | RemoveSchedule
)

#: Commands the admin desks answer (reports are filed by anyone).
QuestionAdminCommand = (
    AddQuestion
    | RemoveQuestion
    | EditQuestion
    | SwitchQuestion
    | ListQuestions
    | ShowQuestion
    | ImportQuestions
    | ExportQuestions
    | ReportQuestion
    | ListReports
    | DismissReport
    | ShowBundled
    | SwitchBundled
)
