"""The question-bank file format: its keys, its limits and what loading yields.

A bank file is a YAML mapping::

    # yaml-language-server: $schema=./bank.schema.json
    format: 1                      # optional; the only version so far
    id: mission-impossible-2       # required, a slug
    title: "M:I-2 stunts"          # required
    description: ...
    language: en
    licence: CC-BY-4.0
    author: ...
    source: {title: ..., date: 2025-02-15}
    defaults: {category: stunts, difficulty: medium}
    questions:                     # required, at least one
      - id: mi2-director           # required, unique across every loaded bank
        prompt: Who directed it?   # required
        answers: [John Woo, Woo]   # required; the first is the one revealed
        type: text                 # text | choice | boolean | number
        choices: [...]             # choice questions only: 2 to 6 options
        category: people
        difficulty: easy           # easy | medium | hard
        tags: [director]
        hints: [...]               # shown in order
        explanation: ...           # shown with the answer
        source: {paragraph: 3, context: a few words}

Rules the loader applies (some beyond what a JSON Schema can say):

- values are read as written: an unquoted ``yes``, ``5`` or ``1.0`` is the
  text "yes", "5", "1.0", never YAML 1.1's True, 5 or 1.0;
- ``answers``, ``tags`` and ``hints`` may be a single value instead of a list;
- a boolean question has one answer, true or false (yes/no, on/off, y/n work
  too), normalised to "True"/"False"; its choices are always True and False;
- a number question's first answer is written in digits (5, -3, 1.5, 1,000);
  further answers may be words ("five");
- a choice question's first answer is one of its choices (ignoring case);
- question ids are unique across every bank loaded together; prompts are
  unique within a file (ignoring case and spacing);
- a question without ``category`` or ``difficulty`` takes the bank's
  ``defaults``, else "general" and "medium".

``questions/bank.schema.json`` describes the same format for editors; a test
keeps the two in agreement, so a key added here must be added there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.domain.model import Question

FORMAT_VERSION = 1
"""The value of a bank's optional ``format`` key that this loader reads."""

LOADER_VERSION = "bank-loader-3"
"""Part of the cache key: bump it whenever loading the same bytes would yield
different questions, so that no cache built by an older loader is trusted."""

MAX_FILE_BYTES = 5 * 1024 * 1024

MAX_ID = 64
ID_PATTERN = re.compile(rf"[a-z0-9][a-z0-9-]{{1,{MAX_ID - 1}}}")
ID_RULE = f"2 to {MAX_ID} lowercase letters, digits or dashes, starting with a letter or digit"
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")

BANK_KEYS = (
    "format",
    "id",
    "title",
    "description",
    "language",
    "licence",
    "author",
    "source",
    "defaults",
    "questions",
)
REQUIRED_BANK_KEYS = ("id", "title", "questions")
BANK_SOURCE_KEYS = ("title", "date")
REQUIRED_BANK_SOURCE_KEYS = ("title",)
DEFAULTS_KEYS = ("category", "difficulty")

QUESTION_KEYS = (
    "id",
    "prompt",
    "answers",
    "type",
    "choices",
    "category",
    "difficulty",
    "tags",
    "hints",
    "explanation",
    "source",
)
REQUIRED_QUESTION_KEYS = ("id", "prompt", "answers")
QUESTION_SOURCE_KEYS = ("paragraph", "context")
REQUIRED_QUESTION_SOURCE_KEYS = ("paragraph", "context")

# Keys authors coming from other formats write by habit, and the key they meant.
KEY_SYNONYMS = {
    "question": "prompt",
    "text": "prompt",
    "answer": "answers",
    "options": "choices",
    "hint": "hints",
    "tag": "tags",
    "license": "licence",
    "level": "difficulty",
    "authors": "author",
    "name": "title",
}

# Lengths are in characters.  Each limit has a reason: a choice is a Discord
# button label (80 at most), a prompt must fit a Slack section with room to
# spare, an explanation is a short paragraph, not an essay.
MAX_TITLE = 100
MAX_DESCRIPTION = 2000
MAX_AUTHOR = 200
MAX_LICENCE = 100
MAX_PROMPT = 500
MAX_ANSWER = 200
MAX_ANSWERS = 20
MAX_CHOICE = 80
MIN_CHOICES = 2
MAX_CHOICES = 6
MAX_HINT = 300
MAX_HINTS = 5
MAX_EXPLANATION = 1000
MAX_CATEGORY = 40
MAX_TAG = 40
MAX_TAGS = 10
MAX_CONTEXT = 200
MAX_QUESTIONS = 50_000

BOOLEAN_WORDS = {
    # YAML 1.1 reads all of these as booleans; a bank keeps the text the
    # author wrote, so the loader maps them itself.
    "true": "True",
    "yes": "True",
    "on": "True",
    "y": "True",
    "false": "False",
    "no": "False",
    "off": "False",
    "n": "False",
}

NUMBER_PATTERN = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
"""What a ``number`` question's revealed answer must look like: ``5``,
``-3``, ``1.5``, ``1,000``, ``12,500.25``, ``.5``."""


@dataclass(frozen=True, slots=True)
class BankInfo:
    """A bank's metadata.  ``path`` is the file it was loaded from."""

    id: str
    title: str
    description: str
    language: str
    licence: str
    author: str
    source_title: str
    source_date: date | None
    path: str


@dataclass(frozen=True, slots=True)
class LoadedBank:
    """A validated bank.  ``question_lines[i]`` is the 1-based line where
    ``questions[i]`` starts (empty when unknown), for messages that point
    across files."""

    info: BankInfo
    questions: tuple[Question, ...]
    question_lines: tuple[int, ...] = ()
