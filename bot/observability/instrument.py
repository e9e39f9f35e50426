"""Feeding the metrics from the outside: the core stays as it is.

``open_app`` wraps the adapter's sink in ``MeteredSink`` (questions asked,
answers accepted: counted from the events the service publishes), the store in
``MeteredStore`` (the time of every store call) and gives the service a
``CommandMeter`` (answers received and how long each took to handle).  Games
running are read from the service at scrape time (``Metrics.watch_games``).

``counting_rate_limit_warnings`` counts rate-limit hits of an SDK that only
says so in a log line (discord.py), whatever the configured log level.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Final, TypeVar

from bot.domain.commands import Command, PickChoice, SubmitAnswer
from bot.domain.daily import Season
from bot.domain.events import AnswerAccepted, Event, QuestionAsked
from bot.domain.model import ChannelKey, PlayerKey, Question, ServerKey, ServerSettings
from bot.domain.records import (
    AnswerRecord,
    GameRecord,
    LeaderboardRow,
    Period,
    PlayerStats,
    QuestionHistory,
    QuestionReport,
    ReportDraft,
    Resolution,
    RunningGame,
    Switch,
    SwitchedOff,
    UnfinishedGame,
)
from bot.domain.snapshot import GameSnapshot
from bot.observability.metrics import Metrics
from bot.ports import (
    EventSink,
    TriviaStore,
)

T = TypeVar("T")

#: discord.py's words when a 429 arrives (discord/http.py, both the retried and
#: the too-long-to-wait case); the "global rate limit" line follows one of them.
DISCORD_RATE_LIMITED: Final = "We are being rate limited."
#: discord.py's words when a webhook call (an interaction's follow-ups, which a game
#: started by a slash command speaks through) gets a 429 (discord/webhook/async_.py).
DISCORD_WEBHOOK_RATE_LIMITED: Final = "Webhook ID %s is rate limited."


class MeteredSink:
    """An ``EventSink`` that counts questions asked and answers accepted, then delegates."""

    def __init__(self, sink: EventSink, metrics: Metrics) -> None:
        self._sink = sink
        self._asked = metrics.questions_asked
        self._accepted = metrics.answers_accepted

    async def publish(self, event: Event) -> None:
        match event:
            case QuestionAsked():
                self._asked.inc()
            case AnswerAccepted():
                self._accepted.inc()
        await self._sink.publish(event)


class CommandMeter:
    """``TriviaService``'s observer: counts answers and times how long each took."""

    def __init__(self, metrics: Metrics) -> None:
        self._received = metrics.answers_received
        self._seconds = metrics.answer_seconds

    def handled(self, command: Command, seconds: float) -> None:
        if isinstance(command, SubmitAnswer | PickChoice):
            self._received.inc()
            self._seconds.observe(seconds)


class MeteredStore:
    """A ``TriviaStore`` that times every call (``trivia_db_operation_seconds``,
    labelled with the method's name) and counts those that raise.

    Each method delegates explicitly, so the wrapper is checked against the
    protocol like any store.  ``close`` is not timed: it is not an operation
    anyone waits on while the bot serves.
    """

    def __init__(self, store: TriviaStore, metrics: Metrics) -> None:
        self._store = store
        self._seconds = metrics.db_seconds
        self._errors = metrics.db_errors

    async def _timed(self, operation: str, call: Awaitable[T]) -> T:
        started = time.perf_counter()
        try:
            return await call
        except Exception:
            self._errors.labels(operation=operation).inc()
            raise
        finally:
            self._seconds.labels(operation=operation).observe(time.perf_counter() - started)

    # -- ScoreStore ----------------------------------------------------------------------

    async def record_answers(self, answers: Sequence[AnswerRecord]) -> None:
        await self._timed("record_answers", self._store.record_answers(answers))

    async def record_game(self, game: GameRecord) -> None:
        await self._timed("record_game", self._store.record_game(game))

    async def leaderboard(
        self, server: ServerKey, period: Period, *, now: datetime, limit: int = 10
    ) -> list[LeaderboardRow]:
        call = self._store.leaderboard(server, period, now=now, limit=limit)
        return await self._timed("leaderboard", call)

    async def season_leaderboard(
        self, server: ServerKey, season: Season, *, limit: int = 10
    ) -> list[LeaderboardRow]:
        call = self._store.season_leaderboard(server, season, limit=limit)
        return await self._timed("season_leaderboard", call)

    async def player_stats(self, player: PlayerKey) -> PlayerStats | None:
        return await self._timed("player_stats", self._store.player_stats(player))

    async def find_players(self, server: ServerKey, name: str) -> list[PlayerKey]:
        return await self._timed("find_players", self._store.find_players(server, name))

    async def asked_questions(self, server: ServerKey, question_ids: Collection[str]) -> set[str]:
        call = self._store.asked_questions(server, question_ids)
        return await self._timed("asked_questions", call)

    async def mark_asked(
        self, server: ServerKey, question_ids: Sequence[str], *, at: datetime
    ) -> None:
        await self._timed("mark_asked", self._store.mark_asked(server, question_ids, at=at))

    async def forget_asked(self, server: ServerKey, question_ids: Collection[str]) -> None:
        await self._timed("forget_asked", self._store.forget_asked(server, question_ids))

    async def close(self) -> None:
        await self._store.close()

    # -- CustomQuestionStore -------------------------------------------------------------

    async def custom_questions(self, server: ServerKey) -> list[Question]:
        return await self._timed("custom_questions", self._store.custom_questions(server))

    async def save_custom_question(
        self, server: ServerKey, question: Question, *, by: PlayerKey, at: datetime
    ) -> None:
        call = self._store.save_custom_question(server, question, by=by, at=at)
        await self._timed("save_custom_question", call)

    async def delete_custom_question(
        self, server: ServerKey, question_id: str, *, by: PlayerKey, at: datetime
    ) -> bool:
        call = self._store.delete_custom_question(server, question_id, by=by, at=at)
        return await self._timed("delete_custom_question", call)

    async def question_history(self, server: ServerKey) -> dict[str, QuestionHistory]:
        return await self._timed("question_history", self._store.question_history(server))

    async def switched_off(self, server: ServerKey) -> SwitchedOff:
        return await self._timed("switched_off", self._store.switched_off(server))

    async def switch(
        self, server: ServerKey, kind: Switch, name: str, *, on: bool, by: PlayerKey, at: datetime
    ) -> None:
        await self._timed("switch", self._store.switch(server, kind, name, on=on, by=by, at=at))

    # -- ReportStore ---------------------------------------------------------------------

    async def file_report(self, draft: ReportDraft) -> QuestionReport:
        return await self._timed("file_report", self._store.file_report(draft))

    async def open_reports(
        self,
        server: ServerKey,
        *,
        question_id: str | None = None,
        reporter: PlayerKey | None = None,
        limit: int = 25,
    ) -> list[QuestionReport]:
        call = self._store.open_reports(
            server, question_id=question_id, reporter=reporter, limit=limit
        )
        return await self._timed("open_reports", call)

    async def count_open_reports(
        self, server: ServerKey, *, reporter: PlayerKey | None = None
    ) -> int:
        call = self._store.count_open_reports(server, reporter=reporter)
        return await self._timed("count_open_reports", call)

    async def get_report(self, server: ServerKey, report_id: int) -> QuestionReport | None:
        return await self._timed("get_report", self._store.get_report(server, report_id))

    async def resolve_reports(
        self,
        server: ServerKey,
        report_ids: Collection[int],
        resolution: Resolution,
        *,
        by: PlayerKey,
        at: datetime,
    ) -> None:
        call = self._store.resolve_reports(server, report_ids, resolution, by=by, at=at)
        await self._timed("resolve_reports", call)

    # -- SettingsStore -------------------------------------------------------------------

    async def server_settings(self, server: ServerKey) -> ServerSettings:
        return await self._timed("server_settings", self._store.server_settings(server))

    async def save_server_settings(
        self, server: ServerKey, settings: ServerSettings, *, by: PlayerKey, at: datetime
    ) -> None:
        call = self._store.save_server_settings(server, settings, by=by, at=at)
        await self._timed("save_server_settings", call)

    # -- GameJournal ---------------------------------------------------------------------

    async def journal_game(self, game: RunningGame) -> None:
        await self._timed("journal_game", self._store.journal_game(game))

    async def journal_progress(
        self, game_id: str, questions_asked: int, server: ServerKey | None = None
    ) -> None:
        call = self._store.journal_progress(game_id, questions_asked, server)
        await self._timed("journal_progress", call)

    async def save_game_state(
        self, snapshot: GameSnapshot, seq: int, answers: Sequence[AnswerRecord] = ()
    ) -> None:
        call = self._store.save_game_state(snapshot, seq, answers)
        await self._timed("save_game_state", call)

    async def note_question_message(self, channel: ChannelKey, game_id: str, ref: str) -> None:
        call = self._store.note_question_message(channel, game_id, ref)
        await self._timed("note_question_message", call)

    async def unfinished_games(self, platform: str) -> list[UnfinishedGame]:
        return await self._timed("unfinished_games", self._store.unfinished_games(platform))


class _RateLimitFilter(logging.Filter):
    def __init__(self, on_hit: Callable[[], None], *, prefix: str, shown_from: int) -> None:
        super().__init__()
        self._on_hit = on_hit
        self._prefix = prefix
        self._shown_from = shown_from

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and str(record.msg).startswith(self._prefix):
            self._on_hit()
        # Counted whatever the log level; shown only if the level asked for it.
        return record.levelno >= self._shown_from


@contextmanager
def counting_rate_limit_warnings(
    on_hit: Callable[[], None],
    *,
    logger: str = "discord.http",
    prefix: str = DISCORD_RATE_LIMITED,
) -> Iterator[None]:
    """Call ``on_hit`` for each WARNING of ``logger`` starting with ``prefix``, while inside.

    A logger's filters only see records its level lets through, so the logger
    is lowered to WARNING meanwhile (if it was higher) and the filter drops
    what the configured level would not have shown.  Filters are per process:
    two bots counting the same logger in one process would each count both.
    """
    target = logging.getLogger(logger)
    saved = target.level
    shown_from = target.getEffectiveLevel()
    counter = _RateLimitFilter(on_hit, prefix=prefix, shown_from=shown_from)
    if shown_from > logging.WARNING:
        target.setLevel(logging.WARNING)
    target.addFilter(counter)
    try:
        yield
    finally:
        target.removeFilter(counter)
        target.setLevel(saved)
