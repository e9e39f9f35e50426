"""Builders for what Slack sends an app: slash commands, events, button clicks, modal submits.

Each builder returns a `SlackRequest` that `SlackHttpDriver.post` signs and POSTs (HTTP mode) or
`FakeSlack.socket_send` wraps in an envelope (Socket Mode). The builders also keep the fake
workspace consistent: a user who types exists in `users.info`, a typed message appears in the
channel's history, every trigger_id can open one modal, every response_url is served.

Every builder speaks for `self.workspace`: its team id, its Enterprise Grid org (if any:
`enterprise_id`, `enterprise`, `authorizations[0].enterprise_id`) and whether the installation
reaching it is org-wide (`is_enterprise_install`), as Slack fills them in. `user`/`channel`
default to the workspace's `default_user`/`default_channel` (alice and #trivia in the default
workspace).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from .records import JsonDict, Message, SlackFile, SlackRequest, View, iter_elements
from .workspace import ResponseTarget, SlackWorkspace

DEFAULT_USER = "U0ALICE"
DEFAULT_CHANNEL = "C0TRIVIA"

InputValue = str | Mapping[str, Any] | None


class SlackPayloads:
    """Mixin for `FakeSlack`: request builders that read and update `self.workspace`."""

    workspace: SlackWorkspace

    # ------------------------------------------------------------------ slash commands

    def slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user: str | None = None,
        channel: str | None = None,
    ) -> SlackRequest:
        """`/trivia start science` typed by `user` in `channel`."""
        ws, ident = self.workspace, self.workspace.identity
        member = ws.ensure_user(user or ws.default_user)
        room = ws.ensure_channel(channel or ws.default_channel)
        fields = {
            "token": "legacy-verification-token",
            "team_id": ident.team_id,
            "team_domain": ident.team_domain,
            "channel_id": room.id,
            "channel_name": "directmessage" if room.is_im else room.name,
            "user_id": member.id,
            "user_name": member.name,
            "command": command,
            "text": text,
            "api_app_id": ident.api_app_id,
            "is_enterprise_install": "true" if ws.is_enterprise_install else "false",
            "response_url": ws.new_response_url(ResponseTarget(room.id, member.id)),
            "trigger_id": ws.issue_trigger(member.id),
        }
        if ws.enterprise_id is not None:
            fields["enterprise_id"] = ws.enterprise_id
            fields["enterprise_name"] = ws.enterprise_name or ""
        return SlackRequest("slash_commands", fields)

    # ------------------------------------------------------------------ Events API

    def event(self, event: Mapping[str, Any], *, event_id: str | None = None) -> SlackRequest:
        """Wrap any inner event in the `event_callback` envelope Slack sends."""
        ws, ident = self.workspace, self.workspace.identity
        body: JsonDict = {
            "token": "legacy-verification-token",
            "team_id": ident.team_id,
            "api_app_id": ident.api_app_id,
            "event": dict(event),
            "type": "event_callback",
            "event_id": event_id or f"Ev{ws.next_number():08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": ws.enterprise_id,
                    "team_id": ident.team_id,
                    "user_id": ident.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": ws.is_enterprise_install,
                }
            ],
            "is_ext_shared_channel": False,
        }
        if ws.enterprise_id is not None:
            body |= {
                "enterprise_id": ws.enterprise_id,
                "context_team_id": ident.team_id,
                "context_enterprise_id": ws.enterprise_id,
            }
        return SlackRequest("events_api", body)

    def message_event(
        self,
        text: str,
        *,
        user: str | None = None,
        channel: str | None = None,
        thread_ts: str | None = None,
        files: Sequence[SlackFile] = (),
        event_id: str | None = None,
    ) -> SlackRequest:
        """`user` types `text` in `channel`; the message also lands in the channel history."""
        ws = self.workspace
        room = ws.ensure_channel(channel or ws.default_channel)
        user = ws.ensure_user(user or ws.default_user).id
        message = ws.post(room.id, user=user, text=text, thread_ts=thread_ts)
        inner: JsonDict = {
            "type": "message",
            "channel": room.id,
            "user": user,
            "text": text,
            "ts": message.ts,
            "event_ts": message.ts,
            "channel_type": "im" if room.is_im else "channel",
            "team": ws.identity.team_id,
        }
        if thread_ts is not None:
            inner["thread_ts"] = thread_ts
        if files:
            inner["subtype"] = "file_share"
            ident = ws.identity
            inner["files"] = [f.to_api(base_url=ws.base_url, team_id=ident.team_id) for f in files]
        return self.event(inner, event_id=event_id)

    def bot_echo(self, message: Message) -> SlackRequest:
        """The event Slack delivers for a message the bot itself posted (bolt must drop it)."""
        inner = {**message.to_api(self.workspace.identity.team_id), "channel": message.channel}
        inner |= {"event_ts": message.ts, "channel_type": "channel"}
        return self.event(inner)

    def app_home_opened(self, *, user: str | None = None, tab: str = "home") -> SlackRequest:
        ws = self.workspace
        user = ws.ensure_user(user or ws.default_user).id
        inner: JsonDict = {
            "type": "app_home_opened",
            "user": user,
            "channel": ws.ensure_channel("D" + user[1:]).id,
            "tab": tab,
            "event_ts": ws.next_ts(),
        }
        published = ws.home_views.get(user)
        if published is not None:
            inner["view"] = ws.view_api(published)
        return self.event(inner)

    def url_verification(self, challenge: str = "fake-challenge") -> SlackRequest:
        return SlackRequest(
            "events_api", {"token": "legacy", "challenge": challenge, "type": "url_verification"}
        )

    def app_uninstalled(self) -> SlackRequest:
        """What Slack sends when the app is removed from this workspace (api.slack.com/events/
        app_uninstalled: an inner event with nothing but its type)."""
        return self.event({"type": "app_uninstalled"})

    def tokens_revoked(self, *, bot: Sequence[str] = (), oauth: Sequence[str] = ()) -> SlackRequest:
        """Slack's `tokens_revoked`: user ids, not tokens, keyed by the kind of token revoked
        (`oauth` for user tokens, `bot` for bot tokens), as api.slack.com/events/tokens_revoked
        shows it."""
        tokens: JsonDict = {}
        if oauth:
            tokens["oauth"] = list(oauth)
        if bot:
            tokens["bot"] = list(bot)
        return self.event({"type": "tokens_revoked", "tokens": tokens})

    # ------------------------------------------------------------------ interactivity

    def block_action(
        self,
        action_id: str | None = None,
        value: str | None = None,
        *,
        label: str | None = None,
        message: Message | None = None,
        view: View | None = None,
        user: str | None = None,
        channel: str | None = None,
        block_id: str | None = None,
    ) -> SlackRequest:
        """`user` clicks (or picks from) an element of `message` or `view`.

        With a `message` or `view`, the element is looked up by `action_id` or by its visible
        `label`, and the payload carries its real block_id, type, text and value: clicking a
        button that is not there fails the test here, not later. Without either, a bare
        action with `action_id`/`value` is sent from a message nobody can see. `user`
        defaults to the view's owner, else the workspace's default user (alice).
        """
        ws, ident = self.workspace, self.workspace.identity
        viewer = view.user if view is not None else ""
        member = ws.ensure_user(user or viewer or ws.default_user)
        blocks = message.blocks if message is not None else (view.blocks if view else None)
        if blocks is None:
            if action_id is None:
                raise ValueError("block_action needs action_id, or a message/view to click in")
            element: JsonDict = {"type": "button", "action_id": action_id}
        else:
            block_id, element = find_element(blocks, action_id=action_id, label=label)
        action = action_payload(element, block_id=block_id, value=value, ts=ws.next_ts())
        payload: JsonDict = {
            "type": "block_actions",
            "user": user_payload(member.id, member.name, ident.team_id),
            "api_app_id": ident.api_app_id,
            "token": "legacy-verification-token",
            "trigger_id": ws.issue_trigger(member.id),
            "team": team_payload(ws),
            "enterprise": enterprise_payload(ws),
            "is_enterprise_install": ws.is_enterprise_install,
            "state": {"values": {}},
            "actions": [action],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.id}
            payload["view"] = ws.view_api(view)
            return SlackRequest("interactive", payload)
        room = ws.ensure_channel(
            message.channel if message is not None else channel or ws.default_channel
        )
        shown = message or Message(room.id, ws.next_ts(), ident.bot_user_id, bot_id=ident.bot_id)
        payload["container"] = {
            "type": "message",
            "message_ts": shown.ts,
            "channel_id": room.id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": room.id, "name": room.name}
        payload["message"] = shown.to_api(ident.team_id)
        target = ResponseTarget(room.id, member.id, message_ts=shown.ts)
        payload["response_url"] = ws.new_response_url(target)
        return SlackRequest("interactive", payload)

    def view_submission(
        self,
        view: View | str,
        values: Mapping[str, Mapping[str, InputValue]] | None = None,
        *,
        user: str | None = None,
    ) -> SlackRequest:
        """`user` presses Submit on a modal; `values` is {block_id: {action_id: value}}.

        `view` is a `View` the app opened (then every block/action id is checked against it,
        blank inputs arrive as None like Slack sends them, and `user` defaults to whoever
        opened it) or just a callback_id.
        """
        ws, ident = self.workspace, self.workspace.identity
        if isinstance(view, str):
            view = View(
                id=f"V{ws.next_number():08d}",
                type="modal",
                user=user or ws.default_user,
                view={"type": "modal", "callback_id": view, "blocks": []},
            )
        member = ws.ensure_user(user or view.user or ws.default_user)
        state = submitted_state(view, values or {})
        payload = {
            "type": "view_submission",
            "team": team_payload(ws),
            "user": user_payload(member.id, member.name, ident.team_id),
            "api_app_id": ident.api_app_id,
            "token": "legacy-verification-token",
            "trigger_id": ws.issue_trigger(member.id),
            "view": {**ws.view_api(view), "state": {"values": state}},
            "response_urls": [],
            "is_enterprise_install": ws.is_enterprise_install,
            "enterprise": enterprise_payload(ws),
        }
        return SlackRequest("interactive", payload)


def user_payload(user_id: str, name: str, team_id: str) -> JsonDict:
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def team_payload(ws: SlackWorkspace) -> JsonDict:
    """An interaction's `team`; on Enterprise Grid it also names the org."""
    team: JsonDict = {"id": ws.team_id, "domain": ws.identity.team_domain}
    if ws.enterprise_id is not None:
        team |= {"enterprise_id": ws.enterprise_id, "enterprise_name": ws.enterprise_name}
    return team


def enterprise_payload(ws: SlackWorkspace) -> JsonDict | None:
    if ws.enterprise_id is None:
        return None
    return {"id": ws.enterprise_id, "name": ws.enterprise_name}


def find_element(
    blocks: Sequence[JsonDict], *, action_id: str | None, label: str | None
) -> tuple[str | None, JsonDict]:
    """The (block_id, element) a user would click, by action_id or visible label."""
    seen: list[str] = []
    for block_id, element in iter_elements(blocks):
        text = element.get("text", {})
        shown = text.get("text") if isinstance(text, Mapping) else None
        seen.append(f"{element['action_id']!r} ({shown!r})")
        if action_id is not None and element["action_id"] != action_id:
            continue
        if label is not None and shown != label and not has_option(element, label):
            continue
        return block_id, element
    wanted = f"action_id={action_id!r}" if action_id is not None else f"label={label!r}"
    raise AssertionError(f"no element with {wanted}; the blocks have: {', '.join(seen) or 'none'}")


def has_option(element: Mapping[str, Any], label: str) -> bool:
    return any(option_text(o) == label or o.get("value") == label for o in options(element))


def options(element: Mapping[str, Any]) -> list[JsonDict]:
    return list(element.get("options", ()))


def option_text(option: Mapping[str, Any]) -> str:
    text = option.get("text", {})
    return str(text.get("text", "")) if isinstance(text, Mapping) else str(text)


def action_payload(
    element: Mapping[str, Any], *, block_id: str | None, value: str | None, ts: str
) -> JsonDict:
    """The `actions[0]` entry Slack sends for a click on `element`."""
    action: JsonDict = {
        "type": element.get("type", "button"),
        "action_id": element["action_id"],
        "block_id": block_id or f"block-{element['action_id']}",
        "action_ts": ts,
    }
    if "text" in element:
        action["text"] = element["text"]
    if element.get("options"):
        wanted = value
        chosen = next(
            (o for o in options(element) if wanted in (o.get("value"), option_text(o))), None
        )
        if chosen is None:
            raise AssertionError(f"{element['action_id']!r} has no option {wanted!r}")
        action["selected_option"] = chosen
    else:
        action["value"] = value if value is not None else element.get("value")
    return action


def submitted_state(
    view: View, values: Mapping[str, Mapping[str, InputValue]]
) -> dict[str, dict[str, JsonDict]]:
    """`view.state.values` as Slack sends it: every input block, blank ones as None."""
    inputs = {
        block["block_id"]: block["element"]
        for block in view.blocks
        if block.get("type") == "input" and "block_id" in block and "element" in block
    }
    state: dict[str, dict[str, JsonDict]] = {}
    for block_id, element in inputs.items():
        action_id = element.get("action_id", "")
        state[block_id] = {action_id: input_state(element, None)}
    for block_id, by_action in values.items():
        for action_id, value in by_action.items():
            element = inputs.get(block_id)
            if view.blocks and (element is None or element.get("action_id") != action_id):
                known = sorted(f"{b}/{e.get('action_id')}" for b, e in inputs.items())
                raise AssertionError(
                    f"view {view.callback_id!r} has no input {block_id}/{action_id}; it has {known}"
                )
            state.setdefault(block_id, {})[action_id] = input_state(element or {}, value)
    return state


def input_state(element: Mapping[str, Any], value: InputValue) -> JsonDict:
    kind = str(element.get("type", "plain_text_input"))
    if isinstance(value, Mapping):
        return {"type": kind, **value}
    if element.get("options"):
        chosen = next(
            (o for o in options(element) if value in (o.get("value"), option_text(o))), None
        )
        return {"type": kind, "selected_option": chosen}
    return {"type": kind, "value": value}
