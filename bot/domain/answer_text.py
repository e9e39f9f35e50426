"""Turning answers and guesses into comparable forms (the rules are in ``answers``).

:func:`normalise` is the textual step shared with the question bank's
duplicate check.  :class:`TextForm` goes one step further for matching: numbers
spelled in words or Roman numerals become digits, and a space-free ``compact``
spelling lets ``newyork`` meet ``New York``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from bot.domain.number_words import (
    canonical_number,
    is_number_word,
    parse_number,
    roman_value,
    starts_number,
)

__all__ = ["ARTICLES", "Quantity", "TextForm", "normal_tokens", "normalise", "read_quantity"]

ARTICLES = frozenset({"the", "a", "an"})

# Letters that carry no combining mark to strip, so NFKD leaves them alone.
_LETTERS = str.maketrans(
    {
        "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
        "\u0131": "i", "ħ": "h", "ŧ": "t", "ĸ": "k", "\u2212": "-",
    }
)  # fmt: skip
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
# "1,000,000" -> "1000000"; "1,5" stays two numbers.
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_LEADING_DOT = re.compile(r"(?<![\w.])\.(?=\d)")
# Everything that is not a letter or digit becomes a space, except a decimal
# point between digits and a minus sign in front of a number.
_PUNCTUATION = re.compile(r"[^\w\s.\-]|_|(?<!\d)\.|\.(?!\d)|-(?!\d)|(?<=[\w.\-])-")
# What _tokens_by_rules does to the other ASCII characters of text without "."
# "-" ",": symbols and "_" become spaces (apostrophes go, "&" is "and": done apart).
_ASCII_SYMBOLS = bytes(
    32 if code < 128 and not (chr(code).isalnum() or chr(code).isspace()) else code
    for code in range(256)
)
_ASCII_APOSTROPHES = b"'`"
_NUMBER_IN_TEXT = re.compile(r"-?\d+(?:\.\d+)?")
# "5cm" -> 5 and "cm"; "1k" and "5th" are read by parse_number itself.
_GLUED_UNIT = re.compile(r"(-?\d+(?:\.\d+)?)([^\d\W]+)")
_NOT_UNITS = frozenset({"k", "st", "nd", "rd", "th"})
# Words that turn "5 cameras" into a second guess: "5 or 6", "5 to 10".
_CONNECTIVES = frozenset(
    {
        "or", "and", "nor", "to", "till", "until", "through", "thru", "plus", "times",
        "vs", "versus", "between", "than", "either", "not", "no", "maybe", "perhaps", "k",
    }
)  # fmt: skip
MAX_UNIT_WORDS = 3


def _clean_unicode(text: str) -> str:
    """Casefold, strip accents, zero-width and direction marks; digits to ASCII."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for char in decomposed:
        if char.isascii():
            kept.append(char)
            continue
        category = unicodedata.category(char)
        if category in _DROPPED_CATEGORIES:
            continue
        if category == "Nd":
            kept.append(str(unicodedata.decimal(char)))
        else:
            kept.append(char)
    # NFKD can surface capitals (U+210C black-letter H -> "H"), so casefold once more.
    return "".join(kept).casefold().translate(_LETTERS)


def normal_tokens(text: str) -> list[str]:
    """The words of ``normalise(text)``."""
    cleaned = text.lower() if text.isascii() else _clean_unicode(text)
    if cleaned.isascii() and "." not in cleaned and "-" not in cleaned and "," not in cleaned:
        # The common case, in a few C calls: without "." "-" "," no rule of
        # _tokens_by_rules depends on a neighbour, so characters map one by one
        # (a test checks this against the rules).
        if "&" in cleaned:
            cleaned = cleaned.replace("&", " and ")
        ascii_text = cleaned.encode("ascii").translate(_ASCII_SYMBOLS, _ASCII_APOSTROPHES)
        tokens = ascii_text.decode("ascii").split()
    else:
        tokens = _tokens_by_rules(cleaned)
    if len(tokens) < 2 or tokens[0] not in ARTICLES:
        return tokens
    # "The Beatles" -> "beatles", but "The The" keeps its last word.
    start = 1
    while len(tokens) - start > 1 and tokens[start] in ARTICLES:
        start += 1
    return tokens[start:]


def _tokens_by_rules(cleaned: str) -> list[str]:
    """The words of casefolded, accent-free text, by the rules ``normalise`` lists."""
    if "&" in cleaned:
        cleaned = cleaned.replace("&", " and ")
    cleaned = _APOSTROPHES.sub("", cleaned)
    if "," in cleaned:
        cleaned = _THOUSANDS.sub("", cleaned)
    if "." in cleaned:
        cleaned = _LEADING_DOT.sub("0.", cleaned)
    return _PUNCTUATION.sub(" ", cleaned).split()


def normalise(text: str) -> str:
    """Compare-ready text: ``"  The Pokémon!! "`` -> ``"pokemon"``.

    NFKD with combining marks stripped (plus ø, æ, ł, ... spelled out),
    casefolded, zero-width and direction marks removed, digits of any script
    as ASCII, ``&`` -> ``and``, apostrophes dropped (``don't`` -> ``dont``),
    thousands separators dropped (``1,000`` -> ``1000``), other punctuation and
    symbols -> spaces (a decimal point between digits and a leading minus sign
    stay), whitespace collapsed, leading articles (the/a/an) dropped while
    another word remains.  Idempotent.  Text of only symbols or emoji
    normalises to ``""``.
    """
    return " ".join(normal_tokens(text))


class TextForm(NamedTuple):
    """A text ready to compare.

    ``plain`` is :func:`normalise`'s output; ``tokens`` are its words with
    numbers canonical (``two`` -> ``2``, ``1.50`` -> ``1.5``, Roman ``II`` ->
    ``2`` after the first word); ``compact`` joins ``tokens`` without spaces
    (except between two numbers, so ``1 5`` never becomes ``15``); ``numbers``
    lists the numbers in ``compact`` in order; ``letters`` counts the letters
    and digits (spaces not counted).

    A named tuple rather than a frozen dataclass: one is built for every
    guess, and a frozen dataclass's ``__init__`` costs twice as much.
    """

    text: str
    plain: tuple[str, ...]
    tokens: tuple[str, ...]
    compact: str
    numbers: tuple[str, ...]
    letters: int

    @classmethod
    def of(cls, text: str) -> TextForm:
        plain = tuple(normal_tokens(text))
        tokens = _canonical_tokens(plain)
        joined = "".join(tokens)
        if joined.isalpha():
            # No digit anywhere: no space to keep between numbers, no number to list.
            return cls(text, plain, tokens, joined, (), len(joined))
        compact = _join(tokens)
        numbers = tuple(_NUMBER_IN_TEXT.findall(compact)) if any(map(str.isdigit, compact)) else ()
        return cls(text, plain, tokens, compact, numbers, len(joined))

    @property
    def empty(self) -> bool:
        return not self.tokens

    def spans(self) -> tuple[tuple[int, int], ...]:
        """Each token's ``(start, end)`` in ``compact``."""
        spans: list[tuple[int, int]] = []
        length = 0
        for index, token in enumerate(self.tokens):
            if index and _apart(self.tokens[index - 1], token):
                length += 1
            spans.append((length, length + len(token)))
            length += len(token)
        return tuple(spans)


def _apart(before: str, token: str) -> bool:
    """Whether ``compact`` keeps a space between these tokens (two numbers)."""
    return before[-1].isdigit() and token[0] in "-0123456789"


def _join(tokens: tuple[str, ...]) -> str:
    parts = [tokens[0]] if tokens else []
    for before, token in itertools.pairwise(tokens):
        if _apart(before, token):
            parts.append(" ")
        parts.append(token)
    return "".join(parts)


def _canonical_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Numbers as digits: ``mission impossible two`` -> ``mission impossible 2``."""
    for index, token in enumerate(tokens):
        if starts_number(token) or (index and not token.strip("ivx")):
            break
    else:
        return tokens  # nothing that reads as a number (or a Roman numeral): most guesses
    out = list(tokens[:index])  # the words before stay as they are
    while index < len(tokens):
        token = tokens[index]
        number = canonical_number(tokens, index) if starts_number(token) else None
        if number is not None:
            out.append(number[0])
            index = number[1]
            continue
        # Roman numerals only after the first word: "World War II", "Henry VIII".
        roman = roman_value(token) if index else None
        out.append(str(roman) if roman is not None else token)
        index += 1
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A guess or answer read as a number: ``value``, or ``problem`` saying why not."""

    value: Decimal | None
    problem: str = ""
    units: tuple[str, ...] = ()


_NO_QUANTITY = Quantity(None, "has no letters or digits")
_NOT_A_NUMBER = Quantity(None, "is not a number")


def read_quantity(tokens: tuple[str, ...], *, max_units: int = MAX_UNIT_WORDS) -> Quantity:
    """Read normalised tokens as one number, optionally followed by unit words.

    ``5``, ``five``, ``5 cameras``, ``5cm``, ``1,000`` (already ``1000``),
    ``one thousand``, ``1k``, ``twenty one``, ``1.5``: a value.  Up to
    ``max_units`` words may follow, as long as none is a number, a number word
    or a connective (``or``, ``to``, ``and``, ...): ``5 or 6`` and ``5 6`` are
    two guesses in one and never read as 5.
    """
    if not tokens:
        return _NO_QUANTITY
    if not tokens[0] or not starts_number(tokens[0]):
        return _NOT_A_NUMBER  # what the rest finds too, without its regexes
    glued = _GLUED_UNIT.fullmatch(tokens[0])
    if glued is not None and glued.group(2) not in _NOT_UNITS:
        tokens = (glued.group(1), glued.group(2), *tokens[1:])
    parsed = parse_number(tokens)
    if parsed is None:
        return _NOT_A_NUMBER
    value, end = parsed
    units = tokens[end:]
    if len(units) > max_units:
        return Quantity(None, "says more than a number")
    for word in units:
        if word in _CONNECTIVES or is_number_word(word) or any(map(str.isdigit, word)):
            return Quantity(None, "names more than one number")
    return Quantity(value, units=units)
