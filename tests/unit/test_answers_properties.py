"""Properties of answer matching that must hold for any answer, not just the table's."""

from __future__ import annotations

import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.answer_target import PLACE_PREFIXES, PLACE_SUFFIXES, Target
from bot.domain.answer_text import TextForm, _clean_unicode, _tokens_by_rules, normal_tokens
from bot.domain.answers import (
    _LETTER_FORM,
    _NUMBER_FORM,
    LETTER_FORM_MAX_COMPACT,
    Verdict,
    matcher_for,
    normalise,
)
from bot.domain.model import Question, QuestionType
from bot.domain.number_words import (
    canonical_number,
    format_number,
    parse_number,
    roman_value,
    starts_number,
)

settings.register_profile("answers", deadline=None, max_examples=300)
PROFILE = settings.get_profile("answers")

ACCENTED = {
    "a": "àáâäåã", "e": "èéêë", "i": "ìíîï", "o": "òóôöõø", "u": "ùúûü",
    "c": "ç", "n": "ñ", "y": "ýÿ", "s": "ś", "z": "žź",
}  # fmt: skip
SEPARATORS = [" ", "  ", "\t", " - ", "-", ". ", ".", ", ", "/", "_", ":", "!", "\u00a0"]
EDGES = ["", " ", "  ", "!", "?", ".", "...", "\u200b", "\u200f", '"', "(", ")", "*"]
ARTICLES = {"the", "a", "an"}


def _plain_word(word: str) -> bool:
    """A word that reads as text: no number word, Roman numeral or article."""
    return not starts_number(word) and roman_value(word) is None and word not in ARTICLES


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10).filter(_plain_word)
answers = st.lists(words, min_size=1, max_size=4).map(" ".join)


def question(answer: str, kind: QuestionType = QuestionType.TEXT) -> Question:
    return Question(id="p", prompt="?", answers=(answer,), type=kind)


@st.composite
def variants(draw: st.DrawFn, answer: str) -> str:
    """The answer with its case, accents, separators and edges changed."""
    pieces = []
    for index, word in enumerate(answer.split(" ")):
        if index:
            pieces.append(draw(st.sampled_from(SEPARATORS)))
        for char in word:
            style = draw(st.integers(0, 3))
            if style == 1:
                char = char.upper()
            elif style == 2 and char in ACCENTED:
                char = draw(st.sampled_from(ACCENTED[char]))
            elif style == 3:
                char += "\u200b"  # a zero-width space inside the word
            pieces.append(char)
    return draw(st.sampled_from(EDGES)) + "".join(pieces) + draw(st.sampled_from(EDGES))


@PROFILE
@given(st.data(), answers)
def test_case_punctuation_accent_and_spacing_variants_of_an_answer_are_accepted(
    data: st.DataObject, answer: str
) -> None:
    variant = data.draw(variants(answer))

    match = matcher_for(question(answer)).check(variant)

    assert match.accepted, (variant, match)


@PROFILE
@given(answers, st.lists(words, min_size=1, max_size=2), st.booleans(), st.data())
def test_an_answer_with_extra_words_around_it_is_not_accepted(
    answer: str, extra: list[str], before: bool, data: st.DataObject
) -> None:
    assume(not set(extra) & set(answer.split()))
    assume(not set(extra) & PLACE_WORDS)  # one of them alone names a place: see below
    padding = " ".join(extra)
    guess = f"{padding} {answer}" if before else f"{answer} {padding}"
    guess = data.draw(st.sampled_from([guess, guess.upper(), guess.replace(" ", ", ")]))

    match = matcher_for(question(answer)).check(guess)

    assert not match.accepted, (guess, match)


PLACE_WORDS = PLACE_SUFFIXES | PLACE_PREFIXES
# After one word these often name another place (Mexico City, Michigan State).
SEVERAL_WORDS_ONLY = {"city", "state"}


@PROFILE
@given(answers, st.sampled_from(sorted(PLACE_WORDS)), st.data())
def test_a_place_named_with_one_generic_word_is_accepted(
    answer: str, place_word: str, data: st.DataObject
) -> None:
    assume(place_word not in answer.split())
    matcher = matcher_for(question(answer))
    one_word = " " not in answer
    for guess, allowed in (
        (f"{answer} {place_word}", place_word in PLACE_SUFFIXES),
        (f"{place_word} {answer}", place_word in PLACE_PREFIXES),
    ):
        guess = data.draw(st.sampled_from([guess, guess.title(), guess.replace(" ", ". ")]))
        expected = allowed and not (one_word and place_word in SEVERAL_WORDS_ONLY)

        assert matcher.check(guess).accepted == expected, (answer, guess)


@PROFILE
@given(answers, st.sampled_from(sorted(PLACE_WORDS)), words, st.booleans())
def test_a_place_word_does_not_let_another_word_in(
    answer: str, place_word: str, extra: str, before: bool
) -> None:
    assume(not {place_word, extra} & set(answer.split()))
    named = f"{place_word} {answer}" if place_word in PLACE_PREFIXES else f"{answer} {place_word}"
    guess = f"{extra} {named}" if before else f"{named} {extra}"

    assert not matcher_for(question(answer)).check(guess).accepted, guess


names = st.lists(words, min_size=3, max_size=5)


@PROFILE
@given(names, st.data())
def test_middle_names_given_as_initials_are_accepted_and_nothing_more(
    name: list[str], data: st.DataObject
) -> None:
    middle = range(1, len(name) - 1)
    initials = data.draw(st.sets(st.sampled_from(middle), min_size=1))
    dot = data.draw(st.sampled_from(["", "."]))
    given_words = [word[0] + dot if index in initials else word for index, word in enumerate(name)]
    guess = " ".join(given_words)
    matcher = matcher_for(question(" ".join(name)))

    assert matcher.check(guess).accepted, guess
    for longer in (f"{guess} {name[0]}", f"{name[-1]} {guess}"):
        # (Unless its letters happen to spell the answer: spacing never matters.)
        if TextForm.of(longer).compact != TextForm.of(" ".join(name)).compact:
            assert not matcher.check(longer).accepted, longer


@PROFILE
@given(names.filter(lambda name: len(name[0]) >= 5 and len(name[-1]) >= 5), st.booleans())
def test_the_first_name_and_the_surname_are_never_initials(name: list[str], first: bool) -> None:
    # Five letters or more: too many edits for any typo allowance.
    index = 0 if first else len(name) - 1
    guess = " ".join(word[0] if i in (index, 1) else word for i, word in enumerate(name))

    assert not matcher_for(question(" ".join(name))).check(guess).accepted, guess


ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = [
    "ten", "eleven", "twelve", "thirteen", "fourteen",
    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spell(n: int, *, with_and: bool, hyphen: bool) -> str:
    """English words for 0 <= n < 1,000,000, written independently of the matcher."""
    if n == 0:
        return "zero"

    def below_thousand(value: int) -> list[str]:
        out: list[str] = []
        hundreds, rest = divmod(value, 100)
        if hundreds:
            out += [ONES[hundreds], "hundred"]
            if rest and with_and:
                out.append("and")
        if rest >= 20:
            tens, ones = divmod(rest, 10)
            if ones and hyphen:
                out.append(f"{TENS[tens]}-{ONES[ones]}")
            else:
                out += [TENS[tens]] + ([ONES[ones]] if ones else [])
        elif rest >= 10:
            out.append(TEENS[rest - 10])
        elif rest:
            out.append(ONES[rest])
        return out

    thousands, rest = divmod(n, 1000)
    spoken = [*below_thousand(thousands), "thousand"] if thousands else []
    return " ".join(spoken + below_thousand(rest))


numbers = st.integers(0, 999_999)
spellings = st.fixed_dictionaries({"with_and": st.booleans(), "hyphen": st.booleans()})
kinds = st.sampled_from([QuestionType.TEXT, QuestionType.NUMBER])


@PROFILE
@given(numbers, spellings, kinds)
def test_a_number_is_accepted_as_digits_and_as_words(
    n: int, spelling: dict[str, bool], kind: QuestionType
) -> None:
    for answer in (str(n), spell(n, **spelling)):
        matcher = matcher_for(question(answer, kind))
        for guess in (
            str(n),
            f"{n:,}",
            spell(n, **spelling),
            spell(n, with_and=False, hyphen=True),
        ):
            assert matcher.check(guess).accepted, (answer, guess)


@PROFILE
@given(numbers, st.integers(-1_000_000, 1_000_000).filter(bool), spellings, kinds)
def test_a_different_number_is_never_accepted(
    n: int, k: int, spelling: dict[str, bool], kind: QuestionType
) -> None:
    matcher = matcher_for(question(str(n), kind))
    guesses = [str(n + k), f"{n + k:,}"]
    if 0 <= n + k < 1_000_000:
        guesses.append(spell(n + k, **spelling))

    for guess in guesses:
        match = matcher.check(guess)
        assert not match.accepted, (n, guess, match)
        assert match.verdict is Verdict.REJECTED or abs(k) <= n * 0.02


tricky_text = st.text(alphabet=st.sampled_from("aAéE1 2.,-'&_\u200b\u200fßİ\u210c٣ "), max_size=30)


@PROFILE
@given(st.one_of(st.text(), tricky_text))
def test_normalise_is_idempotent(raw: str) -> None:
    once = normalise(raw)

    assert normalise(once) == once


MATCHERS = [
    matcher_for(question("Paris")),
    matcher_for(question("Franklin Delano Roosevelt")),
    matcher_for(question("5")),
    matcher_for(question("8,849 metres", QuestionType.NUMBER)),
    matcher_for(Question(id="p", prompt="?", answers=("Mission Impossible 2", "MI2", "M:I-2"))),
    matcher_for(
        Question(
            id="p",
            prompt="?",
            answers=("Mars",),
            type=QuestionType.CHOICE,
            choices=("Venus", "Mars", "Jupiter"),
        )
    ),
    matcher_for(
        Question(
            id="p", prompt="?", answers=("5",), type=QuestionType.CHOICE, choices=("3", "5", "7")
        )
    ),
    matcher_for(Question(id="p", prompt="?", answers=("True",), type=QuestionType.BOOLEAN)),
    matcher_for(question("🍕")),
]


@PROFILE
@given(st.one_of(st.text(), tricky_text, st.text(alphabet="0123456789., -k", max_size=40)))
def test_check_never_raises_and_always_gives_a_reason(guess: str) -> None:
    for matcher in MATCHERS:
        match = matcher.check(guess)

        assert match.reason
        assert match.accepted == (match.verdict is Verdict.ACCEPTED)


# The matcher's shortcuts must agree with the rules they skip (white-box checks
# of private helpers: a shortcut that drifts changes verdicts silently).

ascii_text = st.text(alphabet=st.characters(max_codepoint=127), max_size=30)
any_text = st.one_of(st.text(max_size=30), tricky_text, ascii_text)


def _tokens_by_the_rules(raw: str) -> list[str]:
    """normal_tokens without its shortcut: every regex of the rules, articles dropped."""
    cleaned = raw.lower() if raw.isascii() else _clean_unicode(raw)
    tokens = _tokens_by_rules(cleaned)
    start = 0
    while len(tokens) - start > 1 and tokens[start] in ARTICLES:
        start += 1
    return tokens[start:]


@PROFILE
@given(any_text)
def test_normal_tokens_shortcut_gives_what_the_rules_give(raw: str) -> None:
    assert normal_tokens(raw) == _tokens_by_the_rules(raw)


def _form_by_the_rules(raw: str) -> tuple[tuple[str, ...], str, tuple[str, ...], int]:
    """TextForm's tokens, compact, numbers and letters, computed the long way."""
    tokens: list[str] = []
    plain = tuple(_tokens_by_the_rules(raw))
    index = 0
    while index < len(plain):
        parsed = parse_number(plain, index)
        if parsed is not None:
            tokens.append(format_number(parsed[0]))
            index = parsed[1]
            continue
        roman = roman_value(plain[index]) if index else None
        tokens.append(str(roman) if roman is not None else plain[index])
        index += 1
    compact = ""
    for index, token in enumerate(tokens):
        if index and tokens[index - 1][-1].isdigit() and token[0] in "-0123456789":
            compact += " "
        compact += token
    numbers = tuple(re.findall(r"-?\d+(?:\.\d+)?", compact))
    return tuple(tokens), compact, numbers, sum(map(len, tokens))


number_text = st.lists(
    st.sampled_from(
        ["5", "05", "12", "1.5", "-3", "1k", "2nd", "two", "twenty", "one", "hundred", "k",
         "million", "and", "point", "ii", "xiv", "v", "i", "paris", "the", "a", "oh", "minus",
         "0", "007", "1e3", "12-a", "١٢", "x"]
    ),
    max_size=6,
).map(" ".join)  # fmt: skip


@PROFILE
@given(st.one_of(any_text, number_text))
def test_text_form_shortcuts_give_what_the_long_way_gives(raw: str) -> None:
    form = TextForm.of(raw)

    assert (form.tokens, form.compact, form.numbers, form.letters) == _form_by_the_rules(raw)


@PROFILE
@given(st.one_of(number_text, st.text(alphabet="0123456789 kmilonhudrea", max_size=20)))
def test_canonical_number_is_the_formatted_parsed_number(raw: str) -> None:
    tokens = raw.split()
    for start in range(len(tokens)):
        parsed = parse_number(tokens, start)
        expected = None if parsed is None else (format_number(parsed[0]), parsed[1])
        assert canonical_number(tokens, start) == expected


@PROFILE
@given(st.from_regex(_LETTER_FORM, fullmatch=True))
def test_a_guess_in_letter_form_is_short_once_normalised(raw: str) -> None:
    assert len(TextForm.of(raw).compact) <= LETTER_FORM_MAX_COMPACT
    assert len(TextForm.of(raw.upper()).compact) <= LETTER_FORM_MAX_COMPACT


@PROFILE
@given(st.from_regex(_NUMBER_FORM, fullmatch=True))
def test_a_guess_in_number_form_has_numbers_once_normalised(raw: str) -> None:
    assert TextForm.of(raw).numbers


guess_words = st.lists(
    st.one_of(words, st.sampled_from(sorted(PLACE_WORDS)), st.sampled_from(list("abcdefrs"))),
    min_size=1,
    max_size=5,
)


@PROFILE
@given(names | answers.map(str.split), guess_words, st.data())
def test_accepts_text_agrees_with_the_full_comparison(
    answer: list[str], other: list[str], data: st.DataObject
) -> None:
    # Guesses near the answer: other words, a place word, initials; then a typo or not.
    initials = [answer[0], *(word[0] for word in answer[1:-1]), answer[-1]]
    guess = data.draw(st.sampled_from([other, answer + other[:1], other[:1] + answer, initials]))
    text = " ".join(guess)
    text = data.draw(st.sampled_from([text, text[:-1], text + "x", text.replace("e", "a", 1)]))
    target = Target.of(" ".join(answer), units_allowed=False)
    form = TextForm.of(text)

    assert target.accepts_text(form) == target._compare_text(form).accepted, text
