"""The fake Slack's many workspaces and its OAuth install flow, proven against the real
slack-sdk `AsyncWebClient` and slack-bolt's `AsyncApp` with its OAuth flow.

The bolt app here is a stand-in written for these tests (the bot's own OAuth wiring is tested
with the bot): slack_sdk's file installation and state stores keep what bolt's flow saves, so a
green run means the fake speaks the install flow, token rotation, Enterprise Grid and uninstall
events the way bolt and slack-sdk expect them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import FileInstallationStore
from slack_sdk.oauth.state_store import FileOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from tests.platforms.slack.fake import (
    ApiCall,
    FakeSlack,
    FakeWorkspace,
    OAuthApp,
    OAuthRefusal,
    add_to_slack,
    serve_app,
)

SECRET = "fake-signing-secret"
SCOPES = ["channels:history", "chat:write", "commands"]

# slack_sdk 3.48 sends oauth.v2.access's client credentials with aiohttp.BasicAuth, which
# aiohttp 3.14 deprecates; filterwarnings=error would turn bolt's code exchange into a 500.
pytestmark = pytest.mark.filterwarnings(
    "ignore:BasicAuth is deprecated:DeprecationWarning:slack_sdk"
)


@dataclass
class OAuthBot:
    """A bolt app with the OAuth flow, served on loopback."""

    app: AsyncApp
    store: FileInstallationStore
    base: str

    @property
    def install_url(self) -> str:
        return f"{self.base}/slack/install"

    @property
    def events_url(self) -> str:
        return f"{self.base}/slack/events"


def oauth_app(slack: FakeSlack, tmp_path: Path, *, name: str = "bot") -> OAuthBot:
    """A bolt app that installs through the fake, as the guide wires it: one client on the
    fake's API URL, the store given to the app itself (or refreshes go to slack.com)."""
    client_id = slack.oauth.client_id
    store = FileInstallationStore(base_dir=str(tmp_path / "installations"), client_id=client_id)
    states = FileOAuthStateStore(
        expiration_seconds=600, base_dir=str(tmp_path / "states"), client_id=client_id
    )
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=slack.oauth.client_secret,
        scopes=SCOPES,
        installation_store=store,
        state_store=states,
        authorization_url=slack.authorize_url,
    )
    app = AsyncApp(
        client=AsyncWebClient(base_url=slack.api_url),
        signing_secret=SECRET,
        installation_store=store,
        oauth_settings=settings,
        # A delivery returns once the listener ran: no waiting on what it does after the ack.
        process_before_response=True,
    )
    app.enable_token_revocation_listeners()

    @app.command("/trivia")
    async def trivia(ack: Any, command: dict[str, Any], say: Any) -> None:
        await ack()
        await say(f"{command['team_id']} starts {command['text']}")

    @app.event("message")
    async def typed(event: dict[str, Any], say: Any, request: Any) -> None:
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        again = f" (retry {retry})" if retry else ""
        await say(f"{name} heard {event['text']}{again}")

    return OAuthBot(app, store, "")


@asynccontextmanager
async def running(
    slack: FakeSlack, tmp_path: Path, *, replicas: int = 1
) -> AsyncIterator[list[OAuthBot]]:
    """`replicas` bolt apps on one installation store; Slack delivers to them in turn and
    sends the browser back to the first one's redirect URL."""
    bots = [oauth_app(slack, tmp_path, name=f"replica{i + 1}") for i in range(replicas)]
    async with AsyncExitStack() as stack:
        for bot in bots:
            bot.base = await stack.enter_async_context(serve_app(bot.app.web_app(), path=""))
        slack.oauth.redirect_urls.append(f"{bots[0].base}/slack/oauth_redirect")
        slack.spread_over([b.events_url for b in bots], signing_secret=SECRET)
        yield bots


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def rotating() -> AsyncIterator[FakeSlack]:
    """Token rotation on; access tokens live ten minutes until a test says otherwise."""
    async with FakeSlack(oauth=OAuthApp(token_rotation=True, token_lifetime=600)) as fake:
        yield fake


def api(slack: FakeSlack, token: str | None = None) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=slack.api_url)


async def install(bot: OAuthBot, *spaces: FakeWorkspace) -> None:
    for ws in spaces:
        visit = await add_to_slack(bot.install_url, ws)
        assert visit.status == 200, visit.body


async def say_in(slack: FakeSlack, spaces: Sequence[FakeWorkspace], text: str) -> None:
    """`/trivia <text>` in each workspace; returns once the app answered in each."""
    for ws in spaces:
        await slack.deliver(ws.slash_command("/trivia", text))
    for team in (ws.team_id for ws in spaces):

        def answered(call: ApiCall, team: str = team) -> bool:
            return call.team_id == team and text in call["text"]

        await slack.wait_for_call("chat.postMessage", answered)


# ---------------------------------------------------------------------- installing


async def test_three_workspaces_install_through_add_to_slack_and_each_is_served_by_its_token(
    slack: FakeSlack, tmp_path: Path
) -> None:
    spaces = [slack.add_workspace(name) for name in ("Alpha", "Beta", "Gamma")]
    async with running(slack, tmp_path) as (bot,):
        await install(bot, *spaces)
        await say_in(slack, spaces, "science")

    stored = [
        await bot.store.async_find_installation(enterprise_id=None, team_id=ws.team_id)
        for ws in spaces
    ]
    assert [i.bot_token if i else None for i in stored] == [ws.bot_token for ws in spaces]
    assert len({ws.bot_token for ws in spaces}) == 3
    for ws in spaces:
        own = {t.value for t in ws.tokens}
        assert ws.transcript() == [f"triviabot: {ws.team_id} starts science"]
        assert [c.method for c in ws.calls if c.token is None] == ["oauth.v2.access"]
        assert all(c.token in own for c in ws.calls if c.token is not None)
    assert {d.reply.status for d in slack.deliveries} == {200}


async def test_the_code_exchange_answers_as_slacks_reference_shows(slack: FakeSlack) -> None:
    beta = slack.add_workspace("Beta")
    redirect = "https://trivia.example/slack/oauth_redirect"
    back = slack.approve_install(beta, redirect_uri=redirect, state="state-1")
    query = parse_qs(urlsplit(back).query)

    answer = await api(slack).oauth_v2_access(
        client_id=slack.oauth.client_id,
        client_secret=slack.oauth.client_secret,
        code=query["code"][0],
        redirect_uri=redirect,
    )

    assert back.startswith(f"{redirect}?code=")
    assert query["state"] == ["state-1"]
    assert answer.data == {
        "ok": True,
        "app_id": "A0TRIVIA",
        "authed_user": {"id": "U0BETAOWNER"},
        "scope": slack.identity.scopes,
        "token_type": "bot",
        "access_token": beta.bot_token,
        "bot_user_id": "U0BETABOT",
        "team": {"id": "T0BETA", "name": "Beta"},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    assert beta.bot_token.startswith("xoxb-")


async def test_a_code_needs_the_apps_secret_and_redirect_url_and_works_once(
    slack: FakeSlack,
) -> None:
    beta = slack.add_workspace("Beta")
    redirect = "https://trivia.example/slack/oauth_redirect"
    code = parse_qs(urlsplit(slack.approve_install(beta, redirect_uri=redirect)).query)["code"][0]
    client, client_id, secret = api(slack), slack.oauth.client_id, slack.oauth.client_secret

    refusals = []
    for wrong in (
        {"client_id": "999.999", "client_secret": secret, "redirect_uri": redirect},
        {"client_id": client_id, "client_secret": "guessed", "redirect_uri": redirect},
        {"client_id": client_id, "client_secret": secret, "redirect_uri": "https://evil.example"},
    ):
        with pytest.raises(SlackApiError) as refused:
            await client.oauth_v2_access(code=code, **wrong)
        refusals.append(refused.value.response["error"])
    first = await client.oauth_v2_access(
        client_id=client_id, client_secret=secret, code=code, redirect_uri=redirect
    )
    with pytest.raises(SlackApiError, match="invalid_code"):
        await client.oauth_v2_access(
            client_id=client_id, client_secret=secret, code=code, redirect_uri=redirect
        )

    assert refusals == ["invalid_client_id", "bad_client_secret", "bad_redirect_uri"]
    assert first["ok"] is True


async def test_credentials_in_the_form_work_and_a_code_expires(slack: FakeSlack) -> None:
    beta = slack.add_workspace("Beta")
    slack.oauth.redirect_urls.append("https://trivia.example/slack/oauth_redirect")
    fresh, stale = (parse_qs(urlsplit(slack.approve_install(beta)).query)["code"][0] for _ in "ab")
    form = {"client_id": slack.oauth.client_id, "client_secret": slack.oauth.client_secret}

    async with aiohttp.ClientSession() as session:
        url = f"{slack.api_url}oauth.v2.access"
        async with session.post(url, data=form | {"code": fresh}) as response:
            answer = await response.json()
        slack.clock.advance(601)
        async with session.post(url, data=form | {"code": stale}) as response:
            late = await response.json()

    assert answer["ok"] is True
    assert answer["team"] == {"id": "T0BETA", "name": "Beta"}
    assert late == {"ok": False, "error": "invalid_code"}


def test_the_authorize_page_refuses_what_slack_refuses(slack: FakeSlack) -> None:
    beta = slack.add_workspace("Beta")
    east = slack.add_workspace("East", enterprise_id="E0ACME")
    east.add_user("W0EASTPLAYER", "player")
    slack.oauth.redirect_urls.append("https://trivia.example/slack/oauth_redirect")

    refusals = []
    for where, attempt in (
        (beta, {"redirect_uri": "https://evil.example/slack/oauth_redirect"}),
        (beta, {"scopes": ""}),
        (beta, {"user": "U0NOBODY"}),
        (beta, {"org_wide": True}),
        (east, {"user": "W0EASTPLAYER", "org_wide": True}),
    ):
        with pytest.raises(OAuthRefusal) as refused:
            slack.approve_install(where, **attempt)
        refusals.append(refused.value.code)

    assert refusals == [
        "bad_redirect_uri",
        "no_scopes",
        "user_not_found",
        "invalid_team_for_org_install",
        "not_authorized",
    ]


async def test_cancelling_on_the_authorize_page_sends_access_denied_back_to_the_app(
    slack: FakeSlack, tmp_path: Path
) -> None:
    beta = slack.add_workspace("Beta")
    async with running(slack, tmp_path) as (bot,):
        visit = await add_to_slack(bot.install_url, beta, allow=False)

    assert parse_qs(urlsplit(visit.redirect_url).query)["error"] == ["access_denied"]
    assert visit.code is None
    assert beta.installation is None
    assert slack.calls_to("oauth.v2.access") == []


# ---------------------------------------------------------------------- tokens


async def test_a_token_acts_only_in_its_own_workspace(slack: FakeSlack) -> None:
    alpha = slack.add_workspace("Alpha", installed=True)
    beta = slack.add_workspace("Beta", installed=True)
    client = api(slack, alpha.bot_token)

    await client.chat_postMessage(channel=alpha.default_channel, text="hello alpha")
    refusals = []
    for attempt in (
        client.chat_postMessage(channel=beta.default_channel, text="hello beta"),
        client.conversations_info(channel="C0TRIVIA"),
        client.chat_postEphemeral(channel=beta.default_channel, user=beta.default_user, text="x"),
        api(slack, "xoxb-made-up").auth_test(),
    ):
        with pytest.raises(SlackApiError) as refused:
            await attempt
        refusals.append(refused.value.response["error"])

    assert refusals == [
        "channel_not_found",
        "channel_not_found",
        "channel_not_found",
        "invalid_auth",
    ]
    assert alpha.transcript() == ["triviabot: hello alpha"]
    assert beta.messages() == []
    assert slack.messages() == []
    assert [(c.team_id, c.token_state) for c in slack.calls] == [
        ("T0ALPHA", "valid"),
        ("T0ALPHA", "valid"),
        ("T0ALPHA", "valid"),
        ("T0ALPHA", "valid"),
        (None, "unknown"),
    ]


async def test_auth_test_says_who_each_token_is(slack: FakeSlack) -> None:
    beta = slack.add_workspace("Beta", installed=True)

    home = await api(slack, slack.bot_token).auth_test()
    there = await api(slack, beta.bot_token).auth_test()

    assert home.data == {
        "ok": True,
        "url": "https://trivia-fans.slack.com/",
        "team": "trivia-fans",
        "team_id": "T0TRIVIA",
        "user": "triviabot",
        "user_id": "U0TRIVIABOT",
        "bot_id": "B0TRIVIABOT",
        "is_enterprise_install": False,
    }
    assert (there["team_id"], there["user_id"], there["bot_id"]) == (
        "T0BETA",
        "U0BETABOT",
        "B0BETABOT",
    )


async def test_auth_revoke_revokes_the_token_it_is_called_with(slack: FakeSlack) -> None:
    beta = slack.add_workspace("Beta", installed=True)
    token = beta.bot_token

    dry_run = await api(slack, token).auth_revoke(test=True)
    still = await api(slack, token).auth_test()
    await api(slack, token).auth_revoke()
    with pytest.raises(SlackApiError, match="token_revoked"):
        await api(slack, token).auth_test()

    assert dry_run["revoked"] is True
    assert still["team_id"] == "T0BETA"
    assert slack.calls[-1].token_state == "revoked"


# ---------------------------------------------------------------------- token rotation


async def test_bolt_refreshes_an_expiring_token_once_and_the_spent_refresh_token_is_refused(
    rotating: FakeSlack, tmp_path: Path
) -> None:
    slack = rotating
    beta = slack.add_workspace("Beta")
    async with running(slack, tmp_path) as (bot,):
        await install(bot, beta)
        first_token, first_refresh = beta.bot_token, beta.refresh_token
        slack.oauth.token_lifetime = 43200  # the refreshed token outlives bolt's 2-hour margin
        await say_in(slack, [beta], "one")
        await say_in(slack, [beta], "two")
    refreshed = beta.bot_token
    client = api(slack)

    still_valid = await client.auth_test(token=first_token)
    with pytest.raises(SlackApiError, match="invalid_refresh_token"):
        await client.oauth_v2_access(
            client_id=slack.oauth.client_id,
            client_secret=slack.oauth.client_secret,
            grant_type="refresh_token",
            refresh_token=str(first_refresh),
        )
    slack.clock.advance(601)
    with pytest.raises(SlackApiError, match="token_expired"):
        await client.auth_test(token=first_token)
    current = await client.auth_test(token=refreshed)

    assert first_token.startswith("xoxe.xoxb-1-")
    assert str(first_refresh).startswith("xoxe-1-")
    assert [(r.team_id, r.spent, r.access_token) for r in slack.refreshes] == [
        ("T0BETA", first_refresh, refreshed)
    ]
    assert {c.token for c in slack.calls_to("chat.postMessage")} == {refreshed}
    stored = await bot.store.async_find_installation(enterprise_id=None, team_id="T0BETA")
    assert stored is not None
    assert stored.bot_token == refreshed
    assert still_valid["expires_in"] <= 600
    assert 40000 < current["expires_in"] <= 43200


async def test_a_refresh_answers_the_new_pair_as_slacks_guide_shows(rotating: FakeSlack) -> None:
    slack = rotating
    beta = slack.add_workspace("Beta", installed=True)

    answer = await api(slack).oauth_v2_access(
        client_id=slack.oauth.client_id,
        client_secret=slack.oauth.client_secret,
        grant_type="refresh_token",
        refresh_token=str(beta.refresh_token),
    )

    assert answer.data == {
        "ok": True,
        "app_id": "A0TRIVIA",
        "access_token": beta.bot_token,
        "token_type": "bot",
        "scope": slack.identity.scopes,
        "expires_in": 600,
        "refresh_token": beta.refresh_token,
        "bot_user_id": "U0BETABOT",
        "team": {"id": "T0BETA", "name": "Beta"},
        "enterprise": None,
        "is_enterprise_install": False,
    }


async def test_refreshing_again_and_again_leaves_two_access_tokens_alive(
    rotating: FakeSlack,
) -> None:
    slack = rotating
    beta = slack.add_workspace("Beta", installed=True)
    client = api(slack)

    for _ in range(3):
        await client.oauth_v2_access(
            client_id=slack.oauth.client_id,
            client_secret=slack.oauth.client_secret,
            grant_type="refresh_token",
            refresh_token=str(beta.refresh_token),
        )

    now = slack.clock.now()
    assert [t.state(now) for t in beta.tokens if t.kind == "bot"] == [
        "revoked",
        "revoked",
        "valid",
        "valid",
    ]
    assert [r.team_id for r in slack.refreshes] == ["T0BETA"] * 3


# ---------------------------------------------------------------------- uninstalling


async def test_uninstalling_revokes_its_tokens_and_tells_the_app_which_forgets_the_workspace(
    slack: FakeSlack, tmp_path: Path
) -> None:
    alpha, beta = slack.add_workspace("Alpha"), slack.add_workspace("Beta")
    async with running(slack, tmp_path) as (bot,):
        await install(bot, alpha, beta)
        gone = beta.bot_token
        sent = await slack.uninstall(beta)
        mark = len(slack.calls)
        await say_in(slack, [alpha], "still here")
        unheard = await slack.deliver(beta.slash_command("/trivia", "anyone?"))
    with pytest.raises(SlackApiError, match="token_revoked"):
        await api(slack, gone).chat_postMessage(channel=beta.default_channel, text="hi")

    assert [r.payload["event"] for r in sent] == [
        {"type": "tokens_revoked", "tokens": {"bot": ["U0BETABOT"]}},
        {"type": "app_uninstalled"},
    ]
    assert [d.reply.status for d in slack.deliveries if d.request in sent] == [200, 200]
    assert await bot.store.async_find_installation(enterprise_id=None, team_id="T0BETA") is None
    assert await bot.store.async_find_installation(enterprise_id=None, team_id="T0ALPHA")
    assert beta.installation is None
    assert unheard.reply.status == 200  # bolt answers, without a token to act with
    assert [c.team_id for c in slack.calls[mark:-1]] == ["T0ALPHA", "T0ALPHA"]
    assert (slack.calls[-1].token_state, slack.calls[-1].error) == ("revoked", "token_revoked")


async def test_uninstall_and_token_revocation_go_over_socket_mode_when_that_is_connected(
    slack: FakeSlack,
) -> None:
    seen: list[dict[str, Any]] = []
    app = AsyncApp(client=api(slack, slack.bot_token), signing_secret=SECRET)

    @app.event("tokens_revoked")
    @app.event("app_uninstalled")
    async def noted(event: dict[str, Any]) -> None:
        seen.append(event)

    handler = AsyncSocketModeHandler(app, app_token=slack.app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    try:
        revoked = await slack.revoke_tokens(slack.default, bot=True)
        await slack.wait_until(lambda: seen or None, what="tokens_revoked at the app")
        with pytest.raises(SlackApiError, match="token_revoked"):
            await api(slack, slack.bot_token).auth_test()
        sent = await slack.uninstall(slack.default)
        await slack.wait_until(lambda: len(seen) == 2 or None, what="the uninstall at the app")
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]

    assert revoked.payload["event"] == {
        "type": "tokens_revoked",
        "tokens": {"bot": ["U0TRIVIABOT"]},
    }
    # The bot token was revoked already: the uninstall only says goodbye.
    assert [r.payload["event"] for r in sent] == [{"type": "app_uninstalled"}]
    assert [e["type"] for e in seen] == ["tokens_revoked", "app_uninstalled"]
    assert len(slack.socket_acks) == 2


# ---------------------------------------------------------------------- Enterprise Grid


async def test_an_org_wide_install_serves_every_workspace_of_the_org_and_no_other(
    slack: FakeSlack, tmp_path: Path
) -> None:
    slack.add_enterprise("Acme")
    east = slack.add_workspace("East", enterprise_id="E0ACME")
    west = slack.add_workspace("West", enterprise_id="E0ACME")
    solo = slack.add_workspace("Solo", installed=True)
    async with running(slack, tmp_path) as (bot,):
        visit = await add_to_slack(bot.install_url, east, org_wide=True)
        await say_in(slack, [east, west], "grid")
    org_token = east.bot_token
    who = await api(slack, org_token).auth_test()
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await api(slack, org_token).chat_postMessage(channel=solo.default_channel, text="hi")

    (exchange,) = slack.calls_to("oauth.v2.access")
    assert visit.status == 200
    assert (exchange.response["team"], exchange.response["enterprise"]) == (
        None,
        {"id": "E0ACME", "name": "Acme"},
    )
    assert exchange.response["is_enterprise_install"] is True
    stored = await bot.store.async_find_installation(
        enterprise_id="E0ACME", team_id=None, is_enterprise_install=True
    )
    assert stored is not None
    assert stored.bot_token == org_token == west.bot_token
    assert (who["team_id"], who["enterprise_id"], who["is_enterprise_install"]) == (
        None,
        "E0ACME",
        True,
    )
    assert who["url"] == "https://acme.enterprise.slack.com/"
    assert east.transcript() == ["triviabot: T0EAST starts grid"]
    assert west.transcript() == ["triviabot: T0WEST starts grid"]
    command = slack.deliveries[0].request.payload
    assert (command["enterprise_id"], command["is_enterprise_install"]) == ("E0ACME", "true")


async def test_the_payloads_of_an_org_workspace_name_the_org(slack: FakeSlack) -> None:
    east = slack.add_workspace("East", enterprise_id="E0ACME")
    slack.install(east, org_wide=True)

    event = east.message_event("hello").payload
    click = east.block_action("go").payload

    assert event["authorizations"] == [
        {
            "enterprise_id": "E0ACME",
            "team_id": "T0EAST",
            "user_id": "W0E0ACMEBOT",
            "is_bot": True,
            "is_enterprise_install": True,
        }
    ]
    assert (event["team_id"], event["enterprise_id"]) == ("T0EAST", "E0ACME")
    assert event["event"]["user"] == "W0EASTOWNER"
    assert click["enterprise"] == {"id": "E0ACME", "name": "E0ACME"}
    assert click["team"]["enterprise_id"] == "E0ACME"
    assert click["is_enterprise_install"] is True


async def test_a_workspace_install_where_the_org_installed_the_app_is_refused(
    slack: FakeSlack,
) -> None:
    east = slack.add_workspace("East", enterprise_id="E0ACME")
    slack.install(east, org_wide=True)
    slack.oauth.redirect_urls.append("https://trivia.example/slack/oauth_redirect")
    code = parse_qs(urlsplit(slack.approve_install(east)).query)["code"][0]

    with pytest.raises(SlackApiError, match="cannot_install_an_org_installed_app"):
        await api(slack).oauth_v2_access(
            client_id=slack.oauth.client_id, client_secret=slack.oauth.client_secret, code=code
        )


# ---------------------------------------------------------------------- delivery to replicas


async def test_requests_go_to_each_replica_in_turn_and_a_redelivery_carries_retry_headers(
    slack: FakeSlack, tmp_path: Path
) -> None:
    beta = slack.add_workspace("Beta")
    async with running(slack, tmp_path, replicas=3) as bots:
        await install(bots[0], beta)
        for word in ("one", "two", "three", "four"):
            await slack.deliver(beta.message_event(word))
        again = await slack.redeliver(slack.deliveries[0].request, retry_num=1)
        await slack.wait_until(lambda: len(beta.bot_messages()) == 5 or None, what="5 answers")

    targets = [b.events_url for b in bots]
    assert [d.target for d in slack.deliveries] == [*targets, targets[0], targets[1]]
    assert {d.team_id for d in slack.deliveries} == {"T0BETA"}
    assert (again.retry_num, again.retry_reason, again.reply.status) == (1, "http_timeout", 200)
    assert sorted(m.text for m in beta.bot_messages()) == [
        "replica1 heard four",
        "replica1 heard one",
        "replica2 heard one (retry 1)",
        "replica2 heard two",
        "replica3 heard three",
    ]
