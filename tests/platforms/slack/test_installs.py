"""The app installed in any number of workspaces through Slack's OAuth flow (issue #15).

The whole bot (adapter built from settings with the app's client id and secret,
service, SQLite) takes installs at ``/slack/install``; the fake Slack's browser
clicks "Add to Slack" in each workspace and the fake records which token every
Web API call used.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.app.slack_main import missing_settings, run_slack
from bot.clock import ManualClock
from bot.config import Settings
from bot.domain.model import PlayerKey, ServerKey
from bot.ports import OperatedStore
from bot.slack_installations import InstallationKey
from tests.helpers import free_port
from tests.platforms.slack.bot_harness import SECRET, answer_to
from tests.platforms.slack.fake import FakeSlack, FakeWorkspace, OAuthApp, add_to_slack
from tests.platforms.slack.installs_harness import InstallsBot, installs_bot, installs_settings

# slack_sdk 3.48 sends oauth.v2.access's client credentials with aiohttp.BasicAuth, which
# aiohttp 3.14 deprecates; filterwarnings=error would turn bolt's code exchange into a 500.
pytestmark = pytest.mark.filterwarnings(
    "ignore:BasicAuth is deprecated:DeprecationWarning:slack_sdk"
)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where the bot keeps installations: each backend in turn."""
    if request.param == "postgres":
        dsn: str = request.getfixturevalue("postgres_dsn")
        return dsn
    return tmp_path / "trivia.db"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


class Ends(asyncio.Event):
    """Set once the service ended a game of a server (an uninstall); where, how many."""

    def __init__(self) -> None:
        super().__init__()
        self.servers: list[tuple[str, int]] = []


def watch_ends(bot: InstallsBot) -> Ends:
    ends = Ends()
    service = bot.app.service
    end_games = service.end_games

    async def watched(server: ServerKey) -> int:
        count = await end_games(server)
        ends.servers.append((server.server, count))
        if count:
            ends.set()
        return count

    service.end_games = watched  # type: ignore[method-assign]
    return ends


def own_tokens_only(ws: FakeWorkspace) -> None:
    """Every call made in ``ws`` used a token of ``ws``'s installation, none revoked."""
    own = {t.value for t in ws.tokens}
    used = [(c.method, c.token, c.token_state) for c in ws.calls if c.token is not None]
    assert used, f"no call in {ws.team_id}"
    assert all(token in own for _, token, _ in used), used
    assert all(state == "valid" for *_, state in used), used


async def test_three_workspaces_install_and_each_plays_a_game_with_its_own_token(
    slack: FakeSlack, tmp_path: Path, database: Path | str
) -> None:
    spaces = [slack.add_workspace(name) for name in ("Alpha", "Beta", "Gamma")]
    settings = installs_settings(tmp_path, slack, db=database)
    async with installs_bot(tmp_path, slack, settings=settings) as bot:
        await bot.install(*spaces)
        await bot.play(spaces)
        wins = [
            await bot.app.store.player_stats(PlayerKey("slack", ws.team_id, ws.default_user))
            for ws in spaces
        ]

    assert len({ws.bot_token for ws in spaces}) == 3
    for ws in spaces:
        own_tokens_only(ws)
        assert ws.transcript()[-1].startswith("triviabot: *🏁 Game over!*")
    assert [(w.correct if w else None) for w in wins] == [2, 2, 2]
    # bolt's install asks who the bot is once; requests take it from their installation.
    assert [c.team_id for c in slack.calls_to("auth.test")] == [ws.team_id for ws in spaces]
    assert {d.reply.status for d in slack.deliveries} == {200}


async def test_uninstalling_one_workspace_ends_its_game_with_standings_and_the_others_play_on(
    slack: FakeSlack, tmp_path: Path, database: Path | str
) -> None:
    alpha, beta, gamma = spaces = [slack.add_workspace(n) for n in ("Alpha", "Beta", "Gamma")]
    settings = installs_settings(tmp_path, slack, db=database)
    async with installs_bot(tmp_path, slack, settings=settings) as bot:
        ended = watch_ends(bot)
        await bot.install(*spaces)
        for ws in spaces:
            await slack.deliver(ws.slash_command("/trivia", "start colours"))
        for ws in spaces:
            await slack.deliver(ws.message_event(answer_to(await bot.question(ws, 1))))
        seconds = {ws.team_id: await bot.question(ws, 2) for ws in spaces}
        sent = await slack.uninstall(beta)
        async with asyncio.timeout(10):
            await ended.wait()
        after = len(slack.calls)
        unheard = await slack.deliver(beta.slash_command("/trivia", "start"))
        for ws in (alpha, gamma):
            await slack.deliver(ws.message_event(answer_to(seconds[ws.team_id])))
            await bot.game_over(ws)
        store = bot.app.store
        stats = {
            ws.team_id: await store.player_stats(PlayerKey("slack", ws.team_id, ws.default_user))
            for ws in spaces
        }
        unfinished = await store.unfinished_games("slack")
        kept = [await bot.app.backend.find_slack_installation(None, ws.team_id) for ws in spaces]

    assert [r.payload["event"]["type"] for r in sent] == ["tokens_revoked", "app_uninstalled"]
    assert {d.reply.status for d in slack.deliveries} == {200}
    # Both events say the bot token is gone: the first to arrive ends the game.
    assert sorted(ended.servers) == [("T0BETA", 0), ("T0BETA", 1)]
    # Beta's game ended where it stood, recorded with its one right answer's points.
    beta_stats = stats["T0BETA"]
    assert beta_stats is not None
    assert (beta_stats.games, beta_stats.correct) == (1, 1)
    assert beta_stats.points > 0
    assert unfinished == []
    # The others played to the end; nothing was said in Beta, with no token left.
    for ws in (alpha, gamma):
        done = stats[ws.team_id]
        assert done is not None
        assert (done.games, done.correct) == (1, 2)
        assert ws.transcript()[-1].startswith("triviabot: *🏁 Game over!*")
    assert not any("Game over" in line for line in beta.transcript())
    assert [c for c in slack.calls if c.token_state != "valid" and c.token] == []
    assert [c.method for c in slack.calls[after:] if c.team_id == "T0BETA"] == []
    assert unheard.reply.status == 200
    for ws in spaces:
        own_tokens_only(ws)
    assert [k is not None for k in kept] == [True, False, True]


# -- Enterprise Grid ---------------------------------------------------------------------------


async def test_an_org_wide_install_answers_a_workspace_of_the_org_with_the_orgs_token(
    slack: FakeSlack, tmp_path: Path
) -> None:
    slack.add_enterprise("Acme")
    east = slack.add_workspace("East", enterprise_id="E0ACME")
    west = slack.add_workspace("West", enterprise_id="E0ACME")
    solo = slack.add_workspace("Solo", installed=True)  # by hand: the bot knows no install
    async with installs_bot(tmp_path, slack) as bot:
        await bot.install(east, org_wide=True)
        await bot.play([west])
        mark = len(slack.calls)
        refused = await slack.deliver(solo.slash_command("/trivia", "start colours"))
        player = await bot.app.store.player_stats(PlayerKey("slack", "T0WEST", west.default_user))

    (exchange,) = slack.calls_to("oauth.v2.access")
    assert exchange.response["is_enterprise_install"] is True
    assert west.transcript()[-1].startswith("triviabot: *🏁 Game over!*")
    assert {c.token for c in west.calls if c.token} == {east.bot_token}  # the org's one token
    with_it = [c for c in slack.calls if c.token == east.bot_token and c.method != "auth.test"]
    assert {c.team_id for c in with_it} == {"T0WEST"}
    assert player is not None
    assert player.correct == 2
    # A workspace the app was not installed in through the bot gets no answer with any token.
    assert refused.reply.status == 200
    assert [c for c in slack.calls[mark:] if c.token] == []
    assert solo.messages() == []


# -- token rotation ----------------------------------------------------------------------------


@pytest.fixture
async def rotating() -> AsyncIterator[FakeSlack]:
    """Token rotation on; access tokens live ten minutes (the bot refreshes them at once)."""
    async with FakeSlack(oauth=OAuthApp(token_rotation=True, token_lifetime=600)) as fake:
        yield fake


async def test_requests_arriving_together_with_an_expiring_token_refresh_it_once(
    rotating: FakeSlack, tmp_path: Path, database: Path | str
) -> None:
    slack = rotating
    alpha, beta = slack.add_workspace("Alpha"), slack.add_workspace("Beta")
    settings = installs_settings(tmp_path, slack, db=database)
    async with installs_bot(tmp_path, slack, settings=settings) as bot:
        await bot.install(alpha, beta)
        first = {ws.team_id: ws.bot_token for ws in (alpha, beta)}
        slack.oauth.token_lifetime = 43200  # the refreshed ones outlive the 2-hour margin
        await asyncio.gather(
            *(slack.deliver(ws.app_home_opened()) for ws in (alpha, beta) for _ in range(3))
        )
        await bot.play([alpha, beta])

    assert sorted(r.team_id for r in slack.refreshes) == ["T0ALPHA", "T0BETA"]
    assert [c.error for c in slack.calls_to("oauth.v2.access") if c.error] == []
    for ws in (alpha, beta):
        used = {c.token for c in ws.calls if c.token and c.method != "auth.test"}
        assert used == {ws.bot_token} != {first[ws.team_id]}
        own_tokens_only(ws)


async def test_an_expiring_token_is_refreshed_before_a_timer_sends_with_it(
    rotating: FakeSlack, tmp_path: Path
) -> None:
    slack = rotating
    slack.oauth.token_lifetime = 43200
    beta = slack.add_workspace("Beta")
    clock = ManualClock()
    async with installs_bot(tmp_path, slack, clock=clock) as bot:
        await bot.install(beta)
        await slack.deliver(beta.slash_command("/trivia", "start colours"))
        card = await bot.question(beta, 1)
        old = beta.bot_token
        # Hours go by: the bot's token has a minute left, Slack's clock agrees.
        await expire_soon(bot.app.backend, "T0BETA", within=60)
        slack.clock.advance(43200 - 60)
        mark = len(slack.calls)
        await clock.advance(30)  # the question's time is up: the reveal edits its card
        await slack.wait_until(lambda: "The answer:" in card.visible_text() or None)

    (refresh,) = slack.refreshes
    assert refresh.team_id == "T0BETA"
    assert [c.method for c in slack.calls[mark:]][:2] == ["oauth.v2.access", "chat.update"]
    assert {c.token for c in slack.calls[mark:] if c.token} == {beta.bot_token} != {old}
    own_tokens_only(beta)


async def expire_soon(store: OperatedStore, team_id: str, *, within: int) -> None:
    """The stored bot token of ``team_id`` now expires ``within`` seconds from now."""
    found = await store.find_slack_installation(None, team_id)
    assert found is not None
    soon = datetime.now(UTC) + timedelta(seconds=within)
    await store.save_slack_installation(replace(found, bot_token_expires_at=soon))


# -- trivia-bot run slack --http, taking installs ----------------------------------------------


def test_installs_need_the_apps_id_secret_and_signing_secret_and_http_but_no_bot_token(
    tmp_path: Path,
) -> None:
    base = Settings(db=tmp_path / "t.db")
    full = replace(
        base,
        slack_client_id="1234567890.1234567890",
        slack_client_secret="s",
        slack_signing_secret="x",
    )

    assert missing_settings(full, http=True) == []
    assert [p.split(":")[0] for p in missing_settings(full, http=False)] == [
        "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET take installs from any workspace, which Slack "
        "sends over HTTP"
    ]
    half = replace(base, slack_client_id="1234567890.1234567890")
    assert [p.split(":")[0] for p in missing_settings(half, http=True)] == [
        "SLACK_CLIENT_SECRET is not set",
        "SLACK_SIGNING_SECRET is not set",
    ]


async def test_the_two_ways_to_run_are_explained_when_slack_is_not_configured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run_slack(Settings(db=tmp_path / "t.db"), http=True, host="127.0.0.1", port=0)

    err = capsys.readouterr().err
    assert code == 2
    assert "Two ways to run: one workspace with SLACK_BOT_TOKEN" in err
    assert "SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET and --http" in err
    assert "deploy/slack-manifest.distributed.yaml" in err


async def test_run_slack_http_with_the_apps_credentials_takes_installs_and_stops_cleanly(
    slack: FakeSlack, tmp_path: Path
) -> None:
    beta = slack.add_workspace("Beta")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = replace(installs_settings(tmp_path, slack), resume_within=0.0)
    running = asyncio.create_task(run_slack(settings, http=True, host="127.0.0.1", port=port))
    try:
        await serving(f"{base}/healthz", running)
        slack.spread_over(f"{base}/slack/events", signing_secret=SECRET)
        slack.oauth.redirect_urls.append(f"{base}/slack/oauth_redirect")  # the app's settings
        visit = await add_to_slack(f"{base}/slack/install", beta)
        await slack.deliver(beta.slash_command("/trivia", "start colours"))
        await slack.wait_for_call("chat.postMessage", lambda c: "Question 1/" in c["text"])
    finally:
        os.kill(os.getpid(), signal.SIGTERM)  # caught by the runner's handler
        code = await asyncio.wait_for(running, 10)

    assert code == 0
    assert visit.status == 200
    # No token to check at startup: the only auth.test is the install's.
    assert [c.team_id for c in slack.calls_to("auth.test")] == ["T0BETA"]
    # Stopping ends the game there (TRIVIA_RESUME_WITHIN=0), said with Beta's token.
    assert beta.transcript()[-1].startswith("triviabot: *🔌 Game ended: the bot is restarting.")
    own_tokens_only(beta)


async def serving(url: str, running: asyncio.Task[int]) -> None:
    """Until ``url`` answers (the bot started serving), for at most 10 s."""
    async with asyncio.timeout(10), aiohttp.ClientSession() as session:
        while not running.done():
            try:
                async with session.get(url) as reply:
                    if reply.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.02)
    raise AssertionError(f"the bot stopped with {running.result()} before serving")


async def test_uninstalling_an_org_wide_install_ends_the_games_of_every_workspace_of_the_org(
    slack: FakeSlack, tmp_path: Path
) -> None:
    slack.add_enterprise("Acme")
    east = slack.add_workspace("East", enterprise_id="E0ACME")
    west = slack.add_workspace("West", enterprise_id="E0ACME")
    solo = slack.add_workspace("Solo")
    async with installs_bot(tmp_path, slack) as bot:
        ended = watch_ends(bot)
        await bot.install(east, org_wide=True)
        await bot.install(solo)
        for ws in (east, west, solo):
            await slack.deliver(ws.slash_command("/trivia", "start colours"))
            await bot.question(ws, 1)
        await slack.uninstall(west)  # the org's one installation: gone from every workspace
        async with asyncio.timeout(10):
            while sum(count for _, count in ended.servers) < 2:
                await ended.wait()
                ended.clear()
        after = len(slack.calls)
        await slack.deliver(solo.message_event(answer_to(await bot.question(solo, 1))))
        await bot.question(solo, 2)
        games = await bot.app.store.unfinished_games("slack")

    assert sorted(team for team, count in ended.servers if count) == ["T0EAST", "T0WEST"]
    assert [g.game.channel.server for g in games] == ["T0SOLO"]
    assert {c.team_id for c in slack.calls[after:] if c.token} == {"T0SOLO"}
    assert [c for c in slack.calls if c.token and c.token_state != "valid"] == []


async def test_a_revoked_bot_token_alone_ends_the_workspaces_game_too(
    slack: FakeSlack, tmp_path: Path
) -> None:
    beta = slack.add_workspace("Beta")
    async with installs_bot(tmp_path, slack) as bot:
        ended = watch_ends(bot)
        await bot.install(beta)
        await slack.deliver(beta.slash_command("/trivia", "start colours"))
        await bot.question(beta, 1)
        revoked = await slack.revoke_tokens(beta, bot=True, user=False)
        async with asyncio.timeout(10):
            await ended.wait()
        kept = await bot.app.backend.find_slack_installation(None, "T0BETA")

    assert revoked.payload["event"]["type"] == "tokens_revoked"
    assert ended.servers == [("T0BETA", 1)]
    assert kept is None
    assert [c for c in slack.calls if c.token and c.token_state != "valid"] == []


async def test_another_process_finds_an_org_workspaces_token_before_any_request_from_it(
    slack: FakeSlack, tmp_path: Path
) -> None:
    slack.add_enterprise("Acme")
    east = slack.add_workspace("East", enterprise_id="E0ACME")
    west = slack.add_workspace("West", enterprise_id="E0ACME")
    async with installs_bot(tmp_path, slack) as first:
        await first.install(east, org_wide=True)
        await slack.deliver(west.slash_command("/trivia", "leaderboard"))
        await slack.wait_for_call("chat.postEphemeral", lambda c: c.team_id == "T0WEST")
    # A replica (or the next start) carrying on a game in West knows no request from there.
    async with installs_bot(tmp_path, slack) as second:
        assert second.adapter.oauth is not None
        token = await second.adapter.oauth.tokens.token_for("T0WEST")
        unknown = await second.adapter.oauth.tokens.token_for("T0NOWHERE")

    assert token == east.bot_token
    assert unknown is None


# -- admin work in each workspace, with its own token ---------------------------------------

SUMS = """\
id: sums
title: Sums
questions:
  - {id: sum-1, prompt: "Sum one: 1 plus 1?", answers: ["2"], category: sums}
"""


async def test_each_workspaces_admin_imports_and_exports_with_that_workspaces_token(
    slack: FakeSlack, tmp_path: Path
) -> None:
    alpha, beta = slack.add_workspace("Alpha"), slack.add_workspace("Beta")
    async with installs_bot(tmp_path, slack) as bot:
        await bot.install(alpha, beta)
        files, answers = {}, {}
        for ws in (alpha, beta):
            owner = ws.default_user  # the owner: an admin there
            dm = "D" + owner[1:]
            files[ws.team_id] = ws.add_file(SUMS, name="sums.yaml", user=owner)
            shared = ws.message_event("", user=owner, channel=dm, files=[files[ws.team_id]])
            await slack.deliver(shared)
            answers[ws.team_id] = await slack.wait_until(
                lambda ws=ws, dm=dm: ws.bot_messages(dm) or None, what="the import's answer"
            )
        await slack.deliver(beta.slash_command("/trivia", "export"))
        await slack.wait_until(
            lambda: slack.calls_to("files.completeUploadExternal") or None, what="the export"
        )
        stored = {
            ws.team_id: await bot.app.store.custom_questions(ServerKey("slack", ws.team_id))
            for ws in (alpha, beta)
        }

    for ws in (alpha, beta):
        assert answers[ws.team_id][0].text.startswith("📥 Imported `sums.yaml`: 1 added")
        assert [q.id for q in stored[ws.team_id]] == ["sum-1"]
    # Each file fetched with a token that works in its workspace.
    assert slack.file_downloads == [(files["T0ALPHA"].id, True), (files["T0BETA"].id, True)]
    (upload,) = slack.calls_to("files.completeUploadExternal")
    assert upload.team_id == "T0BETA"
    for ws in (alpha, beta):
        own_tokens_only(ws)


KEY_A = "Bk2sX1f0sQm8d1yqLrP9m0wE2xVhN1w7c3kY5tU8z0A="
KEY_B = "A" * 43 + "="


async def test_tokens_stored_encrypted_with_another_key_stop_the_start_with_exit_2(
    slack: FakeSlack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    beta = slack.add_workspace("Beta")
    sealed = installs_settings(tmp_path, slack, slack_token_key=(KEY_A,))
    async with installs_bot(tmp_path, slack, settings=sealed) as bot:
        await bot.install(beta)
        stored = await bot.app.backend.find_slack_installation(None, "T0BETA")
    wrong_key = replace(sealed, slack_token_key=(KEY_B,))

    code = await run_slack(wrong_key, http=True, host="127.0.0.1", port=free_port())

    assert stored is not None
    assert stored.bot_token.startswith("fernet:")
    assert beta.bot_token not in stored.bot_token
    assert code == 2
    assert "Cannot decrypt the Slack tokens stored for workspace T0BETA" in capsys.readouterr().err


async def test_a_replica_whose_workspace_was_uninstalled_elsewhere_ends_its_game_there(
    slack: FakeSlack, tmp_path: Path
) -> None:
    beta = slack.add_workspace("Beta")
    clock = ManualClock()
    settings = installs_settings(tmp_path, slack, rounds=3)
    async with installs_bot(tmp_path, slack, clock=clock, settings=settings) as bot:
        ended = watch_ends(bot)
        await bot.install(beta)
        await slack.deliver(beta.slash_command("/trivia", "start"))
        await slack.deliver(beta.message_event(answer_to(await bot.question(beta, 1))))
        await bot.question(beta, 2)
        # Another replica took the uninstall: the installation is simply gone from here.
        assert await bot.app.backend.delete_slack_installation(InstallationKey(None, "T0BETA"))
        mark = len(slack.calls)
        await clock.advance(30)  # the question's time is up: its reveal finds no token
        async with asyncio.timeout(10):
            await ended.wait()
        stats = await bot.app.store.player_stats(PlayerKey("slack", "T0BETA", beta.default_user))
        unfinished = await bot.app.store.unfinished_games("slack")

    assert ended.servers == [("T0BETA", 1)]
    assert stats is not None
    assert (stats.games, stats.correct) == (1, 1)
    assert unfinished == []
    assert [c.method for c in slack.calls[mark:] if c.token] == []
