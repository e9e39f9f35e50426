"""``trivia-bot play``: one game in the terminal, through the same lifecycle as the bots.

Ctrl-C (or SIGTERM) ends the game the way a bot's shutdown does: it is
recorded with its standings, which are shown.  A game a crash cut short is
ended and shown first (``TriviaService.recover``).
"""

from __future__ import annotations

import io
import random
import sys

from rich.console import Console

from bot.adapters.console.adapter import ConsoleAdapter
from bot.adapters.console.inbound import console_actor
from bot.app.lifecycle import run_until_stopped
from bot.config import Settings
from bot.storage.location import masked


async def play_in_terminal(
    settings: Settings, *, name: str, seed: int | None, console: Console
) -> int:
    """Play one game as ``name``; 0 once it has ended, 1 if it could not start."""
    stdin = sys.stdin
    if isinstance(stdin, io.TextIOWrapper):
        # A line that is not UTF-8 is a wrong answer, not the death of the reader.
        stdin.reconfigure(errors="replace")
    adapter = ConsoleAdapter(actor=console_actor(name), console=console, stdin=stdin)
    rng = random.Random(seed) if seed is not None else None
    code = await run_until_stopped(settings, adapter, rng=rng)
    if code == 0:
        console.print(f"Scores are saved in {masked(settings.db)}", style="dim")
    return code
