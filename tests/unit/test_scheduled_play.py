"""Schedules firing in a bot process (``bot.service.scheduled_play`` driven by the firing
loop): the daily question opens and closes, the weekly quiz starts with the server's
defaults under its own options after its reminder, a season's results are posted once,
all on the manual clock, on the process that owns the server, once across processes and
restarts, and through both daylight-saving changes of Europe/Berlin and America/New_York.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.domain.commands import AnswerDaily
from bot.domain.daily import DailyRound, Season, SeasonLength, Verdict
from bot.domain.events import (
    DailyAnswerJudged,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    GameStarted,
    QuestionAsked,
    QuizReminder,
    QuizSkipped,
    SeasonResults,
)
from bot.domain.model import ChannelKey, Difficulty, GameMode, GameOptions, ServerKey
from bot.domain.records import AnswerRecord
from bot.domain.schedule import Due, Schedule, ScheduleKind, parse_days
from bot.ports import ScheduleStore
from bot.service.scheduled_play import SCHEDULE_NAME, ScheduledPlay
from bot.service.trivia import TriviaService
from bot.storage.postgres.store import open_postgres_store
from bot.storage.sql_store import SqlScoreStore
from bot.storage.sqlite.store import open_sqlite_store
from tests.fake_daily import MemoryDailyStore
from tests.fake_schedules import MemoryScheduleStore
from tests.fakes import ListBank, MemoryScoreStore, RecordingSink, player, question
from tests.harness import ServiceHarness, build_service

GUILD = ServerKey("test", "guild-1")
OTHER = ServerKey("test", "guild-2")
HOUR = 3600.0
DAY = 24 * HOUR
#: Friday 2026-01-09 15:00 UTC, an hour before the weekly quiz.
FRIDAY_15 = datetime(2026, 1, 9, 15, 0, tzinfo=UTC)
QUESTIONS = [question(f"q{n}", difficulty=Difficulty.EASY) for n in range(8)] + [
    question(f"hard{n}", difficulty=Difficulty.HARD) for n in range(8)
]


@dataclass
class FakeDaily:
    """The daily desk as the loop drives it: what it was asked to open and close."""

    opened: list[tuple[int | None, datetime, str]] = field(default_factory=list)
    closes: list[datetime] = field(default_factory=list)
    closed_for: list[bool] = field(default_factory=list)

    async def open_round(
        self, schedule: Schedule, due: Due, *, note: str = ""
    ) -> DailyRound | None:
        self.opened.append((schedule.id, due.at, note))
        return None

    async def close_due(
        self, now: datetime, *, serves: Callable[[ServerKey], bool] | None = None
    ) -> int:
        self.closes.append(now)
        self.closed_for.append(serves is not None and serves(GUILD) and not serves(OTHER))
        return 0

    async def next_close(self) -> datetime | None:
        return None


@dataclass
class Process:
    """One bot process: its service, what it fired, and its loop."""

    h: ServiceHarness
    play: ScheduledPlay
    daily: FakeDaily
    task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self.play.runner(poll=600).run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        await self.h.service.shutdown()


def process(
    schedules: ScheduleStore,
    clock: ManualClock,
    *,
    name: str = "a",
    serves: frozenset[ServerKey] | Callable[[ServerKey], bool] = frozenset({GUILD}),
    scores: MemoryScoreStore | None = None,
) -> Process:
    h = build_service(
        QUESTIONS,
        options=GameOptions(rounds=5, seconds=30, pause=0),
        clock=clock,
        store=scores,
        seed=1,
    )
    daily = FakeDaily()
    play = ScheduledPlay(
        service=h.service,
        schedules=schedules,
        scores=h.store,
        sink=h.sink,
        clock=clock,
        holder=f"process-{name}",
        serves=serves if callable(serves) else serves.__contains__,
        daily=daily,
    )
    return Process(h, play, daily)


def quiz(server: ServerKey = GUILD, channel: str = "quiz", **changes: object) -> Schedule:
    fields: dict[str, object] = {
        "server": server,
        "channel": channel,
        "kind": ScheduleKind.WEEKLY_QUIZ,
        "at": time(16, 0),
        "zone": "UTC",
        "days": parse_days("fri"),
        "created": FRIDAY_15 - timedelta(days=1),
    }
    return Schedule(**{**fields, **changes})  # type: ignore[arg-type]


def daily(zone: str = "UTC", channel: str = "general", **changes: object) -> Schedule:
    fields: dict[str, object] = {
        "server": GUILD,
        "channel": channel,
        "kind": ScheduleKind.DAILY_QUESTION,
        "at": time(9, 0),
        "zone": zone,
        "days": parse_days("daily"),
        "created": FRIDAY_15,
    }
    return Schedule(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.fixture
async def processes() -> AsyncIterator[list[Process]]:
    started: list[Process] = []
    yield started
    for each in started:
        await each.stop()


async def test_the_quiz_is_reminded_once_then_started_by_the_schedule_with_its_options(
    processes: list[Process],
) -> None:
    store = MemoryScheduleStore()
    added = await store.add_schedule(
        quiz(options=(("rounds", "3"), ("mode", "text")), difficulty="hard", remind=10)
    )
    clock = ManualClock(wall=FRIDAY_15)
    first = process(store, clock)
    processes.append(first)
    first.start()
    await clock.advance(50 * 60 - 1)
    assert first.h.sink.of(QuizReminder) == []
    await clock.advance(1)
    reminder = first.h.sink.last(QuizReminder)
    assert reminder == QuizReminder(
        channel=ChannelKey("test", "guild-1", "quiz"),
        schedule_id=added.id or 0,
        starts_at=FRIDAY_15 + timedelta(hours=1),
        rounds=3,
    )
    # A restart inside the reminder's span does not remind again.
    await first.stop()
    again = process(store, clock, name="b")
    processes.append(again)
    again.start()
    await clock.advance(10 * 60)
    assert again.h.sink.of(QuizReminder) == []
    started = again.h.sink.last(GameStarted)
    assert (started.started_by_name, started.total_questions) == (SCHEDULE_NAME, 3)
    assert started.options.mode is GameMode.TEXT
    assert started.channel == reminder.channel
    assert all(q.startswith("hard") for q in started_questions(again))


def started_questions(p: Process) -> list[str]:
    return [event.question.id for event in p.h.sink.of(QuestionAsked)]


async def test_a_quiz_without_options_takes_the_servers_defaults_and_a_quiet_one_no_reminder(
    processes: list[Process],
) -> None:
    store = MemoryScheduleStore()
    await store.add_schedule(quiz(remind=0))
    clock = ManualClock(wall=FRIDAY_15)
    p = process(store, clock)
    processes.append(p)
    p.start()
    await clock.advance(HOUR)
    assert p.h.sink.of(QuizReminder) == []
    assert p.h.sink.last(GameStarted).total_questions == 5


async def test_a_quiz_whose_channel_has_a_game_is_skipped_and_the_channel_told(
    processes: list[Process],
) -> None:
    store = MemoryScheduleStore()
    added = await store.add_schedule(quiz(remind=0))
    clock = ManualClock(wall=FRIDAY_15 + timedelta(minutes=59))
    p = process(store, clock)
    processes.append(p)
    channel = ChannelKey("test", "guild-1", "quiz")
    await p.h.start(player("ann"), channel, rounds=5, seconds=120)
    p.start()
    await clock.advance(60)
    assert len(p.h.sink.of(GameStarted)) == 1  # the players' own game
    assert p.h.sink.last(QuizSkipped) == QuizSkipped(
        channel=channel,
        schedule_id=added.id or 0,
        reason="A game is already running in this channel; stop it first.",
    )


async def test_each_server_fires_on_the_process_that_owns_it_only(
    processes: list[Process],
) -> None:
    store = MemoryScheduleStore()
    await store.add_schedule(quiz(GUILD))
    await store.add_schedule(quiz(OTHER))
    await store.add_schedule(daily())
    clock = ManualClock(wall=FRIDAY_15)
    mine = process(store, clock, name="a", serves=frozenset({GUILD}))
    theirs = process(store, clock, name="b", serves=frozenset({OTHER}))
    processes += [mine, theirs]
    mine.start()
    theirs.start()
    await clock.advance(DAY)
    assert [e.channel.server for e in mine.h.sink.of(GameStarted)] == ["guild-1"]
    assert [e.channel.server for e in theirs.h.sink.of(GameStarted)] == ["guild-2"]
    assert [e.channel.server for e in mine.h.sink.of(QuizReminder)] == ["guild-1"]
    assert [e.channel.server for e in theirs.h.sink.of(QuizReminder)] == ["guild-2"]
    # The daily question of guild-1: opened by its owner alone, who also closes rounds
    # for its own servers only.
    assert [opened[1] for opened in mine.daily.opened] == [datetime(2026, 1, 10, 9, tzinfo=UTC)]
    assert theirs.daily.opened == []
    assert mine.daily.closes
    assert all(mine.daily.closed_for)


async def test_two_processes_serving_the_same_server_fire_each_time_once(
    processes: list[Process],
) -> None:
    store = MemoryScheduleStore()
    await store.add_schedule(quiz())
    await store.add_schedule(daily())
    clock = ManualClock(wall=FRIDAY_15)
    a, b = process(store, clock, name="a"), process(store, clock, name="b")
    processes += [a, b]
    a.start()
    b.start()
    await clock.advance(8 * DAY)
    started = a.h.sink.of(GameStarted) + b.h.sink.of(GameStarted)
    reminders = a.h.sink.of(QuizReminder) + b.h.sink.of(QuizReminder)
    assert len(started) == len(reminders) == 2  # two Fridays
    assert len(a.daily.opened) + len(b.daily.opened) == 8  # a question a day


async def test_a_daily_question_fired_late_after_a_restart_says_so(
    processes: list[Process],
) -> None:
    store = MemoryScheduleStore()
    added = await store.add_schedule(
        daily(closes=time(17, 0), created=datetime(2026, 1, 4, tzinfo=UTC))
    )
    # The bot was down over 09:00 and comes back at 10:30, inside the window.
    clock = ManualClock(wall=datetime(2026, 1, 5, 10, 30, tzinfo=UTC))
    p = process(store, clock)
    processes.append(p)
    p.start()
    await clock.advance(1)
    assert p.daily.opened == [
        (
            added.id,
            datetime(2026, 1, 5, 9, tzinfo=UTC),
            "posted 90 min late: the bot was not running at Mon 2026-01-05 09:00 UTC",
        )
    ]


@pytest.mark.parametrize(
    ("zone", "first_day", "utc_hours"),
    [
        # Clocks go forward on Sunday 2026-03-29 in Berlin, 2026-03-08 in New York...
        ("Europe/Berlin", datetime(2026, 3, 27, tzinfo=UTC), [8, 8, 7, 7]),
        ("America/New_York", datetime(2026, 3, 6, tzinfo=UTC), [14, 14, 13, 13]),
        # ...and back on 2026-10-25 and 2026-11-01.
        ("Europe/Berlin", datetime(2026, 10, 23, tzinfo=UTC), [7, 7, 8, 8]),
        ("America/New_York", datetime(2026, 10, 30, tzinfo=UTC), [13, 13, 14, 14]),
    ],
    ids=["berlin-spring", "new-york-spring", "berlin-autumn", "new-york-autumn"],
)
async def test_the_loop_follows_daylight_saving(
    processes: list[Process], zone: str, first_day: datetime, utc_hours: list[int]
) -> None:
    store = MemoryScheduleStore()
    await store.add_schedule(daily(zone=zone, created=first_day))
    await store.add_schedule(
        quiz(zone=zone, at=time(16, 0), days=parse_days("daily"), created=first_day)
    )
    clock = ManualClock(wall=first_day)
    p = process(store, clock)
    processes.append(p)
    p.start()
    for _ in range(4):
        await clock.advance(DAY)
        game = p.h.service.game_in(ChannelKey("test", "guild-1", "quiz"))
        assert game is None or game.question_number >= 1
    fired = [opened[1] for opened in p.daily.opened]
    assert fired == [
        (first_day + timedelta(days=n)).replace(hour=hour) for n, hour in enumerate(utc_hours)
    ]
    # The quiz at 16:00 local moves with the same hour; its reminder 10 minutes before.
    reminded = [event.starts_at for event in p.h.sink.of(QuizReminder)]
    assert [at.hour for at in reminded] == [hour + 7 for hour in utc_hours]
    assert len(p.h.sink.of(GameStarted)) == 4


def scored(who: str, points: int, at: datetime) -> AnswerRecord:
    actor = player(who)
    return AnswerRecord(
        player=actor.key,
        name=who,
        channel=ChannelKey("test", "guild-1", "general"),
        game_id=f"game-{who}-{at:%d}",
        question_id="q1",
        correct=True,
        points=points,
        answer_ms=1000,
        streak=1,
        at=at,
    )


async def test_a_seasons_end_posts_its_results_once_in_each_scheduled_channel(
    processes: list[Process],
) -> None:
    store = MemoryScheduleStore()
    november = datetime(2026, 11, 10, tzinfo=UTC)
    await store.add_schedule(daily(channel="general", created=november))
    await store.add_schedule(daily(channel="general", at=time(18, 0), created=november))
    await store.add_schedule(quiz(channel="quiz", created=november))
    paused = await store.add_schedule(daily(channel="quiet", created=november))
    assert paused.id is not None
    await store.set_schedule_paused(GUILD, paused.id, True)
    scores = MemoryScoreStore()
    await scores.record_answers(
        [scored("ann", 3, november), scored("bo", 5, november), scored("cy", 9, november
         - timedelta(days=20))]
    )  # fmt: skip
    clock = ManualClock(wall=datetime(2026, 11, 30, 23, 0, tzinfo=UTC))
    a = process(store, clock, name="a", scores=scores)
    b = process(store, clock, name="b", scores=scores)
    processes += [a, b]
    a.start()
    b.start()
    await clock.advance(HOUR - 1)
    assert a.h.sink.of(SeasonResults) + b.h.sink.of(SeasonResults) == []
    await clock.advance(1)
    posted = a.h.sink.of(SeasonResults) + b.h.sink.of(SeasonResults)
    assert sorted(e.channel.channel for e in posted) == ["general", "quiz"]
    assert {e.season for e in posted} == {Season(2026, 11, SeasonLength.MONTHLY)}
    assert [(row.name, row.points) for row in posted[0].rows] == [("bo", 5), ("ann", 3)]
    # Nothing more for that season, however long the loops run or whoever restarts.
    await a.stop()
    again = process(store, clock, name="c", scores=scores)
    processes.append(again)
    again.start()
    await clock.advance(2 * DAY)
    assert len(b.h.sink.of(SeasonResults) + again.h.sink.of(SeasonResults)) == len(
        b.h.sink.of(SeasonResults)
    )
    assert len(a.h.sink.of(SeasonResults) + b.h.sink.of(SeasonResults)) == 2


async def test_a_server_whose_schedules_came_after_the_season_gets_no_results(
    processes: list[Process],
) -> None:
    store = MemoryScheduleStore()
    await store.add_schedule(daily(created=datetime(2026, 12, 1, 0, 30, tzinfo=UTC)))
    clock = ManualClock(wall=datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    p = process(store, clock)
    processes.append(p)
    p.start()
    await clock.advance(DAY)
    assert p.h.sink.of(SeasonResults) == []


async def test_two_processes_on_one_sqlite_database_remind_fire_and_post_results_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "trivia.db"
    await two_processes_on_one_database(
        await open_sqlite_store(path), await open_sqlite_store(path)
    )


async def test_two_processes_on_one_postgres_database_remind_fire_and_post_results_once(
    postgres_dsn: str,
) -> None:
    await two_processes_on_one_database(
        await open_postgres_store(postgres_dsn), await open_postgres_store(postgres_dsn)
    )


async def two_processes_on_one_database(first: SqlScoreStore, second: SqlScoreStore) -> None:
    scores = MemoryScoreStore()
    try:
        # A quiz on the first Friday of a month: its reminder due, a season just ended.
        friday = datetime(2027, 1, 1, 15, 55, tzinfo=UTC)
        await first.add_schedule(quiz(created=friday - timedelta(days=40)))
        clock = ManualClock(wall=friday)
        a = process(first, clock, name="a", scores=scores)
        b = process(second, clock, name="b", scores=scores)
        try:
            await asyncio.gather(a.play.runner().tick(), b.play.runner().tick())
            clock.jump(5 * 60)
            await asyncio.gather(a.play.runner().tick(), b.play.runner().tick())
            events = a.h.sink.events + b.h.sink.events
            assert len([e for e in events if isinstance(e, QuizReminder)]) == 1
            assert len([e for e in events if isinstance(e, GameStarted)]) == 1
            assert len([e for e in events if isinstance(e, SeasonResults)]) == 1
        finally:
            await a.stop()
            await b.stop()
    finally:
        await first.close()
        await second.close()


async def test_a_server_nobody_serves_is_taken_by_the_first_loop_with_something_due() -> None:
    """A Slack workspace whose lease nobody holds: the first replica with one of its
    schedules due takes it (``take``), then fires; the other finds it taken."""
    store = MemoryScheduleStore()
    await store.add_schedule(daily())
    clock = ManualClock(wall=FRIDAY_15)
    owner: dict[ServerKey, str] = {}
    processes: list[Process] = []
    for name in ("a", "b"):

        def serves(server: ServerKey, name: str = name) -> bool:
            return owner.get(server) == name

        async def take(server: ServerKey, name: str = name) -> bool:
            owner.setdefault(server, name)
            return owner[server] == name

        p = process(store, clock, name=name, serves=serves)
        p.task = asyncio.get_running_loop().create_task(p.play.runner(take=take).run())
        processes.append(p)
    try:
        await clock.advance(12 * HOUR)
        assert owner == {}, "nothing was due: nobody took the server"
        await clock.advance(7 * HOUR)  # 09:00 the next day
        assert owner == {GUILD: "a"} or owner == {GUILD: "b"}
        fired = [len(p.daily.opened) for p in processes]
        assert sorted(fired) == [0, 1]
        assert fired[0 if owner[GUILD] == "a" else 1] == 1
    finally:
        for p in processes:
            await p.stop()


async def test_the_loop_opens_the_real_daily_question_and_reveals_it_when_its_window_closes() -> (
    None
):
    """With the daily desk itself: posted at 09:00, a player's answer judged, and the
    loop wakes at 17:00 (the desk's next close) to reveal it, once."""
    schedules, scores, rounds = MemoryScheduleStore(), MemoryScoreStore(), MemoryDailyStore()
    await schedules.add_schedule(daily(closes=time(17, 0)))
    clock = ManualClock(wall=FRIDAY_15 + timedelta(hours=17))  # Saturday 08:00
    sink = RecordingSink()
    service = TriviaService(
        bank=ListBank(QUESTIONS),
        store=scores,
        clock=clock,
        sink=sink,
        daily=rounds,
        rng=random.Random(3),
    )
    assert service.daily is not None
    play = ScheduledPlay(
        service=service,
        schedules=schedules,
        scores=scores,
        sink=sink,
        clock=clock,
        holder="process-a",
        serves=lambda server: server == GUILD,
        daily=service.daily,
    )
    task = asyncio.get_running_loop().create_task(play.runner(poll=3 * HOUR).run())
    try:
        await clock.advance(HOUR)
        posted = sink.last(DailyQuestionPosted)
        assert posted.round.opened_at == datetime(2026, 1, 10, 9, tzinfo=UTC)
        await service.handle(
            AnswerDaily(posted.channel, player("ann"), text=posted.round.question.answer)
        )
        assert sink.last(DailyAnswerJudged).verdict is Verdict.RIGHT
        await clock.advance(8 * HOUR - 1)
        assert sink.of(DailyQuestionRevealed) == []
        await clock.advance(1)  # 17:00: the loop woke for it, not at its 3-hour poll
        [revealed] = sink.of(DailyQuestionRevealed)
        assert [winner.name for winner in revealed.winners] == ["ann"]
        await clock.advance(DAY)
        assert len(sink.of(DailyQuestionRevealed)) == 2  # Sunday's, once too
        assert len(sink.of(DailyQuestionPosted)) == 2
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await service.shutdown()
