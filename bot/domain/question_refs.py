"""How an adapter notes where a game's open question is shown, for whoever
carries the game on after a restart (``TriviaPort.note_question_message``).

A reference is "<question number>:<the platform's message id>" (Discord's
message id, Slack's ``ts``), with ":revealed" after it once the message shows the
answer: the number tells whether the message noted is the one of the question
that goes on, or of an earlier one; the mark, whether that earlier one still needs
its answer shown (``bot.service.carry_over``).  Adapters write references, the
service reads them: the format lives here, below both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain.model import ChannelKey

#: Told (channel, game id, reference) once a question's message is posted.
QuestionShown = Callable[[ChannelKey, str, str], Awaitable[None]]


#: What follows a reference once its message shows the answer.
REVEALED_MARK = ":revealed"


def question_ref(number: int, message: str | int) -> str:
    return f"{number}:{message}"


def revealed_ref(number: int, message: str | int) -> str:
    """The reference of a question's message once it shows the answer: a process that
    carries the game on need not show it again (``GameResumed.unrevealed``)."""
    return f"{question_ref(number, message)}{REVEALED_MARK}"


def question_message(ref: str | None, number: int) -> str | None:
    """The message ``ref`` notes for question ``number``; None if it notes another
    question's message, or nothing."""
    if ref is None:
        return None
    noted, _, message = ref.removesuffix(REVEALED_MARK).partition(":")
    return message if noted == str(number) and message else None


def unrevealed_number(ref: str | None) -> int | None:
    """The number of the question whose message ``ref`` notes, unless that message was
    noted as showing its answer; None for no reference, or one not in this format."""
    if ref is None or ref.endswith(REVEALED_MARK):
        return None
    number, _, message = ref.partition(":")
    return int(number) if number.isdigit() and message else None
