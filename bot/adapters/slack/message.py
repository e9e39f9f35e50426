"""Block Kit building blocks shared by every Slack renderer and form.

Pure functions over plain dicts.  Slack's limits are enforced here (section
text 3000 characters, button text 75, a message 50 blocks), so no renderer
can build a message Slack would refuse with ``invalid_blocks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.adapters.common.words import clip as clip
from bot.adapters.common.words import plural as plural
from bot.adapters.slack.ids import REPORT_ACTION, REPORT_BLOCK
from bot.domain.records import LeaderboardRow

Block = dict[str, Any]

#: Slack's limits: button text 75 characters, section text 3000, 50 blocks a message.
BUTTON_TEXT_MAX = 75
SECTION_TEXT_MAX = 3000
MAX_BLOCKS = 50
#: Slack truncates a message's ``text`` at 40,000 characters; clip it ourselves, below that.
TEXT_MAX = 39_000


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """``text`` is the fallback (and the notification); ``blocks`` what clients draw."""

    text: str
    blocks: tuple[Block, ...] = ()

    def blocks_json(self) -> list[Block]:
        return list(self.blocks)


def esc(text: str) -> str:
    """Escape what Slack reads as markup in mrkdwn and plain text alike."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: The longest text Slack takes in a form's input, typed or filled in.
INPUT_TEXT_MAX = 3000


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_TEXT_MAX)}}


def context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(t, SECTION_TEXT_MAX)} for t in texts if t],
    }


def button(label: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": clip(label, BUTTON_TEXT_MAX)},
        "value": value,
    }
    if style is not None:
        element["style"] = style
    return element


def message(*lines: str, blocks: Sequence[Block] | None = None) -> SlackMessage:
    """A message whose blocks are one section per line (unless given)."""
    text = "\n".join(line for line in lines if line)
    shown = tuple(blocks) if blocks is not None else (section(text),)
    return SlackMessage(text=clip(text, TEXT_MAX), blocks=shown[:MAX_BLOCKS])


def report_button(question_id: str) -> Block:
    """On every reveal: players flag a wrong or unclear question right where they saw it."""
    return {
        "type": "actions",
        "block_id": REPORT_BLOCK,
        "elements": [button("🚩 Report", REPORT_ACTION, question_id)],
    }


#: How options are lettered, and how the top three of a board are marked.
LETTERS = "ABCDEF"
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


def leaderboard_lines(rows: Sequence[LeaderboardRow]) -> str:
    """A board's rows, one line each: the same in every board (all time, a season, the
    daily questions, the Home tab)."""
    return "\n".join(
        f"{MEDALS.get(row.rank, f'{row.rank}.')} *{esc(row.name)}*: {row.points} pts · "
        f"{row.correct} correct"
        for row in rows
    )
