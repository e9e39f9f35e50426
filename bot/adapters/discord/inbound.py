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
from typing import Any, Literal

from bot.adapters.discord.ids import PLATFORM
from bot.domain.commands import (
    ChangeSettings,
    EditQuestion,
    ListQuestions,
    ReportQuestion,
    ShowBundled,
    ShowSettings,
    StartGame,
    SubmitAnswer,
    SwitchBundled,
)
from bot.domain.model import (
    DRAFT_FIELDS,
    Actor,
    ChannelKey,
    GameMode,
    Limits,
    PlayerKey,
    QuestionDraft,
    SeasonLength,
    StartPolicy,
)
from bot.domain.records import (
    Period,
    ReportKind,
    Switch,
)

#: The bot's bounds on game options, as the slash commands' ranges offer them.
LIMITS = Limits()
Mode = Literal["text", "choice"]


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


# -- the add form -----------------------------------------------------------------------------


def modal_values(components: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """custom_id -> typed text (or the chosen options of a select, one per line), from a
    modal submission's component tree (action rows of text inputs, or label components)."""
    values: dict[str, str] = {}
    stack: list[Any] = list(components)
    while stack:
        component = stack.pop()
        if not isinstance(component, Mapping):
            continue
        if "custom_id" in component and isinstance(component.get("value"), str):
            values[str(component["custom_id"])] = component["value"]
        elif "custom_id" in component and isinstance(component.get("values"), list):
            chosen = [str(v) for v in component["values"]]
            values[str(component["custom_id"])] = "\n".join(chosen)
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


def edit_from_modal(
    channel: ChannelKey, actor: Actor, question_id: str, components: Sequence[Mapping[str, Any]]
) -> EditQuestion:
    """The edit form's submission: only the fields the form has are changed (a Discord
    form has no room for choices and hints, so those stay as they are)."""
    fields = frozenset(modal_values(components)).intersection(DRAFT_FIELDS)
    return EditQuestion(
        channel=channel,
        actor=actor,
        question_id=question_id,
        draft=draft_from_modal(components),
        fields=fields,
    )


def report_from_modal(
    channel: ChannelKey, actor: Actor, question_id: str, components: Sequence[Mapping[str, Any]]
) -> ReportQuestion:
    """The report form of a reveal's Report button: a kind and an optional reason."""
    values = modal_values(components)
    return report_command(
        channel,
        actor,
        kind=values.get("kind"),
        reason=values.get("reason"),
        question_id=question_id,
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
    season_length: str | None = None,
    reset: str | None = None,
) -> ShowSettings | ChangeSettings:
    """No options shows the settings; any option changes them."""
    given = (rounds, seconds, mode, start_policy, starter_role, admin_role, season_length, reset)
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
        season_length=SeasonLength(season_length) if season_length else None,
        reset=frozenset({reset}) if reset else frozenset(),
    )


def period_of(value: str | None) -> Period:
    return Period(value) if value else Period.ALL


def question_id_of(text: str) -> str:
    """A question id as typed: surrounding blanks and backticks (copied from a list) go."""
    return text.strip().strip("`").strip()


def report_command(
    channel: ChannelKey,
    actor: Actor,
    *,
    kind: str | None = None,
    reason: str | None = None,
    question_id: str | None = None,
) -> ReportQuestion:
    """``/trivia report`` (about the channel's last question) or a Report button's form."""
    known = {k.value: k for k in ReportKind}
    return ReportQuestion(
        channel=channel,
        actor=actor,
        kind=known.get((kind or "").strip(), ReportKind.WRONG),
        reason=(reason or "").strip(),
        question_id=question_id,
    )


def questions_command(
    channel: ChannelKey,
    actor: Actor,
    *,
    search: str | None = None,
    page: int | None = None,
    own_only: bool | None = None,
) -> ListQuestions:
    return ListQuestions(
        channel=channel,
        actor=actor,
        search=(search or "").strip(),
        page=page or 1,
        own_only=bool(own_only),
    )


#: What ``/trivia bundled`` says when it was given only part of a switch.
BUNDLED_USAGE = (
    "To switch part of the bundled questions, give all three options: `kind` (category or "
    "bank), `name` and `on` (True or False). Without options, `/trivia bundled` shows them."
)


def bundled_command(
    channel: ChannelKey,
    actor: Actor,
    *,
    kind: str | None = None,
    name: str | None = None,
    on: bool | None = None,
) -> ShowBundled | SwitchBundled | None:
    """No options shows the bundled banks and categories; all three switch one.
    None when only some were given (answer with ``BUNDLED_USAGE``)."""
    name = (name or "").strip()
    if kind is None and not name and on is None:
        return ShowBundled(channel=channel, actor=actor)
    if kind not in (Switch.CATEGORY.value, Switch.BANK.value) or not name or on is None:
        return None
    return SwitchBundled(channel=channel, actor=actor, kind=Switch(kind), name=name, on=on)
