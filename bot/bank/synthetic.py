"""Generated banks of any size, for the loading benchmark and tests.

The questions are nonsense but valid and varied: every type, difficulty and
optional field appears, in the proportions a real bank might have, so that
timing them measures what loading a real bank of that size costs.
"""

from __future__ import annotations

import json
import random

_TOPICS = ("rivers", "comets", "operas", "bridges", "mosses", "engines", "glaciers", "ciphers")
_WORDS = (
    "amber",
    "basalt",
    "cobalt",
    "delta",
    "ember",
    "fjord",
    "garnet",
    "harbor",
    "indigo",
    "juniper",
    "kelvin",
    "lagoon",
    "meridian",
    "nimbus",
    "obsidian",
    "prism",
    "quartz",
    "rapids",
    "sierra",
    "tundra",
    "umber",
    "vertex",
    "willow",
    "zephyr",
)


def _quote(text: str) -> str:
    # JSON strings are valid YAML double-quoted scalars.
    return json.dumps(text, ensure_ascii=False)


def synthetic_bank_text(count: int, *, seed: int = 0) -> str:
    """A valid bank file of ``count`` distinct questions, the same for the same seed."""
    rng = random.Random(seed)
    lines = [
        "# yaml-language-server: $schema=./bank.schema.json",
        "format: 1",
        f"id: synthetic-{seed}",
        f"title: Synthetic bank of {count} questions",
        "description: Generated questions for benchmarks and tests.",
        "language: en",
        "licence: CC0-1.0",
        "author: trivia-bot",
        "source: {title: Nowhere, date: 2025-01-01}",
        "defaults: {category: synthetic, difficulty: medium}",
        "questions:",
    ]
    for number in range(count):
        topic = rng.choice(_TOPICS)
        word = rng.choice(_WORDS)
        kind = ("text", "text", "choice", "boolean", "number")[number % 5]
        lines.append(f"  - id: q-{seed}-{number}")
        prompt = f"In the study of {topic}, what follows {word} in series {number}?"
        lines.append(f"    prompt: {_quote(prompt)}")
        if kind == "text":
            lines.append(f"    answers: [{word} {number}, {word}-{number}]")
        elif kind == "choice":
            options = [f"{rng.choice(_WORDS)} {number}-{letter}" for letter in "abcd"]
            lines.append("    type: choice")
            lines.append(f"    answers: [{options[rng.randrange(4)]}]")
            lines.append(f"    choices: [{', '.join(options)}]")
        elif kind == "boolean":
            lines.append("    type: boolean")
            lines.append(f"    answers: [{rng.choice(('yes', 'no', 'true', 'false'))}]")
        else:
            lines.append("    type: number")
            lines.append(f"    answers: [{_quote(f'{rng.randrange(1, 100_000):,}')}]")
        lines.append(f"    difficulty: {rng.choice(('easy', 'medium', 'hard'))}")
        if number % 3 == 0:
            lines.append(f"    category: {topic}")
        lines.append(f"    tags: [{topic}, {word}]")
        if number % 2 == 0:
            lines.append(f"    hints: [It starts with {word[0]}., It has {len(word)} letters.]")
        explanation = f"Series {number} of {topic} goes on with {word}."
        lines.append(f"    explanation: {_quote(explanation)}")
        lines.append(f"    source: {{paragraph: {number % 9 + 1}, context: {word} {topic}}}")
    return "\n".join(lines) + "\n"
