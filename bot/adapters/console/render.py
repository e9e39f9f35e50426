"""Events -> terminal output (rich renderables).

Colour and emoji only help a human at a terminal; rich drops the styles by
itself when output is piped, so the same renderer serves scripts and tests.

Every string an event carries (names, guesses, prompts) is shown as plain
text: it goes into ``Text`` (never parsed as rich markup, where a name such as
``[/]`` would raise), and what a terminal would act on (escape sequences, a
bell, a carriage return, bidi overrides) is spelled out as ``\\x1b``.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from typing import Any, TypeVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bot.adapters.common.words import (
    GAME_PAUSED,
    GAME_SUSPENDED,
    SCORES_DELAYED,
    closed_reports,
    plural,
    then,
)
from bot.adapters.console.boards import leaderboard_table as leaderboard_table
from bot.adapters.console.boards import terminal_safe as terminal_safe
from bot.adapters.console.render_admin import render_admin
from bot.adapters.console.render_daily import render_daily
from bot.adapters.console.render_scheduled import render_scheduled
from bot.domain.awards import Award
from bot.domain.events import (
    AnswerAccepted,
    CategoriesShown,
    ChoiceRecorded,
    CloseGuess,
    DraftRejected,
    EndReason,
    Event,
    GameEnded,
    GamePaused,
    GameStarted,
    GameSuspended,
    HintGiven,
    LeaderboardShown,
    QuestionAdded,
    QuestionAsked,
    QuestionRemoved,
    QuestionRevealed,
    Rejected,
    RevealReason,
    ScoresDelayed,
    ScoreShown,
    SettingsShown,
    StatsShown,
    WrongChoice,
    WrongGuess,
)
from bot.domain.model import GameMode, Standing
from bot.domain.records import (
    PlayerStats,
)

T = TypeVar("T")

END_TITLES = {
    EndReason.COMPLETED: "Game over!",
    EndReason.STOPPED: "Game stopped.",
    EndReason.IDLE: "Game ended: nobody answered for a while.",
    EndReason.SHUTDOWN: "Game ended: the bot is shutting down.",
    EndReason.RESTARTED: "Your last game was cut short when trivia-bot stopped; "
    "it has ended with the points already scored.",
}


def _terminal_safe_values(value: T) -> T:
    """A copy of an event (or any value inside one) with every string terminal-safe."""
    cleaned: Any = value
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        cleaned = terminal_safe(value)
    elif isinstance(value, tuple):
        cleaned = tuple(_terminal_safe_values(item) for item in value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Fields set in __post_init__ (init=False, a schedule's zone) are derived, not given.
        cleaned = dataclasses.replace(
            value,
            **{
                f.name: _terminal_safe_values(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.init  # derived fields (a schedule's zone) follow from the others
            },
        )
    return cleaned  # type: ignore[no-any-return]


def render(event: Event) -> RenderableType | None:
    """What the console shows for ``event``; None for events it keeps quiet about."""
    event = _terminal_safe_values(event)
    match event:
        case ScoresDelayed():
            return Text(SCORES_DELAYED, style="yellow")
        case GamePaused():
            return Text(GAME_PAUSED, style="yellow")
        case GameSuspended():
            return Text(GAME_SUSPENDED, style="yellow")
        case GameStarted(options=options, total_questions=total, started_by_name=who):
            how = (
                "type the number or letter of your choice"
                if options.mode is GameMode.CHOICE
                else "type your answer"
            )
            return Text.assemble(
                ("\nTrivia! ", "bold magenta"),
                f"{total} question{'s' if total != 1 else ''}, {options.mode} mode, "
                f"{options.seconds:g} s each, started by {who}.\n",
                (f"To play, {how}. Commands: /hint /skip /score /stop /help", "dim"),
            )
        case QuestionAsked():
            return _question(event)
        case HintGiven(hint=hint, hints_left=left):
            more = f" ({left} more)" if left else ""
            return Text.assemble(("Hint: ", "yellow"), hint, (more, "dim"))
        case AnswerAccepted(award=award, announce=True):
            return Text.assemble(
                ("Correct! ", "bold green"),
                f"{award.name} answered {award.guess!r}: ",
                (f"+{award.points.total}", "bold"),
                (f"  ({_breakdown(award)})", "dim"),
            )
        case AnswerAccepted():
            return None
        case CloseGuess(name=name, guess=guess):
            return Text(f"So close, {name}: {guess!r} is nearly it.", style="yellow")
        case WrongGuess():
            return Text("Not it.", style="red")
        case WrongChoice(choice=choice):
            return Text(
                f"Option {choice + 1} is not it. One pick per question: you're out of this one.",
                style="red",
            )
        case ChoiceRecorded(choice=choice, choice_text=text):
            return Text(f"Your pick: {choice + 1}) {text}", style="cyan")
        case QuestionRevealed():
            return _reveal(event)
        case ScoreShown(standings=standings, number=number, total=total):
            if not standings:
                return Text("Nobody has scored yet.")
            return _standings_table(standings, f"Scores so far (question {number} of {total})")
        case GameEnded():
            return _game_ended(event)
        case Rejected(message=message):
            return Text(message, style="red")
        case LeaderboardShown(rows=rows, period=period, season=season, daily=daily):
            return leaderboard_table(rows, period, season=season, daily=daily)
        case StatsShown(stats=stats):
            return stats_table(stats)
        case CategoriesShown(categories=categories):
            table = Table("Category", "Questions", title="Categories")
            for name, count in categories:
                table.add_row(Text(name), str(count))
            return table
        case DraftRejected(problems=problems):
            lines = [Text("That question needs fixing:", style="red")]
            lines += [Text(f"  {p.field}: {p.message}") for p in problems]
            return Group(*lines)
        case QuestionAdded(question=question):
            return Text(f"Added question {question.id!r} ({question.category}).", style="green")
        case QuestionRemoved(question_id=question_id, resolved=resolved):
            removed = then(f"Removed question {question_id!r}.", closed_reports(resolved))
            return Text(removed, style="green")
        case SettingsShown():
            return _settings_table(event)
    admin = render_admin(event)
    if admin is not None:
        return admin
    return render_daily(event) or render_scheduled(event)


def _settings_table(event: SettingsShown) -> RenderableType:
    table = Table("setting", "value", title="Settings saved" if event.changed else "Settings")
    s, d = event.settings, event.defaults
    table.add_row("rounds", str(d.rounds) + ("" if s.rounds is not None else " (default)"))
    table.add_row("seconds", f"{d.seconds:g}" + ("" if s.seconds is not None else " (default)"))
    table.add_row("mode", d.mode.value + ("" if s.mode is not None else " (default)"))
    table.add_row("who may start games", s.start_policy.value)
    table.add_row("seasons", s.season_length.value)
    if s.starter_role:
        table.add_row("starter role", Text(s.starter_role))
    if s.admin_role:
        table.add_row("admin role", Text(s.admin_role))
    return table


def _question(event: QuestionAsked) -> RenderableType:
    q = event.question
    header = Text.assemble(
        (f"\nQuestion {event.number}/{event.total}", "bold cyan"),
        (f"  {q.category} · {q.difficulty} · {event.seconds:g} s", "dim"),
    )
    lines: list[RenderableType] = [header, Text(q.prompt, style="bold")]
    for index, choice in enumerate(event.choices):
        lines.append(Text.assemble((f"  {index + 1}) ", "cyan"), choice))
    return Group(*lines)


def _reveal(event: QuestionRevealed) -> RenderableType:
    q = event.question
    lead = {
        RevealReason.ANSWERED: ("", ""),
        RevealReason.TIMEOUT: ("Time's up! ", "yellow"),
        RevealReason.SKIPPED: ("Skipped. ", "yellow"),
        RevealReason.STOPPED: ("", ""),
        RevealReason.NOBODY_LEFT: ("", ""),
    }[event.reason]
    lines: list[RenderableType] = [Text.assemble(lead, "The answer: ", (q.answer, "bold green"))]
    if event.choice_counts:
        counts = "  ".join(f"{i + 1}) {n}" for i, n in enumerate(event.choice_counts))
        lines.append(Text(f"Picks: {counts}", style="dim"))
        if event.awards:
            names = ", ".join(f"{a.name} +{a.points.total}" for a in event.awards)
            lines.append(Text(f"Right: {names}", style="green"))
    if q.explanation:
        lines.append(Text(q.explanation, style="italic"))
    if q.source is not None:
        lines.append(Text(f"Source: paragraph {q.source.paragraph} ({q.source.context})", "dim"))
    if event.next_in:
        lines.append(Text(f"Next question in {event.next_in:g} s…", style="dim"))
    return Group(*lines)


def _game_ended(event: GameEnded) -> RenderableType:
    parts: list[RenderableType] = [Text("\n" + END_TITLES[event.reason], style="bold magenta")]
    if event.standings:
        parts.append(_standings_table(event.standings, "Final standings"))
    else:
        parts.append(Text("Nobody played this time."))
    if event.winner is not None:
        parts.append(
            Text.assemble(
                ("Winner: ", "bold"),
                (event.winner.name, "bold green"),
                f" with {plural(event.winner.points, 'point')}.",
            )
        )
    elif len(event.standings) == 1:
        parts.append(Text("Solo games count for your stats but not for wins.", style="dim"))
    return Group(*parts)


def _standings_table(standings: Sequence[Standing], title: str) -> RenderableType:
    table = Table("#", "Player", "Points", "Correct", title=title)
    for s in standings:
        table.add_row(str(s.rank), Text(s.name), str(s.points), str(s.correct))
    return table


def _breakdown(award: Award) -> str:
    p = award.points
    parts = [f"{p.base} base"]
    if p.speed_bonus:
        parts.append(f"+{p.speed_bonus} speed")
    if p.streak_bonus:
        parts.append(f"+{p.streak_bonus} streak of {award.streak}")
    if p.hint_penalty:
        parts.append(f"-{p.hint_penalty} hints")
    return ", ".join(parts)


def stats_table(stats: PlayerStats) -> RenderableType:
    name = terminal_safe(stats.name)  # also called directly, by ``trivia-bot stats``
    table = Table("", "", title=Text(f"Stats for {name}"), show_header=False)
    average = (
        f"{stats.average_answer_ms / 1000:.1f} s" if stats.average_answer_ms is not None else "-"
    )
    for label, value in (
        ("Points", str(stats.points)),
        ("Games", str(stats.games)),
        ("Wins", str(stats.wins)),
        ("Correct answers", str(stats.correct)),
        ("Accuracy", f"{stats.accuracy:.0%} of {stats.answered} answered"),
        ("Best streak", str(stats.best_streak)),
        ("Average answer time", average),
        ("Daily streak", f"{stats.daily_streak} (best {stats.best_daily_streak})"),
    ):
        table.add_row(label, value)
    return table
