"""The Slack forms: add a question, change settings, and a plain notice.

Pure Block Kit.  Every input's ``block_id`` is the command field it fills
(``slack_ids``), so the service's ``FieldProblem.field`` says which block a
problem goes under (``response_action: errors``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.adapters.render_slack import Block, context, esc, section
from bot.adapters.slack_ids import (
    ADD_QUESTION_CALLBACK,
    DEFAULT_OPTION,
    DRAFT_FIELDS,
    INPUT_ACTION,
    NOTICE_CALLBACK,
    SETTINGS_CALLBACK,
)
from bot.domain.model import (
    Difficulty,
    FieldProblem,
    GameMode,
    GameOptions,
    Limits,
    ServerSettings,
    StartPolicy,
)

#: Slack shows at most this many characters of an inline error.
ERROR_TEXT_MAX = 150


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label), "value": value}


def text_input(
    block_id: str,
    label: str,
    *,
    hint: str = "",
    multiline: bool = False,
    optional: bool = False,
    initial: str = "",
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "multiline": multiline,
    }
    if initial:
        element["initial_value"] = initial
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def number_input(
    block_id: str, label: str, *, low: float, high: float, decimal: bool, initial: str, hint: str
) -> Block:
    element: dict[str, Any] = {
        "type": "number_input",
        "action_id": INPUT_ACTION,
        "is_decimal_allowed": decimal,
        "min_value": f"{low:g}",
        "max_value": f"{high:g}",
    }
    if initial:
        element["initial_value"] = initial
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": element,
        "optional": True,
        "hint": _plain(hint),
    }


def select_input(
    block_id: str, label: str, options: Iterable[tuple[str, str]], *, initial: str
) -> Block:
    choices = [_option(value, text) for value, text in options]
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": INPUT_ACTION,
        "options": choices,
    }
    chosen = next((c for c in choices if c["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return {"type": "input", "block_id": block_id, "label": _plain(label), "element": element}


def add_question_modal(origin: str) -> Block:
    """The question form; ``origin`` (``slack_ids.encode_origin``) says where replies go."""
    blocks: list[Block] = [
        text_input("prompt", "Question", multiline=True),
        text_input(
            "answers",
            "Answers",
            multiline=True,
            hint="One per line. The first is shown at the reveal; the others are also accepted.",
        ),
        text_input("category", "Category", optional=True, hint="For example: science"),
        select_input(
            "difficulty",
            "Difficulty",
            [(d.value, d.value.title()) for d in Difficulty],
            initial=Difficulty.MEDIUM.value,
        ),
        text_input(
            "explanation",
            "Explanation",
            multiline=True,
            optional=True,
            hint="Shown with the answer.",
        ),
        text_input(
            "choices",
            "Options",
            multiline=True,
            optional=True,
            hint="For multiple choice: 2 to 6 options, one per line, including the answer.",
        ),
        text_input(
            "hints", "Hints", multiline=True, optional=True, hint="One per line, mildest first."
        ),
        context("Only workspace admins can add questions; they stay in this workspace."),
    ]
    return {
        "type": "modal",
        "callback_id": ADD_QUESTION_CALLBACK,
        "private_metadata": origin,
        "title": _plain("Add a trivia question"),
        "submit": _plain("Add"),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


def settings_modal(
    origin: str,
    *,
    settings: ServerSettings,
    defaults: GameOptions,
    limits: Limits | None = None,
) -> Block:
    """The settings form, filled in with this workspace's ``settings``.

    ``defaults`` are what a game gets (the bot's defaults under the workspace's
    own choices), so the bot's own default is only named for fields the
    workspace left alone.
    """
    limits = limits or Limits()

    def fallback(own: object, default: str) -> str:
        return "the bot's default" if own is not None else f"the bot's default ({default})"

    blocks = [
        number_input(
            "rounds",
            "Questions per game",
            low=limits.min_rounds,
            high=limits.max_rounds,
            decimal=False,
            initial="" if settings.rounds is None else str(settings.rounds),
            hint=f"Blank: {fallback(settings.rounds, str(defaults.rounds))}.",
        ),
        number_input(
            "seconds",
            "Seconds per question",
            low=limits.min_seconds,
            high=limits.max_seconds,
            decimal=True,
            initial="" if settings.seconds is None else f"{settings.seconds:g}",
            hint=f"Blank: {fallback(settings.seconds, f'{defaults.seconds:g}')}.",
        ),
        select_input(
            "mode",
            "Mode",
            [
                (DEFAULT_OPTION, fallback(settings.mode, defaults.mode.value).capitalize()),
                (GameMode.TEXT.value, "Text: type answers, first right answer scores"),
                (GameMode.CHOICE.value, "Choice: everyone picks an option"),
            ],
            initial=settings.mode.value if settings.mode is not None else DEFAULT_OPTION,
        ),
        select_input(
            "start_policy",
            "Who may start games",
            [
                (StartPolicy.EVERYONE.value, "Everyone"),
                (StartPolicy.ADMINS.value, "Admins only"),
            ],
            initial=settings.start_policy.value,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": SETTINGS_CALLBACK,
        "private_metadata": origin,
        "title": _plain("Trivia settings"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


def notice_modal(title: str, text: str) -> Block:
    """A modal that only says something (loading, refused, saving in the background)."""
    return {
        "type": "modal",
        "callback_id": NOTICE_CALLBACK,
        "title": _plain(title[:24]),
        "close": _plain("Close"),
        "blocks": [section(esc(text))],
    }


def problems_to_errors(problems: Iterable[FieldProblem]) -> dict[str, str]:
    """``response_action: errors``: one message per block, problems of a field joined."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem.field in DRAFT_FIELDS:
            errors.setdefault(problem.field, []).append(problem.message)
        else:
            # A problem with no input of its own (the question as a whole) goes on top.
            errors.setdefault("prompt", []).append(f"{problem.field}: {problem.message}")
    return {block: " ".join(msgs)[:ERROR_TEXT_MAX] for block, msgs in errors.items()}
