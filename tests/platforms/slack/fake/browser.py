"""A member's browser clicking "Add to Slack": the app's install page, Slack's authorize page,
and back to the app's redirect URL with a code.

The authorize page is the fake's (`slack.authorize_url`); who is signed in to Slack, and in
which workspace, travels in `X-Fake-Slack-*` headers the fake's page reads (a real browser
would carry Slack's session cookie). Cookies the app sets (bolt's OAuth state cookie) are
kept and sent back, as a browser does::

    visit = await add_to_slack(f"{bot}/slack/install", beta)   # beta's owner clicks Allow
    assert visit.status == 200 and visit.code is not None
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import aiohttp
from yarl import URL

if TYPE_CHECKING:
    from .handles import FakeWorkspace

#: Bounds the whole visit: three page loads on loopback.
PAGE_TIMEOUT = aiohttp.ClientTimeout(total=10.0)
HREF = re.compile(r'href="([^"]*oauth/v2/authorize[^"]*)"')


@dataclass(frozen=True, slots=True)
class InstallVisit:
    """What the browser saw: the authorize URL the app linked to, where Slack sent the browser
    back, and the app's answer to that redirect."""

    authorize_url: str
    redirect_url: str
    status: int
    body: str

    @property
    def code(self) -> str | None:
        return parse_qs(urlsplit(self.redirect_url).query).get("code", [None])[0]

    @property
    def state(self) -> str | None:
        return parse_qs(urlsplit(self.redirect_url).query).get("state", [None])[0]


async def add_to_slack(
    install_url: str,
    workspace: FakeWorkspace,
    *,
    user: str | None = None,
    org_wide: bool = False,
    allow: bool = True,
) -> InstallVisit:
    """Open the app's `install_url` in a fresh browser, follow its "Add to Slack" link to the
    fake's authorize page as `user` of `workspace` (its owner by default), click Allow (or
    Cancel, `allow=False`), and follow Slack's redirect back to the app.

    Like a browser, it keeps the cookies the app sets (bolt's `Secure` state cookie too:
    loopback origins count as secure, as browsers treat them).
    """
    origin = URL(install_url).origin()
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[origin])
    async with aiohttp.ClientSession(timeout=PAGE_TIMEOUT, cookie_jar=jar) as session:
        async with session.get(install_url, allow_redirects=False) as page:
            text = await page.text()
            location = page.headers.get("Location")
        authorize_url = location or _authorize_link(text, install_url)
        if not authorize_url.startswith(workspace.slack.authorize_url):
            raise AssertionError(
                f"the install page sends the browser to {authorize_url}, not to the fake's "
                f"authorize page {workspace.slack.authorize_url} (set the authorization URL)"
            )
        headers = {
            "X-Fake-Slack-Team": workspace.team_id,
            "X-Fake-Slack-User": user or workspace.default_user,
            "X-Fake-Slack-Org-Wide": "1" if org_wide else "0",
            "X-Fake-Slack-Allow": "1" if allow else "0",
        }
        async with session.get(authorize_url, headers=headers, allow_redirects=False) as slack:
            refusal = await slack.text()
            redirect_url = slack.headers.get("Location")
        if slack.status != 302 or redirect_url is None:
            raise AssertionError(f"Slack's authorize page answered {slack.status}: {refusal}")
        async with session.get(redirect_url, allow_redirects=False) as answer:
            body = await answer.text()
    return InstallVisit(authorize_url, redirect_url, answer.status, body)


def _authorize_link(page: str, install_url: str) -> str:
    found = HREF.search(page)
    if found is None:
        raise AssertionError(f"{install_url} shows no link to Slack's authorize page: {page!r}")
    return html.unescape(found.group(1))
