"""The ``trivia-bot`` command line: one module per group of commands."""

from bot.cli.main import main

__all__ = ["main"]
