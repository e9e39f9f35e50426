"""Answer matching gives exactly the recorded verdicts for a large generated corpus.

The fixture ``data/answer_verdicts.json.gz`` holds questions, guesses and the
:class:`Match` (verdict, reason, answer, choice) that the matcher gave for each,
recorded before the matcher was optimised.  Any change to a single verdict or
reason, on purpose or not, shows up here; a deliberate rule change re-records
the fixture (``python -m tests.unit.test_answers_equivalence``) and says so in
its commit.

The corpus: the 300 questions of the synthetic bank (seed 1) plus hand-written
questions that reach every rule (aliases, typos, parts, numbers in text,
numeric and duplicate options, booleans, answers that normalise to nothing),
each with a few hundred guesses: the answers and options with their case,
accent, spacing, decoration and typo variants, parts and extensions of them,
numbers near theirs, option letters and numbers, yes/no words, everyday chat,
random words, emoji, odd Unicode, and guesses at both sides of the length
limit.  Everything is derived from seeded ``random.Random`` instances, so the
corpus is the same on every run.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
import string
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.domain.answers import AnswerMatcher, Match, Verdict
from bot.domain.model import Question, QuestionType

FIXTURE = Path(__file__).parent / "data" / "answer_verdicts.json.gz"
FORMAT = 1
SYNTHETIC_COUNT = 300
SYNTHETIC_SEED = 1

WORDS = [
    "amber", "basalt", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "indigo",
    "juniper", "kelvin", "lagoon", "meridian", "nimbus", "obsidian", "prism", "quartz", "rapids",
    "sierra", "tundra", "umber", "vertex", "willow", "zephyr", "paris", "london", "rome", "mars",
    "venus", "roosevelt", "frank", "the", "of", "and", "or", "to", "is", "it",
]  # fmt: skip
CHAT = [
    "a wrong guess", "no idea", "is it paris?", "lol", "idk", "hmm", "?", "??", "!!!", "...",
    "", " ", "\t\n", "ok", "no", "yes", "maybe", "what", "wait what", "i think it's b",
    "pass", "skip", "next", "hint", "hint please", "omg", "haha", "gg", "this is hard",
    "no clue lol", "i know this one", "uhh", "2 secs", "brb", "same", "+1", "nope", "yep",
    "true false", "yes no", "5 or 6", "5 to 6", "a or b", "b c", "the", "a", "an", "the the",
    "i", "x", "k", "1k", "1,5", "1.000", ".5", "-0", "0", "00", "007", "3.14", "1e3",
    "twenty one", "nineteen eighty-four", "one point five", "a thousand", "a dozen or so",
    "minus forty", "fifteen hundred", "2.3 million", "world war ii", "m:i-2", "xiv", "iv",
]  # fmt: skip
UNICODE = [
    "🍕", "😀😀", "👍", "🇫🇷", "ñ", "ß", "Straße", "ø", "Łódź", "İstanbul", "Ⅻ", "½", "²",
    "١٢٣", "\uff10\uff11", "\u210c", "ﬁne", "pa\u200bris", "\u200b\u200f", "\u00a0", "café",
    "naïve", "日本", "москва", "\u0301", "a\u0301", "\U0001d400",
]  # fmt: skip
LETTERS = "abcdefg"
DECORATED = ["{}", "({})", "{})", "[{}]", "{}.", "{}:", "option {}", "choice {}", "answer {}",
             "( {} )", "opt {}", "{}!", "{}?", "#{}", "{} ."]  # fmt: skip
EDGES = ["", "", "", "!", "?", "...", " ", "  ", "\u200b", '"', "(", ")", "*", ".", ","]
LEADS = ["the ", "a ", "an ", "is it ", "i think ", "its ", "it's ", "The ", "maybe "]
TAILS = [" lol", " ?", " !", " right?", " maybe", " or not", " jr", " ab", " x"]
ACCENTS = {"a": "àáâäå", "e": "èéêë", "i": "ìíîï", "o": "òóôöø", "u": "ùúûü", "c": "ç", "n": "ñ"}
ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]  # fmt: skip
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ROMAN_ONES = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"]
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def q(
    *answers: str, kind: QuestionType = QuestionType.TEXT, choices: tuple[str, ...] = ()
) -> Question:
    return Question(id="e", prompt="?", answers=answers, type=kind, choices=choices)


def choice(answer: str, *choices: str) -> Question:
    return q(answer, kind=QuestionType.CHOICE, choices=choices)


TEXT, NUM, BOOL = QuestionType.TEXT, QuestionType.NUMBER, QuestionType.BOOLEAN
HANDWRITTEN = [
    q("Paris"), q("Franklin Delano Roosevelt", "FDR"), q("Mission Impossible 2", "MI2", "M:I-2"),
    q("Copernicus", "Kopernik"), q("The Beatles"), q("Pokémon"), q("Mr. Pink"), q("New York"),
    q("5"), q("five"), q("🍕"), q("🍕", "!!!"), q("1000"), q("1,000"), q("1.5"), q("0.5"),
    q("3.14"), q("-40"), q("0"), q("21"), q("twenty-one"), q("105"), q("2300000"), q("1969"),
    q("1984"), q("Nineteen Eighty-Four"), q("World War II"), q("Apollo 11"), q("Catch-22"),
    q("Around the World in 80 Days"), q("The 21st Century"), q("206 bones"), q("Vitamin C"),
    q("Tom Hanks"), q("Mississippi"), q("Albert Einstein"), q("South Africa"),
    q("Harry S Truman"), q("Leonardo da Vinci"), q("Rome"), q("Cat"), q("Ox"), q("The The"),
    q("A Tribe Called Quest"), q("An American in Paris"), q("Straße"), q("Tom & Jerry"),
    q("Guns N' Roses"), q("Spider-Man"), q("Søren Kierkegaard"), q("John Fitzgerald Kennedy"),
    q("Beyoncé"), q("Henry VIII"), q("Louis XIV"), q("Star Wars Episode IV"), q("I, Robot"),
    q("AC/DC"), q("U2"), q("R2-D2"), q("Blink-182"), q("Area 51"), q("7 Up", "7up", "Seven Up"),
    q("United States of America", "USA", "United States", "America"),
    q("Antoine de Saint-Exupéry"), q("Pneumonoultramicroscopicsilicovolcanoconiosis"),
    q("Q"), q("π", "pi"), q("H2O", "water"), q("Twelve Angry Men", "12 Angry Men"),
    q("206", kind=NUM), q("8,849 metres", kind=NUM), q("12", kind=NUM), q("3.5", kind=NUM),
    q("-273.15", kind=NUM), q("1,000,000", kind=NUM), q("0", kind=NUM),
    q("one hundred and five", kind=NUM), q("42 km", "26.2 miles", kind=NUM),
    choice("Mars", "Venus", "Mars", "Jupiter", "Saturn"), choice("5", "3", "5", "7"),
    q("Paris", "City of Light", kind=QuestionType.CHOICE, choices=("London", "Paris", "Rome")),
    choice("A", "O", "A", "B", "AB"), choice("AB", "O", "A", "B", "AB"),
    choice("Austria", "Austria", "Australia", "Austral"), choice("1969", "1967", "1968", "1969"),
    choice("two", "one", "two", "three", "four"), choice("B", "A", "B", "C", "D", "E", "F"),
    choice("World War II", "World War I", "World War II", "Korean War", "Vietnam War"),
    choice("True", "True", "False", "Maybe"), choice("Not in the list", "x", "y"),
    choice("Bern", "Berne", "Bern", "Bonn", "Born"), choice("Italy", "Italy", "Italy", "Spain"),
    q("True", kind=BOOL, choices=("True", "False")),
    q("False", kind=BOOL, choices=("True", "False")),
    q("True", kind=BOOL), q("False", kind=BOOL), q("yes", kind=BOOL), q("no", kind=BOOL),
]  # fmt: skip
TABLE_GUESSES = [
    "paris!", "five", "5", "beatles", "pokemon", "mr pink", "newyork", "copernicas",
    "paris london rome", "frank", "15", "50", "tribe called quest", "american in paris",
    "the the", "BEYONCE", "soren kierkegaard", "strasse", "tom and jerry", "\u200fparis\u200e",
    "\uff30\uff41\uff52\uff49\uff53", "guns n roses", "spiderman", "5 cameras", "five cameras",
    "5cm", "$5", "5th", "5 and 6", "five six", "-5", "fives", "1,000", "1000", "one thousand",
    "100", "10000", "twentyone", "twenty-one", "one hundred and five", "1.50", "3.15", "3.41",
    "40", "zero", "1968", "1900", "206 bones", "two hundred and six", "207", "260", "8849",
    "8849m", "8,848", "twelve", "twelv", "mission impossible two", "mission impossible II",
    "mi-2", "m i 2", "mission impossible 3", "mi3", "mission impossible",
    "mission impossible 2 and 3", "world war 2", "world war two", "world war 1",
    "apollo eleven", "apollo 12", "catch twenty two", "around the world in eighty days",
    "around the world in eight days", "twenty first century", "copernicsu", "kopernikus",
    "kopernikas", "pariss", "parsi", "prais", "pxrxs", "roma", "car", "of", "vitamin d",
    "vitamind", "tim hanks", "jon fitzgerald kennedy", "new yrok", "nwe york", "missisippi",
    "misisipi", "albert einstien", "albert enstien", "albrt enstien", "paris paris",
    "parislondon", "london paris", "paris x", "is it paris", "copernicus ab",
    "nicolaus copernicus", "roosevelt", "delano roosevelt", "franklin roosevelt", "franklin",
    "delano", "fdr", "franklin delano roosevelt jr", "africa", "harry truman", "da vinci",
    "jupitr", "mars or venus", "city of light", "austrai", "henry 8", "louis 14", "i robot",
    "acdc", "u 2", "r2d2", "blink 182", "area fifty one", "seven up", "usa", "u.s.a.", "pi",
    "h2o", "h20", "12 angry men", "twelve angry men", "berne", "bonn", "itly", "korean",
]  # fmt: skip


def synthetic_questions() -> list[Question]:
    # Imported here: only the recorder needs the bank, the tests read the fixture.
    from bot.bank import load_bank_text
    from bot.bank.synthetic import synthetic_bank_text

    text = synthetic_bank_text(SYNTHETIC_COUNT, seed=SYNTHETIC_SEED)
    return list(load_bank_text(text, path="synthetic.yaml").questions)


def spell(n: int) -> str:
    """English words for 0 <= n < 1,000,000 (independent of the matcher)."""
    if n == 0:
        return "zero"

    def below_thousand(value: int) -> list[str]:
        hundreds, rest = divmod(value, 100)
        out = [ONES[hundreds], "hundred"] if hundreds else []
        if rest >= 20:
            out += [TENS[rest // 10]] + ([ONES[rest % 10]] if rest % 10 else [])
        elif rest >= 10:
            out.append(TEENS[rest - 10])
        elif rest:
            out.append(ONES[rest])
        return out

    thousands, rest = divmod(n, 1000)
    return " ".join(
        ([*below_thousand(thousands), "thousand"] if thousands else []) + below_thousand(rest)
    )


def typo(rng: random.Random, text: str, edits: int) -> str:
    chars = list(text)
    for _ in range(edits):
        kind = rng.randrange(4)
        at = rng.randrange(len(chars) + 1)
        if kind == 0 or not chars:
            chars.insert(at, rng.choice(string.ascii_lowercase))
        elif kind == 1 and at < len(chars):
            del chars[at]
        elif kind == 2 and at < len(chars):
            chars[at] = rng.choice(string.ascii_lowercase + string.digits[:2])
        elif at + 1 < len(chars):
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
    return "".join(chars)


def restyle(rng: random.Random, text: str) -> str:
    out = []
    for char in text:
        style = rng.randrange(5)
        if style == 1:
            char = char.upper()
        elif style == 2 and char.lower() in ACCENTS:
            char = rng.choice(ACCENTS[char.lower()])
        elif style == 3 and char == " ":
            char = rng.choice(["", "-", "  ", ". ", "_", "\u00a0"])
        out.append(char)
    return rng.choice(EDGES) + "".join(out) + rng.choice(EDGES)


def number_variants(rng: random.Random, text: str) -> Iterator[str]:
    """The text with its numbers spelled, shifted, rescaled and reformatted."""
    for found in NUMBER.finditer(text):
        raw = found.group()
        before, after = text[: found.start()], text[found.end() :]
        digits = raw.replace(",", "")
        value = float(digits)
        whole = int(value) if value == int(value) else None
        forms = [digits, f"{value * 1.019:.6g}", f"{value * 1.021:.6g}", f"{value * 0.995:.6g}"]
        forms += [f"{value * 10:g}", f"{value + 0.5:g}", f"-{digits}", f"{digits}.0"]
        if whole is not None:
            forms += [str(whole + 1), str(whole - 1), f"{whole:,}", f"{whole * 1.02:.0f}"]
            forms += [str(whole) + rng.choice(["th", "st", "k", "m", "cm"])]
            if whole < 1_000_000:
                forms += [spell(whole), spell(whole).replace("ty ", "ty-")]
            if whole % 1000 == 0 and whole:
                forms.append(f"{whole // 1000}k")
            if 1 < whole < 40:
                forms.append("x" * (whole // 10) + ROMAN_ONES[whole % 10])
        for form in forms:
            yield before + form + after
        yield f"{digits} {rng.choice(['metres', 'bones', 'or 6', 'to 9', 'and 3', 'cameras km'])}"
        yield f"about {digits}"


def guesses_for(question: Question, index: int) -> list[str]:
    """A few hundred deterministic guesses for one question."""
    rng = random.Random(f"answer-corpus:{index}:{question.answers}:{question.choices}")
    targets = list(dict.fromkeys(question.answers + question.choices))
    out: list[str] = list(CHAT) + rng.sample(UNICODE, 6)
    for letter in LETTERS[: len(question.choices) + 2] or "ab":
        out += [
            form.format(rng.choice([letter, letter.upper()])) for form in rng.sample(DECORATED, 4)
        ]
    out += [rng.choice(DECORATED).format(n) for n in range(len(question.choices) + 3)]
    for target in targets:
        words = target.split()
        out += [target, target.lower(), target.upper(), target.title(), target.swapcase()]
        out += [restyle(rng, target) for _ in range(6)]
        out += [target.replace(" ", ""), target.replace(" ", "-"), target.replace("-", " ")]
        out += [rng.choice(LEADS) + target, target + rng.choice(TAILS), f"{target} {target}"]
        out += [f"{target} or {rng.choice(targets)}", f"{rng.choice(WORDS)} {target}"]
        out += [typo(rng, target.lower(), edits) for edits in (1, 1, 1, 2, 2, 2, 3, 3, 4, 5)]
        out += [typo(rng, target.lower().replace(" ", ""), rng.randrange(1, 4)) for _ in range(3)]
        out += words + [" ".join(words[:n]) for n in range(2, len(words))]
        out += [" ".join(words[n:]) for n in range(1, len(words) - 1)]
        out += [" ".join(rng.sample(words, len(words)))] if len(words) > 1 else [target[:-1]]
        out += [target[: len(target) // 2], target[len(target) // 2 :], target + "s"]
        out += list(number_variants(rng, target))
    out += rng.sample(WORDS, 8) + [
        " ".join(rng.sample(WORDS, rng.randrange(2, 5))) for _ in range(4)
    ]
    out += ["".join(rng.choices(string.ascii_lowercase, k=rng.randrange(1, 13))) for _ in range(6)]
    junk = "aAéE1 2.,-'&_\u200b\u200fßİ\u210c٣ "
    out += ["".join(rng.choices(junk, k=rng.randrange(0, 30))) for _ in range(4)]
    out += [str(rng.randrange(0, 10 ** rng.randrange(1, 7))) for _ in range(6)]
    out += [spell(rng.randrange(0, 1_000_000)) for _ in range(2)]
    longest = max(len(text) for text in targets)
    for size in {longest, 25}:
        limit = 4 * size + 20
        out += [targets[0].ljust(limit), targets[0].ljust(limit + 1), "x" * (limit + 1)]
    out += ["paris " * 100, "a" * 300]
    return list(dict.fromkeys(out))


def corpus() -> list[tuple[Question, list[str]]]:
    questions = synthetic_questions() + HANDWRITTEN
    return [(question, guesses_for(question, index)) for index, question in enumerate(questions)]


VERDICT_CODES = {Verdict.ACCEPTED: "A", Verdict.CLOSE: "C", Verdict.REJECTED: "R"}
# A reason that starts by quoting the guess stores this marker instead of the quote.
ECHO = "\x00"


def digest(guesses: list[str]) -> str:
    """Fingerprint of a guess list: the fixture stores outcomes, the generator makes guesses."""
    return hashlib.sha256(json.dumps(guesses).encode()).hexdigest()[:16]


def _encode(match: Match, guess: str) -> tuple[str, str, str | None, int | None]:
    reason, quoted = match.reason, f"'{guess.strip()}'"
    if reason.startswith(quoted):
        reason = ECHO + reason[len(quoted) :]
    return VERDICT_CODES[match.verdict], reason, match.answer, match.choice


def _decode(outcome: list[Any], guess: str) -> Match:
    code, reason, answer, picked = outcome
    if reason.startswith(ECHO):
        reason = f"'{guess.strip()}'" + reason[len(ECHO) :]
    verdict = next(verdict for verdict, known in VERDICT_CODES.items() if known == code)
    return Match(verdict, reason, answer, picked)


def record(path: Path = FIXTURE) -> dict[str, Any]:
    """Write the fixture from the current matcher (only for a deliberate rule change).

    Per question: its fields, the digest of its guesses, the distinct outcomes
    and, for each guess in order, the index of its outcome.
    """
    entries = []
    for question, guesses in corpus():
        matcher = AnswerMatcher(question)
        outcomes: dict[tuple[str, str, str | None, int | None], int] = {}
        picks = [
            outcomes.setdefault(_encode(matcher.check(guess), guess), len(outcomes))
            for guess in guesses
        ]
        entries.append(
            {
                "type": question.type.value,
                "answers": question.answers,
                "choices": question.choices,
                "digest": digest(guesses),
                "outcomes": list(outcomes),
                "picks": picks,
            }
        )
    data = {"format": FORMAT, "questions": entries}
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    path.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    return data


@pytest.fixture(scope="module")
def recorded() -> list[tuple[Question, list[tuple[str, Match]]]]:
    """The fixture's questions, each with its (guess, recorded match) pairs."""
    data: dict[str, Any] = json.loads(gzip.decompress(FIXTURE.read_bytes()))
    assert data["format"] == FORMAT
    cases = []
    for index, entry in enumerate(data["questions"]):
        question = q(
            *entry["answers"], kind=QuestionType(entry["type"]), choices=tuple(entry["choices"])
        )
        guesses = guesses_for(question, index)
        # Guard against a generator that drifted from the one that recorded.
        assert digest(guesses) == entry["digest"], f"guesses of question {index} changed"
        outcomes = entry["outcomes"]
        pairs = [
            (guess, _decode(outcomes[pick], guess))
            for guess, pick in zip(guesses, entry["picks"], strict=True)
        ]
        cases.append((question, pairs))
    return cases


Recorded = list[tuple[Question, list[tuple[str, Match]]]]


def test_every_recorded_guess_gets_exactly_the_recorded_match(recorded: Recorded) -> None:
    differences = []
    total = 0
    for question, pairs in recorded:
        matcher = AnswerMatcher(question)
        for guess, expected in pairs:
            got = matcher.check(guess)
            total += 1
            if got != expected:
                differences.append((question.answers, question.choices, guess, expected, got))

    assert total > 80_000
    assert not differences, f"{len(differences)} of {total} differ, first: {differences[:5]}"


def test_the_corpus_reaches_every_verdict_and_way_of_naming_an_option(recorded: Recorded) -> None:
    verdicts = Counter(match.verdict for _question, pairs in recorded for _guess, match in pairs)
    reasons = {match.reason for _question, pairs in recorded for _guess, match in pairs}

    assert min(verdicts.values()) > 1_000, verdicts
    assert len(verdicts) == len(Verdict)
    for how in ["by letter", "by value", "by its text", "by number", "by a yes/no word",
                "allowing typos", "more than one option", "too long", "no letters",
                "within 2%", "short words take no typos", "names only part", "too little",
                "says more than", "reading numbers by value", "ignoring spacing",
                "names more than one number", "is not a number", "has no answer"]:  # fmt: skip
        assert any(how in reason for reason in reasons), how


def test_the_corpus_holds_the_synthetic_bank_and_every_handwritten_question(
    recorded: Recorded,
) -> None:
    questions = [question for question, _pairs in recorded]
    handwritten = [q(*h.answers, kind=h.type, choices=h.choices) for h in HANDWRITTEN]

    assert len(questions) == SYNTHETIC_COUNT + len(HANDWRITTEN)
    assert questions[SYNTHETIC_COUNT:] == handwritten
    assert {question.type for question in questions[:SYNTHETIC_COUNT]} == set(QuestionType)


if __name__ == "__main__":
    recorded_data = record()
    rows = sum(len(entry["picks"]) for entry in recorded_data["questions"])
    print(f"recorded {rows} guesses for {len(recorded_data['questions'])} questions")
    print(f"{FIXTURE}: {FIXTURE.stat().st_size} bytes")
