"""slack-bolt's installation store, state store and authorize on our database, with the real
slack_sdk types and the real bolt OAuth flow against the fake Slack.

The bolt app here stands in for the bot's (wired in bot/adapters/slack by the OAuth work):
``SqlInstallationStore`` and ``SqlOAuthStateStore`` keep what bolt's flow saves in a SQLite
database, tokens sealed; ``WorkspaceAuthorize`` answers each request with its workspace's
token, refreshing it through ``WorkspaceTokens`` (one refresh per workspace)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.installation_store import SqlInstallationStore, SqlOAuthStateStore
from bot.adapters.slack.oauth import OAuthApp as BotOAuthApp
from bot.adapters.slack.oauth import OAuthInstalls
from bot.clock import SystemClock
from bot.slack_tokens import TokenCipher, TokenKeyError
from bot.storage.sqlite.store import SqliteScoreStore, open_sqlite_store
from tests.helpers import rows
from tests.platforms.slack.fake import (
    ApiCall,
    FakeSlack,
    FakeWorkspace,
    OAuthApp,
    add_to_slack,
    serve_app,
)

SECRET = "fake-signing-secret"
SCOPES = ["channels:history", "chat:write", "commands"]
KEYS = [Fernet.generate_key().decode()]
CIPHER = TokenCipher(KEYS)
AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.filterwarnings(
    "ignore:BasicAuth is deprecated:DeprecationWarning:slack_sdk"
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteScoreStore]:
    store = await open_sqlite_store(tmp_path / "trivia.db")
    try:
        yield store
    finally:
        await store.close()


def bolts_installation(team: str = "T0BETA", **changes: Any) -> Installation:
    """An installation as bolt's OAuth flow builds it from oauth.v2.access."""
    fields: dict[str, Any] = {
        "app_id": "A0TRIVIA",
        "team_id": team,
        "team_name": team.title(),
        "bot_token": f"xoxe.xoxb-1-{team}-0001",
        "bot_id": f"B0{team}",
        "bot_user_id": f"U0{team}BOT",
        "bot_scopes": "channels:history,chat:write,commands",
        "bot_refresh_token": f"xoxe-1-{team}-0001-refresh",
        "bot_token_expires_at": int(AT.timestamp()) + 43200,
        "user_id": f"U0{team}OWNER",
        "is_enterprise_install": False,
        "token_type": "bot",
        "installed_at": AT.timestamp(),
    }
    return Installation(**(fields | changes))


def org_installation() -> Installation:
    return bolts_installation(
        enterprise_id="E0ACME",
        enterprise_name="Acme",
        team_id=None,
        team_name=None,
        is_enterprise_install=True,
        bot_token="xoxb-E0ACME-org",
        bot_refresh_token=None,
        bot_token_expires_at=None,
    )


# -- the stores alone -------------------------------------------------------------------


async def test_bolts_installation_is_kept_sealed_and_found_as_it_was(
    db: SqliteScoreStore, tmp_path: Path
) -> None:
    store = SqlInstallationStore(db, cipher=CIPHER)
    saved = bolts_installation()
    await store.async_save(saved)

    found = await store.async_find_installation(enterprise_id=None, team_id="T0BETA")
    bot = await store.async_find_bot(enterprise_id=None, team_id="T0BETA")

    assert found is not None
    assert bot is not None
    wanted = {k: v for k, v in saved.to_dict_for_copying().items() if not k.startswith("user_")}
    assert {k: v for k, v in found.to_dict_for_copying().items() if k in wanted} == wanted
    assert found.user_id == "U0T0BETAOWNER"
    assert (bot.bot_token, bot.bot_refresh_token, bot.bot_token_expires_at) == (
        saved.bot_token,
        saved.bot_refresh_token,
        saved.bot_token_expires_at,
    )
    assert bot.bot_scopes == ["channels:history", "chat:write", "commands"]
    stored = rows(
        tmp_path / "trivia.db", "SELECT bot_token, bot_refresh_token FROM slack_installations"
    )
    assert all(str(value).startswith("fernet:") for value in stored[0])


async def test_an_org_wide_installation_serves_its_orgs_workspaces(db: SqliteScoreStore) -> None:
    store = SqlInstallationStore(db, cipher=CIPHER)
    await store.async_save(org_installation())

    by_flag = await store.async_find_bot(
        enterprise_id="E0ACME", team_id="T0EAST", is_enterprise_install=True
    )
    by_team = await store.async_find_installation(enterprise_id="E0ACME", team_id="T0WEST")
    elsewhere = await store.async_find_bot(enterprise_id=None, team_id="T0EAST")

    assert by_flag is not None
    assert by_team is not None
    assert (by_flag.enterprise_id, by_flag.team_id, by_flag.is_enterprise_install) == (
        "E0ACME",
        None,
        True,
    )
    assert by_team.bot_token == by_flag.bot_token == "xoxb-E0ACME-org"
    assert elsewhere is None


async def test_only_the_installer_has_a_user_installation(db: SqliteScoreStore) -> None:
    store = SqlInstallationStore(db, cipher=CIPHER)
    await store.async_save(bolts_installation())

    assert await store.async_find_installation(
        enterprise_id=None, team_id="T0BETA", user_id="U0T0BETAOWNER"
    )
    assert (
        await store.async_find_installation(
            enterprise_id=None, team_id="T0BETA", user_id="U0SOMEONE"
        )
        is None
    )


async def test_uninstalling_from_a_workspace_removes_the_installation_serving_it(
    db: SqliteScoreStore,
) -> None:
    store = SqlInstallationStore(db, cipher=CIPHER)
    await store.async_save(org_installation())
    await store.async_save(bolts_installation("T0EAST", enterprise_id="E0ACME"))
    await store.async_save(bolts_installation("T0BETA"))

    await store.async_delete_installation(
        enterprise_id="E0ACME", team_id="T0EAST", user_id="U0T0EASTOWNER"
    )  # a user's token revoked: no user tokens are kept, nothing goes
    assert len(await db.slack_installations()) == 3
    await store.async_delete_all(enterprise_id="E0ACME", team_id="T0EAST")  # its own
    east = await store.async_find_bot(enterprise_id="E0ACME", team_id="T0EAST")
    assert east is not None
    assert east.is_enterprise_install  # the org's serves it now
    await store.async_delete_bot(enterprise_id="E0ACME", team_id="T0EAST")  # the org's

    assert [i.key for i in await db.slack_installations()] == [(None, "T0BETA")]


async def test_a_state_works_once(db: SqliteScoreStore) -> None:
    states = SqlOAuthStateStore(db)
    first, second = await states.async_issue(), await states.async_issue()

    assert first != second
    assert len(first) >= 32
    assert await states.async_consume(first)
    assert not await states.async_consume(first)
    assert not await states.async_consume("forged")
    assert await states.async_consume(second)


# -- bolt's OAuth flow against the fake Slack -------------------------------------------


@dataclass
class OAuthBot:
    app: AsyncApp
    base: str = ""

    @property
    def install_url(self) -> str:
        return f"{self.base}/slack/install"


@asynccontextmanager
async def running(slack: FakeSlack, db: SqliteScoreStore) -> AsyncIterator[OAuthBot]:
    client = AsyncWebClient(base_url=slack.api_url)
    installs = OAuthInstalls(
        BotOAuthApp(
            client_id=slack.oauth.client_id,
            client_secret=slack.oauth.client_secret,
            authorization_url=slack.authorize_url,
            token_keys=tuple(KEYS),
        ),
        client=client,
    )
    async with installs.attached(db, clock=SystemClock(), holder="test replica"):
        app = AsyncApp(
            client=client,
            signing_secret=SECRET,
            installation_store=installs.store,
            authorize=installs.authorize,
            oauth_settings=installs.settings(),
            process_before_response=True,
        )
        app.enable_token_revocation_listeners()

        @app.command("/trivia")
        async def trivia(ack: Any, command: dict[str, Any], say: Any) -> None:
            await ack()
            await say(f"{command['team_id']} starts {command['text']}")

        bot = OAuthBot(app)
        async with serve_app(app.web_app(), path="") as base:
            bot.base = base
            slack.oauth.redirect_urls.append(f"{base}/slack/oauth_redirect")
            slack.spread_over([f"{base}/slack/events"], signing_secret=SECRET)
            yield bot


async def say_in(slack: FakeSlack, ws: FakeWorkspace, text: str) -> None:
    await slack.deliver(ws.slash_command("/trivia", text))

    def answered(call: ApiCall) -> bool:
        return call.team_id == ws.team_id and text in call["text"]

    await slack.wait_for_call("chat.postMessage", answered)


async def test_workspaces_install_through_bolt_and_each_is_served_with_its_own_token(
    db: SqliteScoreStore,
) -> None:
    async with FakeSlack() as slack:
        spaces = [slack.add_workspace(name) for name in ("Alpha", "Beta", "Gamma")]
        async with running(slack, db) as bot:
            for ws in spaces:
                visit = await add_to_slack(bot.install_url, ws)
                assert visit.status == 200, visit.body
            for ws in spaces:
                await say_in(slack, ws, "science")
            await slack.uninstall(spaces[1])
            await say_in(slack, spaces[2], "still here")

    assert [i.team_id for i in await db.slack_installations()] == ["T0ALPHA", "T0GAMMA"]
    for ws in spaces:
        own = {t.value for t in ws.tokens}
        assert all(c.token in own for c in ws.calls if c.token is not None)
    assert spaces[0].transcript() == ["triviabot: T0ALPHA starts science"]
    assert [c for c in slack.calls if c.token_state == "revoked"] == []
    assert await db.prune_slack_rows() == 0  # every state was consumed, none left behind


async def test_an_org_wide_install_through_bolt_serves_the_orgs_workspaces(
    db: SqliteScoreStore,
) -> None:
    async with FakeSlack() as slack:
        slack.add_enterprise("Acme")
        east = slack.add_workspace("East", enterprise_id="E0ACME")
        west = slack.add_workspace("West", enterprise_id="E0ACME")
        async with running(slack, db) as bot:
            visit = await add_to_slack(bot.install_url, east, org_wide=True)
            assert visit.status == 200, visit.body
            await say_in(slack, east, "grid")
            await say_in(slack, west, "grid")

    (org,) = await db.slack_installations()
    assert (org.enterprise_id, org.team_id, org.is_enterprise_install) == ("E0ACME", None, True)
    assert west.transcript() == ["triviabot: T0WEST starts grid"]


async def test_an_expiring_token_is_refreshed_once_and_never_used_after_revocation(
    db: SqliteScoreStore,
) -> None:
    async with FakeSlack(oauth=OAuthApp(token_rotation=True, token_lifetime=600)) as slack:
        beta = slack.add_workspace("Beta")
        async with running(slack, db) as bot:
            await add_to_slack(bot.install_url, beta)
            first = beta.bot_token
            slack.oauth.token_lifetime = 43200  # the new token outlives the 1-hour margin
            await say_in(slack, beta, "one")
            await say_in(slack, beta, "two")

    (refresh,) = slack.refreshes
    assert first.startswith("xoxe.xoxb-")
    assert refresh.access_token == beta.bot_token != first
    assert {c.token for c in slack.calls_to("chat.postMessage")} == {refresh.access_token}
    assert [c for c in slack.calls if c.token_state in ("revoked", "expired")] == []
    stored = await db.find_slack_installation(None, "T0BETA")
    assert stored is not None
    assert CIPHER.open(stored.bot_token) == refresh.access_token


async def test_a_refresh_slack_refuses_leaves_the_request_unanswered_and_says_where(
    db: SqliteScoreStore, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeSlack(oauth=OAuthApp(token_rotation=True, token_lifetime=600)) as slack:
        beta = slack.add_workspace("Beta")
        async with running(slack, db) as bot:
            await add_to_slack(bot.install_url, beta)
            # Someone else spends the stored refresh token (another deployment, by mistake).
            await AsyncWebClient(base_url=slack.api_url).oauth_v2_access(
                client_id=slack.oauth.client_id,
                client_secret=slack.oauth.client_secret,
                grant_type="refresh_token",
                refresh_token=str(beta.refresh_token),
            )
            with caplog.at_level(logging.WARNING, "bot.adapters.slack.oauth"):
                delivery = await slack.deliver(beta.slash_command("/trivia", "one"))

    assert delivery.reply.status == 200  # bolt acks it: no point in Slack retrying
    assert slack.calls_to("chat.postMessage") == []
    assert [c.error for c in slack.calls_to("oauth.v2.access")][-1] == "invalid_refresh_token"
    assert (
        "no usable token for T0BETA (org None): workspace T0BETA: Slack refused to refresh "
        "the bot token: invalid_refresh_token"
    ) in caplog.text


async def test_the_stores_open_only_with_a_key_that_opens_every_stored_token(
    db: SqliteScoreStore, caplog: pytest.LogCaptureFixture
) -> None:
    await SqlInstallationStore(db, cipher=CIPHER).async_save(bolts_installation("T0SEALED"))
    await SqlInstallationStore(db, cipher=TokenCipher()).async_save(bolts_installation("T0PLAIN"))
    client = AsyncWebClient(base_url="http://127.0.0.1:9/api/")

    async def opened(keys: list[str]) -> None:
        app = BotOAuthApp(client_id="1.2", client_secret="s", token_keys=tuple(keys))
        async with OAuthInstalls(app, client=client).attached(
            db, clock=SystemClock(), holder="test"
        ):
            pass

    with pytest.raises(
        TokenKeyError, match=r"workspace T0SEALED .*TRIVIA_SLACK_TOKEN_KEY is not set"
    ):
        await opened([])
    with pytest.raises(TokenKeyError, match="workspace T0SEALED with TRIVIA_SLACK_TOKEN_KEY"):
        await opened([Fernet.generate_key().decode()])
    with pytest.raises(TokenKeyError, match="key 1 is not a Fernet key"):
        await opened(["too-short"])
    with caplog.at_level(logging.WARNING):
        await opened(KEYS)
    assert "2 stored tokens are not encrypted yet" in caplog.text
