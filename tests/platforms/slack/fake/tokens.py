"""Installations of the app and the tokens issued for them, with no HTTP in sight.

A `Grant` is one installation: a workspace's (`team_id` set) or, on Enterprise Grid, an
organisation's (`is_enterprise_install`, `team_id` None, every workspace of the org). The
`TokenBook` issues its tokens, answers what state a token is in, rotates them, and revokes
them; everything is timed by a `SlackClock` that tests can move forward.

Token rotation follows Slack's guide (docs.slack.dev/authentication/using-token-rotation):
access tokens look like `xoxe.xoxb-1-...` and expire after `expires_in` seconds (43,200 on
Slack); a refresh token `xoxe-1-...` is used once; refreshing does not invalidate the access
token in hand, which lives until it expires; at most 2 access tokens of a kind stay active per
installation, the oldest extra one is revoked. Slack revokes a used refresh token "after a
short grace period"; the fake revokes it at once (stricter, so a bot that passes here does not
rely on the grace).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

TokenKind = Literal["bot", "user", "refresh", "app"]
AccessKind = Literal["bot", "user"]
#: What a token was when a call presented it ("none": no token at all).
TokenState = Literal["valid", "expired", "revoked", "unknown", "none"]

#: Slack's answer for a token in each state that is not "valid".
REFUSALS: dict[TokenState, str] = {
    "none": "not_authed",
    "unknown": "invalid_auth",
    "revoked": "token_revoked",
    "expired": "token_expired",
}


class SlackClock:
    """Wall-clock seconds for token and code expiry; `advance` moves the fake's idea of now.

    Only the fake reads it: a bot computing `expires_at` from `expires_in` uses its own clock,
    so advancing this one makes tokens expire under the bot's feet (`token_expired`).
    """

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass(slots=True, eq=False)
class Grant:
    """One installation of the app: a workspace's, or an organisation's (org-wide)."""

    team_id: str | None
    enterprise_id: str | None
    is_enterprise_install: bool
    bot_user_id: str
    bot_id: str
    scopes: str
    #: The member who approved the install (`authed_user.id`).
    installer: str
    user_scopes: str = ""
    installed_at: float = 0.0
    uninstalled_at: float | None = None

    @property
    def active(self) -> bool:
        return self.uninstalled_at is None

    def covers(self, team_id: str, enterprise_id: str | None) -> bool:
        """Whether this installation reaches workspace `team_id` (of org `enterprise_id`)."""
        if self.is_enterprise_install:
            return enterprise_id is not None and enterprise_id == self.enterprise_id
        return team_id == self.team_id


@dataclass(slots=True, eq=False)
class Token:
    """A token Slack issued. `grant` is None only for the app-level (`xapp-`) token."""

    value: str
    kind: TokenKind
    grant: Grant | None
    issued_at: float
    expires_at: float | None = None
    revoked_at: float | None = None
    #: For a refresh token: the kind of access token it renews, and when it was spent.
    renews: AccessKind | None = None
    used_at: float | None = None

    def state(self, now: float) -> TokenState:
        if self.revoked_at is not None and self.revoked_at <= now:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "valid"


@dataclass(frozen=True, slots=True)
class Issued:
    """What one install or one refresh handed out."""

    access: Token
    refresh: Token | None = None


@dataclass(frozen=True, slots=True)
class Refresh:
    """One successful `grant_type=refresh_token` exchange."""

    team_id: str | None
    enterprise_id: str | None
    kind: AccessKind
    at: float
    spent: str
    access_token: str
    refresh_token: str


@dataclass(slots=True)
class TokenBook:
    """Every token the fake Slack issued, by value. See the module docstring for the rules."""

    clock: SlackClock
    tokens: dict[str, Token] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    #: Every successful refresh, in order: `[r.team_id for r in book.refreshes]`.
    refreshes: list[Refresh] = field(default_factory=list)
    _serial: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # ------------------------------------------------------------------ issuing

    def add(self, token: Token) -> Token:
        if token.value in self.tokens:
            raise ValueError(f"token {token.value!r} was already issued")
        self.tokens[token.value] = token
        return token

    def add_grant(self, grant: Grant) -> Grant:
        grant.installed_at = self.clock.now()
        self.grants.append(grant)
        return grant

    def issue(
        self,
        grant: Grant,
        kind: AccessKind,
        *,
        lifetime: float | None,
        value: str | None = None,
    ) -> Issued:
        """A new access token for `grant`; with a `lifetime`, an expiring one and its refresh
        token (token rotation)."""
        now, n = self.clock.now(), next(self._serial)
        anchor = grant.team_id or grant.enterprise_id or "X"
        prefix = "xoxb" if kind == "bot" else "xoxp"
        if lifetime is None:
            access = Token(value or f"{prefix}-{anchor}-{n:04d}-fake", kind, grant, now)
            return Issued(self.add(access))
        access = Token(
            value or f"xoxe.{prefix}-1-{anchor}-{n:04d}-fake",
            kind,
            grant,
            now,
            expires_at=now + lifetime,
        )
        refresh = Token(f"xoxe-1-{anchor}-{n:04d}-refresh", "refresh", grant, now, renews=kind)
        self.add(access)
        self.add(refresh)
        self._keep_two_active(grant, kind)
        return Issued(access, refresh)

    # ------------------------------------------------------------------ looking up

    def state(self, value: str | None) -> TokenState:
        if value is None:
            return "none"
        token = self.tokens.get(value)
        return "unknown" if token is None else token.state(self.clock.now())

    def of(self, grant: Grant, kind: TokenKind | None = None) -> list[Token]:
        """Tokens issued for `grant` (of `kind`), oldest first."""
        return [
            t for t in self.tokens.values() if t.grant is grant and (kind is None or t.kind == kind)
        ]

    def current(self, grant: Grant, kind: AccessKind = "bot") -> Token | None:
        """The newest access token of `kind` that still works."""
        now = self.clock.now()
        valid = [t for t in self.of(grant, kind) if t.state(now) == "valid"]
        return valid[-1] if valid else None

    def latest_refresh(self, grant: Grant, kind: AccessKind = "bot") -> Token | None:
        unspent = [t for t in self.of(grant, "refresh") if t.renews == kind and t.used_at is None]
        return unspent[-1] if unspent else None

    # ------------------------------------------------------------------ rotating, revoking

    def refresh(self, value: str, *, lifetime: float) -> Issued | None:
        """Spend refresh token `value`; None if it is unknown, spent or revoked
        (Slack answers `invalid_refresh_token`)."""
        now = self.clock.now()
        token = self.tokens.get(value)
        if (
            token is None
            or token.kind != "refresh"
            or token.renews is None
            or token.grant is None
            or token.used_at is not None
            or token.state(now) != "valid"
        ):
            return None
        token.used_at = token.revoked_at = now
        issued = self.issue(token.grant, token.renews, lifetime=lifetime)
        assert issued.refresh is not None
        grant = token.grant
        self.refreshes.append(
            Refresh(
                grant.team_id,
                grant.enterprise_id,
                token.renews,
                now,
                value,
                issued.access.value,
                issued.refresh.value,
            )
        )
        return issued

    def revoke(self, tokens: list[Token]) -> list[Token]:
        """Revoke `tokens` now; returns those that were not revoked already."""
        now = self.clock.now()
        fresh = [t for t in tokens if t.revoked_at is None]
        for token in fresh:
            token.revoked_at = now
        return fresh

    def _keep_two_active(self, grant: Grant, kind: AccessKind) -> None:
        """Slack's "2 active token limit": after a refresh, the oldest extra token goes."""
        now = self.clock.now()
        active = [t for t in self.of(grant, kind) if t.state(now) == "valid"]
        self.revoke(active[:-2])
