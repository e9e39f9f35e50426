"""``MemorySlackStore``: the Slack app's installations, OAuth states and seen events
(``bot.ports.SlackInstallStore``) in memory, with the leases of ``MemorySharedStore``, so
that ``WorkspaceTokens`` and the bolt stores run on it with the manual clock.
``tests/contract/test_slack_installations.py`` runs it (on the system clock) through the
same contract as the SQL stores."""

from __future__ import annotations

from dataclasses import replace

from bot.ports import Clock
from bot.slack_installations import InstallationKey, RotatedTokens, SlackInstallation
from tests.fake_shared import MemorySharedStore


def _lifetime(seconds: float, what: str) -> float:
    if not seconds > 0:
        raise ValueError(f"{what} must be a positive number of seconds, got {seconds!r}")
    return seconds


class MemorySlackStore(MemorySharedStore):
    """``SharedStore`` and ``SlackInstallStore`` in memory; time is the clock's."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.installations: dict[InstallationKey, SlackInstallation] = {}
        self._states: dict[str, float] = {}
        self._seen: dict[str, float] = {}

    async def save_slack_installation(self, installation: SlackInstallation) -> None:
        await self._call("save_slack_installation")
        self.installations[installation.key] = installation

    async def find_slack_installation(
        self, enterprise_id: str | None, team_id: str | None, *, is_enterprise_install: bool = False
    ) -> SlackInstallation | None:
        await self._call("find_slack_installation")
        enterprise = enterprise_id or None
        team = None if is_enterprise_install else team_id or None
        if team is not None:
            for key in ((enterprise, team), (None, team)):
                if own := self.installations.get(key):
                    return own
        return self.installations.get((enterprise, None)) if enterprise else None

    async def slack_installations(self) -> list[SlackInstallation]:
        await self._call("slack_installations")
        return [
            self.installations[key]
            for key in sorted(self.installations, key=lambda k: (k[0] or "", k[1] or ""))
        ]

    async def delete_slack_installation(self, key: InstallationKey) -> bool:
        await self._call("delete_slack_installation")
        return self.installations.pop(InstallationKey(*key), None) is not None

    async def swap_slack_tokens(
        self, key: InstallationKey, *, spent_refresh_token: str, tokens: RotatedTokens
    ) -> bool:
        await self._call("swap_slack_tokens")
        found = self.installations.get(key)
        if found is None or found.bot_refresh_token != spent_refresh_token:
            return False
        self.installations[key] = replace(
            found,
            bot_token=tokens.bot_token,
            bot_refresh_token=tokens.bot_refresh_token,
            bot_token_expires_at=tokens.bot_token_expires_at,
        )
        return True

    async def issue_oauth_state(self, state: str, *, ttl: float) -> None:
        if not state:
            raise ValueError("an OAuth state cannot be empty")
        now = await self._call("issue_oauth_state")
        self._states[state] = now + _lifetime(ttl, "ttl")

    async def consume_oauth_state(self, state: str) -> bool:
        now = await self._call("consume_oauth_state")
        expires = self._states.pop(state, None)
        return expires is not None and expires > now

    async def first_sighting(self, event_id: str, *, keep: float) -> bool:
        if not event_id:
            raise ValueError("an event id cannot be empty")
        now = await self._call("first_sighting")
        until = self._seen.get(event_id)
        if until is not None and until > now:
            return False
        self._seen[event_id] = now + _lifetime(keep, "keep")
        return True

    async def prune_slack_rows(self) -> int:
        now = await self._call("prune_slack_rows")
        gone = [s for s, t in self._states.items() if t <= now]
        seen = [e for e, t in self._seen.items() if t <= now]
        for state in gone:
            del self._states[state]
        for event in seen:
            del self._seen[event]
        return len(gone) + len(seen)
