"""What the replica tests check after the games: every point announced is in the database
once, and the database's totals agree with a recount of its own answer log."""

from __future__ import annotations

import re
from collections import Counter

from tests.platforms.slack.fake import FakeSlack
from tests.platforms.slack.replicas.harness import WORDS, Cluster

ANNOUNCED = re.compile(r"got it with “(\w+)”: \+(\d+)")


def question_word(text: str) -> str | None:
    found = [word for word in WORDS if f"type the word {word}" in text]
    return found[0] if len(found) == 1 else None


def announced_points(slack: FakeSlack, team: str) -> int:
    """The points the bot announced in ``team`` (each "got it" post, every replica's)."""
    total = 0
    for call in slack.calls_to("chat.postMessage"):
        if call.team_id == team and call.error is None:
            for _, points in ANNOUNCED.findall(str(call.args.get("text", ""))):
                total += int(points)
    return total


async def scored(cl: Cluster, team: str) -> dict[str, int]:
    """``answers``: points in the answer log; ``totals``: the players' maintained totals;
    ``twice``: questions of a game scored more than once."""
    answers = await cl.fetchval(
        "SELECT coalesce(sum(a.points), 0) FROM answers a JOIN players p ON p.id = a.player_id "
        "JOIN servers s ON s.id = p.server_id WHERE s.platform = 'slack' AND s.server = $1",
        team,
    )
    totals = await cl.fetchval(
        "SELECT coalesce(sum(p.points), 0) FROM players p JOIN servers s ON s.id = p.server_id "
        "WHERE s.platform = 'slack' AND s.server = $1",
        team,
    )
    rows = await cl.fetch(
        "SELECT a.game_id, a.question_id FROM answers a JOIN players p ON p.id = a.player_id "
        "JOIN servers s ON s.id = p.server_id "
        "WHERE s.server = $1 AND a.correct = 1",
        team,
    )
    twice = sum(1 for n in Counter((r[0], r[1]) for r in rows).values() if n > 1)
    return {"answers": int(answers), "totals": int(totals), "twice": twice}
