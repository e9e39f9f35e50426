"""Discord inbound: plain values from messages, clicks and forms -> commands.

Pure functions, no discord.py: the adapter reads what it needs from
discord.py's objects (ids, names, permissions, option values) and these
functions build the typed commands, so every rule about *what* a Discord event
means is testable without a client.

Identity is namespaced (GUIDE section 1): ``ChannelKey("discord", guild, channel)``
and ``PlayerKey("discord", guild, user)``; scores are per server.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.commands import (
    ChangeSettings,
    ShowSettings,
    StartGame,
    SubmitAnswer,
)
from bot.domain.model import (
    Actor,
    ChannelKey,
    GameMode,
    PlayerKey,
    Question,
    QuestionDraft,
    StartPolicy,
)
from bot.ports import Period

PLATFORM = "discord"

PICK_PREFIX = "trivia:pick:"
ADD_MODAL_ID = "trivia:add"
#: Uploads bigger than this are refused before they are downloaded.
MAX_IMPORT_BYTES = 512 * 1024
#: At most this many questions are taken from one upload (each is one validated write).
MAX_IMPORT_QUESTIONS = 200

_PICK = re.compile(r"trivia:pick:(?P<game>[0-9a-zA-Z-]{1,64}):(?P<number>\d{1,4}):(?P<choice>\d)")


def channel_key(guild_id: int, channel_id: int) -> ChannelKey:
    return ChannelKey(PLATFORM, str(guild_id), str(channel_id))


def player_key(guild_id: int, user_id: int) -> PlayerKey:
    return PlayerKey(PLATFORM, str(guild_id), str(user_id))


def make_actor(
    guild_id: int,
    user_id: int,
    name: str,
    *,
    manage_guild: bool,
    role_ids: Iterable[int] = (),
) -> Actor:
    """Manage Server makes a Discord admin; a server's own admin role is the core's rule."""
    return Actor(
        key=player_key(guild_id, user_id),
        name=name,
        is_admin=manage_guild,
        roles=frozenset(str(r) for r in role_ids),
    )


# -- typed answers ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """What the adapter reads from a ``discord.Message``."""

    guild_id: int | None
    channel_id: int
    author_id: int
    author_name: str
    author_is_bot: bool
    content: str
    bot_user_id: int
    manage_guild: bool = False
    role_ids: tuple[int, ...] = ()


def strip_bot_mention(content: str, bot_user_id: int) -> str:
    """``@TriviaBot paris`` -> ``paris``: a mention is how a player answers when the bot
    lacks the Message Content intent (Discord still shows it messages that mention it)."""
    return re.sub(rf"^\s*<@!?{bot_user_id}>\s*", "", content).strip()


def answer_from_message(message: IncomingMessage) -> SubmitAnswer | None:
    """A guild message -> a guess; None for bots (the bot itself included), DMs and
    messages with no text (what a bot without the Message Content intent gets)."""
    if message.author_is_bot or message.guild_id is None:
        return None
    text = strip_bot_mention(message.content, message.bot_user_id)
    if not text:
        return None
    actor = make_actor(
        message.guild_id,
        message.author_id,
        message.author_name,
        manage_guild=message.manage_guild,
        role_ids=message.role_ids,
    )
    return SubmitAnswer(
        channel=channel_key(message.guild_id, message.channel_id), actor=actor, text=text
    )


# -- buttons ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PickRef:
    """What an option button stands for: option ``choice`` of question ``number`` of a game."""

    game_id: str
    number: int
    choice: int


def pick_custom_id(game_id: str, number: int, choice: int) -> str:
    """The button's custom_id; it names the game so a stale button never counts in another."""
    return f"{PICK_PREFIX}{game_id}:{number}:{choice}"


def parse_pick(custom_id: str) -> PickRef | None:
    found = _PICK.fullmatch(custom_id)
    if found is None:
        return None
    return PickRef(found["game"], int(found["number"]), int(found["choice"]))


# -- the add form -----------------------------------------------------------------------------


def modal_values(components: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """custom_id -> typed text, from a modal submission's component tree (action rows of
    text inputs, or the newer label components)."""
    values: dict[str, str] = {}
    stack: list[Any] = list(components)
    while stack:
        component = stack.pop()
        if not isinstance(component, Mapping):
            continue
        if "custom_id" in component and isinstance(component.get("value"), str):
            values[str(component["custom_id"])] = component["value"]
        stack.extend(component.get("components") or [])
        child = component.get("component")
        if isinstance(child, Mapping):
            stack.append(child)
    return values


def draft_from_modal(components: Sequence[Mapping[str, Any]]) -> QuestionDraft:
    values = modal_values(components)
    return QuestionDraft(
        prompt=values.get("prompt", ""),
        answers=values.get("answers", ""),
        category=values.get("category", ""),
        difficulty=values.get("difficulty", "") or "medium",
        explanation=values.get("explanation", ""),
    )


def draft_from_question(question: Question) -> QuestionDraft:
    """A bank question as a form would have it, so an import is validated like ``add``.

    Kept: prompt, answers, choices, category, difficulty, explanation, hints.  Not
    kept (a form has no place for them): the id (a new one is made from the prompt),
    tags, the source, and the ``number``/``boolean`` types (numbers are still matched
    by value; booleans become a True/False choice).
    """
    return QuestionDraft(
        prompt=question.prompt,
        answers="\n".join(question.answers),
        category=question.category,
        difficulty=question.difficulty.value,
        explanation=question.explanation,
        choices="\n".join(question.choices),
        hints="\n".join(question.hints),
    )


# -- slash-command options -> commands --------------------------------------------------------


def start_command(
    channel: ChannelKey,
    actor: Actor,
    *,
    category: str | None = None,
    rounds: int | None = None,
    mode: str | None = None,
    seconds: float | None = None,
    typed_answers: bool = True,
) -> tuple[StartGame, bool]:
    """The ``StartGame``, and whether text mode had to give way to choice mode because the
    bot cannot read typed messages (then the channel is told why)."""
    wanted = GameMode(mode) if mode else None
    forced = not typed_answers and wanted is not GameMode.CHOICE
    command = StartGame(
        channel=channel,
        actor=actor,
        rounds=rounds,
        seconds=seconds,
        mode=GameMode.CHOICE if forced else wanted,
        category=category.strip() or None if category else None,
    )
    return command, forced


def settings_command(
    channel: ChannelKey,
    actor: Actor,
    *,
    rounds: int | None = None,
    seconds: float | None = None,
    mode: str | None = None,
    start_policy: str | None = None,
    starter_role: int | None = None,
    admin_role: int | None = None,
    reset: str | None = None,
) -> ShowSettings | ChangeSettings:
    """No options shows the settings; any option changes them."""
    given = (rounds, seconds, mode, start_policy, starter_role, admin_role, reset)
    if all(value is None for value in given):
        return ShowSettings(channel=channel, actor=actor)
    return ChangeSettings(
        channel=channel,
        actor=actor,
        rounds=rounds,
        seconds=seconds,
        mode=GameMode(mode) if mode else None,
        start_policy=StartPolicy(start_policy) if start_policy else None,
        starter_role=str(starter_role) if starter_role is not None else None,
        admin_role=str(admin_role) if admin_role is not None else None,
        reset=frozenset({reset}) if reset else frozenset(),
    )


def period_of(value: str | None) -> Period:
    return Period(value) if value else Period.ALL


# -- uploads (parsed in a worker process) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedUpload:
    """An uploaded bank: the questions as drafts, or every problem the loader found.

    ``left_out`` counts questions beyond ``MAX_IMPORT_QUESTIONS`` that were not taken.
    """

    drafts: tuple[QuestionDraft, ...] = ()
    problems: tuple[str, ...] = ()
    left_out: int = 0


def parse_upload(data: bytes, filename: str) -> ParsedUpload:
    """Validate an uploaded bank file exactly like a bank on disk.

    Runs in a worker process (GUIDE section 5: a 10,000-question parse takes
    seconds, and a heartbeat or an interaction's 3 s must never wait behind it),
    so it takes and returns only picklable values.
    """
    from bot.bank import BankError, load_bank_text

    try:
        bank = load_bank_text(data, path=filename)
    except BankError as exc:
        return ParsedUpload(problems=tuple(str(problem) for problem in exc.problems))
    questions = bank.questions[:MAX_IMPORT_QUESTIONS]
    return ParsedUpload(
        drafts=tuple(draft_from_question(q) for q in questions),
        left_out=len(bank.questions) - len(questions),
    )
