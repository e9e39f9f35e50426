"""One ``TriviaService`` to play against: a manual clock, a store in memory, a recording sink.

``build_service`` wires the service the way the service tests need it, each with a few
keyword options; ``ServiceHarness`` plays commands into it like a chat transcript. The
``h`` fixture of ``tests/unit/conftest.py`` yields one and shuts it down afterwards.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.bank import StaticQuestionBank, load_bank_text
from bot.bank.server_bank import ServerQuestionBank
from bot.clock import ManualClock
from bot.domain.commands import Command, StartGame, SubmitAnswer
from bot.domain.events import QuestionAsked
from bot.domain.model import Actor, ChannelKey, GameOptions, Question
from bot.ports import ScheduleStore
from bot.service.trivia import TriviaService
from tests.fakes import CHANNEL, ListBank, MemoryScoreStore, RecordingSink, player

ALICE = player("alice")


@dataclass
class ServiceHarness:
    service: TriviaService
    clock: ManualClock
    store: MemoryScoreStore
    sink: RecordingSink
    bank: ListBank | StaticQuestionBank | ServerQuestionBank
    # Whether ``send`` also lets the tasks a command started run until they block.
    settle: bool = True

    async def send(self, command: Command) -> None:
        await self.service.handle(command)
        if self.settle:
            await self.clock.settle()

    async def start(
        self, actor: Actor = ALICE, channel: ChannelKey = CHANNEL, **options: object
    ) -> None:
        await self.send(StartGame(channel=channel, actor=actor, **options))  # type: ignore[arg-type]

    async def say(self, actor: Actor, text: str, channel: ChannelKey = CHANNEL) -> None:
        await self.send(SubmitAnswer(channel=channel, actor=actor, text=text))

    def current(self, channel: ChannelKey = CHANNEL) -> QuestionAsked:
        """The last question asked in ``channel``."""
        return [e for e in self.sink.of(QuestionAsked) if e.channel == channel][-1]

    async def answer_current(self, actor: Actor, channel: ChannelKey = CHANNEL) -> None:
        await self.say(actor, self.current(channel).question.answer, channel)


def build_service(
    questions: Sequence[Question] = (),
    *,
    bank_files: Mapping[str, str] | None = None,
    server_questions: bool = False,
    store: MemoryScoreStore | None = None,
    options: GameOptions | None = None,
    seed: int | None = None,
    journal: bool = False,
    settle: bool = True,
    resume_within: float = 0.0,
    clock: ManualClock | None = None,
    schedules: ScheduleStore | None = None,
) -> ServiceHarness:
    """A service over ``questions`` (a ``ListBank``), or over ``bank_files`` (file name ->
    YAML text, loaded into a ``StaticQuestionBank``) when given.

    ``server_questions`` puts a ``ServerQuestionBank`` on the store over the bank files and
    gives the service what the question and admin desks need (editor, settings store,
    report store); without it those commands are refused. ``store`` shares one store between
    services (a restart); ``options`` are the service's defaults (``None``: the service's
    own); ``seed`` seeds its random draws (``None``: unseeded, the service's default);
    ``journal`` journals running games in the store; ``settle``: see ``ServiceHarness``;
    ``resume_within`` (with ``journal``) saves games to go on after a restart; ``clock``
    replaces the fresh ``ManualClock`` (a restart later on the wall clock); ``schedules``
    lets admins manage schedules there.
    """
    store = store if store is not None else MemoryScoreStore()
    bank: ListBank | StaticQuestionBank | ServerQuestionBank
    if bank_files is None:
        bank = ListBank(questions)
    else:
        bank = StaticQuestionBank(
            [load_bank_text(text, path=name) for name, text in bank_files.items()]
        )
    editor = None
    if server_questions:
        if not isinstance(bank, StaticQuestionBank):
            raise ValueError("server_questions needs bank_files")
        bank = editor = ServerQuestionBank(bank, store)
    clock = clock if clock is not None else ManualClock()
    sink = RecordingSink()
    service = TriviaService(
        bank=bank,
        store=store,
        clock=clock,
        sink=sink,
        defaults=options,
        rng=random.Random(seed) if seed is not None else None,
        editor=editor,
        settings_store=store if server_questions else None,
        reports=store if server_questions else None,
        journal=store if journal else None,
        resume_within=resume_within,
        schedules=schedules,
    )
    return ServiceHarness(service, clock, store, sink, bank, settle=settle)
