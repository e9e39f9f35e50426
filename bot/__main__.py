"""``python -m bot`` is the same as the ``trivia-bot`` command."""

from bot.cli import main

main(prog_name="trivia-bot")
