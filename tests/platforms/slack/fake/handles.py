"""What a test holds for one workspace: arranging it, building its requests, reading it back.

`WorkspaceTools` works on `self.workspace`; `FakeSlack` mixes it in for its default workspace
and `FakeWorkspace` for any workspace `FakeSlack.add_workspace` made, so
`beta.slash_command(...)`, `beta.add_user(...)` and `beta.transcript()` read like their
`slack.` counterparts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .payloads import SlackPayloads
from .records import ApiCall, Ephemeral, JsonDict, Message, SlackChannel, SlackFile, SlackUser, View
from .tokens import Grant, Token

if TYPE_CHECKING:
    from .server import FakeSlack


class WorkspaceTools(SlackPayloads):
    """Arranging and inspecting `self.workspace` (mixed into `FakeSlack` and `FakeWorkspace`)."""

    # ------------------------------------------------------------------ arranging

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        *,
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        home_team: str | None = None,
    ) -> SlackUser:
        """`slack.add_user("U0DAN", "dan", is_admin=True)`; replaces a member with that id.
        `home_team` makes them a Slack Connect guest: `users.info` names their own team."""
        user = SlackUser(
            user_id,
            name or user_id.lower(),
            is_admin=is_admin,
            is_owner=is_owner,
            is_bot=is_bot,
            home_team=home_team,
        )
        return self.workspace.add_user(user)

    def add_channel(
        self, channel_id: str, name: str | None = None, *, is_private: bool = False
    ) -> SlackChannel:
        channel = SlackChannel(channel_id, name or channel_id.lower(), is_private=is_private)
        self.workspace.channels[channel_id] = channel
        return channel

    def add_file(
        self,
        content: bytes | str,
        *,
        name: str = "questions.yaml",
        user: str | None = None,
        filetype: str = "yaml",
        mimetype: str = "text/plain",
    ) -> SlackFile:
        """A file `user` shared; `files.info` describes it and its `url_private` serves it."""
        ws = self.workspace
        data = content.encode() if isinstance(content, str) else content
        owner = user or ws.default_user
        file = SlackFile(f"F{ws.next_number():08d}", name, data, owner, filetype, mimetype)
        ws.files[file.id] = file
        return file

    # ------------------------------------------------------------------ inspecting

    def messages(self, channel: str | None = None) -> list[Message]:
        """Visible messages in `channel` (users' and the bot's), oldest first, as edited."""
        return self.workspace.channel_messages(channel or self.workspace.default_channel)

    def bot_messages(self, channel: str | None = None) -> list[Message]:
        bot = self.workspace.identity.bot_user_id
        return [m for m in self.messages(channel) if m.user == bot]

    def last_bot_message(self, channel: str | None = None) -> Message:
        found = self.bot_messages(channel)
        if not found:
            where = channel or self.workspace.default_channel
            raise AssertionError(f"the bot has posted nothing visible in {where}")
        return found[-1]

    def transcript(self, channel: str | None = None) -> list[str]:
        """`["bob: paris", "triviabot: Correct! | ...", ...]`: each visible message as a client
        renders it (`Message.visible_text`, block texts joined by " | ")."""
        users = self.workspace.users

        def line(m: Message) -> str:
            who = users[m.user].name if m.user in users else m.user
            return f"{who}: {' | '.join(m.visible_text().splitlines())}"

        return [line(m) for m in self.messages(channel)]

    def ephemerals(self, user: str | None = None) -> list[Ephemeral]:
        """Ephemeral messages (chat.postEphemeral and response_url), for `user` or everyone."""
        return [e for e in self.workspace.ephemerals if user is None or e.user == user]

    @property
    def views(self) -> dict[str, View]:
        """Modals and Home tabs by view id."""
        return self.workspace.views

    def file_api(self, file: SlackFile) -> JsonDict:
        """The file object Slack shows the app (`url_private_download` serves the content)."""
        ws = self.workspace
        return file.to_api(base_url=ws.base_url, team_id=ws.team_id)

    def shared_files(self, channel: str) -> list[SlackFile]:
        """Files the bot shared in `channel` (external uploads), oldest first."""
        return [f for m in self.bot_messages(channel) for f in m.files]

    def home_view(self, user: str) -> View | None:
        return self.workspace.home_views.get(user)

    def answer_submission(self, view_id: str, response: Mapping[str, Any] | None) -> None:
        """Apply the app's ack of a view submission to the modal, as Slack does: `update`
        replaces it, `errors` shows each message under its input block (the modal stays
        open), anything else closes it. Like Slack, refuses (fails the test) `errors`
        naming a block that is no input of the modal, or an `update` that is no modal."""
        view = self.workspace.views[view_id]
        action = (response or {}).get("response_action")
        view.errors = {}
        if action == "update":
            replacement = (response or {}).get("view")
            assert isinstance(replacement, dict), "response_action update needs a view"
            assert replacement.get("type") == "modal", "response_action update needs a modal"
            view.history.append(view.view)
            view.view = dict(replacement)
        elif action == "errors":
            errors = dict((response or {}).get("errors") or {})
            inputs = {b.get("block_id") for b in view.blocks if b.get("type") == "input"}
            unknown = set(errors) - inputs
            assert not unknown, f"errors for blocks that are no input of the modal: {unknown}"
            view.errors = {str(k): str(v) for k, v in errors.items()}
        else:
            view.closed = True


class FakeWorkspace(WorkspaceTools):
    """One workspace of a `FakeSlack`, as `slack.add_workspace(...)` returns it.

    Besides the builders and inspectors: `team_id`, `enterprise_id`, `bot_user_id`, the
    `installation` reaching it (None until installed), `bot_token` (the newest bot token
    that works here), `tokens` (every token of every installation reaching it) and `calls`
    (the Web API calls answered for it).
    """

    def __init__(self, slack: FakeSlack, team_id: str) -> None:
        self.slack = slack
        self.workspace = slack.installs.workspaces[team_id]

    def __repr__(self) -> str:
        return f"<FakeWorkspace {self.team_id} {self.name!r}>"

    @property
    def team_id(self) -> str:
        return self.workspace.team_id

    @property
    def name(self) -> str:
        return self.workspace.team_name

    @property
    def domain(self) -> str:
        return self.workspace.identity.team_domain

    @property
    def enterprise_id(self) -> str | None:
        return self.workspace.enterprise_id

    @property
    def bot_user_id(self) -> str:
        return self.workspace.identity.bot_user_id

    @property
    def bot_id(self) -> str:
        grant = self.installation
        return grant.bot_id if grant is not None else self.workspace.identity.bot_id

    @property
    def default_channel(self) -> str:
        return self.workspace.default_channel

    @property
    def default_user(self) -> str:
        return self.workspace.default_user

    @property
    def installation(self) -> Grant | None:
        return self.workspace.installation

    @property
    def bot_token(self) -> str:
        """The newest bot token that works in this workspace (its own or its org's)."""
        grant = self.installation
        token = None if grant is None else self.slack.installs.book.current(grant, "bot")
        if token is None:
            raise AssertionError(f"the app has no working bot token in {self.team_id}")
        return token.value

    @property
    def refresh_token(self) -> str | None:
        """The unspent bot refresh token of the installation here (token rotation)."""
        grant = self.installation
        token = None if grant is None else self.slack.installs.book.latest_refresh(grant)
        return None if token is None else token.value

    @property
    def tokens(self) -> list[Token]:
        """Every token of every installation that reaches this workspace, oldest first."""
        return list(self.slack.installs.tokens_of(self.team_id))

    @property
    def calls(self) -> list[ApiCall]:
        """Web API calls answered for this workspace, in order."""
        return [c for c in self.slack.calls if c.team_id == self.team_id]
