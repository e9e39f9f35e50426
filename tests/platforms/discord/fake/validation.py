"""The limits real Discord enforces with a 400, so the bot's mistakes fail here and not in prod.

Each check returns a list of ``(field path, problem)``; an empty list means Discord would accept
the payload. ``raise_for`` turns problems into Discord's error body (code 50035), which
discord.py turns into an ``HTTPException`` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import ApiError
from .messages import walk_components
from .payloads import FLAG_COMPONENTS_V2

Problem = tuple[str, str]

_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
_BUTTON, _TEXT_INPUT, _ACTION_ROW, _LINK_STYLE = 2, 4, 1, 5
_SELECT_TYPES = {3, 5, 6, 7, 8}


_EMPTY = "Cannot send an empty message"


def raise_for(problems: Sequence[Problem]) -> None:
    """Raise the ApiError Discord would answer these problems with (nothing if there are none)."""
    if not problems:
        return
    if [text for _, text in problems] == [_EMPTY]:
        raise ApiError(400, 50006, _EMPTY)
    errors = {
        path or "_root": {"_errors": [{"code": "BASE_TYPE_INVALID", "message": text}]}
        for path, text in problems
    }
    raise ApiError(400, 50035, "Invalid Form Body", errors=errors)


def _too_long(path: str, value: Any, limit: int) -> list[Problem]:
    if value is not None and len(str(value)) > limit:
        return [(path, f"Must be {limit} or fewer in length (got {len(str(value))}).")]
    return []


def check_message(body: Mapping[str, Any], *, creating: bool, has_files: bool) -> list[Problem]:
    problems = _too_long("content", body.get("content"), 2000)
    embeds = body.get("embeds") or []
    components = body.get("components") or []
    if creating and not (
        body.get("content")
        or embeds
        or components
        or has_files
        or body.get("poll")
        or body.get("sticker_ids")
    ):
        problems.append(("content", _EMPTY))
    problems += check_embeds(embeds)
    if int(body.get("flags") or 0) & FLAG_COMPONENTS_V2:
        if body.get("content") or embeds:
            problems.append(("content", "content and embeds cannot be used with components V2"))
        problems += _check_custom_ids(components)
    else:
        problems += check_components(components)
    return problems


def check_embeds(embeds: Sequence[Mapping[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    if len(embeds) > 10:
        problems.append(("embeds", "Must be 10 or fewer in length."))
    total = 0
    for i, embed in enumerate(embeds):
        at = f"embeds.{i}"
        author, footer = embed.get("author") or {}, embed.get("footer") or {}
        problems += _too_long(f"{at}.title", embed.get("title"), 256)
        problems += _too_long(f"{at}.description", embed.get("description"), 4096)
        problems += _too_long(f"{at}.author.name", author.get("name"), 256)
        problems += _too_long(f"{at}.footer.text", footer.get("text"), 2048)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append((f"{at}.fields", "Must be 25 or fewer in length."))
        for j, field in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                if not str(field.get(key) or "").strip():
                    problems.append((f"{at}.fields.{j}.{key}", "This field is required"))
                problems += _too_long(f"{at}.fields.{j}.{key}", field.get(key), limit)
        parts = [
            embed.get("title"),
            embed.get("description"),
            author.get("name"),
            footer.get("text"),
        ]
        parts += [f.get("name") for f in fields] + [f.get("value") for f in fields]
        total += sum(len(str(p)) for p in parts if p)
    if total > 6000:
        problems.append(("embeds", f"Embed size exceeds maximum size of 6000 (got {total})."))
    return problems


def check_components(components: Sequence[Mapping[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    if len(components) > 5:
        problems.append(("components", "Must be 5 or fewer in length."))
    for i, row in enumerate(components):
        at = f"components.{i}"
        if row.get("type") != _ACTION_ROW:
            problems.append(
                (at, "Top-level components must be action rows (or set IS_COMPONENTS_V2).")
            )
            continue
        children = row.get("components") or []
        kinds = {c.get("type") for c in children}
        if not children:
            problems.append((f"{at}.components", "Must be between 1 and 5 in length."))
        elif kinds & _SELECT_TYPES and len(children) > 1:
            problems.append((f"{at}.components", "A select menu must be alone in its row."))
        elif len(children) > 5:
            problems.append((f"{at}.components", "Must be 5 or fewer in length."))
        for j, child in enumerate(children):
            problems += _check_component(f"{at}.components.{j}", child)
    return problems + _check_custom_ids(components)


def _check_component(at: str, component: Mapping[str, Any]) -> list[Problem]:
    problems = _too_long(f"{at}.custom_id", component.get("custom_id"), 100)
    kind = component.get("type")
    if kind == _BUTTON:
        problems += _too_long(f"{at}.label", component.get("label"), 80)
        if component.get("style") == _LINK_STYLE:
            if not component.get("url"):
                problems.append((f"{at}.url", "Link buttons need a url."))
        elif not component.get("custom_id") and component.get("style") != 6:
            problems.append((f"{at}.custom_id", "This field is required"))
        if not component.get("label") and not component.get("emoji"):
            problems.append((f"{at}.label", "A button needs a label or an emoji."))
    elif kind in _SELECT_TYPES:
        problems += _too_long(f"{at}.placeholder", component.get("placeholder"), 150)
        options = component.get("options") or []
        if kind == 3 and not 1 <= len(options) <= 25:
            problems.append((f"{at}.options", "Must be between 1 and 25 in length."))
        for k, option in enumerate(options):
            problems += _too_long(f"{at}.options.{k}.label", option.get("label"), 100)
            problems += _too_long(f"{at}.options.{k}.value", option.get("value"), 100)
            problems += _too_long(f"{at}.options.{k}.description", option.get("description"), 100)
    return problems


def _check_custom_ids(components: Sequence[Mapping[str, Any]]) -> list[Problem]:
    seen: set[str] = set()
    problems: list[Problem] = []
    for component in walk_components(components):
        custom_id = component.get("custom_id")
        if custom_id is None:
            continue
        if custom_id in seen:
            problems.append(("components", f"Duplicate custom_id {custom_id!r}."))
        seen.add(custom_id)
    return problems


def check_modal(data: Mapping[str, Any]) -> list[Problem]:
    problems = _too_long("data.title", data.get("title"), 45)
    problems += _too_long("data.custom_id", data.get("custom_id"), 100)
    if not data.get("title"):
        problems.append(("data.title", "This field is required"))
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        problems.append(("data.components", "Must be between 1 and 5 in length."))
    for i, top in enumerate(components):
        problems += _too_long(f"data.components.{i}.label", top.get("label"), 45)
        problems += _too_long(f"data.components.{i}.description", top.get("description"), 100)
        for component in walk_components([top]):
            at = f"data.components.{i}"
            if component.get("type") in _SELECT_TYPES:
                problems += _check_component(at, component)
                continue
            if component.get("type") != _TEXT_INPUT:
                continue
            problems += _too_long(f"{at}.label", component.get("label"), 45)
            problems += _too_long(f"{at}.custom_id", component.get("custom_id"), 100)
            problems += _too_long(f"{at}.placeholder", component.get("placeholder"), 100)
            problems += _too_long(f"{at}.value", component.get("value"), 4000)
            longest = int(component.get("max_length") or 4000)
            if longest > 4000:
                problems.append((f"{at}.max_length", "Must be 4000 or less."))
            # Discord refuses a pre-filled value the input itself could not hold.
            problems += _too_long(f"{at}.value", component.get("value"), longest)
    return problems + _check_custom_ids(components)


def check_choices(choices: Sequence[Mapping[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    if len(choices) > 25:
        problems.append(("data.choices", "Must be 25 or fewer in length."))
    for i, choice in enumerate(choices):
        problems += _too_long(f"data.choices.{i}.name", choice.get("name"), 100)
        if isinstance(choice.get("value"), str):
            problems += _too_long(f"data.choices.{i}.value", choice["value"], 100)
    return problems


def check_commands(commands: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """A bulk overwrite of application commands (PUT .../commands)."""
    problems: list[Problem] = []
    if len(commands) > 100:
        problems.append(("", "Must be 100 or fewer in length."))
    seen: set[tuple[str, int]] = set()
    for i, command in enumerate(commands):
        key = (str(command.get("name")), int(command.get("type", 1)))
        if key in seen:
            problems.append((f"{i}.name", f"Application command names must be unique ({key[0]})."))
        seen.add(key)
        chat_input = key[1] == 1
        problems += _check_named(f"{i}", command, chat_input=chat_input)
        problems += _check_options(f"{i}.options", command.get("options") or [], depth=0)
    return problems


def _check_named(at: str, item: Mapping[str, Any], *, chat_input: bool = True) -> list[Problem]:
    name = str(item.get("name", ""))
    problems: list[Problem] = []
    if chat_input and (not _COMMAND_NAME.match(name) or name != name.lower()):
        problems.append((f"{at}.name", f"Command name is invalid ({name!r})."))
    description = str(item.get("description", ""))
    if chat_input and not 1 <= len(description) <= 100:
        problems.append((f"{at}.description", "Must be between 1 and 100 in length."))
    return problems


def _check_options(at: str, options: Sequence[Mapping[str, Any]], *, depth: int) -> list[Problem]:
    problems: list[Problem] = []
    if len(options) > 25:
        problems.append((at, "Must be 25 or fewer in length."))
    names = [str(o.get("name")) for o in options]
    if len(set(names)) != len(names):
        problems.append((at, "Option names must be unique."))
    seen_optional = False
    for i, option in enumerate(options):
        here = f"{at}.{i}"
        problems += _check_named(here, option)
        kind = int(option.get("type", 3))
        if kind in (1, 2):
            if (kind == 2 and depth > 0) or (kind == 1 and depth > 1):
                problems.append((here, "Sub-commands cannot nest this deep."))
            problems += _check_options(
                f"{here}.options", option.get("options") or [], depth=depth + 1
            )
            continue
        if option.get("required"):
            if seen_optional:
                problems.append(
                    (here, "Required options must be placed before non-required options.")
                )
        else:
            seen_optional = True
        if len(option.get("choices") or []) > 25:
            problems.append((f"{here}.choices", "Must be 25 or fewer in length."))
    return problems
