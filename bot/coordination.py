"""The values that cross the ports the processes of one bot share (``bot.ports.SharedStore``).

A **lease** names work that one process at a time may do (``discord:shard:2``).  It
is held by a *holder* (a description an operator recognises: host, pid, start time)
until it *expires*; its *epoch* counts its tenures.  A tenure is one holder's
unbroken hold: it begins when a process takes a lease that was free, expired or
someone else's (the epoch grows by one) and lasts while that process renews it
before it expires (the epoch stays).  A lease that expired is a new tenure even for
the process that held it last, so ``(name, epoch)`` names exactly one tenure, and
a write that carries it can be refused once the tenure is over (fencing).

Expiry is judged by the database's clock, so that processes on hosts whose clocks
disagree still agree on who holds what: ``remaining`` is the database's answer,
and ``expires`` its clock's instant (for people; compare ``remaining``, not
``expires``, with this host's clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, NamedTuple

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def instant_from_us(us: int) -> datetime:
    """A database's microseconds since 1970 as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=us)


@dataclass(frozen=True, slots=True, order=True)
class Fence:
    """The tenure a write is made under: the write is refused (``FencedOut``) unless
    lease ``name`` is still held, unexpired, at ``epoch`` when it commits."""

    name: str
    epoch: int


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease this process holds: the tenure ``epoch`` of ``name``, until ``expires``."""

    name: str
    holder: str
    epoch: int
    expires: datetime


@dataclass(frozen=True, slots=True)
class LeaseHeld:
    """A lease as the database has it: someone's (maybe expired) hold.

    ``remaining`` is seconds until it expires by the database's clock when it
    answered; 0 or less means it has expired (or was released) and may be taken.
    """

    name: str
    holder: str
    epoch: int
    expires: datetime
    remaining: float

    @property
    def expired(self) -> bool:
        return self.remaining <= 0

    def describe(self) -> str:
        """Who holds it and until when, in words for a log line or an error."""
        until = f"{self.expires:%Y-%m-%d %H:%M:%S} UTC"
        if self.expired:
            return f"{self.name} (epoch {self.epoch}) was held by {self.holder} until {until}"
        return (
            f"{self.name} (epoch {self.epoch}) is held by {self.holder} until {until} "
            f"(in {self.remaining:.1f} s)"
        )


@dataclass(frozen=True, slots=True)
class LeaseLost:
    """The answer to renewing a tenure that is over: someone else took the lease, it
    expired, or it was released.  ``now`` is the lease as it stands (None: no such
    lease at all)."""

    name: str
    epoch: int
    now: LeaseHeld | None


class LastServer(NamedTuple):
    """The server where a player last played on a platform (for DMs, which name none)."""

    server: str
    server_name: str
