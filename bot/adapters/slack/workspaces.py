"""Which workspace a Slack request acts on: the one that authenticated it, never one it names.

Slack signs every request with the app's signing secret, but the ids inside are
just data: a signed request can say ``team_id: B`` while the token that answers
it belongs to workspace A, and a form's ``private_metadata`` can name any team.
So the workspace comes from the installation whose token answers the request
(``Installation``: today the one bot token, whose ``auth.test`` bolt keeps as
the authorize result), and every workspace and Enterprise Grid org the payload
names must agree with it.  ``place`` says where a request acts and what else it
names; the adapter refuses an admin request that names anything else (nothing
changes, the user is told ``refusal_text``, ``log_refusal`` writes one WARNING
line naming both), and plays answers and clicks in the authenticated workspace.

Enterprise Grid, as bolt's ``authorize`` sees it (``context.enterprise_id``,
``context.team_id``, ``is_enterprise_install``):

* a workspace install knows its team, and its org if it is in one: a request
  may name only that team and that org;
* an org-wide install knows only its org: a request must name that org and no
  other, and acts in the workspace it comes from (bolt's ``context.team_id``),
  which every other team id in it must agree with.

With OAuth installs (several workspaces, one app) ``Installation`` comes from
the installation store instead of ``auth.test``; nothing here changes.
No SDK, no I/O.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.adapters.slack.ids import decode_origin, decode_subject

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Installation:
    """The install whose token answers a request: what authenticated it."""

    team_id: str | None
    enterprise_id: str | None = None
    is_enterprise_install: bool = False

    def __str__(self) -> str:
        if self.is_enterprise_install:
            return f"org {self.enterprise_id or '?'}"
        return self.team_id or "no known workspace"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a request acts (``team``, "" when it cannot be placed), and the teams and
    orgs it names that its installation does not authorize (``elsewhere``)."""

    team: str
    installed: Installation
    elsewhere: tuple[str, ...] = ()

    @property
    def foreign(self) -> bool:
        """Whether the request names somewhere it is not authenticated for."""
        return bool(self.elsewhere) or not self.team

    def refusal_text(self) -> str:
        """What the user who sent a foreign request is told."""
        named = ", ".join(self.elsewhere) or "no workspace I can tell"
        return (
            f"🚫 This request names another workspace ({named}), not the one I am installed "
            f"in ({self.installed}), so I did nothing."
        )


def place(
    body: Mapping[str, Any], installation: Installation, *, request_team: str | None
) -> Place:
    """Where ``body`` acts, given the ``installation`` whose token answers it.

    ``request_team`` is the workspace the request comes from as bolt reads it
    (``context.team_id``); it decides only for an org-wide install.
    """
    teams, orgs = set(named_teams(body)), set(named_orgs(body))
    if installation.is_enterprise_install:
        # Only a request that says it is from the install's org has a workspace in it.
        in_org = installation.enterprise_id in orgs
        home = (request_team or "") if in_org else ""
        allowed_orgs = {installation.enterprise_id}
    else:
        home = installation.team_id or ""
        allowed_orgs = {installation.enterprise_id} if installation.enterprise_id else set()
    other_teams = teams - {home} if home else set()  # unplaced: no team is "other"
    elsewhere = other_teams | (orgs - allowed_orgs)
    return Place(team=home, installed=installation, elsewhere=tuple(sorted(elsewhere)))


def named_teams(body: Mapping[str, Any]) -> Iterator[str]:
    """Every workspace id a payload names: the envelope's ``team_id``, an interaction's
    ``team``, ``user`` and ``view`` (and the form's ``private_metadata``), an event's
    ``team``, and the installations an event was delivered to."""
    yield from _ids(body.get("team_id"), _id_of(body.get("team")))
    user, view, event = _part(body, "user"), _part(body, "view"), _part(body, "event")
    yield from _ids(user.get("team_id"), event.get("team"))
    yield from _ids(view.get("team_id"), view.get("app_installed_team_id"))
    yield from _ids(metadata_team(view.get("private_metadata")))
    for authorization in _authorizations(body):
        yield from _ids(authorization.get("team_id"))


def named_orgs(body: Mapping[str, Any]) -> Iterator[str]:
    """Every Enterprise Grid org id a payload names."""
    yield from _ids(body.get("enterprise_id"), _id_of(body.get("enterprise")))
    yield from _ids(_part(body, "team").get("enterprise_id"))
    yield from _ids(_part(body, "user").get("enterprise_id"))
    for authorization in _authorizations(body):
        yield from _ids(authorization.get("enterprise_id"))


def metadata_team(metadata: object) -> str | None:
    """The team a form's ``private_metadata`` names (``ids.encode_origin``/``encode_subject``)."""
    if not isinstance(metadata, str):
        return None
    decoded = decode_origin(metadata) or decode_subject(metadata)
    return decoded[0] if decoded else None


def log_refusal(found: Place, what: str, user: object) -> None:
    """The one line an operator gets for a refused foreign request: what, who, both places."""
    log.warning(
        "slack: refused %s from %s: it names %s, but the install for %s authenticated it",
        what,
        user,
        ", ".join(found.elsewhere) or "no workspace",
        found.installed,
    )


def _part(body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    part = body.get(key)
    return part if isinstance(part, Mapping) else {}


def _id_of(value: object) -> object:
    """A ``team``/``enterprise`` field: an id, or an object with one."""
    return value.get("id") if isinstance(value, Mapping) else value


def _authorizations(body: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    found = body.get("authorizations")
    if isinstance(found, list):
        yield from (a for a in found if isinstance(a, Mapping))


def _ids(*values: object) -> Iterator[str]:
    yield from (v for v in values if isinstance(v, str) and v)
