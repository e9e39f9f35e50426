"""Build the ``data`` of a slash-command interaction from a test's plain Python arguments.

When the bot has synced its commands, the definitions it sent decide each option's type and are
enforced the way the Discord client enforces them (unknown names, missing required options,
choices, ranges): a test cannot invoke a command a real user could not type. Without a sync the
types are inferred from the Python values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import FakeDiscordError
from .messages import FakeAttachment
from .payloads import JSON, FakeChannel, FakeGuild, FakeRole, FakeUser

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)


def _infer_type(value: Any) -> int:
    match value:
        case bool():
            return BOOLEAN
        case int():
            return INTEGER
        case float():
            return NUMBER
        case str():
            return STRING
        case FakeUser():
            return USER
        case FakeChannel():
            return CHANNEL
        case FakeRole():
            return ROLE
        case FakeAttachment():
            return ATTACHMENT
    raise FakeDiscordError(f"cannot send {value!r} as a slash-command option")


def _leaf_definitions(definition: JSON | None, name: str, path: Sequence[str]) -> list[JSON] | None:
    """The option definitions of the (sub)command at ``path``; None when nothing was synced."""
    if definition is None:
        return None
    level: list[JSON] = list(definition.get("options") or [])
    walked = [name]
    for part in path:
        subs = [o for o in level if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)]
        match = next((o for o in subs if o.get("name") == part), None)
        if match is None:
            known = sorted(str(o.get("name")) for o in subs)
            raise FakeDiscordError(
                f"/{' '.join(walked)} has no subcommand {part!r}; it has {known}"
            )
        walked.append(part)
        level = list(match.get("options") or [])
    if any(o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in level):
        raise FakeDiscordError(f"/{' '.join(walked)} is a group: name one of its subcommands")
    return level


class OptionBuilder:
    """Turns ``{"rounds": 5, "player": alice}`` into option JSON plus its ``resolved`` entries."""

    def __init__(self, guild: FakeGuild | None, *, focused: str | None) -> None:
        self._guild = guild
        self._focused = focused
        self.resolved: dict[str, dict[str, JSON]] = {}

    def option(self, name: str, value: Any, definition: JSON | None) -> JSON:
        kind = int(definition["type"]) if definition else _infer_type(value)
        focused = name == self._focused
        if definition and not focused:
            _check_value(name, kind, value, definition)
        option: JSON = {"name": name, "type": kind, "value": self._wire_value(kind, value)}
        if focused:
            option["focused"] = True
            option["value"] = str(value)
        return option

    def _wire_value(self, kind: int, value: Any) -> Any:
        if isinstance(value, FakeUser):
            self._resolve("users", value.id, value.payload())
            if self._guild is not None and value.id in self._guild.members:
                member = self._guild.member_payload(value.id, with_user=False)
                member["permissions"] = str(self._guild.permissions_of(value.id))
                self._resolve("members", value.id, member)
            return str(value.id)
        if isinstance(value, FakeChannel):
            channel = value.payload()
            channel["permissions"] = str(
                self._guild.everyone_role.permissions if self._guild else 0
            )
            self._resolve("channels", value.id, channel)
            return str(value.id)
        if isinstance(value, FakeRole):
            self._resolve("roles", value.id, value.payload())
            return str(value.id)
        if isinstance(value, FakeAttachment):
            self._resolve("attachments", value.id, value.payload())
            return str(value.id)
        if kind == NUMBER and isinstance(value, int):
            return float(value)
        return value

    def _resolve(self, kind: str, ident: int, payload: JSON) -> None:
        self.resolved.setdefault(kind, {})[str(ident)] = payload


def _check_value(name: str, kind: int, value: Any, definition: JSON) -> None:
    expected: dict[int, tuple[type, ...]] = {
        STRING: (str,),
        INTEGER: (int,),
        NUMBER: (int, float),
        BOOLEAN: (bool,),
        USER: (FakeUser,),
        MENTIONABLE: (FakeUser, FakeRole),
        CHANNEL: (FakeChannel,),
        ROLE: (FakeRole,),
        ATTACHMENT: (FakeAttachment,),
    }
    types = expected.get(kind, (object,))
    if not isinstance(value, types) or (kind in (INTEGER, NUMBER) and isinstance(value, bool)):
        raise FakeDiscordError(f"option {name!r} takes {types[0].__name__}, not {value!r}")
    choices = definition.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        names = [c["value"] for c in choices]
        raise FakeDiscordError(f"option {name!r} must be one of {names}, not {value!r}")
    low, high = definition.get("min_value"), definition.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        raise FakeDiscordError(f"option {name!r} must be within [{low}, {high}], not {value!r}")
    if kind == STRING:
        shortest, longest = definition.get("min_length", 0), definition.get("max_length", 6000)
        if not shortest <= len(str(value)) <= longest:
            raise FakeDiscordError(f"option {name!r} must be {shortest}..{longest} characters")


def build_command_data(
    *,
    definition: JSON | None,
    command_id: int,
    name: str,
    path: Sequence[str],
    options: Mapping[str, Any],
    guild: FakeGuild | None,
    guild_scoped: bool,
    focused: str | None = None,
) -> JSON:
    """The ``data`` object of an APPLICATION_COMMAND (or AUTOCOMPLETE) interaction."""
    definitions = _leaf_definitions(definition, name, path)
    by_name = {str(d["name"]): d for d in definitions or []}
    builder = OptionBuilder(guild, focused=focused)
    leaf: list[JSON] = []
    for option_name, value in options.items():
        if definitions is not None and option_name not in by_name:
            raise FakeDiscordError(
                f"/{name} {' '.join(path)} has no option {option_name!r}; it has {sorted(by_name)}"
            )
        leaf.append(builder.option(option_name, value, by_name.get(option_name)))
    if focused is None:
        missing = [n for n, d in by_name.items() if d.get("required") and n not in options]
        if missing:
            raise FakeDiscordError(f"/{name} {' '.join(path)} needs options {missing}")
    elif focused not in options:
        raise FakeDiscordError(f"focused option {focused!r} must be among the options given")
    nested = leaf
    for depth in range(len(path) - 1, -1, -1):
        kind = SUB_COMMAND if depth == len(path) - 1 else SUB_COMMAND_GROUP
        nested = [{"name": path[depth], "type": kind, "options": nested}]
    data: JSON = {"id": str(command_id), "name": name, "type": 1, "options": nested}
    if builder.resolved:
        data["resolved"] = builder.resolved
    if guild_scoped and guild is not None:
        data["guild_id"] = str(guild.id)
    return data
