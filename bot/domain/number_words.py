"""Reading numbers written as digits or English words, for answer matching.

Everything works on tokens that :func:`bot.domain.answers.normalise` produced
(casefolded, punctuation gone, ``1,000`` already ``1000``, a decimal point kept
only between digits, a minus sign kept only in front of a digit).

What reads as a number (see :func:`parse_number`):

- digits: ``5``, ``-40``, ``1.5``, ``0.25``; with ``k`` glued on, thousands:
  ``1k``, ``2.5k``; with an ordinal suffix: ``5th``, ``21st``;
- digits followed by one scale word: ``2 million``, ``1.5 billion``;
- English words: ``zero``/``nought``/``nil``, ``five``, ``twenty one`` (the
  hyphen is already a space), ``twentyone``, ``one hundred and five``,
  ``fifteen hundred``, ``nine hundred ninety nine thousand nine hundred and
  ninety nine``, ``two million three hundred thousand``, a bare leading scale
  (``hundred``, ``thousand``: the ``a`` of "a hundred" is gone as a leading
  article), ``minus``/``negative`` in front, ``point`` decimals
  (``one point five``), an ordinal last word (``twenty first``, ``fifth``);
- years read in pairs: ``nineteen eighty four`` = 1984, ``twenty twenty`` =
  2020, ``nineteen oh five`` = 1905.

Roman numerals are read separately (:func:`roman_value`) and only made of I, V
and X, because longer alphabets collide with words and units (``mix``, ``cm``,
``ml``, ``dc``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

__all__ = [
    "canonical_number",
    "format_number",
    "is_number_word",
    "parse_number",
    "roman_value",
    "starts_number",
]

_ONES: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_TEENS: dict[str, int] = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "ninty": 90,
}  # fmt: skip
_ORDINAL_ONES: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
}  # fmt: skip
_ORDINAL_TEENS: dict[str, int] = {
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
}  # fmt: skip
_ORDINAL_TENS: dict[str, int] = {
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
    "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
}  # fmt: skip
_ZERO_WORDS = frozenset({"zero", "nought", "naught", "nil"})
_NEGATIVE_WORDS = frozenset({"minus", "negative"})
_SCALES: dict[str, int] = {
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
# After digits only: "5 hundred", "5 k" (a lone "k" elsewhere is a letter).
_LITERAL_SCALES: dict[str, int] = {"hundred": 100, "k": 1_000}
_DIGIT_WORDS: dict[str, int] = {"zero": 0, "oh": 0, **_ONES}
# Words that multiply the digits before them: "2 million", "5 hundred".
_SCALE_WORDS = frozenset(_SCALES) | frozenset(_LITERAL_SCALES)

# "twentyone" .. "ninetynine": players glue the hyphenated form together.
_FUSED: dict[str, int] = {
    tens + ones: tens_value + ones_value
    for tens, tens_value in _TENS.items()
    for ones, ones_value in _ONES.items()
}
# Everything that may stand alone as a value from 1 to 99 (the last flag: an
# ordinal, which ends the number).
_BELOW_HUNDRED: dict[str, tuple[int, bool]] = {
    **{word: (value, False) for word, value in (_ONES | _TEENS | _TENS | _FUSED).items()},
    **{word: (value, True) for word, value in (_ORDINAL_ONES | _ORDINAL_TEENS).items()},
    **{word: (value, True) for word, value in _ORDINAL_TENS.items()},
}
_STARTERS = frozenset(_BELOW_HUNDRED) | _ZERO_WORDS | _NEGATIVE_WORDS | {"hundred"} | set(_SCALES)

# Digits as normalise() leaves them.  Past 30 digits a token is an id, not a
# quantity (and int() refuses to print numbers past 4300 digits).
_MAX_DIGITS = 30  # as in _LITERAL
_LITERAL = re.compile(r"(-?)(\d{1,30}(?:\.\d{1,30})?)(k|st|nd|rd|th)?")
_ROMAN = re.compile(r"x{0,3}(?:ix|iv|v?i{0,3})")


def is_number_word(token: str) -> bool:
    """Whether ``token`` is a word that can start or continue a spelled number."""
    return token in _STARTERS or token == "and" or token == "point"


def starts_number(token: str) -> bool:
    """Whether a number may start at ``token`` (cheap test before :func:`parse_number`)."""
    return token[0] in "-0123456789" or token in _STARTERS


def format_number(value: Decimal) -> str:
    """The one spelling of a value: ``5``, ``-40``, ``1.5`` (never ``5.0`` or ``1E+3``)."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def roman_value(token: str) -> int | None:
    """The value of a Roman numeral made of I, V and X (2 to 39), else None.

    A lone ``i`` is not read: it is a word, and an initial in ``M:I-2``.
    """
    if len(token) < 2 and token not in ("v", "x"):
        return None
    if not _ROMAN.fullmatch(token):
        return None
    values = {"i": 1, "v": 5, "x": 10}
    total = 0
    for index, char in enumerate(token):
        value = values[char]
        following = values[token[index + 1]] if index + 1 < len(token) else 0
        total += -value if value < following else value
    return total


def parse_number(tokens: Sequence[str], start: int = 0) -> tuple[Decimal, int] | None:
    """The longest number starting at ``tokens[start]``.

    Returns ``(value, end)`` where ``tokens[start:end]`` spell the number, or
    None if no number starts there.  Words that cannot continue a number end it
    (``five cameras`` reads 5 and stops before ``cameras``); the caller decides
    what the rest means.
    """
    if start >= len(tokens):
        return None
    literal = _parse_literal(tokens, start)
    if literal is not None:
        return literal
    negative = tokens[start] in _NEGATIVE_WORDS
    first = start + 1 if negative else start
    if first >= len(tokens):
        return None
    literal = _parse_literal(tokens, first) if negative else None
    parsed = literal or _parse_words(tokens, first)
    if parsed is None:
        return None
    value, end = parsed
    return (-value if negative else value), end


def canonical_number(tokens: Sequence[str], start: int = 0) -> tuple[str, int] | None:
    """The number starting at ``tokens[start]`` in its one spelling, and where it ends.

    ``format_number`` of :func:`parse_number`, with a shortcut for the common
    case, plain digits with no scale word after them (``12`` is ``12``).
    """
    if start >= len(tokens):
        return None
    token = tokens[start]
    end = start + 1
    if (
        token.isdigit()
        and token.isascii()
        and len(token) <= _MAX_DIGITS
        and (end == len(tokens) or tokens[end] not in _SCALE_WORDS)
    ):
        return (token if token[0] != "0" else str(int(token))), end
    parsed = parse_number(tokens, start)
    return None if parsed is None else (format_number(parsed[0]), parsed[1])


def _parse_literal(tokens: Sequence[str], index: int) -> tuple[Decimal, int] | None:
    match = _LITERAL.fullmatch(tokens[index])
    if match is None:
        return None
    sign, digits, suffix = match.groups()
    value = Decimal(digits)
    end = index + 1
    if suffix == "k":
        value *= 1000
    elif suffix is None and end < len(tokens):
        scale = _SCALES.get(tokens[end]) or _LITERAL_SCALES.get(tokens[end])
        if scale is not None:
            value *= scale
            end += 1
    elif suffix is not None and "." in digits:
        return None  # "1.5th" is not an ordinal
    return (-value if sign else value), end


def _parse_words(tokens: Sequence[str], start: int) -> tuple[Decimal, int] | None:
    if tokens[start] in _ZERO_WORDS:
        return _with_decimals(tokens, 0, start + 1)
    year = _parse_year(tokens, start)
    if year is not None:
        return Decimal(year[0]), year[1]
    total = 0
    index = start
    smallest_scale = None
    while index < len(tokens):
        group = _parse_hundreds(tokens, index)
        if group is None:
            if index == start and tokens[index] in _SCALES:
                group = (1, index, False)  # "thousand": "a thousand" without its "a"
            else:
                break
        value, after, ordinal = group
        scale = _SCALES.get(tokens[after]) if after < len(tokens) and not ordinal else None
        if scale is None or (smallest_scale is not None and scale >= smallest_scale):
            total += value
            index = after
            if ordinal:
                return Decimal(total), index
            break
        total += value * scale
        smallest_scale = scale
        index = after + 1
        # "one thousand and five": the "and" belongs to the number only if a
        # group follows it.
        if (
            index + 1 < len(tokens)
            and tokens[index] == "and"
            and _parse_hundreds(tokens, index + 1) is not None
        ):
            index += 1
    if index == start:
        return None
    return _with_decimals(tokens, total, index)


def _with_decimals(tokens: Sequence[str], whole: int, index: int) -> tuple[Decimal, int]:
    """Read ``point five two`` after a whole number, if it is there."""
    if index + 1 < len(tokens) and tokens[index] == "point" and tokens[index + 1] in _DIGIT_WORDS:
        digits = []
        end = index + 1
        while end < len(tokens) and tokens[end] in _DIGIT_WORDS:
            digits.append(str(_DIGIT_WORDS[tokens[end]]))
            end += 1
        return Decimal(f"{whole}.{''.join(digits)}"), end
    return Decimal(whole), index


def _parse_below_hundred(tokens: Sequence[str], index: int) -> tuple[int, int, bool] | None:
    """1..99 as ``(value, end, ordinal)``: ``seven``, ``twenty one``, ``twenty first``."""
    if index >= len(tokens):
        return None
    entry = _BELOW_HUNDRED.get(tokens[index])
    if entry is None:
        return None
    value, ordinal = entry
    end = index + 1
    if tokens[index] in _TENS and end < len(tokens):
        ones = tokens[end]
        if ones in _ONES:
            return value + _ONES[ones], end + 1, False
        if ones in _ORDINAL_ONES:
            return value + _ORDINAL_ONES[ones], end + 1, True
    return value, end, ordinal


def _parse_hundreds(tokens: Sequence[str], index: int) -> tuple[int, int, bool] | None:
    """1..9999 as ``(value, end, ordinal)``: ``five``, ``one hundred and five``,
    ``fifteen hundred``, a bare ``hundred``."""
    below = _parse_below_hundred(tokens, index)
    if below is not None:
        value, end, ordinal = below
        if ordinal or end >= len(tokens) or tokens[end] != "hundred":
            return below
        hundreds = value * 100
    elif index < len(tokens) and tokens[index] == "hundred":
        hundreds, end = 100, index
    else:
        return None
    end += 1  # past "hundred"
    rest_at = end + 1 if end < len(tokens) and tokens[end] == "and" else end
    rest = _parse_below_hundred(tokens, rest_at)
    if rest is None:
        return hundreds, end, False
    return hundreds + rest[0], rest[1], rest[2]


def _parse_year(tokens: Sequence[str], start: int) -> tuple[int, int] | None:
    """``nineteen eighty four`` (1984), ``twenty twenty``, ``nineteen oh five``.

    Only two groups of 10..99 (or ``oh`` and a digit) with nothing after that
    could continue the number, so ``twenty one`` stays 21.
    """
    first = _parse_below_hundred(tokens, start)
    if first is None or first[2] or first[0] < 10:
        return None
    after = first[1]
    if after >= len(tokens):
        return None
    if tokens[after] == "oh" and after + 1 < len(tokens) and tokens[after + 1] in _ONES:
        return first[0] * 100 + _ONES[tokens[after + 1]], after + 2
    second = _parse_below_hundred(tokens, after)
    if second is None or second[0] < 10:
        return None
    end = second[1]
    if end < len(tokens) and (tokens[end] == "hundred" or tokens[end] in _SCALES):
        return None
    return first[0] * 100 + second[0], end
