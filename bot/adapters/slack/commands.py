"""``/trivia <text>`` -> what it asks for: pure functions, no SDK, no I/O.

``parse_trivia`` returns a command for the service, or something the adapter
answers on its own (help, usage, opening a form, how to import).  Slack's
counterpart of Discord's ``commands`` module, which declares the same
subcommands to Discord instead of parsing them from text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.adapters.slack.commands_scheduled import (
    SCHEDULE_USAGE,
    ScheduleUsage,
    parse_answer,
    parse_daily_leaderboard,
    parse_schedule,
    parse_season_leaderboard,
)
from bot.adapters.slack.inbound import player_key, unescape, whole_number
from bot.domain.commands import (
    Command,
    DismissReport,
    ExportQuestions,
    ListCategories,
    ListQuestions,
    ListReports,
    RemoveQuestion,
    ReportQuestion,
    RequestHint,
    ShowBundled,
    ShowLeaderboard,
    ShowQuestion,
    ShowScore,
    ShowStats,
    SkipQuestion,
    StartGame,
    StopGame,
    SwitchBundled,
    SwitchQuestion,
)
from bot.domain.model import Actor, ChannelKey, GameMode
from bot.domain.records import Period, ReportKind, Switch

USAGE = (
    "`/trivia start [category] [rounds] [text|choice] [seconds]` · `stop` · `skip` · `hint` · "
    "`score` · `leaderboard [all|week|today]` · `leaderboard season [NAME]` · "
    "`leaderboard daily [week|season]` · `answer TEXT` (the daily question) · "
    "`stats [@user]` · `categories` · `report [wrong|unclear] [reason]` · `help`\n"
    "Admins: `add` · `questions [search] [page N] [own]` · `question ID` · `edit ID` · "
    "`disable ID` · `enable ID` · `remove ID` · `import` · `export` · `reports` · "
    "`dismiss REPORT` · `bundled [category NAME|bank ID on|off]` · `settings` · "
    "`schedule add|list|pause|resume|remove` (`schedule help`)"
)

#: How to import, said in the ack of ``/trivia import`` (a slash command cannot carry a file).
IMPORT_HOWTO = (
    "To import questions, share a bank file (`.yaml` or `.yml`) with me: drop it in a direct "
    "message to me, or in a channel I'm in. I check the whole file first: a file with any "
    "problem changes nothing, and I tell you every problem with its line. Importing the same "
    "file again updates its questions instead of adding them twice. "
    "`/trivia export` gives you this workspace's own questions in the same format."
)


@dataclass(frozen=True, slots=True)
class ShowHelp:
    """``/trivia help`` (or nothing at all): the adapter answers on its own."""


@dataclass(frozen=True, slots=True)
class Usage:
    """A line the bot could not read; ``message`` says what was wrong."""

    message: str


@dataclass(frozen=True, slots=True)
class OpenAddQuestion:
    """``/trivia add``: open the question form (the service decides on submit)."""


@dataclass(frozen=True, slots=True)
class OpenSettings:
    """``/trivia settings``: open the settings form."""


@dataclass(frozen=True, slots=True)
class OpenEditQuestion:
    """``/trivia edit ID``: open the question form filled in with the question as it is."""

    question_id: str


@dataclass(frozen=True, slots=True)
class ExplainImport:
    """``/trivia import``: say how to share a bank file (the ack carries it)."""


SlashResult = (
    Command | ShowHelp | Usage | OpenAddQuestion | OpenSettings | OpenEditQuestion | ExplainImport
)


_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_SECONDS = re.compile(r"^(\d+(?:\.\d+)?)s(?:ec(?:onds?)?)?$")
_PERIODS = {
    "all": Period.ALL,
    "alltime": Period.ALL,
    "ever": Period.ALL,
    "week": Period.WEEK,
    "weekly": Period.WEEK,
    "today": Period.TODAY,
    "day": Period.TODAY,
    "daily": Period.TODAY,
}


def parse_trivia(text: str, *, channel: ChannelKey, actor: Actor) -> SlashResult:
    """What ``/trivia <text>`` asks for."""
    words = unescape(text).split()
    if not words:
        return ShowHelp()
    head, args = words[0].casefold(), words[1:]
    match head:
        case "help" | "?":
            return ShowHelp()
        case "start" | "play":
            return _start(args, channel=channel, actor=actor)
        case "leaderboard" | "lb" | "top":
            return _leaderboard(args, channel=channel, actor=actor)
        case "stats":
            return _stats(text, channel=channel, actor=actor)
        case "remove" | "delete":
            if len(args) != 1:
                return Usage("Say which question to remove: `/trivia remove QUESTION-ID`.")
            return RemoveQuestion(channel=channel, actor=actor, question_id=args[0])
        case "add":
            return _bare(head, args, OpenAddQuestion())
        case "settings" | "config":
            return _bare(head, args, OpenSettings())
        case "import":
            return _bare(head, args, ExplainImport())
        case "questions" | "list":
            return _questions(args, channel=channel, actor=actor)
        case "question" | "show" | "edit" | "disable" | "enable":
            return _about_question(head, args, channel=channel, actor=actor)
        case "report":
            return _report(args, channel=channel, actor=actor)
        case "dismiss":
            return _dismiss(args, channel=channel, actor=actor)
        case "bundled":
            return _bundled(args, channel=channel, actor=actor)
        case "schedule" | "schedules":
            rest = unescape(text).strip().split(None, 1)[1:]
            if rest and rest[0].strip().casefold() in ("help", "?"):
                return Usage(f"*Schedules* (admins): {SCHEDULE_USAGE}")
            try:
                return parse_schedule(rest[0] if rest else "", channel=channel, actor=actor)
            except ScheduleUsage as exc:
                return Usage(f"{exc}\n{SCHEDULE_USAGE}")
        case "answer":
            rest = unescape(text).strip().split(None, 1)[1:]
            answer = parse_answer(rest[0] if rest else "", channel=channel, actor=actor)
            return answer or Usage(
                "Say your answer: `/trivia answer Paris` (only you see it), or click "
                "*Answer* on the daily question."
            )
    simple = _SIMPLE.get(head)
    if simple is None:
        return Usage(f"I don't know `{_shown(head)}`.")
    return _bare(head, args, simple(channel=channel, actor=actor))


#: Subcommands that take nothing but who and where.
_SIMPLE: dict[str, Callable[..., Command]] = {
    "stop": StopGame,
    "end": StopGame,
    "skip": SkipQuestion,
    "next": SkipQuestion,
    "hint": RequestHint,
    "score": ShowScore,
    "scores": ShowScore,
    "categories": ListCategories,
    "cats": ListCategories,
    "export": ExportQuestions,
    "reports": ListReports,
}


def _bare(head: str, args: list[str], result: SlashResult) -> SlashResult:
    return Usage(f"`{_shown(head)}` takes nothing after it.") if args else result


def _shown(word: str) -> str:
    # Echoed back in mrkdwn: Slack needs &, < and > escaped even inside code spans.
    return word[:30].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _start(args: list[str], *, channel: ChannelKey, actor: Actor) -> SlashResult:
    numbers: list[int] = []
    seconds: float | None = None
    mode: GameMode | None = None
    category: list[str] = []
    for word in args:
        folded = word.casefold()
        if folded in ("text", "choice"):
            if mode is not None:
                return Usage("Pick one mode: `text` or `choice`.")
            mode = GameMode(folded)
        elif (number := whole_number(word)) is not None:
            numbers.append(number)
        elif match := _SECONDS.match(folded):
            seconds = float(match.group(1))
        else:
            category.append(word)
    if len(numbers) > 2 or (len(numbers) == 2 and seconds is not None):
        return Usage("Give at most two numbers: rounds, then seconds per question.")
    rounds = numbers[0] if numbers else None
    if len(numbers) == 2:
        seconds = float(numbers[1])
    name = " ".join(category)
    return StartGame(
        channel=channel,
        actor=actor,
        rounds=rounds,
        seconds=seconds,
        mode=mode,
        category=name if name and name.casefold() not in ("any", "all") else None,
    )


def _leaderboard(args: list[str], *, channel: ChannelKey, actor: Actor) -> SlashResult:
    first = args[0].casefold() if args else ""
    if first == "season":
        return parse_season_leaderboard(args[1:], channel=channel, actor=actor)
    if first == "daily":
        daily = parse_daily_leaderboard(args[1:], channel=channel, actor=actor)
        if daily is not None:
            return daily
        return Usage(
            "The daily question's leaderboard is for this `week`, `today` or a `season`: "
            "`/trivia leaderboard daily week`, `/trivia leaderboard daily season [2026-11]`."
        )
    if len(args) > 1 or (args and first not in _PERIODS):
        return Usage(
            "The leaderboard is for `all` time, this `week` or `today`; "
            "`leaderboard season [NAME]` shows a season's, `leaderboard daily [week|season]` "
            "the daily question's."
        )
    period = _PERIODS[args[0].casefold()] if args else Period.ALL
    return ShowLeaderboard(channel=channel, actor=actor, period=period)


def _stats(text: str, *, channel: ChannelKey, actor: Actor) -> SlashResult:
    # Mentions are matched on the raw text: Slack escapes them as <@U123|name>.
    args = text.split()[1:]
    if not args:
        return ShowStats(channel=channel, actor=actor)
    user = mentioned_user(args[0]) if len(args) == 1 else None
    if user is None:
        return Usage("Mention the player: `/trivia stats @name`.")
    return ShowStats(channel=channel, actor=actor, player=player_key(channel.server, user))


def _questions(args: list[str], *, channel: ChannelKey, actor: Actor) -> SlashResult:
    """``questions [search words] [page N] [own]``, in any order."""
    search: list[str] = []
    page, own_only = 1, False
    words = iter(args)
    for word in words:
        folded = word.casefold()
        if folded == "page":
            number = whole_number(next(words, ""))
            if number is None or number < 1:
                return Usage("Say which page by its number: `/trivia questions page 2`.")
            page = number
        elif folded in ("own", "mine", "--own"):
            own_only = True
        else:
            search.append(word)
    return ListQuestions(
        channel=channel, actor=actor, search=" ".join(search), page=page, own_only=own_only
    )


def _about_question(
    head: str, args: list[str], *, channel: ChannelKey, actor: Actor
) -> SlashResult:
    """``question ID``, ``edit ID``, ``disable ID``, ``enable ID``: one question id each."""
    if len(args) != 1:
        return Usage(
            f"Say which question: `/trivia {_shown(head)} QUESTION-ID` (ids are in "
            "`/trivia questions`)."
        )
    question_id = args[0].strip("`")
    match head:
        case "edit":
            return OpenEditQuestion(question_id)
        case "disable" | "enable":
            return SwitchQuestion(
                channel=channel, actor=actor, question_id=question_id, on=head == "enable"
            )
        case _:
            return ShowQuestion(channel=channel, actor=actor, question_id=question_id)


def _report(args: list[str], *, channel: ChannelKey, actor: Actor) -> SlashResult:
    """``report [wrong|unclear] [reason...]``: about the last question asked here."""
    kind = ReportKind.WRONG
    if args and args[0].casefold() in tuple(ReportKind):
        kind = ReportKind(args[0].casefold())
        args = args[1:]
    return ReportQuestion(channel=channel, actor=actor, kind=kind, reason=" ".join(args))


def _dismiss(args: list[str], *, channel: ChannelKey, actor: Actor) -> SlashResult:
    number = whole_number(args[0].lstrip("#")) if len(args) == 1 else None
    if number is None:
        return Usage(
            "Say which report by its number: `/trivia dismiss 12` (see `/trivia reports`)."
        )
    return DismissReport(channel=channel, actor=actor, report_id=number)


_SWITCHES = {"category": Switch.CATEGORY, "bank": Switch.BANK}
_ON_OFF = {"on": True, "enable": True, "off": False, "disable": False}


def _bundled(args: list[str], *, channel: ChannelKey, actor: Actor) -> SlashResult:
    """``bundled`` alone shows them; ``bundled category|bank NAME on|off`` switches one."""
    if not args:
        return ShowBundled(channel=channel, actor=actor)
    kind = _SWITCHES.get(args[0].casefold())
    on = _ON_OFF.get(args[-1].casefold()) if len(args) >= 3 else None
    if kind is None or on is None:
        return Usage(
            "Turn a bundled category or bank on or off: `/trivia bundled category NAME off`, "
            "`/trivia bundled bank ID on`; `/trivia bundled` lists them."
        )
    return SwitchBundled(channel=channel, actor=actor, kind=kind, name=" ".join(args[1:-1]), on=on)


def mentioned_user(word: str) -> str | None:
    """``U123`` from Slack's escaped mention ``<@U123|name>`` or ``<@U123>``."""
    match = _MENTION.match(word.strip())
    return match.group(1) if match else None
