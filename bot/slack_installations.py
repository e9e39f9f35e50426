"""The Slack app's installations as the database keeps them (``bot.ports.SlackInstallStore``).

An installation is a workspace's, or on Enterprise Grid an organisation's
(*org-wide*: ``is_enterprise_install``, no ``team_id``, it reaches every workspace of
the org).  Its key is ``(enterprise_id, team_id)``, either of them None where Slack
gives none: a workspace outside any org is ``(None, T)``, a Grid workspace's own
install ``(E, T)``, an org-wide install ``(E, None)``.  A request from workspace
``T`` of org ``E`` is served by ``(E, T)`` if that workspace installed the app
itself, else by the org-wide ``(E, None)``.

The tokens here are as stored: *sealed* by ``bot.slack_tokens.TokenCipher``
(encrypted when ``TRIVIA_SLACK_TOKEN_KEY`` is set, plain otherwise).  Nothing in the
storage package ever sees a key or a plain token it could not have stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple


class InstallationKey(NamedTuple):
    """Which installation: ``(enterprise_id, team_id)``; see the module docstring."""

    enterprise_id: str | None
    team_id: str | None

    def __str__(self) -> str:
        if self.team_id is None:
            return f"org {self.enterprise_id}"
        if self.enterprise_id is None:
            return f"workspace {self.team_id}"
        return f"workspace {self.team_id} of org {self.enterprise_id}"


@dataclass(frozen=True, slots=True)
class SlackInstallation:
    """One installation of the app, its tokens sealed (module docstring).

    ``bot_refresh_token`` and ``bot_token_expires_at`` are set with token rotation
    only: the bot token then expires, and the refresh token buys the next pair once.
    ``installer_user_id`` is the member who approved the install.
    """

    enterprise_id: str | None
    team_id: str | None
    bot_user_id: str
    bot_id: str
    bot_token: str
    installed_at: datetime
    is_enterprise_install: bool = False
    bot_scopes: tuple[str, ...] = ()
    app_id: str | None = None
    enterprise_name: str | None = None
    team_name: str | None = None
    bot_refresh_token: str | None = None
    bot_token_expires_at: datetime | None = None
    installer_user_id: str | None = None

    def __post_init__(self) -> None:
        if self.is_enterprise_install and (self.team_id is not None or not self.enterprise_id):
            raise ValueError("an org-wide installation has an enterprise_id and no team_id")
        if not self.is_enterprise_install and not self.team_id:
            raise ValueError("a workspace's installation needs its team_id")
        if not self.bot_token:
            raise ValueError("an installation needs its bot token")
        if (self.bot_refresh_token is None) != (self.bot_token_expires_at is None):
            raise ValueError("a refresh token and the bot token's expiry go together")

    @property
    def key(self) -> InstallationKey:
        return InstallationKey(self.enterprise_id, self.team_id)


@dataclass(frozen=True, slots=True)
class RotatedTokens:
    """What one ``grant_type=refresh_token`` exchange bought: the next bot token, the
    next refresh token, and when the new bot token expires (all sealed as stored)."""

    bot_token: str
    bot_refresh_token: str
    bot_token_expires_at: datetime
