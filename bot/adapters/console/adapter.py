"""Play trivia in a terminal: lines from stdin in, events printed out.

The console is one player on one local "server" and channel.  Like every
adapter it only translates: ``parse_line`` turns a line into a command, and
``render_console.render`` turns an event into text.  When stdin is not a
terminal, lines are read one by one and each answer waits for a question to
be open, so a script that pipes one answer per question plays a whole game.
End of input stops the game (its standings are still recorded).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import TextIO

from rich.console import Console

from bot.adapters.console.render import render
from bot.domain.commands import (
    Command,
    ReportQuestion,
    RequestHint,
    ShowScore,
    SkipQuestion,
    StopGame,
    SubmitAnswer,
)
from bot.domain.events import Event, GameEnded, QuestionAsked, QuestionRevealed
from bot.domain.model import Actor, ChannelKey, PlayerKey
from bot.domain.records import ReportKind

PLATFORM = "console"
SERVER = "local"
CHANNEL = ChannelKey(PLATFORM, SERVER, "terminal")

HELP = (
    "Type your answer and press Enter. For choices, type the number or letter.\n"
    "/hint  next hint (costs points)    /skip  skip this question\n"
    "/score scores so far               /stop  end the game (scores are kept)\n"
    "/report [unclear] [why]  flag the last question as wrong (or unclear)"
)


class ConsoleHelp:
    """The local /help command: nothing for the service to do."""


ConsoleInput = Command | ConsoleHelp


def console_actor(name: str) -> Actor:
    # The person at the terminal owns the local game, so they count as admin.
    return Actor(key=PlayerKey(PLATFORM, SERVER, name), name=name, is_admin=True)


def parse_line(line: str, actor: Actor) -> ConsoleInput | None:
    """One line of input -> a command; None for a blank line."""
    text = line.strip()
    if not text:
        return None
    match text.lower():
        case "/hint":
            return RequestHint(channel=CHANNEL, actor=actor)
        case "/skip":
            return SkipQuestion(channel=CHANNEL, actor=actor)
        case "/score" | "/scores":
            return ShowScore(channel=CHANNEL, actor=actor)
        case "/stop" | "/quit" | "/exit":
            return StopGame(channel=CHANNEL, actor=actor)
        case "/help" | "/?":
            return ConsoleHelp()
    head, _, rest = text.partition(" ")
    if head.lower() == "/report":
        return _report(rest.strip(), actor)
    return SubmitAnswer(channel=CHANNEL, actor=actor, text=text)


def _report(text: str, actor: Actor) -> ReportQuestion:
    """``/report [wrong|unclear] [why]``: the kind is optional and defaults to wrong."""
    word, _, rest = text.partition(" ")
    if word.lower() in {kind.value for kind in ReportKind}:
        return ReportQuestion(CHANNEL, actor, ReportKind(word.lower()), rest.strip())
    return ReportQuestion(CHANNEL, actor, ReportKind.WRONG, text)


class ConsoleAdapter:
    """Reads a player's lines, prints the game's events."""

    def __init__(
        self,
        *,
        actor: Actor,
        console: Console | None = None,
        stdin: TextIO | None = None,
    ) -> None:
        self.actor = actor
        self.console = console or Console(highlight=False)
        self._stdin = stdin or sys.stdin
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._question_open = asyncio.Event()
        self._ended = asyncio.Event()
        self._reader: threading.Thread | None = None

    # -- EventSink ------------------------------------------------------------------

    async def publish(self, event: Event) -> None:
        match event:
            case QuestionAsked():
                self._question_open.set()
            case QuestionRevealed():
                self._question_open.clear()
            case GameEnded():
                self._question_open.clear()
                self._ended.set()
        renderable = render(event)
        if renderable is not None:
            self.console.print(renderable)

    # -- input ----------------------------------------------------------------------

    def connect(self) -> None:
        """Start reading stdin on a daemon thread (a blocked read never holds up exit)."""
        loop = asyncio.get_running_loop()

        def read() -> None:
            for line in self._stdin:
                loop.call_soon_threadsafe(self._lines.put_nowait, line)
            loop.call_soon_threadsafe(self._lines.put_nowait, None)

        self._reader = threading.Thread(target=read, name="console-stdin", daemon=True)
        self._reader.start()

    async def listen(self, handle: Callable[[Command], Awaitable[None]]) -> None:
        """Feed commands to ``handle`` until the game ends; EOF stops the game."""
        ended = asyncio.create_task(self._ended.wait(), name="console-ended")
        try:
            while not self._ended.is_set():
                getter = asyncio.create_task(self._lines.get(), name="console-line")
                done, _ = await asyncio.wait({getter, ended}, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    break
                line = getter.result()
                if line is None:
                    await handle(StopGame(channel=CHANNEL, actor=self.actor))
                    break
                command = parse_line(line, self.actor)
                if command is None:
                    continue
                if isinstance(command, ConsoleHelp):
                    self.console.print(HELP, style="dim")
                    continue
                # Answers, hints and skips belong to a question: wait for one.
                needs_question = isinstance(command, SubmitAnswer | RequestHint | SkipQuestion)
                if needs_question and not await self._wait_for_question(ended):
                    break
                await handle(command)
        finally:
            ended.cancel()

    async def _wait_for_question(self, ended: asyncio.Task[bool]) -> bool:
        if self._question_open.is_set():
            return True
        opened = asyncio.create_task(self._question_open.wait(), name="console-question")
        done, _ = await asyncio.wait({opened, ended}, return_when=asyncio.FIRST_COMPLETED)
        if opened not in done:
            opened.cancel()
            return False
        return True
