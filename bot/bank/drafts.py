"""Questions typed into a chat form, validated exactly like bank file entries.

A draft is turned into a one-question bank document and run through the same
loader as a file, so a form can never let in a question a bank file could not
hold.  The loader's problems come back by form field, ready to be shown next
to the field (Slack) or listed (Discord).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

import yaml

from bot.bank.export import question_entry
from bot.bank.loader import load_bank_text
from bot.bank.problems import BankError
from bot.domain.answers import normalise
from bot.domain.model import (
    DRAFT_FIELDS,
    FieldProblem,
    Question,
    QuestionDraft,
    QuestionType,
    ServerKey,
)

DEFAULT_CATEGORY = "custom"
#: No field of a valid question comes near this (20 answers of 200 characters do
#: not); longer text is refused before it is written out as YAML, which for a
#: pasted 10 MB text would hold the event loop for seconds.
MAX_FIELD_CHARS = 10_000
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
#: Punctuation that shapes a sentence rather than its meaning: prompts differing
#: only in these are the same question.  Other marks (+, -, /, €, emoji) count.
_SENTENCE_MARKS = frozenset(".,;:!?¿¡'\"()[]«»\u2018\u2019\u201c\u201d\u2013\u2014\u2026")


def lines(text: str) -> list[str]:
    """One item per non-blank line, trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def slug(text: str, *, limit: int = 48) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:limit].strip("-") or "question"


def prompt_key(prompt: str) -> str:
    """What makes two prompts the same question: their words as answers are
    compared (case, accents and punctuation aside), and their symbols, so
    "Which flag is 🇫🇷?" and "Which flag is 🇩🇪?" stay two questions."""
    symbols = "".join(
        ch for ch in prompt if not (ch.isalnum() or ch.isspace() or ch in _SENTENCE_MARKS)
    )
    return f"{normalise(prompt)}\x00{symbols}"


def unique_id(prompt: str, taken: set[str]) -> str:
    base = slug(prompt)
    if len(base) < 2:
        base = f"q-{base}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def question_to_draft(question: Question) -> QuestionDraft:
    """A question as a form shows it, one item per line (to fill an edit form).

    A form has no place for the id, tags, the source or the ``number`` type;
    :func:`edit_question` keeps those from the question being edited.
    """
    return QuestionDraft(
        prompt=question.prompt,
        answers="\n".join(question.answers),
        category=question.category,
        difficulty=question.difficulty.value,
        explanation=question.explanation,
        choices="\n".join(question.choices),
        hints="\n".join(question.hints),
    )


def draft_to_question(
    draft: QuestionDraft, *, server: ServerKey, existing: Sequence[Question]
) -> Question | tuple[FieldProblem, ...]:
    """Validate ``draft`` for ``server``; the question, or its problems by field."""
    too_long = _too_long(draft, DRAFT_FIELDS)
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
    return _validated(entry, server=server, others=existing)


def edit_question(
    question: Question,
    draft: QuestionDraft,
    *,
    fields: Collection[str],
    server: ServerKey,
    others: Sequence[Question],
) -> Question | tuple[FieldProblem, ...]:
    """``question`` with the draft's ``fields`` laid over it, validated like a file entry.

    The id, tags, the source and the other fields are kept; a ``boolean`` or
    ``number`` question keeps its type unless its options are changed.
    ``others`` are the server's other questions (for the duplicate check).
    """
    too_long = _too_long(draft, fields)
    if too_long:
        return too_long
    entry = question_entry(question)
    if "prompt" in fields:
        entry["prompt"] = draft.prompt.strip()
    if "answers" in fields:
        entry["answers"] = lines(draft.answers)
    if "category" in fields:
        entry["category"] = draft.category.strip() or DEFAULT_CATEGORY
    if "difficulty" in fields:
        entry["difficulty"] = draft.difficulty.strip().lower() or "medium"
    for name in ("explanation", "hints"):
        if name in fields:
            value: str | list[str] = (
                draft.explanation.strip() if name == "explanation" else lines(draft.hints)
            )
            if value:
                entry[name] = value
            else:
                entry.pop(name, None)
    if "choices" in fields and lines(draft.choices) != list(question.choices):
        entry.pop("choices", None)
        entry.pop("type", None)
        if lines(draft.choices):
            entry["type"] = "choice"
            entry["choices"] = lines(draft.choices)
        elif question.type is QuestionType.BOOLEAN:
            entry["answers"] = [question.answer]  # now a text question: "True" or "False"
    return _validated(entry, server=server, others=others)


def _too_long(draft: QuestionDraft, fields: Collection[str]) -> tuple[FieldProblem, ...]:
    return tuple(
        FieldProblem(name, f"this is {len(value):,} characters long; far more than any question")
        for name in DRAFT_FIELDS
        if name in fields and len(value := getattr(draft, name)) > MAX_FIELD_CHARS
    )


def _validated(
    entry: dict[str, Any], *, server: ServerKey, others: Sequence[Question]
) -> Question | tuple[FieldProblem, ...]:
    """Run one bank entry through the file loader; the server's question or its problems."""
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
    wanted = prompt_key(question.prompt)
    for other in others:
        if other.id != question.id and prompt_key(other.prompt) == wanted:
            return (
                FieldProblem("prompt", f"This server already has that question (id {other.id!r})."),
            )
    return question


def _by_field(field: str | None, message: str) -> FieldProblem:
    head = re.split(r"[.\[]", field or "", maxsplit=1)[0]
    if head == "type":
        head = "choices"
    return FieldProblem(head if head in DRAFT_FIELDS else "prompt", message)
