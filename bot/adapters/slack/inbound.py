"""Slack payloads -> commands: pure functions, no SDK, no I/O.

``parse_trivia`` reads what a user typed after ``/trivia``; ``typed_answer``
decides whether a channel message is a player's message at all; the other
functions read button clicks and modal forms.  Commands are built with the
actor the adapter has at hand; the adapter swaps in the full actor (admin
flag, display name) with ``with_actor`` once it has looked the user up, which
it does only after acking.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.adapters.slack.ids import (
    DEFAULT_OPTION,
    DRAFT_FIELDS,
    INPUT_ACTION,
    PICK_ACTION_PREFIX,
    PLATFORM,
    REPORT_ACTION,
    decode_origin,
    decode_subject,
)
from bot.domain.commands import (
    ChangeSettings,
    Command,
    DismissReport,
    ExportQuestions,
    ListCategories,
    ListQuestions,
    ListReports,
    PickChoice,
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
from bot.domain.model import (
    Actor,
    ChannelKey,
    GameMode,
    PlayerKey,
    QuestionDraft,
    StartPolicy,
)
from bot.domain.records import (
    Period,
    ReportKind,
    Switch,
)

USAGE = (
    "`/trivia start [category] [rounds] [text|choice] [seconds]` · `stop` · `skip` · `hint` · "
    "`score` · `leaderboard [all|week|today]` · `stats [@user]` · `categories` · "
    "`report [wrong|unclear] [reason]` · `help`\n"
    "Admins: `add` · `questions [search] [page N] [own]` · `question ID` · `edit ID` · "
    "`disable ID` · `enable ID` · `remove ID` · `import` · `export` · `reports` · "
    "`dismiss REPORT` · `bundled [category NAME|bank ID on|off]` · `settings`"
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


@dataclass(frozen=True, slots=True)
class TypedMessage:
    """A person's plain message in a channel: maybe an answer."""

    channel_id: str
    user_id: str
    text: str


# -- identity --------------------------------------------------------------------------------


def whole_number(text: str) -> int | None:
    """``text`` as a whole number written in ASCII digits, at most 18 of them; else None.

    ``str.isdigit`` alone lets through "²" and other digits ``int`` refuses,
    and a number too big for SQLite's integers.
    """
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def channel_key(team_id: str, channel_id: str) -> ChannelKey:
    return ChannelKey(PLATFORM, team_id, channel_id)


def player_key(team_id: str, user_id: str) -> PlayerKey:
    return PlayerKey(PLATFORM, team_id, user_id)


def payload_actor(team_id: str, user_id: str, name: str | None = None) -> Actor:
    """The actor as far as the payload tells: no admin flag until the user is looked up."""
    return Actor(key=player_key(team_id, user_id), name=name or user_id)


def with_actor(command: Command, actor: Actor) -> Command:
    """The same command, sent by ``actor`` (every command has an ``actor`` field)."""
    return replace(command, actor=actor)


def team_of(body: Mapping[str, Any]) -> str:
    """The workspace a request belongs to, whichever kind of payload it is."""
    team = body.get("team_id") or body.get("team")
    if isinstance(team, Mapping):
        team = team.get("id")
    if not team:
        user = body.get("user")
        team = user.get("team_id") if isinstance(user, Mapping) else None
    return str(team or "")


def channel_of(body: Mapping[str, Any]) -> str | None:
    """The channel a request concerns, whichever kind of payload it is (for logs)."""
    event, channel, container = body.get("event"), body.get("channel"), body.get("container")
    view = body.get("view")
    found: object = None
    if isinstance(event, Mapping):
        found = event.get("channel")
    if not found and isinstance(channel, Mapping):
        found = channel.get("id")
    if not found and isinstance(container, Mapping):
        found = container.get("channel_id")
    if not found and isinstance(view, Mapping):
        # A form's metadata: where it was opened (and, for a form about one
        # question, which question).
        metadata = str(view.get("private_metadata", ""))
        place = decode_origin(metadata) or decode_subject(metadata)
        found = place[1] if place else None
    if not found:
        found = body.get("channel_id")
    return found if isinstance(found, str) and found else None


# -- /trivia ---------------------------------------------------------------------------------

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
    if len(args) > 1 or (args and args[0].casefold() not in _PERIODS):
        return Usage("The leaderboard is for `all` time, this `week` or `today`.")
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


# -- messages and clicks ---------------------------------------------------------------------


def typed_answer(event: Mapping[str, Any]) -> TypedMessage | None:
    """A person's plain channel message, or None for bots, edits, joins and the like."""
    if event.get("type") != "message" or event.get("subtype") or event.get("bot_id"):
        return None
    user, channel, text = event.get("user"), event.get("channel"), event.get("text")
    if not isinstance(user, str) or not isinstance(channel, str) or not isinstance(text, str):
        return None
    text = unescape(text).strip()
    if not text:
        return None
    return TypedMessage(channel_id=channel, user_id=user, text=text)


def unescape(text: str) -> str:
    """Slack escapes ``&``, ``<`` and ``>`` in message text; players typed the plain ones."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def pick_choice(
    action: Mapping[str, Any], *, channel: ChannelKey, actor: Actor
) -> PickChoice | None:
    """A click on an option button: its value is ``"<question number>:<option index>"``."""
    if not str(action.get("action_id", "")).startswith(PICK_ACTION_PREFIX):
        return None
    number_text, sep, index_text = str(action.get("value", "")).partition(":")
    number, index = whole_number(number_text), whole_number(index_text)
    if not sep or number is None or index is None:
        return None
    return PickChoice(channel=channel, actor=actor, question_number=number, choice=index)


def report_target(action: Mapping[str, Any]) -> str | None:
    """The question id a reveal's Report button carries, or None for another button."""
    if action.get("action_id") != REPORT_ACTION:
        return None
    value = str(action.get("value") or "").strip()
    return value or None


# -- modal forms -----------------------------------------------------------------------------

StateValues = Mapping[str, Mapping[str, Mapping[str, Any]]]


def form_value(values: StateValues, block_id: str) -> str:
    """The text (or selected option's value) of one input; "" when left blank."""
    state = values.get(block_id, {}).get(INPUT_ACTION, {})
    selected = state.get("selected_option")
    if isinstance(selected, Mapping):
        return str(selected.get("value") or "")
    value = state.get("value")
    return "" if value is None else str(value).strip()


def draft_from_form(values: StateValues) -> QuestionDraft:
    """The question form as typed; the service validates it like a bank entry."""
    fields = {name: form_value(values, name) for name in DRAFT_FIELDS}
    return QuestionDraft(
        prompt=fields["prompt"],
        answers=fields["answers"],
        category=fields["category"],
        difficulty=fields["difficulty"] or "medium",
        explanation=fields["explanation"],
        choices=fields["choices"],
        hints=fields["hints"],
    )


def settings_from_form(
    values: StateValues, *, channel: ChannelKey, actor: Actor
) -> ChangeSettings | dict[str, str]:
    """The settings form as a ``ChangeSettings``, or the fields that are not numbers.

    A blank number or "bot default" puts that setting back to the default; the
    service checks ranges and permissions.
    """
    errors: dict[str, str] = {}
    reset: set[str] = set()
    rounds_text = form_value(values, "rounds")
    rounds: int | None = None
    if not rounds_text:
        reset.add("rounds")
    elif (whole := whole_number(rounds_text)) is not None:
        rounds = whole
    else:
        errors["rounds"] = "A whole number of questions, or blank for the default."
    seconds_text = form_value(values, "seconds")
    seconds: float | None = None
    if not seconds_text:
        reset.add("seconds")
    else:
        try:
            seconds = float(seconds_text)
        except ValueError:
            errors["seconds"] = "A number of seconds, or blank for the default."
    mode_text = form_value(values, "mode")
    mode = GameMode(mode_text) if mode_text in tuple(GameMode) else None
    if mode is None:
        reset.add("mode")
    policy_text = form_value(values, "start_policy")
    policy = StartPolicy(policy_text) if policy_text in tuple(StartPolicy) else None
    if policy_text == DEFAULT_OPTION:
        reset.add("start_policy")
    if errors:
        return errors
    return ChangeSettings(
        channel=channel,
        actor=actor,
        rounds=rounds,
        seconds=seconds,
        mode=mode,
        start_policy=policy,
        reset=frozenset(reset),
    )


def report_from_form(values: StateValues) -> tuple[ReportKind, str]:
    """The report form: what is wrong with the question, and the player's words."""
    kind = form_value(values, "kind")
    return (
        ReportKind(kind) if kind in tuple(ReportKind) else ReportKind.WRONG,
        form_value(values, "reason"),
    )
