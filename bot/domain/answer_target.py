"""One accepted answer (or option) compiled for matching, and the verdicts.

A ``Target`` holds an answer's form and the rejections that need no guess,
and compares one guess with it: by value for numbers, else as text, with
typos, parts of the answer, initials and place words as the rules in
``bot.domain.answers`` say.
``AnswerMatcher`` there compares a guess with every target of a question and
keeps the best ``Match``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz.distance import OSA, Levenshtein

from bot.domain.answer_text import MAX_UNIT_WORDS, TextForm, read_quantity
from bot.domain.number_words import format_number

__all__ = ["Match", "Target", "Verdict", "rejected", "typo_allowance"]

CLOSE_NUMBER_RATIO = Decimal("0.02")
# A part of a multi-word answer is close when it covers this share of letters.
CLOSE_PART_SHARE = 0.5
CLOSE_LAST_WORD_LETTERS = 5
# Answer words this short (and any word with a digit) take no typos.
SHORT_WORD = 3
# The generic words a place is named with, which a guess may add to an answer
# exactly as written: "new york city", "mississippi river", "mount everest".
PLACE_SUFFIXES = frozenset(
    {
        "city", "state", "county", "province", "river", "lake", "sea", "ocean", "island",
        "islands", "mountains", "desert",
    }
)  # fmt: skip
PLACE_PREFIXES = frozenset({"mount", "mt", "lake", "river"})
# After a one-word name these often name another place (Mexico City, Kansas
# City, Michigan State), so they follow only names of two or more words.
_SEVERAL_WORDS_ONLY = frozenset({"city", "state"})
_SUFFIXES_AFTER_ONE_WORD = PLACE_SUFFIXES - _SEVERAL_WORDS_ONLY


class Verdict(enum.StrEnum):
    ACCEPTED = "accepted"
    CLOSE = "close"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of one guess.

    ``answer`` is the accepted answer (or option) the guess matched or came
    close to, None when rejected.  ``choice`` is the 0-based option the guess
    names, right or wrong, None if it names none.
    """

    verdict: Verdict
    reason: str
    answer: str | None = None
    choice: int | None = None

    @property
    def accepted(self) -> bool:
        return self.verdict is Verdict.ACCEPTED

    @property
    def close(self) -> bool:
        return self.verdict is Verdict.CLOSE


def rejected(reason: str, *, choice: int | None = None) -> Match:
    return Match(Verdict.REJECTED, reason, None, choice)


def typo_allowance(letters: int) -> int:
    """Edits a text answer of this many letters and digits tolerates."""
    if letters <= 4:
        return 0
    if letters <= 8:
        return 1
    if letters <= 16:
        return 2
    return 3


def _edits(count: int) -> str:
    return "one letter" if count == 1 else f"{count} letters"


@dataclass(frozen=True, slots=True)
class Target:
    """One answer or option, precomputed: its form and the verdicts that need no guess."""

    text: str
    form: TextForm
    value: Decimal | None  # compared by value when set
    allowance: int
    protected: tuple[tuple[int, int], ...]  # spans in form.compact that take no edits
    words: frozenset[str]  # form.tokens, to reject a guess that is no part in one lookup
    place_suffixes: frozenset[str]  # the generic words a guess may add after the answer
    # The answer's word count if a middle word may be given as its initial, else 0.
    initials_words: int
    no_match: Match
    says_more: Match
    too_little: Match
    part: Match

    @classmethod
    def of(cls, text: str, *, units_allowed: bool) -> Target:
        form = TextForm.of(text)
        quantity = read_quantity(form.plain, max_units=MAX_UNIT_WORDS if units_allowed else 0)
        protected = tuple(
            span
            for token, span in zip(form.tokens, form.spans(), strict=True)
            if len(token) <= SHORT_WORD or any(map(str.isdigit, token))
        )
        quoted = f"'{text}'"
        tokens = form.tokens
        return cls(
            text,
            form,
            quantity.value,
            typo_allowance(form.letters),
            protected,
            frozenset(tokens),
            PLACE_SUFFIXES if len(tokens) > 1 else _SUFFIXES_AFTER_ONE_WORD,
            # A name of three words or more, with no number (Louis XIV of France).
            len(tokens)
            if len(tokens) >= 3 and not form.numbers and any(len(word) > 1 for word in tokens[1:-1])
            else 0,
            no_match=rejected(f"does not match {quoted}"),
            says_more=rejected(f"says more than {quoted} (a guess is matched as a whole)"),
            too_little=rejected(f"too little of {quoted}"),
            part=Match(Verdict.CLOSE, f"names only part of {quoted}", text),
        )

    @property
    def verdict_key(self) -> object:
        """Equal for two targets that give every guess the same verdict.

        A verdict depends on the value alone, or else on the tokens alone (the
        text only shows in reasons).
        """
        return ("value", self.value) if self.value is not None else ("text", self.form.tokens)

    def compare(self, guess: TextForm, quantity: Decimal | str) -> Match:
        if self.value is not None:
            return self._compare_value(self.value, quantity)
        return self._compare_text(guess)

    def accepts_text(self, guess: TextForm) -> bool:
        """``self._compare_text(guess).accepted``, mostly without building reasons.

        Accepted means equal, or (no more words, the same numbers) within the
        typo allowance with no short word edited, or one of the widenings of
        ``_widened``; a part is never accepted.
        """
        answer = self.form
        if guess.compact == answer.compact:
            return True
        return self._within_typos(guess) or self._widened(guess) is not None

    def _within_typos(self, guess: TextForm) -> bool:
        answer = self.form
        allowance = self.allowance
        if (
            not allowance
            or len(guess.tokens) > len(answer.tokens)
            or guess.numbers != answer.numbers
            or abs(len(answer.compact) - len(guess.compact)) > allowance
        ):
            return False
        distance = OSA.distance(
            answer.compact, guess.compact, processor=None, score_cutoff=allowance
        )
        return distance <= allowance and self._changed_short_word(guess.compact) is None

    def _compare_value(self, value: Decimal, quantity: Decimal | str) -> Match:
        if isinstance(quantity, str):
            return rejected(quantity)
        wanted = format_number(value)
        if quantity == value:
            return Match(Verdict.ACCEPTED, f"the number {wanted} matches '{self.text}'", self.text)
        said = format_number(quantity)
        if value and abs(quantity - value) <= abs(value) * CLOSE_NUMBER_RATIO:
            return Match(Verdict.CLOSE, f"number {said} is within 2% of {wanted}", self.text)
        return rejected(f"number {said} is not {wanted}")

    def _compare_text(self, guess: TextForm) -> Match:
        answer = self.form
        if guess.compact == answer.compact:
            return Match(Verdict.ACCEPTED, self._equal_reason(guess), self.text)
        # The widenings, inline: this runs for every wrong guess.
        tokens = guess.tokens
        if len(tokens) > 1 and (tokens[-1] in self.place_suffixes or tokens[0] in PLACE_PREFIXES):
            widened = self._with_place_word(guess)
            if widened is not None:
                return widened
        plain = guess.plain
        if len(plain) == self.initials_words and 1 in map(len, plain[1:-1]):
            widened = self._with_initials(guess)
            if widened is not None:
                return widened
        if len(tokens) > len(answer.tokens):
            return self.says_more if answer.compact in guess.compact else self.no_match
        typo: Match | None = None
        if guess.numbers == answer.numbers:
            typo = self._compare_typos(guess)
            if typo is not None and typo.verdict is not Verdict.REJECTED:
                return typo
        elif guess.numbers:
            said, wanted = " ".join(guess.numbers), " ".join(answer.numbers) or "no number"
            return rejected(f"number {said} is not {wanted} in '{self.text}'")
        part = self._compare_part(guess)
        # "harry truman" for "Harry S Truman" edits a short word away, but is
        # still a close part of the answer.
        return part if typo is None or part.close else typo

    def _widened(self, guess: TextForm) -> Match | None:
        """ACCEPTED for the answer named with a generic place word added
        (``new york city``) or with middle names as initials (``franklin d
        roosevelt``), else None (``_compare_text`` has these checks inline)."""
        if len(guess.tokens) > 1:
            widened = self._with_place_word(guess)
            if widened is not None:
                return widened
        if len(guess.plain) == self.initials_words:
            return self._with_initials(guess)
        return None

    def _with_place_word(self, guess: TextForm) -> Match | None:
        """ACCEPTED if the guess is the whole answer with a generic place word added."""
        answer, tokens = self.form, guess.tokens
        last, first = tokens[-1], tokens[0]
        if (
            last in self.place_suffixes
            and guess.compact == answer.compact + last
            and last != answer.tokens[-1]
        ):
            added = last
        elif (
            first in PLACE_PREFIXES
            and guess.compact == first + answer.compact
            and first != answer.tokens[0]
        ):
            added = first
        else:
            return None
        reason = f"matches '{self.text}' named with the place word '{added}'"
        return Match(Verdict.ACCEPTED, reason, self.text)

    def _with_initials(self, guess: TextForm) -> Match | None:
        """ACCEPTED if the guess, each single letter standing for the middle
        answer word it starts read as that word, is accepted.  The first and
        the last word (a given name and the surname) must be spelled out."""
        words = self.form.tokens
        said = list(guess.plain)
        initials = []
        for index in range(1, len(words) - 1):
            word, given = words[index], said[index]
            if len(given) == 1 and len(word) > 1 and word[0] == given:
                said[index] = word
                initials.append(f"'{given}' as the initial of '{word}'")
        if not initials:
            return None
        spelled = TextForm.of(" ".join(said))
        how = f"with {' and '.join(initials)}"
        if spelled.compact == self.form.compact:
            return Match(Verdict.ACCEPTED, f"matches '{self.text}' {how}", self.text)
        if not self._within_typos(spelled):
            return None
        distance = OSA.distance(self.form.compact, spelled.compact, processor=None)
        return Match(Verdict.ACCEPTED, f"{_edits(distance)} off '{self.text}' {how}", self.text)

    def _equal_reason(self, guess: TextForm) -> str:
        quoted = f"'{self.text}'"
        if guess.text.strip() == self.text.strip():
            return f"matches {quoted} exactly"
        if guess.plain == self.form.plain:
            return f"matches {quoted} ignoring case, accents and punctuation"
        if guess.tokens == self.form.tokens:
            return f"matches {quoted} reading numbers by value"
        return f"matches {quoted} ignoring spacing and punctuation"

    def _compare_typos(self, guess: TextForm) -> Match | None:
        answer, allowance = self.form.compact, self.allowance
        if abs(len(answer) - len(guess.compact)) > allowance + 1:
            return None
        distance = OSA.distance(answer, guess.compact, processor=None, score_cutoff=allowance + 1)
        if distance > allowance + 1 or (distance > allowance and self.form.letters < 4):
            return None
        changed = self._changed_short_word(guess.compact)
        if changed is not None:
            return rejected(f"changes '{changed}' in '{self.text}' (short words take no typos)")
        if distance <= allowance:
            return Match(Verdict.ACCEPTED, f"{_edits(distance)} off '{self.text}'", self.text)
        allowed = f"{allowance} allowed" if allowance else "too short for typos"
        return Match(Verdict.CLOSE, f"{_edits(distance)} off '{self.text}' ({allowed})", self.text)

    def _changed_short_word(self, guess_compact: str) -> str | None:
        """The first short answer word that an alignment with the guess edits."""
        if not self.protected:
            return None
        unchanged = [
            (op.src_start, op.src_end)
            for op in Levenshtein.opcodes(self.form.compact, guess_compact, processor=None)
            if op.tag == "equal"
        ]
        for start, end in self.protected:
            if not any(low <= start and end <= high for low, high in unchanged):
                return self.form.compact[start:end]
        return None

    def _compare_part(self, guess: TextForm) -> Match:
        answer = self.form
        # A guess word the answer lacks cannot be part of it: one set lookup
        # settles most wrong guesses before the ordered walk.
        if self.words.issuperset(guess.tokens) and _is_subsequence(guess.tokens, answer.tokens):
            last_word = (
                len(guess.tokens) == 1
                and guess.tokens[0] == answer.tokens[-1]
                and len(guess.tokens[0]) >= CLOSE_LAST_WORD_LETTERS
            )
            if last_word or guess.letters >= CLOSE_PART_SHARE * answer.letters:
                return self.part
            return self.too_little
        if guess.compact in answer.compact:
            return self.too_little
        return self.no_match


def _is_subsequence(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    remaining = iter(whole)
    return all(any(word == candidate for candidate in remaining) for word in part)
