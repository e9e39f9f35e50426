"""Events: what the service tells adapters happened.

Adapters render each event type (``match`` on the class, never on strings).
Events with a ``recipient`` are meant for that player alone (an ephemeral
message on Discord and Slack); the others are for the whole channel.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from bot.domain.awards import Award, Miss
from bot.domain.daily import DailyRound, DailyWinner, Season, Verdict
from bot.domain.model import (
    ChannelKey,
    FieldProblem,
    GameMode,
    GameOptions,
    PlayerKey,
    Question,
    ServerSettings,
    Standing,
)
from bot.domain.records import (
    BundledOverview,
    ImportResult,
    LeaderboardRow,
    ListedQuestion,
    Period,
    PlayerStats,
    QuestionPage,
    QuestionReport,
)
from bot.domain.schedule import Schedule


class RevealReason(enum.StrEnum):
    ANSWERED = "answered"
    TIMEOUT = "timeout"
    SKIPPED = "skipped"
    STOPPED = "stopped"
    #: A solo game's only player can change nothing more (locked out, or picked).
    NOBODY_LEFT = "nobody_left"


class EndReason(enum.StrEnum):
    COMPLETED = "completed"
    STOPPED = "stopped"
    IDLE = "idle"
    SHUTDOWN = "shutdown"
    RESTARTED = "restarted"
    """The bot stopped without ending the game (a crash, a kill); the game
    was ended from its recorded answers when the bot came back."""


class Refusal(enum.StrEnum):
    """Why a command was refused; the event's ``message`` says it in words."""

    NO_GAME = "no_game"
    GAME_RUNNING = "game_running"
    NOT_ALLOWED = "not_allowed"
    NO_QUESTIONS = "no_questions"
    BAD_OPTION = "bad_option"
    ALREADY_ANSWERED = "already_answered"
    NOT_NOW = "not_now"
    UNKNOWN_PLAYER = "unknown_player"


@dataclass(frozen=True, slots=True)
class GameStarted:
    channel: ChannelKey
    game_id: str
    options: GameOptions
    started_by: PlayerKey
    started_by_name: str
    total_questions: int


@dataclass(frozen=True, slots=True)
class QuestionAsked:
    """``choices`` is empty for typed questions. ``ends_at`` is wall-clock
    (for countdown markup such as Discord's ``<t:...:R>``)."""

    channel: ChannelKey
    game_id: str
    number: int
    total: int
    question: Question
    choices: tuple[str, ...]
    seconds: float
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class HintGiven:
    channel: ChannelKey
    game_id: str
    number: int
    hint: str
    hints_shown: int
    hints_left: int
    #: Asked for by a player (``RequestHint``), not fallen due on its own.
    requested: bool = False


@dataclass(frozen=True, slots=True)
class AnswerAccepted:
    """A player scored; the point is already committed when this is published.

    ``announce`` is False in choice mode, where the reveal that follows lists
    every award at once; adapters then need not show this event on its own.
    """

    channel: ChannelKey
    game_id: str
    number: int
    question_id: str
    award: Award
    announce: bool = True


@dataclass(frozen=True, slots=True)
class CloseGuess:
    """A near miss; adapters may say "close!" without revealing anything."""

    channel: ChannelKey
    game_id: str
    number: int
    player: PlayerKey
    name: str
    guess: str


@dataclass(frozen=True, slots=True)
class WrongGuess:
    """Text mode: a guess that was neither right nor close.

    Chat adapters usually stay quiet (a reply per wrong guess would spend the
    platform's rate limit); the console says so, since nobody else will.
    """

    channel: ChannelKey
    game_id: str
    number: int
    player: PlayerKey
    name: str
    guess: str


@dataclass(frozen=True, slots=True)
class WrongChoice:
    """Text mode on a question with options: a wrong pick locks the player
    out of this question (no shotgun guessing through the options)."""

    channel: ChannelKey
    game_id: str
    number: int
    recipient: PlayerKey
    choice: int


@dataclass(frozen=True, slots=True)
class ChoiceRecorded:
    """Choice mode: the pick is confirmed to its player alone."""

    channel: ChannelKey
    game_id: str
    number: int
    recipient: PlayerKey
    choice: int
    choice_text: str


@dataclass(frozen=True, slots=True)
class QuestionRevealed:
    """The answer and explanation. ``awards`` lists who scored on this question
    (already committed); ``choice_counts`` has one count per option in choice
    mode; ``next_in`` is the pause before the next question, None at the end."""

    channel: ChannelKey
    game_id: str
    number: int
    total: int
    question: Question
    reason: RevealReason
    awards: tuple[Award, ...]
    choice_counts: tuple[int, ...]
    next_in: float | None
    misses: tuple[Miss, ...] = ()


@dataclass(frozen=True, slots=True)
class ScoreShown:
    """The standings, for the channel; ``asked_by`` asked for them (None: nobody did), so
    an adapter that can answer one person for free may answer them alone."""

    channel: ChannelKey
    game_id: str
    standings: tuple[Standing, ...]
    number: int
    total: int
    asked_by: PlayerKey | None = None


@dataclass(frozen=True, slots=True)
class GameEnded:
    """The game is over and its result is recorded. ``winner`` is None for
    one-player games and games nobody scored in."""

    channel: ChannelKey
    game_id: str
    reason: EndReason
    standings: tuple[Standing, ...]
    winner: Standing | None
    questions_asked: int


@dataclass(frozen=True, slots=True)
class ScoresDelayed:
    """Saving the game's results failed for now (the database is locked, full or out
    of reach): what was just played is kept, and announced as soon as it is saved.
    Published once when a channel's saving stalls, so players know why it is quiet."""

    channel: ChannelKey
    game_id: str


@dataclass(frozen=True, slots=True)
class GamePaused:
    """The bot is restarting and the game is saved: it goes on in a moment, on this
    process or another, where it stood (``GameResumed``)."""

    channel: ChannelKey
    game_id: str


@dataclass(frozen=True, slots=True)
class GameResumed:
    """A game saved before a restart goes on.  ``asked`` is its open question as it
    was asked (None before the first): it keeps the deadline it had; ``hints`` are
    the hints already shown; ``message`` is where the platform shows the question
    (the adapter's own reference, as it noted it), so that it is edited from now
    on instead of posted again.  ``unrevealed``: the message noted is an earlier
    question's, never noted as showing its answer (its process stopped between the
    reveal and its edit): its answer is shown there again (without the scorers, which
    the saved state does not keep)."""

    channel: ChannelKey
    game_id: str
    mode: GameMode
    asked: QuestionAsked | None
    hints: tuple[str, ...]
    message: str | None
    #: Between questions: the last one's reveal, shown again in its message (``asked``
    #: is then that question): the process that stopped may have saved it without
    #: showing it.  Its reason is told from the awards (answered, or time's up).
    revealed: QuestionRevealed | None = None
    unrevealed: QuestionRevealed | None = None


@dataclass(frozen=True, slots=True)
class GameSuspended:
    """The bot is stopping and could not save the game's end in time (the database is
    busy): nothing is announced that is not saved, the game stays in the journal, and
    the next start resumes it from its last saved state, or, past the resume window,
    ends it with every point it had (``GameEnded``, reason restarted)."""

    channel: ChannelKey
    game_id: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """A refusal the user should see, meant for the sender alone."""

    channel: ChannelKey
    recipient: PlayerKey
    reason: Refusal
    message: str


@dataclass(frozen=True, slots=True)
class LeaderboardShown:
    """``season`` set: the season's board (``period`` is then ``ALL``); ``daily``:
    only the points of daily questions, for ``period`` or ``season``."""

    channel: ChannelKey
    recipient: PlayerKey
    period: Period
    rows: tuple[LeaderboardRow, ...]
    season: Season | None = None
    daily: bool = False


@dataclass(frozen=True, slots=True)
class StatsShown:
    channel: ChannelKey
    recipient: PlayerKey
    stats: PlayerStats


@dataclass(frozen=True, slots=True)
class CategoriesShown:
    channel: ChannelKey
    recipient: PlayerKey
    categories: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class DraftRejected:
    """A question form had problems; adapters show them next to the fields
    (Slack ``response_action: errors``) or as one message (Discord)."""

    channel: ChannelKey
    recipient: PlayerKey
    problems: tuple[FieldProblem, ...]


@dataclass(frozen=True, slots=True)
class QuestionAdded:
    channel: ChannelKey
    recipient: PlayerKey
    question: Question


@dataclass(frozen=True, slots=True)
class QuestionRemoved:
    """``resolved`` lists the ids of the open reports this closed."""

    channel: ChannelKey
    recipient: PlayerKey
    question_id: str
    resolved: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionEdited:
    channel: ChannelKey
    recipient: PlayerKey
    question: Question
    resolved: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionSwitched:
    """A question was disabled (``on=False``) or re-enabled for the server."""

    channel: ChannelKey
    recipient: PlayerKey
    question_id: str
    on: bool
    resolved: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionsListed:
    channel: ChannelKey
    recipient: PlayerKey
    page: QuestionPage


@dataclass(frozen=True, slots=True)
class QuestionShown:
    channel: ChannelKey
    recipient: PlayerKey
    item: ListedQuestion
    reports: tuple[QuestionReport, ...]


@dataclass(frozen=True, slots=True)
class QuestionsImported:
    channel: ChannelKey
    recipient: PlayerKey
    source: str
    result: ImportResult


@dataclass(frozen=True, slots=True)
class QuestionsExported:
    """A server's own questions as a bank file (YAML that ``validate``
    accepts); ``filename`` is what to call it when attached."""

    channel: ChannelKey
    recipient: PlayerKey
    filename: str
    text: str
    count: int


@dataclass(frozen=True, slots=True)
class ReportFiled:
    """A player's report was stored (``report.id`` is its number for the admins)."""

    channel: ChannelKey
    recipient: PlayerKey
    report: QuestionReport


@dataclass(frozen=True, slots=True)
class ReportsListed:
    """Open reports, oldest first; ``total`` counts all open ones (more than
    ``reports`` holds when there are many)."""

    channel: ChannelKey
    recipient: PlayerKey
    reports: tuple[QuestionReport, ...]
    total: int


@dataclass(frozen=True, slots=True)
class ReportDismissed:
    channel: ChannelKey
    recipient: PlayerKey
    report: QuestionReport


@dataclass(frozen=True, slots=True)
class BundledShown:
    """The bundled banks and categories for a server; ``changed`` says what an
    admin just switched (for example "category Stunts off"), if anything."""

    channel: ChannelKey
    recipient: PlayerKey
    overview: BundledOverview
    changed: str = ""


@dataclass(frozen=True, slots=True)
class SettingsShown:
    """A server's own settings, and ``defaults``: the options its new games
    get (the bot's defaults with the server's settings laid over them).
    ``changed`` is True when this answers a ``ChangeSettings``."""

    channel: ChannelKey
    recipient: PlayerKey
    settings: ServerSettings
    defaults: GameOptions
    changed: bool = False


@dataclass(frozen=True, slots=True)
class DailyQuestionPosted:
    """A daily question opened in ``channel`` (for the whole channel).

    The adapter posts ``round.question`` with a private way to answer it (an
    "Answer" button opening a form for a typed answer; a button per option when
    ``round.choices`` is not empty), shows when it closes, then hands the
    message's reference to ``TriviaPort.note_daily_message`` so that the reveal
    can edit that message.  ``note`` is set when it was posted late (after a
    restart) or moved by daylight saving.
    """

    channel: ChannelKey
    round: DailyRound
    note: str = ""


@dataclass(frozen=True, slots=True)
class DailyAnswerJudged:
    """The private verdict on one player's answer to a daily question (for the
    recipient alone).  ``streak`` is their streak counting this answer."""

    channel: ChannelKey
    recipient: PlayerKey
    round_id: int
    verdict: Verdict
    guess: str
    streak: int
    closes_at: datetime


@dataclass(frozen=True, slots=True)
class DailyQuestionRevealed:
    """A daily question's window closed: edit its message (``round.message_ref``;
    post anew when it is None) to show the answer, the explanation and
    ``winners`` fastest first.  ``answered`` counts everyone who answered."""

    channel: ChannelKey
    round: DailyRound
    winners: tuple[DailyWinner, ...]
    answered: int


@dataclass(frozen=True, slots=True)
class DailyQuestionSkipped:
    """A daily question was due in ``channel`` but none could be drawn (for the whole
    channel): ``reason`` says why and what an admin can do, in words."""

    channel: ChannelKey
    schedule_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class QuizReminder:
    """A scheduled quiz starts in ``channel`` at ``starts_at`` (for the channel)."""

    channel: ChannelKey
    schedule_id: int
    starts_at: datetime
    rounds: int
    category: str | None = None


@dataclass(frozen=True, slots=True)
class QuizSkipped:
    """A scheduled quiz could not start in ``channel`` (for the channel): ``reason``
    says why in words ("A game is already running in this channel", no questions)."""

    channel: ChannelKey
    schedule_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class SeasonResults:
    """A season ended: its final leaderboard, posted once in the server's
    scheduled channels (for the channel)."""

    channel: ChannelKey
    season: Season
    rows: tuple[LeaderboardRow, ...]


@dataclass(frozen=True, slots=True)
class SchedulesShown:
    """A server's schedules, for an admin; ``changed`` says what they just did
    ("Added schedule 3", ...) and ``notes`` what they should know (a time that
    daylight saving moves)."""

    channel: ChannelKey
    recipient: PlayerKey
    schedules: tuple[Schedule, ...]
    changed: str = ""
    notes: tuple[str, ...] = ()


GameEvent = (
    GameStarted
    | QuestionAsked
    | HintGiven
    | AnswerAccepted
    | CloseGuess
    | WrongGuess
    | WrongChoice
    | ChoiceRecorded
    | QuestionRevealed
    | ScoreShown
    | GameEnded
)

Event = (
    GameEvent
    | ScoresDelayed
    | GamePaused
    | GameResumed
    | GameSuspended
    | Rejected
    | LeaderboardShown
    | StatsShown
    | CategoriesShown
    | DraftRejected
    | QuestionAdded
    | QuestionRemoved
    | QuestionEdited
    | QuestionSwitched
    | QuestionsListed
    | QuestionShown
    | QuestionsImported
    | QuestionsExported
    | ReportFiled
    | ReportsListed
    | ReportDismissed
    | BundledShown
    | SettingsShown
    | DailyQuestionPosted
    | DailyAnswerJudged
    | DailyQuestionRevealed
    | DailyQuestionSkipped
    | QuizReminder
    | QuizSkipped
    | SeasonResults
    | SchedulesShown
)
