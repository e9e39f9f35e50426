"""Slack's HTTP entry answers requests bolt cannot read: 400, or 401 when unsigned.

Through real HTTP against the running adapter, as someone other than Slack, or a
Slack with a bug, could send them.  Each gets its status code, exactly one log
line (no traceback), and the bot goes on serving the next good request.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest

from tests.platforms.slack.bot_harness import SECRET, SlackBot, running_bot
from tests.platforms.slack.fake import slack_signature

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def interaction(payload: object) -> bytes:
    return b"payload=" + quote(json.dumps(payload)).encode()


@dataclass(frozen=True, slots=True)
class Raw:
    """A POST as it goes over the wire: ``signed`` with the app's secret or not at all."""

    body: bytes
    content_type: str = JSON
    timestamp: str | None = None
    signed: bool = True


CLICK = {"type": "block_actions", "team": {"id": "T0TRIVIA"}, "user": {"id": "U0ALICE"}}
SUBMIT = {"type": "view_submission", "team": {"id": "T0TRIVIA"}, "user": {"id": "U0ALICE"}}
MALFORMED = {
    "timestamp not a number, unsigned": (Raw(b"text=help", FORM, "soon", signed=False), 401),
    "timestamp not a number, signed over it": (Raw(b"text=help", FORM, "soon"), 401),
    "body not JSON": (Raw(b'{"type": "event_callback", '), 400),
    "body not JSON, unsigned": (Raw(b'{"type": "event_callback", ', signed=False), 401),
    "a JSON array": (Raw(b'[{"type": "event_callback"}]'), 400),
    "a JSON string": (Raw(b'"event_callback"'), 400),
    "not UTF-8": (Raw(b"command=%2Ftrivia&text=\xff\xfe", FORM), 400),
    "not UTF-8, unsigned": (Raw(b"command=%2Ftrivia&text=\xff\xfe", FORM, signed=False), 401),
    "payload not JSON": (Raw(b"payload=%7Bnope", FORM), 400),
    "payload a JSON array": (Raw(interaction([CLICK]), FORM), 400),
    "block_actions with no actions": (Raw(interaction({**CLICK, "actions": []}), FORM), 400),
    "block_actions whose action is not an object": (
        Raw(interaction({**CLICK, "actions": ["trivia_pick_0"]}), FORM),
        400,
    ),
    "an event that is not an object": (
        Raw(json.dumps({"type": "event_callback", "event": ["type"]}).encode()),
        400,
    ),
    "a view_submission whose view has no type": (
        Raw(interaction({**SUBMIT, "view": {"callback_id": "trivia_settings"}}), FORM),
        400,
    ),
}


async def post_raw(bot: SlackBot, raw: Raw) -> int:
    assert bot.http is not None
    stamp = raw.timestamp or str(int(time.time()))
    headers = {"Content-Type": raw.content_type, "X-Slack-Request-Timestamp": stamp}
    if raw.signed:
        headers["X-Slack-Signature"] = slack_signature(SECRET, stamp, raw.body)
    async with (
        aiohttp.ClientSession() as session,
        session.post(bot.http.url, data=raw.body, headers=headers) as response,
    ):
        await response.read()
        return response.status


@pytest.mark.parametrize(("raw", "status"), MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_request_bolt_cannot_read_gets_a_status_and_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, raw: Raw, status: int
) -> None:
    async with running_bot(tmp_path) as bot:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            answered = await post_raw(bot, raw)
            logged = list(caplog.records)
        help_after = await bot.send(bot.slack.slash_command("/trivia", "help"))

    assert answered == status
    assert [r.levelno for r in logged] in ([logging.WARNING], [logging.INFO]), [
        r.getMessage() for r in logged
    ]
    assert logged[0].exc_info is None
    assert logged[0].name.startswith("bot.adapters.slack")
    assert help_after.status == 200
    assert "/trivia start" in help_after.payload["text"]


async def test_a_stale_or_badly_signed_readable_request_is_still_bolts_to_refuse(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        request = bot.slack.slash_command("/trivia", "help")
        assert bot.http is not None
        stale = await bot.http.post(request, timestamp=int(time.time()) - 301)
        bad = await bot.http.post(request, signature="bad")
        good = await bot.http.post(request)

    assert (stale.status, bad.status, good.status) == (401, 401, 200)
