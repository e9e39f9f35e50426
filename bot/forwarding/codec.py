"""Game commands on the wire between replicas: JSON, versioned, pure.

A forwarded command is ``Forwarded``: the command, its id (the Slack delivery it
came from: an event's ``event_id``, an interaction's or slash command's
``trigger_id``, so a retry and a redelivery carry the same one) and the
``response_url`` the owner may answer its sender through.  Only the commands that
act on a running game travel (``GAME_COMMANDS``); everything else runs where it
landed.  ``decode`` raises ``BadMessage`` for anything it cannot read back into
exactly the command that was sent.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Final, TypeAlias, TypeGuard

from bot.domain.commands import (
    Command,
    PickChoice,
    RequestHint,
    ShowScore,
    SkipQuestion,
    StartGame,
    StopGame,
    SubmitAnswer,
)
from bot.domain.model import Actor, ChannelKey, GameMode, PlayerKey

VERSION: Final = 1

#: The commands that act on a channel's game: they run on the workspace's owner.
GAME_COMMANDS: Final = (
    StartGame,
    SubmitAnswer,
    PickChoice,
    RequestHint,
    SkipQuestion,
    StopGame,
    ShowScore,
)
GameCommand: TypeAlias = (
    StartGame | SubmitAnswer | PickChoice | RequestHint | SkipQuestion | StopGame | ShowScore
)


class BadMessage(ValueError):
    """Bytes that are not a forwarded command (or reply) this version can read."""


def is_game_command(command: Command) -> TypeGuard[GameCommand]:
    return isinstance(command, GAME_COMMANDS)


@dataclass(frozen=True, slots=True)
class Forwarded:
    """A game command on its way to the owner of its workspace."""

    command_id: str
    command: GameCommand
    response_url: str | None = None


@dataclass(frozen=True, slots=True)
class Applied:
    """The owner's answer: it carried the command out (``duplicate``: it had already)."""

    command_id: str
    duplicate: bool = False
    #: False: the owner does not own the workspace (any more); ask again who does.
    owner: bool = True


def _actor(actor: Actor) -> dict[str, Any]:
    key = actor.key
    return {
        "platform": key.platform,
        "server": key.server,
        "user": key.user,
        "name": actor.name,
        "is_admin": actor.is_admin,
        "roles": sorted(actor.roles),
    }


def _command(command: GameCommand) -> dict[str, Any]:
    channel = command.channel
    body: dict[str, Any] = {
        "type": type(command).__name__,
        "channel": [channel.platform, channel.server, channel.channel],
        "actor": _actor(command.actor),
    }
    match command:
        case StartGame():
            body.update(
                rounds=command.rounds,
                seconds=command.seconds,
                mode=None if command.mode is None else command.mode.value,
                category=command.category,
                tags=list(command.tags),
                solo=command.solo,
            )
        case SubmitAnswer(text=text):
            body["text"] = text
        case PickChoice(question_number=number, choice=choice):
            body.update(question_number=number, choice=choice)
        case _:
            pass
    return body


def encode(message: Forwarded) -> bytes:
    return json.dumps(
        {
            "v": VERSION,
            "id": message.command_id,
            "response_url": message.response_url,
            "command": _command(message.command),
        },
        separators=(",", ":"),
    ).encode()


def encode_reply(reply: Applied) -> bytes:
    return json.dumps(
        {"v": VERSION, "id": reply.command_id, "duplicate": reply.duplicate, "owner": reply.owner}
    ).encode()


def decode_reply(data: bytes) -> Applied:
    raw = _object(data)
    try:
        return Applied(
            command_id=_str(raw["id"]),
            duplicate=_bool(raw["duplicate"]),
            owner=_bool(raw["owner"]),
        )
    except KeyError as exc:
        raise BadMessage(f"reply without {exc}") from exc


def decode(data: bytes) -> Forwarded:
    raw = _object(data)
    try:
        url = raw["response_url"]
        return Forwarded(
            command_id=_str(raw["id"]),
            command=_decode_command(raw["command"]),
            response_url=None if url is None else _str(url),
        )
    except KeyError as exc:
        raise BadMessage(f"forwarded command without {exc}") from exc


def _object(data: bytes) -> dict[str, Any]:
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadMessage(f"not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise BadMessage("not a JSON object")
    if raw.get("v") != VERSION:
        raise BadMessage(f"version {raw.get('v')!r}, this process reads {VERSION}")
    return raw


def _decode_command(raw: object) -> GameCommand:
    if not isinstance(raw, dict):
        raise BadMessage("command is not an object")
    parts = raw["channel"]
    if not (isinstance(parts, list) and len(parts) == 3):
        raise BadMessage(f"bad channel {parts!r}")
    channel = ChannelKey(*(_str(p) for p in parts))
    who = raw["actor"]
    if not isinstance(who, dict):
        raise BadMessage("actor is not an object")
    actor = Actor(
        key=PlayerKey(_str(who["platform"]), _str(who["server"]), _str(who["user"])),
        name=_str(who["name"]),
        is_admin=_bool(who["is_admin"]),
        roles=frozenset(_str(r) for r in _list(who["roles"])),
    )
    match raw["type"]:
        case "StartGame":
            mode = raw["mode"]
            return StartGame(
                channel,
                actor,
                rounds=_opt_int(raw["rounds"]),
                seconds=_opt_float(raw["seconds"]),
                mode=None if mode is None else GameMode(_str(mode)),
                category=None if raw["category"] is None else _str(raw["category"]),
                tags=tuple(_str(t) for t in _list(raw["tags"])),
                solo=_bool(raw["solo"]),
            )
        case "SubmitAnswer":
            return SubmitAnswer(channel, actor, _str(raw["text"]))
        case "PickChoice":
            return PickChoice(
                channel,
                actor,
                question_number=_int(raw["question_number"]),
                choice=_int(raw["choice"]),
            )
        case "RequestHint":
            return RequestHint(channel, actor)
        case "SkipQuestion":
            return SkipQuestion(channel, actor)
        case "StopGame":
            return StopGame(channel, actor)
        case "ShowScore":
            return ShowScore(channel, actor)
        case other:
            raise BadMessage(f"unknown command type {other!r}")


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise BadMessage(f"expected a string, got {value!r}")
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise BadMessage(f"expected true or false, got {value!r}")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadMessage(f"expected an integer, got {value!r}")
    return value


def _opt_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _opt_float(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadMessage(f"expected a number, got {value!r}")
    return float(value)


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise BadMessage(f"expected a list, got {value!r}")
    return value


def subject_for(holder: str, *, prefix: str = "trivia.replica") -> str:
    """The NATS subject a replica listens on, from its lease holder description (host,
    pid, start time: unique, but not a valid subject token), so that whoever reads a
    lease knows where to send its workspace's commands."""
    return f"{prefix}.{hashlib.sha256(holder.encode()).hexdigest()[:20]}"
