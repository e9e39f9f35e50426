"""What each question type asks of a question's answers and choices.

A number question's first answer is written in digits; a boolean question has
one answer, true or false, and always offers True and False; a choice question
lists its options and its first answer stands among them; a text question
takes its answers as written.  ``check_kind`` reports what breaks these rules
through the loader's ``NodeWalker`` and returns the final answers and choices.
"""

from __future__ import annotations

import yaml

from bot.bank.format import BOOLEAN_WORDS, MAX_CHOICES, MIN_CHOICES, NUMBER_PATTERN
from bot.bank.walker import NodeWalker
from bot.domain.model import BOOLEAN_CHOICES, QuestionType

# What to write when a choice question's 'choices' are missing or empty.
CHOICES_FIX = f"list {MIN_CHOICES} to {MAX_CHOICES} options, the first answer among them"

# Texts read from a list, each with its node (for the line of a later problem).
Texts = list[tuple[str, yaml.Node]] | None


def check_kind(
    walker: NodeWalker,
    kind: QuestionType,
    answers: Texts,
    choices: Texts,
    *,
    qid: str | None,
    question_node: yaml.Node,
    choices_node: yaml.Node | None,
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The question's final answers and choices, checked against its type."""
    if choices_node is not None and kind is not QuestionType.CHOICE:
        if kind is QuestionType.BOOLEAN:
            message = "boolean questions always offer True and False; remove 'choices'"
        else:
            message = "only choice questions have 'choices'; add 'type: choice' or remove them"
        walker.report(choices_node, message, question_id=qid, field="choices")
        return None
    if answers is None:
        return None
    first, first_node = answers[0]
    texts = tuple(value for value, _ in answers)
    match kind:
        case QuestionType.BOOLEAN:
            return _check_boolean(walker, answers, qid=qid)
        case QuestionType.NUMBER:
            if NUMBER_PATTERN.fullmatch(first) is None:
                walker.report(
                    first_node,
                    f"'{first}' is not a number; the "
                    "first answer of a number question is written in digits, such as "
                    "5, 1.5 or 1,000 (words like 'five' can follow as more answers)",
                    question_id=qid,
                    field="answers",
                )
                return None
            return texts, ()
        case QuestionType.CHOICE:
            if choices_node is None:
                walker.report(
                    question_node,
                    f"a choice question needs 'choices': {CHOICES_FIX}",
                    question_id=qid,
                    field="choices",
                )
                return None
            if choices is None:
                return None
            return _check_choices(walker, texts, choices, first_node=first_node, qid=qid)
        case _:
            return texts, ()


def _check_boolean(
    walker: NodeWalker, answers: list[tuple[str, yaml.Node]], *, qid: str | None
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    if len(answers) != 1:
        walker.report(
            answers[1][1],
            "a boolean question has exactly one answer: true or false",
            question_id=qid,
            field="answers",
        )
        return None
    value, node = answers[0]
    normalised = BOOLEAN_WORDS.get(value.casefold())
    if normalised is None:
        walker.report(
            node,
            f"'{value}' is not true or false; a boolean "
            "question's answer is true or false (yes and no work too)",
            question_id=qid,
            field="answers",
        )
        return None
    return (normalised,), BOOLEAN_CHOICES


def _check_choices(
    walker: NodeWalker,
    answers: tuple[str, ...],
    choices: list[tuple[str, yaml.Node]],
    *,
    first_node: yaml.Node,
    qid: str | None,
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    options = tuple(value for value, _ in choices)
    if len(options) < MIN_CHOICES:
        walker.report(
            choices[0][1],
            f"there is {len(options)} choice; give {MIN_CHOICES} to {MAX_CHOICES}",
            question_id=qid,
            field="choices",
        )
        return None
    # Matched like Question.correct_choice does, so the game finds it again.
    if answers[0].casefold() not in {option.casefold() for option in options}:
        walker.report(
            first_node,
            f"the answer '{answers[0]}' is not among "
            f"the choices ({', '.join(options)}); add it to them or fix the spelling",
            question_id=qid,
            field="answers",
        )
        return None
    return answers, options
