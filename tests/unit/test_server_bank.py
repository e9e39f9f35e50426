"""A server's questions stay right when admins act at once, and when ids or prompts collide."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bank import StaticQuestionBank, load_bank_text
from bot.bank.server_bank import ServerQuestionBank
from bot.domain.model import PlayerKey, Question, QuestionDraft, ServerKey
from bot.ports import TriviaStore
from bot.storage import open_store
from tests.fakes import MemoryScoreStore

SERVER = ServerKey("discord", "1")
ALICE = PlayerKey("discord", "1", "alice")
BOB = PlayerKey("discord", "1", "bob")
NOW = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)
BUNDLED = load_bank_text(
    "id: films\ntitle: Films\nquestions:\n"
    "  - {id: woo, prompt: Who directed Mission Impossible 2?, answers: [John Woo]}\n",
    path="films.yaml",
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[TriviaStore]:
    opened = await open_store(tmp_path / "t.db")
    yield opened
    await opened.close()


async def test_two_admins_adding_at_once_both_keep_their_question(store: TriviaStore) -> None:
    bank = ServerQuestionBank(StaticQuestionBank([]), store)
    added = await asyncio.gather(
        bank.add_question(SERVER, QuestionDraft("What is 2+2?", "4"), by=ALICE, at=NOW),
        bank.add_question(SERVER, QuestionDraft("What is 2-2?", "0"), by=BOB, at=NOW),
    )
    stored = {q.id: q.prompt for q in await store.custom_questions(SERVER)}
    assert {q.id: q.prompt for q in added if isinstance(q, Question)} == stored
    assert sorted(stored.values()) == ["What is 2+2?", "What is 2-2?"]


async def test_the_same_question_added_twice_at_once_is_kept_once(store: TriviaStore) -> None:
    bank = ServerQuestionBank(StaticQuestionBank([]), store)
    draft = QuestionDraft("Capital of France?", "Paris")
    results = await asyncio.gather(
        bank.add_question(SERVER, draft, by=ALICE, at=NOW),
        bank.add_question(SERVER, draft, by=BOB, at=NOW),
    )
    assert sum(isinstance(r, Question) for r in results) == 1
    assert len(await store.custom_questions(SERVER)) == 1


class SlowReads(MemoryScoreStore):
    """Reads that return late, as a reader thread's can: after a write they missed."""

    def __init__(self) -> None:
        super().__init__()
        self.gate: asyncio.Event | None = None

    async def custom_questions(self, server: ServerKey) -> list[Question]:
        rows = await super().custom_questions(server)
        if self.gate is not None:
            await self.gate.wait()
        return rows


async def test_a_read_that_a_change_overtook_is_not_kept() -> None:
    store = SlowReads()
    bank = ServerQuestionBank(StaticQuestionBank([]), store)
    store.gate = asyncio.Event()
    reading = asyncio.create_task(bank.questions(SERVER))  # say, a game starting elsewhere
    await asyncio.sleep(0)
    gate, store.gate = store.gate, None
    added = await bank.add_question(SERVER, QuestionDraft("What is 2+2?", "4"), by=ALICE, at=NOW)
    gate.set()
    assert await reading == ()
    assert isinstance(added, Question)
    assert [q.id for q in await bank.questions(SERVER)] == [added.id]


async def test_an_own_question_shadows_a_bundled_one_with_its_id() -> None:
    store = MemoryScoreStore()
    bank = ServerQuestionBank(StaticQuestionBank([]), store)
    mine = Question(id="woo", prompt="Who is John Woo?", answers=("a director",))
    await bank.import_questions(SERVER, [mine], by=ALICE, at=NOW)
    bank.replace_static(StaticQuestionBank([BUNDLED]))  # a reload brings the same id
    assert [q.prompt for q in await bank.questions(SERVER)] == ["Who is John Woo?"]
    page = await bank.list_questions(SERVER, search="", page=1, own_only=False)
    assert [(i.question.prompt, i.own) for i in page.items] == [("Who is John Woo?", True)]
    again = await bank.import_questions(
        SERVER, [replace(mine, answers=("a film director",))], by=ALICE, at=NOW
    )
    assert again.updated == ("woo",)
    assert again.skipped == ()


async def test_prompts_that_differ_only_in_symbols_are_different_questions() -> None:
    bank = ServerQuestionBank(StaticQuestionBank([]), MemoryScoreStore())
    for prompt in ("Which flag is 🇫🇷?", "Which flag is 🇩🇪?", "What is 2*2?", "What is 2/2?"):
        added = await bank.add_question(SERVER, QuestionDraft(prompt, "x"), by=ALICE, at=NOW)
        assert isinstance(added, Question), added
    same = await bank.add_question(SERVER, QuestionDraft("which FLAG is 🇫🇷", "x"), by=ALICE, at=NOW)
    assert not isinstance(same, Question)
    assert "already has that question" in same[0].message
