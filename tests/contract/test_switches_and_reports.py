"""Contract: what servers switch off, players' reports, and questions' history."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.model import ChannelKey, PlayerKey, Question, ServerKey
from bot.domain.records import (
    ReportDraft,
    ReportKind,
    Resolution,
    Switch,
    SwitchedOff,
)
from bot.ports import TriviaStore
from tests.contract.conftest import Backend

DISCORD = ServerKey("discord", "111")
SLACK = ServerKey("slack", "111")
ADMIN = PlayerKey("discord", "111", "admin-1")
OTHER_ADMIN = PlayerKey("discord", "111", "admin-2")
AT = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)
CLIMB = Question(id="climb", prompt="Where did he climb?", answers=("Moab",), scope="discord:111")


def draft(
    question_id: str = "sky", *, server: ServerKey = DISCORD, at: datetime = AT
) -> ReportDraft:
    return ReportDraft(
        server=server,
        channel=ChannelKey(server.platform, server.server, "chan-1"),
        question_id=question_id,
        prompt="What colour is the sky?",
        kind=ReportKind.UNCLEAR,
        reason="Which sky? At night it is black.",
        reporter=PlayerKey(server.platform, server.server, "player-1"),
        reporter_name="Max",
        at=at,
    )


async def test_nothing_is_switched_off_at_first(store: TriviaStore) -> None:
    assert await store.switched_off(DISCORD) == SwitchedOff()


async def test_switches_are_per_server_and_can_be_undone(store: TriviaStore) -> None:
    await store.switch(DISCORD, Switch.QUESTION, "sky", on=False, by=ADMIN, at=AT)
    await store.switch(DISCORD, Switch.CATEGORY, "stunts", on=False, by=ADMIN, at=AT)
    await store.switch(DISCORD, Switch.BANK, "mission-impossible-2", on=False, by=ADMIN, at=AT)
    assert await store.switched_off(DISCORD) == SwitchedOff(
        questions=frozenset({"sky"}),
        categories=frozenset({"stunts"}),
        banks=frozenset({"mission-impossible-2"}),
    )
    assert await store.switched_off(SLACK) == SwitchedOff()
    await store.switch(DISCORD, Switch.CATEGORY, "stunts", on=True, by=ADMIN, at=AT)
    assert (await store.switched_off(DISCORD)).categories == frozenset()


async def test_a_filed_report_gets_an_id_and_is_open(store: TriviaStore) -> None:
    first = await store.file_report(draft())
    second = await store.file_report(draft("woo"))
    assert first.id != second.id
    assert first.resolution is None
    assert await store.open_reports(DISCORD) == [first, second]
    assert await store.open_reports(DISCORD, question_id="woo") == [second]
    assert await store.count_open_reports(DISCORD) == 2
    assert await store.get_report(DISCORD, first.id) == first


async def test_open_reports_can_be_narrowed_to_one_reporter(store: TriviaStore) -> None:
    mine = await store.file_report(draft("sky"))
    other = replace(draft("sky"), reporter=PlayerKey("discord", "111", "player-2"))
    theirs = await store.file_report(other)
    player = mine.draft.reporter
    assert await store.open_reports(DISCORD, reporter=player) == [mine]
    assert await store.open_reports(DISCORD, question_id="sky", reporter=player) == [mine]
    assert await store.open_reports(DISCORD, question_id="woo", reporter=player) == []
    assert await store.count_open_reports(DISCORD, reporter=player) == 1
    assert await store.count_open_reports(DISCORD) == 2
    await store.resolve_reports(DISCORD, [mine.id], Resolution.DISMISSED, by=ADMIN, at=AT)
    assert await store.count_open_reports(DISCORD, reporter=player) == 0
    assert await store.open_reports(DISCORD) == [theirs]


async def test_reports_belong_to_their_server(store: TriviaStore) -> None:
    mine = await store.file_report(draft())
    await store.file_report(draft(server=SLACK))
    assert await store.open_reports(DISCORD) == [mine]
    assert await store.get_report(SLACK, mine.id) is None


async def test_resolving_closes_only_open_reports_and_keeps_who(store: TriviaStore) -> None:
    report = await store.file_report(draft())
    later = AT + timedelta(hours=2)
    await store.resolve_reports(DISCORD, [report.id], Resolution.DISMISSED, by=ADMIN, at=later)
    await store.resolve_reports(DISCORD, [report.id], Resolution.EDITED, by=OTHER_ADMIN, at=later)
    closed = await store.get_report(DISCORD, report.id)
    assert closed is not None
    assert closed.resolution is Resolution.DISMISSED
    assert closed.resolved_by == ADMIN.user
    assert closed.resolved_at == later
    assert await store.open_reports(DISCORD) == []
    assert await store.count_open_reports(DISCORD) == 0


async def test_resolving_in_another_server_changes_nothing(store: TriviaStore) -> None:
    report = await store.file_report(draft())
    await store.resolve_reports(SLACK, [report.id], Resolution.DISMISSED, by=ADMIN, at=AT)
    assert await store.open_reports(DISCORD) == [report]


async def test_open_reports_are_oldest_first_and_limited(store: TriviaStore) -> None:
    filed = [
        await store.file_report(draft(f"q{n}", at=AT + timedelta(minutes=n))) for n in range(5)
    ]
    assert await store.open_reports(DISCORD, limit=3) == filed[:3]


async def test_history_says_who_added_and_last_changed_a_question(store: TriviaStore) -> None:
    await store.save_custom_question(DISCORD, CLIMB, by=ADMIN, at=AT)
    later = AT + timedelta(days=1)
    await store.save_custom_question(DISCORD, CLIMB, by=OTHER_ADMIN, at=later)
    history = (await store.question_history(DISCORD))["climb"]
    assert (history.added_by, history.added_at) == (ADMIN.user, AT)
    assert (history.changed_by, history.changed_at) == (OTHER_ADMIN.user, later)
    await store.delete_custom_question(DISCORD, "climb", by=ADMIN, at=later)
    assert await store.question_history(DISCORD) == {}


async def test_switches_and_reports_survive_a_reopen(backend: Backend) -> None:
    store = await backend.open()
    await store.switch(DISCORD, Switch.QUESTION, "sky", on=False, by=ADMIN, at=AT)
    report = await store.file_report(draft())
    await store.close()
    again = await backend.open()
    try:
        assert (await again.switched_off(DISCORD)).questions == frozenset({"sky"})
        assert await again.open_reports(DISCORD) == [report]
    finally:
        await again.close()
