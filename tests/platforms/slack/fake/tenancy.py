"""`FakeSlack`'s many-workspace side: workspaces and orgs, installs, OAuth, uninstalls, delivery.

A mixin for `FakeSlack` (see the package docstring for a transcript). It only arranges and
drives; the rules live in `installs.py` (who may call what, the OAuth v2 flow) and
`tokens.py` (issuing, rotating, revoking), the HTTP side in `server.py` and `delivery.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from .delivery import Delivery, HttpDelivery
from .handles import FakeWorkspace
from .http_driver import Signature
from .installs import FakeEnterprise, Installations
from .oauth import OAuthApp
from .records import SlackChannel, SlackRequest, SlackUser
from .socket_mode import Envelope, SocketModeEndpoint
from .tokens import Grant, Refresh, SlackClock
from .workspace import Identity, SlackWorkspace

if TYPE_CHECKING:
    from .server import FakeSlack

WorkspaceRef = FakeWorkspace | SlackWorkspace | str


class Tenancy:
    """Mixin: several workspaces, Enterprise Grid orgs, installs and HTTP delivery."""

    identity: Identity
    workspace: SlackWorkspace
    installs: Installations
    clock: SlackClock
    http: HttpDelivery
    socket: SocketModeEndpoint
    base_url: str
    _notify: Callable[[], Any]
    socket_send: Callable[..., Any]

    # ------------------------------------------------------------------ workspaces and orgs

    def add_enterprise(
        self, name: str, *, enterprise_id: str | None = None, domain: str | None = None
    ) -> FakeEnterprise:
        """An Enterprise Grid org (`E0<NAME>`); add its workspaces with `enterprise_id=`."""
        tag = tag_of(name)
        org = FakeEnterprise(
            id=enterprise_id or f"E0{tag}",
            name=name,
            domain=domain or slug(name),
            bot_user_id=f"W0{tag}BOT",
            bot_id=f"B0{tag}ORG",
        )
        if org.id in self.installs.enterprises:
            raise ValueError(f"there already is an org {org.id}")
        self.installs.enterprises[org.id] = org
        return org

    def add_workspace(
        self,
        name: str,
        *,
        team_id: str | None = None,
        domain: str | None = None,
        enterprise_id: str | None = None,
        installed: bool = False,
    ) -> FakeWorkspace:
        """A workspace with its own team id (`T0<NAME>`), an owner (`U0<NAME>OWNER`, the
        builders' default user) and `#general` (`C0<NAME>GEN`, the default channel).

        `enterprise_id` puts it in that Enterprise Grid org (made if new); there users are
        `W...` and the app's bot user is the org's. `installed=True` installs the app at once
        (as the owner approved it), for tests that want `beta.bot_token` without OAuth.
        """
        tag = tag_of(name)
        org = None
        if enterprise_id is not None:
            org = self.installs.enterprises.get(enterprise_id)
            if org is None:
                org = self.add_enterprise(enterprise_id, enterprise_id=enterprise_id)
        people = "W" if org is not None else "U"
        identity = Identity(
            bot_token="",
            app_token=self.identity.app_token,
            team_id=team_id or f"T0{tag}",
            team_domain=domain or slug(name),
            bot_user_id=org.bot_user_id if org is not None else f"U0{tag}BOT",
            bot_id=f"B0{tag}BOT",
            bot_name=self.identity.bot_name,
            api_app_id=self.identity.api_app_id,
            scopes=self.identity.scopes,
        )
        owner = SlackUser(
            f"{people}0{tag}OWNER", f"{slug(name)}-owner", is_admin=True, is_owner=True
        )
        general = SlackChannel(f"C0{tag}GEN", "general")
        ws = SlackWorkspace(
            identity,
            base_url=self.base_url,
            trigger_ttl=self.workspace.trigger_ttl,
            team_name=name,
            enterprise_id=None if org is None else org.id,
            enterprise_name=None if org is None else org.name,
            default_user=owner.id,
            default_channel=general.id,
            counter=self.workspace.counter,
        )
        bot = SlackUser(identity.bot_user_id, identity.bot_name, is_bot=True)
        for user in (bot, owner):
            ws.add_user(user)
        ws.channels[general.id] = general
        self.installs.add(ws)
        handle = FakeWorkspace(self._fake(), ws.team_id)
        if installed:
            self.install(handle)
        return handle

    @property
    def workspaces(self) -> dict[str, FakeWorkspace]:
        """Every workspace by team id, the default one (`T0TRIVIA`) first."""
        return {t: FakeWorkspace(self._fake(), t) for t in self.installs.workspaces}

    @property
    def default(self) -> FakeWorkspace:
        """The default workspace as a `FakeWorkspace` (the same one `slack.` builders use)."""
        return FakeWorkspace(self._fake(), self.workspace.team_id)

    @property
    def enterprises(self) -> dict[str, FakeEnterprise]:
        return self.installs.enterprises

    # ------------------------------------------------------------------ installing

    @property
    def oauth(self) -> OAuthApp:
        """The app's OAuth settings (client id and secret, redirect URLs, token rotation);
        change them between steps, e.g. `slack.oauth.redirect_urls.append(url)`."""
        return self.installs.app

    @property
    def authorize_url(self) -> str:
        """Slack's authorize page, served by the fake (bolt's `authorization_url`)."""
        return f"{self.base_url}oauth/v2/authorize"

    def install(
        self,
        workspace: WorkspaceRef,
        *,
        user: str | None = None,
        scopes: str | None = None,
        user_scopes: str = "",
        org_wide: bool = False,
    ) -> Grant:
        """Install the app in `workspace` (its whole org with `org_wide`) without OAuth."""
        ws = self._ws(workspace)
        grant, _, _ = self.installs.install(
            ws,
            user=user or ws.default_user,
            scopes=self.identity.scopes if scopes is None else scopes,
            user_scopes=user_scopes,
            org_wide=org_wide,
        )
        return grant

    def approve_install(
        self,
        workspace: WorkspaceRef,
        *,
        user: str | None = None,
        scopes: str | None = None,
        user_scopes: str = "",
        redirect_uri: str | None = None,
        state: str | None = None,
        org_wide: bool = False,
    ) -> str:
        """`user` (the owner by default) clicks Allow on Slack's authorize page in `workspace`:
        returns the URL Slack sends the browser to, `redirect_uri?code=...&state=...`.

        The code is single-use; the app redeems it with `oauth.v2.access`. `org_wide` asks
        for an organisation-wide install (the user must be an admin or owner). Raises
        `OAuthRefusal` where Slack would show an error page (bad redirect URL, no scopes).
        """
        ws = self._ws(workspace)
        return self.installs.approve(
            ws,
            user=user or ws.default_user,
            client_id=self.installs.app.client_id,
            scopes=self.identity.scopes if scopes is None else scopes,
            user_scopes=user_scopes,
            redirect_uri=redirect_uri,
            state=state,
            org_wide=org_wide,
        )

    @property
    def refreshes(self) -> list[Refresh]:
        """Every successful token refresh (`team_id`, `enterprise_id`, `at`, tokens), in order."""
        return self.installs.book.refreshes

    # ------------------------------------------------------------------ uninstalling

    async def uninstall(self, workspace: WorkspaceRef) -> list[SlackRequest]:
        """Remove the app from `workspace` (from the whole org, if the installation reaching it
        is org-wide): every token of that installation is revoked at once, then the app is
        told with `tokens_revoked` (naming the bot and installer whose tokens were still
        live, skipped if none was) and `app_uninstalled`, in that order (Slack does not
        promise one), by signed HTTP POST after `spread_over(...)`, else over Socket Mode.
        Returns the requests sent; the replies are in `deliveries` / `socket_acks`."""
        ws = self._ws(workspace)
        grant = self._installed(ws)
        self._check_reachable()
        live = [t for t in self.installs.book.of(grant) if t.revoked_at is None]
        handle = FakeWorkspace(self._fake(), ws.team_id)
        bots = [grant.bot_user_id] if any(t.kind == "bot" for t in live) else []
        users = [grant.installer] if any(t.kind == "user" for t in live) else []
        requests = [handle.tokens_revoked(bot=bots, oauth=users)] if bots or users else []
        requests.append(handle.app_uninstalled())
        self.installs.uninstall(grant)
        for request in requests:
            await self._push(request)
        return requests

    async def revoke_tokens(
        self, workspace: WorkspaceRef, *, bot: bool = True, user: bool = True
    ) -> SlackRequest:
        """Revoke the installation's bot and/or user tokens (with their refresh tokens) and
        send `tokens_revoked`; the app stays installed."""
        ws = self._ws(workspace)
        grant = self._installed(ws)
        self._check_reachable()
        book = self.installs.book
        kinds = {k for k, wanted in (("bot", bot), ("user", user)) if wanted}
        doomed = [t for t in book.of(grant) if t.kind in kinds or t.renews in kinds]
        revoked = book.revoke(doomed)
        request = FakeWorkspace(self._fake(), ws.team_id).tokens_revoked(
            bot=[grant.bot_user_id] if any(t.kind == "bot" for t in revoked) else [],
            oauth=[grant.installer] if any(t.kind == "user" for t in revoked) else [],
        )
        await self._push(request)
        return request

    # ------------------------------------------------------------------ HTTP delivery

    def spread_over(self, urls: str | Sequence[str], *, signing_secret: str) -> None:
        """Send requests to the app's request URL(s): each `deliver` goes to the next one in
        turn (a round-robin front for replicas); a single URL is one process."""
        self.http.spread_over(urls, signing_secret=signing_secret)

    async def deliver(
        self,
        request: SlackRequest,
        *,
        target: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        signature: Signature = "valid",
        timestamp: int | None = None,
    ) -> Delivery:
        """POST `request` signed, as Slack does, to `target` or the next request URL."""
        delivery = await self.http.deliver(
            request,
            target=target,
            retry_num=retry_num,
            retry_reason=retry_reason,
            signature=signature,
            timestamp=timestamp,
        )
        await self._notify()
        return delivery

    async def redeliver(
        self, request: SlackRequest, *, retry_num: int = 1, retry_reason: str = "http_timeout"
    ) -> Delivery:
        """Slack's retry of `request` (same body, same event id), with `X-Slack-Retry-Num`
        and `X-Slack-Retry-Reason`, to the next request URL: a retry may land elsewhere."""
        return await self.deliver(request, retry_num=retry_num, retry_reason=retry_reason)

    @property
    def deliveries(self) -> list[Delivery]:
        return self.http.deliveries

    # ------------------------------------------------------------------ internals

    def _fake(self) -> FakeSlack:
        return cast("FakeSlack", self)

    def _ws(self, workspace: WorkspaceRef) -> SlackWorkspace:
        if isinstance(workspace, FakeWorkspace):
            return workspace.workspace
        if isinstance(workspace, SlackWorkspace):
            return workspace
        found = self.installs.workspaces.get(workspace)
        if found is None:
            known = sorted(self.installs.workspaces)
            raise KeyError(f"no workspace {workspace}; there are {known}")
        return found

    def _installed(self, ws: SlackWorkspace) -> Grant:
        if ws.installation is None:
            raise AssertionError(f"the app is not installed in {ws.team_id}")
        return ws.installation

    def _check_reachable(self) -> None:
        if not self.http.configured and not self.socket.connections:
            raise AssertionError(
                "nowhere to send events: call slack.spread_over([...]) or connect Socket Mode"
            )

    async def _push(self, request: SlackRequest) -> None:
        """An event Slack sends on its own: over HTTP if configured, else Socket Mode."""
        if self.http.configured:
            await self.deliver(request)
            return
        envelope: Envelope = await self.socket_send(request)
        await envelope


def tag_of(name: str) -> str:
    """`"Beta Corp"` -> `"BETACORP"`: the part of generated ids that names the workspace."""
    tag = re.sub(r"[^A-Z0-9]", "", name.upper())
    if not tag:
        raise ValueError(f"{name!r} makes no id: use letters or digits")
    return tag[:12]


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "workspace"
