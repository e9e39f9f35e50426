"""The bundled (and operator-supplied) banks, served to every server alike."""

from __future__ import annotations

from collections.abc import Sequence

from bot.bank.format import LoadedBank
from bot.domain.model import Question, ServerKey


class StaticQuestionBank:
    """A ``bot.ports.QuestionBank`` over banks loaded from files.

    File questions have ``scope == ""``: every server gets all of them.
    Question ids must be unique across ``banks`` (``load_banks`` checks it;
    this constructor refuses duplicates too, as a ``ValueError``).
    """

    __slots__ = ("_banks", "_by_id", "_questions")

    def __init__(self, banks: Sequence[LoadedBank]) -> None:
        self._banks = tuple(banks)
        self._questions = tuple(question for bank in self._banks for question in bank.questions)
        self._by_id: dict[str, Question] = {}
        for question in self._questions:
            if question.id in self._by_id:
                raise ValueError(
                    f"question id {question.id!r} is in banks "
                    f"{self._by_id[question.id].bank_id!r} and {question.bank_id!r}"
                )
            self._by_id[question.id] = question

    @property
    def banks(self) -> tuple[LoadedBank, ...]:
        return self._banks

    @property
    def all_questions(self) -> tuple[Question, ...]:
        return self._questions

    async def questions(self, server: ServerKey) -> Sequence[Question]:
        return self._questions

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)
