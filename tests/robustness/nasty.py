"""Hostile text: hand-picked cases and hypothesis strategies shared by the robustness suite.

Every case is something a real player, admin or file has sent a chat bot: escape sequences
in a display name, ``@everyone`` as a guess, markdown meant to restyle the bot's messages,
SQL pasted in "to see what happens", text that reorders itself on screen.
"""

from __future__ import annotations

import re
import string

from hypothesis import strategies as st

SQL = "'); DROP TABLE players;--"

#: name -> text. Each is used as a display name, a guess, a category and a form field.
NASTY: dict[str, str] = {
    "sql": SQL,
    "sql-quote": "Robert'); DROP TABLE custom_questions; --",
    "escape-sequences": "\x1b[2J\x1b[31mred\x1b[0m\x1b]0;owned\x07",
    "nul": "nul\x00byte",
    "bell-backspace-cr": "ring\x07\x08\x08x\rover",
    "c1-controls": "csi\x9b31m\x85next",
    "zero-width": "pa\u200bri\u200ds\ufeff",
    "right-to-left-override": "\u202eevil.exe\u202c\u2066iso\u2069",
    "emoji": "🍕🎉 👨‍👩‍👧 🇫🇷",
    "combining": "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚o̮",
    "everyone": "@everyone",
    "here": "@here",
    "discord-user-mention": "<@123456789012345678>",
    "discord-role-mention": "<@&123456789012345678>",
    "discord-channel": "<#123456789012345678>",
    "slack-everyone": "<!everyone>",
    "slack-here": "<!here>",
    "slack-channel": "<!channel>",
    "slack-user": "<@U0ALICE>",
    "slack-link": "<http://evil.example|click here>",
    "bold": "**bold** __under__",
    "code": "`tick` ```block```",
    "strike": "~~gone~~",
    "masked-link": "[free nitro](http://evil.example)",
    "spoiler": "||spoiler||",
    "quote-and-heading": "> quoted\n# BIG\n-# small",
    "slack-markup": "*b* _i_ ~s~ `c`",
    "rich-markup": "[bold red]x[/bold red] [/] [link=http://evil.example]y[/link]",
    "html": "<script>alert(1)</script> &amp; &lt;",
    "format-string": "%s %d {0} {name} %(x)s",
    "backslashes": "\\*not bold\\* \\\\",
}

#: A shorter list for the slow paths (real platforms, subprocesses).
NAMES_FOR_PLATFORMS = (
    "@everyone **Bold** ~~x~~ <@123456789012345678> ||s|| [l](http://evil.example)",
    "<!everyone> <!here> <@U0ALICE> <http://evil.example|click> *b* _i_",
    SQL,
)

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def control_characters(text: str) -> list[str]:
    """C0 and C1 control characters in ``text``, tab and newline excepted."""
    return _CONTROL.findall(text)


def terminal_controls(text: str) -> list[str]:
    """What a terminal would act on: control characters and bidi overrides."""
    return _TERMINAL_CONTROL.findall(text)


#: Any text Python can hold that a chat platform could deliver (no lone surrogates:
#: neither Discord nor Slack nor a UTF-8 terminal can send one).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)

#: Text weighted towards what breaks renderers: markup, mentions, controls, bidi.
_FRAGMENTS = ["\x1b[", "\x00", "\n", "\r", "\t", "<", ">", "&", "*", "_", "~", "`", "|", "[", "]"]
_FRAGMENTS += ["(", ")", "@", "#", "\\", "\u200b", "\u202e", "\u2066", "\x85", "\x7f"]
_PIECES = st.sampled_from([*NASTY.values(), *_FRAGMENTS])
hostile_text = st.lists(
    st.one_of(_PIECES, st.text(string.printable, max_size=8), any_text.map(lambda t: t[:8])),
    max_size=12,
).map("".join)
