"""What the replica tests check after the games: every point announced is in the database
once, and the database's totals agree with a recount of its own answer log."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import Counter
from dataclasses import dataclass

from tests.platforms.slack.fake import ApiCall, FakeSlack
from tests.platforms.slack.replicas.harness import WORDS, Cluster

ANNOUNCED = re.compile(r"got it with “(\w+)”: \+(\d+)")


def question_word(text: str) -> str | None:
    found = [word for word in WORDS if f"type the word {word}" in text]
    return found[0] if len(found) == 1 else None


def shown_texts(slack: FakeSlack, team: str) -> list[str]:
    """The text of every message the bot shows in ``team`` now, each once: a point is
    announced by its question's reveal (an edit, shown again by whoever carries a game on)."""
    ws = slack.installs.workspaces[team]
    bot = ws.identity.bot_user_id
    return [
        m.text
        for messages in ws.messages.values()
        for m in messages
        if m.user == bot and not m.deleted
    ]


def announced_points(slack: FakeSlack, team: str) -> int:
    """The points the bot announced in ``team`` (each reveal naming a scorer)."""
    total = 0
    for text in shown_texts(slack, team):
        for _, points in ANNOUNCED.findall(text):
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


class CallTimes:
    """When each Web API call reached the fake (this process's monotonic clock), noted by a
    watcher the fake wakes on every call it records; ``cards`` and ``reveals`` read them."""

    def __init__(self, slack: FakeSlack) -> None:
        self._slack = slack
        self.at: list[float] = []
        self._task: asyncio.Task[None] | None = None
        self._read = 0  # calls read so far
        self._cards: dict[str, list[_Card]] = {}
        self._open: dict[tuple[str, str], list[_Card]] = {}

    async def __aenter__(self) -> CallTimes:
        self._task = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._stamp()

    def _stamp(self) -> None:
        now = time.monotonic()
        self.at.extend([now] * (len(self._slack.calls) - len(self.at)))

    async def _watch(self) -> None:
        while True:
            with contextlib.suppress(AssertionError, TimeoutError):
                await self._slack.wait_until(self._unstamped, timeout=3600)
            self._stamp()

    def _unstamped(self) -> bool | None:
        return True if len(self._slack.calls) > len(self.at) else None

    def questions(self, team: str) -> list[Asked]:
        """Every question card posted in ``team``, with when its reveal came (None: never).

        Each call is read once, as it comes (the test asks many times a second, and a
        scan of every call each time would hold the event loop, and so the replicas'
        log pipes, for seconds once there are thousands)."""
        self._stamp()
        calls = self._slack.calls
        for index in range(self._read, len(calls)):
            self._note(index, calls[index])
        self._read = len(calls)
        return [card.asked() for card in self._cards.get(team, [])]

    def _note(self, index: int, call: ApiCall) -> None:
        if call.error or call.method not in ("chat.update", "chat.postMessage"):
            return
        team, text = str(call.team_id), str(call.args.get("text", ""))
        for word in REVEALED.findall(text):  # this call shows the answer of `word`'s cards
            for card in self._open.pop((team, word), []):
                card.revealed = self.at[index]
        if call.method != "chat.postMessage" or not text.startswith("Question "):
            return
        word = question_word(text)
        if word is None or self._open.get((team, word)):
            return  # not a question, or one still open posted again by its next owner
        number = int(text.removeprefix("Question ").partition("/")[0])
        card = _Card(team, number, word, self.at[index])
        self._cards.setdefault(team, []).append(card)
        if f"The answer: *{word}*" in text:
            card.revealed = self.at[index]
        else:
            self._open.setdefault((team, word), []).append(card)


REVEALED = re.compile(r"The answer: \*(\w+)\*")


@dataclass
class _Card:
    team: str
    number: int
    word: str
    posted: float
    revealed: float | None = None

    def asked(self) -> Asked:
        return Asked(self.team, self.number, self.word, self.posted, self.revealed)


@dataclass(frozen=True)
class Asked:
    team: str
    number: int
    word: str
    posted: float
    revealed: float | None

    def late_by(self, seconds: float) -> float | None:
        """How long after its deadline (its post plus ``seconds``) the answer was shown."""
        return None if self.revealed is None else self.revealed - (self.posted + seconds)


def announcements(slack: FakeSlack, team: str) -> Counter[tuple[str, str, int]]:
    """(player name, word, points) of every scorer a reveal in ``team`` names."""
    found: Counter[tuple[str, str, int]] = Counter()
    for text in shown_texts(slack, team):
        for name, word, points in ANNOUNCED_BY.findall(text):
            found[(name, word, int(points))] += 1
    return found


ANNOUNCED_BY = re.compile(r"\*(\S+)\* got it with “(\w+)”: \+(\d+)")


async def recorded(cl: Cluster, team: str) -> Counter[tuple[str, str, int]]:
    """(player name, word, points) of every scored answer the database holds for ``team``."""
    rows = await cl.fetch(
        "SELECT p.name, a.question_id, a.points FROM answers a "
        "JOIN players p ON p.id = a.player_id JOIN servers s ON s.id = p.server_id "
        "WHERE s.server = $1 AND a.correct = 1",
        team,
    )
    return Counter(
        (str(r[0]), WORDS[int(str(r[1]).removeprefix("echo-")) - 1], int(r[2])) for r in rows
    )
