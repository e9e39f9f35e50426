"""Each server's questions: the bundled banks plus the server's own.

Implements both ``QuestionBank`` (what a server may be asked) and
``QuestionEditor`` (admins adding and removing their own questions).  A
server's own questions are read from the store once and cached until that
server changes them; one server's questions never reach another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.bank.drafts import draft_to_question
from bot.bank.static import StaticQuestionBank
from bot.domain.answers import normalise
from bot.domain.model import FieldProblem, PlayerKey, Question, QuestionDraft, ServerKey
from bot.ports import CustomQuestionStore, ImportResult


class ServerQuestionBank:
    def __init__(self, static: StaticQuestionBank, store: CustomQuestionStore) -> None:
        self._static = static
        self._store = store
        self._custom: dict[ServerKey, tuple[Question, ...]] = {}

    @property
    def static(self) -> StaticQuestionBank:
        return self._static

    def replace_static(self, static: StaticQuestionBank) -> None:
        """Serve ``static`` (a reloaded set of bank files) from now on.

        Games already running keep the questions they drew; the next game
        draws from the new banks.
        """
        self._static = static

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

    async def import_questions(
        self, server: ServerKey, questions: Sequence[Question], *, by: PlayerKey, at: datetime
    ) -> ImportResult:
        bundled = {q.id for q in self._static.all_questions}
        own = {q.id: q for q in await self.custom_questions(server)}
        prompts = {normalise(q.prompt): q.id for q in await self.questions(server)}
        added: list[str] = []
        updated: list[str] = []
        skipped: list[tuple[str, str]] = []
        for question in questions:
            if question.id in bundled:
                skipped.append((question.id, "a bundled question already has this id"))
                continue
            same = prompts.get(normalise(question.prompt))
            if same is not None and same != question.id:
                skipped.append((question.id, f"the same question is already here as {same!r}"))
                continue
            scoped = replace(question, scope=str(server), bank_id=f"server:{server}")
            if own.get(question.id) == scoped:
                updated.append(question.id)  # unchanged: nothing to write
                continue
            await self._store.save_custom_question(server, scoped, by=by, at=at)
            (updated if question.id in own else added).append(question.id)
            prompts[normalise(question.prompt)] = question.id
        self._custom.pop(server, None)
        return ImportResult(added=tuple(added), updated=tuple(updated), skipped=tuple(skipped))

    async def remove_question(
        self, server: ServerKey, question_id: str, *, by: PlayerKey, at: datetime
    ) -> bool:
        removed = await self._store.delete_custom_question(server, question_id, by=by, at=at)
        self._custom.pop(server, None)
        return removed
