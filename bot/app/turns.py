"""Waiting for a paced turn shared by every process of the bot (``bot.ports.PacedTurns``).

Discord lets a bot send ``max_concurrency`` IDENTIFYs per 5 seconds, counted over all
of its gateway connections; shard ``i`` belongs to the bucket ``i % max_concurrency``,
and each bucket may IDENTIFY once per 5 s.  discord.py paces the shards of one process
only (``before_identify_hook``); processes that start together take turns through the
database instead: ``await wait_for_turn(store, identify_turn(shard, max_concurrency),
every=IDENTIFY_EVERY, clock=clock, within=...)`` before each IDENTIFY.
"""

from __future__ import annotations

from typing import Final

from bot.app.deadlines import Late, before
from bot.ports import Clock, PacedTurns

#: Discord's 5 s, plus a margin: the time between taking the turn and Discord reading
#: the IDENTIFY varies with each connection.
IDENTIFY_EVERY: Final = 5.5


class TurnTimeout(Exception):
    """A paced turn was not taken within the time allowed."""


def identify_turn(shard_id: int, max_concurrency: int) -> str:
    """The turn a shard's IDENTIFY waits for: its rate-limit bucket's."""
    if shard_id < 0 or max_concurrency < 1:
        raise ValueError(f"bad shard {shard_id} or max_concurrency {max_concurrency}")
    return f"discord:identify:{shard_id % max_concurrency}"


async def wait_for_turn(
    store: PacedTurns, name: str, *, every: float, clock: Clock, within: float
) -> float:
    """Wait until this process takes the turn ``name`` (no two taken closer than
    ``every`` seconds, by the database's clock); the seconds it waited.

    Raises ``TurnTimeout`` once it is clear the turn cannot be taken within ``within``
    seconds (other processes take turns too: each answer says how long until the next
    one), and lets ``StoreUnavailable`` through.
    """
    if not within > 0:
        raise ValueError(f"within must be positive, got {within!r}")
    started = clock.monotonic()
    deadline = started + within
    while True:
        answer = await before(
            clock, store.take_turn(name, every=every), deadline, name=f"take turn {name}"
        )
        now = clock.monotonic()
        if isinstance(answer, Late):
            raise TurnTimeout(f"turn {name}: no answer from the database within {within:g} s")
        if answer == 0:
            return now - started
        if now + answer > deadline:
            raise TurnTimeout(
                f"turn {name}: not taken within {within:g} s (the next one is "
                f"{answer:.1f} s away); too many processes are taking it, or its pace "
                f"({every:g} s) is too slow for them"
            )
        await clock.sleep_until(now + answer)
