"""What the fake Slack remembers: workspace members, messages, views, recorded calls.

Values a test only reads (calls, acks, response-url posts) are frozen. Messages and views are
mutable because Slack itself edits them in place (`chat.update`, `views.update`); each keeps the
versions it had before, so a test can check a countdown's edits.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from .tokens import TokenState

JsonDict = dict[str, Any]
RequestKind = Literal["slash_commands", "events_api", "interactive"]


@dataclass(frozen=True, slots=True)
class SlackUser:
    """A workspace member as `users.info` reports it."""

    id: str
    name: str
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    real_name: str = ""
    #: A Slack Connect guest's own workspace (their flags are about that one); None: this one.
    home_team: str | None = None

    def to_api(self, team_id: str) -> JsonDict:
        real_name = self.real_name or self.name.title()
        return {
            "id": self.id,
            "team_id": self.home_team or team_id,
            "name": self.name,
            "real_name": real_name,
            "deleted": False,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_owner,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "tz": "Europe/London",
            "profile": {"display_name": self.name, "real_name": real_name},
        }


@dataclass(frozen=True, slots=True)
class SlackChannel:
    """A conversation as `conversations.info` reports it."""

    id: str
    name: str
    is_private: bool = False
    is_im: bool = False

    def to_api(self) -> JsonDict:
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_im and not self.is_private,
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private or self.is_im,
            "is_member": True,
            "is_archived": False,
        }


@dataclass(frozen=True, slots=True)
class SlackFile:
    """A file shared with the bot; `content` is what its download URL serves."""

    id: str
    name: str
    content: bytes
    user: str
    filetype: str = "text"
    mimetype: str = "text/plain"

    def to_api(self, *, base_url: str, team_id: str) -> JsonDict:
        private = f"{base_url}files-pri/{team_id}-{self.id}/{self.name}"
        return {
            "id": self.id,
            "name": self.name,
            "title": self.name,
            "mimetype": self.mimetype,
            "filetype": self.filetype,
            "size": len(self.content),
            "user": self.user,
            "mode": "hosted",
            "is_external": False,
            "url_private": private,
            "url_private_download": f"{base_url}files-pri/{team_id}-{self.id}/download/{self.name}",
        }


@dataclass(slots=True)
class Message:
    """A message in a channel, with its current text/blocks and the versions it replaced."""

    channel: str
    ts: str
    user: str
    text: str = ""
    blocks: list[JsonDict] = field(default_factory=list)
    bot_id: str | None = None
    thread_ts: str | None = None
    metadata: JsonDict | None = None
    #: Files shared with the message (an upload's `files.completeUploadExternal`).
    files: list[SlackFile] = field(default_factory=list)
    deleted: bool = False
    reactions: list[str] = field(default_factory=list)
    #: Earlier versions, oldest first: each is {"text": ..., "blocks": ...}.
    edits: list[JsonDict] = field(default_factory=list)

    def all_text(self) -> str:
        """`text` plus every text found in the blocks, for `"Paris" in msg.all_text()`."""
        return "\n".join(part for part in (self.text, *block_texts(self.blocks)) if part)

    def visible_text(self) -> str:
        """What a Slack client shows: the blocks when there are any, else `text`.

        With blocks, `text` is only the notification fallback, so an edit that changes `text`
        but not the blocks changes nothing anyone sees.
        """
        return "\n".join(block_texts(self.blocks)) if self.blocks else self.text

    def to_api(self, team_id: str) -> JsonDict:
        api: JsonDict = {
            "type": "message",
            "ts": self.ts,
            "user": self.user,
            "text": self.text,
            "team": team_id,
        }
        if self.blocks:
            api["blocks"] = self.blocks
        if self.bot_id is not None:
            api["bot_id"] = self.bot_id
        if self.thread_ts is not None:
            api["thread_ts"] = self.thread_ts
        if self.metadata is not None:
            api["metadata"] = self.metadata
        if self.files:
            api["files"] = [{"id": f.id, "name": f.name, "title": f.name} for f in self.files]
        if self.edits:
            api["edited"] = {"user": self.user, "ts": self.ts}
        return api


@dataclass(frozen=True, slots=True)
class Ephemeral:
    """A message only `user` sees: from `chat.postEphemeral` or a response_url post."""

    channel: str
    user: str
    text: str
    blocks: tuple[JsonDict, ...] = ()
    via: Literal["chat.postEphemeral", "response_url"] = "chat.postEphemeral"

    def all_text(self) -> str:
        return "\n".join(part for part in (self.text, *block_texts(self.blocks)) if part)


@dataclass(slots=True)
class View:
    """A modal opened with `views.open` or a Home tab published with `views.publish`."""

    id: str
    type: str
    user: str
    view: JsonDict
    #: Earlier versions replaced by `views.update` / `views.publish`, oldest first.
    history: list[JsonDict] = field(default_factory=list)
    #: What a submission's `response_action: errors` shows under each block, until the
    #: next submission.
    errors: dict[str, str] = field(default_factory=dict)
    #: Closed by a submission answered with a bare ack (or `response_action: clear`).
    closed: bool = False

    @property
    def callback_id(self) -> str:
        return str(self.view.get("callback_id", ""))

    @property
    def private_metadata(self) -> str:
        return str(self.view.get("private_metadata", ""))

    @property
    def blocks(self) -> list[JsonDict]:
        return list(self.view.get("blocks", []))

    def all_text(self) -> str:
        title = self.view.get("title", {})
        title_text = title.get("text", "") if isinstance(title, dict) else ""
        return "\n".join(part for part in (title_text, *block_texts(self.blocks)) if part)

    def to_api(self, *, team_id: str, app_id: str, bot_id: str) -> JsonDict:
        return {
            **self.view,
            "id": self.id,
            "team_id": team_id,
            "type": self.type,
            "state": {"values": {}},
            "hash": f"hash-{self.id}-{len(self.history)}",
            "root_view_id": self.id,
            "previous_view_id": None,
            "app_id": app_id,
            "bot_id": bot_id,
            "private_metadata": self.private_metadata,
            "callback_id": self.callback_id,
        }


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One Web API call the app made, with its arguments merged from query, form and JSON.

    `token` is what the call presented (Bearer header or `token` field); `token_state` what
    that token was at that moment ("valid", "expired", "revoked", "unknown", or "none" for
    no token; `oauth.v2.access` authenticates the app instead and records "none");
    `team_id`/`enterprise_id` name the workspace the call was answered for (None when the
    token was refused or resolved to no workspace).
    """

    method: str
    args: Mapping[str, Any]
    token: str | None
    status: int
    response: Mapping[str, Any]
    token_state: TokenState = "valid"
    team_id: str | None = None
    enterprise_id: str | None = None
    #: When the fake answered it (`time.monotonic()`).
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        value = self.response.get("error")
        return None if value is None else str(value)

    def __getitem__(self, key: str) -> Any:
        return self.args[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.args.get(key, default)


@dataclass(frozen=True, slots=True)
class ResponseUrlPost:
    """A body the app POSTed to a response_url (what bolt's `respond()` does)."""

    url: str
    body: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class SocketAck:
    """The app's acknowledgement of a Socket Mode envelope; `payload` is what `ack(...)` said."""

    envelope_id: str
    payload: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class SlackRequest:
    """Something Slack sends the app. The same value drives HTTP mode and Socket Mode.

    `kind` is the Socket Mode envelope type; it also decides the HTTP encoding: slash commands
    are form fields, interactions one form field `payload` holding JSON, events a JSON body.
    """

    kind: RequestKind
    payload: Mapping[str, Any]

    @property
    def trigger_id(self) -> str | None:
        value = self.payload.get("trigger_id")
        return None if value is None else str(value)

    @property
    def response_url(self) -> str | None:
        value = self.payload.get("response_url")
        return None if value is None else str(value)

    @property
    def event_id(self) -> str | None:
        value = self.payload.get("event_id")
        return None if value is None else str(value)

    def http_body(self) -> tuple[bytes, str]:
        """The raw body and Content-Type Slack would send to an HTTP endpoint."""
        match self.kind:
            case "slash_commands":
                body = urlencode({k: str(v) for k, v in self.payload.items()})
                return body.encode(), "application/x-www-form-urlencoded"
            case "interactive":
                body = urlencode({"payload": json.dumps(self.payload)})
                return body.encode(), "application/x-www-form-urlencoded"
            case "events_api":
                return json.dumps(self.payload).encode(), "application/json"


def block_texts(blocks: Any) -> Iterator[str]:
    """Every `text` string inside Block Kit JSON, depth first, in reading order."""
    if isinstance(blocks, Mapping):
        text = blocks.get("text")
        if isinstance(text, str):
            yield text
        for key, value in blocks.items():
            if key != "text" or not isinstance(value, str):
                yield from block_texts(value)
    elif isinstance(blocks, list | tuple):
        for item in blocks:
            yield from block_texts(item)


def iter_elements(blocks: Any) -> Iterator[tuple[str | None, JsonDict]]:
    """(block_id, element) for every interactive element that has an action_id."""
    for block in blocks if isinstance(blocks, list | tuple) else ():
        if not isinstance(block, Mapping):
            continue
        block_id = block.get("block_id")
        candidates = [*block.get("elements", ()), block.get("accessory"), block.get("element")]
        for element in candidates:
            if isinstance(element, dict) and "action_id" in element:
                yield block_id, element
