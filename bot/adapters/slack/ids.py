"""Names the Slack adapter shares between what it sends and what it reads back.

A button's ``action_id`` or a modal's ``block_id`` is written by the renderer
and parsed by ``slack_inbound``; keeping both sides on these constants means a
renamed field cannot silently stop matching.  Nothing here imports an SDK.
"""

from __future__ import annotations

# Re-exported: every input in the question form has ``block_id`` = the ``QuestionDraft``
# field it fills, so the service's ``FieldProblem.field`` names the block to show it under.
from bot.domain.model import DRAFT_FIELDS as DRAFT_FIELDS

PLATFORM = "slack"
COMMAND = "/trivia"

#: The bot scopes the app asks for, in deploy/slack-manifest.yaml's words (both manifests;
#: tests/deploy checks they agree): what an OAuth install asks each workspace for.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "im:history",
    "im:write",
    "files:read",
    "files:write",
    "users:read",
)

#: Option buttons on a question: ``trivia_pick_0`` ... with value ``"<number>:<index>"``.
PICK_ACTION_PREFIX = "trivia_pick_"
PICK_ACTION_PATTERN = r"^trivia_pick_\d+$"

ADD_QUESTION_CALLBACK = "trivia_add_question"
EDIT_QUESTION_CALLBACK = "trivia_edit_question"
REPORT_CALLBACK = "trivia_report"
#: The Report button on a revealed question; its value is the question's id.
REPORT_ACTION = "trivia_report_question"
#: The actions block holding that button.
REPORT_BLOCK = "trivia_report"
SETTINGS_CALLBACK = "trivia_settings"
NOTICE_CALLBACK = "trivia_notice"

#: The daily question's "Answer" button (a typed question): its value is the round's id,
#: so it works on an old message and after a restart.
DAILY_ANSWER_ACTION = "trivia_daily_answer"
#: The daily question's option buttons: ``trivia_daily_pick_0`` ... with value
#: ``"<round id>:<index>"``.
DAILY_PICK_PREFIX = "trivia_daily_pick_"
DAILY_PICK_PATTERN = r"^trivia_daily_pick_\d+$"
#: The form a daily question is answered in; its metadata names the round (``encode_subject``).
DAILY_ANSWER_CALLBACK = "trivia_daily_answer"
#: The form's one input.
DAILY_ANSWER_BLOCK = "answer"

#: The one ``action_id`` every form input uses (block ids tell them apart).
INPUT_ACTION = "value"


def is_direct_message(channel_id: str) -> bool:
    """Slack's direct-message conversation ids start with D."""
    return channel_id.startswith("D")


#: The select value that means "use the bot's default" in the settings form.
DEFAULT_OPTION = "default"


def encode_origin(team_id: str, channel_id: str) -> str:
    """A modal's ``private_metadata``: where the form was opened, so its reply lands there."""
    return f"{team_id}/{channel_id}"


def decode_origin(metadata: str) -> tuple[str, str] | None:
    """(team id, channel id) from ``encode_origin``'s text; None if it is not one."""
    team_id, sep, channel_id = metadata.partition("/")
    if not sep or not team_id or not channel_id or "/" in channel_id:
        return None
    return team_id, channel_id


def encode_subject(team_id: str, channel_id: str, subject: str) -> str:
    """``private_metadata`` of a form about one thing (a question id): where, and what."""
    return f"{encode_origin(team_id, channel_id)}/{subject}"


def decode_subject(metadata: str) -> tuple[str, str, str] | None:
    """(team id, channel id, subject) from ``encode_subject``'s text; None if it is not one."""
    origin, sep, subject = metadata.rpartition("/")
    decoded = decode_origin(origin) if sep else None
    if decoded is None or not subject:
        return None
    return (*decoded, subject)


def daily_pick_value(round_id: int, index: int) -> str:
    """An option button's value on a daily question: which round, which option."""
    return f"{round_id}:{index}"
