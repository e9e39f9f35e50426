"""Scheduled play on Slack from end to end (issue #17's Done-when): the real bot (slack-bolt,
the service with its daily desk, SQLite) against the fake Slack, on a manual clock that
moves across days.

The first test opens and closes a daily round through the service's own desk at its times
(``DailyDesk.open_round`` / ``close_due``, what the firing loop calls), pinning what three
players see; the others run the firing loop itself (``bot.app.schedules``) on the clock:
what an admin schedules with ``/trivia schedule`` comes on its own, a streak grows over
three days and breaks on the fourth, the weekly quiz comes after its reminder, and a
season's results when it ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.app.schedules import firing_schedules
from bot.clock import ManualClock
from bot.domain.model import ServerKey
from bot.domain.schedule import Schedule, ScheduleKind, parse_days
from bot.service.daily_desk import DailyDesk
from bot.service.schedule_runner import DEFAULT_POLL
from tests.platforms.slack.bot_harness import (
    ADA,
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
    # What it cost: one post and one edit however many answered; a form each (Tier 4).
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(slack.calls_to("chat.update")) == 1
    assert slack.calls_to("chat.postEphemeral") == []
    assert len(slack.calls_to("views.open")) == 4


# -- the firing loop: what admins schedule comes on its own ------------------------------------

DAY = 24 * 3600.0
#: Monday 2026-11-30, 07:00 UTC: the last day of November's season.
LAST_DAY = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


class LoopClock(ManualClock):
    """The manual clock, able to move to an instant one wake-up at a time, letting the
    firing loop finish each pass (it reads the database in between) before the next.

    ``ManualClock.advance`` moves on as soon as the woken tasks block, which a pass
    reading SQLite in its thread does: the loop would then see the clock already at
    the end of the advance, past the instants it was to act at.
    """

    def __init__(self, *, wall: datetime) -> None:
        super().__init__(wall=wall)
        self.sleeps = 0
        self._slept = asyncio.Event()

    async def sleep_until(self, deadline: float) -> None:
        self.sleeps += 1
        self._slept.set()
        await super().sleep_until(deadline)

    async def asleep(self, count: int) -> None:
        """Until ``sleep_until`` has been called ``count`` times in all."""
        async with asyncio.timeout(5):
            while self.sleeps < count:
                self._slept.clear()
                await self._slept.wait()

    async def move_to(self, when: datetime) -> None:
        """To ``when``, through each wake-up before it, each woken task gone back to
        sleep (or done) before the next."""
        target = self.monotonic() + (when - self.now()).total_seconds()
        while True:
            wake = min((d for d, _, f in self._sleepers if not f.done()), default=target + 1)
            if wake > target:
                await self.advance(target - self.monotonic())
                return
            count = self.sleeps
            await self.advance(wake - self.monotonic())
            await self.asleep(count + 1)


@asynccontextmanager
async def firing(
    bot: SlackBot, clock: LoopClock, *, poll: float = DEFAULT_POLL
) -> AsyncIterator[None]:
    """The bot's firing loop (what ``bot.app.lifecycle`` runs), with the daily desk;
    inside, once it made its first pass.  A ``poll`` longer than the default lets the
    clock cross nights in a few steps; a schedule added meanwhile is then seen only at
    the loop's next wake-up."""
    first = clock.sleeps + 1
    async with firing_schedules(bot.app, bot.adapter, clock=clock, daily=desk(bot), poll=poll):
        await clock.asleep(first)
        yield


async def said_to(bot: SlackBot, user: str, line: str) -> str:
    """``/trivia <line>`` by ``user``; what they alone are told."""
    before = len(bot.slack.ephemerals(user))
    acked = await bot.send(bot.slack.slash_command("/trivia", line, user=user))
    if acked.payload:
        return str(acked.payload.get("text"))
    told = await bot.slack.wait_until(
        lambda: bot.slack.ephemerals(user)[before:] or None, what=f"the answer to {line!r}"
    )
    return told[0].text


async def posted_when(bot: SlackBot, clock: LoopClock, when: datetime, words: str) -> Message:
    """The clock reaches ``when``; the bot's post containing ``words`` then."""
    mark = bot.mark()
    await clock.move_to(when)
    call = await bot.slack.wait_for_call(
        "chat.postMessage", lambda c: words in c["text"], after=mark
    )
    found = bot.slack.workspace.find_message(call["channel"], call.response["ts"])
    assert found is not None
    return found


async def test_an_admin_schedules_the_daily_question_and_it_comes_and_closes_on_its_own(
    tmp_path: Path,
) -> None:
    clock = LoopClock(wall=START)
    line = "schedule add daily 09:00 Europe/Berlin closes=17:00 category=colours difficulty=easy"
    async with running_bot(tmp_path, clock=clock) as bot, firing(bot, clock):
        refused = await said_to(bot, ALICE, line)
        bad = await said_to(bot, ADA, "schedule add daily 9am Europe/Berlin")
        added = await said_to(bot, ADA, line)
        listed = await said_to(bot, ADA, "schedule list")
        question = await posted_when(bot, clock, START + timedelta(hours=1), "Question of the day")
        told = await answer(bot, question, ALICE, "blue")
        mark = bot.mark()
        await clock.move_to(START + timedelta(hours=9))
        await bot.slack.wait_for_call("chat.update", after=mark)

    assert "Only admins" in refused
    assert "09:00" not in refused
    assert "9am" in bad
    assert "HH:MM" in bad
    assert "Added schedule 1" in added
    assert "`#1` *daily question* in <#C0TRIVIA> at 09:00 Europe/Berlin (daily)" in listed
    assert "Colour one" in question.all_text()
    assert "is right!" in told
    assert "The answer: *blue* · 1 player answered, 1 right." in question.visible_text()
    assert "🥇 *alice*" in question.visible_text()


async def test_a_weekly_quiz_comes_after_its_reminder(tmp_path: Path) -> None:
    clock = LoopClock(wall=START)
    line = "schedule add quiz 16:00 UTC days=mon rounds=1 remind=10 category=colours"
    async with running_bot(tmp_path, clock=clock) as bot, firing(bot, clock):
        added = await said_to(bot, ADA, line)
        starts = START.replace(hour=16)
        reminder = await posted_when(bot, clock, starts - timedelta(minutes=10), "quiz soon")
        started = await posted_when(bot, clock, starts, "Trivia!")
        question = await bot.question(1)
        await bot.send(bot.slack.message_event(answer_to(question), user=BOB))
        await bot.slack.wait_for_call("chat.postMessage", lambda c: "Game over" in c["text"])

    assert "Added schedule 1" in added
    assert "1 question of *colours*" in reminder.all_text()
    assert "started by the weekly quiz schedule" in started.all_text()
    ended = bot.slack.transcript()[-1]
    assert ended.startswith("triviabot: *🏁 Game over!*")
    assert "*bob*: " in ended


async def test_a_season_ends_with_its_results_in_the_scheduled_channel(tmp_path: Path) -> None:
    clock = LoopClock(wall=LAST_DAY)
    line = "schedule add daily 09:00 Europe/Berlin closes=17:00 category=colours difficulty=easy"
    async with running_bot(tmp_path, clock=clock) as bot, firing(bot, clock):
        await said_to(bot, ADA, line)
        question = await posted_when(bot, clock, LAST_DAY + timedelta(hours=1), "Question of")
        await answer(bot, question, ALICE, "blue")
        results = await posted_when(
            bot, clock, datetime(2026, 12, 1, 0, 0, 30, tzinfo=UTC), "is over"
        )
        board = await said_to(bot, BOB, "leaderboard season previous")

    assert "Season November 2026 is over" in results.all_text()
    assert "🥇 *alice*" in results.all_text()
    assert "*alice* wins the season!" in results.all_text()
    assert board.startswith("*Leaderboard, season November 2026*")
    assert "🥇 *alice*" in board


def a_wrong_answer(question: Message) -> str:
    """An answer ``question`` does not take: another option, or a colour nobody asks for."""
    right = answer_to(question)
    labels = [
        e["text"]["text"] for b in question.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    return next((label[3:] for label in labels if not label.endswith(right)), "purple")


async def test_a_streak_grows_over_three_days_and_breaks_on_the_fourth(tmp_path: Path) -> None:
    clock = LoopClock(wall=START)
    told: list[str] = []
    reveals: list[Message] = []
    async with running_bot(tmp_path, clock=clock) as bot:
        # Any question of the bank: four days, four questions (the draw never repeats one).
        await said_to(bot, ADA, "schedule add daily 09:00 Europe/Berlin closes=17:00")
        async with firing(bot, clock, poll=DAY):
            for offset in range(4):
                opens = START + timedelta(days=offset, hours=1)
                question = await posted_when(bot, clock, opens, "Question of the day")
                right = answer_to(question)
                alice = right if offset < 3 else a_wrong_answer(question)
                told.append(await answer(bot, question, ALICE, alice))
                await answer(bot, question, BOB, right)
                mark = bot.mark()
                await clock.move_to(opens + timedelta(hours=8))
                await bot.slack.wait_for_call("chat.update", after=mark)
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
