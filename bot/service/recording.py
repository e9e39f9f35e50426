"""What a game transition's events mean for the store, and writing it in that order.

The service announces nothing before its record is committed, but not every
record announces something: a point and a game's result are announced by their
events, so they are written first; the question history and the misses (stats
only) are not, so they are written behind, without holding up the channel.
"""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.events import (
    AnswerAccepted,
    Event,
    GameEnded,
    GameStarted,
    QuestionAsked,
    QuestionRevealed,
)
from bot.domain.game import TriviaGame
from bot.domain.model import ServerKey
from bot.domain.records import (
    AnswerRecord,
    GameRecord,
    RunningGame,
)
from bot.domain.snapshot import GameSnapshot
from bot.ports import GameJournal, ScoreStore


@dataclass(slots=True)
class Records:
    """The store writes one transition of game ``game_id`` calls for."""

    game_id: str
    announced: list[AnswerRecord] = field(default_factory=list)
    unannounced: list[AnswerRecord] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    game: GameRecord | None = None
    started: RunningGame | None = None
    progress: int | None = None
    #: The game's state after the transition, to save (``carry_over``), and its number.
    state: GameSnapshot | None = None
    state_seq: int = 0

    async def commit_announced(self, store: ScoreStore, journal: GameJournal | None) -> None:
        """Write what the transition's events will announce (the game's start in the
        journal, points with the misses of the same moment, the game's result); returns
        once it is committed, so that it can be announced."""
        if self.started is not None and journal is not None:
            # Journaled before anyone is told, so a crash cannot orphan it.
            await journal.journal_game(self.started)
        if self.state is not None and journal is not None:
            # The state the events will show is saved before they are shown, with the
            # points and misses of the same moment: saved state and committed points
            # always agree, and whoever carries the game on after a crash starts from
            # what its channel last saw, not from before it (which would reveal a
            # question twice, or ask one again and leave its first message open).
            await journal.save_game_state(
                self.state, self.state_seq, self.announced + self.unannounced
            )
        elif self.announced:
            # Misses of the same transition ride along in the same transaction.
            await store.record_answers(self.announced + self.unannounced)
        if self.game is not None:
            await store.record_game(self.game)

    def behind(
        self, store: ScoreStore, journal: GameJournal | None, *, server: ServerKey, at: datetime
    ) -> list[Coroutine[Any, Any, None]]:
        """The writes that announce nothing (misses alone, the asked history, progress)."""
        writes: list[Coroutine[Any, Any, None]] = []
        saved = self.state is not None and journal is not None  # with the announced
        if not self.announced and not saved and self.unannounced:
            writes.append(store.record_answers(self.unannounced))
        if self.asked:
            writes.append(store.mark_asked(server, self.asked, at=at))
        if self.progress is not None and self.game is None and journal is not None:
            writes.append(journal.journal_progress(self.game_id, self.progress, server))
        return writes


def records_for(game: TriviaGame, events: Sequence[Event], *, at: datetime) -> Records:
    records = Records(game.game_id)
    for event in events:
        match event:
            case AnswerAccepted(award=award, question_id=question_id):
                records.announced.append(
                    AnswerRecord(
                        player=award.player,
                        name=award.name,
                        channel=game.channel,
                        game_id=game.game_id,
                        question_id=question_id,
                        correct=True,
                        points=award.points.total,
                        answer_ms=award.answer_ms,
                        streak=award.streak,
                        at=at,
                    )
                )
            case QuestionRevealed(question=question, misses=misses):
                records.unannounced.extend(
                    AnswerRecord(
                        player=miss.player,
                        name=miss.name,
                        channel=game.channel,
                        game_id=game.game_id,
                        question_id=question.id,
                        correct=False,
                        points=0,
                        answer_ms=miss.answer_ms,
                        streak=0,
                        at=at,
                    )
                    for miss in misses
                )
            case QuestionAsked(question=question, number=number):
                records.asked.append(question.id)
                records.progress = number
            case GameStarted(started_by=started_by, total_questions=total):
                records.started = RunningGame(
                    game_id=game.game_id,
                    channel=game.channel,
                    mode=game.options.mode,
                    started_at=at,
                    started_by=started_by,
                    total_questions=total,
                )
            case GameEnded():
                records.game = game_record(game, event, at=at)
            case _:
                pass
    return records


def game_record(game: TriviaGame, ended: GameEnded, *, at: datetime) -> GameRecord:
    started = game.started
    return GameRecord(
        game_id=game.game_id,
        channel=game.channel,
        mode=game.options.mode,
        started_at=started.wall if started else at,
        ended_at=at,
        reason=ended.reason.value,
        questions_asked=ended.questions_asked,
        standings=ended.standings,
        winner=ended.winner.player if ended.winner else None,
    )
