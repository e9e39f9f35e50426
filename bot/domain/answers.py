"""Deciding whether a guess answers a question: the reference for matching rules.

A guess is compared **as a whole** with every entry of ``question.answers``
(the first is the one revealed, the others are aliases); the best verdict wins:
ACCEPTED, then CLOSE, then REJECTED.  :class:`Match` says which, why (a human
sentence, for logs and tests), which answer it matched or came close to, and,
for questions with choices, which option the guess names.

Normalising (both sides, :func:`normalise`)
    Accents stripped (``Pokémon`` = ``pokemon``, also ø/æ/ł/ß ...), case
    folded, zero-width and direction marks dropped, ``&`` = ``and``,
    apostrophes dropped, other punctuation and symbols become spaces,
    whitespace collapsed, leading ``the``/``a``/``an`` dropped (``beatles`` =
    ``The Beatles``; ``The The`` keeps one word).  A guess or an answer that
    normalises to nothing (``!!!``, ``🍕``) never matches anything.  Spacing
    does not matter: ``newyork`` = ``New York``, ``mr pink`` = ``Mr. Pink``,
    ``mi2`` = ``M:I-2``.

Numbers (no typo tolerance on them, ever)
    Digits and English words are the same number: ``5`` = ``five``,
    ``1,000`` = ``1000`` = ``one thousand`` = ``1k``, ``twenty-one`` = 21,
    ``1.5`` = ``one point five``, ``nineteen eighty-four`` = 1984 (details in
    :mod:`bot.domain.number_words`).  Roman numerals of I, V and X after the
    first word count too (``World War II`` = ``world war 2``).

    - An answer that is just a number (or, for a ``number`` question, a
      number and up to three unit words, ``8,849 metres``) is compared **by
      value**: ``15`` and ``50`` are not 5.  The guess may add up to three unit
      words (``5 cameras``, ``five cameras``, ``5cm``), which are not checked;
      a second number or a connective (``5 or 6``, ``5 to 6``, ``5 6``) is
      rejected.  A value within 2% of the answer's (and not equal) is CLOSE
      (``1968`` for 1969); small numbers are therefore never close: ``4`` or
      ``15`` for 5 are plainly rejected.  Only ``k`` multiplies when glued to
      digits (``1m`` is 1 and a unit, metres as likely as millions); a
      decimal comma is not read (``1,5`` is two numbers), ``1.000`` is 1.
    - A text answer that merely starts with a number (``206 bones``, ``101
      Dalmatians``) is text: the guess must name the rest too; give count
      questions the ``number`` type or list the bare number as an alias.
    - Inside a text answer numbers must be equal too: ``Mission Impossible
      two`` = ``Mission Impossible 2``, but ``Apollo 12`` is not ``Apollo 11``.
      A number word must be spelled right (``sevn`` is not ``seven``).

Typos (text answers)
    Allowed edits grow with the answer's length (letters and digits, spaces
    not counted): 0 up to 4, 1 up to 8, 2 up to 16, 3 beyond.  Edits are
    counted as optimal string alignment (an adjacent swap is one edit) on the
    space-free form.  Words of up to 3 letters and words with digits in the
    answer must come through unchanged (``Vitamin D`` is not ``Vitamin C``,
    ``Tim Hanks`` is not ``Tom Hanks``).  A guess with more words than the
    answer gets no typo tolerance at all (only spacing may differ), which keeps
    extra words from hiding inside the allowance (``copernicus ab``).  One edit
    beyond the allowance is CLOSE (answers of 4 or more letters).

Whole guesses, not word by word
    ``paris london rome`` is rejected for Paris: the guess says more than the
    answer (one generic place word excepted, below).  A part of a multi-word
    answer is CLOSE when it is whole words, in order, covering at least half
    of the letters (``delano roosevelt``) or the last word of 5 or more
    letters (``roosevelt``): it is not accepted,
    because a surname or a last word is often ambiguous (Theodore Roosevelt;
    ``africa`` for South Africa); list it as an alias to accept it.  Less
    (``franklin``, ``frank``) is rejected as too little.

Initials and place words (what a quizmaster accepts beyond the answer's words)
    A middle word of an answer of three or more words, none of them a number,
    may be given as its initial, with or without a dot: ``franklin d
    roosevelt``, ``Franklin D. Roosevelt``, ``john r r tolkien`` are accepted
    (with typos in the spelled-out words counted as ever).  The first and the
    last word (a given name and the surname) are spelled out and the guess
    has exactly the answer's words, so ``f d roosevelt``, ``franklin delano
    r``, ``franklin d`` and ``franklin x roosevelt`` are not accepted.
    A place may be named with one generic word added to the whole answer,
    typed without typos: after it ``city``, ``state``, ``county``,
    ``province``, ``river``, ``lake``, ``sea``, ``ocean``, ``island``,
    ``islands``, ``mountains``, ``desert`` (``new york city``, ``pacific
    ocean``); before it ``mount``, ``mt``, ``lake``, ``river`` (``mount
    everest``).  ``city`` and ``state`` only after answers of two or more
    words: after one they often name another place (``mexico city`` is not
    Mexico, ``michigan state`` not Michigan).  Nothing else may be added
    (``new york city hall``, ``paris river london``), and the word is never
    dropped: ``mexico`` for Mexico City stays a CLOSE part, since the name
    without its generic word may be another place; list it as an alias.

Choices (questions with ``choices``; booleans always have True/False)
    A guess names an option by, in this order: a decorated letter (``b)``,
    ``(b)``, ``[b]``, ``b.``, ``option b``); the option's exact text; a bare
    letter (``b``, ``B``); its 1-based number (``2``, ``#2``, ``2)``) unless the
    options are numbers; for booleans ``true/false/yes/no/y/n/t/f/correct/
    incorrect/right/wrong``; else the option's text with typos, initials or a
    place word as above, for options of 5 or more letters (the closest
    option, rejected if two are equally close).  When any option is a
    number, digits and number words are values (``2`` names the option "2",
    never the second option); letters still name options.  A named option sets
    ``choice`` and is ACCEPTED iff it is the correct one, else REJECTED.  A
    guess that names no option is judged as text against the answers (so
    aliases work) with ``choice`` None.

Cost
    A guess longer than four times the longest answer or option plus 20
    characters is rejected before any work (a number answer counts as at
    least 25 characters long, room for its spelled-out form).  :class:`AnswerMatcher`
    precomputes every answer's and option's form, the rejections that need no
    guess and lookup tables for naming options; ``check()`` takes 2 to 4 µs
    for a typical wrong guess and 3 to 7 µs for a right one (measured on the
    synthetic bank; building a matcher 15 to 70 µs, once per question).  A
    wrong guess pays a few set lookups for the initials and place words;
    only a guess that has a single-letter middle word or ends (begins) with a
    place word is looked at further.
    ``tests/unit/test_answers_equivalence.py`` pins every verdict and reason
    on a large corpus, so a speed-up cannot change one unnoticed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from decimal import Decimal

from rapidfuzz.distance import OSA

from bot.domain.answer_target import Match, Target, Verdict, rejected
from bot.domain.answer_text import TextForm, normalise, read_quantity
from bot.domain.model import BOOLEAN_CHOICES, Question, QuestionType

__all__ = ["AnswerMatcher", "Match", "Verdict", "matcher_for", "normalise"]

LONG_GUESS_FACTOR = 4
LONG_GUESS_SLACK = 20
# A number answer counts as this long: "5" may be guessed as "nine hundred and
# ninety nine thousand ..." when it is 999999.
SPOKEN_NUMBER_LENGTH = 25
MATCHER_CACHE_SIZE = 20_000

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_OPTION_WORDS = r"(?:option|choice|answer)?\s*"
_LETTER_FORM = re.compile(_OPTION_WORDS + r"[(\[]?\s*([a-z])\s*[)\].:]?")
_NUMBER_FORM = re.compile(_OPTION_WORDS + r"[(\[#]?\s*(\d{1,2})\s*[)\].:]?")
# Cheap tests that let most guesses skip the two regexes: what _LETTER_FORM
# matches normalises to an option word and one letter ("option x" is
# "option10"), and what _NUMBER_FORM matches has digits (both property-tested).
LETTER_FORM_MAX_COMPACT = len("option10")
_TRUE_WORDS = frozenset({"true", "t", "yes", "y", "correct", "right", "yep", "yeah"})
_FALSE_WORDS = frozenset({"false", "f", "no", "n", "incorrect", "wrong", "nope"})

_NO_LETTERS = rejected("guess has no letters or digits")
_NO_ANSWER = rejected("the question has no answer with letters or digits to compare")


class AnswerMatcher:
    """Judges guesses for one question.

    Compiled once per question: every answer's and option's form, the
    verdicts that need no guess, and lookup tables for naming an option are
    precomputed, so that :meth:`check`, the hot path, mostly does dictionary
    lookups and length comparisons.  Nothing is cached per guess.
    """

    __slots__ = (
        "_answers",
        "_correct",
        "_fuzzy_options",
        "_max_guess",
        "_needs_quantity",
        "_numeric_options",
        "_option_by_text",
        "_option_by_value",
        "_options",
        "_question",
        "_yes_no_option",
    )

    def __init__(self, question: Question) -> None:
        self._question = question
        units = question.type is QuestionType.NUMBER
        answers = [Target.of(text, units_allowed=units) for text in question.answers]
        self._answers = _distinct_verdicts(target for target in answers if not target.form.empty)
        boolean = question.type is QuestionType.BOOLEAN
        choices = question.choices or (BOOLEAN_CHOICES if boolean else ())
        self._options = tuple(Target.of(text, units_allowed=units) for text in choices)
        self._numeric_options = any(option.value is not None for option in self._options)
        self._needs_quantity = any(
            target.value is not None for target in self._answers + self._options
        )
        self._correct = self._correct_options(question, answers)
        longest = max(
            (
                max(len(target.text), SPOKEN_NUMBER_LENGTH if target.value is not None else 0)
                for target in answers + list(self._options)
            ),
            default=0,
        )
        self._max_guess = LONG_GUESS_FACTOR * longest + LONG_GUESS_SLACK
        # The first option of each value and of each text; setdefault keeps the first.
        self._option_by_value: dict[Decimal, int] = {}
        self._option_by_text: dict[str, int] = {}
        for index, option in enumerate(self._options):
            if option.value is not None:
                self._option_by_value.setdefault(option.value, index)
            else:
                self._option_by_text.setdefault(option.form.compact, index)
        # Typos can only name an option with a typo allowance (else it takes its
        # exact text, which the lookup above tries) and the guess's numbers:
        # grouped by numbers, in option order.
        self._fuzzy_options: dict[tuple[str, ...], list[tuple[int, Target]]] = {}
        for index, option in enumerate(self._options):
            if option.value is None and option.allowance:
                numbers = option.form.numbers
                self._fuzzy_options.setdefault(numbers, []).append((index, option))
        self._yes_no_option: dict[str, int] = {}
        if boolean:
            for words, wanted in ((_TRUE_WORDS, "true"), (_FALSE_WORDS, "false")):
                named = self._option_by_text.get(wanted)
                if named is not None:
                    self._yes_no_option.update(dict.fromkeys(words, named))

    def _correct_options(self, question: Question, answers: list[Target]) -> frozenset[int]:
        if question.correct_choice is not None:
            return frozenset({question.correct_choice})
        wanted = {target.form.compact for target in answers if not target.form.empty}
        return frozenset(
            index for index, option in enumerate(self._options) if option.form.compact in wanted
        )

    def check(self, guess: str) -> Match:
        """Judge one guess (any text; never raises)."""
        if len(guess) > self._max_guess:
            return rejected(f"guess is too long ({len(guess)} characters)")
        form = TextForm.of(guess)
        if not form.tokens:
            return _NO_LETTERS
        quantity: Decimal | str = ""
        if self._needs_quantity:
            read = read_quantity(form.plain)
            quantity = read.value if read.value is not None else f"'{guess.strip()}' {read.problem}"
        if self._options:
            named = self._check_options(guess, form, quantity)
            if named is not None:
                return named
        return self._best(form, quantity)

    def _best(self, form: TextForm, quantity: Decimal | str) -> Match:
        """The first accepted answer, else the first close one, else the first's rejection."""
        best: Match | None = None
        for target in self._answers:
            match = target.compare(form, quantity)
            if match.verdict is Verdict.ACCEPTED:
                return match
            if best is None or (match.close and not best.close):
                best = match
        return best or _NO_ANSWER

    def _check_options(self, guess: str, form: TextForm, quantity: Decimal | str) -> Match | None:
        named = self._named_option(guess, form, quantity)
        if isinstance(named, Match):
            return named
        if named is None:
            return None
        index, how = named
        letter = _LETTERS[index].upper() if index < len(_LETTERS) else str(index + 1)
        option = self._options[index].text
        if index in self._correct:
            reason = f"names option {letter} ('{option}') {how}, the right one"
            return Match(Verdict.ACCEPTED, reason, option, index)
        return rejected(f"names option {letter} ('{option}') {how}, not the answer", choice=index)

    def _named_option(
        self, guess: str, form: TextForm, quantity: Decimal | str
    ) -> tuple[int, str] | Match | None:
        """Which option the guess names, and how; a Match when it is ambiguous."""
        count = len(self._options)
        raw = guess.strip().casefold()
        letter = (
            _LETTER_FORM.fullmatch(raw) if len(form.compact) <= LETTER_FORM_MAX_COMPACT else None
        )
        if letter is not None and raw != letter.group(1):
            index = _LETTERS.index(letter.group(1))
            if index < count:
                return index, "by letter"
        by_text = self._option_by_text.get(form.compact)
        by_value = (
            self._option_by_value.get(quantity)
            if self._option_by_value and not isinstance(quantity, str)
            else None
        )
        if by_value is not None and (by_text is None or by_value < by_text):
            return by_value, "by value"
        if by_text is not None:
            return by_text, "by its text"
        if letter is not None:
            index = _LETTERS.index(letter.group(1))
            if index < count:
                return index, "by letter"
        if form.numbers and not self._numeric_options:
            number = _NUMBER_FORM.fullmatch(raw)
            if number is not None and 1 <= int(number.group(1)) <= count:
                return int(number.group(1)) - 1, "by number"
        if self._yes_no_option and len(form.plain) == 1:
            said = self._yes_no_option.get(form.plain[0])
            if said is not None:
                return said, "by a yes/no word"
        return self._fuzzy_option(form)

    def _fuzzy_option(self, form: TextForm) -> tuple[int, str] | Match | None:
        candidates = self._fuzzy_options.get(form.numbers)
        if candidates is None:
            return None
        hits = [index for index, option in candidates if option.accepts_text(form)]
        if not hits:
            return None
        if len(hits) > 1:
            distances = {
                index: OSA.distance(self._options[index].form.compact, form.compact, processor=None)
                for index in hits
            }
            nearest = min(distances.values())
            hits = [index for index in hits if distances[index] == nearest]
            if len(hits) > 1:
                return rejected("could name more than one option")
        return hits[0], "by its text, allowing typos"


def _distinct_verdicts(targets: Iterable[Target]) -> tuple[Target, ...]:
    """The targets minus any that judges every guess like an earlier one.

    ``Sierra-0`` after ``Sierra 0`` can neither win (the earlier one wins
    first) nor change which one wins, so comparing it is wasted work.
    """
    kept: dict[object, Target] = {}
    for target in targets:
        kept.setdefault(target.verdict_key, target)
    return tuple(kept.values())


@functools.lru_cache(maxsize=MATCHER_CACHE_SIZE)
def matcher_for(question: Question) -> AnswerMatcher:
    """The (cached) matcher of a question; questions are frozen and hashable."""
    return AnswerMatcher(question)
