"""Console inbound: a line typed at the terminal -> a command (pure functions).

The console is one player on one local "server" and channel; the person at
the terminal owns the local game, so they count as its admin.
"""

from __future__ import annotations

from bot.adapters.console.ids import CHANNEL, PLATFORM, SERVER
from bot.domain.commands import (
    AnswerDaily,
    Command,
    ReportQuestion,
    RequestHint,
    ShowScore,
    SkipQuestion,
    StopGame,
    SubmitAnswer,
)
from bot.domain.model import Actor, PlayerKey
from bot.domain.records import ReportKind

HELP = (
    "Type your answer and press Enter. For choices, type the number or letter.\n"
    "/hint  next hint (costs points)    /skip  skip this question\n"
    "/score scores so far               /stop  end the game (scores are kept)\n"
    "/report [unclear] [why]  flag the last question as wrong (or unclear)\n"
    "/answer <text>  answer the daily question (once; for choices, the number or letter)"
)


class ConsoleHelp:
    """The local /help command: nothing for the service to do."""


ConsoleInput = Command | ConsoleHelp


def console_actor(name: str) -> Actor:
    # The person at the terminal owns the local game, so they count as admin.
    return Actor(key=PlayerKey(PLATFORM, SERVER, name), name=name, is_admin=True)


def parse_line(line: str, actor: Actor) -> ConsoleInput | None:
    """One line of input -> a command; None for a blank line."""
    text = line.strip()
    if not text:
        return None
    match text.lower():
        case "/hint":
            return RequestHint(channel=CHANNEL, actor=actor)
        case "/skip":
            return SkipQuestion(channel=CHANNEL, actor=actor)
        case "/score" | "/scores":
            return ShowScore(channel=CHANNEL, actor=actor)
        case "/stop" | "/quit" | "/exit":
            return StopGame(channel=CHANNEL, actor=actor)
        case "/help" | "/?":
            return ConsoleHelp()
    head, _, rest = text.partition(" ")
    if head.lower() == "/report":
        return _report(rest.strip(), actor)
    if head.lower() == "/answer":
        # Empty text is the service's to refuse, in the words every platform uses.
        return AnswerDaily(channel=CHANNEL, actor=actor, text=rest.strip())
    return SubmitAnswer(channel=CHANNEL, actor=actor, text=text)


def _report(text: str, actor: Actor) -> ReportQuestion:
    """``/report [wrong|unclear] [why]``: the kind is optional and defaults to wrong."""
    word, _, rest = text.partition(" ")
    if word.lower() in {kind.value for kind in ReportKind}:
        return ReportQuestion(CHANNEL, actor, ReportKind(word.lower()), rest.strip())
    return ReportQuestion(CHANNEL, actor, ReportKind.WRONG, text)
