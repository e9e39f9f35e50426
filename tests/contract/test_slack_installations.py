"""Contract: the Slack app's installations, OAuth states and seen events on SQLite and
PostgreSQL (``bot.ports.SlackInstallStore``), each race run on two handles of one database,
and on the memory double other tests use (``tests/fake_slack_store.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.ports import SlackInstallStore as SlackStore
from bot.slack_installations import InstallationKey, RotatedTokens, SlackInstallation
from bot.storage.sql_store import SqlScoreStore
from tests.contract.conftest import BACKENDS, Backend
from tests.fake_slack_store import MemorySlackStore

AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def workspace(
    team: str = "T0BETA", *, enterprise: str | None = None, **changes: object
) -> SlackInstallation:
    installation = SlackInstallation(
        enterprise_id=enterprise,
        team_id=team,
        bot_user_id=f"U0{team}BOT",
        bot_id=f"B0{team}",
        bot_token=f"xoxb-{team}-1",
        bot_scopes=("channels:history", "chat:write", "commands"),
        app_id="A0TRIVIA",
        team_name=team.title(),
        installer_user_id=f"U0{team}OWNER",
        installed_at=AT,
    )
    return replace(installation, **changes)  # type: ignore[arg-type]


def org_wide(enterprise: str = "E0ACME") -> SlackInstallation:
    return SlackInstallation(
        enterprise_id=enterprise,
        team_id=None,
        is_enterprise_install=True,
        bot_user_id="W0ACMEBOT",
        bot_id="B0ACME",
        bot_token="xoxb-acme-org",
        bot_scopes=("chat:write",),
        enterprise_name="Acme",
        installer_user_id="W0ADMIN",
        installed_at=AT,
    )


def rotating(team: str = "T0ROT") -> SlackInstallation:
    return workspace(
        team,
        bot_token="xoxe.xoxb-1-first",
        bot_refresh_token="xoxe-1-first-refresh",
        bot_token_expires_at=AT + timedelta(hours=12),
    )


@pytest.fixture(params=["sqlite", "postgres", "memory"])
def slack_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend | None:
    """The SQL backends, and None for ``tests.fake_slack_store.MemorySlackStore``."""
    return None if request.param == "memory" else BACKENDS[request.param](request, tmp_path)


@pytest.fixture
async def two(slack_backend: Backend | None) -> AsyncIterator[tuple[SlackStore, SlackStore]]:
    """Two handles on one database: two replicas (the memory double's one object twice)."""
    if slack_backend is None:
        memory = MemorySlackStore(SystemClock())
        yield memory, memory
        return
    first, second = await slack_backend.open(), await slack_backend.open()
    assert isinstance(first, SqlScoreStore)
    assert isinstance(second, SqlScoreStore)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


@pytest.fixture
def store(two: tuple[SlackStore, SlackStore]) -> SlackStore:
    return two[0]


# -- installations --------------------------------------------------------------------


async def test_a_saved_workspace_installation_is_found_as_it_was_saved(
    store: SlackStore,
) -> None:
    saved = rotating()
    await store.save_slack_installation(saved)

    assert await store.find_slack_installation(None, "T0ROT") == saved
    assert await store.find_slack_installation(None, "T0OTHER") is None


async def test_installing_again_replaces_the_installation(store: SlackStore) -> None:
    await store.save_slack_installation(workspace())
    again = workspace(bot_token="xoxb-T0BETA-2", installed_at=AT + timedelta(days=1))
    await store.save_slack_installation(again)

    assert await store.find_slack_installation(None, "T0BETA") == again
    assert await store.slack_installations() == [again]


async def test_an_org_wide_install_serves_every_workspace_of_its_org(
    store: SlackStore,
) -> None:
    org = org_wide()
    await store.save_slack_installation(org)

    assert await store.find_slack_installation("E0ACME", "T0EAST") == org
    assert await store.find_slack_installation("E0ACME", "T0WEST") == org
    assert await store.find_slack_installation("E0ACME", None) == org
    assert (
        await store.find_slack_installation("E0ACME", "T0EAST", is_enterprise_install=True) == org
    )
    assert await store.find_slack_installation("E0OTHER", "T0EAST") is None
    assert await store.find_slack_installation(None, "T0EAST") is None


async def test_a_grid_workspaces_own_install_comes_before_its_orgs(store: SlackStore) -> None:
    org, east = org_wide(), workspace("T0EAST", enterprise="E0ACME")
    await store.save_slack_installation(org)
    await store.save_slack_installation(east)

    assert await store.find_slack_installation("E0ACME", "T0EAST") == east
    assert await store.find_slack_installation("E0ACME", "T0WEST") == org
    assert (
        await store.find_slack_installation("E0ACME", "T0EAST", is_enterprise_install=True) == org
    )
    assert [i.key for i in await store.slack_installations()] == [
        InstallationKey("E0ACME", None),
        InstallationKey("E0ACME", "T0EAST"),
    ]


async def test_a_workspace_that_joined_an_org_is_still_served_by_its_own_install(
    store: SlackStore,
) -> None:
    before = workspace("T0EAST")  # installed while outside any org
    await store.save_slack_installation(before)
    assert await store.find_slack_installation("E0ACME", "T0EAST") == before
    await store.save_slack_installation(org_wide())
    assert await store.find_slack_installation("E0ACME", "T0EAST") == before
    assert await store.find_slack_installation("E0ACME", "T0WEST") == org_wide()
    assert await store.find_slack_installation("E0OTHER", "T0WEST") is None


async def test_deleting_removes_exactly_that_installation(store: SlackStore) -> None:
    org, east, beta = org_wide(), workspace("T0EAST", enterprise="E0ACME"), workspace()
    for installation in (org, east, beta):
        await store.save_slack_installation(installation)

    assert await store.delete_slack_installation(east.key)
    assert not await store.delete_slack_installation(east.key)
    assert await store.find_slack_installation("E0ACME", "T0EAST") == org  # the org's again
    assert await store.delete_slack_installation(org.key)
    assert await store.find_slack_installation("E0ACME", "T0EAST") is None
    assert await store.slack_installations() == [beta]


async def test_rotated_tokens_are_stored_only_over_the_refresh_token_they_replace(
    two: tuple[SlackStore, SlackStore],
) -> None:
    first, second = two
    await first.save_slack_installation(rotating())
    key = InstallationKey(None, "T0ROT")
    new = RotatedTokens("xoxe.xoxb-1-second", "xoxe-1-second-refresh", AT + timedelta(hours=24))
    late = RotatedTokens("xoxe.xoxb-1-late", "xoxe-1-late-refresh", AT + timedelta(hours=25))

    assert await first.swap_slack_tokens(
        key, spent_refresh_token="xoxe-1-first-refresh", tokens=new
    )
    assert not await second.swap_slack_tokens(
        key, spent_refresh_token="xoxe-1-first-refresh", tokens=late
    )
    assert not await second.swap_slack_tokens(
        InstallationKey(None, "T0GONE"), spent_refresh_token="xoxe-1-second-refresh", tokens=late
    )

    found = await second.find_slack_installation(None, "T0ROT")
    assert found is not None
    assert (found.bot_token, found.bot_refresh_token, found.bot_token_expires_at) == (
        "xoxe.xoxb-1-second",
        "xoxe-1-second-refresh",
        AT + timedelta(hours=24),
    )


# -- OAuth states -----------------------------------------------------------------------


async def test_a_state_is_consumed_once_whoever_asks(
    two: tuple[SlackStore, SlackStore],
) -> None:
    first, second = two
    await first.issue_oauth_state("state-1", ttl=600)

    consumed = await asyncio.gather(
        *(store.consume_oauth_state("state-1") for store in (first, second) * 4)
    )

    assert sorted(consumed) == [False] * 7 + [True]
    assert not await first.consume_oauth_state("state-1")


async def test_a_state_never_issued_is_refused(store: SlackStore) -> None:
    assert not await store.consume_oauth_state("forged")


async def test_an_expired_state_is_refused(store: SlackStore) -> None:
    await store.issue_oauth_state("slow", ttl=0.001)
    await store.issue_oauth_state("quick", ttl=600)
    await asyncio.sleep(0.01)

    assert not await store.consume_oauth_state("slow")
    assert await store.consume_oauth_state("quick")


# -- seen events ------------------------------------------------------------------------


async def test_an_event_is_seen_first_exactly_once(store: SlackStore) -> None:
    assert await store.first_sighting("Ev01", keep=600)
    assert not await store.first_sighting("Ev01", keep=600)
    assert await store.first_sighting("Ev02", keep=600)


async def test_of_two_replicas_racing_for_an_event_exactly_one_sees_it_first(
    two: tuple[SlackStore, SlackStore],
) -> None:
    for n in range(10):
        event = f"Ev{n:03d}"
        firsts = await asyncio.gather(
            *(store.first_sighting(event, keep=600) for store in (*two, *two))
        )
        assert sorted(firsts) == [False, False, False, True], event


async def test_an_event_is_new_again_once_its_keep_has_passed(store: SlackStore) -> None:
    assert await store.first_sighting("Ev01", keep=0.001)
    await asyncio.sleep(0.01)
    assert await store.first_sighting("Ev01", keep=600)
    assert not await store.first_sighting("Ev01", keep=600)


async def test_pruning_forgets_only_expired_states_and_events(store: SlackStore) -> None:
    await store.issue_oauth_state("old", ttl=0.001)
    await store.issue_oauth_state("fresh", ttl=600)
    assert await store.first_sighting("EvOld", keep=0.001)
    assert await store.first_sighting("EvFresh", keep=600)
    await asyncio.sleep(0.01)

    assert await store.prune_slack_rows() == 2
    assert await store.prune_slack_rows() == 0

    assert await store.consume_oauth_state("fresh")
    assert not await store.first_sighting("EvFresh", keep=600)


async def test_states_and_events_need_a_positive_lifetime(store: SlackStore) -> None:
    with pytest.raises(ValueError, match="ttl"):
        await store.issue_oauth_state("s", ttl=0)
    with pytest.raises(ValueError, match="keep"):
        await store.first_sighting("Ev01", keep=-1)
