"""The two Slack app manifests: one workspace (Socket Mode) and offered to any (OAuth, HTTP).

They must ask for the same scopes (the bot does the same things in either), and the
distributed one must send Slack's requests, installs and uninstalls where the bot serves
them.  Which scope each Web API method needs is checked in
``tests/platforms/slack/test_runner.py``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.adapters.slack.ids import BOT_SCOPES
from bot.adapters.slack.oauth import OAuthApp, OAuthInstalls
from tests.deploy.deploy_files import DEPLOY

SINGLE = DEPLOY / "slack-manifest.yaml"
DISTRIBUTED = DEPLOY / "slack-manifest.distributed.yaml"


def manifest(path: Any) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def bot_scopes(data: dict[str, Any]) -> list[str]:
    return list(data["oauth_config"]["scopes"]["bot"])


def test_both_manifests_ask_for_the_same_scopes_the_bot_asks_installs_for() -> None:
    single, distributed = manifest(SINGLE), manifest(DISTRIBUTED)

    assert bot_scopes(distributed) == bot_scopes(single) == list(BOT_SCOPES)
    assert "user" not in distributed["oauth_config"]["scopes"]


def test_the_distributed_app_is_the_same_app_served_over_http() -> None:
    single, distributed = manifest(SINGLE), manifest(DISTRIBUTED)
    (command,) = distributed["features"]["slash_commands"]
    without_url = {k: v for k, v in command.items() if k != "url"}

    assert distributed["display_information"] == single["display_information"]
    assert distributed["features"]["app_home"] == single["features"]["app_home"]
    assert distributed["features"]["bot_user"] == single["features"]["bot_user"]
    assert [without_url] == single["features"]["slash_commands"]
    settings = distributed["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["token_rotation_enabled"] is True
    assert settings["org_deploy_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    # Told when a workspace removes the app, besides everything the one-workspace app hears.
    assert settings["event_subscriptions"]["bot_events"] == [
        *single["settings"]["event_subscriptions"]["bot_events"],
        "app_uninstalled",
        "tokens_revoked",
    ]


def test_the_distributed_apps_urls_are_where_the_bot_serves_them_on_one_host() -> None:
    data = manifest(DISTRIBUTED)
    settings = data["settings"]
    (command,) = data["features"]["slash_commands"]
    (redirect,) = data["oauth_config"]["redirect_urls"]
    flow = OAuthInstalls(OAuthApp("1.2", "secret"), client=None).settings()
    requests = [
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]

    assert {urlsplit(url).path for url in requests} == {"/slack/events"}
    assert urlsplit(redirect).path == flow.redirect_uri_path == "/slack/oauth_redirect"
    assert flow.install_path == "/slack/install"
    assert {urlsplit(url).scheme for url in [*requests, redirect]} == {"https"}
    assert len({urlsplit(url).netloc for url in [*requests, redirect]}) == 1


def test_both_apps_hear_app_home_opened_and_have_a_home_tab_to_publish() -> None:
    """Scheduled play's App Home (issue #17) is published when a player opens the tab."""
    for data in (manifest(SINGLE), manifest(DISTRIBUTED)):
        assert data["features"]["app_home"]["home_tab_enabled"] is True
        assert "app_home_opened" in data["settings"]["event_subscriptions"]["bot_events"]
        assert data["settings"]["interactivity"]["is_enabled"] is True
        (command,) = data["features"]["slash_commands"]
        assert "schedule" in command["usage_hint"]
