"""The app's OAuth settings, authorization codes, and `oauth.v2.access` answers as Slack gives them.

Shapes and error codes come from Slack's reference: `oauth.v2.access` answers `access_token`,
`token_type: "bot"`, `scope`, `bot_user_id`, `app_id`, `team` ({id, name}, null for an
org-wide install), `enterprise` ({id, name} or null), `is_enterprise_install` and `authed_user`
(api.slack.com/enterprise/apps/reference); with token rotation also `expires_in` and
`refresh_token` (docs.slack.dev/authentication/using-token-rotation). Its errors:
`invalid_client_id`, `bad_client_secret`, `invalid_code`, `bad_redirect_uri` ("did not match the
redirect_uri in the original request"), `invalid_grant_type`, `invalid_refresh_token`,
`cannot_install_an_org_installed_app`. Slack asks apps to send client_id/client_secret with
HTTP Basic auth (slack_sdk does); form fields are accepted too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .records import JsonDict
from .tokens import Grant, Issued


@dataclass(slots=True)
class OAuthApp:
    """The app as configured on api.slack.com: credentials, redirect URLs, token rotation.

    `redirect_urls` empty accepts any `redirect_uri` (a test rarely knows the bot's port
    before it starts); otherwise a `redirect_uri` must start with one of them.
    `token_lifetime` is the `expires_in` of every access token issued while
    `token_rotation` is on (Slack: always 43,200 s); change it between steps to make one
    token short-lived. Codes are single-use and live `code_lifetime` seconds (RFC 6749
    4.1.2 recommends at most ten minutes).
    """

    client_id: str = "1111111111.2222222222"
    client_secret: str = "fake-client-secret"
    redirect_urls: list[str] = field(default_factory=list)
    token_rotation: bool = False
    token_lifetime: int = 43200
    code_lifetime: float = 600.0

    def accepts_redirect(self, redirect_uri: str) -> bool:
        if not redirect_uri.startswith(("http://", "https://")):
            return False
        return not self.redirect_urls or redirect_uri.startswith(tuple(self.redirect_urls))

    def check_client(self, client_id: str | None, client_secret: str | None) -> str | None:
        """Slack's error for the app's credentials, or None when they are right."""
        if client_id != self.client_id:
            return "invalid_client_id"
        if client_secret != self.client_secret:
            return "bad_client_secret"
        return None


class OAuthRefusal(ValueError):
    """What Slack's authorize page refuses to do; `code` is the error it shows."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(slots=True)
class AuthCode:
    """A code handed to the browser after a member approved the install."""

    code: str
    team_id: str
    user: str
    scopes: str
    user_scopes: str
    #: The redirect_uri the authorize request named, if it named one.
    redirect_uri: str | None
    org_wide: bool
    issued_at: float
    used: bool = False


def access_answer(
    grant: Grant,
    *,
    app_id: str,
    bot: Issued,
    user: Issued | None,
    team_name: str | None,
    enterprise_name: str | None,
    now: float,
) -> JsonDict:
    """`oauth.v2.access`'s answer to a code exchange."""
    authed_user: JsonDict = {"id": grant.installer}
    if user is not None:
        authed_user |= {
            "scope": grant.user_scopes,
            "access_token": user.access.value,
            "token_type": "user",
        }
        authed_user |= rotation_fields(user, now)
    return {
        "ok": True,
        "app_id": app_id,
        "authed_user": authed_user,
        "scope": grant.scopes,
        "token_type": "bot",
        "access_token": bot.access.value,
        "bot_user_id": grant.bot_user_id,
        **team_fields(grant, team_name=team_name, enterprise_name=enterprise_name),
        **rotation_fields(bot, now),
    }


def refresh_answer(
    grant: Grant,
    issued: Issued,
    *,
    app_id: str,
    team_name: str | None,
    enterprise_name: str | None,
    now: float,
) -> JsonDict:
    """`oauth.v2.access`'s answer to `grant_type=refresh_token`: the new pair."""
    access = issued.access
    answer: JsonDict = {
        "ok": True,
        "app_id": app_id,
        "access_token": access.value,
        "token_type": access.kind,
        "scope": grant.scopes if access.kind == "bot" else grant.user_scopes,
        **rotation_fields(issued, now),
        **team_fields(grant, team_name=team_name, enterprise_name=enterprise_name),
    }
    if access.kind == "bot":
        answer["bot_user_id"] = grant.bot_user_id
    else:
        answer["user_id"] = grant.installer
    return answer


def team_fields(grant: Grant, *, team_name: str | None, enterprise_name: str | None) -> JsonDict:
    team = None if grant.team_id is None else {"id": grant.team_id, "name": team_name}
    enterprise = None
    if grant.enterprise_id is not None:
        enterprise = {"id": grant.enterprise_id, "name": enterprise_name}
    return {
        "team": team,
        "enterprise": enterprise,
        "is_enterprise_install": grant.is_enterprise_install,
    }


def rotation_fields(issued: Issued, now: float) -> JsonDict:
    if issued.refresh is None or issued.access.expires_at is None:
        return {}
    return {
        "expires_in": round(issued.access.expires_at - now),
        "refresh_token": issued.refresh.value,
    }
