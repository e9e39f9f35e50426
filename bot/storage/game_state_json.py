"""A running game's state as JSON, the way every backend keeps it in its journal.

The body carries a version, like every stored JSON body: a process of a later
trivia-bot must still carry on a game an older one saved during a rolling
upgrade.  Moments are integers (microseconds since the Unix epoch, UTC) and
players are written in full, so the body reads back without any context.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain.awards import Award, Points
from bot.domain.model import Actor, ChannelKey, GameMode, GameOptions, PlayerKey
from bot.domain.snapshot import GameSnapshot, PlayerState, RoundState
from bot.storage.records_json import question_body, question_from_body

VERSION = 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class GameStateError(ValueError):
    """A saved game's state this trivia-bot cannot read."""


def snapshot_to_json(snapshot: GameSnapshot) -> str:
    body = {
        "v": VERSION,
        "game_id": snapshot.game_id,
        "channel": [snapshot.channel.platform, snapshot.channel.server, snapshot.channel.channel],
        "options": _options_body(snapshot.options),
        "started_by": _actor_body(snapshot.started_by),
        "questions": [question_body(q) for q in snapshot.questions],
        "phase": snapshot.phase,
        "round": _round_body(snapshot.round) if snapshot.round is not None else None,
        "next_at": _us(snapshot.next_at),
        "idle": snapshot.idle,
        "started_at": _us(snapshot.started_at),
        "players": [_player_body(p) for p in snapshot.players],
        "taken_at": _us(snapshot.taken_at),
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def snapshot_from_json(text: str) -> GameSnapshot:
    """The snapshot ``snapshot_to_json`` wrote; GameStateError if it cannot be read."""
    try:
        body = json.loads(text)
        version = body.get("v") if isinstance(body, dict) else None
        if version != VERSION:
            raise GameStateError(f"game state version {version!r} is not {VERSION}")
        round_ = body["round"]
        return GameSnapshot(
            game_id=body["game_id"],
            channel=ChannelKey(*body["channel"]),
            options=_options(body["options"]),
            started_by=_actor(body["started_by"]),
            questions=tuple(question_from_body(q) for q in body["questions"]),
            phase=body["phase"],
            round=_round(round_) if round_ is not None else None,
            next_at=_wall(body["next_at"]),
            idle=body["idle"],
            started_at=_wall(body["started_at"]),
            players=tuple(_player(p) for p in body["players"]),
            taken_at=_required_wall(body["taken_at"]),
        )
    except GameStateError:
        raise
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise GameStateError(f"unreadable game state: {error!r}") from error


# -- pieces --------------------------------------------------------------------------


def _us(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - _EPOCH) // timedelta(microseconds=1)


def _wall(us: int | None) -> datetime | None:
    return None if us is None else _EPOCH + timedelta(microseconds=us)


def _required_wall(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _key(key: PlayerKey) -> list[str]:
    return [key.platform, key.server, key.user]


def _options_body(options: GameOptions) -> dict[str, Any]:
    return {
        "rounds": options.rounds,
        "seconds": options.seconds,
        "mode": options.mode.value,
        "category": options.category,
        "tags": list(options.tags),
        "pause": options.pause,
        "auto_hints": options.auto_hints,
        "max_idle_questions": options.max_idle_questions,
        "solo": options.solo,
    }


def _options(body: dict[str, Any]) -> GameOptions:
    return GameOptions(
        rounds=body["rounds"],
        seconds=body["seconds"],
        mode=GameMode(body["mode"]),
        category=body["category"],
        tags=tuple(body["tags"]),
        pause=body["pause"],
        auto_hints=body["auto_hints"],
        max_idle_questions=body["max_idle_questions"],
        solo=body["solo"],
    )


def _actor_body(actor: Actor) -> dict[str, Any]:
    return {
        "key": _key(actor.key),
        "name": actor.name,
        "admin": actor.is_admin,
        "roles": sorted(actor.roles),
    }


def _actor(body: dict[str, Any]) -> Actor:
    return Actor(PlayerKey(*body["key"]), body["name"], body["admin"], frozenset(body["roles"]))


def _award_body(award: Award) -> dict[str, Any]:
    p = award.points
    return {
        "player": _key(award.player),
        "name": award.name,
        "guess": award.guess,
        "points": [p.base, p.speed_bonus, p.streak_bonus, p.hint_penalty, p.total],
        "answer_ms": award.answer_ms,
        "streak": award.streak,
    }


def _award(body: dict[str, Any]) -> Award:
    return Award(
        player=PlayerKey(*body["player"]),
        name=body["name"],
        guess=body["guess"],
        points=Points(*body["points"]),
        answer_ms=body["answer_ms"],
        streak=body["streak"],
    )


def _round_body(state: RoundState) -> dict[str, Any]:
    return {
        "number": state.number,
        "asked_at": _us(state.asked_at),
        "deadline": _us(state.deadline),
        "hint_times": [_us(t) for t in state.hint_times],
        "hints_shown": state.hints_shown,
        "tried": [[_key(key), ms] for key, ms in state.tried],
        "locked_out": [_key(key) for key in state.locked_out],
        "picks": [[_key(key), choice, ms] for key, choice, ms in state.picks],
        "awards": [_award_body(a) for a in state.awards],
    }


def _round(body: dict[str, Any]) -> RoundState:
    return RoundState(
        number=body["number"],
        asked_at=_required_wall(body["asked_at"]),
        deadline=_required_wall(body["deadline"]),
        hint_times=tuple(_required_wall(t) for t in body["hint_times"]),
        hints_shown=body["hints_shown"],
        tried=tuple((PlayerKey(*key), ms) for key, ms in body["tried"]),
        locked_out=tuple(PlayerKey(*key) for key in body["locked_out"]),
        picks=tuple((PlayerKey(*key), choice, ms) for key, choice, ms in body["picks"]),
        awards=tuple(_award(a) for a in body["awards"]),
    )


def _player_body(player: PlayerState) -> dict[str, Any]:
    return {
        "key": _key(player.key),
        "name": player.name,
        "points": player.points,
        "correct": player.correct,
        "streak": player.streak,
        "scored_at": _us(player.scored_at),
    }


def _player(body: dict[str, Any]) -> PlayerState:
    return PlayerState(
        key=PlayerKey(*body["key"]),
        name=body["name"],
        points=body["points"],
        correct=body["correct"],
        streak=body["streak"],
        scored_at=_wall(body["scored_at"]),
    )
