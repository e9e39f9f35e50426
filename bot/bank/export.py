"""Questions back into a bank file, in the format the loader reads.

Used to export a server's own questions: the file it writes is validated by
the same loader before it is returned, so ``trivia-bot questions validate``
(and an import elsewhere) accepts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import yaml

from bot.bank.loader import load_bank_text
from bot.domain.model import BOOLEAN_CHOICES, Question, QuestionType, ServerKey

SCHEMA_LINE = "# yaml-language-server: $schema=bank.schema.json\n"


def question_entry(question: Question) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": question.id, "prompt": question.prompt}
    if question.type is QuestionType.BOOLEAN:
        entry["answers"] = [question.answer == BOOLEAN_CHOICES[0]]
    else:
        entry["answers"] = list(question.answers)
    if question.type is not QuestionType.TEXT:
        entry["type"] = question.type.value
    if question.type is QuestionType.CHOICE:
        entry["choices"] = list(question.choices)
    entry["category"] = question.category
    entry["difficulty"] = question.difficulty.value
    for field in ("tags", "hints"):
        values = getattr(question, field)
        if values:
            entry[field] = list(values)
    if question.explanation:
        entry["explanation"] = question.explanation
    if question.source is not None:
        entry["source"] = {
            "paragraph": question.source.paragraph,
            "context": question.source.context,
        }
    return entry


def bank_text(
    questions: Sequence[Question],
    *,
    bank_id: str,
    title: str,
    description: str = "",
    exported: date | None = None,
) -> str:
    """A bank file holding ``questions``; raises ``BankError`` if it would not load."""
    document: dict[str, Any] = {"format": 1, "id": bank_id, "title": title}
    if description:
        document["description"] = description
    if exported is not None:
        document["source"] = {"title": "exported by trivia-bot", "date": exported}
    document["questions"] = [question_entry(q) for q in questions]
    text = SCHEMA_LINE + yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )
    load_bank_text(text, path=f"<export {bank_id}>")
    return text


def server_export(
    server: ServerKey, questions: Sequence[Question], *, exported: date
) -> tuple[str, str]:
    """A server's own questions as a bank file: ``(file name, text)``.

    The bank id is derived from the server, so exporting twice gives the same id.
    """
    bank_id = "-".join(("export", server.platform, server.server)).lower()
    bank_id = "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in bank_id)[:64]
    text = bank_text(
        questions,
        bank_id=bank_id,
        title=f"Questions of {server}",
        description=f"The own questions of {server}, exported by trivia-bot.",
        exported=exported,
    )
    return f"{bank_id}.yaml", text
