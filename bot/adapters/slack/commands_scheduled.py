"""``/trivia schedule ...``, ``/trivia answer ...`` and the leaderboard's ``season`` and
``daily`` forms: pure functions, no SDK, no I/O (``commands`` calls them).

Schedule settings go to the service as typed: it reads them with
``bot.domain.schedule``'s parsers, so Slack, Discord and the command line refuse a
bad one in the same words.  What is read here is only the line's shape: which
words are the kind, time and zone, and which are ``key=value`` settings.
"""

from __future__ import annotations

import re

from bot.adapters.slack.inbound import whole_number
from bot.domain.commands import (
    AddSchedule,
    AnswerDaily,
    Command,
    ListSchedules,
    RemoveSchedule,
    ShowLeaderboard,
    SwitchSchedule,
)
from bot.domain.model import Actor, ChannelKey
from bot.domain.records import Period

#: ``/trivia schedule`` in full: the usage message a line the bot cannot read gets.
SCHEDULE_USAGE = (
    "`/trivia schedule add daily|quiz HH:MM TIMEZONE [days=weekdays] [closes=HH:MM] "
    "[category=NAME] [difficulty=easy|medium|hard] [rounds=N] [seconds=N] [mode=text|choice] "
    "[remind=MINUTES] [channel=#channel]` · `/trivia schedule list` · "
    "`/trivia schedule pause|resume|remove ID`\n"
    "Example: `/trivia schedule add daily 09:00 Europe/Berlin days=weekdays closes=17:00 "
    'category="World History"`'
)

#: The ``key=value`` settings of ``schedule add``, and the ones that are game options.
_SETTINGS = frozenset(
    {"days", "closes", "category", "difficulty", "remind", "channel"}
    | {"rounds", "seconds", "mode"}
)
_GAME_OPTIONS = ("rounds", "seconds", "mode")
#: Slack's escaped channel mention, ``<#C123|name>`` or ``<#C123>``.
_CHANNEL = re.compile(r"^<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>$")
_BARE_CHANNEL = re.compile(r"^[CG][A-Z0-9]{6,}$")
#: Slack's clients turn typed double quotes into curly ones (single ones are left alone:
#: an apostrophe in a category's name is no quote).
_QUOTES = str.maketrans({"“": '"', "”": '"'})

_DAILY_SPANS = {"week": Period.WEEK, "weekly": Period.WEEK, "today": Period.TODAY}


class ScheduleUsage(ValueError):
    """A ``/trivia schedule`` line that cannot be read; the message says what is wrong."""


def parse_schedule(text: str, *, channel: ChannelKey, actor: Actor) -> Command:
    """``schedule ...`` (``text`` is everything after ``schedule``) as a command; raises
    ``ScheduleUsage`` for a line that cannot be read."""
    words = split_words(text)
    if not words:
        return ListSchedules(channel=channel, actor=actor)
    head, args = words[0].casefold(), words[1:]
    match head:
        case "add" | "new":
            return _add(args, channel=channel, actor=actor)
        case "list" | "ls" if not args:
            return ListSchedules(channel=channel, actor=actor)
        case "pause" | "resume" | "remove" | "delete":
            number = whole_number(args[0].lstrip("#")) if len(args) == 1 else None
            if number is None or number < 1:
                raise ScheduleUsage(
                    f"Say which schedule by its number: `/trivia schedule {head} 3` "
                    "(`/trivia schedule list` shows them)."
                )
            if head in ("remove", "delete"):
                return RemoveSchedule(channel=channel, actor=actor, schedule_id=number)
            return SwitchSchedule(
                channel=channel, actor=actor, schedule_id=number, paused=head == "pause"
            )
    raise ScheduleUsage(f"I don't know `schedule {head[:30]}`.")


def _add(args: list[str], *, channel: ChannelKey, actor: Actor) -> AddSchedule:
    positional = [word for word in args if "=" not in word]
    settings: dict[str, str] = {}
    for word in args:
        if "=" not in word:
            continue
        key, _, value = word.partition("=")
        key = key.strip().casefold()
        if key not in _SETTINGS:
            known = ", ".join(sorted(_SETTINGS))
            raise ScheduleUsage(f"Unknown setting `{key[:30]}`: use {known}.")
        if not value.strip():
            raise ScheduleUsage(f"`{key}=` needs a value.")
        if key in settings:
            raise ScheduleUsage(f"`{key}` is given twice.")
        settings[key] = value.strip()
    if len(positional) != 3:
        raise ScheduleUsage(
            "Give the kind, the time and the time zone, in that order: "
            "`/trivia schedule add daily 09:00 Europe/Berlin` (settings after them as "
            "`key=value`)."
        )
    kind, at, zone = positional
    target = settings.get("channel")
    return AddSchedule(
        channel=channel,
        actor=actor,
        kind=kind,
        at=at,
        zone=zone,
        days=settings.get("days", "daily"),
        closes=settings.get("closes"),
        category=settings.get("category"),
        difficulty=settings.get("difficulty"),
        options=tuple(f"{key}={settings[key]}" for key in _GAME_OPTIONS if key in settings),
        remind=settings.get("remind"),
        target=None if target is None else channel_id(target),
    )


#: A word: runs of anything but blanks and double quotes, or "quoted text", joined.
_WORD = re.compile(r'(?:[^\s"]+|"[^"]*")+')


def split_words(text: str) -> list[str]:
    """``text``'s words, where double quotes keep blanks in one (``category="World
    History"``); an apostrophe is just a letter."""
    cleaned = text.translate(_QUOTES)
    if cleaned.count('"') % 2:
        raise ScheduleUsage('A quote is left open: close it (`category="World History"`).')
    return [word.replace('"', "") for word in _WORD.findall(cleaned)]


def channel_id(text: str) -> str:
    """A channel as typed: Slack's escaped mention ``<#C123|name>``, or its bare id."""
    if match := _CHANNEL.match(text):
        return match.group(1)
    if _BARE_CHANNEL.match(text):
        return text
    raise ScheduleUsage(
        f"`channel={text[:40]}` is not a channel I can read: pick it with `#` so Slack links "
        "it (`channel=#trivia`)."
    )


def parse_daily_leaderboard(
    args: list[str], *, channel: ChannelKey, actor: Actor
) -> ShowLeaderboard | None:
    """``leaderboard daily [week|today|season [NAME]]`` (``args`` after ``daily``), or
    None for a line of another shape."""
    if not args:
        return ShowLeaderboard(channel=channel, actor=actor, period=Period.WEEK, daily=True)
    span = args[0].casefold()
    if span == "season":
        season = " ".join(args[1:]) or "current"
        return ShowLeaderboard(channel=channel, actor=actor, season=season, daily=True)
    if span in _DAILY_SPANS and len(args) == 1:
        return ShowLeaderboard(channel=channel, actor=actor, period=_DAILY_SPANS[span], daily=True)
    return None


def parse_season_leaderboard(args: list[str], *, channel: ChannelKey, actor: Actor) -> Command:
    """``leaderboard season [NAME]`` (``args`` after ``season``): the service reads the
    name (``current``, ``previous``, ``2026-11``, ``2026-Q4``) and refuses one it cannot."""
    return ShowLeaderboard(channel=channel, actor=actor, season=" ".join(args) or "current")


def parse_answer(text: str, *, channel: ChannelKey, actor: Actor) -> AnswerDaily | None:
    """``answer TEXT``: an answer to the daily question open in this channel."""
    answer = text.strip()
    return AnswerDaily(channel=channel, actor=actor, text=answer) if answer else None
