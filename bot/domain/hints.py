"""Progressive hints for a question.

A question's own ``hints`` come first, in the order the author wrote them.  A
typed question without authored hints gets generated ones that reveal more of
the answer each time; questions with options get none (a letter mask would
give the answer away among four options).
"""

from __future__ import annotations

from bot.domain.model import Question, QuestionType

MASK = "_"


def hints_for(question: Question) -> tuple[str, ...]:
    if question.hints:
        return question.hints
    if question.has_choices:
        return ()
    answer = question.answer
    if question.type is QuestionType.NUMBER:
        digits = sum(ch.isdigit() for ch in answer)
        return (f"It is a number with {digits} digit{'s' if digits != 1 else ''}.",)
    letters = sum(ch.isalnum() for ch in answer)
    if letters < 3:
        return ()
    return (
        f"{mask(answer, every=0)} ({letters} letters)",
        mask(answer, every=3),
    )


def mask(answer: str, *, every: int) -> str:
    """Show the first letter of each word (and every ``every``-th letter when
    ``every`` > 0); hide other letters and digits, keep spaces and punctuation."""
    out: list[str] = []
    position = 0
    start_of_word = True
    for ch in answer:
        if not ch.isalnum():
            out.append(ch)
            start_of_word = True
            continue
        show = start_of_word or (every > 0 and position % every == 0)
        out.append(ch if show else MASK)
        position += 1
        start_of_word = False
    return "".join(out)
