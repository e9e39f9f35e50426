"""The fake workspace's state and its Web API methods, with no HTTP in sight.

`SlackWorkspace.call(method, args)` answers like Slack's Web API would (a dict with `ok`) once
the token was accepted for this workspace (`installs.py` decides that), so the HTTP layer in
`server.py` only parses requests and serialises answers.
Errors use Slack's own codes (`channel_not_found`, `message_not_found`, `cant_update_message`,
`invalid_trigger_id`, `expired_trigger_id`, `not_allowed_token_type`, ...).
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .records import (
    Ephemeral,
    JsonDict,
    Message,
    SlackChannel,
    SlackFile,
    SlackUser,
    View,
)
from .tokens import Grant

log = logging.getLogger(__name__)

Handler = Callable[["SlackWorkspace", Mapping[str, Any]], JsonDict]


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the app is in a fake workspace. `bot_token` and `app_token` are the tokens of the
    default workspace's pre-made installation; other workspaces get theirs when installed."""

    bot_token: str = "xoxb-fake-bot-token"
    app_token: str = "xapp-1-A0TRIVIA-fake-app-token"
    team_id: str = "T0TRIVIA"
    team_domain: str = "trivia-fans"
    bot_user_id: str = "U0TRIVIABOT"
    bot_id: str = "B0TRIVIABOT"
    bot_name: str = "triviabot"
    api_app_id: str = "A0TRIVIA"
    scopes: str = (
        "channels:history,chat:write,commands,files:read,files:write,groups:history,"
        "im:history,im:write,users:read"
    )


DEFAULT_USERS = (
    SlackUser("U0ALICE", "alice"),
    SlackUser("U0BOB", "bob"),
    SlackUser("U0ADMIN", "ada", is_admin=True),
    SlackUser("U0OWNER", "olga", is_admin=True, is_owner=True),
)
DEFAULT_CHANNELS = (SlackChannel("C0TRIVIA", "trivia"), SlackChannel("C0GENERAL", "general"))


@dataclass(slots=True)
class ResponseTarget:
    """Where a response_url posts land: the channel, the user, and the message clicked (if any)."""

    channel: str
    user: str
    message_ts: str | None = None
    #: Posts taken so far: Slack takes five per response_url (within 30 minutes).
    uses: int = 0


#: How many posts one response_url takes (Slack: "up to five times within 30 minutes").
RESPONSE_URL_USES = 5


@dataclass(slots=True)
class SlackWorkspace:
    """Users, channels, files, messages, ephemerals and views of one fake workspace."""

    identity: Identity
    base_url: str = ""
    trigger_ttl: float = 3.0
    team_name: str = ""
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    #: The installation whose token reaches this workspace (its own, or its org's), if any.
    installation: Grant | None = None
    #: Who types and where, when a builder is not told.
    default_user: str = "U0ALICE"
    default_channel: str = "C0TRIVIA"
    users: dict[str, SlackUser] = field(default_factory=dict)
    channels: dict[str, SlackChannel] = field(default_factory=dict)
    files: dict[str, SlackFile] = field(default_factory=dict)
    messages: dict[str, list[Message]] = field(default_factory=dict)
    ephemerals: list[Ephemeral] = field(default_factory=list)
    views: dict[str, View] = field(default_factory=dict)
    home_views: dict[str, View] = field(default_factory=dict)
    #: trigger_id -> (issued at, monotonic seconds; the user who acted)
    triggers: dict[str, tuple[float, str]] = field(default_factory=dict)
    response_targets: dict[str, ResponseTarget] = field(default_factory=dict)
    socket_tickets: set[str] = field(default_factory=set)
    #: files.getUploadURLExternal -> (filename, declared length, bytes posted or None)
    pending_uploads: dict[str, tuple[str, int, bytes | None]] = field(default_factory=dict)
    #: Numbers for ids and timestamps; the fake's workspaces share one, so ids never collide.
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # ------------------------------------------------------------------ ids and registries

    @property
    def team_id(self) -> str:
        return self.identity.team_id

    @property
    def is_enterprise_install(self) -> bool:
        return self.installation is not None and self.installation.is_enterprise_install

    def next_number(self) -> int:
        return next(self.counter)

    def next_ts(self) -> str:
        """Message timestamps: unique, increasing, shaped like Slack's `"1700000000.000123"`."""
        return f"1700000000.{self.next_number():06d}"

    def add_user(self, user: SlackUser) -> SlackUser:
        self.users[user.id] = user
        return user

    def ensure_user(self, user_id: str) -> SlackUser:
        """Someone who types in a test exists: unknown ids become plain members."""
        return self.users.get(user_id) or self.add_user(SlackUser(user_id, user_id.lower()))

    def ensure_channel(self, channel_id: str) -> SlackChannel:
        if channel_id not in self.channels:
            is_im = channel_id.startswith("D")
            self.channels[channel_id] = SlackChannel(channel_id, channel_id.lower(), is_im=is_im)
        return self.channels[channel_id]

    def issue_trigger(self, user: str) -> str:
        trigger_id = f"{self.next_number()}.{self.identity.team_id}.trigger"
        self.triggers[trigger_id] = (time.monotonic(), user)
        return trigger_id

    def channel_messages(self, channel: str) -> list[Message]:
        """Messages still visible in `channel`, oldest first."""
        return [m for m in self.messages.get(channel, []) if not m.deleted]

    def find_message(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self.messages.get(channel, []) if m.ts == ts), None)

    def post(self, channel: str, *, user: str, text: str, **extra: Any) -> Message:
        message = Message(channel=channel, ts=self.next_ts(), user=user, text=text, **extra)
        self.messages.setdefault(channel, []).append(message)
        return message

    def has_channel(self, channel: str) -> bool:
        """Whether `channel` (or a member's id, meaning their DM) is a conversation here."""
        if channel in self.channels or channel in self.users:
            return True
        return channel.startswith("D") and "U" + channel[1:] in self.users

    def knows(self, args: Mapping[str, Any]) -> bool:
        """Whether any id in a call's arguments belongs here: how an org-wide token's call
        finds its workspace when it names no `team_id`."""
        named = {v for v in args.values() if isinstance(v, str)}
        return any(
            value in self.channels
            or value in self.users
            or value in self.triggers
            or value in self.files
            or value in self.views
            or value in self.pending_uploads
            for value in named
        )

    # ------------------------------------------------------------------ dispatch

    def call(self, method: str, args: Mapping[str, Any]) -> JsonDict:
        """Answer one Web API call the way Slack would, for a token already accepted here."""
        handler = METHODS.get(method)
        if handler is None:
            log.warning("fake Slack: unknown Web API method %s called with %s", method, dict(args))
            return error("unknown_method")
        return handler(self, args)

    def bot_message_api(self, message: Message) -> JsonDict:
        return message.to_api(self.identity.team_id)

    def resolve_channel(self, channel: str) -> str | None:
        """A channel id for `channel`; a user id means the DM with that user, as in Slack
        (`D` + the rest of a member's id is that DM)."""
        if channel.startswith(("U", "W")) and channel in self.users:
            return self.ensure_channel("D" + channel[1:]).id
        if channel.startswith("D") and "U" + channel[1:] in self.users:
            return self.ensure_channel(channel).id  # every member has a DM with the bot
        return channel if channel in self.channels else None

    def use_trigger(self, trigger_id: Any) -> tuple[str | None, str]:
        """(Slack's error code or None, the user who acted). A trigger opens one modal."""
        issued = self.triggers.pop(str(trigger_id), None)
        if issued is None:
            return "invalid_trigger_id", ""
        issued_at, user = issued
        if time.monotonic() - issued_at >= self.trigger_ttl:
            return "expired_trigger_id", user
        return None, user

    def new_response_url(self, target: ResponseTarget) -> str:
        key = f"R{self.next_number()}"
        self.response_targets[key] = target
        return f"{self.base_url}response-url/{key}"

    def respond(self, key: str, body: Mapping[str, Any]) -> bool:
        """Apply a response_url post like Slack does; False if the URL was never issued or
        has taken its five posts.

        `delete_original`/`replace_original` act on the message that was clicked; otherwise
        `response_type: in_channel` posts for everyone and anything else is ephemeral.
        """
        target = self.response_targets.get(key)
        if target is None or target.uses >= RESPONSE_URL_USES:
            return False
        target.uses += 1
        text = str(body.get("text", ""))
        blocks = list(body.get("blocks") or [])
        original = None
        if target.message_ts is not None:
            original = self.find_message(target.channel, target.message_ts)
        if original is not None and body.get("delete_original"):
            original.deleted = True
        elif original is not None and body.get("replace_original"):
            original.edits.append({"text": original.text, "blocks": original.blocks})
            original.text, original.blocks = text, blocks
        elif body.get("response_type") == "in_channel":
            ident = self.identity
            self.post(
                target.channel,
                user=ident.bot_user_id,
                text=text,
                blocks=blocks,
                bot_id=ident.bot_id,
            )
        else:
            self.ephemerals.append(
                Ephemeral(target.channel, target.user, text, tuple(blocks), via="response_url")
            )
        return True

    def view_api(self, view: View) -> JsonDict:
        ident = self.identity
        return view.to_api(team_id=ident.team_id, app_id=ident.api_app_id, bot_id=ident.bot_id)


def error(code: str, **extra: Any) -> JsonDict:
    return {"ok": False, "error": code, **extra}


def has_content(args: Mapping[str, Any]) -> bool:
    return bool(args.get("text") or args.get("blocks") or args.get("attachments"))


# ---------------------------------------------------------------------- methods


def chat_post_message(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    channel = ws.resolve_channel(str(args.get("channel", "")))
    if channel is None:
        return error("channel_not_found")
    if not has_content(args):
        return error("no_text")
    message = ws.post(
        channel,
        user=ws.identity.bot_user_id,
        text=str(args.get("text", "")),
        blocks=list(args.get("blocks") or []),
        bot_id=ws.identity.bot_id,
        thread_ts=args.get("thread_ts"),
        metadata=args.get("metadata"),
    )
    api = ws.bot_message_api(message)
    return {"ok": True, "channel": channel, "ts": message.ts, "message": api}


def chat_update(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    channel = str(args.get("channel", ""))
    message = ws.find_message(channel, str(args.get("ts", "")))
    if message is None or message.deleted:
        return error("message_not_found")
    if message.user != ws.identity.bot_user_id:
        return error("cant_update_message")
    if not has_content(args):
        return error("no_text")
    message.edits.append({"text": message.text, "blocks": message.blocks})
    message.text = str(args.get("text", ""))
    if "blocks" in args:
        message.blocks = list(args.get("blocks") or [])
    return {
        "ok": True,
        "channel": channel,
        "ts": message.ts,
        "text": message.text,
        "message": ws.bot_message_api(message),
    }


def chat_delete(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    channel = str(args.get("channel", ""))
    message = ws.find_message(channel, str(args.get("ts", "")))
    if message is None or message.deleted:
        return error("message_not_found")
    if message.user != ws.identity.bot_user_id:
        return error("cant_delete_message")
    message.deleted = True
    return {"ok": True, "channel": channel, "ts": message.ts}


def chat_post_ephemeral(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    channel = ws.resolve_channel(str(args.get("channel", "")))
    user = str(args.get("user", ""))
    if channel is None:
        return error("channel_not_found")
    if user not in ws.users:
        return error("user_not_found")
    if not has_content(args):
        return error("no_text")
    blocks = tuple(args.get("blocks") or ())
    ws.ephemerals.append(Ephemeral(channel, user, str(args.get("text", "")), blocks))
    return {"ok": True, "message_ts": ws.next_ts()}


def reactions_add(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    message = ws.find_message(str(args.get("channel", "")), str(args.get("timestamp", "")))
    if message is None or message.deleted:
        return error("message_not_found")
    name = str(args.get("name", ""))
    if name in message.reactions:
        return error("already_reacted")
    message.reactions.append(name)
    return {"ok": True}


def views_open(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    problem, user = ws.use_trigger(args.get("trigger_id"))
    if problem is not None:
        return error(problem)
    spec = args.get("view")
    if not isinstance(spec, dict) or spec.get("type") != "modal":
        return error("invalid_arguments")
    view = View(id=f"V{ws.next_number():08d}", type="modal", user=user, view=dict(spec))
    ws.views[view.id] = view
    return {"ok": True, "view": ws.view_api(view)}


def views_update(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    view = ws.views.get(str(args.get("view_id", "")))
    if view is None and args.get("external_id"):
        wanted = args["external_id"]
        view = next((v for v in ws.views.values() if v.view.get("external_id") == wanted), None)
    spec = args.get("view")
    if view is None:
        return error("not_found")
    if not isinstance(spec, dict):
        return error("invalid_arguments")
    view.history.append(view.view)
    view.view = dict(spec)
    return {"ok": True, "view": ws.view_api(view)}


def views_publish(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    user = str(args.get("user_id", ""))
    spec = args.get("view")
    if user not in ws.users:
        return error("user_not_found")
    if not isinstance(spec, dict) or spec.get("type") != "home":
        return error("invalid_arguments")
    view = ws.home_views.get(user)
    if view is None:
        view = View(id=f"V{ws.next_number():08d}", type="home", user=user, view=dict(spec))
        ws.home_views[user] = ws.views[view.id] = view
    else:
        view.history.append(view.view)
        view.view = dict(spec)
    return {"ok": True, "view": ws.view_api(view)}


def users_info(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    user = ws.users.get(str(args.get("user", "")))
    if user is None:
        return error("user_not_found")
    return {"ok": True, "user": user.to_api(ws.identity.team_id)}


def conversations_info(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    channel = ws.channels.get(str(args.get("channel", "")))
    if channel is None:
        return error("channel_not_found")
    return {"ok": True, "channel": channel.to_api()}


def conversations_open(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    users = [u for u in str(args.get("users", "")).split(",") if u]
    if len(users) != 1 or users[0] not in ws.users:
        return error("user_not_found")
    channel = ws.resolve_channel(users[0])
    return {"ok": True, "channel": {"id": channel}}


def files_info(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    file = ws.files.get(str(args.get("file", "")))
    if file is None:
        return error("file_not_found")
    ident = ws.identity
    return {"ok": True, "file": file.to_api(base_url=ws.base_url, team_id=ident.team_id)}


def files_get_upload_url_external(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    """Step 1 of Slack's external upload: a one-use URL to POST the bytes to."""
    filename, length = str(args.get("filename") or ""), str(args.get("length") or "")
    if not filename or not length.isdigit():
        return error("invalid_arguments")
    file_id = f"F{ws.next_number():08d}"
    ws.pending_uploads[file_id] = (filename, int(length), None)
    return {"ok": True, "upload_url": f"{ws.base_url}upload/v1/{file_id}", "file_id": file_id}


def receive_upload(ws: SlackWorkspace, file_id: str, data: bytes) -> bool:
    """Step 2: the bytes POSTed to the upload URL (once, and as long as announced)."""
    pending = ws.pending_uploads.get(file_id)
    if pending is None or pending[2] is not None or len(data) != pending[1]:
        return False
    ws.pending_uploads[file_id] = (pending[0], pending[1], data)
    return True


def files_complete_upload_external(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    """Step 3: the uploaded files are shared in `channel_id` under `initial_comment`."""
    try:
        wanted = json.loads(str(args.get("files") or "[]"))
    except ValueError:
        return error("invalid_arguments")
    if not isinstance(wanted, list) or not wanted:
        return error("invalid_arguments")
    channel = ws.resolve_channel(str(args.get("channel_id") or ""))
    if args.get("channel_id") and channel is None:
        return error("channel_not_found")
    ids = [str(item.get("id")) for item in wanted if isinstance(item, dict)]
    if len(ids) != len(wanted) or any(
        ws.pending_uploads.get(i, ("", 0, None))[2] is None for i in ids
    ):
        return error("file_not_found")
    files: list[SlackFile] = []
    for item in wanted:
        name, _, data = ws.pending_uploads.pop(str(item["id"]))
        assert data is not None
        bot = ws.identity.bot_user_id
        file = SlackFile(str(item["id"]), name, data, bot, filetype="yaml")
        ws.files[file.id] = file
        files.append(file)
    if channel is not None:
        ident = ws.identity
        text = str(args.get("initial_comment") or "")
        ws.post(channel, user=ident.bot_user_id, text=text, bot_id=ident.bot_id, files=files)
    ident = ws.identity
    shown = [f.to_api(base_url=ws.base_url, team_id=ident.team_id) for f in files]
    return {"ok": True, "files": shown}


def apps_connections_open(ws: SlackWorkspace, args: Mapping[str, Any]) -> JsonDict:
    ticket = f"ticket-{ws.next_number()}"
    ws.socket_tickets.add(ticket)
    ws_base = "ws" + ws.base_url.removeprefix("http")
    app_id = ws.identity.api_app_id
    return {"ok": True, "url": f"{ws_base}link/?ticket={ticket}&app_id={app_id}"}


METHODS: dict[str, Handler] = {
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.postEphemeral": chat_post_ephemeral,
    "reactions.add": reactions_add,
    "views.open": views_open,
    "views.update": views_update,
    "views.publish": views_publish,
    "users.info": users_info,
    "conversations.info": conversations_info,
    "conversations.open": conversations_open,
    "files.info": files_info,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
    "apps.connections.open": apps_connections_open,
}
