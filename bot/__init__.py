"""trivia-bot: one async trivia engine, played in Discord, Slack and the terminal."""

__version__ = "0.1.0"
