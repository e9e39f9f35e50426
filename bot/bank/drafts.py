"""Questions typed into a chat form, validated exactly like bank file entries.

A draft is turned into a one-question bank document and run through the same
loader as a file, so a form can never let in a question a bank file could not
hold.  The loader's problems come back by form field, ready to be shown next
to the field (Slack) or listed (Discord).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import yaml

from bot.bank.loader import load_bank_text
from bot.bank.problems import BankError
from bot.domain.answers import normalise
from bot.domain.model import FieldProblem, Question, QuestionDraft, ServerKey

FORM_FIELDS = ("prompt", "answers", "category", "difficulty", "explanation", "choices", "hints")
DEFAULT_CATEGORY = "custom"
#: No field of a valid question comes near this (20 answers of 200 characters do
#: not); longer text is refused before it is written out as YAML, which for a
#: pasted 10 MB text would hold the event loop for seconds.
MAX_FIELD_CHARS = 10_000
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def lines(text: str) -> list[str]:
    """One item per non-blank line, trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def slug(text: str, *, limit: int = 48) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:limit].strip("-") or "question"


def unique_id(prompt: str, taken: set[str]) -> str:
    base = slug(prompt)
    if len(base) < 2:
        base = f"q-{base}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def draft_to_question(
    draft: QuestionDraft, *, server: ServerKey, existing: Sequence[Question]
) -> Question | tuple[FieldProblem, ...]:
    """Validate ``draft`` for ``server``; the question, or its problems by field."""
    too_long = tuple(
        FieldProblem(name, f"this is {len(value):,} characters long; far more than any question")
        for name in FORM_FIELDS
        if len(value := getattr(draft, name)) > MAX_FIELD_CHARS
    )
    if too_long:
        return too_long
    entry: dict[str, Any] = {
        "id": unique_id(draft.prompt, {q.id for q in existing}),
        "prompt": draft.prompt.strip(),
        "answers": lines(draft.answers),
        "category": draft.category.strip() or DEFAULT_CATEGORY,
        "difficulty": draft.difficulty.strip().lower() or "medium",
    }
    if draft.explanation.strip():
        entry["explanation"] = draft.explanation.strip()
    if lines(draft.choices):
        entry["type"] = "choice"
        entry["choices"] = lines(draft.choices)
    if lines(draft.hints):
        entry["hints"] = lines(draft.hints)
    document = {
        "id": "server-questions",
        "title": "Questions added in chat",
        "questions": [entry],
    }
    # allow_unicode=False: every non-ASCII character is written as an escape in a
    # double-quoted scalar.  With it on, PyYAML writes U+0085 (NEL) raw into a
    # single-quoted scalar, where YAML reads it as a line break and folds it
    # into a space: the form's text would change without a word.
    text = yaml.safe_dump(document, allow_unicode=False, sort_keys=False, width=10_000)
    try:
        loaded = load_bank_text(text, path="<form>")
    except BankError as exc:
        return tuple(_by_field(problem.field, problem.message) for problem in exc.problems)
    question = replace(loaded.questions[0], scope=str(server), bank_id=f"server:{server}")
    wanted = normalise(question.prompt)
    for other in existing:
        if normalise(other.prompt) == wanted:
            return (
                FieldProblem("prompt", f"This server already has that question (id {other.id!r})."),
            )
    return question


def _by_field(field: str | None, message: str) -> FieldProblem:
    head = re.split(r"[.\[]", field or "", maxsplit=1)[0]
    if head == "type":
        head = "choices"
    return FieldProblem(head if head in FORM_FIELDS else "prompt", message)
