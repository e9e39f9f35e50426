"""Bank files and question forms built to hurt: every one is a ``BankError`` or plain text.

What is thrown here: arbitrary bytes and text (hypothesis), YAML-shaped noise, alias bombs,
absurd nesting, binary and UTF-16 files, files at and just over the size limit, a stream with
no end, a bank of 100,000 tiny questions, YAML tags that would run code if constructed, and
control characters smuggled in as YAML escapes (``"\\x1b"``, ``"\\0"``).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bank import BankError, LoadedBank, load_bank_file, load_bank_text, yaml_tree
from bot.bank.drafts import draft_to_question, lines
from bot.bank.format import MAX_FILE_BYTES, MAX_PROMPT, MAX_QUESTIONS
from bot.domain.model import FieldProblem, Question, QuestionDraft, ServerKey
from tests.robustness.nasty import (
    NASTY,
    SQL,
    any_text,
    control_characters,
    hostile_text,
)

LOADERS = {"libyaml": yaml_tree._CTextLoader, "pure-python": yaml_tree._PyTextLoader}
SERVER = ServerKey("discord", "1")
GOOD = "id: good\ntitle: Good\nquestions:\n  - id: q-1\n    prompt: Capital of France?\n"
GOOD += "    answers: [Paris]\n"


@contextmanager
def parsing_with(loader: str) -> Iterator[None]:
    saved = yaml_tree.LOADER
    yaml_tree.LOADER = LOADERS[loader]
    try:
        yield
    finally:
        yaml_tree.LOADER = saved


def outcome(data: str | bytes) -> LoadedBank | BankError:
    """The bank, or the ``BankError``; anything else raised fails the test."""
    try:
        return load_bank_text(data, path="upload.yaml")
    except BankError as exc:
        error = exc
    assert error.problems, "a BankError must say what is wrong"
    for problem in error.problems:
        assert problem.path == "upload.yaml"
        assert problem.message.strip()
    return error


def refusal(data: str | bytes) -> str:
    """Every problem of a refused file, one a line."""
    result = outcome(data)
    assert isinstance(result, BankError), "the file was expected to be refused"
    return "\n".join(p.message for p in result.problems)


def text_fields(question: Question) -> list[str]:
    return [
        question.prompt,
        question.category,
        question.explanation,
        *question.answers,
        *question.choices,
        *question.hints,
        *question.tags,
    ]


# -- hypothesis: nothing but BankError ever comes out ----------------------------------------

YAML_PIECES = st.sampled_from(
    [
        "id: b-1\n",
        "title: T\n",
        "questions:\n",
        "  - id: q-1\n",
        "    prompt: P?\n",
        "    answers: [a]\n",
        "    type: choice\n",
        "    choices: [a, b]\n",
        "&a ",
        "*a",
        "<<: *a\n",
        "[",
        "]",
        "{",
        "}",
        ", ",
        ": ",
        "- ",
        "? ",
        "\n",
        "  ",
        "\t",
        "'",
        '"',
        '"\\x1b[2J"',
        '"\\0"',
        '"\\ud800"',
        '"\\U0001F600"',
        "|\n  block\n",
        ">-\n  folded\n",
        "!!python/object/apply:os.system ['true']",
        "!!binary aGVsbG8=",
        "!custom ",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
        "%TAG ! tag:x,2000:\n",
        "#",
        "\ufeff",
        "\x85",
        "\u2028",
        SQL,
    ]
)
yaml_noise = st.lists(st.one_of(YAML_PIECES, any_text.map(lambda t: t[:6])), max_size=40).map(
    "".join
)


@pytest.mark.parametrize("loader", LOADERS)
@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes_give_a_bank_error_or_a_bank(loader: str, data: bytes) -> None:
    with parsing_with(loader):
        outcome(data)
        outcome(GOOD.encode() + data)


@pytest.mark.parametrize("loader", LOADERS)
@settings(max_examples=150, deadline=None)
@given(text=st.one_of(st.text(max_size=500), yaml_noise, yaml_noise.map(GOOD.__add__)))
def test_arbitrary_text_gives_a_bank_error_or_a_bank_without_control_characters(
    loader: str, text: str
) -> None:
    with parsing_with(loader):
        result = outcome(text)
    if isinstance(result, LoadedBank):
        for question in result.questions:
            for value in text_fields(question):
                assert not control_characters(value), value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prompt=hostile_text,
    answer=hostile_text,
    category=hostile_text,
    hint=hostile_text,
)
def test_any_text_in_a_well_formed_bank_loads_as_itself_or_is_refused(
    prompt: str, answer: str, category: str, hint: str
) -> None:
    """yaml.safe_dump writes any string as escapes; the loader takes it back literally
    or refuses it, and what it takes holds no control characters.  (With
    allow_unicode=True PyYAML writes U+0085 raw, and YAML folds it into a space.)"""
    document = {
        "id": "fuzz",
        "title": "Fuzz",
        "questions": [
            {
                "id": "q-1",
                "prompt": prompt,
                "answers": [answer],
                "category": category,
                "hints": [hint],
            }
        ],
    }
    result = outcome(yaml.safe_dump(document, allow_unicode=False, width=10_000))
    if isinstance(result, LoadedBank):
        (question,) = result.questions
        assert question.prompt == prompt.strip()
        assert question.answers == (answer.strip(),)
        assert question.category == category.strip()
        assert question.hints == (hint.strip(),)
        for value in text_fields(question):
            assert not control_characters(value), value


# -- alias bombs and nesting ------------------------------------------------------------------


def billion_laughs(levels: int = 10) -> str:
    lines_ = ['lol0: &lol0 "lol"']
    for n in range(1, levels):
        lines_.append(f"lol{n}: &lol{n} [" + ", ".join([f"*lol{n - 1}"] * 10) + "]")
    return "\n".join(lines_) + "\n"


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "where",
    [
        "questions: *lol9\n",
        "questions:\n  - {id: q-1, prompt: *lol9, answers: [a]}\n",
        "questions:\n  - {id: q-1, prompt: P, answers: *lol9}\n",
        "questions:\n  - {id: q-1, prompt: P, answers: [a], tags: *lol9, hints: *lol8}\n",
        "questions: [*lol1, *lol1, *lol2]\n",
    ],
)
def test_a_billion_laughs_is_refused_quickly_without_being_expanded(
    loader: str, where: str
) -> None:
    text = "id: bomb\ntitle: Bomb\n" + billion_laughs().replace("lol0:", "x-lol0:") + where
    text = text.replace("\nlol", "\nx-lol")  # the anchors hang off unknown keys

    started = time.perf_counter()
    with parsing_with(loader):
        problems = refusal(text)
    elapsed = time.perf_counter() - started

    assert elapsed < 2.0, f"took {elapsed:.2f} s"
    assert len(problems) < 40_000
    assert problems.count("\n") <= 200


def test_one_long_text_aliased_thousands_of_times_is_refused_in_bounded_time() -> None:
    big = "x" * 50_000
    questions = "".join(f"  - {{id: q-{n}, prompt: *big, answers: [*big]}}\n" for n in range(3000))
    text = f'id: wide\ntitle: Wide\nshared: &big "{big}"\nquestions:\n{questions}'

    started = time.perf_counter()
    problems = refusal(text)
    elapsed = time.perf_counter() - started

    assert elapsed < 3.0, f"took {elapsed:.2f} s"
    assert f"the limit is {MAX_PROMPT}" in problems


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "nested",
    [
        "questions: " + "{a: " * 50_000 + "b" + "}" * 50_000 + "\n",
        "questions: " + "[" * 50_000 + "]" * 50_000 + "\n",
        "questions:\n" + "".join("  " * d + "- \n" for d in range(1, 1500)),
        "questions:\n  - {id: q-1, prompt: P, answers: " + "[" * 400 + "a" + "]" * 400 + "}\n",
        "questions:\n  - {id: q-1, prompt: " + "{k: " * 400 + "v" + "}" * 400 + ", answers: [a]}\n",
    ],
    ids=["flow-mappings", "flow-lists", "block-lists", "answers-in-lists", "prompt-in-maps"],
)
def test_deeply_nested_yaml_is_refused_with_a_message(loader: str, nested: str) -> None:
    with parsing_with(loader):
        problems = refusal("id: deep\ntitle: Deep\n" + nested)

    assert problems


# -- files that are not YAML text -------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (PNG, "binary file"),
        (random.Random(7).randbytes(4096), "binary file"),
        (random.Random(7).randbytes(4096).replace(b"\x00", b"\xff"), "not UTF-8"),
        (b"\x00" * 1024, "binary file"),
        (b"\x1f\x8b\x08\x00" + bytes(range(256)), "binary file"),
        (b"PK\x03\x04" + b"\x14\x00\x00\x00\x08\x00" * 20, "binary file"),
        (b"\xff\xfe" + GOOD.encode("utf-16-le"), "UTF-16"),
        (b"\xfe\xff" + GOOD.encode("utf-16-be"), "UTF-16"),
        (GOOD.encode("utf-16"), "UTF-16"),
        (GOOD.encode("utf-32"), "UTF-16"),
        (GOOD.encode("cp1252").replace(b"France", b"Fran\xe7e"), "not UTF-8"),
    ],
    ids=[
        "png",
        "random-bytes",
        "random-bytes-without-nul",
        "nuls",
        "gzip",
        "zip",
        "utf16-le-bom",
        "utf16-be-bom",
        "utf16-native",
        "utf32",
        "cp1252",
    ],
)
def test_a_file_that_is_not_utf8_text_is_refused_saying_why(data: bytes, says: str) -> None:
    problems = refusal(data)

    assert says in problems


def test_a_utf8_file_with_a_byte_order_mark_and_crlf_lines_loads() -> None:
    bank = load_bank_text(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode(), path="bom.yaml")

    assert bank.questions[0].prompt == "Capital of France?"


# -- size ---------------------------------------------------------------------------------------


def padded(size: int) -> bytes:
    """A good bank padded with a comment to exactly ``size`` bytes."""
    head = GOOD.encode() + b"#"
    return head + b"x" * (size - len(head) - 1) + b"\n"


def test_a_bank_of_exactly_the_size_limit_loads_and_one_byte_more_is_refused(
    tmp_path: Path,
) -> None:
    at_limit = tmp_path / "at-limit.yaml"
    at_limit.write_bytes(padded(MAX_FILE_BYTES))
    over = tmp_path / "over.yaml"
    over.write_bytes(padded(MAX_FILE_BYTES + 1))

    assert load_bank_file(at_limit).questions[0].id == "q-1"
    with pytest.raises(BankError) as raised:
        load_bank_file(over)
    assert "the limit is 5,242,880 bytes" in raised.value.problems[0].message
    assert "the limit is 5,242,880 bytes" in refusal(padded(MAX_FILE_BYTES + 1))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_file_without_an_end_is_read_only_up_to_the_limit() -> None:
    """A device or pipe says it is 0 bytes long; reading it whole would never end."""
    with pytest.raises(BankError) as raised:
        load_bank_file(Path("/dev/zero"))

    assert "more than 5,242,880 bytes" in raised.value.problems[0].message


def test_a_bank_of_100k_tiny_questions_is_refused_by_count_in_bounded_time() -> None:
    body = "".join(f"- {{id: q{n}, prompt: p{n}, answers: [a]}}\n" for n in range(100_000))
    text = "id: many\ntitle: Many\nquestions:\n" + body
    assert len(text) < MAX_FILE_BYTES

    started = time.perf_counter()
    problems = refusal(text)
    elapsed = time.perf_counter() - started

    assert f"the limit is {MAX_QUESTIONS:,} per file" in problems
    assert elapsed < 5.0, f"took {elapsed:.2f} s"


# -- tags, escapes and plain text -------------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
def test_yaml_tags_never_construct_anything(loader: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = (
        "id: tags\ntitle: Tags\nquestions:\n"
        f"  - id: q-1\n    prompt: !!python/object/apply:os.system ['touch {marker}']\n"
        "    answers: [a]\n"
        f'  - id: q-2\n    prompt: !!python/object/apply:os.system "touch {marker}"\n'
        "    answers: !!python/name:os.system [b]\n"
        "  - id: q-3\n    prompt: !!binary aGVsbG8=\n    answers: [!!int '5']\n"
    )

    with parsing_with(loader):
        result = outcome(text)

    assert not marker.exists()
    assert isinstance(result, BankError)
    messages = "\n".join(p.message for p in result.problems)
    assert "'prompt' should be text" in messages  # q-1's prompt is a list, not text
    # Python tags are refused by line, never read as text nor constructed.
    tagged = [(p.line, p.question_id) for p in result.problems if "unknown YAML tag" in p.message]
    assert tagged == [(5, "q-1"), (8, "q-2"), (9, "q-2")]
    # The standard tags safe_load knows (q-3's) are read as the text they tag.
    standard = text[: text.index("  - id: q-1")] + text[text.index("  - id: q-3") :]
    with parsing_with(loader):
        bank = load_bank_text(standard, path="tags.yaml")
    assert [(q.prompt, q.answers) for q in bank.questions] == [("aGVsbG8=", ("5",))]
    assert not marker.exists()


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    ("field", "entry"),
    [
        ("prompt", 'prompt: "Who \\x1b[2J?"'),
        ("prompt", 'prompt: "nul \\0 here"'),
        ("answers", 'answers: ["Par\\x07is"]'),
        ("choices", 'type: choice\n    choices: ["a\\x08", b]\n    answers: [b]'),
        ("hints", 'hints: ["over\\rwritten"]'),
        ("category", 'category: "geo\\x9b"'),
        ("explanation", 'explanation: "because\\x1b]0;title\\x07"'),
        ("tags", 'tags: ["t\\x00"]'),
    ],
)
def test_control_characters_written_as_yaml_escapes_are_refused_by_field(
    loader: str, field: str, entry: str
) -> None:
    base = {"prompt": "prompt: P?", "answers": "answers: [b]"}
    head = entry.partition(":")[0]
    base.pop(head, None)
    if field == "choices":
        base.pop("answers")
    body = "\n    ".join([entry, *base.values()])
    text = f"id: esc\ntitle: Esc\nquestions:\n  - id: q-1\n    {body}\n"

    with parsing_with(loader):
        result = outcome(text)

    assert isinstance(result, BankError), text
    assert [p.field for p in result.problems] == [field]
    assert "control character (U+" in result.problems[0].message


@pytest.mark.parametrize(
    ("loader", "says"),
    [("libyaml", "invalid Unicode character escape"), ("pure-python", "U+D800")],
)
def test_a_lone_surrogate_written_as_an_escape_is_refused(loader: str, says: str) -> None:
    """No database or terminal can hold one; libyaml refuses it as YAML, PyYAML's own
    parser lets it through to the loader, which refuses it."""
    text = 'id: s\ntitle: S\nquestions:\n  - {id: q-1, prompt: "a\\ud800", answers: [a]}\n'

    with parsing_with(loader):
        assert says in refusal(text)


def test_tabs_newlines_and_hostile_but_printable_text_load_as_plain_text() -> None:
    # A JSON string is a YAML double-quoted scalar.
    entries = "".join(
        f"  - id: q-{n}\n    prompt: {json.dumps(f'Q{n} {text}?', ensure_ascii=False)}\n"
        f"    answers: [A{n}]\n"
        for n, text in enumerate(v for v in NASTY.values() if not control_characters(v))
    )
    block = "  - id: block\n    prompt: |\n      Line one\n      \tLine two\n    answers: [x]\n"
    bank = load_bank_text(f"id: plain\ntitle: Plain\nquestions:\n{entries}{block}", path="p.yaml")

    prompts = [q.prompt for q in bank.questions]
    printable = [v for v in NASTY.values() if not control_characters(v)]
    assert prompts[:-1] == [f"Q{n} {text}?" for n, text in enumerate(printable)]
    assert prompts[-1] == "Line one\n\tLine two"


# -- the admin form ---------------------------------------------------------------------------


def form(**fields: str) -> QuestionDraft:
    values = {"prompt": "Capital of France?", "answers": "Paris"} | fields
    return QuestionDraft(**values)


def problems_of(draft: QuestionDraft) -> tuple[FieldProblem, ...]:
    result = draft_to_question(draft, server=SERVER, existing=())
    assert isinstance(result, tuple), f"expected a refusal, got {result}"
    return result


@pytest.mark.parametrize(
    ("field", "control"),
    [
        (field, control)
        for field in ("prompt", "answers", "category", "explanation", "choices", "hints")
        for control in ("\x00", "\x1b[31m", "\x07", "\r", "\x85", "\x9b", "\x7f")
        # One item a line: in those fields CR and NEL are line breaks.
        if not (control in "\r\x85" and field in ("answers", "choices", "hints"))
    ],
)
def test_a_form_field_with_a_control_character_is_refused_by_that_field(
    field: str, control: str
) -> None:
    value = f"Paris{control}x"
    if field == "choices":
        draft = form(choices=f"{value}\nLondon", answers=value)
        wanted = {"choices", "answers"}
    else:
        draft = form(**{field: value})
        wanted = {field}

    problems = problems_of(draft)

    assert {p.field for p in problems} <= wanted
    assert all("control character" in p.message for p in problems)


def test_huge_form_fields_are_refused_naming_the_limits_in_bounded_time() -> None:
    huge = "x" * 10_000_000
    draft = QuestionDraft(
        prompt=huge,
        answers="\n".join([huge[:100_000]] * 3),
        category=huge[:100_000],
        difficulty=huge[:100_000],
        explanation=huge,
        choices="\n".join(["y"] * 10_000),
        hints="\n".join(["h"] * 10_000),
    )

    started = time.perf_counter()
    problems = problems_of(draft)
    elapsed = time.perf_counter() - started

    assert elapsed < 0.5, f"took {elapsed:.2f} s"
    by_field = {p.field: p.message for p in problems}
    assert by_field["prompt"] == "this is 10,000,000 characters long; far more than any question"
    assert set(by_field) == set(QuestionDraft.__dataclass_fields__)


def test_form_fields_just_under_the_cap_get_the_loaders_own_limits() -> None:
    problems = problems_of(form(prompt="x" * 9_999, hints="\n".join(["h" * 400] * 20)))

    by_field = {p.field: p.message for p in problems}
    assert "9999 characters long; the limit is 500" in by_field["prompt"]
    assert "the limit is 5" in by_field["hints"]


@pytest.mark.parametrize(
    "text",
    [
        "*alias",
        "&anchor value",
        "!!python/object/apply:os.system ['true']",
        "{a: b}",
        "[1, 2]",
        "- item",
        "key: value",
        "---",
        "| block",
        "'quoted'",
        '"double"',
        "% directive",
        "@everyone",
        SQL,
    ],
)
def test_yaml_syntax_typed_into_the_form_is_kept_as_plain_text(text: str) -> None:
    result = draft_to_question(
        form(prompt=f"{text} ?", answers=text, category=text[:40]), server=SERVER, existing=()
    )

    assert isinstance(result, Question), result
    assert result.prompt == f"{text} ?"
    assert result.answers == (text,)
    assert result.category == text[:40].strip()


@settings(max_examples=200, deadline=None)
@given(
    prompt=st.one_of(hostile_text, any_text),
    answers=st.one_of(hostile_text, any_text),
    category=hostile_text,
    explanation=hostile_text,
)
def test_any_form_gives_field_problems_or_exactly_the_question_typed(
    prompt: str, answers: str, category: str, explanation: str
) -> None:
    draft = QuestionDraft(
        prompt=prompt, answers=answers, category=category, explanation=explanation
    )

    result = draft_to_question(draft, server=SERVER, existing=())

    if isinstance(result, Question):
        assert result.prompt == prompt.strip()
        assert list(result.answers) == lines(answers)
        assert result.category == (category.strip() or "custom")
        assert result.explanation == explanation.strip()
        assert result.scope == str(SERVER)
    else:
        assert result, "a refusal lists its problems"
        assert {p.field for p in result} <= {"prompt", "answers", "category", "explanation"}
