"""Who a Slack user is: display name and admin flag, from ``users.info``, cached.

``Actor.is_admin`` is true for admins and owners of the workspace the request
acts on, and for the user ids an operator lists in ``TRIVIA_SLACK_ADMINS``;
what admins may do is the core's business.  A user is looked up in that
workspace, and remembered per workspace: a Slack Connect guest whose
``users.info`` names another workspace as theirs is an admin there, not here.
The lookup itself comes in as a function, so this module needs no SDK.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.adapters.slack.ids import PLATFORM
from bot.domain.model import Actor, PlayerKey

log = logging.getLogger(__name__)

#: ``users.info``'s ``user`` object for (workspace id, user id), or None when Slack did not say.
UsersInfo = Callable[[str, str], Awaitable[Mapping[str, Any] | None]]


@dataclass(frozen=True, slots=True)
class _User:
    name: str
    is_admin: bool
    expires: float


def display_name(user: Mapping[str, Any]) -> str:
    """The name Slack shows for ``user``: display name, else real name, else handle."""
    profile: Mapping[str, Any] = user.get("profile") or {}
    return str(
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user.get("id")
        or "someone"
    )


def belongs_to(user: Mapping[str, Any], team_id: str) -> bool:
    """Whether ``users.info`` says ``user`` is a member of ``team_id`` (their own
    workspace, or one of their Enterprise Grid org's), so its admin flags are about it."""
    home = user.get("team_id")
    enterprise_user = user.get("enterprise_user")
    teams = enterprise_user.get("teams") if isinstance(enterprise_user, Mapping) else None
    return not home or home == team_id or (isinstance(teams, list) and team_id in teams)


class SlackDirectory:
    """Actors for Slack user ids; each user is asked about at most once per ``ttl``."""

    def __init__(
        self,
        users_info: UsersInfo,
        *,
        admins: Iterable[str] = (),
        ttl: float = 300.0,
        timeout: float = 1.5,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._users_info = users_info
        self._admins = frozenset(admins)
        self._ttl = ttl
        self._timeout = timeout
        self._monotonic = monotonic
        self._users: dict[tuple[str, str], _User] = {}
        self._lookups: dict[tuple[str, str], asyncio.Task[_User | None]] = {}

    async def actor(self, team_id: str, user_id: str, name_hint: str | None = None) -> Actor:
        """``user_id`` as a member of ``team_id``, the workspace the request acts on."""
        user = self._users.get((team_id, user_id))
        if user is None or user.expires <= self._monotonic():
            user = await self._lookup(team_id, user_id)
        key = PlayerKey(PLATFORM, team_id, user_id)
        listed = user_id in self._admins
        if user is None:
            # Slack did not answer: play on with what the payload said.
            return Actor(key=key, name=name_hint or user_id, is_admin=listed)
        return Actor(key=key, name=user.name, is_admin=user.is_admin or listed)

    async def _lookup(self, team_id: str, user_id: str) -> _User | None:
        # Several events from one new player share one users.info call.
        key = (team_id, user_id)
        task = self._lookups.get(key)
        if task is None:
            task = asyncio.create_task(
                self._fetch(team_id, user_id), name=f"slack-users-info:{team_id}:{user_id}"
            )
            self._lookups[key] = task
            task.add_done_callback(lambda _: self._lookups.pop(key, None))
        return await asyncio.shield(task)

    async def _fetch(self, team_id: str, user_id: str) -> _User | None:
        try:
            async with asyncio.timeout(self._timeout):
                info = await self._users_info(team_id, user_id)
        except TimeoutError:
            log.warning("slack: users.info for %s took over %.1f s", user_id, self._timeout)
            return None
        if info is None:
            return None
        flagged = bool(info.get("is_admin") or info.get("is_owner"))
        user = _User(
            name=display_name(info),
            is_admin=flagged and belongs_to(info, team_id),
            expires=self._monotonic() + self._ttl,
        )
        self._users[(team_id, user_id)] = user
        return user
