"""The Slack app's installations, OAuth states and seen events (``bot.ports.SlackInstallStore``),
once for every SQL backend.

Like ``bot.storage.shared_store``: each operation is one statement of the dialect's SQL
module, in a transaction of its own outside the group-commit writer's queue, and every
expiry is judged by the database's clock.  A missing enterprise or team is stored as
``''`` (both are part of the primary key, which admits no NULL) and comes back as None.

Races are settled by the database, not by this process: a state is consumed by the
one ``DELETE`` that removes its row; an event id is first seen by the one ``INSERT``
that creates (or revives) its row, the others meeting the primary key; rotated tokens
are stored only over the refresh token they replace (compare-and-swap).
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from bot.coordination import instant_from_us
from bot.slack_installations import InstallationKey, RotatedTokens, SlackInstallation
from bot.storage.periods import to_epoch_us
from bot.storage.shared_store import Statement, micros


def _stored(value: str | None) -> str:
    return value or ""


def _loaded(value: str) -> str | None:
    return value or None


def installation_params(installation: SlackInstallation) -> tuple[object, ...]:
    """The parameters of ``SAVE_SLACK_INSTALLATION``, in its columns' order."""
    expires = installation.bot_token_expires_at
    return (
        _stored(installation.enterprise_id),
        _stored(installation.team_id),
        int(installation.is_enterprise_install),
        installation.enterprise_name,
        installation.team_name,
        installation.app_id,
        installation.bot_user_id,
        installation.bot_id,
        installation.bot_token,
        ",".join(installation.bot_scopes),
        installation.bot_refresh_token,
        None if expires is None else to_epoch_us(expires),
        installation.installer_user_id,
        to_epoch_us(installation.installed_at),
    )


def installation_row(row: Sequence[Any]) -> SlackInstallation:
    """A row of the installation columns -> the installation."""
    (
        enterprise_id,
        team_id,
        is_enterprise_install,
        enterprise_name,
        team_name,
        app_id,
        bot_user_id,
        bot_id,
        bot_token,
        bot_scopes,
        bot_refresh_token,
        expires_us,
        installer_user_id,
        installed_us,
    ) = row
    return SlackInstallation(
        enterprise_id=_loaded(enterprise_id),
        team_id=_loaded(team_id),
        is_enterprise_install=bool(is_enterprise_install),
        enterprise_name=enterprise_name,
        team_name=team_name,
        app_id=app_id,
        bot_user_id=bot_user_id,
        bot_id=bot_id,
        bot_token=bot_token,
        bot_scopes=tuple(s for s in bot_scopes.split(",") if s),
        bot_refresh_token=bot_refresh_token,
        bot_token_expires_at=None if expires_us is None else instant_from_us(int(expires_us)),
        installer_user_id=installer_user_id,
        installed_at=instant_from_us(int(installed_us)),
    )


def _key_params(key: InstallationKey) -> tuple[str, str]:
    return _stored(key.enterprise_id), _stored(key.team_id)


class SlackSqlStore(ABC):
    """``bot.ports.SlackInstallStore`` over a dialect's SQL (see the module docstring)."""

    _sql: ModuleType

    @abstractmethod
    def _usable(self) -> contextlib.AbstractContextManager[None]: ...

    @abstractmethod
    async def _fetch(self, query: str, params: Sequence[object]) -> list[Sequence[Any]]: ...

    @abstractmethod
    async def _write_now(
        self, first: Statement, otherwise: Statement | None = None
    ) -> tuple[list[Sequence[Any]], list[Sequence[Any]]]: ...

    # -- installations -------------------------------------------------------------

    async def save_slack_installation(self, installation: SlackInstallation) -> None:
        with self._usable():
            await self._write_now(
                (self._sql.SAVE_SLACK_INSTALLATION, installation_params(installation))
            )

    async def find_slack_installation(
        self, enterprise_id: str | None, team_id: str | None, *, is_enterprise_install: bool = False
    ) -> SlackInstallation | None:
        team = None if is_enterprise_install else team_id
        with self._usable():
            rows = await self._fetch(
                self._sql.FIND_SLACK_INSTALLATION, (_stored(enterprise_id), _stored(team))
            )
        return installation_row(rows[0]) if rows else None

    async def slack_installations(self) -> list[SlackInstallation]:
        with self._usable():
            rows = await self._fetch(self._sql.SLACK_INSTALLATIONS, ())
        return [installation_row(row) for row in rows]

    async def delete_slack_installation(self, key: InstallationKey) -> bool:
        with self._usable():
            deleted, _ = await self._write_now(
                (self._sql.DELETE_SLACK_INSTALLATION, _key_params(key))
            )
        return bool(deleted)

    async def swap_slack_tokens(
        self, key: InstallationKey, *, spent_refresh_token: str, tokens: RotatedTokens
    ) -> bool:
        params = (
            *_key_params(key),
            tokens.bot_token,
            tokens.bot_refresh_token,
            to_epoch_us(tokens.bot_token_expires_at),
            spent_refresh_token,
        )
        with self._usable():
            swapped, _ = await self._write_now((self._sql.SWAP_SLACK_TOKENS, params))
        return bool(swapped)

    # -- OAuth states, seen events ---------------------------------------------------

    async def issue_oauth_state(self, state: str, *, ttl: float) -> None:
        if not state:
            raise ValueError("an OAuth state cannot be empty")
        with self._usable():
            await self._write_now((self._sql.ISSUE_OAUTH_STATE, (state, micros(ttl, "ttl"))))

    async def consume_oauth_state(self, state: str) -> bool:
        with self._usable():
            rows, _ = await self._write_now((self._sql.CONSUME_OAUTH_STATE, (state,)))
        return bool(rows and rows[0][0])

    async def first_sighting(self, event_id: str, *, keep: float) -> bool:
        if not event_id:
            raise ValueError("an event id cannot be empty")
        with self._usable():
            rows, _ = await self._write_now(
                (self._sql.FIRST_SIGHTING, (event_id, micros(keep, "keep")))
            )
        return bool(rows)

    async def prune_slack_rows(self) -> int:
        with self._usable():
            states, _ = await self._write_now((self._sql.PRUNE_OAUTH_STATES, ()))
            events, _ = await self._write_now((self._sql.PRUNE_SEEN_EVENTS, ()))
        return len(states) + len(events)
