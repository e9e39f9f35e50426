"""Where the app is installed, with which tokens, and which workspace each call acts on.

`Installations` owns the fake's workspaces and Enterprise Grid orgs, the `TokenBook`, and
the OAuth v2 flow that creates installations (`approve` hands out a code, `exchange` is
`oauth.v2.access`). It decides, for every Web API call, whether the token may make it and
in which workspace; `SlackWorkspace.call` then answers it. No HTTP here.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .oauth import AuthCode, OAuthApp, OAuthRefusal, access_answer, refresh_answer
from .records import JsonDict
from .tokens import REFUSALS, Grant, Issued, SlackClock, Token, TokenBook, TokenState
from .workspace import SlackWorkspace, error

log = logging.getLogger(__name__)

#: Methods answered from the token alone, whatever workspace it belongs to.
TOKEN_METHODS = ("auth.test", "auth.revoke")
#: What a user token may call here: the fake posts only as the bot.
USER_TOKEN_METHODS = TOKEN_METHODS


@dataclass(slots=True)
class FakeEnterprise:
    """An Enterprise Grid org: its workspaces, and the org-level bot user they share."""

    id: str
    name: str
    domain: str
    bot_user_id: str
    bot_id: str
    team_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a call's token may make it: `problem` is Slack's error when it may not."""

    token: Token | None
    state: TokenState
    problem: str | None = None


class Installations:
    """The app's installations across the fake's workspaces. See the module docstring."""

    def __init__(self, *, app: OAuthApp, app_id: str, clock: SlackClock) -> None:
        self.app = app
        self.app_id = app_id
        self.clock = clock
        self.book = TokenBook(clock)
        self.workspaces: dict[str, SlackWorkspace] = {}
        self.enterprises: dict[str, FakeEnterprise] = {}
        self.codes: dict[str, AuthCode] = {}

    # ------------------------------------------------------------------ arranging

    def add(self, ws: SlackWorkspace) -> SlackWorkspace:
        if ws.team_id in self.workspaces:
            raise ValueError(f"there already is a workspace {ws.team_id}")
        self.workspaces[ws.team_id] = ws
        if ws.enterprise_id is not None:
            self.enterprises[ws.enterprise_id].team_ids.append(ws.team_id)
        self._sync()
        return ws

    def org_workspaces(self, enterprise_id: str) -> list[SlackWorkspace]:
        return [self.workspaces[t] for t in self.enterprises[enterprise_id].team_ids]

    def grant_for(self, ws: SlackWorkspace) -> Grant | None:
        """The active installation reaching `ws`: its own if it has one, else its org's."""
        reaching = (g for g in self.book.grants if g.covers(ws.team_id, ws.enterprise_id))
        active = [g for g in reaching if g.active]
        own = [g for g in active if not g.is_enterprise_install]
        chosen = own or active
        return chosen[-1] if chosen else None

    def install(
        self,
        ws: SlackWorkspace,
        *,
        user: str,
        scopes: str,
        user_scopes: str = "",
        org_wide: bool = False,
        bot_token: str | None = None,
        rotating: bool | None = None,
    ) -> tuple[Grant, Issued, Issued | None]:
        """Install the app in `ws` (or, `org_wide`, in its whole org) as `user` approved it.

        Installing again where the app already is keeps the installation and its bot token
        (with rotation on, it issues a new pair); `bot_token` names the token instead of
        generating one (the default workspace's `Identity.bot_token`); `rotating` overrides
        the app's token rotation setting for this install.
        """
        if org_wide and ws.enterprise_id is None:
            raise OAuthRefusal("invalid_team_for_org_install", f"{ws.team_id} is in no org")
        grant = self._existing(ws, org_wide)
        if grant is None:
            org = self.enterprises.get(ws.enterprise_id or "")
            grant = self.book.add_grant(
                Grant(
                    team_id=None if org_wide else ws.team_id,
                    enterprise_id=ws.enterprise_id,
                    is_enterprise_install=org_wide,
                    bot_user_id=ws.identity.bot_user_id,
                    bot_id=org.bot_id if org_wide and org is not None else ws.identity.bot_id,
                    scopes=scopes,
                    installer=user,
                    user_scopes=user_scopes,
                )
            )
        grant.scopes, grant.user_scopes, grant.installer = scopes, user_scopes, user
        rotation = self.app.token_rotation if rotating is None else rotating
        lifetime = self.app.token_lifetime if rotation else None
        current = self.book.current(grant, "bot")
        if current is not None and lifetime is None and bot_token is None:
            bot = Issued(current)
        else:
            bot = self.book.issue(grant, "bot", lifetime=lifetime, value=bot_token)
        user_token = self.book.issue(grant, "user", lifetime=lifetime) if user_scopes else None
        self._sync()
        return grant, bot, user_token

    def _existing(self, ws: SlackWorkspace, org_wide: bool) -> Grant | None:
        for grant in reversed(self.book.grants):
            if not grant.active or grant.is_enterprise_install != org_wide:
                continue
            if grant.covers(ws.team_id, ws.enterprise_id):
                return grant
        return None

    def uninstall(self, grant: Grant) -> list[Token]:
        """The app is removed: every token of `grant` is revoked. Returns them."""
        revoked = self.book.revoke(self.book.of(grant))
        grant.uninstalled_at = self.clock.now()
        self._sync()
        return revoked

    def reached(self, grant: Grant) -> list[SlackWorkspace]:
        """The workspaces `grant` reaches (one, or every workspace of its org)."""
        return [ws for ws in self.workspaces.values() if grant.covers(ws.team_id, ws.enterprise_id)]

    def _sync(self) -> None:
        for ws in self.workspaces.values():
            ws.installation = self.grant_for(ws)

    # ------------------------------------------------------------------ the OAuth v2 flow

    def approve(
        self,
        ws: SlackWorkspace,
        *,
        user: str,
        client_id: str,
        scopes: str,
        user_scopes: str = "",
        redirect_uri: str | None = None,
        state: str | None = None,
        org_wide: bool = False,
    ) -> str:
        """`user` clicks Allow on Slack's authorize page in `ws`: the URL the browser is sent
        to, `redirect_uri?code=...&state=...`. Raises `OAuthRefusal` where Slack would show
        an error page instead."""
        if client_id != self.app.client_id:
            raise OAuthRefusal("invalid_client_id", client_id)
        if not scopes and not user_scopes:
            raise OAuthRefusal("no_scopes")
        target = redirect_uri or (self.app.redirect_urls[0] if self.app.redirect_urls else None)
        if target is None or not self.app.accepts_redirect(target):
            raise OAuthRefusal("bad_redirect_uri", str(target))
        member = ws.users.get(user)
        if member is None:
            raise OAuthRefusal("user_not_found", f"{user} is not a member of {ws.team_id}")
        if org_wide and ws.enterprise_id is None:
            raise OAuthRefusal("invalid_team_for_org_install", f"{ws.team_id} is in no org")
        if org_wide and not (member.is_admin or member.is_owner):
            raise OAuthRefusal("not_authorized", "only an org admin or owner installs org-wide")
        code = f"{ws.next_number():010d}.{ws.team_id}.{secrets.token_hex(16)}"
        self.codes[code] = AuthCode(
            code,
            ws.team_id,
            user,
            scopes,
            user_scopes,
            redirect_uri,
            org_wide,
            issued_at=self.clock.now(),
        )
        query = {"code": code} | ({} if state is None else {"state": state})
        return f"{target}{'&' if '?' in target else '?'}{urlencode(query)}"

    def exchange(self, args: Mapping[str, Any], client: tuple[str, str] | None) -> JsonDict:
        """`oauth.v2.access`: a code for an installation's tokens, or a refresh token for a
        new pair."""
        client_id, client_secret = client or (args.get("client_id"), args.get("client_secret"))
        problem = self.app.check_client(
            None if client_id is None else str(client_id),
            None if client_secret is None else str(client_secret),
        )
        if problem is not None:
            return error(problem)
        grant_type = args.get("grant_type") or "authorization_code"
        if grant_type == "refresh_token":
            return self._refresh(str(args.get("refresh_token") or ""))
        if grant_type != "authorization_code":
            return error("invalid_grant_type")
        return self._redeem(str(args.get("code") or ""), args.get("redirect_uri"))

    def _redeem(self, code: str, redirect_uri: Any) -> JsonDict:
        found, now = self.codes.get(code), self.clock.now()
        if found is None or found.used or now - found.issued_at > self.app.code_lifetime:
            return error("invalid_code")
        if found.redirect_uri is not None and redirect_uri != found.redirect_uri:
            return error("bad_redirect_uri")
        found.used = True
        ws = self.workspaces[found.team_id]
        grant = self.grant_for(ws)
        if not found.org_wide and grant is not None and grant.is_enterprise_install:
            return error("cannot_install_an_org_installed_app")
        grant, bot, user = self.install(
            ws,
            user=found.user,
            scopes=found.scopes,
            user_scopes=found.user_scopes,
            org_wide=found.org_wide,
        )
        return access_answer(
            grant, app_id=self.app_id, bot=bot, user=user, now=now, **self._names(grant)
        )

    def _refresh(self, refresh_token: str) -> JsonDict:
        issued = self.book.refresh(refresh_token, lifetime=self.app.token_lifetime)
        if issued is None or issued.access.grant is None:
            return error("invalid_refresh_token")
        grant = issued.access.grant
        now = self.clock.now()
        return refresh_answer(grant, issued, app_id=self.app_id, now=now, **self._names(grant))

    def _names(self, grant: Grant) -> dict[str, str | None]:
        ws = self.workspaces.get(grant.team_id or "")
        org = self.enterprises.get(grant.enterprise_id or "")
        return {
            "team_name": ws.team_name if ws is not None else None,
            "enterprise_name": org.name if org is not None else None,
        }

    # ------------------------------------------------------------------ every other call

    def check(self, method: str, value: str | None) -> Verdict:
        """May a call of `method` present token `value`? Slack's refusals, in its order:
        no token, unknown, revoked, expired, then the wrong kind of token."""
        state = self.book.state(value)
        token = None if value is None else self.book.tokens.get(value)
        wants_app = method == "apps.connections.open"
        if value is None:
            return Verdict(None, state, REFUSALS["none"])
        if token is None:
            wrong_kind = value.startswith("xox") if wants_app else value.startswith("xapp")
            return Verdict(None, state, "not_allowed_token_type" if wrong_kind else "invalid_auth")
        if state != "valid":
            return Verdict(token, state, REFUSALS[state])
        if token.kind == "refresh":
            return Verdict(token, state, "invalid_auth")
        if wants_app != (token.kind == "app"):
            return Verdict(token, state, "not_allowed_token_type")
        if token.kind == "user" and method not in USER_TOKEN_METHODS:
            return Verdict(token, state, "not_allowed_token_type")
        return Verdict(token, state)

    def workspace_for(
        self, token: Token, args: Mapping[str, Any], default: SlackWorkspace
    ) -> SlackWorkspace | None:
        """The workspace a call made with `token` acts on.

        A workspace's token acts there. An org-wide token acts in the workspace its `team_id`
        argument names (Slack asks org-wide apps for it on some methods), else the one owning
        an id the call names (a channel, user, trigger, view or file), else the org's first.
        The app-level token belongs to no workspace: `default` answers it.
        """
        grant = token.grant
        if grant is None:
            return default
        if not grant.is_enterprise_install:
            return self.workspaces.get(grant.team_id or "")
        org = self.org_workspaces(grant.enterprise_id or "")
        if args.get("team_id"):
            return next((ws for ws in org if ws.team_id == args["team_id"]), None)
        return next((ws for ws in org if ws.knows(args)), org[0] if org else None)

    def foreign_channel(self, ws: SlackWorkspace, args: Mapping[str, Any]) -> bool:
        """Whether the call names a conversation of another workspace and not of `ws`: Slack
        answers `channel_not_found`, whatever the method."""
        for key in ("channel", "channel_id"):
            value = args.get(key)
            if not isinstance(value, str) or not value or ws.has_channel(value):
                continue
            if any(o.has_channel(value) for o in self.workspaces.values() if o is not ws):
                return True
        return False

    def token_method(self, method: str, token: Token, args: Mapping[str, Any]) -> JsonDict:
        """`auth.test` (who the token is) and `auth.revoke` (revoke it)."""
        if method == "auth.revoke":
            if str(args.get("test", "")).lower() not in ("1", "true"):
                self.book.revoke([token])
            return {"ok": True, "revoked": True}
        return self.auth_test(token)

    def auth_test(self, token: Token) -> JsonDict:
        grant = token.grant
        assert grant is not None  # the app-level token cannot call auth.test (see `check`)
        answer: JsonDict = {"ok": True}
        if grant.is_enterprise_install:
            org = self.enterprises[grant.enterprise_id or ""]
            answer |= {"url": f"https://{org.domain}.enterprise.slack.com/", "team": None}
            answer |= {"team_id": None, "enterprise_id": org.id}
        else:
            ws = self.workspaces[grant.team_id or ""]
            answer |= {"url": f"https://{ws.identity.team_domain}.slack.com/"}
            answer |= {"team": ws.team_name, "team_id": ws.team_id}
            if ws.enterprise_id is not None:
                answer["enterprise_id"] = ws.enterprise_id
        if token.kind == "bot":
            named = self._bot_name(grant)
            answer |= {"user": named, "user_id": grant.bot_user_id, "bot_id": grant.bot_id}
        else:
            answer |= {"user": grant.installer.lower(), "user_id": grant.installer}
        answer["is_enterprise_install"] = grant.is_enterprise_install
        if token.expires_at is not None:
            answer["expires_in"] = round(token.expires_at - self.clock.now())
        return answer

    def _bot_name(self, grant: Grant) -> str:
        reached = self.reached(grant)
        return reached[0].identity.bot_name if reached else "bot"

    def tokens_of(self, team_id: str) -> Iterator[Token]:
        """Every token of every installation that reaches workspace `team_id`."""
        ws = self.workspaces[team_id]
        for token in self.book.tokens.values():
            if token.grant is not None and token.grant.covers(ws.team_id, ws.enterprise_id):
                yield token
