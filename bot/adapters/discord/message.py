"""What one Discord message should look like, as plain values (no discord.py here).

A ``Reply`` is content, at most one embed, buttons and at most one file. The
adapter turns it into ``discord.Embed``, a view and a ``discord.File``; where
the bot may not embed links it sends ``reply.plain()`` instead, the same words
as text. The builders here clip everything to Discord's limits, so a long
prompt or a long list can never make a send fail.

The renderers (``render_discord`` for games and players, ``discord_admin_replies``
for admins) build their replies from these.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.adapters.common.words import clip as clip

# Discord's limits (https://discord.com/developers/docs/resources/message).
MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_FIELDS = 25
MAX_BUTTON_LABEL = 80
#: All of an embed's text together (title, description, fields, footer).
MAX_EMBED_TOTAL = 6000
#: What an over-long embed keeps of its description before it drops fields.
_KEPT_DESCRIPTION = 500

BLURPLE = 0x5865F2
GREEN = 0x57F287
YELLOW = 0xFEE75C
RED = 0xED4245
PURPLE = 0x9B59B6
GREY = 0x99AAB5

_MARKDOWN = re.compile(r"([\\*_~`|>\[\]])")


class ButtonStyle(enum.StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SUCCESS = "success"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class Embed:
    title: str
    description: str = ""
    colour: int = BLURPLE
    fields: tuple[Field, ...] = ()
    footer: str = ""


@dataclass(frozen=True, slots=True)
class Button:
    """``row`` pins the button to a row (0-4); None lets Discord's rows of 5 fill up."""

    custom_id: str
    label: str
    style: ButtonStyle = ButtonStyle.PRIMARY
    disabled: bool = False
    row: int | None = None


@dataclass(frozen=True, slots=True)
class File:
    """A file attached to the message (an exported bank)."""

    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Reply:
    """One Discord message: ``content``, an optional ``embed``, ``buttons`` (rows of 5)
    and an optional ``file``."""

    content: str = ""
    embed: Embed | None = None
    buttons: tuple[Button, ...] = ()
    file: File | None = None
    #: Posted at most once for this nonce (up to 25 characters): a second post with
    #: it, within minutes, gets the first message back (Discord's ``enforce_nonce``).
    nonce: str | None = None

    def plain(self) -> Reply:
        """The same message without an embed, for channels where the bot may not embed."""
        if self.embed is None:
            return self
        e = self.embed
        lines = [self.content] if self.content else []
        lines.append(f"**{e.title}**")
        if e.description:
            lines.append(e.description)
        lines.extend(f"**{f.name}:** {f.value}" for f in e.fields)
        if e.footer:
            lines.append(f"-# {e.footer}")
        return replace(self, content=clip("\n".join(lines), MAX_CONTENT), embed=None)

    def with_note(self, note: str) -> Reply:
        if not note:
            return self
        content = f"{note}\n{self.content}" if self.content else note
        return replace(self, content=clip(content, MAX_CONTENT))


def escape(text: str) -> str:
    """User-typed text (names, guesses) shown literally, never as markdown.

    Line breaks are folded into spaces: markdown that only works at the start of
    a line (``# heading``, ``-# small``, ``- list``) must not start one.
    """
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def embed(
    title: str,
    description: str = "",
    *,
    colour: int = BLURPLE,
    fields: Sequence[Field] = (),
    footer: str = "",
) -> Embed:
    """An embed clipped to Discord's limits (each part, and all of them together)."""
    clipped = Embed(
        title=clip(title, MAX_TITLE),
        description=clip(description, MAX_DESCRIPTION),
        colour=colour,
        fields=tuple(
            Field(clip(f.name, MAX_FIELD_NAME), clip(f.value or "-", MAX_FIELD_VALUE), f.inline)
            for f in fields[:MAX_FIELDS]
        ),
        footer=clip(footer, MAX_FOOTER),
    )
    return _within_total(clipped)


def _size(e: Embed) -> int:
    return (
        len(e.title)
        + len(e.description)
        + len(e.footer)
        + sum(len(f.name) + len(f.value) for f in e.fields)
    )


def _within_total(e: Embed) -> Embed:
    """Discord refuses an embed whose text adds up to over 6,000 characters: the
    description gives way first (down to ``_KEPT_DESCRIPTION``), then fields are
    dropped from the end, then the description is cut further."""
    excess = _size(e) - MAX_EMBED_TOTAL
    if excess <= 0:
        return e
    kept = max(len(e.description) - excess, min(len(e.description), _KEPT_DESCRIPTION))
    e = replace(e, description=clip(e.description, kept))
    fields = list(e.fields)
    while fields and _size(replace(e, fields=tuple(fields))) > MAX_EMBED_TOTAL:
        fields.pop()
    e = replace(e, fields=tuple(fields))
    excess = _size(e) - MAX_EMBED_TOTAL
    return e if excess <= 0 else replace(e, description=clip(e.description, max(kept - excess, 1)))


def fit_lines(
    lines: Sequence[str],
    limit: int,
    *,
    more: Callable[[int], str] = lambda left: f"…and {left} more.",
    head: Sequence[str] = (),
) -> str:
    """``head`` then as many of ``lines`` as fit in ``limit`` characters (joined by
    newlines); when some do not fit, a last line ``more(how many were left out)``.

    Lines are never cut in half, so a problem's file and line number stay readable.
    """
    shown = list(head)
    used = sum(len(line) + 1 for line in shown)
    for index, line in enumerate(lines):
        left = len(lines) - index
        trailer = 0 if left == 1 else len(more(left - 1)) + 1
        if used + len(line) + 1 + trailer > limit + 1:
            shown.append(more(left))
            return clip("\n".join(shown), limit)
        shown.append(line)
        used += len(line) + 1
    return clip("\n".join(shown), limit)
