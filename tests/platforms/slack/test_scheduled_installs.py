"""Scheduled play with the app installed in several workspaces (OAuth installs): each
workspace's daily question, answers, reveal and Home tab go out with that workspace's
own token, and a Home tab shows its own workspace's question only."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.domain.model import ServerKey
from bot.domain.schedule import Schedule, ScheduleKind, parse_days
from bot.service.daily_desk import DailyDesk
from tests.platforms.slack.fake import FakeSlack, FakeWorkspace, Message
from tests.platforms.slack.installs_harness import InstallsBot, installs_bot

# slack_sdk 3.48 sends oauth.v2.access's client credentials with aiohttp.BasicAuth, which
# aiohttp 3.14 deprecates; filterwarnings=error would turn bolt's code exchange into a 500.
pytestmark = pytest.mark.filterwarnings(
    "ignore:BasicAuth is deprecated:DeprecationWarning:slack_sdk"
)

#: A Monday 07:00 UTC; each workspace's question comes at 08:00 UTC and closes at 16:00.
START = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def schedule_of(ws: FakeWorkspace, category: str) -> Schedule:
    return Schedule(
        id=1 if category == "colours" else 2,
        server=ServerKey("slack", ws.team_id),
        channel=ws.default_channel,
        kind=ScheduleKind.DAILY_QUESTION,
        at=time(8, 0),
        zone="UTC",
        days=parse_days("daily"),
        closes=time(16, 0),
        category=category,
        created=START - timedelta(days=1),
    )


def desk(bot: InstallsBot) -> DailyDesk:
    found = bot.app.service.daily
    assert found is not None
    return found


async def post(bot: InstallsBot, ws: FakeWorkspace, schedule: Schedule) -> Message:
    mark = len(bot.slack.calls)
    assert await desk(bot).open_round(schedule, schedule.occurrence(START.date())) is not None
    call = await bot.slack.wait_for_call(
        "chat.postMessage", lambda c: c.team_id == ws.team_id, after=mark
    )
    found = ws.workspace.find_message(call["channel"], call.response["ts"])
    assert found is not None
    return found


def own_tokens_only(ws: FakeWorkspace) -> None:
    own = {t.value for t in ws.tokens}
    used = [(c.method, c.token) for c in ws.calls if c.token is not None]
    assert used
    assert all(token in own for _, token in used), used


async def test_each_workspace_s_daily_question_and_home_tab_use_its_own_token(
    slack: FakeSlack, tmp_path: Path
) -> None:
    clock = ManualClock(wall=START)
    alpha, beta = slack.add_workspace("Alpha"), slack.add_workspace("Beta")
    async with installs_bot(tmp_path, slack, clock=clock) as bot:
        await bot.install(alpha, beta)
        await clock.advance(3600)
        colours = await post(bot, alpha, schedule_of(alpha, "colours"))
        space = await post(bot, beta, schedule_of(beta, "space"))
        # Beta's owner answers by clicking an option, and opens the Home tab.
        right = next(
            e["text"]["text"]
            for b in space.blocks
            if b["type"] == "actions"
            for e in b["elements"]
            if e["text"]["text"].endswith(("Mars", "The Moon"))
        )
        await slack.deliver(beta.block_action(message=space, label=right))
        await slack.wait_until(lambda: beta.ephemerals() or None, what="the verdict")
        await slack.deliver(beta.app_home_opened())
        await slack.wait_for_call("views.publish", lambda c: c.team_id == beta.team_id)
        await clock.advance(8 * 3600)
        assert await desk(bot).close_due(clock.now()) == 2
        for ws in (alpha, beta):
            await slack.wait_for_call("chat.update", lambda c, w=ws: c.team_id == w.team_id)

    home = beta.home_view(beta.default_user)
    assert home is not None
    shown = json.dumps(home.view, ensure_ascii=False)
    assert "✅ You answered: right!" in shown
    assert "Space" in shown
    assert "Colour" not in shown  # alpha's question is alpha's
    (verdict,) = beta.ephemerals()
    assert "is right!" in verdict.text
    assert "The answer:" in colours.visible_text()
    assert "The answer:" in space.visible_text()
    for ws in (alpha, beta):
        own_tokens_only(ws)
