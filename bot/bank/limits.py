"""Every limit on what an admin (or a player's report) can send, in one place.

Field lengths are the bank format's own (``bot.bank.format``): a question
typed into a form, imported from a file or edited is held to the same ones.
The rest bound what one chat message can make the bot do: a file is read
only up to ``MAX_UPLOAD_BYTES``, parsed off the event loop, and refused whole
when it holds more than ``MAX_UPLOAD_QUESTIONS``; a server keeps at most
``MAX_SERVER_QUESTIONS`` of its own. Each limit comes with the words that
tell the admin what to do instead (:func:`too_big`).
"""

from __future__ import annotations

from typing import Final

from bot.bank.drafts import MAX_FIELD_CHARS
from bot.bank.format import (
    MAX_ANSWER,
    MAX_ANSWERS,
    MAX_CATEGORY,
    MAX_CHOICE,
    MAX_CHOICES,
    MAX_EXPLANATION,
    MAX_FILE_BYTES,
    MAX_HINT,
    MAX_HINTS,
    MAX_PROMPT,
)
from bot.domain.words import plural

#: A bank file sent from chat (a Discord attachment, a file shared on Slack).
MAX_UPLOAD_BYTES: Final = 512 * 1024
#: Questions in one file sent from chat; the command line takes whole banks.
MAX_UPLOAD_QUESTIONS: Final = 200
#: A server's own questions, all imports and forms together.
MAX_SERVER_QUESTIONS: Final = 5_000
#: The reason a player gives with a report.
MAX_REPORT_REASON: Final = 500
#: Open reports one player can have on one server at once (a spam bound).
MAX_OPEN_REPORTS_PER_PLAYER: Final = 20
#: Text searched for in an admin's question list.
MAX_SEARCH: Final = 100
#: Questions on one page of an admin's list.
PAGE_SIZE: Final = 10
#: A bundled category's or bank's name as an admin types it.
MAX_NAME: Final = 100

__all__ = [
    "MAX_ANSWER",
    "MAX_ANSWERS",
    "MAX_CATEGORY",
    "MAX_CHOICE",
    "MAX_CHOICES",
    "MAX_EXPLANATION",
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "MAX_HINT",
    "MAX_HINTS",
    "MAX_NAME",
    "MAX_OPEN_REPORTS_PER_PLAYER",
    "MAX_PROMPT",
    "MAX_REPORT_REASON",
    "MAX_SEARCH",
    "MAX_SERVER_QUESTIONS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_QUESTIONS",
    "PAGE_SIZE",
    "too_big",
    "too_many_own",
]


def _size(count: int) -> str:
    # Rounded up: a file one byte over 512 KiB must not read as "512 KiB".
    return f"{-(-count // 1024):,} KiB" if count >= 1024 else f"{count:,} bytes"


def too_big(what: str, *, size: int | None = None, count: int | None = None) -> str:
    """The message for an upload over a limit: what the limit is and what to do.

    ``what`` names the file; give its ``size`` in bytes or its question ``count``.
    """
    if size is not None:
        return (
            f"{what} is {_size(size)}; files sent in chat can be at most "
            f"{_size(MAX_UPLOAD_BYTES)}. Split it into smaller files, or import it "
            "with `trivia-bot questions import` on the bot's machine."
        )
    return (
        f"{what} holds {count:,} questions; a file sent in chat can hold at most "
        f"{MAX_UPLOAD_QUESTIONS}. Split it, or import it with "
        "`trivia-bot questions import` on the bot's machine."
    )


def too_many_own(*, adds: int, has: int) -> str:
    """The message for an import that would take a server past ``MAX_SERVER_QUESTIONS``.

    ``adds`` is how many new questions the file brings, ``has`` how many of its
    own the server keeps now.  Nothing of the file is imported.
    """
    room = max(MAX_SERVER_QUESTIONS - has, 0)
    return (
        f"Nothing was imported: the file adds {plural(adds, 'new question')} and this "
        f"server already has {has:,} of its own; a server can keep at most "
        f"{MAX_SERVER_QUESTIONS:,} (room for {room:,} more). Split the file, remove "
        "questions the server no longer needs, or serve a big collection to every server "
        "as bank files with TRIVIA_QUESTIONS."
    )
