"""Discord inbound for scheduled play: ``/trivia schedule`` options and ``/trivia
answer`` -> commands, and the time zones offered while an admin types one.

Pure functions, no discord.py (like ``inbound``).  Settings go to the service as
typed: it reads them with ``bot.domain.schedule``'s parsers, so Discord, Slack and the
command line refuse a bad one in the same words.
"""

from __future__ import annotations

import functools
import zoneinfo

from bot.domain.commands import AddSchedule, AnswerDaily
from bot.domain.model import Actor, ChannelKey

#: Offered before anything is typed in the time zone option.
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)


def schedule_add_command(
    channel: ChannelKey,
    actor: Actor,
    *,
    kind: str,
    time: str,
    timezone: str,
    days: str | None = None,
    closes: str | None = None,
    category: str | None = None,
    difficulty: str | None = None,
    rounds: int | None = None,
    seconds: float | None = None,
    mode: str | None = None,
    remind: int | None = None,
    target_channel_id: int | None = None,
) -> AddSchedule:
    """``/trivia schedule add``'s options as the admin gave them; a quiz's game options
    become ``key=value`` as on the command line; ``target_channel_id`` None: this channel."""
    options = tuple(
        f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
        for key, value in (("rounds", rounds), ("seconds", seconds), ("mode", mode))
        if value is not None
    )
    return AddSchedule(
        channel=channel,
        actor=actor,
        kind=kind,
        at=time.strip(),
        zone=timezone.strip(),
        days=(days or "").strip() or "daily",
        closes=_given(closes),
        category=_given(category),
        difficulty=_given(difficulty),
        options=options,
        remind=str(remind) if remind is not None else None,
        target=str(target_channel_id) if target_channel_id is not None else None,
    )


def _given(text: str | None) -> str | None:
    return text.strip() or None if text else None


def answer_command(channel: ChannelKey, actor: Actor, text: str) -> AnswerDaily:
    """``/trivia answer text:...``: an answer to the daily question open in this channel."""
    return AnswerDaily(channel=channel, actor=actor, text=text.strip())


@functools.cache
def _zones() -> tuple[str, ...]:
    # About 600 names, read from the system's (or tzdata's) files once: ~60 ms.
    return tuple(sorted(zoneinfo.available_timezones()))


def zone_choices(typed: str, *, limit: int = 25) -> list[str]:
    """IANA names for what the admin has typed: those that start with it first (the part
    after the slash counts too: "berl" finds Europe/Berlin), then those containing it."""
    wanted = typed.strip().casefold().replace(" ", "_")
    if not wanted:
        return list(COMMON_ZONES[:limit])
    starts = [
        zone
        for zone in _zones()
        if zone.casefold().startswith(wanted)
        or zone.casefold().rsplit("/", 1)[-1].startswith(wanted)
    ]
    contains = [zone for zone in _zones() if wanted in zone.casefold() and zone not in starts]
    return (starts + contains)[:limit]
