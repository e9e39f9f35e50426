"""Each server's questions: the bundled banks plus the server's own.

Implements both ``QuestionBank`` (what a server may be asked) and
``QuestionEditor`` (admins adding and removing their own questions).  A
server's own questions are read from the store once and cached until that
server changes them; one server's questions never reach another.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.bank.drafts import draft_to_question
from bot.bank.static import StaticQuestionBank
from bot.domain.model import FieldProblem, PlayerKey, Question, QuestionDraft, ServerKey
from bot.ports import CustomQuestionStore


class ServerQuestionBank:
    def __init__(self, static: StaticQuestionBank, store: CustomQuestionStore) -> None:
        self._static = static
        self._store = store
        self._custom: dict[ServerKey, tuple[Question, ...]] = {}

    @property
    def static(self) -> StaticQuestionBank:
        return self._static

    async def custom_questions(self, server: ServerKey) -> tuple[Question, ...]:
        cached = self._custom.get(server)
        if cached is None:
            cached = self._custom[server] = tuple(await self._store.custom_questions(server))
        return cached

    async def questions(self, server: ServerKey) -> Sequence[Question]:
        return self._static.all_questions + await self.custom_questions(server)

    async def add_question(
        self, server: ServerKey, draft: QuestionDraft, *, by: PlayerKey, at: datetime
    ) -> Question | tuple[FieldProblem, ...]:
        result = draft_to_question(draft, server=server, existing=await self.questions(server))
        if isinstance(result, Question):
            await self._store.save_custom_question(server, result, by=by, at=at)
            self._custom.pop(server, None)
        return result

    async def remove_question(
        self, server: ServerKey, question_id: str, *, by: PlayerKey, at: datetime
    ) -> bool:
        removed = await self._store.delete_custom_question(server, question_id, by=by, at=at)
        self._custom.pop(server, None)
        return removed
