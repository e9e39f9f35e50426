"""Each server's questions: the bundled banks plus the server's own.

Implements both ``QuestionBank`` (what a server may be asked) and
``QuestionEditor`` (admins curating their server's questions).  A server's own
questions and what it has switched off are read from the store once and
cached until that server changes them (or the banks are reloaded); one
server's questions and switches never reach another.

The bundled banks are files and stay read-only: a server cannot edit or
remove a bundled question, only switch it (or its category, or its bank) off
for itself.  Should a reloaded bank bring a bundled question with the id of
one of a server's own, the server's own one is the one it has.

Changes to one server are made one at a time (a lock per server): each reads
what the server has, checks the change against it and writes, and two admins
adding at once must not both pass the same duplicate check.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.bank.drafts import draft_to_question, edit_question, prompt_key
from bot.bank.limits import MAX_SERVER_QUESTIONS, PAGE_SIZE, too_many_own
from bot.bank.static import StaticQuestionBank
from bot.domain.model import FieldProblem, PlayerKey, Question, QuestionDraft, ServerKey
from bot.domain.records import (
    BundledOverview,
    BundledPart,
    ImportRefused,
    ImportResult,
    ListedQuestion,
    QuestionPage,
    Switch,
    SwitchedOff,
)
from bot.ports import CustomQuestionStore


@dataclass(frozen=True, slots=True)
class _ServerView:
    """What one server has: its own questions and what it switched off.

    The questions it may be asked are worked out per call, not kept: a copy of
    a 10,000-question bank for each of a thousand servers would be 80 MB.
    """

    own: tuple[Question, ...]
    off: SwitchedOff

    def bundled(self, static: StaticQuestionBank) -> tuple[Question, ...]:
        """The bundled questions, less those an own question of the same id shadows."""
        if not self.own:
            return static.all_questions
        own_ids = {q.id for q in self.own}
        return tuple(q for q in static.all_questions if q.id not in own_ids)


_NOTHING_OFF = SwitchedOff()


class ServerQuestionBank:
    def __init__(self, static: StaticQuestionBank, store: CustomQuestionStore) -> None:
        self._static = static
        self._store = store
        self._views: dict[ServerKey, _ServerView] = {}
        self._locks: dict[ServerKey, asyncio.Lock] = {}
        # Bumped by every forget: a view read while it moved is not cached,
        # since the reads may have missed the change that moved it.
        self._generation = 0

    @property
    def static(self) -> StaticQuestionBank:
        return self._static

    def replace_static(self, static: StaticQuestionBank) -> None:
        """Serve ``static`` (a reloaded set of bank files) from now on.

        Games already running keep the questions they drew; the next game
        draws from the new banks.  Every server's cached view is dropped too,
        so changes made meanwhile by another process (``trivia-bot questions
        import`` on the same database) are read again.
        """
        self._static = static
        self.forget_all()

    def forget(self, server: ServerKey) -> None:
        """Read ``server``'s questions and switches from the store again next time."""
        self._generation += 1
        self._views.pop(server, None)

    def forget_all(self) -> None:
        """Read every server's questions and switches from the store again (another
        process may have changed them)."""
        self._generation += 1
        self._views.clear()

    # -- QuestionBank ----------------------------------------------------------------

    async def questions(self, server: ServerKey) -> Sequence[Question]:
        """The questions ``server`` may be asked: bundled and own, less what it switched off."""
        view = await self._view(server)
        every = view.bundled(self._static) + view.own
        if view.off == _NOTHING_OFF:
            return every
        allows = view.off.allows
        return tuple(q for q in every if allows(q))

    async def custom_questions(self, server: ServerKey) -> tuple[Question, ...]:
        return (await self._view(server)).own

    async def _view(self, server: ServerKey) -> _ServerView:
        view = self._views.get(server)
        if view is None:
            generation = self._generation
            own = tuple(await self._store.custom_questions(server))
            off = await self._store.switched_off(server)
            view = _ServerView(own=own, off=off)
            if generation == self._generation:
                self._views[server] = view
        return view

    async def _every(self, server: ServerKey) -> tuple[Question, ...]:
        """Bundled and own, switched off or not: what ids and prompts must not repeat."""
        view = await self._view(server)
        return view.bundled(self._static) + view.own

    def _lock(self, server: ServerKey) -> asyncio.Lock:
        lock = self._locks.get(server)
        if lock is None:
            lock = self._locks[server] = asyncio.Lock()
        return lock

    # -- QuestionEditor: one question at a time ----------------------------------------

    async def add_question(
        self, server: ServerKey, draft: QuestionDraft, *, by: PlayerKey, at: datetime
    ) -> Question | tuple[FieldProblem, ...]:
        async with self._lock(server):
            view = await self._view(server)
            if len(view.own) >= MAX_SERVER_QUESTIONS:
                return (FieldProblem("prompt", _full_message()),)
            result = draft_to_question(draft, server=server, existing=await self._every(server))
            if isinstance(result, Question):
                try:
                    await self._store.save_custom_question(server, result, by=by, at=at)
                finally:
                    self.forget(server)
            return result

    async def edit_question(
        self,
        server: ServerKey,
        question_id: str,
        draft: QuestionDraft,
        *,
        fields: frozenset[str],
        by: PlayerKey,
        at: datetime,
    ) -> Question | tuple[FieldProblem, ...] | None:
        async with self._lock(server):
            own = {q.id: q for q in (await self._view(server)).own}
            current = own.get(question_id)
            if current is None:
                return None
            others = [q for q in await self._every(server) if q.id != question_id]
            result = edit_question(current, draft, fields=fields, server=server, others=others)
            if isinstance(result, Question) and result != current:
                try:
                    await self._store.save_custom_question(server, result, by=by, at=at)
                finally:
                    self.forget(server)
            return result

    async def remove_question(
        self, server: ServerKey, question_id: str, *, by: PlayerKey, at: datetime
    ) -> bool:
        async with self._lock(server):
            off = (await self._view(server)).off
            try:
                removed = await self._store.delete_custom_question(
                    server, question_id, by=by, at=at
                )
                if removed and question_id in off.questions:
                    # A question added again later under this id starts switched on.
                    await self._store.switch(
                        server, Switch.QUESTION, question_id, on=True, by=by, at=at
                    )
            finally:
                self.forget(server)
            return removed

    async def switch_question(
        self, server: ServerKey, question_id: str, *, on: bool, by: PlayerKey, at: datetime
    ) -> bool:
        async with self._lock(server):
            if not any(q.id == question_id for q in await self._every(server)):
                return False
            try:
                await self._store.switch(server, Switch.QUESTION, question_id, on=on, by=by, at=at)
            finally:
                self.forget(server)
            return True

    # -- QuestionEditor: whole files ------------------------------------------------------

    async def import_questions(
        self, server: ServerKey, questions: Sequence[Question], *, by: PlayerKey, at: datetime
    ) -> ImportResult | ImportRefused:
        async with self._lock(server):
            try:
                return await self._import(server, questions, by=by, at=at)
            finally:
                # Also after a failed write: what was saved before it is read back.
                self.forget(server)

    async def _import(
        self, server: ServerKey, questions: Sequence[Question], *, by: PlayerKey, at: datetime
    ) -> ImportResult | ImportRefused:
        own = {q.id: q for q in (await self._view(server)).own}
        plan = await self._plan_import(server, questions, own)
        # Checked before the first write: a file that would take the server past
        # its cap changes nothing (not the first 5,000 of it).
        if len(own) + len(plan.added) > MAX_SERVER_QUESTIONS:
            return ImportRefused(too_many_own(adds=len(plan.added), has=len(own)))
        for question in plan.writes:
            await self._store.save_custom_question(server, question, by=by, at=at)
        return ImportResult(
            added=tuple(plan.added), updated=tuple(plan.updated), skipped=tuple(plan.skipped)
        )

    async def _plan_import(
        self, server: ServerKey, questions: Sequence[Question], own: dict[str, Question]
    ) -> _ImportPlan:
        """What importing ``questions`` would do, question by question; writes nothing."""
        own = dict(own)
        bundled = {q.id for q in self._static.all_questions} - own.keys()
        prompts = {prompt_key(q.prompt): q.id for q in await self._every(server)}
        plan = _ImportPlan()
        for question in questions:
            if question.id in bundled:
                plan.skipped.append((question.id, "a bundled question already has this id"))
                continue
            key = prompt_key(question.prompt)
            same = prompts.get(key)
            if same is not None and same != question.id:
                plan.skipped.append((question.id, f"the same question is already here as {same!r}"))
                continue
            scoped = replace(question, scope=str(server), bank_id=f"server:{server}")
            if own.get(question.id) != scoped:  # unchanged: nothing to write
                plan.writes.append(scoped)
            (plan.updated if question.id in own else plan.added).append(question.id)
            own[question.id] = scoped
            prompts[key] = question.id
        return plan

    # -- QuestionEditor: what admins look at ---------------------------------------------

    async def find_question(self, server: ServerKey, question_id: str) -> ListedQuestion | None:
        view = await self._view(server)
        for question in view.own:
            if question.id == question_id:
                history = (await self._store.question_history(server)).get(question_id)
                return ListedQuestion(question, True, view.off.allows(question), history)
        bundled = self._static.get(question_id)
        if bundled is None:
            return None
        return ListedQuestion(bundled, False, view.off.allows(bundled))

    async def list_questions(
        self, server: ServerKey, *, search: str, page: int, own_only: bool
    ) -> QuestionPage:
        """Own questions first (newest last), then bundled ones in bank order."""
        view = await self._view(server)
        pool = view.own if own_only else view.own + view.bundled(self._static)
        wanted = search.strip().casefold()
        if wanted:
            pool = tuple(q for q in pool if wanted in _haystack(q))
        pages = max(1, -(-len(pool) // PAGE_SIZE))
        page = min(max(page, 1), pages)
        shown = pool[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        own = set(map(id, view.own))  # by identity: a bundled one may share an own one's id
        items = tuple(ListedQuestion(q, id(q) in own, view.off.allows(q)) for q in shown)
        return QuestionPage(
            items=items,
            page=page,
            pages=pages,
            total=len(pool),
            search=search.strip(),
            own_only=own_only,
        )

    async def bundled_overview(self, server: ServerKey) -> BundledOverview:
        off = (await self._view(server)).off
        banks = tuple(
            BundledPart(
                name=bank.info.id,
                title=bank.info.title,
                questions=len(bank.questions),
                on=bank.info.id not in off.banks,
            )
            for bank in self._static.banks
        )
        counts = Counter(q.category for q in self._static.all_questions)
        categories = tuple(
            BundledPart(
                name=name, title=name, questions=count, on=name.casefold() not in off.categories
            )
            for name, count in sorted(counts.items(), key=lambda item: item[0].casefold())
        )
        return BundledOverview(banks=banks, categories=categories)

    async def switch_bundled(
        self,
        server: ServerKey,
        kind: Switch,
        name: str,
        *,
        on: bool,
        by: PlayerKey,
        at: datetime,
    ) -> str | None:
        wanted = name.strip().casefold()
        if kind is Switch.BANK:
            names = [bank.info.id for bank in self._static.banks]
        elif kind is Switch.CATEGORY:
            names = sorted({q.category for q in self._static.all_questions})
        else:
            raise ValueError(f"switch_bundled switches banks and categories, not {kind}")
        found = next((n for n in names if n.casefold() == wanted), None)
        if found is None:
            return None
        key = found if kind is Switch.BANK else found.casefold()
        async with self._lock(server):
            try:
                await self._store.switch(server, kind, key, on=on, by=by, at=at)
            finally:
                self.forget(server)
        return found


def _haystack(question: Question) -> str:
    return " ".join((question.id, question.prompt, question.category, *question.answers)).casefold()


@dataclass(slots=True)
class _ImportPlan:
    """What an import will write, and what it tells the admin."""

    writes: list[Question] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _full_message() -> str:
    return (
        f"This server already has {MAX_SERVER_QUESTIONS:,} questions of its own, the most it "
        "can keep; remove some first."
    )
