"""slack-bolt's stores on our database: installations and OAuth states.

slack_sdk ships no asyncpg or psycopg installation store, and its SQLite one blocks the
event loop; these keep what bolt's OAuth flow saves in the bot's own database, through
``bot.ports.SlackInstallStore`` (SQLite and PostgreSQL alike), tokens sealed with
``TRIVIA_SLACK_TOKEN_KEY`` (``bot.slack_tokens``):

``SqlInstallationStore``
    slack_sdk's ``AsyncInstallationStore``.  One installation per workspace (or per org,
    org-wide): the bot's.  The installer's own user token is not kept (the app asks for
    no user scopes), so ``async_find_installation(user_id=...)`` of anyone but the
    installer finds nothing and a revoked user token removes nothing.  A delete removes
    the installation that serves the workspace named, its own or its org's, which is
    what ``app_uninstalled`` and ``tokens_revoked`` from that workspace mean.  Given a
    ``WorkspaceTokens``, it hands out bot tokens refreshed first (one refresh per
    workspace across replicas), so bolt's own rotator never has one to refresh.
``SqlOAuthStateStore``
    slack_sdk's ``AsyncOAuthStateStore``: a state works once, on any replica, until it
    expires (``StatelessOAuthStateStore`` would allow replays).
``slack_refresher``
    The ``oauth.v2.access`` call (``grant_type=refresh_token``) ``WorkspaceTokens`` makes.

``bot.adapters.slack.oauth.OAuthInstalls`` puts them together for the adapter, with
bolt's ``authorize`` over ``WorkspaceTokens``, once the database is open.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.token_rotation import (
    RefreshAnswer,
    Refresher,
    TokenRefreshFailed,
    WorkspaceTokens,
)
from bot.ports import SlackInstallStore
from bot.slack_installations import SlackInstallation
from bot.slack_tokens import TokenCipher

log = logging.getLogger(__name__)

#: How long an install may take from "Add to Slack" to the redirect back (slack_sdk's default).
STATE_SECONDS = 600


def _instant(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _seconds(at: datetime | None) -> int | None:
    return None if at is None else int(at.timestamp())


class SqlInstallationStore(AsyncInstallationStore):
    """slack_sdk's ``AsyncInstallationStore`` on our database (module docstring)."""

    def __init__(
        self,
        store: SlackInstallStore,
        *,
        cipher: TokenCipher,
        tokens: WorkspaceTokens | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self._store = store
        self._cipher = cipher
        self._tokens = tokens
        self._logger = logger or log

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    # -- saving ----------------------------------------------------------------------

    async def async_save(self, installation: Installation) -> None:
        # to_bot() drops who installed: keep it.
        record = self._record(installation.to_bot(), installer=installation.user_id or None)
        await self._store.save_slack_installation(record)

    async def async_save_bot(self, bot: Bot) -> None:
        await self._store.save_slack_installation(self._record(bot))

    def _record(self, bot: Bot, *, installer: str | None = None) -> SlackInstallation:
        if not bot.bot_token:
            raise ValueError("an installation without a bot token cannot be saved")
        org = bool(bot.is_enterprise_install)
        refresh = bot.bot_refresh_token
        return SlackInstallation(
            enterprise_id=bot.enterprise_id or None,
            team_id=None if org else bot.team_id or None,
            is_enterprise_install=org,
            enterprise_name=bot.enterprise_name,
            team_name=bot.team_name,
            app_id=bot.app_id,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=self._cipher.seal(bot.bot_token),
            bot_scopes=tuple(bot.bot_scopes or ()),
            bot_refresh_token=None if refresh is None else self._cipher.seal(refresh),
            bot_token_expires_at=_instant(bot.bot_token_expires_at) if refresh else None,
            installer_user_id=installer,
            installed_at=_instant(bot.installed_at) or datetime.now(UTC),
        )

    # -- finding -----------------------------------------------------------------------

    async def _found(
        self, enterprise_id: str | None, team_id: str | None, org: bool | None
    ) -> SlackInstallation | None:
        if self._tokens is not None:
            return await self._tokens.installation(
                enterprise_id, team_id, is_enterprise_install=bool(org)
            )
        found = await self._store.find_slack_installation(
            enterprise_id, team_id, is_enterprise_install=bool(org)
        )
        if found is None:
            return None
        return self._cipher.opened(found)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = await self._found(enterprise_id, team_id, is_enterprise_install)
        return None if found is None else _bot(found)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = await self._found(enterprise_id, team_id, is_enterprise_install)
        if found is None or (user_id is not None and user_id != found.installer_user_id):
            return None
        return _installation(found)

    # -- deleting ----------------------------------------------------------------------

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        found = await self._store.find_slack_installation(enterprise_id, team_id)
        if found is not None and await self._store.delete_slack_installation(found.key):
            self._logger.info("slack: removed the installation of %s", found.key)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        # A user's token (tokens_revoked's "oauth" list) is not kept: nothing to remove.

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)


def _bot(found: SlackInstallation) -> Bot:
    return Bot(
        app_id=found.app_id,
        enterprise_id=found.enterprise_id,
        enterprise_name=found.enterprise_name,
        team_id=found.team_id,
        team_name=found.team_name,
        bot_token=found.bot_token,
        bot_id=found.bot_id,
        bot_user_id=found.bot_user_id,
        bot_scopes=list(found.bot_scopes),
        bot_refresh_token=found.bot_refresh_token,
        bot_token_expires_at=_seconds(found.bot_token_expires_at),
        is_enterprise_install=found.is_enterprise_install,
        installed_at=found.installed_at.timestamp(),
    )


def _installation(found: SlackInstallation) -> Installation:
    return Installation(
        app_id=found.app_id,
        enterprise_id=found.enterprise_id,
        enterprise_name=found.enterprise_name,
        team_id=found.team_id,
        team_name=found.team_name,
        bot_token=found.bot_token,
        bot_id=found.bot_id,
        bot_user_id=found.bot_user_id,
        bot_scopes=list(found.bot_scopes),
        bot_refresh_token=found.bot_refresh_token,
        bot_token_expires_at=_seconds(found.bot_token_expires_at),
        user_id=found.installer_user_id or "",
        is_enterprise_install=found.is_enterprise_install,
        token_type="bot",
        installed_at=found.installed_at.timestamp(),
    )


class SqlOAuthStateStore(AsyncOAuthStateStore):
    """slack_sdk's ``AsyncOAuthStateStore`` on our database: each state works once."""

    def __init__(
        self,
        store: SlackInstallStore,
        *,
        expiration_seconds: int = STATE_SECONDS,
        logger: logging.Logger | None = None,
    ) -> None:
        if expiration_seconds <= 0:
            raise ValueError(f"expiration_seconds must be positive, got {expiration_seconds}")
        self._store = store
        self._seconds = expiration_seconds
        self._logger = logger or log

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        await self._store.issue_oauth_state(state, ttl=self._seconds)
        return state

    async def async_consume(self, state: str) -> bool:
        consumed = await self._store.consume_oauth_state(state)
        if not consumed:
            self._logger.info("slack: refused an OAuth state that is unknown, used or expired")
        return consumed


def slack_refresher(client: AsyncWebClient, *, client_id: str, client_secret: str) -> Refresher:
    """``oauth.v2.access`` with ``grant_type=refresh_token`` on ``client`` (built with
    ``SLACK_API_URL``: bolt's own rotator would go to slack.com)."""

    async def refresh(refresh_token: str) -> RefreshAnswer:
        try:
            answer = await client.oauth_v2_access(
                client_id=client_id,
                client_secret=client_secret,
                grant_type="refresh_token",
                refresh_token=refresh_token,
            )
        except SlackApiError as exc:
            raise TokenRefreshFailed(
                f"Slack refused to refresh the bot token: {exc.response.get('error')}"
            ) from exc
        except (SlackClientError, OSError, TimeoutError) as exc:
            raise TokenRefreshFailed(f"could not reach Slack to refresh a token: {exc}") from exc
        if answer.get("token_type") != "bot":
            raise TokenRefreshFailed(f"oauth.v2.access answered a {answer.get('token_type')} token")
        return RefreshAnswer(
            access_token=str(answer["access_token"]),
            refresh_token=str(answer["refresh_token"]),
            expires_in=float(answer["expires_in"]),
        )

    return refresh
