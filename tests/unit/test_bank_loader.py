"""Valid bank files load into the typed questions the game plays with."""

from __future__ import annotations

import pickle
import textwrap
from collections import Counter
from datetime import date

import pytest

from bot.bank import BankInfo, load_bank_text, synthetic_bank_text, yaml_tree
from bot.domain.model import BOOLEAN_CHOICES, Difficulty, Question, QuestionType, SourceRef

FULL_BANK = """\
# yaml-language-server: $schema=./bank.schema.json
format: 1
id: geo
title: Geography
description: Capitals and rivers.
language: en-GB
licence: CC0-1.0
author: Ada
source: {title: An atlas, date: 2024-03-01}
defaults: {category: capitals, difficulty: easy}
questions:
  - id: geo-france
    prompt: What is the capital of France?
    answers: [Paris, "Paris, France"]
    tags: [europe, cities]
    hints: [It starts with P., It has a famous tower.]
    explanation: Paris has been the capital for centuries.
    source: {paragraph: 2, context: the capital of France}
  - id: geo-rivers
    prompt: |
      Which river
      flows through Cairo?
    type: choice
    answers: [The Nile]
    choices: [The Nile, The Amazon, The Danube]
    category: rivers
    difficulty: hard
"""


def load(text: str) -> tuple[Question, ...]:
    return load_bank_text(textwrap.dedent(text), path="t.yaml").questions


def one(question_yaml: str) -> Question:
    header = "id: tb\ntitle: T\nquestions:\n"
    (question,) = load(header + textwrap.dedent(question_yaml))
    return question


def test_a_full_bank_maps_into_questions_and_bank_info() -> None:
    bank = load_bank_text(FULL_BANK, path="questions/geo.yaml")

    assert bank.info == BankInfo(
        id="geo",
        title="Geography",
        description="Capitals and rivers.",
        language="en-GB",
        licence="CC0-1.0",
        author="Ada",
        source_title="An atlas",
        source_date=date(2024, 3, 1),
        path="questions/geo.yaml",
    )
    assert bank.questions == (
        Question(
            id="geo-france",
            prompt="What is the capital of France?",
            answers=("Paris", "Paris, France"),
            category="capitals",
            difficulty=Difficulty.EASY,
            tags=("europe", "cities"),
            hints=("It starts with P.", "It has a famous tower."),
            explanation="Paris has been the capital for centuries.",
            source=SourceRef(paragraph=2, context="the capital of France"),
            bank_id="geo",
            scope="",
        ),
        Question(
            id="geo-rivers",
            prompt="Which river\nflows through Cairo?",
            answers=("The Nile",),
            type=QuestionType.CHOICE,
            choices=("The Nile", "The Amazon", "The Danube"),
            category="rivers",
            difficulty=Difficulty.HARD,
            bank_id="geo",
        ),
    )
    assert bank.question_lines == (12, 19)
    assert bank.questions[1].correct_choice == 0


def test_a_minimal_bank_gets_the_documented_defaults() -> None:
    bank = load_bank_text(
        "id: b-1\ntitle: T\nquestions: [{id: q-1, prompt: P?, answers: a}]\n", path="t.yaml"
    )

    (question,) = bank.questions
    assert (question.type, question.category, question.difficulty) == (
        QuestionType.TEXT,
        "general",
        Difficulty.MEDIUM,
    )
    assert (question.answers, question.choices, question.source) == (("a",), (), None)
    assert (bank.info.language, bank.info.source_date) == ("en", None)


@pytest.mark.parametrize(
    ("written", "loaded"),
    [
        ("yes", "yes"),
        ("No", "No"),
        ("on", "on"),
        ("off", "off"),
        ("5", "5"),
        ("007", "007"),
        ("1.0", "1.0"),
        ("1e3", "1e3"),
        ("0x1F", "0x1F"),
        ("12:30", "12:30"),
        ("2025-02-15", "2025-02-15"),
        (".inf", ".inf"),
        ("null", "null"),
        ("'yes'", "yes"),
    ],
)
def test_yaml_1_1_answers_keep_the_text_the_author_wrote(written: str, loaded: str) -> None:
    question = one(f"""\
    - id: q-1
      prompt: {written}
      answers: [{written}]
      tags: [{written}]
    """)

    assert question.answers == (loaded,)
    assert question.prompt == loaded
    assert question.tags == (loaded,)


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("true", "True"),
        ("yes", "True"),
        ("On", "True"),
        ("'TRUE'", "True"),
        ("false", "False"),
        ("no", "False"),
        ("OFF", "False"),
        ('"False"', "False"),
    ],
)
def test_boolean_answers_are_normalised_and_get_true_false_choices(
    written: str, normalised: str
) -> None:
    question = one(f"""\
    - id: q-1
      prompt: Is it?
      type: boolean
      answers: {written}
    """)

    assert question.answers == (normalised,)
    assert question.choices == BOOLEAN_CHOICES
    assert question.correct_choice == BOOLEAN_CHOICES.index(normalised)


@pytest.mark.parametrize("written", ["5", "-3", "1.5", ".5", "'1,000'", "'12,500.25'", "+7"])
def test_number_answers_in_digits_are_accepted_as_written(written: str) -> None:
    question = one(f"""\
    - id: q-1
      prompt: How many?
      type: number
      answers: [{written}, some words]
    """)

    assert question.answers == (written.strip("'"), "some words")
    assert question.type is QuestionType.NUMBER


def test_a_choice_answer_matches_its_choice_whatever_the_case() -> None:
    question = one("""\
    - id: q-1
      prompt: Which?
      type: choice
      answers: [paris]
      choices: [Rome, Paris]
    """)

    assert question.correct_choice == 1


def test_a_single_answer_tag_or_hint_may_stand_without_a_list() -> None:
    question = one("""\
    - id: q-1
      prompt: What?
      answers: Paris
      tags: europe
      hints: Think of a tower.
    """)

    assert (question.answers, question.tags, question.hints) == (
        ("Paris",),
        ("europe",),
        ("Think of a tower.",),
    )


def test_folded_text_and_surrounding_spaces_are_tidied() -> None:
    question = one("""\
    - id: q-1
      prompt: >-
        A long question
        over two lines?
      answers: ["  Paris  "]
      explanation: |
        Kept as written.
    """)

    assert question.prompt == "A long question over two lines?"
    assert question.answers == ("Paris",)
    assert question.explanation == "Kept as written."


def test_anchors_and_aliases_for_shared_values_work() -> None:
    (first, second) = load("""\
    id: tb
    title: T
    questions:
      - id: q-1
        prompt: One?
        answers: [a]
        tags: &shared [film, stunts]
      - id: q-2
        prompt: Two?
        answers: [b]
        tags: *shared
    """)

    assert first.tags == second.tags == ("film", "stunts")


def test_bytes_with_a_utf8_bom_load_like_text() -> None:
    text = "id: tb\ntitle: Pokémon\nquestions: [{id: q-1, prompt: Café?, answers: [Oui]}]\n"

    bank = load_bank_text(b"\xef\xbb\xbf" + text.encode(), path="t.yaml")

    assert bank.info.title == "Pokémon"
    assert bank.questions[0].prompt == "Café?"


def test_the_synthetic_bank_is_valid_varied_and_reproducible() -> None:
    text = synthetic_bank_text(200, seed=3)

    bank = load_bank_text(text, path="synthetic.yaml")

    assert len(bank.questions) == 200
    assert set(Counter(q.type for q in bank.questions)) == set(QuestionType)
    assert set(Counter(q.difficulty for q in bank.questions)) == set(Difficulty)
    assert synthetic_bank_text(200, seed=3) == text
    assert synthetic_bank_text(200, seed=4) != text


def test_the_pure_python_parser_loads_the_same_questions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = FULL_BANK + synthetic_bank_text(30).split("questions:\n", 1)[1]
    with_libyaml = load_bank_text(text, path="t.yaml")

    monkeypatch.setattr(yaml_tree, "LOADER", yaml_tree._PyTextLoader)
    without = load_bank_text(text, path="t.yaml")

    assert without == with_libyaml
    assert len(without.questions) == 32


def test_a_loaded_bank_crosses_a_process_boundary_intact() -> None:
    # Uploads are parsed in a worker process (GUIDE section 5).
    bank = load_bank_text(FULL_BANK, path="questions/geo.yaml")

    assert pickle.loads(pickle.dumps(bank)) == bank
