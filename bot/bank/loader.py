"""Load one bank file into validated ``Question``s, reporting every problem.

The walk goes over the node tree from ``yaml_tree.compose_bank`` field by
field.  A problem never stops it: the question it is in is dropped, the walk
carries on, and at the end every problem of the file is raised together in one
``BankError``.  See ``bot/bank/format.py`` for the format itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import yaml

from bot.bank.format import (
    BANK_KEYS,
    BANK_SOURCE_KEYS,
    DEFAULTS_KEYS,
    FORMAT_VERSION,
    LANGUAGE_PATTERN,
    MAX_ANSWER,
    MAX_ANSWERS,
    MAX_AUTHOR,
    MAX_CATEGORY,
    MAX_CHOICE,
    MAX_CHOICES,
    MAX_CONTEXT,
    MAX_DESCRIPTION,
    MAX_EXPLANATION,
    MAX_HINT,
    MAX_HINTS,
    MAX_LICENCE,
    MAX_PROMPT,
    MAX_QUESTIONS,
    MAX_TAG,
    MAX_TAGS,
    MAX_TITLE,
    QUESTION_KEYS,
    QUESTION_SOURCE_KEYS,
    REQUIRED_BANK_KEYS,
    REQUIRED_BANK_SOURCE_KEYS,
    REQUIRED_QUESTION_KEYS,
    REQUIRED_QUESTION_SOURCE_KEYS,
    BankInfo,
    LoadedBank,
)
from bot.bank.problems import BankError, capped
from bot.bank.question_types import CHOICES_FIX, check_kind
from bot.bank.walker import BudgetExhausted, NodeWalker
from bot.bank.yaml_tags import bank_tag_problems
from bot.bank.yaml_tree import compose_bank, gc_paused
from bot.domain.model import Difficulty, Question, QuestionType, SourceRef

# What to write when a required key is missing or empty, by key.
_FIX = {
    "id": "add a slug such as 'capital-of-france'",
    "title": "write the bank's name as players should see it",
    "questions": "add a list of questions, each starting with '- id: ...'",
    "prompt": "write the question players will see",
    "answers": "add at least one accepted answer",
    "choices": CHOICES_FIX,
    "paragraph": "write the number of the article's paragraph the fact stands in",
    "context": "quote a few words that locate the fact",
}

_DEFAULT_CATEGORY = "general"


def _required(keys: tuple[str, ...]) -> dict[str, str]:
    return {key: _FIX[key] for key in keys}


@dataclass(frozen=True, slots=True)
class _Defaults:
    category: str = _DEFAULT_CATEGORY
    difficulty: Difficulty = Difficulty.MEDIUM


def load_bank_text(text: str | bytes, *, path: str) -> LoadedBank:
    """Parse and validate one bank; raise ``BankError`` listing every problem.

    ``path`` is only used in messages and ``BankInfo.path``.
    """
    # An alias-free file cannot hold more values than it has bytes, so this
    # budget never refuses an honest bank, and bounds what aliases can expand.
    walker = NodeWalker(path, budget=10_000 + len(text))
    try:
        with gc_paused():
            # The tree is never kept in a variable here: it must be freed before
            # the collector is back on, or the collector walks all of it.
            bank = _read_bank(walker, compose_bank(text, path=path), text)
    except BudgetExhausted:
        walker.report(
            None,
            "the file expands to far more values than its size "
            "allows when its YAML aliases (*name) are followed; remove the aliases",
        )
        bank = None
    if walker.problems or bank is None:
        # In file order, which is how an author fixes them; stable, so the
        # problems of one line keep the order the walk found them in.
        in_order = sorted(walker.problems, key=lambda problem: problem.line or 0)
        raise BankError(capped(in_order))
    return bank


def _read_bank(walker: NodeWalker, root: yaml.Node | None, text: str | bytes) -> LoadedBank | None:
    walker.problems += bank_tag_problems(walker.path, root, text)
    if root is None:
        walker.report(
            None, "the file is empty; a bank needs at least 'id', 'title' and 'questions'"
        )
        return None
    if not isinstance(root, yaml.MappingNode):
        walker.report(
            root,
            "the top of a bank file must be a mapping "
            "('id: ...', 'title: ...', 'questions: ...'), not a list or a single value",
        )
        return None
    fields = walker.fields(
        root, BANK_KEYS, question_id=None, required=_required(REQUIRED_BANK_KEYS), owner="the bank"
    )
    info = _read_info(walker, fields)
    defaults = _read_defaults(walker, fields.get("defaults"))
    questions_node = fields.get("questions")
    if questions_node is None:
        return None
    questions = _read_questions(walker, questions_node, bank_id=info.id, defaults=defaults)
    if walker.problems:
        return None
    return LoadedBank(
        info=info,
        questions=tuple(question for question, _ in questions),
        question_lines=tuple(line for _, line in questions),
    )


def _read_info(walker: NodeWalker, fields: dict[str, yaml.Node]) -> BankInfo:
    def optional(key: str, limit: int) -> str:
        node = fields.get(key)
        if node is None:
            return ""
        return walker.text(node, None, key, limit=limit, fix="write it or remove the key") or ""

    if "format" in fields:
        node = fields["format"]
        if not isinstance(node, yaml.ScalarNode) or node.value.strip() != str(FORMAT_VERSION):
            walker.report(
                node,
                f"this loader reads bank format {FORMAT_VERSION}; "
                f"write 'format: {FORMAT_VERSION}' or remove the key",
                field="format",
            )
    bank_id = walker.slug(fields["id"], None, "id") if "id" in fields else None
    title = (
        walker.text(fields["title"], None, "title", limit=MAX_TITLE, fix=_FIX["title"])
        if "title" in fields
        else None
    )
    language = optional("language", 20) or "en"
    if LANGUAGE_PATTERN.fullmatch(language) is None:
        walker.report(
            fields["language"],
            f"'{language}' is not a language code; write one such as 'en', 'fr' or 'pt-BR'",
            field="language",
        )
    source_title, source_date = _read_bank_source(walker, fields.get("source"))
    return BankInfo(
        id=bank_id or "",
        title=title or "",
        description=optional("description", MAX_DESCRIPTION),
        language=language,
        licence=optional("licence", MAX_LICENCE),
        author=optional("author", MAX_AUTHOR),
        source_title=source_title,
        source_date=source_date,
        path=walker.path,
    )


def _read_bank_source(walker: NodeWalker, node: yaml.Node | None) -> tuple[str, date | None]:
    if node is None or (mapping := walker.mapping(node, None, "source")) is None:
        return "", None
    fields = walker.fields(
        mapping,
        BANK_SOURCE_KEYS,
        question_id=None,
        required=dict.fromkeys(
            REQUIRED_BANK_SOURCE_KEYS,
            "write the title of the article or book the questions come from",
        ),
        owner="the source",
        prefix="source.",
    )
    title = ""
    if "title" in fields:
        title = walker.text(fields["title"], None, "source.title", limit=MAX_TITLE * 3) or ""
    when: date | None = None
    if "date" in fields:
        text = walker.text(
            fields["date"],
            None,
            "source.date",
            limit=40,
            fix="write it as YYYY-MM-DD or remove the key",
        )
        if text is not None:
            try:
                when = date.fromisoformat(text)
            except ValueError:
                walker.report(
                    fields["date"],
                    f"'{text}' is not a date; write it as YYYY-MM-DD",
                    field="source.date",
                )
    return title, when


def _read_defaults(walker: NodeWalker, node: yaml.Node | None) -> _Defaults:
    if node is None or (mapping := walker.mapping(node, None, "defaults")) is None:
        return _Defaults()
    fields = walker.fields(
        mapping, DEFAULTS_KEYS, question_id=None, required={}, owner="defaults", prefix="defaults."
    )
    category = _DEFAULT_CATEGORY
    if "category" in fields:
        category = (
            walker.text(fields["category"], None, "defaults.category", limit=MAX_CATEGORY)
            or category
        )
    difficulty = Difficulty.MEDIUM
    if "difficulty" in fields:
        difficulty = (
            walker.member(fields["difficulty"], None, "defaults.difficulty", Difficulty)
            or difficulty
        )
    return _Defaults(category=category, difficulty=difficulty)


def _read_questions(
    walker: NodeWalker, node: yaml.Node, *, bank_id: str, defaults: _Defaults
) -> list[tuple[Question, int]]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        walker.report(
            node,
            "'questions' should be a list with at least "
            "one question, each starting with '- id: ...'",
            field="questions",
        )
        return []
    if len(node.value) > MAX_QUESTIONS:
        walker.report(
            node,
            f"the bank has {len(node.value):,} questions; "
            f"the limit is {MAX_QUESTIONS:,} per file; split it into several files",
            field="questions",
        )
        return []
    walker.spend(len(node.value))
    questions: list[tuple[Question, int]] = []
    id_lines: dict[str, int] = {}
    prompts: dict[str, tuple[str, int]] = {}
    for number, item in enumerate(node.value, start=1):
        line = item.start_mark.line + 1
        question = _read_question(walker, item, number=number, bank_id=bank_id, defaults=defaults)
        # Repeats are looked for in what was written, so that they are found
        # even in questions with other problems.
        if isinstance(item, yaml.MappingNode) and (qid := _peek(item, "id")) is not None:
            if qid in id_lines:
                walker.report(
                    item,
                    f"id '{qid}' is already used by the question on line {id_lines[qid]} "
                    f"(and again on line {line}); give each question its own id",
                    question_id=qid,
                    field="id",
                )
                continue
            id_lines[qid] = line
            if (prompt := _peek(item, "prompt")) is not None:
                folded = " ".join(prompt.casefold().split())
                if folded in prompts:
                    other, other_line = prompts[folded]
                    walker.report(
                        item,
                        f"the same prompt as question '{other}' (line {other_line}); "
                        "remove one or reword it",
                        question_id=qid,
                        field="prompt",
                    )
                    continue
                prompts[folded] = (qid, line)
        if question is not None:
            questions.append((question, line))
    return questions


def _peek(node: yaml.MappingNode, key: str) -> str | None:
    """A question's text under ``key`` as written, to name it in messages and
    find repeats even when the question is otherwise invalid."""
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            if isinstance(value, yaml.ScalarNode) and value.value.strip():
                return str(value.value.strip())
            return None
    return None


def _read_question(
    walker: NodeWalker, node: yaml.Node, *, number: int, bank_id: str, defaults: _Defaults
) -> Question | None:
    if not isinstance(node, yaml.MappingNode):
        walker.report(
            node,
            f"question {number} is not a mapping; write each "
            "question as '- id: ...' followed by its keys, indented alike",
        )
        return None
    before = len(walker.problems)
    qid = _peek(node, "id")
    fields = walker.fields(
        node,
        QUESTION_KEYS,
        question_id=qid,
        required=_required(REQUIRED_QUESTION_KEYS),
        owner=f"question {number}",
    )

    # Read in this order, which is the order problems on one line are listed in.
    question_id = walker.slug(fields["id"], qid, "id") if "id" in fields else None
    prompt = None
    if (prompt_node := fields.get("prompt")) is not None:
        prompt = walker.text(prompt_node, qid, "prompt", limit=MAX_PROMPT, fix=_FIX["prompt"])
    kind = QuestionType.TEXT
    if (type_node := fields.get("type")) is not None:
        kind = walker.member(type_node, qid, "type", QuestionType) or kind
    details = _read_details(walker, fields, qid, defaults=defaults)
    source = _read_source_ref(walker, fields.get("source"), qid)
    checked = _read_answers_and_choices(walker, fields, kind, qid=qid, question_node=node)
    if len(walker.problems) > before or question_id is None or prompt is None or checked is None:
        return None
    final_answers, final_choices = checked
    return Question(
        id=question_id,
        prompt=prompt,
        answers=final_answers,
        type=kind,
        choices=final_choices,
        category=details.category,
        difficulty=details.difficulty,
        tags=details.tags,
        hints=details.hints,
        explanation=details.explanation,
        source=source,
        bank_id=bank_id,
        scope="",
    )


@dataclass(frozen=True, slots=True)
class _Details:
    """What a question says besides what it asks and accepts."""

    difficulty: Difficulty
    category: str
    tags: tuple[str, ...]
    hints: tuple[str, ...]
    explanation: str


def _read_details(
    walker: NodeWalker, fields: dict[str, yaml.Node], qid: str | None, *, defaults: _Defaults
) -> _Details:
    difficulty = defaults.difficulty
    if (difficulty_node := fields.get("difficulty")) is not None:
        difficulty = walker.member(difficulty_node, qid, "difficulty", Difficulty) or difficulty
    category = defaults.category
    if (category_node := fields.get("category")) is not None:
        category = (
            walker.text(
                category_node,
                qid,
                "category",
                limit=MAX_CATEGORY,
                fix="write one or remove the key",
            )
            or category
        )
    tags = _optional_texts(
        walker, fields.get("tags"), qid, "tags", item="tag", limit=MAX_TAG, most=MAX_TAGS
    )
    hints = _optional_texts(
        walker, fields.get("hints"), qid, "hints", item="hint", limit=MAX_HINT, most=MAX_HINTS
    )
    explanation = ""
    if (explanation_node := fields.get("explanation")) is not None:
        explanation = (
            walker.text(
                explanation_node,
                qid,
                "explanation",
                limit=MAX_EXPLANATION,
                fix="write a sentence shown with the answer, or remove the key",
            )
            or ""
        )
    return _Details(
        difficulty=difficulty, category=category, tags=tags, hints=hints, explanation=explanation
    )


def _read_answers_and_choices(
    walker: NodeWalker,
    fields: dict[str, yaml.Node],
    kind: QuestionType,
    *,
    qid: str | None,
    question_node: yaml.Node,
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The question's answers and choices as its type allows them, or None."""
    answers = choices = None
    if (answers_node := fields.get("answers")) is not None:
        answers = walker.texts(
            answers_node,
            qid,
            "answers",
            item="answer",
            limit=MAX_ANSWER,
            most=MAX_ANSWERS,
            fix=_FIX["answers"],
        )
    if (choices_node := fields.get("choices")) is not None:
        choices = walker.texts(
            choices_node,
            qid,
            "choices",
            item="choice",
            limit=MAX_CHOICE,
            most=MAX_CHOICES,
            scalar_ok=False,
            fix=_FIX["choices"],
        )
    return check_kind(
        walker,
        kind,
        answers,
        choices,
        qid=qid,
        question_node=question_node,
        choices_node=choices_node,
    )


def _optional_texts(
    walker: NodeWalker,
    node: yaml.Node | None,
    qid: str | None,
    field: str,
    *,
    item: str,
    limit: int,
    most: int,
) -> tuple[str, ...]:
    if node is None:
        return ()
    values = walker.texts(
        node, qid, field, item=item, limit=limit, most=most, fix="list some or remove the key"
    )
    return tuple(value for value, _ in values or ())


def _read_source_ref(
    walker: NodeWalker, node: yaml.Node | None, qid: str | None
) -> SourceRef | None:
    if node is None or (mapping := walker.mapping(node, qid, "source")) is None:
        return None
    fields = walker.fields(
        mapping,
        QUESTION_SOURCE_KEYS,
        question_id=qid,
        required=_required(REQUIRED_QUESTION_SOURCE_KEYS),
        owner="the source",
        prefix="source.",
    )
    paragraph = context = None
    if "paragraph" in fields:
        paragraph = walker.positive_int(fields["paragraph"], qid, "source.paragraph")
    if "context" in fields:
        context = walker.text(
            fields["context"], qid, "source.context", limit=MAX_CONTEXT, fix=_FIX["context"]
        )
    if paragraph is None or context is None:
        return None
    return SourceRef(paragraph=paragraph, context=context)
