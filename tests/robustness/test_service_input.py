"""Hostile names, guesses, categories and forms through the service, down to SQLite.

Nothing a player types may crash a game, change a rule, or write anything but itself:
after a name like ``'); DROP TABLE players;--`` plays, the players table holds exactly one
row with that literal name, and ``PRAGMA integrity_check`` is ok.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app.compose import App, open_app
from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.commands import AddQuestion, RemoveQuestion, StartGame, SubmitAnswer
from bot.domain.events import (
    AnswerAccepted,
    ChoiceRecorded,
    CloseGuess,
    DraftRejected,
    Event,
    GameEnded,
    GameStarted,
    QuestionAdded,
    QuestionAsked,
    QuestionRevealed,
    Refusal,
    Rejected,
    WrongChoice,
    WrongGuess,
)
from bot.domain.model import (
    Actor,
    ChannelKey,
    GameMode,
    GameOptions,
    PlayerKey,
    QuestionDraft,
    QuestionType,
)
from bot.domain.records import (
    AnswerRecord,
    Period,
)
from bot.storage import open_store
from tests.fakes import MemoryScoreStore, RecordingSink, question
from tests.harness import build_service
from tests.helpers import rows
from tests.robustness.nasty import NASTY, SQL, any_text, hostile_text

PLATFORM, SERVER = "discord", "guild-1"
BANK = """\
id: robust
title: Robustness
questions:
  - {id: capital, prompt: "Capital of France?", answers: [Paris], category: geo}
  - {id: legs, prompt: "Legs of a spider?", answers: ["8"], type: number, category: geo}
  - id: red-planet
    prompt: Red planet?
    type: choice
    choices: [Venus, Mars, Jupiter]
    answers: [Mars]
    category: space
"""
TABLES = {
    "servers",
    "players",
    "answers",
    "period_totals",
    "games",
    "asked_questions",
    "custom_questions",
    "server_settings",
}


def actor(user: str, name: str, *, admin: bool = False) -> Actor:
    return Actor(key=PlayerKey(PLATFORM, SERVER, user), name=name, is_admin=admin)


def channel(name: str = "general") -> ChannelKey:
    return ChannelKey(PLATFORM, SERVER, name)


@dataclass
class Bot:
    app: App
    sink: RecordingSink
    clock: ManualClock
    db: Path

    async def send(self, command: object) -> list[Event]:
        before = len(self.sink.events)
        await self.app.service.handle(command)  # type: ignore[arg-type]
        await self.clock.settle()
        return self.sink.events[before:]


@asynccontextmanager
async def sqlite_bot(tmp_path: Path) -> AsyncIterator[Bot]:
    bank = tmp_path / "bank.yaml"
    bank.write_text(BANK, encoding="utf-8")
    config = Settings(
        db=tmp_path / "trivia.db",
        questions=(bank,),
        cache_dir=None,
        rounds=1,
        seconds=30.0,
        pause=0.0,
        auto_hints=False,
    )
    sink, clock = RecordingSink(), ManualClock()
    async with open_app(config, sink=sink, clock=clock, rng=random.Random(3)) as app:
        yield Bot(app, sink, clock, config.db)


def assert_database_intact(db: Path) -> None:
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    tables = {name for (name,) in rows(db, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables >= TABLES


# -- names --------------------------------------------------------------------------------------


async def test_every_hostile_name_plays_and_is_stored_once_literally(tmp_path: Path) -> None:
    names = {f"user-{n}": name for n, name in enumerate([*NASTY.values(), "x" * 100_000])}

    async with sqlite_bot(tmp_path) as bot:
        for user, name in names.items():
            where = channel(user)
            await bot.send(StartGame(channel=where, actor=actor(user, name), category="geo"))
            asked = bot.sink.last(QuestionAsked)
            events = await bot.send(
                SubmitAnswer(channel=where, actor=actor(user, name), text=asked.question.answer)
            )
            (accepted,) = [e for e in events if isinstance(e, AnswerAccepted)]
            assert accepted.award.name == name
            assert isinstance(events[-1], GameEnded)
            assert events[-1].standings[0].name == name
        store = bot.app.store
        board = await store.leaderboard(
            channel().server_key, Period.ALL, now=datetime.now(UTC), limit=100
        )
        found = {
            name: await store.find_players(channel().server_key, name) for name in NASTY.values()
        }
        stats = await store.player_stats(PlayerKey(PLATFORM, SERVER, "user-0"))

    assert {row.player.user: row.name for row in board} == names
    for user, name in names.items():
        assert rows(bot.db, "SELECT user_id FROM players WHERE name = ?", name) == [(user,)]
        if name in found:
            assert PlayerKey(PLATFORM, SERVER, user) in found[name]
    assert rows(bot.db, "SELECT COUNT(*) FROM players") == [(len(names),)]
    assert stats is not None
    assert stats.name == SQL
    assert_database_intact(bot.db)


def test_any_display_name_round_trips_literally_through_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "names.db"
    users = itertools.count()
    server = channel().server_key
    at = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)

    with asyncio.Runner() as runner:
        store = runner.run(open_store(db))

        async def round_trip(name: str) -> None:
            key = PlayerKey(PLATFORM, SERVER, f"u{next(users)}")
            record = AnswerRecord(key, name, channel(), "g", "q", True, 7, 100, 1, at)
            await store.record_answers([record])
            stats = await store.player_stats(key)
            assert stats is not None
            assert stats.name == name
            if name.split():
                assert key in await store.find_players(server, name)
            board = await store.leaderboard(server, Period.ALL, now=at, limit=1000)
            assert {row.player: row.name for row in board}[key] == name

        @settings(max_examples=150, deadline=None)
        @given(name=st.one_of(any_text, hostile_text))
        def check(name: str) -> None:
            runner.run(round_trip(name))

        try:
            check()
        finally:
            runner.run(store.close())

    assert_database_intact(db)


# -- guesses ------------------------------------------------------------------------------------

QUESTIONS = {
    "text": question("capital", "Paris", aliases=("City of Light",)),
    "number": question("legs", "8", type=QuestionType.NUMBER),
    "choice": question(
        "red", "Mars", type=QuestionType.CHOICE, choices=("Venus", "Mars", "Jupiter")
    ),
}
ALICE = actor("alice", "alice")


async def one_guess(kind: str, mode: GameMode, text: str) -> tuple[list[Event], list[AnswerRecord]]:
    """The events of one guess, and what was written before the game is shut down
    (which records the misses of everyone who tried)."""
    h = build_service(
        [QUESTIONS[kind]],
        options=GameOptions(rounds=1, seconds=30, pause=0, mode=mode),
        journal=True,
    )
    service, store, sink, clock = h.service, h.store, h.sink, h.clock
    await service.handle(StartGame(channel=channel(), actor=ALICE))
    assert sink.of(QuestionAsked), sink.events
    sink.clear()
    try:
        await service.handle(SubmitAnswer(channel=channel(), actor=ALICE, text=text))
        await clock.settle()
        return list(sink.events), list(store.answers)
    finally:
        await service.shutdown()


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(sorted(QUESTIONS)),
    mode=st.sampled_from(GameMode),
    text=st.one_of(any_text, hostile_text, st.text(max_size=5).map(lambda t: t * 20_000)),
)
def test_any_guess_gives_at_most_the_events_a_guess_can_give(
    kind: str, mode: GameMode, text: str
) -> None:
    if mode is GameMode.CHOICE and kind != "choice":
        mode = GameMode.TEXT  # choice mode only asks questions that have options
    events, written = asyncio.run(one_guess(kind, mode, text))

    kinds = [type(e) for e in events]
    if AnswerAccepted in kinds:
        assert kinds == [AnswerAccepted, QuestionRevealed, GameEnded]
        accepted = events[0]
        assert isinstance(accepted, AnswerAccepted)
        assert accepted.award.guess in (text, *QUESTIONS[kind].choices)
        assert [r.correct for r in written] == [True]
    elif mode is GameMode.CHOICE:
        # A message that names no option is chat in choice mode; one that does is a pick,
        # confirmed to its player and scored at the reveal.
        assert kinds in ([], [ChoiceRecorded])
        assert written == []
    else:
        assert len(events) == 1
        (event,) = events
        assert isinstance(event, CloseGuess | WrongGuess | WrongChoice)
        if isinstance(event, CloseGuess | WrongGuess):
            assert event.guess == text
            assert event.name == "alice"
        assert written == []


@settings(max_examples=60, deadline=None)
@given(
    guesses=st.lists(
        st.tuples(st.sampled_from(["alice", "bob", "carol"]), st.one_of(hostile_text, any_text)),
        max_size=15,
    ),
    right=st.lists(st.integers(0, 14), max_size=3),
)
def test_a_storm_of_hostile_guesses_scores_each_question_once_and_never_raises(
    guesses: list[tuple[str, str]], right: list[int]
) -> None:
    for index in right:
        if index < len(guesses):
            guesses[index] = (guesses[index][0], "paris")

    async def play() -> tuple[list[Event], MemoryScoreStore]:
        h = build_service(
            [QUESTIONS["text"]], options=GameOptions(rounds=1, seconds=30, pause=0), journal=True
        )
        service, store, sink = h.service, h.store, h.sink
        await service.handle(StartGame(channel=channel(), actor=ALICE))
        await asyncio.gather(
            *(
                service.handle(SubmitAnswer(channel=channel(), actor=actor(who, who), text=text))
                for who, text in guesses
            )
        )
        await service.shutdown()
        return sink.events, store

    events, store = asyncio.run(play())

    accepted = [e for e in events if isinstance(e, AnswerAccepted)]
    assert len(accepted) <= 1
    assert sum(r.points for r in store.answers) == sum(a.award.points.total for a in accepted)
    assert [type(e) for e in events].count(GameEnded) == 1
    assert not [e for e in events if isinstance(e, Rejected)]


async def test_a_100kb_guess_is_a_wrong_guess_that_writes_nothing(tmp_path: Path) -> None:
    async with sqlite_bot(tmp_path) as bot:
        await bot.send(StartGame(channel=channel(), actor=ALICE, category="geo"))
        events = await bot.send(SubmitAnswer(channel=channel(), actor=ALICE, text="é" * 100_000))

    assert [type(e) for e in events] == [WrongGuess]
    assert rows(bot.db, "SELECT COUNT(*) FROM answers WHERE correct = 1") == [(0,)]


# -- categories, ids and forms ------------------------------------------------------------------


@pytest.mark.parametrize("category", [SQL, "%", "_", "geo' OR '1'='1", "*", "\x00", "geo\x1b[2J"])
async def test_a_hostile_category_is_refused_and_named_literally(
    tmp_path: Path, category: str
) -> None:
    async with sqlite_bot(tmp_path) as bot:
        events = await bot.send(StartGame(channel=channel(), actor=ALICE, category=category))

    (refused,) = events
    assert isinstance(refused, Rejected)
    assert refused.reason is Refusal.NO_QUESTIONS
    assert repr(category) in refused.message
    assert_database_intact(bot.db)


async def test_a_sql_looking_id_removes_nothing_and_says_so(tmp_path: Path) -> None:
    ada = actor("ada", "ada", admin=True)
    draft = QuestionDraft(prompt="Largest ocean?", answers="Pacific", category="geo")
    async with sqlite_bot(tmp_path) as bot:
        (added,) = await bot.send(AddQuestion(channel=channel(), actor=ada, draft=draft))
        assert isinstance(added, QuestionAdded)
        results = [
            await bot.send(RemoveQuestion(channel=channel(), actor=ada, question_id=text))
            for text in (SQL, "' OR 1=1 --", "%", f"{added.question.id}' --")
        ]

    for (event,) in results:
        assert isinstance(event, Rejected)
        assert event.reason is Refusal.NO_QUESTIONS or "no question" in event.message
    assert rows(bot.db, "SELECT COUNT(*) FROM custom_questions WHERE removed_us IS NULL") == [(1,)]
    assert_database_intact(bot.db)


@pytest.mark.parametrize(
    "draft",
    [
        QuestionDraft(prompt="Who \x1b[2J?", answers="me"),
        QuestionDraft(prompt="Who?", answers="me\x00"),
        QuestionDraft(prompt="Who?", answers="me", category="\x07ring"),
        QuestionDraft(prompt="Who?", answers="me", explanation="ok\x9bno"),
        QuestionDraft(prompt="x" * 100_000, answers="me"),
        QuestionDraft(prompt="Who?", answers="\n".join(["a"] * 5000)),
        QuestionDraft(prompt="Who?", answers="me", difficulty=SQL),
        QuestionDraft(prompt="", answers=""),
    ],
    ids=["escape", "nul", "bell", "c1", "huge", "many-answers", "sql-difficulty", "empty"],
)
async def test_a_refused_form_stores_no_question(tmp_path: Path, draft: QuestionDraft) -> None:
    ada = actor("ada", "ada", admin=True)
    async with sqlite_bot(tmp_path) as bot:
        events = await bot.send(AddQuestion(channel=channel(), actor=ada, draft=draft))
        own = await bot.app.bank.custom_questions(channel().server_key)

    (refused,) = events
    assert isinstance(refused, DraftRejected)
    assert refused.problems
    assert own == ()
    assert rows(bot.db, "SELECT COUNT(*) FROM custom_questions") == [(0,)]
    assert_database_intact(bot.db)


async def test_hostile_but_printable_form_text_is_stored_and_asked_literally(
    tmp_path: Path,
) -> None:
    ada = actor("ada", "ada", admin=True)
    prompt = f"{NASTY['everyone']} {NASTY['bold']} {NASTY['slack-link']} {SQL}?"
    answer = "Robert'); DROP TABLE students;--"
    draft = QuestionDraft(prompt=prompt, answers=answer, category=NASTY["masked-link"][:40])
    async with sqlite_bot(tmp_path) as bot:
        (added,) = await bot.send(AddQuestion(channel=channel(), actor=ada, draft=draft))
        assert isinstance(added, QuestionAdded), added
        category = added.question.category
        await bot.send(StartGame(channel=channel(), actor=ALICE, category=category))
        asked = bot.sink.last(QuestionAsked)
        events = await bot.send(SubmitAnswer(channel=channel(), actor=ALICE, text=answer))

    assert (asked.question.prompt, asked.question.answers) == (prompt, (answer,))
    assert isinstance(events[0], AnswerAccepted)
    (body,) = [
        json.loads(str(body)) for (body,) in rows(bot.db, "SELECT body FROM custom_questions")
    ]
    assert (body["prompt"], body["answers"]) == (prompt, [answer])
    assert_database_intact(bot.db)


async def test_a_game_started_by_a_hostile_name_announces_it_literally(tmp_path: Path) -> None:
    name = NASTY["escape-sequences"] + NASTY["rich-markup"]
    async with sqlite_bot(tmp_path) as bot:
        events = await bot.send(StartGame(channel=channel(), actor=actor("x", name)))

    started = events[0]
    assert isinstance(started, GameStarted)
    assert started.started_by_name == name
