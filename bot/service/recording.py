"""What a game transition's events mean for the store: a pure mapping.

The service announces nothing before its record is committed, but not every
record announces something: a point and a game's result are announced by their
events, so they are written first; the question history and the misses (stats
only) are not, so they are written behind, without holding up the channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.events import (
    AnswerAccepted,
    Event,
    GameEnded,
    GameStarted,
    QuestionAsked,
    QuestionRevealed,
)
from bot.domain.game import TriviaGame
from bot.domain.records import (
    AnswerRecord,
    GameRecord,
    RunningGame,
)


@dataclass(slots=True)
class Records:
    """The store writes one transition calls for."""

    announced: list[AnswerRecord] = field(default_factory=list)
    unannounced: list[AnswerRecord] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    game: GameRecord | None = None
    started: RunningGame | None = None
    progress: int | None = None


def records_for(game: TriviaGame, events: Sequence[Event], *, at: datetime) -> Records:
    records = Records()
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
