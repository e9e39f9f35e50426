"""The daily question through ``TriviaService``: a round opened from a schedule, private
answers judged by the games' matcher and kept once, the reveal once, streaks across days,
and the daily points in stats and leaderboards.  A manual clock; the stores in memory
(``tests/fake_daily.py``), or SQLite where two desks share one database."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.domain.commands import AnswerDaily, ShowLeaderboard, ShowStats
from bot.domain.daily import DailyRound, SeasonLength, Verdict
from bot.domain.events import (
    DailyAnswerJudged,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    DailyQuestionSkipped,
    LeaderboardShown,
    Rejected,
    StatsShown,
)
from bot.domain.model import Actor, Difficulty, Question, QuestionType
from bot.domain.records import Period
from bot.domain.schedule import Schedule, ScheduleKind, parse_days
from bot.ports import DailyStore, ScoreStore, StoreUnavailable
from bot.service.daily_desk import DailyDesk
from bot.service.trivia import TriviaService
from bot.storage.postgres.store import open_postgres_store
from bot.storage.sql_store import SqlScoreStore
from bot.storage.sqlite.store import open_sqlite_store
from tests.fake_daily import MemoryDailyStore
from tests.fakes import CHANNEL, SERVER, ListBank, MemoryScoreStore, RecordingSink, player, question

#: A Monday, 08:00 UTC; the schedule asks at 09:00 Berlin (08:00 UTC) until 17:00.
START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
DAY = 86_400.0
ADA, BOB, CY = player("ada"), player("bob"), player("cy")

MERCURY = question("q-mercury", "Mercury", difficulty=Difficulty.HARD, category="science")
MARS = question("q-mars", "Mars", type=QuestionType.CHOICE, choices=("Venus", "Mars", "Jupiter"))


def schedule(**changes: object) -> Schedule:
    base = Schedule(
        id=3,
        server=SERVER,
        channel=CHANNEL.channel,
        kind=ScheduleKind.DAILY_QUESTION,
        at=time(9, 0),
        zone="Europe/Berlin",
        days=parse_days("daily"),
        closes=time(17, 0),
        created=START - timedelta(days=30),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass
class Daily:
    """One bot: the service with its desk, over stores that a second bot may share."""

    service: TriviaService
    clock: ManualClock
    sink: RecordingSink
    scores: ScoreStore
    rounds: DailyStore
    schedule: Schedule = field(default_factory=schedule)

    @property
    def desk(self) -> DailyDesk:
        assert self.service.daily is not None
        return self.service.daily

    async def open(self) -> DailyRound:
        due = self.schedule.occurrence(self.clock.now().date())
        opened = await self.desk.open_round(self.schedule, due)
        assert opened is not None
        return opened

    async def answer(self, actor: Actor, text: str | None = None, **more: object) -> Verdict:
        self.sink.clear()
        await self.service.handle(AnswerDaily(channel=CHANNEL, actor=actor, text=text, **more))  # type: ignore[arg-type]
        return self.sink.last(DailyAnswerJudged).verdict

    async def until_close(self) -> int:
        """Advance to today's 17:00 UTC+1 close and reveal."""
        closes = self.schedule.occurrence(self.clock.now().date()).closes
        await self.clock.advance((closes - self.clock.now()).total_seconds())
        return await self.desk.close_due(self.clock.now())

    async def next_morning(self) -> None:
        tomorrow = datetime.combine(
            self.clock.now().date() + timedelta(days=1), time(8, 0), tzinfo=UTC
        )
        await self.clock.advance((tomorrow - self.clock.now()).total_seconds())


def bot(
    questions: list[Question],
    *,
    scores: ScoreStore | None = None,
    rounds: DailyStore | None = None,
    clock: ManualClock | None = None,
    seed: int = 7,
) -> Daily:
    clock = clock or ManualClock(wall=START)
    sink = RecordingSink()
    scores = scores if scores is not None else MemoryScoreStore()
    rounds = rounds if rounds is not None else MemoryDailyStore()
    service = TriviaService(
        bank=ListBank(questions),
        store=scores,
        clock=clock,
        sink=sink,
        rng=random.Random(seed),
        daily=rounds,
    )
    return Daily(service, clock, sink, scores, rounds)


async def test_the_round_is_posted_with_its_question_and_window() -> None:
    d = bot([MERCURY])
    opened = await d.open()
    posted = d.sink.last(DailyQuestionPosted)
    assert posted.round == opened
    assert posted.channel == CHANNEL
    assert opened.question == MERCURY
    assert opened.closes_at == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
    assert await d.rounds.open_daily_rounds(SERVER, now=d.clock.now()) == [opened]
    await d.service.note_daily_message(opened.id, "msg-1")
    assert await d.rounds.daily_round(opened.id) == replace(opened, message_ref="msg-1")


async def test_three_players_right_wrong_and_close_and_close_may_try_again() -> None:
    d = bot([MERCURY])
    round_ = await d.open()
    await d.clock.advance(60)
    assert await d.answer(ADA, "mercury!") is Verdict.RIGHT
    assert d.sink.last(DailyAnswerJudged).streak == 1
    assert await d.answer(BOB, "Venus") is Verdict.WRONG
    assert d.sink.last(DailyAnswerJudged).streak == 0
    assert await d.answer(CY, "Mercry") is Verdict.RIGHT  # one typo in a long word
    assert await d.rounds.daily_answer(round_.id, CY.key) is not None

    fdr = question("q-fdr", "Franklin Delano Roosevelt")
    d2 = bot([fdr])
    round2 = await d2.open()
    assert await d2.answer(CY, "frank") is Verdict.WRONG
    await d2.clock.advance(5)
    # A close guess is not an answer: nothing is kept, and the player may try again.
    assert await d2.answer(BOB, "roosevelt") is Verdict.CLOSE
    assert d2.sink.last(DailyAnswerJudged).guess == "roosevelt"
    assert await d2.rounds.daily_answer(round2.id, BOB.key) is None
    assert await d2.answer(BOB, "Franklin D. Roosevelt") is Verdict.RIGHT
    assert [a.player for a in await d2.rounds.daily_answers(round2.id)] == [CY.key, BOB.key]


async def test_an_answer_counts_once_and_a_second_changes_nothing() -> None:
    d = bot([MERCURY])
    round_ = await d.open()
    assert await d.answer(ADA, "Venus") is Verdict.WRONG
    assert await d.answer(ADA, "Mercury") is Verdict.ALREADY
    judged = d.sink.last(DailyAnswerJudged)
    assert judged.guess == "Venus", "the verdict shows the answer that was kept"
    kept = await d.rounds.daily_answer(round_.id, ADA.key)
    assert kept is not None
    assert not kept.correct
    assert isinstance(d.scores, MemoryScoreStore)
    assert [(a.correct, a.points) for a in d.scores.answers] == [(False, 0)]


async def test_an_answer_the_store_cannot_keep_shows_no_verdict() -> None:
    rounds = MemoryDailyStore()
    d = bot([MERCURY], rounds=rounds)
    round_ = await d.open()
    rounds.fail_next_answer = StoreUnavailable("database is locked")
    d.sink.clear()
    await d.service.handle(AnswerDaily(channel=CHANNEL, actor=ADA, text="Mercury"))
    assert d.sink.of(DailyAnswerJudged) == []
    assert d.sink.last(Rejected).recipient == ADA.key
    assert await rounds.daily_answer(round_.id, ADA.key) is None
    # Nothing was kept, so the same answer later counts.
    assert await d.answer(ADA, "Mercury") is Verdict.RIGHT


async def test_after_the_window_or_without_a_round_the_verdict_is_closed() -> None:
    d = bot([MERCURY])
    assert await d.answer(ADA, "Mercury") is Verdict.CLOSED
    round_ = await d.open()
    await d.clock.advance((round_.closes_at - d.clock.now()).total_seconds())
    assert await d.answer(ADA, "Mercury") is Verdict.CLOSED
    assert await d.answer(BOB, "Mercury", round_id=round_.id) is Verdict.CLOSED
    assert await d.rounds.daily_answers(round_.id) == []


async def test_options_are_picked_by_click_or_by_letter() -> None:
    d = bot([MARS])
    round_ = await d.open()
    assert round_.choices == ("Venus", "Mars", "Jupiter")
    assert await d.answer(ADA, choice=1, round_id=round_.id) is Verdict.RIGHT
    assert d.sink.last(DailyAnswerJudged).guess == "Mars"
    assert await d.answer(BOB, choice=0) is Verdict.WRONG
    assert await d.answer(CY, "c") is Verdict.WRONG
    assert d.sink.last(DailyAnswerJudged).guess == "Jupiter"
    d.sink.clear()
    await d.service.handle(AnswerDaily(channel=CHANNEL, actor=player("dee"), choice=5))
    assert "does not exist" in d.sink.last(Rejected).message


async def test_the_reveal_names_the_right_ones_fastest_first_and_happens_once() -> None:
    d = bot([MERCURY])
    round_ = await d.open()
    await d.service.note_daily_message(round_.id, "msg-9")
    await d.clock.advance(600)
    await d.answer(BOB, "Mercury")
    await d.clock.advance(60)
    await d.answer(CY, "Pluto")
    await d.clock.advance(60)
    await d.answer(ADA, "Mercury")
    assert await d.desk.next_close() == round_.closes_at
    assert await d.desk.close_due(d.clock.now()) == 0, "not before its window closes"
    assert await d.until_close() == 1
    revealed = d.sink.last(DailyQuestionRevealed)
    assert revealed.round.id == round_.id
    assert revealed.round.revealed
    assert revealed.round.message_ref == "msg-9"
    assert [(w.name, w.seconds, w.streak) for w in revealed.winners] == [
        ("bob", 600.0, 1),
        ("ada", 720.0, 1),
    ]
    assert revealed.answered == 3
    assert await d.desk.close_due(d.clock.now()) == 0
    assert len(d.sink.of(DailyQuestionRevealed)) == 1
    assert await d.desk.next_close() is None


async def test_a_streak_grows_over_three_days_and_breaks_on_the_fourth() -> None:
    questions = [question(f"q{n}", f"Answer {n}") for n in range(5)]
    d = bot(questions)
    streaks = []
    for _day in range(3):
        round_ = await d.open()
        assert await d.answer(ADA, round_.question.answer) is Verdict.RIGHT
        streaks.append(d.sink.last(DailyAnswerJudged).streak)
        await d.until_close()
        assert d.sink.last(DailyQuestionRevealed).winners[0].streak == streaks[-1]
        await d.next_morning()
    assert streaks == [1, 2, 3]
    await d.open()  # the fourth day: ada does not answer
    assert await d.desk.streak(ADA.key) == 3, "an open round breaks nothing yet"
    await d.until_close()
    assert await d.desk.streak(ADA.key) == 0
    d.sink.clear()
    await d.service.handle(ShowStats(channel=CHANNEL, actor=ADA))
    stats = d.sink.last(StatsShown).stats
    assert (stats.daily_streak, stats.best_daily_streak) == (0, 3)


async def test_a_restart_between_open_and_close_still_reveals_once() -> None:
    scores, rounds = MemoryScoreStore(), MemoryDailyStore()
    first = bot([MERCURY], scores=scores, rounds=rounds)
    round_ = await first.open()
    await first.answer(ADA, "Mercury")
    await first.service.shutdown()

    # The bot is down past the window's end; the next process reveals it when it runs.
    clock = ManualClock(wall=round_.closes_at + timedelta(hours=3))
    second = bot([MERCURY], scores=scores, rounds=rounds, clock=clock)
    assert await second.desk.close_due(clock.now()) == 1
    assert [w.player for w in second.sink.last(DailyQuestionRevealed).winners] == [ADA.key]
    assert await first.desk.close_due(clock.now()) == 0
    assert await second.desk.close_due(clock.now()) == 0


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where two bots share one database: a SQLite file or a PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "trivia.db")
    dsn: str = request.getfixturevalue("postgres_dsn")
    return dsn


async def open_database(where: str) -> SqlScoreStore:
    if where.startswith("postgresql:"):
        return await open_postgres_store(where)
    return await open_sqlite_store(Path(where))


async def test_two_desks_on_one_database_reveal_once(database: str) -> None:
    one, two = await open_database(database), await open_database(database)
    try:
        clock = ManualClock(wall=START)
        a = bot([MERCURY], scores=one, rounds=one, clock=clock)
        b = bot([MERCURY], scores=two, rounds=two, clock=clock)
        round_ = await a.open()
        assert await b.answer(ADA, "Mercury") is Verdict.RIGHT
        assert await a.answer(ADA, "Mercury") is Verdict.ALREADY
        await clock.advance((round_.closes_at - clock.now()).total_seconds())
        done = await asyncio.gather(
            a.desk.close_due(clock.now()),
            b.desk.close_due(clock.now()),
            a.desk.close_due(clock.now()),
            b.desk.close_due(clock.now()),
        )
        assert sum(done) == 1
        shown = a.sink.of(DailyQuestionRevealed) + b.sink.of(DailyQuestionRevealed)
        assert [w.player for w in shown[0].winners] == [ADA.key]
        stats = await two.player_stats(ADA.key)
        assert stats is not None
        assert (stats.points, stats.correct, stats.answered) == (30, 1, 1)
    finally:
        await one.close()
        await two.close()


async def test_the_draw_does_not_repeat_a_question_until_the_pool_is_used_up() -> None:
    questions = [question(f"q{n}", f"Answer {n}") for n in range(3)]
    d = bot(questions)
    asked = []
    for _day in range(4):
        asked.append((await d.open()).question.id)
        await d.until_close()
        await d.next_morning()
    assert sorted(asked[:3]) == ["q0", "q1", "q2"]
    assert asked[3] in asked[:3]


async def test_the_schedule_chooses_category_and_difficulty_or_the_channel_hears_why() -> None:
    easy = question("q-easy", "Paris", difficulty=Difficulty.EASY, category="Geography")
    hard = question("q-hard", "Ulaanbaatar", difficulty=Difficulty.HARD, category="Geography")
    d = bot([easy, hard, MERCURY])
    d.schedule = schedule(category="geography", difficulty="hard")
    assert (await d.open()).question == hard
    d.schedule = schedule(category="history")
    due = d.schedule.occurrence(d.clock.now().date())
    assert await d.desk.open_round(d.schedule, due) is None
    skipped = d.sink.last(DailyQuestionSkipped)
    assert skipped.channel == CHANNEL
    assert "category 'history'" in skipped.reason
    assert "Categories here: Geography, science" in skipped.reason


async def test_daily_points_show_in_stats_and_every_leaderboard() -> None:
    d = bot([MERCURY])
    await d.open()
    await d.answer(ADA, "Mercury")
    await d.answer(BOB, "Venus")
    await d.until_close()

    d.sink.clear()
    await d.service.handle(ShowStats(channel=CHANNEL, actor=ADA))
    stats = d.sink.last(StatsShown).stats
    assert (stats.points, stats.correct, stats.answered, stats.daily_streak) == (30, 1, 1, 1)
    for period in Period:
        await d.service.handle(ShowLeaderboard(channel=CHANNEL, actor=BOB, period=period))
        board = d.sink.last(LeaderboardShown)
        assert [(r.name, r.points) for r in board.rows] == [("ada", 30)], period
    await d.service.handle(
        ShowLeaderboard(channel=CHANNEL, actor=BOB, period=Period.WEEK, daily=True)
    )
    daily = d.sink.last(LeaderboardShown)
    assert daily.daily
    assert [(r.name, r.points, r.correct) for r in daily.rows] == [("ada", 30, 1)]


async def test_the_daily_board_of_a_week_and_of_a_season() -> None:
    questions = [question(f"q{n}", f"Answer {n}") for n in range(10)]
    d = bot(questions)
    # Monday 7 December to Monday 4 January: four weeks, two months.
    for day in range(29):
        round_ = await d.open()
        if day % 7 != 6:
            await d.answer(ADA, round_.question.answer)
        if day >= 25:
            await d.answer(BOB, round_.question.answer)
        await d.until_close()
        await d.next_morning()

    async def board(**how: object) -> LeaderboardShown:
        await d.service.handle(ShowLeaderboard(channel=CHANNEL, actor=ADA, daily=True, **how))  # type: ignore[arg-type]
        return d.sink.last(LeaderboardShown)

    week = await board(period=Period.WEEK)  # the week of Monday 4 January 2027
    assert [(r.name, r.correct) for r in week.rows] == [("ada", 1), ("bob", 1)]
    december = await board(season="2026-12")  # days 0 to 24; ada misses every 7th
    assert december.season is not None
    assert december.season.label == "December 2026"
    assert [(r.name, r.correct) for r in december.rows] == [("ada", 22)]
    current = await board(season="current")  # 1 to 4 January
    assert current.period is Period.ALL
    assert [(r.name, r.correct) for r in current.rows] == [("bob", 4), ("ada", 3)]
    d.sink.clear()
    await d.service.handle(
        ShowLeaderboard(channel=CHANNEL, actor=ADA, daily=True, season="2026-Q4")
    )
    assert "seasons are monthly" in d.sink.last(Rejected).message


async def test_the_home_view_shows_todays_round_the_streak_and_the_season() -> None:
    d = bot([MERCURY])
    round_ = await d.open()
    home = await d.desk.player_home(ADA.key, d.clock.now())
    assert [(r.round.id, r.answered) for r in home.rounds] == [(round_.id, False)]
    await d.answer(ADA, "Mercury")
    home = await d.desk.player_home(ADA.key, d.clock.now(), season_length=SeasonLength.QUARTERLY)
    assert [(r.round.id, r.verdict) for r in home.rounds] == [(round_.id, Verdict.RIGHT)]
    assert (home.streak, home.best_streak) == (1, 1)
    assert home.season.name == "2026-Q4"
    assert [(r.name, r.points) for r in home.season_rows] == [("ada", 30)]


async def test_without_a_daily_store_answers_are_refused_in_words() -> None:
    clock, sink = ManualClock(wall=START), RecordingSink()
    service = TriviaService(
        bank=ListBank([MERCURY]), store=MemoryScoreStore(), clock=clock, sink=sink
    )
    assert service.daily is None
    await service.handle(AnswerDaily(channel=CHANNEL, actor=ADA, text="Mercury"))
    assert "no place to keep daily questions" in sink.last(Rejected).message
    await service.note_daily_message(1, "msg")  # nothing to note it in: no error either
    await service.handle(ShowLeaderboard(channel=CHANNEL, actor=ADA, daily=True))
    assert "no daily questions" in sink.last(Rejected).message


async def test_a_kept_answer_reaches_the_scores_later_when_they_are_busy() -> None:
    scores = MemoryScoreStore()
    d = bot([MERCURY], scores=scores)
    await d.open()
    scores.fail_next = StoreUnavailable("database is locked")
    # The answer is kept (it counts for the streak and the reveal): its verdict is shown.
    assert await d.answer(ADA, "Mercury") is Verdict.RIGHT
    assert await scores.player_stats(ADA.key) is None
    assert await d.until_close() == 1
    stats = await scores.player_stats(ADA.key)
    assert stats is not None
    assert (stats.points, stats.correct) == (30, 1)
    assert [w.player for w in d.sink.last(DailyQuestionRevealed).winners] == [ADA.key]


async def test_a_round_is_posted_even_when_its_question_cannot_be_noted_as_asked() -> None:
    # Kept rounds are revealed at their close: one kept but never shown would be revealed
    # out of nowhere.  Only the no-repeat history misses the question.
    scores = MemoryScoreStore()
    d = bot([MERCURY], scores=scores)
    scores.fail_next = StoreUnavailable("database is locked")
    opened = await d.open()
    assert d.sink.last(DailyQuestionPosted).round == opened
    assert await d.until_close() == 1


async def test_the_home_view_through_the_service_uses_the_servers_season_length() -> None:
    d = bot([MERCURY])
    await d.open()
    await d.answer(ADA, "Mercury")
    home = await d.service.daily_home(ADA.key)
    assert home is not None
    assert home.season.name == "2026-12"
    assert [(r.round.question.id, r.verdict) for r in home.rounds] == [("q-mercury", Verdict.RIGHT)]
