"""Admins curate their server's questions; players report bad ones.

Every platform sends the same commands, so these transcripts are the rules;
the adapters' tests check only that they are carried there and back.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.bank import StaticQuestionBank, load_bank_text
from bot.bank.limits import (
    MAX_OPEN_REPORTS_PER_PLAYER,
    MAX_REPORT_REASON,
    MAX_SEARCH,
    MAX_SERVER_QUESTIONS,
    PAGE_SIZE,
)
from bot.domain.commands import (
    AddQuestion,
    DismissReport,
    EditQuestion,
    ExportQuestions,
    ImportQuestions,
    ListQuestions,
    ListReports,
    RemoveQuestion,
    ReportQuestion,
    ShowBundled,
    ShowQuestion,
    SkipQuestion,
    StartGame,
    StopGame,
    SwitchBundled,
    SwitchQuestion,
)
from bot.domain.events import (
    BundledShown,
    DraftRejected,
    QuestionAdded,
    QuestionAsked,
    QuestionEdited,
    QuestionRemoved,
    QuestionsExported,
    QuestionShown,
    QuestionsImported,
    QuestionsListed,
    QuestionSwitched,
    Refusal,
    Rejected,
    ReportDismissed,
    ReportFiled,
    ReportsListed,
)
from bot.domain.model import ChannelKey, GameOptions, Question, QuestionDraft, QuestionType
from bot.domain.records import (
    ReportKind,
    Resolution,
    Switch,
)
from tests.fakes import CHANNEL, SERVER, player
from tests.harness import ServiceHarness, build_service

BANKS = (
    """
id: films
title: Films
questions:
  - {id: woo, prompt: Who directed Mission Impossible 2?, answers: [John Woo], category: Film}
  - {id: cams, prompt: How many cameras filmed the cliff?, answers: [5], type: number,
     category: Stunts, tags: [cliff], source: {paragraph: 2, context: five cameras}}
""",
    """
id: nature
title: Nature
questions:
  - {id: sky, prompt: What colour is the sky?, answers: [blue], category: Nature}
  - {id: wet, prompt: Is water wet?, answers: [true], type: boolean, category: Nature}
""",
)
ADMIN = player("ada", admin=True)
MEMBER = player("max")
OTHER = ChannelKey("test", "guild-2", "general")
OTHER_ADMIN = player("oli", admin=True, server=OTHER.server_key)


@pytest.fixture
def service_harness() -> ServiceHarness:
    return build_service(
        bank_files={f"bank{i}.yaml": text for i, text in enumerate(BANKS)},
        server_questions=True,
        options=GameOptions(rounds=1, seconds=30, pause=0),
        seed=3,
        settle=False,
    )


async def add(h: ServiceHarness, prompt: str, answers: str = "yes", **fields: str) -> str:
    """An admin adds a question; its id."""
    draft = QuestionDraft(prompt=prompt, answers=answers, **fields)
    await h.send(AddQuestion(channel=CHANNEL, actor=ADMIN, draft=draft))
    return h.sink.last(QuestionAdded).question.id


async def ask_and_end(h: ServiceHarness, category: str) -> str:
    """Play a one-question game of ``category``; the id of the question asked."""
    await h.send(StartGame(channel=CHANNEL, actor=MEMBER, category=category, rounds=1))
    asked = h.sink.last(QuestionAsked).question.id
    await h.send(StopGame(channel=CHANNEL, actor=ADMIN))
    return asked


# -- edit ------------------------------------------------------------------------------


async def test_an_admin_edits_their_question_and_the_new_text_is_asked(h: ServiceHarness) -> None:
    qid = await add(h, "Which city hosted the climb?", "Moab", category="Places")
    edit = QuestionDraft(prompt="In which town was the climb?", answers="Moab\nMoab, Utah")
    await h.send(EditQuestion(CHANNEL, ADMIN, qid, edit, fields=frozenset({"prompt", "answers"})))
    edited = h.sink.last(QuestionEdited).question
    assert edited.id == qid
    assert edited.prompt == "In which town was the climb?"
    assert edited.answers == ("Moab", "Moab, Utah")
    assert edited.category == "Places"  # not a field of this edit: kept
    assert await ask_and_end(h, "Places") == qid
    assert h.sink.last(QuestionAsked).question.prompt == "In which town was the climb?"


async def test_an_edit_keeps_tags_source_and_number_type(h: ServiceHarness) -> None:
    (cams,) = (q for q in load_bank_text(BANKS[0], path="f.yaml").questions if q.id == "cams")
    h.bank.replace_static(StaticQuestionBank([load_bank_text(BANKS[1], path="n.yaml")]))
    await h.send(ImportQuestions(CHANNEL, ADMIN, "mine.yaml", (replace(cams, id="my-cams"),)))
    draft = QuestionDraft(prompt="How many cameras filmed the cliffside?", answers="5")
    await h.send(EditQuestion(CHANNEL, ADMIN, "my-cams", draft, fields=frozenset({"prompt"})))
    edited = h.sink.last(QuestionEdited).question
    assert edited.type is QuestionType.NUMBER
    assert edited.tags == ("cliff",)
    assert edited.source is not None
    assert edited.source.paragraph == 2


async def test_a_bad_edit_gets_its_problems_and_changes_nothing(h: ServiceHarness) -> None:
    qid = await add(h, "Which city hosted the climb?", "Moab")
    bad = QuestionDraft(prompt="", answers="")
    await h.send(EditQuestion(CHANNEL, ADMIN, qid, bad))
    assert {p.field for p in h.sink.last(DraftRejected).problems} >= {"prompt", "answers"}
    assert h.store.custom[SERVER][qid].prompt == "Which city hosted the climb?"


async def test_an_edit_may_not_copy_another_question(h: ServiceHarness) -> None:
    qid = await add(h, "Which city hosted the climb?", "Moab")
    copy = QuestionDraft(prompt="What colour is the sky?", answers="blue")
    await h.send(EditQuestion(CHANNEL, ADMIN, qid, copy, fields=frozenset({"prompt"})))
    assert "already has that question (id 'sky')" in h.sink.last(DraftRejected).problems[0].message


async def test_bundled_questions_cannot_be_edited_only_switched_off(h: ServiceHarness) -> None:
    await h.send(EditQuestion(CHANNEL, ADMIN, "sky", QuestionDraft("Sky?", "blue")))
    refused = h.sink.last(Rejected)
    assert refused.reason is Refusal.BAD_OPTION
    assert "'sky' is a bundled question" in refused.message
    assert refused.message.endswith("only switched off for this server (disable it).")


async def test_members_may_not_edit(h: ServiceHarness) -> None:
    qid = await add(h, "Which city hosted the climb?", "Moab")
    await h.send(EditQuestion(CHANNEL, MEMBER, qid, QuestionDraft("Hacked?", "yes")))
    assert h.sink.last(Rejected).reason is Refusal.NOT_ALLOWED
    assert h.store.custom[SERVER][qid].prompt == "Which city hosted the climb?"


# -- switch off and on ---------------------------------------------------------------


async def test_a_disabled_question_is_never_asked_until_enabled(h: ServiceHarness) -> None:
    await h.send(SwitchQuestion(CHANNEL, ADMIN, "sky", on=False))
    assert h.sink.last(QuestionSwitched).on is False
    await h.send(StartGame(channel=CHANNEL, actor=MEMBER, category="Nature", rounds=5))
    await h.send(StopGame(channel=CHANNEL, actor=ADMIN))
    asked = {e.question.id for e in h.sink.of(QuestionAsked)}
    assert asked == {"wet"}
    await h.send(SwitchQuestion(CHANNEL, ADMIN, "sky", on=True))
    assert h.sink.last(QuestionSwitched).on is True
    h.sink.clear()
    await h.send(StartGame(channel=CHANNEL, actor=MEMBER, category="Nature", rounds=2))
    await h.send(SkipQuestion(channel=CHANNEL, actor=ADMIN))
    await h.send(StopGame(channel=CHANNEL, actor=ADMIN))
    assert "sky" in {e.question.id for e in h.sink.of(QuestionAsked)}


async def test_a_removed_question_added_again_is_on(h: ServiceHarness) -> None:
    questions = load_bank_text(MINE, path="mine.yaml").questions
    await h.send(ImportQuestions(CHANNEL, ADMIN, "mine.yaml", questions))
    await h.send(SwitchQuestion(CHANNEL, ADMIN, "m-one", on=False))
    await h.send(RemoveQuestion(CHANNEL, ADMIN, "m-one"))
    await h.send(ImportQuestions(CHANNEL, ADMIN, "mine.yaml", questions))
    assert "m-one" in {q.id for q in await h.bank.questions(SERVER)}


async def test_switching_an_unknown_question_says_so(h: ServiceHarness) -> None:
    await h.send(SwitchQuestion(CHANNEL, ADMIN, "nope", on=False))
    assert "no question with id 'nope'" in h.sink.last(Rejected).message


async def test_a_switch_in_one_server_leaves_another_alone(h: ServiceHarness) -> None:
    await h.send(SwitchQuestion(CHANNEL, ADMIN, "sky", on=False))
    assert "sky" in {q.id for q in await h.bank.questions(OTHER.server_key)}
    assert "sky" not in {q.id for q in await h.bank.questions(SERVER)}


# -- bundled banks and categories ----------------------------------------------------


async def test_an_admin_sees_and_switches_bundled_categories_and_banks(h: ServiceHarness) -> None:
    await h.send(ShowBundled(CHANNEL, ADMIN))
    overview = h.sink.last(BundledShown).overview
    assert [(b.name, b.questions, b.on) for b in overview.banks] == [
        ("films", 2, True),
        ("nature", 2, True),
    ]
    assert [c.name for c in overview.categories] == ["Film", "Nature", "Stunts"]
    await h.send(SwitchBundled(CHANNEL, ADMIN, Switch.CATEGORY, "nature", on=False))
    shown = h.sink.last(BundledShown)
    assert shown.changed == "category Nature off"
    assert [c.on for c in shown.overview.categories] == [True, False, True]
    await h.send(SwitchBundled(CHANNEL, ADMIN, Switch.BANK, "films", on=False))
    assert await h.bank.questions(SERVER) == ()
    await h.send(StartGame(channel=CHANNEL, actor=MEMBER))
    assert h.sink.last(Rejected).reason is Refusal.NO_QUESTIONS


async def test_a_category_switched_off_leaves_the_servers_own_questions_in(
    h: ServiceHarness,
) -> None:
    qid = await add(h, "Is fog a cloud?", "yes", category="Nature")
    await h.send(SwitchBundled(CHANNEL, ADMIN, Switch.CATEGORY, "Nature", on=False))
    assert {q.id for q in await h.bank.questions(SERVER) if q.category == "Nature"} == {qid}


async def test_switching_an_unknown_category_names_the_real_ones(h: ServiceHarness) -> None:
    await h.send(SwitchBundled(CHANNEL, ADMIN, Switch.CATEGORY, "Sport", on=False))
    message = h.sink.last(Rejected).message
    assert "no bundled category called 'Sport'" in message
    assert "Film, Nature, Stunts" in message


async def test_members_may_not_switch_bundled_banks(h: ServiceHarness) -> None:
    await h.send(SwitchBundled(CHANNEL, MEMBER, Switch.BANK, "films", on=False))
    assert h.sink.last(Rejected).reason is Refusal.NOT_ALLOWED
    assert len(await h.bank.questions(SERVER)) == 4


# -- list and show --------------------------------------------------------------------


async def test_the_list_pages_own_questions_first_and_searches(h: ServiceHarness) -> None:
    for n in range(PAGE_SIZE + 2):
        await add(h, f"Question number {n} about stunts?")
    await h.send(SwitchQuestion(CHANNEL, ADMIN, "sky", on=False))
    await h.send(ListQuestions(CHANNEL, ADMIN))
    first = h.sink.last(QuestionsListed).page
    assert (first.page, first.pages, first.total) == (1, 2, PAGE_SIZE + 2 + 4)
    assert all(item.own for item in first.items)
    await h.send(ListQuestions(CHANNEL, ADMIN, page=99))
    last = h.sink.last(QuestionsListed).page
    assert last.page == 2
    assert [(i.question.id, i.own, i.enabled) for i in last.items][-2:] == [
        ("sky", False, False),
        ("wet", False, True),
    ]
    await h.send(ListQuestions(CHANNEL, ADMIN, search="JOHN woo"))
    assert [i.question.id for i in h.sink.last(QuestionsListed).page.items] == ["woo"]
    await h.send(ListQuestions(CHANNEL, ADMIN, search="sky", own_only=True))
    assert h.sink.last(QuestionsListed).page.total == 0


async def test_a_search_too_long_is_refused_with_the_limit(h: ServiceHarness) -> None:
    await h.send(ListQuestions(CHANNEL, ADMIN, search="x" * (MAX_SEARCH + 1)))
    assert f"at most {MAX_SEARCH} characters" in h.sink.last(Rejected).message


async def test_show_tells_who_added_and_changed_a_question(h: ServiceHarness) -> None:
    qid = await add(h, "Which city hosted the climb?", "Moab")
    await h.clock.advance(60)
    await h.send(ShowQuestion(CHANNEL, ADMIN, qid))
    item = h.sink.last(QuestionShown).item
    assert item.own
    assert item.history is not None
    assert item.history.added_by == ADMIN.key.user
    await h.send(ShowQuestion(CHANNEL, ADMIN, "woo"))
    bundled = h.sink.last(QuestionShown).item
    assert not bundled.own
    assert bundled.history is None


async def test_members_may_not_list_questions(h: ServiceHarness) -> None:
    await h.send(ListQuestions(CHANNEL, MEMBER))
    assert h.sink.last(Rejected).reason is Refusal.NOT_ALLOWED
    assert not h.sink.of(QuestionsListed)


# -- import and export ----------------------------------------------------------------

MINE = """
id: mine
title: Mine
questions:
  - {id: m-one, prompt: First of mine?, answers: [one], tags: [x]}
  - {id: m-two, prompt: Second of mine?, answers: [two]}
"""


async def test_importing_the_same_file_twice_updates_instead_of_duplicating(
    h: ServiceHarness,
) -> None:
    questions = load_bank_text(MINE, path="mine.yaml").questions
    await h.send(ImportQuestions(CHANNEL, ADMIN, "mine.yaml", questions))
    first = h.sink.last(QuestionsImported).result
    assert first.added == ("m-one", "m-two")
    await h.send(ImportQuestions(CHANNEL, ADMIN, "mine.yaml", questions))
    second = h.sink.last(QuestionsImported).result
    assert (second.added, second.updated) == ((), ("m-one", "m-two"))
    assert list(h.store.custom[SERVER]) == ["m-one", "m-two"]
    assert h.store.custom[SERVER]["m-one"].tags == ("x",)


def numbered(count: int, *, start: int = 0, answer: str = "yes") -> tuple[Question, ...]:
    """``count`` distinct questions, ids ``n{start}`` onwards."""
    return tuple(
        Question(id=f"n{n}", prompt=f"Question number {n}?", answers=(answer,))
        for n in range(start, start + count)
    )


async def test_a_file_past_the_servers_cap_is_refused_whole(h: ServiceHarness) -> None:
    await h.send(ImportQuestions(CHANNEL, ADMIN, "big.yaml", numbered(6_000)))
    refusal = h.sink.last(Rejected)
    assert refusal.recipient == ADMIN.key
    assert "Nothing was imported" in refusal.message
    assert "adds 6,000 new questions" in refusal.message
    assert "already has 0 of its own" in refusal.message
    assert f"at most {MAX_SERVER_QUESTIONS:,}" in refusal.message
    assert "Split the file" in refusal.message
    assert "TRIVIA_QUESTIONS" in refusal.message
    assert not h.sink.of(QuestionsImported)
    assert not h.store.custom.get(SERVER)


async def test_the_cap_counts_what_the_server_has_and_what_the_file_updates(
    h: ServiceHarness,
) -> None:
    await h.send(ImportQuestions(CHANNEL, ADMIN, "first.yaml", numbered(4_990)))
    assert len(h.sink.last(QuestionsImported).result.added) == 4_990
    # 10 updated and 10 new: exactly the cap, accepted.
    updates_and_ten_new = numbered(20, start=4_980, answer="no")
    await h.send(ImportQuestions(CHANNEL, ADMIN, "second.yaml", updates_and_ten_new))
    result = h.sink.last(QuestionsImported).result
    assert (len(result.updated), len(result.added)) == (10, 10)
    assert len(h.store.custom[SERVER]) == MAX_SERVER_QUESTIONS
    # One more new one is refused, and the updates in that file are not made either.
    one_too_many = (*numbered(1, answer="maybe"), *numbered(1, start=MAX_SERVER_QUESTIONS))
    await h.send(ImportQuestions(CHANNEL, ADMIN, "third.yaml", one_too_many))
    assert "adds 1 new question and this server already has 5,000" in (
        h.sink.last(Rejected).message
    )
    assert h.store.custom[SERVER]["n0"].answers == ("yes",)
    assert len(h.store.custom[SERVER]) == MAX_SERVER_QUESTIONS


async def test_export_gives_a_bank_file_that_loads_back(h: ServiceHarness) -> None:
    await h.send(ExportQuestions(CHANNEL, ADMIN))
    assert h.sink.last(Rejected).reason is Refusal.NO_QUESTIONS
    questions = load_bank_text(MINE, path="mine.yaml").questions
    await h.send(ImportQuestions(CHANNEL, ADMIN, "mine.yaml", questions))
    await h.send(ExportQuestions(CHANNEL, ADMIN))
    exported = h.sink.last(QuestionsExported)
    assert exported.count == 2
    assert exported.filename == "export-test-guild-1.yaml"
    again = load_bank_text(exported.text, path=exported.filename)
    assert [(q.id, q.prompt, q.tags) for q in again.questions] == [
        (q.id, q.prompt, q.tags) for q in questions
    ]


async def test_one_servers_questions_are_never_asked_in_another(h: ServiceHarness) -> None:
    qid = await add(h, "Which city hosted the climb?", "Moab", category="Places")
    await h.send(StartGame(channel=OTHER, actor=OTHER_ADMIN, category="Places"))
    assert h.sink.last(Rejected).reason is Refusal.NO_QUESTIONS
    await h.send(ListQuestions(OTHER, OTHER_ADMIN, search="climb"))
    assert h.sink.last(QuestionsListed).page.total == 0
    await h.send(RemoveQuestion(OTHER, OTHER_ADMIN, qid))
    assert h.sink.last(Rejected).reason is Refusal.BAD_OPTION
    assert qid in h.store.custom[SERVER]


# -- reports --------------------------------------------------------------------------


async def test_a_player_reports_the_last_question_even_after_the_game(h: ServiceHarness) -> None:
    asked = await ask_and_end(h, "Film")
    await h.send(ReportQuestion(CHANNEL, MEMBER, ReportKind.UNCLEAR, reason="Which film?"))
    filed = h.sink.last(ReportFiled)
    assert filed.recipient == MEMBER.key
    assert filed.report.question_id == asked
    assert filed.report.draft.reporter_name == "max"
    assert await h.store.count_open_reports(SERVER) == 1


async def test_nothing_to_report_before_any_question(h: ServiceHarness) -> None:
    await h.send(ReportQuestion(CHANNEL, MEMBER))
    assert "no question to report" in h.sink.last(Rejected).message


async def test_a_player_reports_a_question_once(h: ServiceHarness) -> None:
    await ask_and_end(h, "Film")
    await h.send(ReportQuestion(CHANNEL, MEMBER))
    await h.send(ReportQuestion(CHANNEL, MEMBER))
    assert "already reported" in h.sink.last(Rejected).message
    assert len(h.store.reports) == 1


async def test_a_player_has_a_bounded_number_of_open_reports(h: ServiceHarness) -> None:
    for n in range(MAX_OPEN_REPORTS_PER_PLAYER):
        qid = await add(h, f"Own question number {n}?")
        await h.send(ReportQuestion(CHANNEL, MEMBER, question_id=qid))
    await h.send(ReportQuestion(CHANNEL, MEMBER, question_id="sky"))
    assert (
        f"You have {MAX_OPEN_REPORTS_PER_PLAYER} reports waiting" in h.sink.last(Rejected).message
    )
    await h.send(ReportQuestion(CHANNEL, ADMIN, question_id="sky"))  # others still can
    assert h.sink.last(ReportFiled).report.question_id == "sky"


async def test_a_long_reason_is_refused_with_the_limit(h: ServiceHarness) -> None:
    await ask_and_end(h, "Film")
    await h.send(ReportQuestion(CHANNEL, MEMBER, reason="x" * (MAX_REPORT_REASON + 1)))
    assert f"at most {MAX_REPORT_REASON} characters" in h.sink.last(Rejected).message
    assert h.store.reports == {}


async def test_a_report_from_a_reveal_button_names_its_question(h: ServiceHarness) -> None:
    await h.send(ReportQuestion(CHANNEL, MEMBER, question_id="sky"))
    assert h.sink.last(ReportFiled).report.draft.prompt == "What colour is the sky?"
    await h.send(ReportQuestion(CHANNEL, MEMBER, question_id="gone"))
    assert "no question with id 'gone'" in h.sink.last(Rejected).message


async def test_admins_list_reports_and_members_may_not(h: ServiceHarness) -> None:
    await h.send(ReportQuestion(CHANNEL, MEMBER, question_id="sky"))
    await h.send(ListReports(CHANNEL, MEMBER))
    assert h.sink.last(Rejected).reason is Refusal.NOT_ALLOWED
    await h.send(ListReports(CHANNEL, ADMIN))
    listed = h.sink.last(ReportsListed)
    assert listed.total == 1
    assert listed.reports[0].question_id == "sky"
    await h.send(ListReports(OTHER, OTHER_ADMIN))
    assert h.sink.last(ReportsListed).total == 0


async def test_disabling_a_reported_question_resolves_its_reports(h: ServiceHarness) -> None:
    await h.send(ReportQuestion(CHANNEL, MEMBER, question_id="sky"))
    await h.send(ReportQuestion(CHANNEL, ADMIN, question_id="sky"))
    await h.send(SwitchQuestion(CHANNEL, ADMIN, "sky", on=False))
    assert h.sink.last(QuestionSwitched).resolved == (1, 2)
    assert {r.resolution for r in h.store.reports.values()} == {Resolution.DISABLED}


async def test_editing_a_reported_question_resolves_its_reports(h: ServiceHarness) -> None:
    qid = await add(h, "Which city hosted the climb?", "Moab")
    await h.send(ReportQuestion(CHANNEL, MEMBER, question_id=qid, reason="It was Utah"))
    fix = QuestionDraft(prompt="", answers="Moab\nUtah")
    await h.send(EditQuestion(CHANNEL, ADMIN, qid, fix, fields=frozenset({"answers"})))
    assert h.sink.last(QuestionEdited).resolved == (1,)
    assert h.store.reports[1].resolution is Resolution.EDITED
    assert h.store.reports[1].resolved_by == ADMIN.key.user


async def test_an_edit_that_changes_nothing_leaves_reports_open(h: ServiceHarness) -> None:
    qid = await add(h, "Which city hosted the climb?", "Moab")
    await h.send(ReportQuestion(CHANNEL, MEMBER, question_id=qid))
    same = QuestionDraft(prompt="Which city hosted the climb?", answers="Moab")
    await h.send(EditQuestion(CHANNEL, ADMIN, qid, same, fields=frozenset({"prompt", "answers"})))
    assert h.sink.last(QuestionEdited).resolved == ()
    assert h.store.reports[1].resolution is None


async def test_removing_a_reported_question_resolves_its_reports(h: ServiceHarness) -> None:
    qid = await add(h, "Which city hosted the climb?", "Moab")
    await h.send(ReportQuestion(CHANNEL, MEMBER, question_id=qid))
    await h.send(RemoveQuestion(CHANNEL, ADMIN, qid))
    assert h.sink.last(QuestionRemoved).resolved == (1,)
    assert h.store.reports[1].resolution is Resolution.REMOVED


async def test_an_admin_dismisses_a_report_once(h: ServiceHarness) -> None:
    await h.send(ReportQuestion(CHANNEL, MEMBER, question_id="sky"))
    await h.send(DismissReport(CHANNEL, ADMIN, 1))
    dismissed = h.sink.last(ReportDismissed).report
    assert dismissed.resolution is Resolution.DISMISSED
    await h.send(DismissReport(CHANNEL, ADMIN, 1))
    assert "closed already" in h.sink.last(Rejected).message
    await h.send(DismissReport(OTHER, OTHER_ADMIN, 1))
    assert "not one of this server's" in h.sink.last(Rejected).message


async def test_a_report_number_out_of_range_is_refused_not_raised(h: ServiceHarness) -> None:
    await h.send(DismissReport(CHANNEL, ADMIN, 10**30))
    assert "not one of this server's" in h.sink.last(Rejected).message


async def test_show_lists_a_questions_open_reports(h: ServiceHarness) -> None:
    await h.send(ReportQuestion(CHANNEL, MEMBER, question_id="sky", reason="It is grey here"))
    await h.send(ShowQuestion(CHANNEL, ADMIN, "sky"))
    shown = h.sink.last(QuestionShown)
    assert [r.draft.reason for r in shown.reports] == ["It is grey here"]
