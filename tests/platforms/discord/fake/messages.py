"""Messages as the fake stores them, and the snapshots tests read.

The store keeps each message as the JSON Discord would return for it, so a component click can
carry the message exactly as the bot last left it. Tests get ``FakeMessage`` snapshots: frozen
copies with helpers for the things a transcript asserts on (``text``, ``buttons``, ...).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .payloads import (
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    JSON,
    FakeChannel,
    FakeUser,
    SnowflakeGenerator,
    now_iso,
)

_MENTION = re.compile(r"<@!?(\d+)>")
_REPLY = 19
_DEFAULT = 0


def walk_components(components: Sequence[Any]) -> Iterator[JSON]:
    """Every component in a tree: rows, their children, V2 containers, labels, accessories."""
    for component in components:
        if not isinstance(component, dict):
            continue
        yield component
        yield from walk_components(component.get("components", []))
        for key in ("component", "accessory"):
            child = component.get(key)
            if isinstance(child, dict):
                yield from walk_components([child])


def _embed_lines(embed: Mapping[str, Any]) -> Iterator[str]:
    author = embed.get("author") or {}
    footer = embed.get("footer") or {}
    for value in (author.get("name"), embed.get("title"), embed.get("description")):
        if value:
            yield str(value)
    for field in embed.get("fields", []):
        yield f"{field.get('name', '')}: {field.get('value', '')}"
    if footer.get("text"):
        yield str(footer["text"])


@dataclass(frozen=True, slots=True)
class FakeAttachment:
    """A file: uploaded by the bot, or prepared by a test for a user to attach."""

    id: int
    filename: str
    data: bytes
    content_type: str | None
    url: str

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
            "flags": 0,
        }


@dataclass(frozen=True, slots=True)
class FakeMessage:
    """A message as it stands at the moment the snapshot was taken (edits included)."""

    id: int
    channel_id: int
    guild_id: int | None
    author: FakeUser
    content: str
    embeds: tuple[JSON, ...]
    components: tuple[JSON, ...]
    attachments: tuple[JSON, ...]
    flags: int
    edits: int
    interaction_id: int | None
    raw: JSON

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True for a deferred "Bot is thinking..." response nobody has filled in yet."""
        return bool(self.flags & FLAG_LOADING)

    @property
    def text(self) -> str:
        """What a reader sees as text: content, embed parts, V2 text displays, one per line."""
        lines = [self.content] if self.content else []
        for embed in self.embeds:
            lines.extend(_embed_lines(embed))
        lines.extend(
            str(c.get("content", ""))
            for c in walk_components(self.components)
            if c.get("type") == 10
        )
        return "\n".join(lines)

    @property
    def buttons(self) -> list[JSON]:
        return [c for c in walk_components(self.components) if c.get("type") == 2]

    @property
    def custom_ids(self) -> list[str]:
        return [str(c["custom_id"]) for c in walk_components(self.components) if "custom_id" in c]

    def component(self, custom_id: str) -> JSON | None:
        return next(
            (c for c in walk_components(self.components) if c.get("custom_id") == custom_id), None
        )

    def button_labeled(self, label: str) -> JSON:
        """The button whose label is ``label``; raises LookupError listing the labels there are."""
        for button in self.buttons:
            if button.get("label") == label:
                return button
        labels = [b.get("label") for b in self.buttons]
        raise LookupError(f"no button labeled {label!r} on message {self.id}; labels: {labels}")


class MessageStore:
    """Every message of every channel, as live wire payloads, in creation order."""

    def __init__(
        self,
        ids: SnowflakeGenerator,
        *,
        lookup_user: Callable[[int], FakeUser | None],
        file_url: Callable[[int, str], str],
    ) -> None:
        self._ids = ids
        self._lookup_user = lookup_user
        self._file_url = file_url
        self._messages: dict[int, JSON] = {}
        self._authors: dict[int, FakeUser] = {}
        self._edits: dict[int, int] = {}
        self._by_channel: dict[int, list[int]] = {}
        # Snapshots are rebuilt only when their message changes: waits re-read whole channels.
        self._snapshots: dict[int, FakeMessage] = {}
        self.files: dict[int, FakeAttachment] = {}
        self.reactions: dict[int, list[str]] = {}

    # -- files ----------------------------------------------------------------------------
    def add_file(self, filename: str, data: bytes, content_type: str | None) -> FakeAttachment:
        file_id = self._ids()
        attachment = FakeAttachment(
            file_id, filename, data, content_type, self._file_url(file_id, filename)
        )
        self.files[file_id] = attachment
        return attachment

    def resolve_attachments(
        self,
        declared: Sequence[Mapping[str, Any]] | None,
        uploads: Sequence[tuple[str, bytes, str | None]],
        *,
        kept: Sequence[JSON] = (),
    ) -> list[JSON]:
        """Turn a message body's ``attachments`` list into stored attachment payloads.

        discord.py declares new files as ``{"id": <index into files[n]>}`` and attachments to
        keep (on edit) by their real id. Without a declaration every upload is attached.
        """
        new = [self.add_file(*upload).payload() for upload in uploads]
        if declared is None:
            return [*kept, *new]
        kept_by_id = {str(a["id"]): a for a in kept}
        result: list[JSON] = []
        for entry in declared:
            ident = str(entry.get("id"))
            if ident in kept_by_id:
                result.append(kept_by_id[ident])
            elif ident.isdigit() and int(ident) < len(new):
                result.append(new[int(ident)])
        return result

    # -- messages -------------------------------------------------------------------------
    def create(
        self, channel: FakeChannel, author: FakeUser, body: Mapping[str, Any], **extra: Any
    ) -> JSON:
        message_id = self._ids()
        content = str(body.get("content") or "")
        message: JSON = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "author": author.payload(),
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": self._mentions(content),
            "mention_roles": [],
            "attachments": list(body.get("attachments", [])),
            "embeds": list(body.get("embeds") or []),
            "components": list(body.get("components") or []),
            "reactions": [],
            "pinned": False,
            "type": _DEFAULT,
            "flags": int(body.get("flags") or 0),
        }
        if channel.guild_id is not None:
            message["guild_id"] = str(channel.guild_id)
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if body.get("poll") is not None:
            message["poll"] = body["poll"]
        reference = body.get("message_reference")
        if reference and (referenced := self.get(int(reference["message_id"]))) is not None:
            message["type"] = _REPLY
            message["message_reference"] = {
                "type": 0,
                "message_id": referenced["id"],
                "channel_id": referenced["channel_id"],
                **({"guild_id": str(channel.guild_id)} if channel.guild_id else {}),
            }
            message["referenced_message"] = copy.deepcopy(referenced)
        message.update(extra)
        self._messages[message_id] = message
        self._authors[message_id] = author
        self._edits[message_id] = 0
        self._by_channel.setdefault(channel.id, []).append(message_id)
        return message

    def edit(self, message_id: int, body: Mapping[str, Any]) -> JSON:
        """Apply a PATCH: only the keys present change, as on Discord."""
        message = self._messages[message_id]
        for key in ("content", "embeds", "components", "attachments", "poll"):
            if key in body:
                message[key] = (
                    body[key] if body[key] is not None else ([] if key != "content" else "")
                )
        if "content" in body:
            message["mentions"] = self._mentions(str(message["content"] or ""))
        if "flags" in body and body["flags"] is not None:
            # Only a few flags can be edited; keep ephemeral as it was, drop "loading".
            kept = int(message["flags"]) & FLAG_EPHEMERAL
            message["flags"] = (int(body["flags"]) & ~(FLAG_EPHEMERAL | FLAG_LOADING)) | kept
        message["edited_timestamp"] = now_iso()
        self._edits[message_id] += 1
        self._snapshots.pop(message_id, None)
        return message

    def finish_loading(self, message_id: int) -> None:
        message = self._messages[message_id]
        message["flags"] = int(message["flags"]) & ~FLAG_LOADING
        self._snapshots.pop(message_id, None)

    def delete(self, message_id: int) -> bool:
        message = self._messages.pop(message_id, None)
        if message is None:
            return False
        self._snapshots.pop(message_id, None)
        self._by_channel[int(message["channel_id"])].remove(message_id)
        return True

    def get(self, message_id: int) -> JSON | None:
        return self._messages.get(message_id)

    def snapshot(self, message_id: int) -> FakeMessage:
        cached = self._snapshots.get(message_id)
        if cached is None:
            cached = self._snapshots[message_id] = self._take_snapshot(message_id)
        return cached

    def _take_snapshot(self, message_id: int) -> FakeMessage:
        message = self._messages[message_id]
        metadata = message.get("interaction_metadata") or {}
        return FakeMessage(
            id=message_id,
            channel_id=int(message["channel_id"]),
            guild_id=int(message["guild_id"]) if "guild_id" in message else None,
            author=self._authors[message_id],
            content=str(message["content"]),
            embeds=tuple(copy.deepcopy(message["embeds"])),
            components=tuple(copy.deepcopy(message["components"])),
            attachments=tuple(copy.deepcopy(message["attachments"])),
            flags=int(message["flags"]),
            edits=self._edits[message_id],
            interaction_id=int(metadata["id"]) if "id" in metadata else None,
            raw=copy.deepcopy(message),
        )

    def channel_ids(self, channel_id: int) -> list[int]:
        return list(self._by_channel.get(channel_id, []))

    def _mentions(self, content: str) -> list[JSON]:
        found: dict[int, JSON] = {}
        for match in _MENTION.finditer(content):
            user = self._lookup_user(int(match.group(1)))
            if user is not None:
                found[user.id] = user.payload()
        return list(found.values())


MessageRef = FakeMessage | int


def message_id_of(message: MessageRef) -> int:
    """Tests may pass a message or its id."""
    return message.id if isinstance(message, FakeMessage) else int(message)
