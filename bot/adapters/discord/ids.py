"""Names the Discord adapter writes into what it sends and reads back from clicks and forms.

A button's or a form's ``custom_id`` is written by the renderer and parsed when
Discord hands it back; keeping both sides here means a renamed id cannot
silently stop matching (Slack's ``ids`` module does the same).  Nothing here
imports discord.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.bank.format import ID_PATTERN

PLATFORM = "discord"

PICK_PREFIX = "trivia:pick:"
ADD_MODAL_ID = "trivia:add"
#: A reveal's Report button, the form it opens, and the edit form; each names its question.
REPORT_PREFIX = "trivia:report:"
REPORT_MODAL_PREFIX = "trivia:report-form:"
EDIT_MODAL_PREFIX = "trivia:edit:"
#: Discord's longest custom_id.
MAX_CUSTOM_ID = 100

_PICK = re.compile(r"trivia:pick:(?P<game>[0-9a-zA-Z-]{1,64}):(?P<number>\d{1,4}):(?P<choice>\d)")
HINTS_PREFIX = "trivia:hints:"
_HINTS = re.compile(r"trivia:hints:(?P<game>[0-9a-zA-Z-]{1,64}):(?P<number>\d{1,4})")


# -- option buttons --------------------------------------------------------------------------


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


def hints_custom_id(game_id: str, number: int) -> str:
    """The "Hints" button of a question whose hints are not edited in as they come."""
    return f"{HINTS_PREFIX}{game_id}:{number}"


def parse_hints(custom_id: str) -> tuple[str, int] | None:
    """(game id, question number) of a "Hints" button's custom_id."""
    found = _HINTS.fullmatch(custom_id)
    return (found["game"], int(found["number"])) if found else None


# -- custom ids that name a question ---------------------------------------------------------


def _with_question(prefix: str, question_id: str) -> str | None:
    custom_id = f"{prefix}{question_id}"
    return custom_id if len(custom_id) <= MAX_CUSTOM_ID else None


def _question_of(prefix: str, custom_id: str) -> str | None:
    if not custom_id.startswith(prefix):
        return None
    question_id = custom_id.removeprefix(prefix)
    return question_id if ID_PATTERN.fullmatch(question_id) else None


def report_custom_id(question_id: str) -> str | None:
    """A reveal's Report button; None if the id would not fit in a custom_id."""
    return _with_question(REPORT_PREFIX, question_id)


def parse_report(custom_id: str) -> str | None:
    """The question a Report button is about, or None if it is no Report button."""
    return _question_of(REPORT_PREFIX, custom_id)


def report_modal_id(question_id: str) -> str | None:
    return _with_question(REPORT_MODAL_PREFIX, question_id)


def parse_report_modal(custom_id: str) -> str | None:
    return _question_of(REPORT_MODAL_PREFIX, custom_id)


def edit_modal_id(question_id: str) -> str | None:
    return _with_question(EDIT_MODAL_PREFIX, question_id)


def parse_edit_modal(custom_id: str) -> str | None:
    return _question_of(EDIT_MODAL_PREFIX, custom_id)


# -- the daily question ----------------------------------------------------------------------

#: A daily question's "Answer" button (opens the form), its form, and its option buttons;
#: each names the round, so a click on an old message after a restart still finds it (and
#: the service answers a closed round's click with "closed", not with today's question).
DAILY_ANSWER_PREFIX = "trivia:daily:"
DAILY_FORM_PREFIX = "trivia:daily-form:"
DAILY_PICK_PREFIX = "trivia:daily-pick:"
#: The form's one text input.
DAILY_ANSWER_INPUT = "answer"

_DAILY_ANSWER = re.compile(r"trivia:daily:(?P<round>\d{1,18})")
_DAILY_FORM = re.compile(r"trivia:daily-form:(?P<round>\d{1,18})")
_DAILY_PICK = re.compile(r"trivia:daily-pick:(?P<round>\d{1,18}):(?P<choice>\d)")


def daily_answer_custom_id(round_id: int) -> str:
    return f"{DAILY_ANSWER_PREFIX}{round_id}"


def parse_daily_answer(custom_id: str) -> int | None:
    """The round of a daily question's "Answer" button."""
    found = _DAILY_ANSWER.fullmatch(custom_id)
    return int(found["round"]) if found else None


def daily_form_id(round_id: int) -> str:
    return f"{DAILY_FORM_PREFIX}{round_id}"


def parse_daily_form(custom_id: str) -> int | None:
    found = _DAILY_FORM.fullmatch(custom_id)
    return int(found["round"]) if found else None


def daily_pick_custom_id(round_id: int, choice: int) -> str:
    return f"{DAILY_PICK_PREFIX}{round_id}:{choice}"


def parse_daily_pick(custom_id: str) -> tuple[int, int] | None:
    """(round id, option index) of a daily question's option button."""
    found = _DAILY_PICK.fullmatch(custom_id)
    return (int(found["round"]), int(found["choice"])) if found else None


def daily_nonce(round_id: int) -> str:
    """The nonce of a daily question's post: one message however often it is sent."""
    return f"daily:{round_id}"[:25]


def daily_reveal_nonce(round_id: int) -> str:
    """The nonce of a reveal posted anew (its question's message was gone)."""
    return f"daily-reveal:{round_id}"[:25]
