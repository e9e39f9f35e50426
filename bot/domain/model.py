"""Value objects shared by the whole bot: questions, identities and game options.

Everything here is immutable and free of I/O so that the game, the service, the
storage and every adapter can pass these objects around without copying them.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime


class QuestionType(enum.StrEnum):
    """How a question is answered."""

    TEXT = "text"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    NUMBER = "number"


class Difficulty(enum.StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class GameMode(enum.StrEnum):
    """``text``: the first correct typed answer scores.

    ``choice``: everyone picks one option before the timer ends; every correct
    pick scores at the reveal; a pick cannot be changed.
    """

    TEXT = "text"
    CHOICE = "choice"


BOOLEAN_CHOICES: tuple[str, str] = ("True", "False")


@dataclass(frozen=True, slots=True)
class Instant:
    """A moment on both clocks: ``mono`` for deadlines, ``wall`` (UTC) for records."""

    mono: float
    wall: datetime


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where in the source article a question's fact stands."""

    paragraph: int
    context: str


def choice_index(choices: Sequence[str], answer: str) -> int | None:
    """Which of ``choices`` (in the order shown) is ``answer``, ignoring case and the
    spaces around it; None when none is."""
    wanted = answer.casefold().strip()
    return next(
        (i for i, choice in enumerate(choices) if choice.casefold().strip() == wanted), None
    )


@dataclass(frozen=True, slots=True)
class Question:
    """One validated question.

    ``answers[0]`` is the answer revealed to players; the others are accepted
    aliases.  For ``choice`` questions ``choices`` holds 2 to 6 options and the
    correct one is ``answers[0]``; for ``boolean`` questions ``choices`` is
    ``BOOLEAN_CHOICES`` and ``answers[0]`` is ``"True"`` or ``"False"``.
    ``scope`` is ``""`` for bundled questions, or the server scope key of the
    server that owns a custom question.
    """

    id: str
    prompt: str
    answers: tuple[str, ...]
    type: QuestionType = QuestionType.TEXT
    choices: tuple[str, ...] = ()
    category: str = "general"
    difficulty: Difficulty = Difficulty.MEDIUM
    tags: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    explanation: str = ""
    source: SourceRef | None = None
    bank_id: str = ""
    scope: str = ""

    @property
    def answer(self) -> str:
        """The answer shown at the reveal."""
        return self.answers[0]

    @property
    def has_choices(self) -> bool:
        return bool(self.choices)

    @property
    def correct_choice(self) -> int | None:
        """Index of the correct option in ``choices``, or None without choices."""
        return choice_index(self.choices, self.answers[0]) if self.choices else None


@dataclass(frozen=True, slots=True, order=True)
class ServerKey:
    """A Discord guild, a Slack workspace, or the console's single local server.

    Identity is always namespaced by platform, so a Discord id and a Slack id
    never collide (GUIDE section 1).
    """

    platform: str
    server: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.server}"


@dataclass(frozen=True, slots=True, order=True)
class ChannelKey:
    """Where a game runs: one game per channel."""

    platform: str
    server: str
    channel: str

    @property
    def server_key(self) -> ServerKey:
        return ServerKey(self.platform, self.server)

    def __str__(self) -> str:
        return f"{self.platform}:{self.server}:{self.channel}"


@dataclass(frozen=True, slots=True, order=True)
class PlayerKey:
    """A user, namespaced by platform and server (scores are per server)."""

    platform: str
    server: str
    user: str

    @property
    def server_key(self) -> ServerKey:
        return ServerKey(self.platform, self.server)

    def __str__(self) -> str:
        return f"{self.platform}:{self.server}:{self.user}"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who sent a command, as the adapter saw them.

    ``is_admin`` is what the platform says (Manage Server on Discord, workspace
    admin or owner on Slack); ``roles`` are the platform role ids the user has.
    The rules that use them (including a server's own admin role) live in the
    core.
    """

    key: PlayerKey
    name: str
    is_admin: bool = False
    roles: frozenset[str] = frozenset()


class StartPolicy(enum.StrEnum):
    """Who may start games in a server."""

    EVERYONE = "everyone"
    ADMINS = "admins"
    ROLE = "role"


class SeasonLength(enum.StrEnum):
    """How long a server's seasons are (``bot.domain.daily.Season``): calendar months or
    quarters, in UTC."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """What a server's admins chose; ``None`` means "the bot's default".

    ``admin_role`` names a platform role whose members count as admins here;
    with ``StartPolicy.ROLE`` only members of ``starter_role`` (and admins) may
    start games.
    """

    rounds: int | None = None
    seconds: float | None = None
    mode: GameMode | None = None
    start_policy: StartPolicy = StartPolicy.EVERYONE
    starter_role: str | None = None
    admin_role: str | None = None
    season_length: SeasonLength = SeasonLength.MONTHLY

    def is_admin(self, actor: Actor) -> bool:
        return actor.is_admin or (self.admin_role is not None and self.admin_role in actor.roles)

    def may_start(self, actor: Actor) -> bool:
        if self.is_admin(actor):
            return True
        match self.start_policy:
            case StartPolicy.EVERYONE:
                return True
            case StartPolicy.ADMINS:
                return False
            case StartPolicy.ROLE:
                return self.starter_role is not None and self.starter_role in actor.roles


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with a form, by the form's field name."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class QuestionDraft:
    """A question as an admin typed it into a form, before validation.

    Multi-valued fields hold one item per line.  The service validates a draft
    exactly like a bank file entry and answers with the problems by field.
    """

    prompt: str
    answers: str
    category: str = ""
    difficulty: str = "medium"
    explanation: str = ""
    choices: str = ""
    hints: str = ""


#: The fields of a question form (a ``QuestionDraft``), in the order forms show them.
DRAFT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(QuestionDraft))


@dataclass(frozen=True, slots=True)
class QuestionFilter:
    """Which questions a game draws from. Empty fields mean "any"."""

    category: str | None = None
    tags: tuple[str, ...] = ()
    mode: GameMode = GameMode.TEXT
    #: A ``Difficulty`` value ("easy"...): a scheduled quiz may ask only those.
    difficulty: str | None = None

    def matches(self, question: Question) -> bool:
        if self.category is not None and question.category.casefold() != self.category.casefold():
            return False
        if self.difficulty is not None and question.difficulty.value != self.difficulty:
            return False
        if self.tags:
            wanted = {tag.casefold() for tag in self.tags}
            if not wanted.intersection(tag.casefold() for tag in question.tags):
                return False
        # Choice mode only asks questions that come with options.
        return self.mode is GameMode.TEXT or question.has_choices


@dataclass(frozen=True, slots=True)
class GameOptions:
    """What a game was started with.

    ``pause`` is the time between a reveal and the next question; adapters and
    tests may shorten it.
    """

    rounds: int = 10
    seconds: float = 30.0
    mode: GameMode = GameMode.TEXT
    category: str | None = None
    tags: tuple[str, ...] = ()
    pause: float = 4.0
    auto_hints: bool = True
    max_idle_questions: int = 3
    #: One player by construction (a terminal): a question is over once that player
    #: can change nothing more, instead of waiting out its time.
    solo: bool = False
    #: Only questions of this ``Difficulty`` value (a scheduled quiz's choice).
    difficulty: str | None = None

    @property
    def filter(self) -> QuestionFilter:
        return QuestionFilter(
            category=self.category, tags=self.tags, mode=self.mode, difficulty=self.difficulty
        )


@dataclass(frozen=True, slots=True)
class Standing:
    """One player's line in a game's final table."""

    player: PlayerKey
    name: str
    points: int
    correct: int
    rank: int


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on option values a user may ask for."""

    min_rounds: int = 1
    max_rounds: int = 50
    min_seconds: float = 5.0
    max_seconds: float = 300.0
