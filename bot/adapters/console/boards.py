"""Tables the console and the command line print, and what makes text safe to print.

``render`` and ``render_scheduled`` both show leaderboards; they live here so that both
use one table (a season's, a period's, the daily questions').
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from bot.domain.daily import Season
from bot.domain.records import LeaderboardRow, Period

# C0 and C1 controls but tab and newline, lone surrogates (they cannot be
# written as UTF-8 at all), and the bidi embeddings, overrides and isolates
# that reorder what a terminal shows ("Trojan Source").
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on written as an escape."""
    return _TERMINAL_UNSAFE.sub(
        lambda found: found.group().encode("unicode_escape", "backslashreplace").decode(), text
    )


def leaderboard_table(
    rows: Sequence[LeaderboardRow],
    period: Period,
    *,
    season: Season | None = None,
    daily: bool = False,
) -> RenderableType:
    """The board of ``period``, or of ``season``; ``daily``: the daily questions' only."""
    when = f"season {season.label}" if season is not None else period.label
    if not rows:
        what = "daily-question scores" if daily else "scores"
        return Text(f"No {what} {'in ' if season is not None else ''}{when} yet.")
    title = f"Daily questions, {when}" if daily else f"Leaderboard, {when}"
    table = Table("#", "Player", "Points", "Correct", title=title)
    for row in rows:
        name = Text(terminal_safe(row.name))  # also called directly, by the CLI
        table.add_row(str(row.rank), name, str(row.points), str(row.correct))
    return table
