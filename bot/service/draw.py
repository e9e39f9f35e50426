"""Drawing a game's questions: the no-repeat rule.

A server is not asked a question again until every question matching the
game's filter has been asked; then that pool starts over, leaving out what the
new game already has.  The history is the store's (``asked_questions``), so it
survives restarts.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from bot.domain.model import GameOptions, Question, ServerKey
from bot.ports import QuestionBank, ScoreStore


class QuestionDraw:
    """Picks the questions of a game from a server's pool (see the module docstring)."""

    def __init__(self, *, bank: QuestionBank, store: ScoreStore, rng: random.Random) -> None:
        self._bank = bank
        self._store = store
        self._rng = rng

    async def questions(
        self, server: ServerKey, options: GameOptions
    ) -> tuple[list[Question], str | None]:
        """Pick the game's questions: never one the server has already seen
        until every question matching this filter has been asked."""
        wanted = options.filter
        pool = [q for q in await self._bank.questions(server) if wanted.matches(q)]
        if not pool:
            return [], await self._nothing_matches(server, options)
        ids = [q.id for q in pool]
        asked = await self._store.asked_questions(server, ids)
        fresh = [q for q in pool if q.id not in asked]
        self._rng.shuffle(fresh)
        chosen = fresh[: options.rounds]
        if len(chosen) < options.rounds and len(chosen) < len(pool):
            # The pool is used up: start it over, leaving out what this game has.
            await self._store.forget_asked(server, ids)
            taken = {q.id for q in chosen}
            rest = [q for q in pool if q.id not in taken]
            self._rng.shuffle(rest)
            chosen += rest[: options.rounds - len(chosen)]
        return chosen, None

    async def one(
        self, server: ServerKey, wanted: Callable[[Question], bool]
    ) -> tuple[Question | None, list[Question]]:
        """One question of the server's pool that ``wanted`` accepts, by the same rule
        (the daily question): one not asked yet, else the pool starts over.  Also the
        whole pool, so that a caller finding nothing can say what there is."""
        every = list(await self._bank.questions(server))
        pool = [q for q in every if wanted(q)]
        if not pool:
            return None, every
        ids = [q.id for q in pool]
        asked = await self._store.asked_questions(server, ids)
        fresh = [q for q in pool if q.id not in asked]
        if not fresh:
            await self._store.forget_asked(server, ids)
            fresh = pool
        return self._rng.choice(fresh), every

    async def _nothing_matches(self, server: ServerKey, options: GameOptions) -> str:
        every = await self._bank.questions(server)
        if not every:
            return "There are no questions loaded for this server."
        what = []
        if options.category:
            what.append(f"category {options.category!r}")
        if options.tags:
            what.append("tags " + ", ".join(options.tags))
        if options.difficulty:
            what.append(f"difficulty {options.difficulty}")
        if options.mode.value == "choice":
            what.append("options to choose from (choice mode)")
        categories = ", ".join(sorted({q.category for q in every}))
        return f"No questions match {' and '.join(what)}. Categories here: {categories}."
