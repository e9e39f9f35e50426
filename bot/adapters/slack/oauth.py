"""OAuth installs: the app in any number of workspaces, each answered with its own token.

With ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` (HTTP mode), slack-bolt
serves ``/slack/install`` (the "Add to Slack" page) and ``/slack/oauth_redirect``
through its OAuth flow (``oauth_settings``), saving each installation in an
installation store and each pending install's state in a state store.  Then:

* every request is authorized by ``WorkspaceAuthorize``: the installation of
  the request's workspace (its own, or its Enterprise Grid org's org-wide one)
  gives the token bolt answers with, and the installation bolt's context keeps
  (``is_enterprise_install`` included) is what ``workspaces.place`` checks the
  request against; no ``auth.test`` per request;
* everything sent later asks ``WorkspaceTokens`` (``tokens``) for the token of
  the channel's workspace, per call;
* ``StoreTokens`` is that token source over the installation store: a token
  Slack rotates is refreshed before it expires, once per workspace (a lock, and
  the installation read again under it: a spent refresh token is revoked);
* ``app_uninstalled`` and ``tokens_revoked`` remove what Slack revoked
  (``forget``); the adapter then ends that workspace's games.

Where installations and states are kept is chosen in ``installation_stores``:
slack_sdk's file stores under a directory for now (they implement the async
interfaces), the database's once it keeps them.  With ``adapter`` and ``api``,
the only modules of this folder that import an SDK.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.authorization.authorize_result import AuthorizeResult
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot, FileInstallationStore
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store import FileOAuthStateStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.ids import BOT_SCOPES
from bot.adapters.slack.tokens import TokenSource, WorkspaceTokens

log = logging.getLogger(__name__)

#: Refresh a rotating token when it has less than this left (bolt's default, 2 hours;
#: Slack's tokens live 12).
REFRESH_MINUTES = 120
#: How long an install's state (the browser's round trip through Slack) stays usable.
STATE_SECONDS = 600


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """The app's OAuth credentials and where Slack is."""

    client_id: str
    client_secret: str
    authorization_url: str | None = None


def installs_directory(db: Path | str) -> Path:
    """Where the file stores keep installs: beside a SQLite database, else in the user's
    data directory (a PostgreSQL database, until the database keeps them itself)."""
    if isinstance(db, Path):
        return db.parent / "slack-installs"
    return Path(platformdirs.user_data_dir("trivia-bot")) / "slack-installs"


def installation_stores(
    directory: Path, *, client_id: str
) -> tuple[AsyncInstallationStore, AsyncOAuthStateStore]:
    """Where installations and pending installs' states are kept: files under
    ``directory`` (slack_sdk's stores), until the database keeps them."""
    store = FileInstallationStore(base_dir=str(directory / "installations"), client_id=client_id)
    states = FileOAuthStateStore(
        expiration_seconds=STATE_SECONDS, base_dir=str(directory / "states"), client_id=client_id
    )
    return store, states


async def find_bot(
    store: AsyncInstallationStore, enterprise_id: str | None, team_id: str | None
) -> Bot | None:
    """The bot installation acting in ``team_id``: the workspace's own install, else the
    org-wide install of its org (which covers every workspace of the org)."""
    bot = None
    if team_id:
        bot = await store.async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=False
        )
    if bot is None and enterprise_id:
        bot = await store.async_find_bot(
            enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True
        )
    return bot


class StoreTokens:
    """``TokenSource`` over an installation store: rotating tokens are refreshed before
    they expire (``refresh_minutes``), one refresh at a time per installation."""

    def __init__(
        self,
        store: AsyncInstallationStore,
        *,
        rotator: AsyncTokenRotator | None,
        refresh_minutes: int = REFRESH_MINUTES,
    ) -> None:
        self._store = store
        self._rotator = rotator
        self._minutes = refresh_minutes
        self._locks: dict[tuple[str | None, str | None], asyncio.Lock] = {}

    async def bot_token(self, enterprise_id: str | None, team_id: str | None) -> str | None:
        bot = await find_bot(self._store, enterprise_id, team_id)
        if bot is None or not self._expiring(bot):
            return bot.bot_token if bot is not None else None
        key = (bot.enterprise_id, None if bot.is_enterprise_install else bot.team_id)
        async with self._locks.setdefault(key, asyncio.Lock()):
            # Read again: whoever held the lock may have refreshed it already.
            bot = await find_bot(self._store, enterprise_id, team_id)
            if bot is None or not self._expiring(bot):
                return bot.bot_token if bot is not None else None
            return await self._refresh(bot)

    def _expiring(self, bot: Bot) -> bool:
        expires = bot.bot_token_expires_at
        return (
            bot.bot_refresh_token is not None
            and expires is not None
            and expires <= time.time() + self._minutes * 60
        )

    async def _refresh(self, bot: Bot) -> str | None:
        where = bot.team_id or f"org {bot.enterprise_id}"
        if self._rotator is None:
            log.warning("slack: the token of %s expires, but no client secret to refresh it", where)
            return bot.bot_token
        try:
            refreshed = await self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=self._minutes
            )
        except SlackTokenRotationError as exc:
            log.warning("slack: refreshing the token of %s failed: %s", where, exc)
            # Still usable until it expires; after that, nothing is sent there.
            expires = bot.bot_token_expires_at or 0
            return bot.bot_token if expires > time.time() else None
        if refreshed is None:
            return bot.bot_token
        await self._store.async_save_bot(refreshed)
        log.info("slack: refreshed the bot token of %s", where)
        return refreshed.bot_token


class WorkspaceAuthorize(AsyncAuthorize):
    """bolt's authorize: the request's workspace's installation and its current token."""

    def __init__(
        self, *, store: AsyncInstallationStore, tokens: TokenSource, workspaces: WorkspaceTokens
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._store = store
        self._tokens = tokens
        self._workspaces = workspaces

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        bot = await find_bot(self._store, enterprise_id, team_id)
        token = await self._tokens.bot_token(enterprise_id, team_id) if bot is not None else None
        if bot is None or token is None:
            log.info("slack: no installation for %s (org %s)", team_id, enterprise_id)
            return None
        self._workspaces.learn(team_id, bot.enterprise_id)
        result = AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )
        # What placed the request must say org-wide or not: the installation does.
        result["is_enterprise_install"] = bool(bot.is_enterprise_install)
        return result


class OAuthInstalls:
    """What the adapter needs to take installs and answer each workspace with its token."""

    def __init__(
        self,
        app: OAuthApp,
        *,
        store: AsyncInstallationStore,
        states: AsyncOAuthStateStore,
        client: AsyncWebClient,
        tokens: TokenSource | None = None,
    ) -> None:
        self.app = app
        self.store = store
        self.states = states
        rotator = AsyncTokenRotator(
            client_id=app.client_id, client_secret=app.client_secret, client=client
        )
        self.source = tokens or StoreTokens(store, rotator=rotator)
        self.tokens = WorkspaceTokens(self.source)
        self.authorize = WorkspaceAuthorize(store=store, tokens=self.source, workspaces=self.tokens)

    def settings(self) -> AsyncOAuthSettings:
        """bolt's OAuth flow: the install page, the redirect, the scopes, our stores."""
        return AsyncOAuthSettings(
            client_id=self.app.client_id,
            client_secret=self.app.client_secret,
            scopes=list(BOT_SCOPES),
            user_scopes=[],
            installation_store=self.store,
            state_store=self.states,
            authorization_url=self.app.authorization_url,
            token_rotation_expiration_minutes=REFRESH_MINUTES,
        )

    async def forget(self, event: Mapping[str, Any], context: AsyncBoltContext) -> set[str]:
        """Remove what ``app_uninstalled`` or ``tokens_revoked`` says Slack revoked; the
        workspaces whose bot token went with it (their games end)."""
        enterprise_id = context.enterprise_id
        team_id = None if context.is_enterprise_install else context.team_id
        where = team_id or f"org {enterprise_id}"
        if event.get("type") == "app_uninstalled":
            await self.store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
            log.warning(
                "slack: the app was uninstalled from %s; its installation is removed", where
            )
            return self.tokens.covered_by(enterprise_id, team_id)
        revoked = event.get("tokens")
        revoked = revoked if isinstance(revoked, Mapping) else {}
        for user in revoked.get("oauth") or ():
            await self.store.async_delete_installation(
                enterprise_id=enterprise_id, team_id=team_id, user_id=str(user)
            )
        if not revoked.get("bot"):
            return set()
        await self.store.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        log.warning("slack: the bot token of %s was revoked; its installation is removed", where)
        return self.tokens.covered_by(enterprise_id, team_id)


def add_install_routes(app: web.Application, flow: AsyncOAuthFlow) -> None:
    """``GET /slack/install`` (the "Add to Slack" page, which sets the state cookie) and
    ``GET /slack/oauth_redirect`` (Slack sends the browser back there with a code), as
    bolt's aiohttp adapter serves them."""

    async def install(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_installation(await _bolt(request)))

    async def redirect(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_callback(await _bolt(request)))

    app.router.add_get(flow.install_path, install)
    app.router.add_get(flow.redirect_uri_path, redirect)


async def _bolt(request: web.Request) -> AsyncBoltRequest:
    headers: dict[str, str | Sequence[str]] = dict(request.headers.items())
    return AsyncBoltRequest(body=await request.text(), query=request.query_string, headers=headers)
