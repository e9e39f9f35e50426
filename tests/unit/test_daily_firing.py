"""The daily question fired by the schedules' loop (``ScheduledPlay`` driving the real
``DailyDesk``), on the manual clock over days: posted at its local time, answered in
private, revealed when its window closes, a streak across days; and two processes on one
database post and reveal it once."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.clock import ManualClock
from bot.domain.commands import AnswerDaily
from bot.domain.daily import Verdict
from bot.domain.events import DailyAnswerJudged, DailyQuestionPosted, DailyQuestionRevealed
from bot.domain.model import Actor, ChannelKey
from bot.domain.schedule import Schedule, ScheduleKind, parse_days
from bot.service.scheduled_play import ScheduledPlay
from bot.service.trivia import TriviaService
from tests.fake_daily import MemoryDailyStore
from tests.fake_schedules import MemoryScheduleStore
from tests.fakes import SERVER, ListBank, MemoryScoreStore, RecordingSink, player, question

#: Monday 7 December 2026, 07:00 UTC (08:00 in Berlin): an hour before the question.
MONDAY = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
HOUR = 3600.0
CHANNEL = ChannelKey(SERVER.platform, SERVER.server, "general")
ADA, BOB, CY = player("ada"), player("bob"), player("cy")
QUESTIONS = [question(f"q{n}", f"Answer {n}") for n in range(10)]


@dataclass
class Process:
    service: TriviaService
    sink: RecordingSink
    task: asyncio.Task[None]

    async def answer(self, actor: Actor, text: str) -> Verdict:
        await self.service.handle(AnswerDaily(channel=CHANNEL, actor=actor, text=text))
        return self.sink.last(DailyAnswerJudged).verdict

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.service.shutdown()


def process(
    clock: ManualClock,
    schedules: MemoryScheduleStore,
    scores: MemoryScoreStore,
    rounds: MemoryDailyStore,
    name: str,
) -> Process:
    sink = RecordingSink()
    service = TriviaService(
        bank=ListBank(QUESTIONS),
        store=scores,
        clock=clock,
        sink=sink,
        rng=random.Random(name),
        daily=rounds,
    )
    play = ScheduledPlay(
        service=service,
        schedules=schedules,
        scores=scores,
        sink=sink,
        clock=clock,
        holder=f"process-{name}",
        serves=lambda server: server == SERVER,
        daily=service.daily,
    )
    task = asyncio.get_running_loop().create_task(play.runner(poll=600).run())
    return Process(service, sink, task)


async def stores() -> tuple[MemoryScheduleStore, MemoryScoreStore, MemoryDailyStore]:
    schedules = MemoryScheduleStore()
    await schedules.add_schedule(
        Schedule(
            server=SERVER,
            channel=CHANNEL.channel,
            kind=ScheduleKind.DAILY_QUESTION,
            at=time(9, 0),
            zone="Europe/Berlin",
            days=parse_days("daily"),
            closes=time(17, 0),
            created=MONDAY - timedelta(days=1),
        )
    )
    return schedules, MemoryScoreStore(), MemoryDailyStore()


async def test_posted_at_nine_revealed_at_five_and_a_streak_over_days() -> None:
    clock = ManualClock(wall=MONDAY)
    schedules, scores, rounds = await stores()
    bot = process(clock, schedules, scores, rounds, "a")
    try:
        await clock.advance(HOUR - 1)
        assert bot.sink.of(DailyQuestionPosted) == []
        streaks = []
        for day in range(4):
            await clock.advance(1 if day == 0 else 16 * HOUR)  # 09:00 Berlin
            posted = bot.sink.last(DailyQuestionPosted)
            assert posted.round.opened_at == MONDAY + timedelta(days=day, hours=1)
            answer = posted.round.question.answer
            await clock.advance(HOUR)
            if day < 3:
                assert await bot.answer(ADA, answer) is Verdict.RIGHT
            assert await bot.answer(BOB, "no idea") is Verdict.WRONG
            if day == 0:
                assert await bot.answer(CY, answer) is Verdict.RIGHT
            await clock.advance(7 * HOUR)  # 17:00 Berlin: the window closes
            revealed = bot.sink.last(DailyQuestionRevealed)
            assert revealed.round.id == posted.round.id
            streaks.append([(w.name, w.streak) for w in revealed.winners])
        assert streaks == [[("ada", 1), ("cy", 1)], [("ada", 2)], [("ada", 3)], []]
        assert await bot.service.daily.streak(ADA.key) == 0  # type: ignore[union-attr]
        assert len(bot.sink.of(DailyQuestionPosted)) == 4
        assert len(bot.sink.of(DailyQuestionRevealed)) == 4
    finally:
        await bot.stop()


async def test_two_processes_on_one_database_post_and_reveal_it_once() -> None:
    clock = ManualClock(wall=MONDAY)
    schedules, scores, rounds = await stores()
    one = process(clock, schedules, scores, rounds, "a")
    two = process(clock, schedules, scores, rounds, "b")
    try:
        await clock.advance(HOUR)
        posted = one.sink.of(DailyQuestionPosted) + two.sink.of(DailyQuestionPosted)
        assert len(posted) == 1
        answer = posted[0].round.question.answer
        assert await one.answer(ADA, answer) is Verdict.RIGHT
        assert await two.answer(ADA, answer) is Verdict.ALREADY
        await clock.advance(8 * HOUR)
        revealed = one.sink.of(DailyQuestionRevealed) + two.sink.of(DailyQuestionRevealed)
        assert [[w.name for w in r.winners] for r in revealed] == [["ada"]]
    finally:
        await one.stop()
        await two.stop()
