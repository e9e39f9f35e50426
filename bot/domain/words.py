"""Counting words: pure text helpers every layer may use (the bank's messages,
the renderers, the command line)."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 question", "2 questions", "5,000 questions": ``word`` takes an s (or
    becomes ``many``, for words such as "entry") unless there is one."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"
