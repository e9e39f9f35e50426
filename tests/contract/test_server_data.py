"""Contract: each server's own questions and settings, for every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.model import (
    Difficulty,
    GameMode,
    PlayerKey,
    Question,
    QuestionType,
    SeasonLength,
    ServerKey,
    ServerSettings,
    SourceRef,
    StartPolicy,
)
from bot.ports import TriviaStore
from tests.contract.conftest import Backend

DISCORD = ServerKey("discord", "111")
SLACK = ServerKey("slack", "111")
ADMIN = PlayerKey("discord", "111", "admin-1")
AT = datetime(2025, 2, 15, 12, 0, tzinfo=UTC)

WOO = Question(
    id="who-directed-mi2",
    prompt="Who directed Mission: Impossible 2?",
    answers=("John Woo", "Woo"),
    type=QuestionType.CHOICE,
    choices=("John Woo", "Brian De Palma"),
    category="movies",
    difficulty=Difficulty.EASY,
    tags=("film",),
    hints=("His first name is John.",),
    explanation="John Woo directed it.",
    source=SourceRef(3, "Director John Woo"),
    bank_id="server:discord:111",
    scope="discord:111",
)


async def test_a_saved_question_comes_back_whole(store: TriviaStore) -> None:
    await store.save_custom_question(DISCORD, WOO, by=ADMIN, at=AT)
    assert await store.custom_questions(DISCORD) == [WOO]


async def test_questions_belong_to_their_server_only(store: TriviaStore) -> None:
    await store.save_custom_question(DISCORD, WOO, by=ADMIN, at=AT)
    assert await store.custom_questions(SLACK) == []
    assert await store.custom_questions(ServerKey("discord", "222")) == []


async def test_saving_the_same_id_replaces_the_question(store: TriviaStore) -> None:
    await store.save_custom_question(DISCORD, WOO, by=ADMIN, at=AT)
    edited = Question(**{**_fields(WOO), "prompt": "Who directed MI2?"})
    await store.save_custom_question(DISCORD, edited, by=ADMIN, at=AT + timedelta(hours=1))
    assert await store.custom_questions(DISCORD) == [edited]


async def test_removal_takes_a_question_out_of_play_and_reports_it(store: TriviaStore) -> None:
    await store.save_custom_question(DISCORD, WOO, by=ADMIN, at=AT)
    assert await store.delete_custom_question(DISCORD, WOO.id, by=ADMIN, at=AT)
    assert await store.custom_questions(DISCORD) == []
    assert not await store.delete_custom_question(DISCORD, WOO.id, by=ADMIN, at=AT)
    assert not await store.delete_custom_question(SLACK, WOO.id, by=ADMIN, at=AT)


async def test_a_removed_question_saved_again_is_back(store: TriviaStore) -> None:
    await store.save_custom_question(DISCORD, WOO, by=ADMIN, at=AT)
    await store.delete_custom_question(DISCORD, WOO.id, by=ADMIN, at=AT)
    await store.save_custom_question(DISCORD, WOO, by=ADMIN, at=AT)
    assert await store.custom_questions(DISCORD) == [WOO]


async def test_settings_default_until_saved_and_are_per_server(store: TriviaStore) -> None:
    assert await store.server_settings(DISCORD) == ServerSettings()
    chosen = ServerSettings(
        rounds=7,
        seconds=12.5,
        mode=GameMode.CHOICE,
        start_policy=StartPolicy.ROLE,
        starter_role="role-9",
        admin_role="role-1",
        season_length=SeasonLength.QUARTERLY,
    )
    await store.save_server_settings(DISCORD, chosen, by=ADMIN, at=AT)
    assert await store.server_settings(DISCORD) == chosen
    assert await store.server_settings(SLACK) == ServerSettings()
    await store.save_server_settings(DISCORD, ServerSettings(rounds=3), by=ADMIN, at=AT)
    assert await store.server_settings(DISCORD) == ServerSettings(rounds=3)


async def test_questions_and_settings_survive_a_reopen(backend: Backend) -> None:
    store = await backend.open()
    await store.save_custom_question(DISCORD, WOO, by=ADMIN, at=AT)
    await store.save_server_settings(DISCORD, ServerSettings(rounds=4), by=ADMIN, at=AT)
    await store.close()
    again = await backend.open()
    try:
        assert await again.custom_questions(DISCORD) == [WOO]
        assert (await again.server_settings(DISCORD)).rounds == 4
    finally:
        await again.close()


def _fields(question: Question) -> dict[str, object]:
    return {name: getattr(question, name) for name in Question.__dataclass_fields__}
