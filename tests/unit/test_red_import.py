"""Red-DiscordBot trivia lists become banks our loader accepts, keeping what their authors wrote.

The lists under ``red_lists/`` are our own, in Red's shape.  A line of a list
marked ``# expect: words`` must get a problem whose message holds those words,
``# note: words`` a note; no other line may get either.
"""

from __future__ import annotations

import re
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bank import BankError, BankProblem, LoadedBank, load_bank_text
from bot.bank import files as bank_files_module
from bot.bank import red_import as red_import_module
from bot.bank.format import ID_PATTERN, MAX_ANSWER, MAX_ANSWERS, MAX_FILE_BYTES, MAX_PROMPT
from bot.bank.red_import import IMPORT_TAG, RedConversion, convert_red_list, convert_red_path
from bot.domain.model import Difficulty
from tests.helpers import lol_bomb

LISTS = Path(__file__).parent / "red_lists"
LIST_FILES = sorted(LISTS.glob("*.yaml"))
HASHED = re.compile(r".*-[0-9a-f]{6}")

# What each list must convert into: prompt -> answers, in the list's order.
EXPECTED: dict[str, dict[str, tuple[str, ...]]] = {
    "plain.yaml": {
        "What colour is a ripe banana?": ("Yellow",),
        "How many legs does a spider have?": ("8", "eight"),
        # "The Earth" and "earth" are "Earth" once normalised: kept once.
        "Which planet do we live on?": ("Earth",),
        "Who wrote the play about a Danish prince who talks to a skull?": (
            "William Shakespeare",
            "Shakespeare",
        ),
    },
    "yaml11.yaml": {
        "In which year did people first walk on the Moon?": ("1969",),
        "Is the Sun a star?": ("yes", "y"),
        "Write one as a decimal with one digit after the point": ("1.0",),
        "Can an ostrich fly?": ("no", "off", "false"),
        "How many sides does a pentagon have?": ("5", "five"),
        "What is half of one, written with a leading point?": (".5",),
        "On which date did the year 2000 begin?": ("2000-01-01",),
        # A plain "null" is the word the author wrote; "~" and nothing are empty.
        "Which JavaScript keyword names the intentional absence of a value?": ("null",),
        "Which number is written with a leading zero on a digital clock at eight?": ("08", "8"),
    },
    "multiline.yaml": {
        "Look at this line of code:\nprint(2 + 2)\nWhat does it print?": ("4", "four"),
        "A folded question reads as one line?": ("folded",),
        "A quoted question\nwith an escaped line break?": ("quoted",),
        "A double-quoted question folded over two lines?": ("continued",),
    },
    "links_and_quotes.yaml": {
        "Who is in this picture? https://example.com/pics/cat-01.png": ("Cat",),
        "Who is in this other picture? https://example.com/pics/cat-02.png": ("Kitten",),
        "Name the film from this still: https://example.com/stills/2.jpg": ("Jaws",),
        "Geography: what is the capital of Peru?": ("Lima",),
        'Which novel begins with "Call me Ishmael"?': ("Moby-Dick",),
        'What\'s missing from "its" when it means "it is"?': ("An apostrophe",),
        "Which symbol starts a comment in Python, '#' or '//'?": ("hash",),
        "Which tag starts a PHP block: <?php or <%?": ("<?php",),
    },
    "messy.yaml": {
        "What is the first question?": ("first",),
        "5": ("five",),
        "Which answers hold a list?": ("kept",),
        "Which question comes last?": ("last",),
    },
}


def convert(text: str, *, name: str = "quiz") -> RedConversion:
    return convert_red_list(textwrap.dedent(text), path=f"lists/{name}.yaml")


def loaded(conversion: RedConversion) -> LoadedBank:
    return load_bank_text(conversion.bank_text, path="converted.yaml")


def answers_by_prompt(conversion: RedConversion) -> dict[str, tuple[str, ...]]:
    return {question.prompt: question.answers for question in loaded(conversion).questions}


def ids_by_prompt(conversion: RedConversion) -> dict[str, str]:
    return {question.prompt: question.id for question in loaded(conversion).questions}


def refusal(data: str | bytes) -> str:
    with pytest.raises(BankError) as raised:
        convert_red_list(data, path="bad.yaml")
    return " | ".join(problem.message for problem in raised.value.problems)


def marked_lines(path: Path, marker: str) -> dict[int, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {
        number: line.split(f"# {marker}:", 1)[1].strip()
        for number, line in enumerate(lines, start=1)
        if f"# {marker}:" in line and not line.startswith("#")
    }


def by_line(problems: tuple[BankProblem, ...]) -> dict[int | None, str]:
    found: dict[int | None, str] = {}
    for problem in problems:
        assert problem.line not in found, f"two problems on line {problem.line}"
        found[problem.line] = problem.message
    return found


# -- the lists under red_lists/ ---------------------------------------------


def test_every_list_in_the_folder_has_its_expectations_written_down() -> None:
    assert [path.name for path in LIST_FILES] == sorted(EXPECTED)


@pytest.mark.usefixtures("any_loader")
@pytest.mark.parametrize("path", LIST_FILES, ids=lambda path: path.stem)
def test_a_list_converts_into_the_questions_and_answers_its_author_wrote(path: Path) -> None:
    conversion = convert_red_list(path.read_bytes(), path=str(path))

    assert answers_by_prompt(conversion) == EXPECTED[path.name]
    assert list(answers_by_prompt(conversion)) == list(EXPECTED[path.name])
    assert conversion.questions == len(EXPECTED[path.name])


@pytest.mark.parametrize("path", LIST_FILES, ids=lambda path: path.stem)
def test_problems_and_notes_sit_on_the_lines_marked_in_the_list(path: Path) -> None:
    conversion = convert_red_list(path.read_bytes(), path=str(path))

    for marker, reported in (("expect", conversion.problems), ("note", conversion.notes)):
        expected = marked_lines(path, marker)
        found = by_line(reported)
        assert sorted(found, key=lambda line: line or 0) == sorted(expected), marker
        for line, words in expected.items():
            assert words in found[line], f"line {line}: {found[line]!r} lacks {words!r}"
        assert all(problem.path == str(path) for problem in reported)


def test_the_bank_takes_its_title_category_and_ids_from_the_list_name() -> None:
    conversion = convert_red_list((LISTS / "plain.yaml").read_bytes(), path="x/plain.yaml")
    bank = loaded(conversion)

    assert bank.info.id == conversion.bank_id == "red-plain"
    assert bank.info.title == "plain"
    assert bank.info.author == "Quiz Writer"
    assert bank.info.description == (
        "A handful of everyday questions, written for trivia-bot's tests."
    )
    assert bank.info.source_title == "Red-DiscordBot trivia list 'plain'"
    assert {question.category for question in bank.questions} == {"plain"}
    assert {question.difficulty for question in bank.questions} == {Difficulty.MEDIUM}
    assert {question.tags for question in bank.questions} == {(IMPORT_TAG,)}
    assert all(question.id.startswith("red-plain-") for question in bank.questions)
    assert ids_by_prompt(conversion)["What colour is a ripe banana?"] == (
        "red-plain-what-colour-is-a-ripe-banana"
    )


def test_an_author_list_becomes_one_line_of_names() -> None:
    conversion = convert_red_list((LISTS / "messy.yaml").read_bytes(), path="messy.yaml")

    assert loaded(conversion).info.author == "First Writer, Second Writer"


def test_the_list_name_can_be_given_instead_of_the_file_name() -> None:
    conversion = convert("Q?: [a]\n", name="ignored")
    named = convert_red_list("Q?: [a]\n", path="upload.yaml", list_name="Film Quotes (2024)")
    bank = loaded(named)

    assert loaded(conversion).info.id == "red-ignored"
    assert bank.info.id == "red-film-quotes-2024"
    assert bank.info.title == "Film Quotes (2024)"
    assert bank.questions[0].category == "film-quotes-2024"


def test_the_converted_text_is_readable_block_yaml_in_the_lists_order() -> None:
    conversion = convert_red_list((LISTS / "multiline.yaml").read_bytes(), path="multiline.yaml")
    text = conversion.bank_text

    assert re.search(r"prompt: \|-\n( +)Look at this line of code:\n\1print\(2 \+ 2\)\n", text)
    assert "{" not in text
    assert "[" not in text
    assert text.index("Look at this line") < text.index("A folded question")


def test_non_ascii_text_is_written_as_is() -> None:
    conversion = convert("Wer schrieb „Faust“?: [Goethe]\nPokémon?: [Pikachu]\n")

    assert "Wer schrieb „Faust“?" in conversion.bank_text
    assert answers_by_prompt(conversion) == {
        "Wer schrieb „Faust“?": ("Goethe",),
        "Pokémon?": ("Pikachu",),
    }
    assert ids_by_prompt(conversion)["Pokémon?"] == "red-quiz-pokemon"


# -- ids --------------------------------------------------------------------


def test_ids_are_the_same_on_every_run_and_in_any_order() -> None:
    prompts = [f"Which number comes after {n}?" for n in range(30)] + ["What is 2+2?", "2-2?"]
    forward = convert("".join(f'"{p}": [a]\n' for p in prompts))
    backward = convert("".join(f'"{p}": [a]\n' for p in reversed(prompts)))

    assert convert("".join(f'"{p}": [a]\n' for p in prompts)).bank_text == forward.bank_text
    assert ids_by_prompt(forward) == ids_by_prompt(backward)


def test_questions_that_share_a_long_start_get_unique_valid_ids() -> None:
    text = "".join(
        f"Who's that creature? https://example.com/creatures/{n:03}.png:\n- C{n}\n"
        for n in range(60)
    )
    conversion = convert(text, name="whosthatcreature")
    ids = list(ids_by_prompt(conversion).values())

    assert len(set(ids)) == 60
    for question_id in ids:
        assert ID_PATTERN.fullmatch(question_id)
        assert question_id.startswith("red-whosthatcreature-whos-that-creature-https")
        assert HASHED.fullmatch(question_id)


def test_questions_whose_slugs_coincide_both_get_a_hash_and_others_do_not() -> None:
    ids = ids_by_prompt(convert('"What is 2+2?": ["4"]\n"What is 2-2?": ["0"]\nWhy?: [because]\n'))

    assert ids["What is 2+2?"] != ids["What is 2-2?"]
    assert HASHED.fullmatch(ids["What is 2+2?"])
    assert HASHED.fullmatch(ids["What is 2-2?"])
    assert ids["Why?"] == "red-quiz-why"


def test_rewrapping_a_long_question_keeps_its_id() -> None:
    words = "Which of the planets of our solar system has the most moons, counting all"
    one_line = convert(f"{words} of them?: [Saturn]\n")
    two_lines = convert(f"? |\n  {words}\n  of them?\n: [Saturn]\n")

    assert list(ids_by_prompt(one_line).values()) == list(ids_by_prompt(two_lines).values())


def test_questions_and_list_names_in_other_scripts_get_ids_from_a_hash() -> None:
    conversion = convert_red_list("日本の首都は?: [東京, Tokyo]\n", path="クイズ.yaml")
    bank = loaded(conversion)

    assert re.fullmatch(r"red-list-[0-9a-f]{4}", bank.info.id)
    assert bank.info.title == "クイズ"
    assert re.fullmatch(rf"{bank.info.id}-[0-9a-f]{{6}}", bank.questions[0].id)
    assert bank.questions[0].answers == ("東京", "Tokyo")


def test_a_long_list_name_is_cut_for_ids_but_kept_whole_as_the_title() -> None:
    name = "Harry Potter and the Philosopher's Stone, chapter by chapter"
    conversion = convert_red_list("Who is Hedwig?: [an owl]\n", path=f"{name}.yaml")
    bank = loaded(conversion)

    assert bank.info.title == name
    assert re.fullmatch(r"red-harry-potter-and-[0-9a-f]{4}", bank.info.id)
    assert len(bank.questions[0].category) <= 40
    assert ID_PATTERN.fullmatch(bank.questions[0].id)


# -- answers ----------------------------------------------------------------


def test_answers_equal_once_normalised_are_kept_once_in_their_first_spelling() -> None:
    conversion = convert("Band?: [The Beatles, beatles, BEATLES!, Beatles (the)]\n")

    assert answers_by_prompt(conversion) == {"Band?": ("The Beatles", "Beatles (the)")}
    assert conversion.problems == ()


def test_one_answer_written_without_a_list_is_accepted() -> None:
    assert answers_by_prompt(convert("Capital of Peru?: Lima\n")) == {"Capital of Peru?": ("Lima",)}


def test_an_answer_over_the_length_limit_is_left_out_with_its_line() -> None:
    long = "x" * (MAX_ANSWER + 1)
    conversion = convert(f"Q?:\n- short\n- {long}\n")

    assert answers_by_prompt(conversion) == {"Q?": ("short",)}
    (problem,) = conversion.problems
    assert problem.line == 3
    assert re.fullmatch(r"red-quiz-q-[0-9a-f]{6}", problem.question_id or "")
    assert f"the limit is {MAX_ANSWER}" in problem.message


def test_answers_past_the_limit_are_left_out_from_the_first_one_too_many() -> None:
    answers = "".join(f"- answer {n}\n" for n in range(MAX_ANSWERS + 5))
    conversion = convert(f"Q?:\n{answers}")

    assert len(answers_by_prompt(conversion)["Q?"]) == MAX_ANSWERS
    (problem,) = conversion.problems
    assert problem.line == 2 + MAX_ANSWERS
    assert "5 more answers from here on are left out" in problem.message


# -- questions --------------------------------------------------------------


def test_a_question_over_the_length_limit_is_skipped_with_its_line() -> None:
    conversion = convert(f"Short?: [a]\n{'Long ' * (MAX_PROMPT // 4)}?: [b]\nAfter?: [c]\n")

    assert list(answers_by_prompt(conversion)) == ["Short?", "After?"]
    (problem,) = conversion.problems
    assert problem.line == 2
    assert f"the limit is {MAX_PROMPT}" in problem.message
    assert "skipped" in problem.message


def test_a_repeated_question_keeps_the_first_even_when_red_would_keep_the_last() -> None:
    conversion = convert("Q?: [first]\nOther?: [x]\nq? : [second]\n")

    assert answers_by_prompt(conversion)["Q?"] == ("first",)
    (problem,) = conversion.problems
    assert (problem.line, problem.field) == (3, "prompt")
    assert "already on line 1" in problem.message


def test_a_repeat_of_a_skipped_question_is_imported() -> None:
    conversion = convert("Q?: []\nQ?: [second]\n")

    assert answers_by_prompt(conversion) == {"Q?": ("second",)}
    assert [problem.line for problem in conversion.problems] == [1]


def test_a_question_holding_a_control_character_is_skipped() -> None:
    conversion = convert('"Bell \\a?": [ding]\nFine?: ["ok", "bad \\x1b[31m"]\n')

    assert answers_by_prompt(conversion) == {"Fine?": ("ok",)}
    assert [(p.line, p.field) for p in conversion.problems] == [(1, "prompt"), (2, "answers")]
    assert all("control character" in problem.message for problem in conversion.problems)


def test_merge_keys_are_reported_not_merged() -> None:
    conversion = convert("Base?: &base [a]\n<<: {Merged?: [b]}\n")

    assert list(answers_by_prompt(conversion)) == ["Base?"]
    assert "merge keys" in conversion.problems[0].message


def test_config_settings_are_notes_not_problems() -> None:
    conversion = convert("CONFIG: {bot_plays: yes, reveal_answer: no, timeout: 120}\nQ?: [a]\n")

    assert conversion.problems == ()
    assert [note.field for note in conversion.notes] == [
        "CONFIG.bot_plays",
        "CONFIG.reveal_answer",
        "CONFIG.timeout",
    ]
    assert "'bot_plays: yes'" in conversion.notes[0].message


def test_an_author_or_description_over_the_limit_is_cut_to_fit() -> None:
    conversion = convert(f"AUTHOR: {'A' * 300}\nDESCRIPTION: {'d ' * 1200}\nQ?: [a]\n")
    info = loaded(conversion).info

    assert len(info.author) == 200
    assert info.author.endswith("…")
    assert len(info.description) <= 2000
    assert [(p.line, p.field) for p in conversion.problems] == [(1, "AUTHOR"), (2, "DESCRIPTION")]


def test_windows_line_endings_and_a_byte_order_mark_change_nothing() -> None:
    text = "AUTHOR: Ada\r\nQ?:\r\n- a\r\n- '%'\r\n"
    conversion = convert_red_list(b"\xef\xbb\xbf" + text.encode(), path="crlf.yaml")

    assert answers_by_prompt(conversion) == {"Q?": ("a",)}
    assert [problem.line for problem in conversion.problems] == [4]


def test_questions_past_the_bank_size_limit_are_left_out_from_a_named_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Our format takes about twice Red's bytes: a list of a few MiB can make
    a bank over the loader's limit (a small limit stands in for 5 MiB here)."""
    monkeypatch.setattr(red_import_module, "MAX_FILE_BYTES", 2000)
    conversion = convert("".join(f"Question number {n}?: [answer {n}]\n" for n in range(50)))

    assert 5 < conversion.questions < 50
    assert len(conversion.bank_text.encode()) <= 2000
    (problem,) = conversion.problems
    assert problem.line is None
    assert f"from line {conversion.questions + 1} on are not imported" in problem.message


def test_questions_past_the_question_limit_are_left_out_from_a_named_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(red_import_module, "MAX_QUESTIONS", 3)
    conversion = convert("".join(f"Question number {n}?: [answer {n}]\n" for n in range(5)))

    assert conversion.questions == 3
    assert "from line 4 on are not imported" in conversion.problems[0].message


# -- what the loader still refuses ------------------------------------------


def test_a_question_the_loader_refuses_anyway_is_left_out_at_its_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should the loader gain a rule this module does not apply, the question
    is reported and left out, and the rest of the list still imports."""

    def stricter(text: str | bytes, *, path: str) -> LoadedBank:
        bank = load_bank_text(text, path=path)
        for question in bank.questions:
            if "forbidden" in question.prompt:
                raise BankError([BankProblem(path, 9, question.id, "prompt", "a new rule")])
        return bank

    monkeypatch.setattr(red_import_module, "load_bank_text", stricter)
    conversion = convert("Fine?: [a]\nA forbidden word?: [b]\n")

    assert conversion.questions == 1
    assert "forbidden" not in conversion.bank_text
    (problem,) = conversion.problems
    assert (problem.line, problem.field) == (2, "prompt")
    assert "is not imported: a new rule" in problem.message


def test_a_bank_the_loader_refuses_as_a_whole_is_an_error_not_a_bad_bank(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuses(text: str | bytes, *, path: str) -> LoadedBank:
        raise BankError([BankProblem(path, 1, None, "id", "a bug")])

    monkeypatch.setattr(red_import_module, "load_bank_text", refuses)

    assert "a bug in the converter" in refusal("Q?: [a]\n")


# -- files that are not lists -----------------------------------------------


@pytest.mark.usefixtures("any_loader")
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"", "the file is empty", id="empty"),
        pytest.param("- Q?\n- A\n", "not a list or a single value", id="a-list"),
        pytest.param("Just a sentence.\n", "not a list or a single value", id="a-value"),
        pytest.param(b"PK\x03\x04\x00\x00binary", "binary file", id="binary"),
        pytest.param(b"Q?: [caf\xe9]\n", "not UTF-8", id="latin-1"),
        pytest.param(b"Q?: [a]\n" + b"#" * MAX_FILE_BYTES, "the limit is", id="too-big"),
        pytest.param("Q?: [a\nR?: [b]\n", "YAML syntax error", id="broken-yaml"),
        pytest.param("AUTHOR: Ada\nCONFIG: {delay: 20}\n", "no question", id="no-questions"),
        pytest.param("Q?: []\nR?: ['%']\n", "no question", id="none-usable"),
        pytest.param(
            "a: &big ["
            + ",".join(["x"] * 1000)
            + "]\n"
            + "".join(f"q{n}: *big\n" for n in range(3000)),
            "aliases",
            id="alias-expansion",
        ),
    ],
)
def test_a_file_that_is_not_a_usable_list_is_refused_with_the_reason(
    data: str | bytes, reason: str
) -> None:
    assert reason in refusal(data)


def test_a_nested_alias_bomb_is_never_expanded() -> None:
    started = time.perf_counter()
    conversion = convert(lol_bomb())

    # Only a0 is a question with text answers; the others hold lists of
    # lists, which are left out without being walked into.
    assert answers_by_prompt(conversion) == {"a0": ("lol",)}
    assert len(conversion.problems) < 100
    assert time.perf_counter() - started < 2


@pytest.mark.usefixtures("any_loader")
def test_a_list_with_an_unknown_yaml_tag_is_refused_with_its_line_and_field() -> None:
    data = "AUTHOR: !me Ada\nWho directed MI2?:\n- John Woo\n- !secret Woo\n!odd How many:\n- 5\n"

    with pytest.raises(BankError) as raised:
        convert_red_list(data, path="bad.yaml")

    found = [(p.line, p.field) for p in raised.value.problems]
    assert found == [(1, "AUTHOR"), (4, "answers"), (5, "prompt")]
    assert "unknown YAML tag '!secret'" in raised.value.problems[1].message
    assert all("remove the tag" in p.message for p in raised.value.problems)


@pytest.mark.usefixtures("any_loader")
def test_a_list_with_standard_tags_converts_as_written() -> None:
    conversion = convert("How many legs has a spider:\n- !!int 8\n- !!str eight\n")

    assert answers_by_prompt(conversion) == {"How many legs has a spider": ("8", "eight")}


# -- files and folders ------------------------------------------------------


def test_a_folder_converts_each_of_its_lists_in_name_order() -> None:
    converted = convert_red_path(LISTS / "pair")

    assert [(path.name, c.bank_id) for path, c in converted] == [
        ("capitals.yaml", "red-capitals"),
        ("rivers.yml", "red-rivers"),
    ]
    capitals, rivers = (loaded(conversion) for _, conversion in converted)
    assert capitals.info.author == "Map Reader"
    assert [q.category for q in capitals.questions + rivers.questions] == ["capitals"] * 2 + [
        "rivers"
    ] * 2
    assert rivers.questions[0].answers == ("Nile",)


def test_a_single_file_converts_alone() -> None:
    ((path, conversion),) = convert_red_path(LISTS / "pair" / "rivers.yml")

    assert path.name == "rivers.yml"
    assert conversion.questions == 2


def test_a_folder_with_a_broken_list_reports_every_broken_file(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text("Q?: [a]\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("- not\n- a list\n", encoding="utf-8")
    (tmp_path / "worse.yml").write_bytes(b"\x00\x01")

    with pytest.raises(BankError) as raised:
        convert_red_path(tmp_path)

    assert [Path(problem.path).name for problem in raised.value.problems] == [
        "bad.yaml",
        "worse.yml",
    ]


def test_two_lists_that_would_share_a_bank_id_are_refused(tmp_path: Path) -> None:
    (tmp_path / "Music.yaml").write_text("Q?: [a]\n", encoding="utf-8")
    (tmp_path / "music.yml").write_text("R?: [b]\n", encoding="utf-8")

    with pytest.raises(BankError) as raised:
        convert_red_path(tmp_path)

    (problem,) = raised.value.problems
    assert "red-music" in problem.message


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limit is read where the file is read (bot.bank.files, shared with banks).
    monkeypatch.setattr(bank_files_module, "MAX_FILE_BYTES", 100)
    (tmp_path / "big.yaml").write_text("Q?: [a]\n" * 20, encoding="utf-8")

    with pytest.raises(BankError) as raised:
        convert_red_path(tmp_path / "big.yaml")

    assert "the limit is 100 bytes" in raised.value.problems[0].message


@pytest.mark.parametrize("name", ["missing.yaml", "empty-folder"])
def test_a_path_with_no_list_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / "empty-folder").mkdir()

    with pytest.raises(BankError):
        convert_red_path(tmp_path / name)


# -- any list at all --------------------------------------------------------

_RED_KEYS = {"author", "description", "config", "$schema"}
_texts = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t "),
    min_size=1,
    max_size=60,
)
_answers = st.lists(
    st.one_of(_texts, st.integers(), st.booleans(), st.floats(allow_nan=False), st.none()),
    max_size=6,
)
_lists = st.dictionaries(
    _texts.filter(lambda key: key.strip().casefold() not in _RED_KEYS), _answers, max_size=8
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_lists)
def test_any_list_converts_into_a_loadable_bank_that_keeps_its_question_text(
    red_list: dict[str, list[object]],
) -> None:
    text = yaml.safe_dump(red_list, allow_unicode=True)
    try:
        conversion = convert_red_list(text, path="any.yaml")
    except BankError as exc:
        verdict = exc.problems[-1].message
        conversion = None
    if conversion is None:
        # Only when nothing could be imported.
        assert verdict == "the list has no question to import"
        return
    bank = loaded(conversion)
    prompts = {" ".join(key.split()).casefold() for key in red_list}

    assert bank.questions
    assert len(bank.questions) == conversion.questions
    assert all(" ".join(q.prompt.split()).casefold() in prompts for q in bank.questions)
    assert all(ID_PATTERN.fullmatch(question.id) for question in bank.questions)
    assert convert_red_list(text, path="any.yaml") == conversion
