"""Scheduled play at the terminal: a weekly quiz's reminder or why it was skipped, a
season's results and its leaderboard, and an admin's schedules (issue #17).

The daily question's own events are ``render``'s; these are kept apart so that each
part of scheduled play is read in one place.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from bot.adapters.console.boards import leaderboard_table
from bot.domain.events import Event, QuizReminder, QuizSkipped, SchedulesShown, SeasonResults
from bot.domain.records import Period
from bot.domain.schedule_words import describe


def render_scheduled(event: Event) -> RenderableType | None:
    """What the terminal shows for a scheduled-play event of these; None for the rest.
    Strings arrive terminal-safe (``render`` cleans every event first)."""
    match event:
        case QuizReminder(starts_at=starts_at, rounds=rounds, category=category):
            what = f"{rounds} questions" + (f" of {category}" if category else "")
            return Text.assemble(
                ("Quiz soon! ", "bold magenta"),
                f"The weekly quiz starts here at {starts_at:%H:%M} UTC: {what}.",
            )
        case QuizSkipped(reason=reason):
            return Text(f"The weekly quiz did not start: {reason}", style="yellow")
        case SeasonResults(season=season, rows=rows):
            title = Text(f"\nSeason {season.label} is over!", style="bold magenta")
            if not rows:
                return Group(title, Text("Nobody scored this season."))
            winner = Text.assemble(("Winner: ", "bold"), (rows[0].name, "bold green"))
            return Group(title, leaderboard_table(rows, Period.ALL, season=season), winner)
        case SchedulesShown(schedules=schedules, changed=changed, notes=notes):
            lines: list[RenderableType] = []
            if changed:
                lines.append(Text(changed, style="green"))
            lines += [Text(note, style="yellow") for note in notes]
            if not schedules:
                lines.append(Text("No schedules on this server."))
            for item in schedules:
                state = " (paused)" if item.paused else ""
                lines.append(Text(f"  {item.id}) {describe(item)}{state}"))
            return Group(*lines)
    return None
