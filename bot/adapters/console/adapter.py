"""Play trivia in a terminal: lines from stdin in, events printed out.

Like every adapter it only translates: ``inbound.parse_line`` turns a line
into a command, and ``render.render`` turns an event into text.  When stdin is
not a terminal, lines are read one by one and each answer waits for a question
to be open, so a script that pipes one answer per question plays a whole game.
End of input stops the game (its standings are still recorded).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TextIO

from rich.console import Console

from bot.adapters.console.ids import CHANNEL, PLATFORM
from bot.adapters.console.inbound import HELP, ConsoleHelp, parse_line
from bot.adapters.console.render import render
from bot.domain.commands import (
    Command,
    RequestHint,
    SkipQuestion,
    StartGame,
    StopGame,
    SubmitAnswer,
)
from bot.domain.events import Event, GameEnded, GameStarted, QuestionAsked, QuestionRevealed
from bot.domain.model import Actor, ServerKey
from bot.observability.health import Health
from bot.observability.metrics import Metrics
from bot.ports import TriviaPort


class ConsoleAdapter:
    """Reads a player's lines, prints the game's events: one game, then it is done."""

    platform = PLATFORM
    observability_port = None
    resumes_games = False

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
        #: The game this terminal started: a game a crash left running is ended (and
        #: shown) first, and its end must not end this one.
        self._game_id: str | None = None
        self._reader: threading.Thread | None = None
        self._service: TriviaPort | None = None

    # -- EventSink ------------------------------------------------------------------

    async def publish(self, event: Event) -> None:
        match event:
            case GameStarted(game_id=game_id) if event.channel == CHANNEL:
                # This terminal's game (a scheduled quiz elsewhere is only shown).
                self._game_id = game_id
            case QuestionAsked():
                self._question_open.set()
            case QuestionRevealed():
                self._question_open.clear()
            case GameEnded(game_id=game_id) if game_id == self._game_id:
                self._question_open.clear()
                self._ended.set()
        renderable = render(event)
        if renderable is not None:
            self.console.print(renderable)

    # -- the adapter's lifecycle (bot.adapters.adapter) ------------------------------------

    def owns(self, server: ServerKey) -> bool:
        return True

    def bind(self, service: TriviaPort) -> None:
        self._service = service

    @contextlib.asynccontextmanager
    async def connect(self, health: Health, metrics: Metrics | None) -> AsyncIterator[None]:
        """The terminal is always there: lines are read from here on."""
        self.read_stdin()
        yield

    async def run(self) -> int:
        """Play one game to its end: 0, or 1 when it could not start (the reason is shown)."""
        if self._service is None:
            raise RuntimeError("the console adapter has no service bound")
        await self._service.handle(StartGame(channel=CHANNEL, actor=self.actor, solo=True))
        if self._service.game_in(CHANNEL) is None:
            return 1
        await self.listen(self._service.handle)
        return 0

    async def connected(self) -> bool:
        return True

    async def close(self, *, within: float | None = None) -> None:
        """Nothing is queued: every event was printed when it was published."""

    # -- input ----------------------------------------------------------------------

    def read_stdin(self) -> None:
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
