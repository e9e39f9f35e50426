"""Admins add and remove their own questions and set their server's defaults."""

from __future__ import annotations

import pytest

from bot.domain.commands import (
    AddQuestion,
    ChangeSettings,
    RemoveQuestion,
    ShowSettings,
    SkipQuestion,
    StartGame,
    StopGame,
)
from bot.domain.events import (
    DraftRejected,
    GameEnded,
    GameStarted,
    QuestionAdded,
    QuestionAsked,
    QuestionRemoved,
    Refusal,
    Rejected,
    SettingsShown,
)
from bot.domain.model import (
    Actor,
    ChannelKey,
    GameMode,
    GameOptions,
    QuestionDraft,
    StartPolicy,
)
from tests.fakes import CHANNEL, SERVER, player
from tests.harness import ServiceHarness, build_service

BANK = """
id: tiny
title: Tiny
questions:
  - {id: tiny-sky, prompt: What colour is the sky?, answers: [blue], category: nature}
"""
ADMIN = player("ada", admin=True)
MEMBER = player("max")
OTHER_SERVER = ChannelKey("test", "guild-2", "general")


@pytest.fixture
def service_harness() -> ServiceHarness:
    return build_service(
        bank_files={"tiny.yaml": BANK},
        server_questions=True,
        options=GameOptions(rounds=5, seconds=30, pause=0),
        seed=1,
        settle=False,
    )


DRAFT = QuestionDraft(
    prompt="Who directed Mission: Impossible 2?",
    answers="John Woo\nWoo",
    category="movies",
    difficulty="easy",
    explanation="John Woo directed it.",
)


async def test_an_admin_adds_a_question_and_it_is_asked(h: ServiceHarness) -> None:
    await h.send(AddQuestion(channel=CHANNEL, actor=ADMIN, draft=DRAFT))
    added = h.sink.last(QuestionAdded)
    assert added.recipient == ADMIN.key
    assert added.question.answers == ("John Woo", "Woo")
    assert added.question.scope == str(SERVER)
    await h.send(StartGame(channel=CHANNEL, actor=MEMBER, category="movies"))
    assert h.sink.last(QuestionAsked).question.id == added.question.id


async def test_a_member_may_not_add_questions(h: ServiceHarness) -> None:
    await h.send(AddQuestion(channel=CHANNEL, actor=MEMBER, draft=DRAFT))
    refused = h.sink.last(Rejected)
    assert refused.reason is Refusal.NOT_ALLOWED
    assert "Only admins can add questions" in refused.message
    assert h.store.custom[SERVER] == {}


async def test_a_bad_draft_gets_every_problem_by_field_and_changes_nothing(
    h: ServiceHarness,
) -> None:
    bad = QuestionDraft(prompt=" ", answers="", difficulty="impossible")
    await h.send(AddQuestion(channel=CHANNEL, actor=ADMIN, draft=bad))
    problems = {p.field for p in h.sink.last(DraftRejected).problems}
    assert problems == {"prompt", "answers", "difficulty"}
    one_option = QuestionDraft(prompt="Pick one", answers="a", choices="a")
    await h.send(AddQuestion(channel=CHANNEL, actor=ADMIN, draft=one_option))
    [problem] = h.sink.last(DraftRejected).problems
    assert problem.field == "choices"
    assert "give 2 to 6" in problem.message
    assert h.store.custom[SERVER] == {}


async def test_a_choice_draft_needs_its_answer_among_the_options(h: ServiceHarness) -> None:
    draft = QuestionDraft(prompt="Pick the red planet", answers="Mars", choices="Venus\nJupiter")
    await h.send(AddQuestion(channel=CHANNEL, actor=ADMIN, draft=draft))
    [problem] = h.sink.last(DraftRejected).problems
    assert problem.field == "answers"
    assert "not among the choices" in problem.message


async def test_the_same_question_twice_is_refused(h: ServiceHarness) -> None:
    await h.send(AddQuestion(channel=CHANNEL, actor=ADMIN, draft=DRAFT))
    await h.send(AddQuestion(channel=CHANNEL, actor=ADMIN, draft=DRAFT))
    [problem] = h.sink.last(DraftRejected).problems
    assert problem.field == "prompt"
    assert "already has that question" in problem.message


async def test_a_question_added_in_one_server_is_never_asked_in_another(h: ServiceHarness) -> None:
    await h.send(AddQuestion(channel=CHANNEL, actor=ADMIN, draft=DRAFT))
    await h.send(StartGame(channel=OTHER_SERVER, actor=player("x"), category="movies"))
    assert h.sink.last(Rejected).reason is Refusal.NO_QUESTIONS
    ids = {q.id for q in await h.bank.questions(OTHER_SERVER.server_key)}
    assert ids == {"tiny-sky"}


async def test_an_admin_removes_a_question_of_their_server(h: ServiceHarness) -> None:
    await h.send(AddQuestion(channel=CHANNEL, actor=ADMIN, draft=DRAFT))
    question_id = h.sink.last(QuestionAdded).question.id
    await h.send(RemoveQuestion(channel=CHANNEL, actor=ADMIN, question_id=question_id))
    assert h.sink.last(QuestionRemoved).question_id == question_id
    assert h.store.removed == [(SERVER, question_id, ADMIN.key)]
    assert question_id not in {q.id for q in await h.bank.questions(SERVER)}


async def test_a_bot_without_a_question_store_refuses_question_commands() -> None:
    bare = build_service(bank_files={"tiny.yaml": BANK})
    await bare.service.handle(AddQuestion(channel=CHANNEL, actor=ADMIN, draft=DRAFT))
    refused = bare.sink.last(Rejected)
    assert refused.reason is Refusal.NOT_NOW
    assert "no place to keep questions" in refused.message


async def test_bundled_questions_cannot_be_removed(h: ServiceHarness) -> None:
    await h.send(RemoveQuestion(channel=CHANNEL, actor=ADMIN, question_id="tiny-sky"))
    refused = h.sink.last(Rejected)
    assert "is a bundled question: it cannot be removed, only switched off" in refused.message


async def test_server_settings_become_the_defaults_of_new_games(h: ServiceHarness) -> None:
    await h.send(ChangeSettings(channel=CHANNEL, actor=ADMIN, rounds=1, seconds=12))
    shown = h.sink.last(SettingsShown)
    assert shown.changed
    assert shown.defaults.rounds == 1
    assert shown.defaults.seconds == 12
    await h.send(StartGame(channel=CHANNEL, actor=MEMBER))
    started = h.sink.last(GameStarted)
    assert started.options.seconds == 12
    assert started.total_questions == 1
    assert h.store.settings[SERVER].rounds == 1


async def test_settings_out_of_range_are_refused(h: ServiceHarness) -> None:
    await h.send(ChangeSettings(channel=CHANNEL, actor=ADMIN, seconds=1))
    assert h.sink.last(Rejected).reason is Refusal.BAD_OPTION
    await h.send(ShowSettings(channel=CHANNEL, actor=MEMBER))
    assert h.sink.last(SettingsShown).settings.seconds is None


async def test_only_admins_change_settings(h: ServiceHarness) -> None:
    await h.send(ChangeSettings(channel=CHANNEL, actor=MEMBER, mode=GameMode.CHOICE))
    assert h.sink.last(Rejected).reason is Refusal.NOT_ALLOWED


async def test_a_reset_puts_a_setting_back_to_the_default(h: ServiceHarness) -> None:
    await h.send(ChangeSettings(channel=CHANNEL, actor=ADMIN, rounds=2))
    await h.send(ChangeSettings(channel=CHANNEL, actor=ADMIN, reset=frozenset({"rounds"})))
    assert h.sink.last(SettingsShown).settings.rounds is None


async def test_when_only_admins_may_start_members_are_told_so(h: ServiceHarness) -> None:
    policy = StartPolicy.ADMINS
    await h.send(ChangeSettings(channel=CHANNEL, actor=ADMIN, start_policy=policy))
    await h.send(StartGame(channel=CHANNEL, actor=MEMBER))
    refused = h.sink.last(Rejected)
    assert refused.reason is Refusal.NOT_ALLOWED
    assert "only admins" in refused.message
    await h.send(StartGame(channel=CHANNEL, actor=ADMIN))
    assert h.sink.of(GameStarted)


async def test_a_starter_role_lets_its_members_start_games(h: ServiceHarness) -> None:
    await h.send(
        ChangeSettings(
            channel=CHANNEL, actor=ADMIN, start_policy=StartPolicy.ROLE, starter_role="quizzers"
        )
    )
    await h.send(StartGame(channel=CHANNEL, actor=MEMBER))
    assert h.sink.last(Rejected).reason is Refusal.NOT_ALLOWED
    quizzer = Actor(key=player("q").key, name="q", roles=frozenset({"quizzers"}))
    await h.send(StartGame(channel=CHANNEL, actor=quizzer))
    assert h.sink.of(GameStarted)


async def test_the_servers_admin_role_counts_as_admin(h: ServiceHarness) -> None:
    await h.send(ChangeSettings(channel=CHANNEL, actor=ADMIN, admin_role="trivia-mods"))
    await h.send(StartGame(channel=CHANNEL, actor=MEMBER))
    mod = Actor(key=player("m").key, name="m", roles=frozenset({"trivia-mods"}))
    await h.send(SkipQuestion(channel=CHANNEL, actor=mod))
    assert not [r for r in h.sink.of(Rejected) if r.recipient == mod.key]
    await h.send(StopGame(channel=CHANNEL, actor=mod))
    assert h.sink.of(GameEnded)
    await h.send(AddQuestion(channel=CHANNEL, actor=mod, draft=DRAFT))
    assert h.sink.of(QuestionAdded)
