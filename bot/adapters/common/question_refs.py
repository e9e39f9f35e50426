"""How an adapter notes where a game's open question is shown, for whoever
carries the game on after a restart (``TriviaPort.note_question_message``).

A reference is "<question number>:<the platform's message id>" (Discord's
message id, Slack's ``ts``): the number tells whether the message noted is the
one of the question that goes on, or of an earlier one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain.model import ChannelKey

#: Told (channel, game id, reference) once a question's message is posted.
QuestionShown = Callable[[ChannelKey, str, str], Awaitable[None]]


def question_ref(number: int, message: str | int) -> str:
    return f"{number}:{message}"


def question_message(ref: str | None, number: int) -> str | None:
    """The message ``ref`` notes for question ``number``; None if it notes another
    question's message, or nothing."""
    if ref is None:
        return None
    noted, _, message = ref.partition(":")
    return message if noted == str(number) and message else None
