"""Scheduled play on Slack from end to end (issue #17's Done-when): the real bot (slack-bolt,
the service with its daily desk, SQLite) against the fake Slack, on a manual clock that
moves across days.

The daily rounds are opened and closed through the service's own desk at their times
(``DailyDesk.open_round`` / ``close_due``, what the firing loop calls), so that these
tests pin what players see on Slack whatever drives the clock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.domain.model import ServerKey
from bot.domain.schedule import Schedule, ScheduleKind, parse_days
from bot.service.daily_desk import DailyDesk
from tests.platforms.slack.bot_harness import (
    ALICE,
    BOB,
    CHANNEL,
    TEAM,
    SlackBot,
    answer_to,
    running_bot,
)
from tests.platforms.slack.fake import Message, View

CAROL = "U0CAROL"
#: A Monday, 07:00 UTC: an hour before the schedule's 09:00 in Berlin (08:00 UTC).
START = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
#: The easy colour question ("blue"): a near miss ("blu") is a typo too short to accept.
SKY = Schedule(
    id=1,
    server=ServerKey("slack", TEAM),
    channel=CHANNEL,
    kind=ScheduleKind.DAILY_QUESTION,
    at=time(9, 0),
    zone="Europe/Berlin",
    days=parse_days("daily"),
    closes=time(17, 0),
    category="colours",
    difficulty="easy",
    created=START - timedelta(days=30),
)


def desk(bot: SlackBot) -> DailyDesk:
    found = bot.app.service.daily
    assert found is not None, "the bot keeps daily rounds in its database"
    return found


async def at(clock: ManualClock, when: datetime) -> None:
    await clock.advance((when - clock.now()).total_seconds())


async def post_daily(bot: SlackBot, clock: ManualClock, schedule: Schedule, day: date) -> Message:
    """The daily question of ``day``, posted at its time."""
    due = schedule.occurrence(day)
    await at(clock, due.at)
    mark = bot.mark()
    opened = await desk(bot).open_round(schedule, due)
    assert opened is not None
    call = await bot.slack.wait_for_call("chat.postMessage", after=mark)
    found = bot.slack.workspace.find_message(call["channel"], call.response["ts"])
    assert found is not None
    return found


async def reveal(bot: SlackBot, clock: ManualClock, schedule: Schedule, day: date) -> None:
    """The window of ``day``'s question closes: its message is edited into the answer."""
    await at(clock, schedule.occurrence(day).closes)
    mark = bot.mark()
    assert await desk(bot).close_due(clock.now()) == 1
    await bot.slack.wait_for_call("chat.update", after=mark)


async def open_form(bot: SlackBot, question: Message, user: str) -> View:
    mark = bot.mark()
    await bot.send(bot.slack.block_action(message=question, label="✍️ Answer", user=user))
    opened = await bot.slack.wait_for_call("views.open", after=mark)
    return bot.slack.views[opened.response["view"]["id"]]


async def answer(bot: SlackBot, question: Message, user: str, text: str) -> str:
    """``user`` answers ``question`` as Slack lets them: its form for a typed question
    (the verdict is the form's response), its option for a choice one (the verdict comes
    through the click's response_url); what they are told."""
    options = [e for b in question.blocks if b["type"] == "actions" for e in b["elements"]]
    if options and options[0]["action_id"].startswith("trivia_daily_pick_"):
        label = next(e["text"]["text"] for e in options if e["text"]["text"].endswith(text))
        before = len(bot.slack.ephemerals(user))
        await bot.send(bot.slack.block_action(message=question, label=label, user=user))
        told = await bot.slack.wait_until(
            lambda: bot.slack.ephemerals(user)[before:] or None, what=f"{user}'s verdict"
        )
        return told[0].text
    form = await open_form(bot, question, user)
    acked = await bot.send(bot.slack.view_submission(form, {"answer": {"value": text}}))
    payload = acked.payload
    if payload["response_action"] == "errors":
        return str(payload["errors"]["answer"])
    return str(payload["view"]["blocks"])


async def test_three_players_answer_privately_and_the_reveal_names_the_right_ones_in_order(
    tmp_path: Path,
) -> None:
    clock = ManualClock(wall=START)
    async with running_bot(tmp_path, clock=clock) as bot:
        slack = bot.slack
        slack.add_user(CAROL, "carol")
        today = START.date()
        question = await post_daily(bot, clock, SKY, today)
        posted_before = question.visible_text()
        await clock.advance(60)
        bob = await answer(bot, question, BOB, "blue")
        await clock.advance(60)
        alice = await answer(bot, question, ALICE, "purple")
        form = await open_form(bot, question, CAROL)
        close = await bot.send(slack.view_submission(form, {"answer": {"value": "blu"}}))
        await clock.advance(60)
        again = await bot.send(slack.view_submission(form, {"answer": {"value": "blue"}}))
        twice = await answer(bot, question, BOB, "blue")
        await bot.send(slack.app_home_opened(user=CAROL))
        await slack.wait_for_call("views.publish")
        home = slack.home_view(CAROL)
        assert home is not None
        home_before = home.all_text()
        await reveal(bot, clock, SKY, today)

    # Posted at 09:00 in Berlin, with its Answer button and when it closes.
    assert "Colour one" in posted_before
    assert "Closes <!date^" in posted_before
    assert "✅ “blue” is right!" in bob
    assert "❌ “purple” is not it" in alice
    assert close.payload["response_action"] == "errors"
    assert "nearly it" in close.payload["errors"]["answer"]
    assert "✅ “blue” is right!" in str(again.payload["view"]["blocks"])
    assert "answered this question already" in twice
    # Nobody was told anything in the channel; verdicts were the forms' own responses.
    assert slack.ephemerals() == []
    assert "✅ You answered: right!" in home_before
    assert "blue" not in home_before.replace("“blue”", "")
    # The reveal: the same message, the answer, the right ones fastest first.
    shown = question.visible_text()
    assert "The answer: *blue* · 3 players answered, 2 right." in shown
    assert shown.index("🥇 *bob*") < shown.index("🥈 *carol*")
    assert "alice" not in shown
    assert "✍️ Answer" not in str(question.blocks)
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_a_streak_grows_over_three_days_and_breaks_on_the_fourth(tmp_path: Path) -> None:
    clock = ManualClock(wall=START)
    # Any question of the bank: four days, four questions (the draw never repeats one).
    daily = replace(SKY, category=None, difficulty=None)
    told: list[str] = []
    reveals: list[Message] = []
    async with running_bot(tmp_path, clock=clock) as bot:
        for offset in range(4):
            day = START.date() + timedelta(days=offset)
            question = await post_daily(bot, clock, daily, day)
            right = answer_to(question)
            told.append(await answer(bot, question, ALICE, right if offset < 3 else "Pluto"))
            await answer(bot, question, BOB, right)
            await reveal(bot, clock, daily, day)
            reveals.append(question)
        await bot.send(bot.slack.app_home_opened(user=ALICE))
        await bot.slack.wait_for_call("views.publish")
        home = bot.slack.home_view(ALICE)
        assert home is not None

    assert "Your streak starts today" in told[0]
    assert "🔥 Your streak: 2 days in a row." in told[1]
    assert "🔥 Your streak: 3 days in a row." in told[2]
    assert "is not it" in told[3]
    assert "*alice* (" in reveals[0].visible_text()
    assert "🔥 3-day streak" in reveals[2].visible_text()
    assert "alice" not in reveals[3].visible_text()
    assert "🔥 4-day streak" in reveals[3].visible_text()  # bob's goes on
    assert "Your streak: *0 days* · best: 3 days" in home.all_text()
