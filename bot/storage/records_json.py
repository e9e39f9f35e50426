"""Questions and server settings as JSON, the way every backend stores them.

A stored body carries a version so that a later format can still read the
rows an older trivia-bot wrote.
"""

from __future__ import annotations

import json
from typing import Any

from bot.domain.model import (
    Difficulty,
    GameMode,
    Question,
    QuestionType,
    SeasonLength,
    ServerSettings,
    SourceRef,
    StartPolicy,
)

VERSION = 1


def question_to_json(question: Question) -> str:
    return json.dumps(question_body(question), ensure_ascii=False, separators=(",", ":"))


def question_from_json(text: str) -> Question:
    return question_from_body(json.loads(text))


def question_body(question: Question) -> dict[str, Any]:
    """``question`` as JSON-ready values (what ``question_from_body`` reads back)."""
    body: dict[str, Any] = {
        "v": VERSION,
        "id": question.id,
        "prompt": question.prompt,
        "answers": list(question.answers),
        "type": question.type.value,
        "choices": list(question.choices),
        "category": question.category,
        "difficulty": question.difficulty.value,
        "tags": list(question.tags),
        "hints": list(question.hints),
        "explanation": question.explanation,
        "bank_id": question.bank_id,
        "scope": question.scope,
    }
    if question.source is not None:
        body["source"] = {
            "paragraph": question.source.paragraph,
            "context": question.source.context,
        }
    return body


def question_from_body(body: dict[str, Any]) -> Question:
    source = body.get("source")
    return Question(
        id=body["id"],
        prompt=body["prompt"],
        answers=tuple(body["answers"]),
        type=QuestionType(body["type"]),
        choices=tuple(body["choices"]),
        category=body["category"],
        difficulty=Difficulty(body["difficulty"]),
        tags=tuple(body["tags"]),
        hints=tuple(body["hints"]),
        explanation=body["explanation"],
        source=SourceRef(source["paragraph"], source["context"]) if source else None,
        bank_id=body["bank_id"],
        scope=body["scope"],
    )


def settings_to_json(settings: ServerSettings) -> str:
    return json.dumps(
        {
            "v": VERSION,
            "rounds": settings.rounds,
            "seconds": settings.seconds,
            "mode": settings.mode.value if settings.mode else None,
            "start_policy": settings.start_policy.value,
            "starter_role": settings.starter_role,
            "admin_role": settings.admin_role,
            "season_length": settings.season_length.value,
        },
        separators=(",", ":"),
    )


def settings_from_json(text: str) -> ServerSettings:
    body = json.loads(text)
    return ServerSettings(
        rounds=body["rounds"],
        seconds=body["seconds"],
        mode=GameMode(body["mode"]) if body["mode"] else None,
        start_policy=StartPolicy(body["start_policy"]),
        starter_role=body["starter_role"],
        admin_role=body["admin_role"],
        # Saved before seasons existed: the default.
        season_length=SeasonLength(body.get("season_length", SeasonLength.MONTHLY.value)),
    )
