"""Which token speaks for a workspace, when the app is installed in many (OAuth installs).

Everything the bot sends later (the outbox's posts and edits, ``users.info``)
acts in the workspace of a channel or user, and must use that workspace's bot
token and no other.  A ``TokenSource`` (the installation store's tokens,
refreshed before they expire when Slack rotates them) answers by Enterprise
Grid org and team; ``TokensByTeam`` adds what a channel key lacks: the org a
team belongs to, learned from the requests its installation authorized (an
org-wide install's token covers each workspace of the org).  A workspace whose
installation is gone has no token: nothing more is sent there.

No SDK, no I/O of its own.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class TokenSource(Protocol):
    """Bot tokens by installation, valid for the next call (refreshed first if need be)."""

    async def bot_token(self, enterprise_id: str | None, team_id: str | None) -> str | None:
        """The bot token that acts in ``team_id`` (of org ``enterprise_id``, if in one):
        the workspace's own install, else its org's org-wide install; None if neither."""
        ...


class TokensByTeam:
    """A workspace id -> the bot token of the installation that covers it, per call."""

    def __init__(self, source: TokenSource) -> None:
        self._source = source
        self._orgs: dict[str, str | None] = {}

    def learn(self, team_id: str | None, enterprise_id: str | None) -> bool:
        """``team_id`` is in org ``enterprise_id`` (None: in none), as an installation that
        authorized a request from it says; whether that is news."""
        if not team_id or (team_id in self._orgs and self._orgs[team_id] == enterprise_id):
            return False
        self._orgs[team_id] = enterprise_id
        return True

    def org_of(self, team_id: str) -> str | None:
        """The org ``team_id`` is in, as learned (None: in none, or not known)."""
        return self._orgs.get(team_id)

    def knows(self, team_id: str) -> bool:
        """Whether the org of ``team_id`` (or that it is in none) is known here."""
        return team_id in self._orgs

    async def token_for(self, team_id: str) -> str | None:
        """The token for ``team_id``'s calls now, or None when nothing installed covers it."""
        return await self._source.bot_token(self._orgs.get(team_id), team_id)

    def covered_by(self, enterprise_id: str | None, team_id: str | None) -> set[str]:
        """The workspaces an installation covers, as far as known: ``team_id`` for a
        workspace install; every workspace seen in the org for an org-wide one."""
        if team_id:
            return {team_id}
        return {team for team, org in self._orgs.items() if enterprise_id and org == enterprise_id}
