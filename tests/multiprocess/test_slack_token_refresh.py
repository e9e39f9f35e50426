"""Token rotation with three replicas at expiry (issue #15's "Done when"): three real
processes (``tests/multiprocess/worker.py slack-token``) on one database ask at once for the
bot token of a workspace whose token is about to expire. The fake Slack revokes a refresh
token as soon as it is used, and records every call with the state of its token."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.clock import SystemClock
from bot.slack_installations import SlackInstallation
from bot.slack_tokens import TokenCipher
from bot.storage import open_store
from tests.multiprocess.conftest import Worker
from tests.platforms.slack.fake import FakeSlack, OAuthApp

pytestmark = pytest.mark.slow

REPLICAS = 3


async def test_three_replicas_at_expiry_refresh_once_and_all_use_the_new_token(
    shared_db: str, tmp_path: Path
) -> None:
    key = Fernet.generate_key().decode()
    cipher = TokenCipher([key])
    async with FakeSlack(oauth=OAuthApp(token_rotation=True, token_lifetime=600)) as slack:
        beta = slack.add_workspace("Beta")
        grant = slack.install(beta)  # a token for ten minutes: within the replicas' hour
        first, first_refresh = beta.bot_token, beta.refresh_token
        assert first_refresh is not None
        store = await open_store(shared_db)
        try:
            await store.save_slack_installation(
                SlackInstallation(
                    enterprise_id=None,
                    team_id=beta.team_id,
                    bot_user_id=grant.bot_user_id,
                    bot_id=grant.bot_id,
                    bot_token=cipher.seal(first),
                    bot_refresh_token=cipher.seal(first_refresh),
                    bot_token_expires_at=SystemClock().now() + timedelta(seconds=600),
                    installed_at=SystemClock().now(),
                )
            )
        finally:
            await store.close()
        slack.oauth.token_lifetime = 43200  # the refreshed token lives twelve hours
        client = (slack.oauth.client_id, slack.oauth.client_secret)
        workers = [
            Worker(
                shared_db,
                "slack-token",
                beta.team_id,
                *("--slack-api", slack.api_url, "--token-key", key),
                *("--slack-client", *client),
                logs=tmp_path,
            )
            for _ in range(REPLICAS)
        ]
        try:
            for worker in workers:
                await asyncio.to_thread(worker.expect, "ready")
            for worker in workers:
                worker.say("go")
            got = [await asyncio.to_thread(worker.expect, "token") for worker in workers]
        finally:
            for worker in workers:
                await asyncio.to_thread(worker.stop)

    (refresh,) = slack.refreshes
    exchanges = slack.calls_to("oauth.v2.access")
    assert refresh.spent == first_refresh
    assert refresh.access_token.startswith("xoxe.xoxb-")
    assert [(e["grant_type"], e.error) for e in exchanges] == [("refresh_token", None)]
    assert [(g["token"], g["team_id"]) for g in got] == [(refresh.access_token, "T0BETA")] * 3
    assert [c.token_state for c in slack.calls if c.token is not None] == ["valid"] * REPLICAS
    assert [c.token for c in slack.calls_to("auth.test")] == [refresh.access_token] * REPLICAS
