"""The bank shipped with the bot: valid, varied, faithful to its article, in its own words.

The article it was written from is not part of the repository (the bank is in
our own words; the article's sentences are not ours to ship). The tests that
compare the bank with it read it from ``../shared/seed-article.txt`` beside the
checkout, or from ``$TRIVIA_SEED_ARTICLE``, and are skipped where it is absent;
the others, the explanations and paragraph numbers of the questions included,
run without it. Its paragraphs are its blank-line-separated blocks, counted
from 1, as the bank's description says.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.bank import LoadedBank, bundled_bank_dir, load_bank_file, load_banks
from bot.domain.model import Difficulty, Question, QuestionType

REPO = Path(__file__).resolve().parents[2]
ARTICLE_PATH = Path(
    os.environ.get("TRIVIA_SEED_ARTICLE") or REPO.parent / "shared" / "seed-article.txt"
)
ARTICLE = ARTICLE_PATH.read_text(encoding="utf-8") if ARTICLE_PATH.is_file() else ""
PARAGRAPHS = [block.strip() for block in re.split(r"\n\s*\n", ARTICLE) if block.strip()]
needs_article = pytest.mark.skipif(
    not ARTICLE,
    reason=f"the seed article is not at {ARTICLE_PATH} (set TRIVIA_SEED_ARTICLE to its path)",
)
#: How many paragraphs the bank's description counts in the article (checked against it).
ARTICLE_PARAGRAPHS = 3
ONE_SHOT_QUOTE = "We want it in one shot, I gotta keep doing it"
COPY_RUN = 8  # words in a row that may not come from the article


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold())


def runs(text: str, size: int = COPY_RUN) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i : i + size]) for i in range(len(found) - size + 1)}


@pytest.fixture(scope="module")
def bank() -> LoadedBank:
    return load_bank_file(bundled_bank_dir() / "mission-impossible-2.yaml")


@pytest.fixture(scope="module")
def questions(bank: LoadedBank) -> tuple[Question, ...]:
    return bank.questions


@needs_article
def test_the_article_has_the_three_paragraphs_the_bank_counts() -> None:
    assert len(PARAGRAPHS) == ARTICLE_PARAGRAPHS
    assert PARAGRAPHS[0].startswith("date 2025-02-15")
    assert PARAGRAPHS[1].startswith("Tom Cruise , known")
    assert PARAGRAPHS[2].startswith("' This dedication to realism")


def test_every_bundled_bank_file_loads_as_one_set() -> None:
    banks = load_banks([bundled_bank_dir()])

    assert "mission-impossible-2" in [bank.info.id for bank in banks]


def test_the_bank_describes_its_article(bank: LoadedBank) -> None:
    assert str(bank.info.source_date) == "2025-02-15"
    assert bank.info.source_title
    assert "paragraph 1" in bank.info.description


def test_there_are_at_least_25_questions_of_every_type_and_difficulty(
    questions: tuple[Question, ...],
) -> None:
    assert len(questions) >= 25
    assert set(Counter(q.type for q in questions)) == set(QuestionType)
    assert min(Counter(q.difficulty for q in questions).values()) >= 5
    assert set(Counter(q.difficulty for q in questions)) == set(Difficulty)
    assert len({q.category for q in questions}) >= 3


def test_choice_mode_has_a_pool_of_at_least_ten_questions(
    questions: tuple[Question, ...],
) -> None:
    assert sum(q.has_choices for q in questions) >= 10


def test_every_question_explains_itself_and_cites_its_paragraph(
    questions: tuple[Question, ...],
) -> None:
    # Needs no article: the first test checks that it has ARTICLE_PARAGRAPHS paragraphs.
    for question in questions:
        assert question.explanation, question.id
        assert question.source is not None, question.id
        assert 1 <= question.source.paragraph <= ARTICLE_PARAGRAPHS, question.id


@needs_article
def test_every_source_context_stands_in_its_paragraph(questions: tuple[Question, ...]) -> None:
    for question in questions:
        assert question.source is not None
        paragraph = " ".join(words(PARAGRAPHS[question.source.paragraph - 1]))
        assert " ".join(words(question.source.context)) in paragraph, question.id


def answers_include(*wanted: str) -> Callable[[Question], bool]:
    def check(question: Question) -> bool:
        given = {answer.casefold() for answer in question.answers}
        return all(answer.casefold() in given for answer in wanted)

    return check


def reveals(fragment: str) -> Callable[[Question], bool]:
    return lambda question: fragment.casefold() in question.answer.casefold()


def says(fragment: str) -> Callable[[Question], bool]:
    return lambda question: fragment in question.prompt or fragment in question.explanation


FACTS: dict[str, Callable[[Question], bool]] = {
    "the film, under all its names": answers_include(
        "Mission: Impossible 2", "Mission Impossible 2", "MI2", "M:I-2", "M:I 2"
    ),
    "the actor": answers_include("Tom Cruise", "Cruise"),
    "the broken foot": answers_include("broken foot", "foot"),
    "a high-altitude jump broke it": reveals("high-altitude jump"),
    "a complex jumping sequence": lambda q: "complex jumping sequence" in q.explanation,
    "he kept going despite it": lambda q: (
        q.type is QuestionType.BOOLEAN and "stopped" in q.prompt and q.answer == "False"
    ),
    "the one-shot quote": says(ONE_SHOT_QUOTE),
    "why: they wanted one shot": reveals("one shot"),
    "practical stunts": answers_include("practical stunts"),
    "the free climb": answers_include("free climb"),
    "on a cliffside": answers_include("cliffside", "cliff"),
    "the soft rock": reveals("soft"),
    "the safety cable": answers_include("safety cable"),
    "a hard impact was still possible": lambda q: "hard impact" in q.explanation,
    "nerve-wracking": answers_include("Nerve-wracking"),
    "pacing and focus": reveals("pacing"),
    "five cameras": lambda q: q.type is QuestionType.NUMBER and answers_include("5", "five")(q),
    "a helicopter camera": answers_include("helicopter", "a helicopter camera"),
    "a crane camera": answers_include("crane camera"),
    "operators hanging from safety cables": reveals("hanging from safety cables"),
    "director John Woo": answers_include("John Woo", "Woo"),
    "focus problems": answers_include("focus problems", "focus"),
    "many repeated takes": reveals("repeated takes"),
    "Cruise reassured Woo and the crew": reveals("reassured Woo"),
    "the article's date": answers_include("15 February 2025", "2025-02-15"),
    "the article's year": lambda q: q.type is QuestionType.NUMBER and q.answer == "2025",
}


@pytest.mark.parametrize("fact", FACTS)
def test_every_fact_of_the_article_is_asked(fact: str, questions: tuple[Question, ...]) -> None:
    assert any(FACTS[fact](question) for question in questions), fact


@needs_article
def test_no_question_copies_the_articles_sentences(questions: tuple[Question, ...]) -> None:
    # The one place a quote is allowed is the question about that quote.
    copied = runs(ARTICLE) - runs(ONE_SHOT_QUOTE)
    for question in questions:
        texts = [question.prompt, question.explanation, *question.hints, *question.choices]
        for text in texts:
            overlap = runs(text) & copied
            assert not overlap, (question.id, text, sorted(overlap)[0])


@needs_article
def test_the_copy_check_would_catch_a_copied_sentence() -> None:
    copied = runs(ARTICLE) - runs(ONE_SHOT_QUOTE)
    lifted = "Cruise described the experience as nerve-wracking, acknowledging the danger"

    assert runs(lifted) & copied
