"""The Slack forms: add or edit a question, report one, change settings, a plain notice.

Pure Block Kit.  Every input's ``block_id`` is the command field it fills
(``slack_ids``), so the service's ``FieldProblem.field`` says which block a
problem goes under (``response_action: errors``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.adapters.slack.ids import (
    ADD_QUESTION_CALLBACK,
    DEFAULT_OPTION,
    DRAFT_FIELDS,
    EDIT_QUESTION_CALLBACK,
    INPUT_ACTION,
    NOTICE_CALLBACK,
    REPORT_CALLBACK,
    SETTINGS_CALLBACK,
)
from bot.adapters.slack.message import INPUT_TEXT_MAX, Block, context, esc, section
from bot.bank.drafts import question_to_draft
from bot.bank.limits import MAX_REPORT_REASON
from bot.domain.model import (
    Difficulty,
    FieldProblem,
    GameMode,
    GameOptions,
    Limits,
    Question,
    QuestionDraft,
    SeasonLength,
    ServerSettings,
    StartPolicy,
)
from bot.domain.records import ReportKind

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
    max_length: int | None = None,
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "multiline": multiline,
    }
    if initial:
        # Slack refuses a view whose initial value is longer; callers check first
        # (``form_overflow``), since a cut value would be saved cut.
        element["initial_value"] = initial[:INPUT_TEXT_MAX]
    if max_length is not None:
        element["max_length"] = max_length
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
    return question_modal(origin)


def edit_question_modal(metadata: str, question: Question) -> Block:
    """The question form filled in with ``question`` as it is now; ``metadata``
    (``slack_ids.encode_subject``) says where replies go and which question it is."""
    return question_modal(metadata, initial=question_to_draft(question), editing=question.id)


def form_overflow(question: Question) -> str | None:
    """Why ``question`` cannot be edited in the form, or None.

    A field longer than a Slack input holds would be filled in cut short and
    saved that way (20 answers of 200 characters pass 3,000), so the form is
    not opened.
    """
    draft = question_to_draft(question)
    for name in DRAFT_FIELDS:
        if len(value := getattr(draft, name)) > INPUT_TEXT_MAX:
            return (
                f"This question's {name} take {len(value):,} characters, more than a Slack form "
                f"holds ({INPUT_TEXT_MAX:,}). Change it in a bank file instead: `/trivia export`, "
                "edit the file, then share it with me again."
            )
    return None


def question_modal(
    metadata: str, *, initial: QuestionDraft | None = None, editing: str | None = None
) -> Block:
    draft = initial or QuestionDraft(prompt="", answers="")
    blocks: list[Block] = [
        text_input("prompt", "Question", multiline=True, initial=draft.prompt),
        text_input(
            "answers",
            "Answers",
            multiline=True,
            hint="One per line. The first is shown at the reveal; the others are also accepted.",
            initial=draft.answers,
        ),
        text_input(
            "category",
            "Category",
            optional=True,
            hint="For example: science",
            initial=draft.category,
        ),
        select_input(
            "difficulty",
            "Difficulty",
            [(d.value, d.value.title()) for d in Difficulty],
            initial=draft.difficulty or Difficulty.MEDIUM.value,
        ),
        text_input(
            "explanation",
            "Explanation",
            multiline=True,
            optional=True,
            hint="Shown with the answer.",
            initial=draft.explanation,
        ),
        text_input(
            "choices",
            "Options",
            multiline=True,
            optional=True,
            hint="For multiple choice: 2 to 6 options, one per line, including the answer.",
            initial=draft.choices,
        ),
        text_input(
            "hints",
            "Hints",
            multiline=True,
            optional=True,
            hint="One per line, mildest first.",
            initial=draft.hints,
        ),
    ]
    if editing is None:
        blocks.append(
            context("Only workspace admins can add questions; they stay in this workspace.")
        )
        callback, title, submit = ADD_QUESTION_CALLBACK, "Add a trivia question", "Add"
    else:
        blocks.append(
            context(
                f"Editing `{esc(editing)}`. Saving a change closes the question's open reports; "
                "its tags and source are kept."
            )
        )
        callback, title, submit = EDIT_QUESTION_CALLBACK, "Edit a trivia question", "Save"
    return {
        "type": "modal",
        "callback_id": callback,
        "private_metadata": metadata,
        "title": _plain(title),
        "submit": _plain(submit),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


def report_modal(metadata: str, shown: str) -> Block:
    """Report a question: what is wrong with it, and (optionally) why.

    ``metadata`` (``slack_ids.encode_subject``) names the channel and the question;
    ``shown`` is the question as the revealed card showed it (mrkdwn, already escaped).
    """
    return {
        "type": "modal",
        "callback_id": REPORT_CALLBACK,
        "private_metadata": metadata,
        "title": _plain("Report a question"),
        "submit": _plain("Report"),
        "close": _plain("Cancel"),
        "blocks": [
            section(shown or "The question you saw."),
            select_input(
                "kind",
                "What is wrong?",
                [
                    (ReportKind.WRONG.value, "The answer (or an option) is wrong"),
                    (ReportKind.UNCLEAR.value, "The question is unclear"),
                ],
                initial=ReportKind.WRONG.value,
            ),
            text_input(
                "reason",
                "Tell the admins more",
                multiline=True,
                optional=True,
                hint=f"Optional, at most {MAX_REPORT_REASON} characters.",
                max_length=MAX_REPORT_REASON,
            ),
            context("Only this workspace's admins see reports."),
        ],
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
        select_input(
            "season_length",
            "Seasons",
            [
                (SeasonLength.MONTHLY.value, "Monthly: a leaderboard and results each month"),
                (SeasonLength.QUARTERLY.value, "Quarterly: a leaderboard and results each quarter"),
            ],
            initial=settings.season_length.value,
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
