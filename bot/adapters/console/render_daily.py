"""The daily question's events -> terminal output (console play).

Strings from events are terminal-safe already (``render_console.render`` cleans every
event before it reaches here) and go into ``Text``, never into rich markup.  Times are
shown in UTC: the console has one local "server" and no zone of its own to speak in.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.text import Text

from bot.adapters.common.words import plural, took
from bot.domain.daily import DailyWinner, Verdict
from bot.domain.events import (
    DailyAnswerJudged,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    DailyQuestionSkipped,
    Event,
)

#: How a console player answers the daily question (``bot.adapters.console.inbound``).
ANSWER_COMMAND = "/answer"


def render_daily(event: Event) -> RenderableType | None:
    """What the terminal shows for a daily-question event; None for other events."""
    match event:
        case DailyQuestionPosted():
            return _posted(event)
        case DailyAnswerJudged():
            return _judged(event)
        case DailyQuestionRevealed():
            return _revealed(event)
        case DailyQuestionSkipped(reason=reason):
            return Text(reason, style="yellow")
    return None


def _posted(event: DailyQuestionPosted) -> RenderableType:
    round_, q = event.round, event.round.question
    lines: list[RenderableType] = [
        Text.assemble(
            ("\nDaily question", "bold cyan"),
            (f"  {q.category} · {q.difficulty} · open until {_at(round_.closes_at)}", "dim"),
        ),
        Text(q.prompt, style="bold"),
    ]
    for index, choice in enumerate(round_.choices):
        lines.append(Text.assemble((f"  {index + 1}) ", "cyan"), choice))
    what = "the number or letter of your choice" if round_.choices else "your answer"
    lines.append(
        Text(
            f"Answer once with {ANSWER_COMMAND} and {what}; only you see your verdict. "
            "The answer and who got it right come when it closes.",
            style="dim",
        )
    )
    if event.note:
        lines.append(Text(event.note, style="yellow"))
    return Group(*lines)


def _judged(event: DailyAnswerJudged) -> RenderableType:
    guess = event.guess
    match event.verdict:
        case Verdict.RIGHT:
            return Text.assemble(
                ("Right! ", "bold green"),
                f"{guess!r} is it. ",
                (_streak(event.streak), "bold"),
            )
        case Verdict.WRONG:
            return Text.assemble(
                ("Not it: ", "red"),
                f"{guess!r}. The answer is shown at {_at(event.closes_at)}.",
            )
        case Verdict.CLOSE:
            return Text(
                f"So close: {guess!r} is nearly it. That did not count: try again.",
                style="yellow",
            )
        case Verdict.ALREADY:
            return Text(
                f"You already answered this one ({guess!r}): one answer per question.",
                style="yellow",
            )
        case Verdict.CLOSED:
            return Text("No daily question is open here right now.", style="yellow")


def _revealed(event: DailyQuestionRevealed) -> RenderableType:
    q = event.round.question
    lines: list[RenderableType] = [
        Text.assemble(
            ("\nDaily question closed. ", "bold cyan"), "The answer: ", (q.answer, "bold green")
        ),
        Text(q.prompt, style="dim"),
    ]
    if q.explanation:
        lines.append(Text(q.explanation, style="italic"))
    if event.winners:
        lines.append(Text("Right, fastest first:", style="green"))
        lines += [_winner(rank, w) for rank, w in enumerate(event.winners, start=1)]
    else:
        lines.append(Text("Nobody got it this time."))
    lines.append(Text(f"{plural(event.answered, 'player')} answered.", style="dim"))
    return Group(*lines)


def _winner(rank: int, winner: DailyWinner) -> Text:
    return Text.assemble(
        f"  {rank}. ",
        (winner.name, "bold"),
        (f"  after {took(winner.seconds)}, streak {winner.streak}", "dim"),
    )


def _streak(days: int) -> str:
    return f"Streak: {plural(days, 'day')}."


def _at(instant: datetime) -> str:
    return f"{instant:%H:%M} UTC"
