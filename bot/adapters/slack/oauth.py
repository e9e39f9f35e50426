"""OAuth installs: the app in any number of workspaces, each answered with its own token.

With ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` (HTTP mode), slack-bolt
serves ``/slack/install`` (the "Add to Slack" page) and ``/slack/oauth_redirect``
through its OAuth flow (``OAuthInstalls.settings``), keeping installations and
pending installs' states in the bot's database (``installation_store``: both
backends, tokens sealed with ``TRIVIA_SLACK_TOKEN_KEY``).  Then:

* every request is authorized by ``WorkspaceAuthorize``: the installation serving
  the request's workspace (its own, or its Enterprise Grid org's org-wide one)
  gives the token bolt answers with, refreshed first when Slack rotates it (once
  per workspace across replicas: ``token_rotation.WorkspaceTokens``), and tells
  ``workspaces.place`` whether it is org-wide; no ``auth.test`` per request;
* everything sent later asks ``TokensByTeam`` (``tokens``) for the token of the
  channel's workspace, per call;
  a channel key names only the workspace, so the org each workspace is in is
  learned from the requests it authorizes and kept as a bot fact
  (``slack:org-of:<team>``), for the other replicas and the next start;
* ``app_uninstalled`` and ``tokens_revoked`` remove what Slack revoked
  (``forget``); the adapter then ends that workspace's games.

The database is opened after the adapter is built (``bot.app.lifecycle``), so the
stores bolt is given stand in for the database's until ``attached`` (the
lifecycle's claim step, before Slack can reach the bot).  With ``adapter``,
``api`` and ``installation_store``, the only modules of this folder that import
an SDK.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.authorization.authorize_result import AuthorizeResult
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.ids import BOT_SCOPES
from bot.adapters.slack.installation_store import (
    SqlInstallationStore,
    SqlOAuthStateStore,
    slack_refresher,
)
from bot.adapters.slack.token_rotation import (
    InstallationStore,
    TokenRefreshFailed,
    WorkspaceTokens,
)
from bot.adapters.slack.tokens import TokensByTeam
from bot.ports import BotFacts, Clock
from bot.slack_installations import SlackInstallation
from bot.slack_tokens import TokenCipher, check_stored_tokens

log = logging.getLogger(__name__)

#: bolt refreshes a token with less than this left; ``WorkspaceTokens`` hands out only
#: tokens good for longer (its margin), so bolt never finds one to refresh itself.
BOLT_REFRESH_MINUTES = 120


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """The app's OAuth credentials and where Slack's authorize page is."""

    client_id: str
    client_secret: str
    authorization_url: str | None = None
    token_keys: tuple[str, ...] = ()


class Database(InstallationStore, BotFacts, Protocol):
    """What the OAuth installs keep in the database: installations and their refresh
    leases, and which org each workspace is in (a fact per workspace)."""


def org_fact(team_id: str) -> str:
    """The bot fact naming the Enterprise Grid org of ``team_id`` ("" for none)."""
    return f"slack:org-of:{team_id}"


class NotAttached(RuntimeError):
    """The database's stores are asked for before the database is open (a bug)."""


class _Stores:
    """The database's stores, once ``OAuthInstalls.attached`` put them here."""

    def __init__(self) -> None:
        self.database: Database | None = None
        self.installations: SqlInstallationStore | None = None
        self.states: SqlOAuthStateStore | None = None
        self.tokens: WorkspaceTokens | None = None

    def installation_store(self) -> SqlInstallationStore:
        if self.installations is None:
            raise NotAttached("the Slack installation store is used before the database opened")
        return self.installations

    def state_store(self) -> SqlOAuthStateStore:
        if self.states is None:
            raise NotAttached("the OAuth state store is used before the database opened")
        return self.states

    def raw(self) -> Database:
        if self.database is None:
            raise NotAttached("the Slack installations are asked for before the database opened")
        return self.database

    def workspace_tokens(self) -> WorkspaceTokens:
        if self.tokens is None:
            raise NotAttached("Slack tokens are asked for before the database opened")
        return self.tokens


class AttachedInstallationStore(AsyncInstallationStore):
    """What bolt is given as its installation store: the database's, once attached."""

    def __init__(self, stores: _Stores) -> None:
        self._stores = stores

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self._stores.installation_store().async_save(installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await self._stores.installation_store().async_save_bot(bot)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return await self._stores.installation_store().async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await self._stores.installation_store().async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._stores.installation_store().async_delete_bot(
            enterprise_id=enterprise_id, team_id=team_id
        )

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await self._stores.installation_store().async_delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._stores.installation_store().async_delete_all(
            enterprise_id=enterprise_id, team_id=team_id
        )


class AttachedStateStore(AsyncOAuthStateStore):
    """What bolt is given as its OAuth state store: the database's, once attached."""

    def __init__(self, stores: _Stores) -> None:
        self._stores = stores

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await self._stores.state_store().async_issue(*args, **kwargs)

    async def async_consume(self, state: str) -> bool:
        return await self._stores.state_store().async_consume(state)


class WorkspaceAuthorize(AsyncAuthorize):
    """bolt's authorize: the installation serving the request's workspace, with a token
    good for a while (``WorkspaceTokens``), and what it says about the workspace."""

    def __init__(self, installs: OAuthInstalls) -> None:
        # AsyncAuthorize.__init__ does nothing (and is untyped).
        self._installs = installs

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
        found = await self._installs.installation(enterprise_id, team_id)
        if found is None:
            log.info("slack: no installation serves workspace %s (org %s)", team_id, enterprise_id)
            return None
        await self._installs.learn(team_id, found.enterprise_id)
        result = AuthorizeResult(
            enterprise_id=found.enterprise_id,
            team_id=found.team_id,
            team=found.team_name,
            bot_user_id=found.bot_user_id,
            bot_id=found.bot_id,
            bot_token=found.bot_token,
            bot_scopes=list(found.bot_scopes),
            user_id=user_id,
        )
        # What places the request must know whether the install is org-wide: it says.
        result["is_enterprise_install"] = found.is_enterprise_install
        return result


class OAuthInstalls:
    """What the adapter needs to take installs and answer each workspace with its token."""

    def __init__(self, app: OAuthApp, *, client: AsyncWebClient) -> None:
        self.app = app
        self._client = client
        self._stores = _Stores()
        self.store = AttachedInstallationStore(self._stores)
        self.states = AttachedStateStore(self._stores)
        self.tokens = TokensByTeam(self)
        self.authorize = WorkspaceAuthorize(self)
        self._last: dict[str, str] = {}

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
            token_rotation_expiration_minutes=BOLT_REFRESH_MINUTES,
        )

    @asynccontextmanager
    async def attached(
        self, database: Database, *, clock: Clock, holder: str
    ) -> AsyncIterator[None]:
        """Keep installations, states and refreshes in ``database`` while inside; a stored
        token the configured key cannot open stops the start (``TokenKeyError``)."""
        cipher = TokenCipher(self.app.token_keys)
        plain = await check_stored_tokens(database, cipher)
        if plain:
            log.warning(
                "slack: %d stored tokens are not encrypted yet (stored before "
                "TRIVIA_SLACK_TOKEN_KEY was set); each is encrypted at its next refresh or "
                "install",
                plain,
            )
        refresh = slack_refresher(
            self._client, client_id=self.app.client_id, client_secret=self.app.client_secret
        )
        tokens = WorkspaceTokens(
            database, cipher=cipher, refresh=refresh, clock=clock, holder=holder
        )
        self._stores.database, self._stores.tokens = database, tokens
        self._stores.installations = SqlInstallationStore(database, cipher=cipher, tokens=tokens)
        self._stores.states = SqlOAuthStateStore(database)
        try:
            yield
        finally:
            self._stores.database = self._stores.tokens = None
            self._stores.installations = self._stores.states = None

    async def installation(
        self, enterprise_id: str | None, team_id: str | None
    ) -> SlackInstallation | None:
        """The installation serving ``team_id`` (of org ``enterprise_id``), its bot token
        good for a while; None if none does, or its token cannot be refreshed."""
        try:
            return await self._stores.workspace_tokens().installation(enterprise_id, team_id)
        except TokenRefreshFailed as exc:
            log.warning("slack: no usable token for %s (org %s): %s", team_id, enterprise_id, exc)
            return None

    async def bot_token(self, enterprise_id: str | None, team_id: str | None) -> str | None:
        """``tokens.TokenSource``: the bot token acting in ``team_id`` now, or None.

        Once the database has closed (a stop: the games' last words are sent after it),
        the token last handed out for the workspace, unless it was uninstalled since."""
        if self._stores.tokens is None:
            return self._last.get(team_id or "")
        if enterprise_id is None and team_id and not self.tokens.knows(team_id):
            enterprise_id = await self._recalled_org(team_id)
        found = await self.installation(enterprise_id, team_id)
        if found is None:
            self._last.pop(team_id or "", None)
            return None
        if team_id:
            self._last[team_id] = found.bot_token
        return found.bot_token

    async def is_installed(self, team_id: str) -> bool:
        """Whether an installation serves ``team_id`` (as stored: no refresh first); True
        when that cannot be told (the database not open: a stop)."""
        if self._stores.database is None:
            return True
        if not self.tokens.knows(team_id):
            await self._recalled_org(team_id)
        org = self.tokens.org_of(team_id)
        return await self._stores.raw().find_slack_installation(org, team_id) is not None

    async def learn(self, team_id: str | None, enterprise_id: str | None) -> None:
        """``team_id`` is in org ``enterprise_id``: known here, and kept in the database for
        the other replicas and the next start (a game there may go on before any request
        from there arrives, and an org-wide install is found by the org)."""
        if self.tokens.learn(team_id, enterprise_id) and team_id:
            await self._stores.raw().set_fact_if_changed(org_fact(team_id), enterprise_id or "")

    async def _recalled_org(self, team_id: str) -> str | None:
        org = await self._stores.raw().fact(org_fact(team_id))
        if org is None:
            return None
        self.tokens.learn(team_id, org or None)
        return org or None

    async def forget(self, event: Mapping[str, Any], context: AsyncBoltContext) -> set[str]:
        """Remove what ``app_uninstalled`` or ``tokens_revoked`` says Slack revoked; the
        workspaces whose bot token went with it (their games end)."""
        enterprise_id = context.enterprise_id
        team_id = None if context.is_enterprise_install else context.team_id
        where = team_id or f"org {enterprise_id}"
        revoked = event.get("tokens")
        revoked = revoked if isinstance(revoked, Mapping) else {}
        if event.get("type") != "app_uninstalled" and not revoked.get("bot"):
            return set()  # user tokens only: the app keeps none
        # The installation serving that workspace, its own or its org's: as stored (its
        # token revoked, it must not be refreshed first).
        found = await self._stores.raw().find_slack_installation(enterprise_id, team_id)
        await self.store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        log.warning("slack: %s for %s: its installation is removed", event.get("type"), where)
        if found is not None and found.is_enterprise_install:
            gone = self.tokens.covered_by(found.enterprise_id, None)
        else:
            gone = self.tokens.covered_by(enterprise_id, team_id)
        for team in gone:
            self._last.pop(team, None)
        return gone


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
