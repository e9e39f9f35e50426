"""Files that are not banks at all, or are built to hurt, are refused cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import BankError, BankProblem, load_bank_file, load_bank_text
from bot.bank.format import MAX_FILE_BYTES
from bot.bank.yaml_tags import foreign_tags
from bot.bank.yaml_tree import compose_bank
from tests.helpers import lol_bomb

# Every test here runs with libyaml's parser and PyYAML's own.
pytestmark = pytest.mark.usefixtures("any_loader")


def problems_of(data: str | bytes) -> tuple[BankProblem, ...]:
    with pytest.raises(BankError) as raised:
        load_bank_text(data, path="t.yaml")
    return raised.value.problems


@pytest.mark.parametrize("field", ["answers", "tags", "hints", "choices", "prompt"])
def test_an_alias_bomb_in_a_question_is_refused_without_expanding_it(field: str) -> None:
    bomb = lol_bomb()
    assert len(bomb) < 1000
    text = (
        "id: bomb\ntitle: Bomb\n"
        + bomb.replace("a0:", "x0:", 1).replace("\na", "\nx")
        + f"questions:\n  - id: q-1\n    prompt: P?\n    type: choice\n    {field}: *a8\n"
    )

    problems = problems_of(text)

    # The aliases at the top are unknown keys: never walked.  The one in the
    # question is rejected by shape (a list of lists), not walked into.
    assert 1 <= len(problems) <= 30
    assert any(p.field == field for p in problems)


def test_aliases_that_expand_past_the_files_size_are_refused() -> None:
    question = (
        "{id: q-x, prompt: Same, answers: [a, b, c, d, e, f, g, h], tags: [a, b, c, d, e], "
        "hints: [a, b, c, d, e], explanation: E, category: C, difficulty: easy}"
    )
    text = (
        "id: wide\ntitle: Wide\nshared: &q " + question + "\n"
        "questions: [" + ", ".join(["*q"] * 5000) + "]\n"
    )

    problems = problems_of(text)

    assert "YAML aliases" in problems[0].message
    assert len(problems) <= 201


def test_absurd_nesting_is_refused_with_a_message() -> None:
    depth = 5000
    text = "id: deep\ntitle: Deep\nquestions: " + "[" * depth + "]" * depth + "\n"

    (problem,) = problems_of(text)

    assert "nest" in problem.message


def test_a_binary_file_is_refused() -> None:
    (problem,) = problems_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")

    assert "binary" in problem.message


def test_a_file_that_is_not_utf8_is_refused_naming_the_line() -> None:
    (problem,) = problems_of(b"id: b-1\ntitle: Caf\xe9\nquestions: []\n")

    assert problem.line == 2
    assert "not UTF-8" in problem.message


def test_an_oversized_text_is_refused_naming_the_limit() -> None:
    text = "id: big\ntitle: Big\n#" + "x" * MAX_FILE_BYTES + "\n"

    (problem,) = problems_of(text)

    assert "the limit is 5,242,880 bytes (5 MiB)" in problem.message


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk

    with pytest.raises(BankError) as raised:
        load_bank_file(big)

    (problem,) = raised.value.problems
    assert problem.path == str(big)
    assert "5,242,881 bytes; the limit is 5,242,880 bytes" in problem.message


def test_a_yaml_syntax_error_names_its_line() -> None:
    text = "id: b-1\ntitle: T\nquestions:\n  - id: q-1\n    prompt: Who: me?\n    answers: [a]\n"

    (problem,) = problems_of(text)

    assert problem.line == 5
    assert problem.message.startswith("YAML syntax error: mapping values are not allowed")


def test_an_unclosed_quote_is_a_syntax_error() -> None:
    (problem,) = problems_of('id: b-1\ntitle: "T\nquestions: []\n')

    assert problem.message.startswith("YAML syntax error")
    assert problem.line is not None


def test_several_documents_in_one_file_are_refused() -> None:
    (problem,) = problems_of("id: b-1\n---\nid: b-2\n")

    assert "single document" in problem.message


def test_an_empty_file_is_refused() -> None:
    (problem,) = problems_of("# only a comment\n")

    assert "the file is empty" in problem.message


@pytest.mark.parametrize("text", ["- a\n- b\n", "just words\n", "42\n"])
def test_a_file_whose_top_is_not_a_mapping_is_refused(text: str) -> None:
    (problem,) = problems_of(text)

    assert problem.line == 1
    assert "must be a mapping" in problem.message


def test_control_characters_are_refused() -> None:
    (problem,) = problems_of("id: b-1\ntitle: T\x07\nquestions: []\n")

    assert "cannot be read as YAML" in problem.message


# -- YAML tags -----------------------------------------------------------------------------

TAGGED_HEADER = "id: tagged\ntitle: Tagged\nquestions:\n"  # questions start on line 4


@pytest.mark.parametrize(
    ("question", "field", "shown"),
    [
        pytest.param(
            '{id: q-1, prompt: P, answers: [!secret "x"]}', "answers", "!secret", id="local"
        ),
        pytest.param("{id: q-1, prompt: !x P, answers: [a]}", "prompt", "!x", id="prompt"),
        pytest.param(
            "{id: q-1, prompt: P, answers: [a], tags: !set [b]}", "tags", "!set", id="list"
        ),
        pytest.param(
            "{id: q-1, prompt: P, answers: [a], source: {paragraph: !n 3, context: c}}",
            "source.paragraph",
            "!n",
            id="nested",
        ),
        pytest.param(
            "{id: q-1, prompt: P, answers: [!!python/object:os.system x]}",
            "answers",
            "!!python/object:os.system",
            id="python",
        ),
        pytest.param(
            "{id: q-1, prompt: P, answers: [!<tag:example.com,2000:x> y]}",
            "answers",
            "!<tag:example.com,2000:x>",
            id="global",
        ),
        pytest.param("{id: q-1, prompt: P, answers: [a,!y b]}", "answers", "!y", id="after-comma"),
    ],
)
def test_an_unknown_yaml_tag_is_refused_with_its_line_question_and_field(
    question: str, field: str, shown: str
) -> None:
    problems = problems_of(TAGGED_HEADER + "  - " + question + "\n")

    tagged = [p for p in problems if "YAML tag" in p.message]
    assert len(tagged) == 1, problems
    assert (tagged[0].line, tagged[0].question_id, tagged[0].field) == (4, "q-1", field)
    assert f"unknown YAML tag '{shown}'" in tagged[0].message
    assert "remove the tag" in tagged[0].message


def test_a_tag_outside_the_questions_and_on_a_key_is_refused_too() -> None:
    text = "id: tagged\ntitle: !t Tagged\n!k questions:\n  - {id: q-1, prompt: P, answers: [a]}\n"

    problems = problems_of(text)

    assert [(p.line, p.question_id, p.field) for p in problems] == [
        (2, None, "title"),
        (3, None, "questions"),
    ]


def test_a_tagged_value_behind_an_alias_is_reported_once() -> None:
    text = "id: tagged\ntitle: Tagged\nshared: &s !secret x\nquestions:\n" + "".join(
        f"  - {{id: q-{n}, prompt: P{n}, answers: [*s]}}\n" for n in range(50)
    )

    problems = problems_of(text)

    assert len([p for p in problems if "YAML tag" in p.message]) == 1


def test_standard_tags_are_read_as_the_text_they_tag() -> None:
    text = TAGGED_HEADER + (
        "  - {id: q-1, prompt: !!str How many, answers: [!!int 5, !!str five], type: number}\n"
        "  - {id: q-2, prompt: ! Is it, answers: [!!bool yes]}\n"
    )

    bank = load_bank_text(text, path="t.yaml")

    assert [(q.prompt, q.answers) for q in bank.questions] == [
        ("How many", ("5", "five")),
        ("Is it", ("yes",)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "!t x\n",
        "\ufeff!t x\n",
        "a: [!t x]\n",
        '{"a":!t x}\n',
        "a: [b,!t x]\n",
        "- !t x\n",
        "--- !t x\n",
        "a:\n  !t x\n",
    ],
)
@pytest.mark.parametrize("as_bytes", [False, True], ids=["text", "bytes"])
def test_a_tag_is_found_wherever_yaml_lets_it_start(text: str, as_bytes: bool) -> None:
    data = text.encode("utf-8") if as_bytes else text
    root = compose_bank(data, path="t.yaml")

    assert [found.tag for found in foreign_tags(root, data)] == ["!t"]
