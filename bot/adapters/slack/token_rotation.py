"""A valid bot token for each workspace, refreshed once per workspace across replicas.

With token rotation on, Slack's bot tokens expire (after 12 hours) and each comes with a
refresh token that buys the next pair through ``oauth.v2.access``
(``grant_type=refresh_token``) **once**: Slack revokes a used refresh token.  Several
replicas that all see a token about to expire must therefore not all refresh it.

``WorkspaceTokens.installation`` hands out an installation whose bot token is good for
at least ``margin`` more seconds.  When the stored one is not, it refreshes it like this:

1. **In this process**, one refresh per installation at a time (an ``asyncio.Lock``):
   every other task asking meanwhile waits for it and takes its result.
2. **Across replicas**, a lease in the database (``slack:refresh:<enterprise>:<team>``,
   ``bot.ports.LeaseStore``), taken for ``lock_ttl`` seconds.  Whoever does not get it
   re-reads the installation every ``poll`` seconds until the holder has stored the new
   pair (or its lease expired: then it tries to take the lease itself).  A lease rather
   than a row lock (FOR UPDATE): no database transaction stays open across a call to
   Slack, and it works the same on SQLite, where a write lock blocks the whole file.
3. **Re-read under the lease**: the token may have been refreshed while we waited, then
   there is nothing to do.  Otherwise the stored refresh token is spent, and the new pair
   is stored by compare-and-swap over it (``SlackInstallStore.swap_slack_tokens``), so a
   holder that lost its lease (paused past ``lock_ttl``) never overwrites a newer pair.

A refresh token is used at most once as long as a refresh answers within ``lock_ttl``
(the Slack client's own timeout is far shorter: keep it so).  Tokens are stored sealed
(``bot.slack_tokens.TokenCipher``) and handed out plain.

The Slack call itself is the ``refresh`` callable (``installation_store.slack_refresher``
builds it on slack_sdk's client): this module needs no SDK, and its tests run on a
manual clock.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Final, Protocol

from bot.coordination import Lease
from bot.ports import Clock, LeaseStore, SlackInstallStore
from bot.slack_installations import InstallationKey, RotatedTokens, SlackInstallation
from bot.slack_tokens import TokenCipher

log = logging.getLogger(__name__)

#: Refresh a token with less than this many seconds left.  Above slack-bolt's own
#: ``token_rotation_expiration_minutes`` (120), so that bolt, handed a token from here,
#: never finds it close enough to expiry to refresh it itself.
DEFAULT_MARGIN: Final = 3 * 3600.0
#: How long one replica may hold a workspace's refresh (far above the client's timeout).
DEFAULT_LOCK_TTL: Final = 60.0
#: How often a replica waiting for another's refresh reads the installation again.
DEFAULT_POLL: Final = 0.2
#: How long a replica waits for another's refresh before giving up.
DEFAULT_WAIT: Final = 30.0


@dataclass(frozen=True, slots=True)
class RefreshAnswer:
    """What ``oauth.v2.access`` answered a ``grant_type=refresh_token`` with (plain)."""

    access_token: str
    refresh_token: str
    expires_in: float


#: Spends a plain refresh token; raises ``TokenRefreshFailed`` when Slack refuses.
Refresher = Callable[[str], Awaitable[RefreshAnswer]]


class TokenRefreshFailed(Exception):
    """A workspace's bot token could not be refreshed: Slack refused the refresh token
    (``invalid_refresh_token``: the app must be installed again there), could not be
    reached, or another replica's refresh did not finish in time."""


class NotInstalled(LookupError):
    """The app has no installation serving that workspace."""


class InstallationStore(SlackInstallStore, LeaseStore, Protocol):
    """What ``WorkspaceTokens`` needs of the database (both SQL stores have it)."""


def lease_name(key: InstallationKey) -> str:
    return f"slack:refresh:{key.enterprise_id or ''}:{key.team_id or ''}"


class WorkspaceTokens:
    """Installations with bot tokens good for ``margin`` more seconds (module docstring)."""

    def __init__(
        self,
        store: InstallationStore,
        *,
        cipher: TokenCipher,
        refresh: Refresher,
        clock: Clock,
        holder: str,
        margin: float = DEFAULT_MARGIN,
        lock_ttl: float = DEFAULT_LOCK_TTL,
        poll: float = DEFAULT_POLL,
        wait: float = DEFAULT_WAIT,
    ) -> None:
        if margin < 0 or lock_ttl <= 0 or poll <= 0 or wait < 0:
            raise ValueError("need margin >= 0, lock_ttl > 0, poll > 0, wait >= 0")
        self._store = store
        self._cipher = cipher
        self._refresh = refresh
        self._clock = clock
        # Unique to this object: a lease taken again by its holder stays taken, so two
        # WorkspaceTokens of one process sharing a holder would both get it.
        self._holder = f"{holder} (token refresher {secrets.token_hex(4)})"
        self._margin = timedelta(seconds=margin)
        self._lock_ttl = lock_ttl
        self._poll = poll
        self._wait = wait
        self._locks: dict[InstallationKey, asyncio.Lock] = {}

    @property
    def cipher(self) -> TokenCipher:
        return self._cipher

    async def installation(
        self, enterprise_id: str | None, team_id: str | None, *, is_enterprise_install: bool = False
    ) -> SlackInstallation | None:
        """The installation serving that workspace (``SlackInstallStore.find_slack_installation``),
        its tokens plain and its bot token refreshed first if it expires within the margin;
        None if the app is not installed there."""
        found = await self._find(enterprise_id, team_id, is_enterprise_install)
        if found is not None and self._due(found):
            found = await self._refreshed(found.key)
        return None if found is None else self._cipher.opened(found)

    async def bot_token(self, enterprise_id: str | None, team_id: str | None) -> str:
        """A bot token for that workspace, good for ``margin`` more seconds;
        ``NotInstalled`` if the app is not installed there."""
        found = await self.installation(enterprise_id, team_id)
        if found is None:
            raise NotInstalled(
                f"trivia-bot is not installed in {InstallationKey(enterprise_id, team_id)}"
            )
        return found.bot_token

    # -- refreshing ------------------------------------------------------------------

    def _due(self, installation: SlackInstallation) -> bool:
        expires = installation.bot_token_expires_at
        return (
            installation.bot_refresh_token is not None
            and expires is not None
            and expires - self._clock.now() < self._margin
        )

    async def _find(
        self, enterprise_id: str | None, team_id: str | None, org: bool = False
    ) -> SlackInstallation | None:
        return await self._store.find_slack_installation(
            enterprise_id, team_id, is_enterprise_install=org
        )

    async def _reread(self, key: InstallationKey) -> SlackInstallation | None:
        # The exact installation, never the org's in place of a workspace's own.
        found = await self._find(key.enterprise_id, key.team_id, key.team_id is None)
        return found if found is not None and found.key == key else None

    async def _refreshed(self, key: InstallationKey) -> SlackInstallation | None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            found = await self._reread(key)
            if found is None or not self._due(found):
                return found  # another task of ours refreshed it meanwhile (or it is gone)
            deadline = self._clock.monotonic() + self._wait
            while True:
                taken = await self._store.take_lease(
                    lease_name(key), self._holder, ttl=self._lock_ttl
                )
                if isinstance(taken, Lease):
                    try:
                        return await self._refresh_under(taken, key)
                    finally:
                        await self._store.release_lease(taken)
                # Another replica is refreshing: take its result once it is stored.
                if self._clock.monotonic() >= deadline:
                    raise TokenRefreshFailed(
                        f"another process ({taken.holder}) has been refreshing the Slack token "
                        f"of {key} for over {self._wait:g} s"
                    )
                await self._clock.sleep_until(min(self._clock.monotonic() + self._poll, deadline))
                found = await self._reread(key)
                if found is None or not self._due(found):
                    return found

    async def _refresh_under(self, lease: Lease, key: InstallationKey) -> SlackInstallation | None:
        found = await self._reread(key)
        if found is None or not self._due(found):
            return found  # refreshed by the replica that held the lease before us
        spent = found.bot_refresh_token
        assert spent is not None  # _due
        try:
            answer = await self._refresh(self._cipher.open(spent, of=key))
        except TokenRefreshFailed as exc:
            raise TokenRefreshFailed(f"{key}: {exc}") from exc
        tokens = RotatedTokens(
            bot_token=self._cipher.seal(answer.access_token),
            bot_refresh_token=self._cipher.seal(answer.refresh_token),
            bot_token_expires_at=self._clock.now() + timedelta(seconds=answer.expires_in),
        )
        if await self._store.swap_slack_tokens(key, spent_refresh_token=spent, tokens=tokens):
            log.info("slack: refreshed the bot token of %s (lease epoch %d)", key, lease.epoch)
            return replace(
                found,
                bot_token=tokens.bot_token,
                bot_refresh_token=tokens.bot_refresh_token,
                bot_token_expires_at=tokens.bot_token_expires_at,
            )
        # Someone stored a pair over the one we spent: our lease must have lapsed.
        log.error(
            "slack: refreshed the bot token of %s, but another process stored a newer pair "
            "first (was this one paused past its %g s refresh lease?); using theirs",
            key,
            self._lock_ttl,
        )
        return await self._reread(key)
