"""Slack payloads -> commands: pure functions, no SDK, no I/O.

``typed_answer`` decides whether a channel message is a player's message at
all; the other functions read who and where a payload is, button clicks and
modal forms (``commands`` reads what a user typed after ``/trivia``).
Commands are built with the actor the adapter has at hand; the adapter swaps
in the full actor (admin flag, display name) with ``with_actor`` once it has
looked the user up, which it does only after acking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.adapters.slack.ids import (
    DAILY_ANSWER_ACTION,
    DAILY_PICK_PREFIX,
    DEFAULT_OPTION,
    DRAFT_FIELDS,
    INPUT_ACTION,
    PICK_ACTION_PREFIX,
    PLATFORM,
    REPORT_ACTION,
    decode_origin,
    decode_subject,
)
from bot.domain.commands import (
    AnswerDaily,
    ChangeSettings,
    Command,
    PickChoice,
)
from bot.domain.model import (
    Actor,
    ChannelKey,
    GameMode,
    PlayerKey,
    QuestionDraft,
    StartPolicy,
)
from bot.domain.records import ReportKind


@dataclass(frozen=True, slots=True)
class TypedMessage:
    """A person's plain message in a channel: maybe an answer."""

    channel_id: str
    user_id: str
    text: str


# -- identity --------------------------------------------------------------------------------


def whole_number(text: str) -> int | None:
    """``text`` as a whole number written in ASCII digits, at most 18 of them; else None.

    ``str.isdigit`` alone lets through "²" and other digits ``int`` refuses,
    and a number too big for SQLite's integers.
    """
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def channel_key(team_id: str, channel_id: str) -> ChannelKey:
    return ChannelKey(PLATFORM, team_id, channel_id)


def player_key(team_id: str, user_id: str) -> PlayerKey:
    return PlayerKey(PLATFORM, team_id, user_id)


def payload_actor(team_id: str, user_id: str, name: str | None = None) -> Actor:
    """The actor as far as the payload tells: no admin flag until the user is looked up."""
    return Actor(key=player_key(team_id, user_id), name=name or user_id)


def with_actor(command: Command, actor: Actor) -> Command:
    """The same command, sent by ``actor`` (every command has an ``actor`` field)."""
    return replace(command, actor=actor)


def team_of(body: Mapping[str, Any]) -> str:
    """The workspace a request belongs to, whichever kind of payload it is."""
    team = body.get("team_id") or body.get("team")
    if isinstance(team, Mapping):
        team = team.get("id")
    if not team:
        user = body.get("user")
        team = user.get("team_id") if isinstance(user, Mapping) else None
    return str(team or "")


def channel_of(body: Mapping[str, Any]) -> str | None:
    """The channel a request concerns, whichever kind of payload it is (for logs)."""
    event, channel, container = body.get("event"), body.get("channel"), body.get("container")
    view = body.get("view")
    found: object = None
    if isinstance(event, Mapping):
        found = event.get("channel")
    if not found and isinstance(channel, Mapping):
        found = channel.get("id")
    if not found and isinstance(container, Mapping):
        found = container.get("channel_id")
    if not found and isinstance(view, Mapping):
        # A form's metadata: where it was opened (and, for a form about one
        # question, which question).
        metadata = str(view.get("private_metadata", ""))
        place = decode_origin(metadata) or decode_subject(metadata)
        found = place[1] if place else None
    if not found:
        found = body.get("channel_id")
    return found if isinstance(found, str) and found else None


# -- messages and clicks ---------------------------------------------------------------------


def typed_answer(event: Mapping[str, Any]) -> TypedMessage | None:
    """A person's plain channel message, or None for bots, edits, joins and the like."""
    if event.get("type") != "message" or event.get("subtype") or event.get("bot_id"):
        return None
    user, channel, text = event.get("user"), event.get("channel"), event.get("text")
    if not isinstance(user, str) or not isinstance(channel, str) or not isinstance(text, str):
        return None
    text = unescape(text).strip()
    if not text:
        return None
    return TypedMessage(channel_id=channel, user_id=user, text=text)


def unescape(text: str) -> str:
    """Slack escapes ``&``, ``<`` and ``>`` in message text; players typed the plain ones."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def pick_choice(
    action: Mapping[str, Any], *, channel: ChannelKey, actor: Actor
) -> PickChoice | None:
    """A click on an option button: its value is ``"<question number>:<option index>"``."""
    if not str(action.get("action_id", "")).startswith(PICK_ACTION_PREFIX):
        return None
    number_text, sep, index_text = str(action.get("value", "")).partition(":")
    number, index = whole_number(number_text), whole_number(index_text)
    if not sep or number is None or index is None:
        return None
    return PickChoice(channel=channel, actor=actor, question_number=number, choice=index)


def daily_pick(
    action: Mapping[str, Any], *, channel: ChannelKey, actor: Actor
) -> AnswerDaily | None:
    """A click on a daily question's option: its value is ``"<round id>:<option index>"``."""
    if not str(action.get("action_id", "")).startswith(DAILY_PICK_PREFIX):
        return None
    round_text, sep, index_text = str(action.get("value", "")).partition(":")
    round_id, index = whole_number(round_text), whole_number(index_text)
    if not sep or round_id is None or index is None:
        return None
    return AnswerDaily(channel=channel, actor=actor, choice=index, round_id=round_id)


def daily_answer_round(action: Mapping[str, Any]) -> int | None:
    """The round a daily question's Answer button opens the form for, or None."""
    if action.get("action_id") != DAILY_ANSWER_ACTION:
        return None
    return whole_number(str(action.get("value") or ""))


def report_target(action: Mapping[str, Any]) -> str | None:
    """The question id a reveal's Report button carries, or None for another button."""
    if action.get("action_id") != REPORT_ACTION:
        return None
    value = str(action.get("value") or "").strip()
    return value or None


# -- modal forms -----------------------------------------------------------------------------

StateValues = Mapping[str, Mapping[str, Mapping[str, Any]]]


def form_value(values: StateValues, block_id: str) -> str:
    """The text (or selected option's value) of one input; "" when left blank."""
    state = values.get(block_id, {}).get(INPUT_ACTION, {})
    selected = state.get("selected_option")
    if isinstance(selected, Mapping):
        return str(selected.get("value") or "")
    value = state.get("value")
    return "" if value is None else str(value).strip()


def draft_from_form(values: StateValues) -> QuestionDraft:
    """The question form as typed; the service validates it like a bank entry."""
    fields = {name: form_value(values, name) for name in DRAFT_FIELDS}
    return QuestionDraft(
        prompt=fields["prompt"],
        answers=fields["answers"],
        category=fields["category"],
        difficulty=fields["difficulty"] or "medium",
        explanation=fields["explanation"],
        choices=fields["choices"],
        hints=fields["hints"],
    )


def settings_from_form(
    values: StateValues, *, channel: ChannelKey, actor: Actor
) -> ChangeSettings | dict[str, str]:
    """The settings form as a ``ChangeSettings``, or the fields that are not numbers.

    A blank number or "bot default" puts that setting back to the default; the
    service checks ranges and permissions.
    """
    errors: dict[str, str] = {}
    reset: set[str] = set()
    rounds_text = form_value(values, "rounds")
    rounds: int | None = None
    if not rounds_text:
        reset.add("rounds")
    elif (whole := whole_number(rounds_text)) is not None:
        rounds = whole
    else:
        errors["rounds"] = "A whole number of questions, or blank for the default."
    seconds_text = form_value(values, "seconds")
    seconds: float | None = None
    if not seconds_text:
        reset.add("seconds")
    else:
        try:
            seconds = float(seconds_text)
        except ValueError:
            errors["seconds"] = "A number of seconds, or blank for the default."
    mode_text = form_value(values, "mode")
    mode = GameMode(mode_text) if mode_text in tuple(GameMode) else None
    if mode is None:
        reset.add("mode")
    policy_text = form_value(values, "start_policy")
    policy = StartPolicy(policy_text) if policy_text in tuple(StartPolicy) else None
    if policy_text == DEFAULT_OPTION:
        reset.add("start_policy")
    if errors:
        return errors
    return ChangeSettings(
        channel=channel,
        actor=actor,
        rounds=rounds,
        seconds=seconds,
        mode=mode,
        start_policy=policy,
        reset=frozenset(reset),
    )


def report_from_form(values: StateValues) -> tuple[ReportKind, str]:
    """The report form: what is wrong with the question, and the player's words."""
    kind = form_value(values, "kind")
    return (
        ReportKind(kind) if kind in tuple(ReportKind) else ReportKind.WRONG,
        form_value(values, "reason"),
    )
