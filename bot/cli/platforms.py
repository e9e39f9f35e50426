"""``trivia-bot run discord|slack`` and ``trivia-bot discord invite``: the chat platforms.

Each platform's SDK is imported only when its command runs, so a console-only
install never needs discord.py or slack-bolt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import click

from bot.cli.common import load_cli_settings, run_command


@click.group()
def run() -> None:
    """Run the bot on a chat platform (tokens come from the environment)."""


@run.command("discord")
@click.pass_context
def run_discord_command(ctx: click.Context) -> None:
    """Connect to Discord with DISCORD_TOKEN and serve every server the bot is in."""
    # Imported here so that a console-only install never needs discord.py.
    from bot.app.discord_main import run_discord

    run_command(run_discord(load_cli_settings(ctx)))


@run.command("slack")
@click.option(
    "--http",
    "http_mode",
    is_flag=True,
    help="Serve the Events API over HTTP (needs SLACK_SIGNING_SECRET) instead of Socket Mode.",
)
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP mode: address.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=3000,
    show_default=True,
    help="HTTP mode: port; requests go to /slack/events.",
)
@click.pass_context
def run_slack_command(ctx: click.Context, http_mode: bool, host: str, port: int) -> None:
    """Connect to Slack: Socket Mode by default (SLACK_BOT_TOKEN, SLACK_APP_TOKEN)."""
    from bot.app.slack_main import run_slack

    run_command(run_slack(load_cli_settings(ctx), http=http_mode, host=host, port=port))


@click.group("discord")
def discord_group() -> None:
    """Discord setup: the invite link that adds the bot to a server."""


@discord_group.command("invite")
@click.option(
    "--client-id", help="The application id (default: asked from Discord with DISCORD_TOKEN)."
)
@click.pass_context
def discord_invite(ctx: click.Context, client_id: str | None) -> None:
    """Print the OAuth2 URL that adds the bot to a server with the permissions it needs."""
    from bot.app.discord_main import invite_url, resolve_client_id

    settings = load_cli_settings(ctx)
    if client_id is None:
        client_id = _run_value(resolve_client_id(settings))
    print(invite_url(client_id))


def _run_value(coroutine: Coroutine[Any, Any, str]) -> str:
    try:
        return asyncio.run(coroutine)
    except KeyboardInterrupt:
        raise SystemExit(130) from None


# -- bench ----------------------------------------------------------------------------------
