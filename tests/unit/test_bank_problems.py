"""Every mistake in a bank file is reported with its line, question, field and a fix."""

from __future__ import annotations

import pickle
import textwrap

import pytest

from bot.bank import BankError, BankProblem, load_bank_text
from bot.bank.problems import MAX_PROBLEMS_SHOWN

HEADER = "id: test-bank\ntitle: Test bank\nquestions:\n"  # questions start on line 4


def bank(questions: str) -> str:
    return HEADER + textwrap.dedent(questions)


def problems_of(text: str) -> tuple[BankProblem, ...]:
    with pytest.raises(BankError) as raised:
        load_bank_text(text, path="t.yaml")
    return raised.value.problems


# questions YAML, (line, question id, field), words the message must hold
QUESTION_CASES = [
    pytest.param(
        """\
        - id: q-typo
          prompt: What?
          answers: [a]
          anwsers: [b]
        """,
        (7, "q-typo", "anwsers"),
        "did you mean 'answers'?",
        id="typo in a key",
    ),
    pytest.param(
        """\
        - id: q-habit
          question: What?
          answers: [a]
        """,
        (5, "q-habit", "question"),
        "did you mean 'prompt'?",
        id="habit from another format",
    ),
    pytest.param(
        """\
        - id: q-missing
          prompt: What?
        """,
        (4, "q-missing", "answers"),
        "question 1 has no 'answers'; add at least one accepted answer",
        id="missing answers",
    ),
    pytest.param(
        """\
        - id: q-empty
          prompt: What?
          answers: []
        """,
        (6, "q-empty", "answers"),
        "'answers' is empty; add at least one accepted answer",
        id="empty answer list (the Red-DiscordBot crash)",
    ),
    pytest.param(
        """\
        - id: q-null
          prompt: What?
          answers:
        """,
        (6, "q-null", "answers"),
        "'answers' is empty",
        id="answers left blank",
    ),
    pytest.param(
        """\
        - id: q-blank
          prompt: "   "
          answers: [a]
        """,
        (5, "q-blank", "prompt"),
        "'prompt' is empty; write the question players will see",
        id="blank prompt",
    ),
    pytest.param(
        """\
        - id: q-blank-answer
          prompt: What?
          answers: [a, ""]
        """,
        (6, "q-blank-answer", "answers"),
        "answer 2 is empty",
        id="blank answer in a list",
    ),
    pytest.param(
        """\
        - id: q-twice
          prompt: What?
          answers: [Paris, paris]
        """,
        (6, "q-twice", "answers"),
        "answer 'paris' is listed twice",
        id="answer repeated",
    ),
    pytest.param(
        """\
        - prompt: What?
          answers: [a]
        """,
        (4, None, "id"),
        "question 1 has no 'id'",
        id="missing id",
    ),
    pytest.param(
        """\
        - id: Capital Of France
          prompt: What?
          answers: [a]
        """,
        (4, "Capital Of France", "id"),
        "for example 'capital-of-france'",
        id="id that is not a slug",
    ),
    pytest.param(
        """\
        - id: q-choice
          prompt: What?
          type: choice
          answers: [Lyon]
          choices: [Paris, Rome]
        """,
        (7, "q-choice", "answers"),
        "'Lyon' is not among the choices (Paris, Rome)",
        id="choice answer not among the choices",
    ),
    pytest.param(
        """\
        - id: q-one-choice
          prompt: What?
          type: choice
          answers: [a]
          choices: [a]
        """,
        (8, "q-one-choice", "choices"),
        "give 2 to 6",
        id="one choice only",
    ),
    pytest.param(
        """\
        - id: q-seven
          prompt: What?
          type: choice
          answers: [a]
          choices: [a, b, c, d, e, f, g]
        """,
        (8, "q-seven", "choices"),
        "has 7 entries; the limit is 6",
        id="seven choices",
    ),
    pytest.param(
        """\
        - id: q-no-choices
          prompt: What?
          type: choice
          answers: [a]
        """,
        (4, "q-no-choices", "choices"),
        "a choice question needs 'choices'",
        id="choice question without choices",
    ),
    pytest.param(
        """\
        - id: q-text-choices
          prompt: What?
          answers: [a]
          choices: [a, b]
        """,
        (7, "q-text-choices", "choices"),
        "add 'type: choice'",
        id="choices on a text question",
    ),
    pytest.param(
        """\
        - id: q-type
          prompt: What?
          type: multiple
          answers: [a]
        """,
        (6, "q-type", "type"),
        "'multiple' is not a valid type; use one of text, choice, boolean, number",
        id="unknown type",
    ),
    pytest.param(
        """\
        - id: q-level
          prompt: What?
          answers: [a]
          difficulty: impossible
        """,
        (7, "q-level", "difficulty"),
        "use one of easy, medium, hard",
        id="unknown difficulty",
    ),
    pytest.param(
        """\
        - id: q-number
          prompt: How many?
          type: number
          answers: [five]
        """,
        (7, "q-number", "answers"),
        "'five' is not a number",
        id="number question answered in words",
    ),
    pytest.param(
        """\
        - id: q-bad-thousands
          prompt: How many?
          type: number
          answers: ["1,00"]
        """,
        (7, "q-bad-thousands", "answers"),
        "'1,00' is not a number",
        id="number with a malformed thousands separator",
    ),
    pytest.param(
        """\
        - id: q-maybe
          prompt: Is it?
          type: boolean
          answers: [maybe]
        """,
        (7, "q-maybe", "answers"),
        "'maybe' is not true or false",
        id="boolean answered with something else",
    ),
    pytest.param(
        """\
        - id: q-both
          prompt: Is it?
          type: boolean
          answers:
            - true
            - false
        """,
        (9, "q-both", "answers"),
        "exactly one answer",
        id="boolean with two answers",
    ),
    pytest.param(
        """\
        - id: q-bool-choices
          prompt: Is it?
          type: boolean
          answers: [true]
          choices: [yes, no]
        """,
        (8, "q-bool-choices", "choices"),
        "always offer True and False",
        id="boolean with choices",
    ),
    pytest.param(
        f"""\
        - id: q-long
          prompt: {"x" * 501}
          answers: [a]
        """,
        (5, "q-long", "prompt"),
        "501 characters long; the limit is 500",
        id="prompt too long",
    ),
    pytest.param(
        f"""\
        - id: q-long-answer
          prompt: What?
          answers: [{"y" * 201}]
        """,
        (6, "q-long-answer", "answers"),
        "answer 1 is 201 characters long; the limit is 200",
        id="answer too long",
    ),
    pytest.param(
        f"""\
        - id: q-long-explanation
          prompt: What?
          answers: [a]
          explanation: {"z" * 1001}
        """,
        (7, "q-long-explanation", "explanation"),
        "the limit is 1000",
        id="explanation too long",
    ),
    pytest.param(
        f"""\
        - id: q-long-choice
          prompt: What?
          type: choice
          answers: [a]
          choices: [a, {"b" * 81}]
        """,
        (8, "q-long-choice", "choices"),
        "choice 2 is 81 characters long; the limit is 80",
        id="choice longer than a button label",
    ),
    pytest.param(
        """\
        - id: q-hints
          prompt: What?
          answers: [a]
          hints: [1, 2, 3, 4, 5, 6]
        """,
        (7, "q-hints", "hints"),
        "the limit is 5",
        id="six hints",
    ),
    pytest.param(
        """\
        - id: q-tags
          prompt: What?
          answers: [a]
          tags: {a: b}
        """,
        (7, "q-tags", "tags"),
        "'tags' should be a list, not a mapping",
        id="tags as a mapping",
    ),
    pytest.param(
        """\
        - id: q-prompt-list
          prompt: [What?]
          answers: [a]
        """,
        (5, "q-prompt-list", "prompt"),
        "'prompt' should be text, not a list",
        id="prompt as a list",
    ),
    pytest.param(
        """\
        - id: q-paragraph
          prompt: What?
          answers: [a]
          source: {paragraph: 0, context: some words}
        """,
        (7, "q-paragraph", "source.paragraph"),
        "should be a whole number from 1 up",
        id="paragraph zero",
    ),
    pytest.param(
        """\
        - id: q-context
          prompt: What?
          answers: [a]
          source: {paragraph: 2}
        """,
        (7, "q-context", "source.context"),
        "the source has no 'context'",
        id="source without context",
    ),
    pytest.param(
        """\
        - id: q-source-key
          prompt: What?
          answers: [a]
          source: {paragraph: 2, context: words, page: 4}
        """,
        (7, "q-source-key", "source.page"),
        "unknown key 'page'",
        id="unknown key in the source",
    ),
    pytest.param(
        """\
        - id: q-repeat-key
          prompt: What?
          answers: [a]
          answers: [b]
        """,
        (7, "q-repeat-key", "answers"),
        "'answers' appears twice (lines 6 and 7); keep one",
        id="key written twice",
    ),
    pytest.param(
        """\
        - id: q-merge
          prompt: What?
          answers: [a]
          <<: {category: x}
        """,
        (7, "q-merge", None),
        "merge keys ('<<') are not supported",
        id="merge key",
    ),
    pytest.param(
        """\
        - just some text
        """,
        (4, None, None),
        "question 1 is not a mapping",
        id="a question that is not a mapping",
    ),
]


@pytest.mark.parametrize(("questions", "where", "words"), QUESTION_CASES)
def test_each_question_problem_names_its_line_question_and_field(
    questions: str, where: tuple[int, str | None, str | None], words: str
) -> None:
    problems = problems_of(bank(questions))

    assert [(p.line, p.question_id, p.field) for p in problems] == [where]
    assert words in problems[0].message


ONE_QUESTION = "questions: [{id: q-1, prompt: P, answers: [a]}]\n"

# bank YAML, (line, field), words the message must hold
BANK_CASES = [
    pytest.param(
        "id: b-1\n" + ONE_QUESTION, (1, "title"), "the bank has no 'title'", id="no title"
    ),
    pytest.param("id: b-1\ntitle: T\n", (1, "questions"), "has no 'questions'", id="no questions"),
    pytest.param(
        "id: b-1\ntitle: T\nquestions: []\n",
        (3, "questions"),
        "at least one question",
        id="empty question list",
    ),
    pytest.param(
        "id: b-1\ntitel: T\ntitle: T\n" + ONE_QUESTION,
        (2, "titel"),
        "did you mean 'title'?",
        id="typo in a top key",
    ),
    pytest.param(
        "id: b-1\ntitle: T\nsource: {title: S, date: 15/02/2025}\n" + ONE_QUESTION,
        (3, "source.date"),
        "'15/02/2025' is not a date; write it as YYYY-MM-DD",
        id="bad source date",
    ),
    pytest.param(
        "id: b-1\ntitle: T\nsource: {date: 2025-02-15}\n" + ONE_QUESTION,
        (3, "source.title"),
        "the source has no 'title'",
        id="source without title",
    ),
    pytest.param(
        "format: 2\nid: b-1\ntitle: T\n" + ONE_QUESTION,
        (1, "format"),
        "this loader reads bank format 1",
        id="unsupported format",
    ),
    pytest.param(
        "id: b-1\ntitle: T\nlanguage: English\n" + ONE_QUESTION,
        (3, "language"),
        "'English' is not a language code",
        id="bad language",
    ),
    pytest.param(
        "id: b-1\ntitle: T\ndefaults: {difficulty: brutal}\n" + ONE_QUESTION,
        (3, "defaults.difficulty"),
        "'brutal' is not a valid difficulty; use one of easy, medium, hard",
        id="bad default difficulty",
    ),
    pytest.param(
        "id: My Bank\ntitle: T\n" + ONE_QUESTION,
        (1, "id"),
        "for example 'my-bank'",
        id="bank id not a slug",
    ),
]


@pytest.mark.parametrize(("text", "where", "words"), BANK_CASES)
def test_each_bank_problem_names_its_line_and_field(
    text: str, where: tuple[int, str], words: str
) -> None:
    problems = problems_of(text)

    assert [(p.line, p.field) for p in problems] == [where]
    assert problems[0].question_id is None
    assert words in problems[0].message


def test_duplicate_ids_are_reported_with_both_lines() -> None:
    text = bank("""\
    - id: q-same
      prompt: First?
      answers: [a]
    - id: q-same
      prompt: Second?
      answers: [b]
    """)

    (problem,) = problems_of(text)

    assert (problem.line, problem.question_id, problem.field) == (7, "q-same", "id")
    assert "line 4" in problem.message
    assert "line 7" in problem.message


def test_duplicate_prompts_are_found_whatever_their_case_and_spacing() -> None:
    text = bank("""\
    - id: q-first
      prompt: What is  the capital of France?
      answers: [Paris]
    - id: q-second
      prompt: "what is the capital   of FRANCE? "
      answers: [Paris]
    """)

    (problem,) = problems_of(text)

    assert (problem.line, problem.question_id, problem.field) == (7, "q-second", "prompt")
    assert "question 'q-first' (line 4)" in problem.message


def test_duplicates_are_found_even_in_questions_with_other_problems() -> None:
    text = bank("""\
    - id: q-same
      prompt: First?
      answers: []
    - id: q-same
      prompt: Second?
      answers: [b]
    """)

    problems = problems_of(text)

    assert [(p.line, p.field) for p in problems] == [(6, "answers"), (7, "id")]


def test_every_problem_in_a_file_is_reported_at_once_in_line_order() -> None:
    text = bank("""\
    - id: q-1
      prompt: What?
      answers: []
    - id: q-2
      prompt: What else?
      type: choice
      answers: [x]
      choices: [a, b]
    - id: q-3
      promt: Typo?
      answers: [a]
      difficulty: extreme
    """)

    problems = problems_of(text)

    assert [(p.line, p.question_id, p.field) for p in problems] == [
        (6, "q-1", "answers"),
        (10, "q-2", "answers"),
        (13, "q-3", "promt"),
        (15, "q-3", "difficulty"),
    ]


def test_problem_reads_as_file_line_question_field_and_message() -> None:
    problem = BankProblem(
        "questions/x.yaml",
        12,
        "foo",
        "answers",
        "answers is empty; add at least one accepted answer",
    )

    assert str(problem) == (
        "questions/x.yaml:12: question 'foo', field 'answers': "
        "answers is empty; add at least one accepted answer"
    )
    assert str(BankProblem("x.yaml", None, None, None, "is empty")) == "x.yaml: is empty"


def test_bank_error_lists_every_problem_and_survives_pickling() -> None:
    error = BankError(
        [
            BankProblem("a.yaml", 3, "q-1", "prompt", "one"),
            BankProblem("a.yaml", 9, "q-2", "answers", "two"),
        ]
    )

    copy = pickle.loads(pickle.dumps(error))

    assert copy.problems == error.problems
    assert str(error).splitlines() == [
        "2 problems in the question bank:",
        "  a.yaml:3: question 'q-1', field 'prompt': one",
        "  a.yaml:9: question 'q-2', field 'answers': two",
    ]


def test_a_flood_of_problems_is_cut_to_a_readable_list_with_a_count() -> None:
    questions = "".join(f"- id: q-{n}\n  prompt: P{n}?\n  answers: []\n" for n in range(300))

    problems = problems_of(bank(questions))

    assert len(problems) == MAX_PROBLEMS_SHOWN + 1
    assert "and 100 more problems" in problems[-1].message
