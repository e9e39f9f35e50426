"""WorkspaceTokens: a bot token good for the margin, refreshed once per workspace, by one
task of one replica, the others taking its result (two replicas: two handles on one SQLite
file). Slack's side is a recording refresher; the clock is manual."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.adapters.slack.token_rotation import (
    NotInstalled,
    RefreshAnswer,
    TokenRefreshFailed,
    WorkspaceTokens,
    lease_name,
)
from bot.clock import ManualClock
from bot.slack_installations import InstallationKey, SlackInstallation
from bot.slack_tokens import TokenCipher
from bot.storage.sqlite.store import SqliteScoreStore, open_sqlite_store

CIPHER = TokenCipher([Fernet.generate_key().decode()])
BETA = InstallationKey(None, "T0BETA")
HOUR = 3600.0


@dataclass
class FakeRefresh:
    """Slack's oauth.v2.access for refresh tokens: each one works once."""

    spent: list[str] = field(default_factory=list)
    gate: asyncio.Event | None = None
    called: asyncio.Event = field(default_factory=asyncio.Event)
    fail: bool = False

    async def __call__(self, refresh_token: str) -> RefreshAnswer:
        self.called.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail or refresh_token in self.spent:
            raise TokenRefreshFailed(
                "Slack refused to refresh the bot token: invalid_refresh_token"
            )
        self.spent.append(refresh_token)
        n = len(self.spent) + 1
        return RefreshAnswer(f"xoxe.xoxb-1-T0BETA-{n}", f"xoxe-1-T0BETA-{n}-refresh", 12 * HOUR)


def rotating(clock: ManualClock, *, left: float) -> SlackInstallation:
    return SlackInstallation(
        enterprise_id=None,
        team_id="T0BETA",
        bot_user_id="U0BETABOT",
        bot_id="B0BETA",
        bot_token=CIPHER.seal("xoxe.xoxb-1-T0BETA-1"),
        bot_refresh_token=CIPHER.seal("xoxe-1-T0BETA-1-refresh"),
        bot_token_expires_at=clock.now() + timedelta(seconds=left),
        installed_at=clock.now(),
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[tuple[SqliteScoreStore, SqliteScoreStore]]:
    """Two replicas' handles on one database."""
    first = await open_sqlite_store(tmp_path / "trivia.db")
    second = await open_sqlite_store(tmp_path / "trivia.db")
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


def tokens_of(
    store: SqliteScoreStore, clock: ManualClock, refresh: FakeRefresh, holder: str = "replica-1"
) -> WorkspaceTokens:
    return WorkspaceTokens(
        store, cipher=CIPHER, refresh=refresh, clock=clock, holder=holder, margin=HOUR, poll=0.2
    )


async def until(probe: Callable[[], bool], what: str) -> None:
    """Wait (for the database's threads, never for the manual clock) until ``probe``."""
    try:
        async with asyncio.timeout(5):
            while True:
                if probe():
                    return
                await asyncio.sleep(0.001)
    except TimeoutError:
        pytest.fail(f"not within 5 s: {what}")


async def test_a_token_far_from_expiry_is_handed_out_without_a_refresh(
    stores: tuple[SqliteScoreStore, SqliteScoreStore], clock: ManualClock
) -> None:
    store, _ = stores
    await store.save_slack_installation(rotating(clock, left=2 * HOUR))
    refresh = FakeRefresh()

    token = await tokens_of(store, clock, refresh).bot_token(None, "T0BETA")

    assert token == "xoxe.xoxb-1-T0BETA-1"
    assert refresh.spent == []


async def test_a_token_within_the_margin_is_refreshed_and_the_new_pair_stored_sealed(
    stores: tuple[SqliteScoreStore, SqliteScoreStore], clock: ManualClock
) -> None:
    store, _ = stores
    await store.save_slack_installation(rotating(clock, left=HOUR - 1))
    refresh = FakeRefresh()

    token = await tokens_of(store, clock, refresh).bot_token(None, "T0BETA")

    assert token == "xoxe.xoxb-1-T0BETA-2"
    assert refresh.spent == ["xoxe-1-T0BETA-1-refresh"]
    stored = await store.find_slack_installation(None, "T0BETA")
    assert stored is not None
    assert stored.bot_token.startswith("fernet:")
    assert CIPHER.opened(stored).bot_refresh_token == "xoxe-1-T0BETA-2-refresh"
    assert stored.bot_token_expires_at == clock.now() + timedelta(hours=12)
    (held,) = await store.lease_holders("slack:refresh:")
    assert held.name == lease_name(BETA)
    assert held.remaining <= 0  # released once done


async def test_many_tasks_asking_at_once_make_one_refresh(
    stores: tuple[SqliteScoreStore, SqliteScoreStore], clock: ManualClock
) -> None:
    store, _ = stores
    await store.save_slack_installation(rotating(clock, left=60))
    refresh = FakeRefresh()
    tokens = tokens_of(store, clock, refresh)

    got = await asyncio.gather(*(tokens.bot_token(None, "T0BETA") for _ in range(10)))

    assert set(got) == {"xoxe.xoxb-1-T0BETA-2"}
    assert refresh.spent == ["xoxe-1-T0BETA-1-refresh"]


async def test_a_replica_that_finds_another_refreshing_waits_and_takes_its_token(
    stores: tuple[SqliteScoreStore, SqliteScoreStore], clock: ManualClock
) -> None:
    first_store, second_store = stores
    await first_store.save_slack_installation(rotating(clock, left=60))
    slack = FakeRefresh(gate=asyncio.Event())
    first = tokens_of(first_store, clock, slack, holder="replica-1")
    second = tokens_of(second_store, clock, slack, holder="replica-2")

    refreshing = asyncio.create_task(first.bot_token(None, "T0BETA"))
    await asyncio.wait_for(slack.called.wait(), 5)
    waiting = asyncio.create_task(second.bot_token(None, "T0BETA"))
    await until(lambda: clock.pending == 1, "replica-2 waiting for replica-1's refresh")
    await clock.advance(0.2)  # still refreshing: it waits again
    await until(lambda: clock.pending == 1, "replica-2 waiting again")
    slack.gate.set()  # type: ignore[union-attr]
    assert await refreshing == "xoxe.xoxb-1-T0BETA-2"
    await clock.advance(0.2)

    assert await asyncio.wait_for(waiting, 5) == "xoxe.xoxb-1-T0BETA-2"
    assert slack.spent == ["xoxe-1-T0BETA-1-refresh"]


async def test_a_failed_refresh_is_an_error_and_the_next_call_tries_again(
    stores: tuple[SqliteScoreStore, SqliteScoreStore], clock: ManualClock
) -> None:
    store, _ = stores
    await store.save_slack_installation(rotating(clock, left=60))
    slack = FakeRefresh(fail=True)
    tokens = tokens_of(store, clock, slack)

    with pytest.raises(TokenRefreshFailed, match=r"workspace T0BETA: .*invalid_refresh_token"):
        await tokens.bot_token(None, "T0BETA")
    slack.fail = False

    assert await tokens.bot_token(None, "T0BETA") == "xoxe.xoxb-1-T0BETA-2"


async def test_a_pair_stored_by_another_replica_meanwhile_wins_over_ours(
    stores: tuple[SqliteScoreStore, SqliteScoreStore], clock: ManualClock
) -> None:
    store, other = stores
    await store.save_slack_installation(rotating(clock, left=60))
    theirs = rotating(clock, left=12 * HOUR)
    slack = FakeRefresh(gate=asyncio.Event())
    tokens = tokens_of(store, clock, slack)

    refreshing = asyncio.create_task(tokens.bot_token(None, "T0BETA"))
    await asyncio.wait_for(slack.called.wait(), 5)
    # A replica paused past its lease stores its own pair while ours is in flight.
    await other.save_slack_installation(
        replace(
            theirs,
            bot_token=CIPHER.seal("xoxe.xoxb-1-T0BETA-theirs"),
            bot_refresh_token=CIPHER.seal("xoxe-1-theirs-refresh"),
        )
    )
    slack.gate.set()  # type: ignore[union-attr]

    assert await refreshing == "xoxe.xoxb-1-T0BETA-theirs"


async def test_a_workspace_without_the_app_is_not_installed(
    stores: tuple[SqliteScoreStore, SqliteScoreStore], clock: ManualClock
) -> None:
    tokens = tokens_of(stores[0], clock, FakeRefresh())
    assert await tokens.installation(None, "T0NOPE") is None
    with pytest.raises(NotInstalled, match="workspace T0NOPE"):
        await tokens.bot_token(None, "T0NOPE")


async def test_an_org_wide_installation_is_refreshed_for_any_workspace_of_its_org(
    stores: tuple[SqliteScoreStore, SqliteScoreStore], clock: ManualClock
) -> None:
    store, _ = stores
    org = rotating(clock, left=60)
    await store.save_slack_installation(
        replace(org, enterprise_id="E0ACME", team_id=None, is_enterprise_install=True)
    )
    refresh = FakeRefresh()
    tokens = tokens_of(store, clock, refresh)

    east = await tokens.installation("E0ACME", "T0EAST")
    west = await tokens.bot_token("E0ACME", "T0WEST")

    assert east is not None
    assert east.key == InstallationKey("E0ACME", None)
    assert east.bot_token == west == "xoxe.xoxb-1-T0BETA-2"
    assert refresh.spent == ["xoxe-1-T0BETA-1-refresh"]


async def test_two_token_sources_of_one_process_never_share_the_refresh_lease(
    stores: tuple[SqliteScoreStore, SqliteScoreStore], clock: ManualClock
) -> None:
    store, _ = stores
    await store.save_slack_installation(rotating(clock, left=60))
    slack = FakeRefresh(gate=asyncio.Event())
    one, two = (tokens_of(store, clock, slack, holder="same process") for _ in "ab")

    refreshing = asyncio.create_task(one.bot_token(None, "T0BETA"))
    await asyncio.wait_for(slack.called.wait(), 5)
    waiting = asyncio.create_task(two.bot_token(None, "T0BETA"))
    await until(lambda: clock.pending == 1, "the second waiting for the first's refresh")
    slack.gate.set()  # type: ignore[union-attr]
    await refreshing
    await clock.advance(0.2)

    assert await asyncio.wait_for(waiting, 5) == "xoxe.xoxb-1-T0BETA-2"
    assert slack.spent == ["xoxe-1-T0BETA-1-refresh"]
