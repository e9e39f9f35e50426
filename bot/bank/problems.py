"""What is wrong with a question bank, said so that its author can fix it.

A loader never stops at the first mistake: it collects every ``BankProblem`` in
a file (and, through ``load_banks``, in every file) and raises one
``BankError`` that lists them all, each naming file, line, question and field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.words import plural

# Past this many, the rest of a file's problems are summarised in one line: an
# author fixes the first hundreds before the next matter, and an alias bomb or
# a binary file must not turn into megabytes of messages.
MAX_PROBLEMS_SHOWN = 200


@dataclass(frozen=True, slots=True)
class BankProblem:
    """One thing wrong with a bank file.

    ``line`` is 1-based; ``question_id`` is None for problems outside a question
    (or in a question with no usable id); ``field`` is the key path, such as
    ``answers`` or ``source.paragraph``.
    """

    path: str
    line: int | None
    question_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        about: list[str] = []
        if self.question_id is not None:
            about.append(f"question '{self.question_id}'")
        if self.field is not None:
            about.append(f"field '{self.field}'")
        if about:
            return f"{where}: {', '.join(about)}: {self.message}"
        return f"{where}: {self.message}"


class BankError(Exception):
    """A bank (or several) failed to load; ``problems`` says everything wrong."""

    def __init__(self, problems: Sequence[BankProblem]) -> None:
        self.problems: tuple[BankProblem, ...] = tuple(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        lines = [f"{plural(len(self.problems), 'problem')} in the question bank:"]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)

    def __reduce__(self) -> tuple[type[BankError], tuple[tuple[BankProblem, ...]]]:
        # Uploads are parsed in a worker process (GUIDE section 5); the error
        # has to come back across the process boundary intact.
        return (BankError, (self.problems,))


def capped(problems: Sequence[BankProblem]) -> list[BankProblem]:
    """The first ``MAX_PROBLEMS_SHOWN`` problems, plus one line counting the rest."""
    if len(problems) <= MAX_PROBLEMS_SHOWN:
        return list(problems)
    shown = list(problems[:MAX_PROBLEMS_SHOWN])
    hidden = len(problems) - MAX_PROBLEMS_SHOWN
    shown.append(
        BankProblem(
            path=problems[0].path,
            line=None,
            question_id=None,
            field=None,
            message=f"... and {hidden} more problems; fix the ones above and load again",
        )
    )
    return shown
