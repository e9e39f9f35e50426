"""``trivia-bot run discord|slack`` and ``trivia-bot discord invite``: the chat platforms.

Each platform's SDK is imported only when its command runs, so a console-only
install (``make play``, ``pip install trivia-bot``) never needs discord.py or
slack-bolt.  A command that needs one on an install without it says which
extra to install and exits with 2, like the other setup problems that no
retry can fix (a missing token).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

import click

from bot.adapters.adapter import PlatformUnreachable
from bot.adapters.discord.invite import invite_url
from bot.cli.common import WholeSummaries, err, load_cli_settings, run_command

#: Each extra: the top-level modules it installs, and the SDK a user knows it by.
_EXTRAS = {
    "discord": (frozenset({"discord", "aiohttp"}), "discord.py"),
    "slack": (frozenset({"slack_bolt", "slack_sdk", "aiohttp"}), "slack-bolt"),
}


def missing_extra(extra: str, command: str, *, otherwise: str = "") -> str:
    """What to do when ``command`` needs the ``extra`` that is not installed."""
    sdk = _EXTRAS[extra][1]
    return (
        f"`trivia-bot {command}` needs {sdk}, which is not installed here. Install the "
        f"{extra} extra: pip install 'trivia-bot[{extra}]' (in a checkout, `make {extra}` "
        f"installs it into .venv){otherwise}."
    )


@contextmanager
def needs_extra(extra: str, command: str, *, otherwise: str = "") -> Iterator[None]:
    """Import a platform's modules inside this: a missing SDK becomes a message and exit 2.

    ``otherwise`` ends the message with a way around the SDK, if there is one."""
    try:
        yield
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in _EXTRAS[extra][0]:
            raise
        click.secho(missing_extra(extra, command, otherwise=otherwise), fg="red", err=True)
        raise SystemExit(2) from None


@click.group(cls=WholeSummaries)
def run() -> None:
    """Run the bot on a chat platform (tokens come from the environment)."""


@run.command("discord")
@click.pass_context
def run_discord_command(ctx: click.Context) -> None:
    """Connect to Discord with DISCORD_TOKEN and serve every server the bot is in."""
    # Imported here so that a console-only install never needs discord.py.
    with needs_extra("discord", "run discord"):
        from bot.app.discord_main import run_discord

    run_command(run_discord(load_cli_settings(ctx)))


@run.command("slack")
@click.option(
    "--http",
    "http_mode",
    is_flag=True,
    help="Serve the Events API over HTTP (needs SLACK_SIGNING_SECRET) instead of Socket Mode; "
    "with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, also /slack/install for any workspace.",
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
    with needs_extra("slack", "run slack"):
        from bot.app.slack_main import run_slack

    run_command(run_slack(load_cli_settings(ctx), http=http_mode, host=host, port=port))


@click.group("discord", cls=WholeSummaries)
def discord_group() -> None:
    """Discord setup: the invite link that adds the bot to a server."""


@discord_group.command("invite")
@click.option(
    "--client-id",
    callback=lambda _ctx, _param, value: _application_id(value),
    help="The application id (default: asked from Discord with DISCORD_TOKEN).",
)
@click.pass_context
def discord_invite(ctx: click.Context, client_id: str | None) -> None:
    """Print the OAuth2 URL that adds the bot to a server with the permissions it needs."""
    if client_id is None:
        # Asking Discord for the id takes discord.py; the URL itself does not.
        otherwise = "; or give the application id with --client-id ID, which needs nothing more"
        with needs_extra("discord", "discord invite", otherwise=otherwise):
            from bot.app.discord_main import resolve_client_id
        client_id = _run_value(resolve_client_id(load_cli_settings(ctx)))
    print(invite_url(client_id))


def _application_id(value: str | None) -> str | None:
    if value is None or (value.isascii() and value.isdigit() and len(value) <= 20):
        return value
    raise click.BadParameter(
        "an application id is a number such as 123456789012345678: the Application ID on "
        "the application's General Information page of the Discord developer portal."
    )


def _run_value(coroutine: Coroutine[Any, Any, str]) -> str:
    try:
        return asyncio.run(coroutine)
    except PlatformUnreachable as exc:
        err.print(f"{exc}.", markup=False)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


# -- bench ----------------------------------------------------------------------------------
