"""A fake Slack on 127.0.0.1 for testing the real slack-bolt app, in HTTP mode and Socket Mode,
in one workspace or many, installed by hand or through Slack's OAuth v2 flow.

Pure aiohttp: it imports neither slack_bolt nor slack_sdk, so it fakes the wire, not the SDK.

Wiring the app to it
--------------------
Neither slack-bolt nor slack-sdk reads an API base from the environment; give the client one::

    async with FakeSlack() as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url,
                                retry_handlers=[AsyncRateLimitErrorRetryHandler()])
        app = AsyncApp(client=client, signing_secret=SECRET)

`slack.api_url` is `http://127.0.0.1:PORT/api/` (the SDK urljoins the method name onto it). The
same client covers Socket Mode: `apps.connections.open` (called with `slack.app_token`) answers a
`ws://127.0.0.1:PORT/link/?ticket=...` URL, one use per ticket.

Identity of the default workspace (`Identity`, all overridable), where the app comes
pre-installed: bot token `xoxb-fake-bot-token` (must start with `xoxb-` or bolt's single-token
mode will not treat it as a bot), app token `xapp-1-...`, team `T0TRIVIA`, bot user
`U0TRIVIABOT`, bot id `B0TRIVIABOT`, app `A0TRIVIA`. Members: alice `U0ALICE` and bob `U0BOB`
(plain), ada `U0ADMIN` (`is_admin`), olga `U0OWNER` (owner and admin); `slack.add_user(...)` adds
more, and any user id a builder names becomes a plain member. Channels `C0TRIVIA` (the builders'
default) and `C0GENERAL`; builders create any channel they name; a user id as `channel` in
`chat.postMessage` means that user's DM (`D...`).

Sending what Slack sends
------------------------
Builders on the fake return a `SlackRequest`, usable in either mode::

    slack.slash_command("/trivia", "start science", user="U0ALICE")
    slack.message_event("paris", user="U0BOB")        # also lands in the channel history
    slack.block_action(message=question, label="Paris", user="U0BOB")   # click a real button
    slack.view_submission(slack.views[view_id], {"q_block": {"q_input": "What is 2+2?"}})
    slack.app_home_opened(user="U0ALICE")
    slack.bot_echo(message)                           # Slack echoing the bot's own post
    slack.event({...inner event...}); slack.url_verification()

`block_action` looks the element up in the message's (or view's) blocks by `action_id` or visible
`label`, so clicking a button that is not there fails at once; payloads carry a `trigger_id`
(one `views.open` each, expires after `trigger_ttl` = 3 s like Slack's) and a `response_url`
served by the fake.

HTTP mode: `async with serve_app(app.web_app()) as url, SlackHttpDriver(url, SECRET) as http:`
then `status, body, elapsed = await http.post(request)`. Options: `signature="bad"|"missing"`,
`timestamp=int(time.time()) - 301` (stale), `retry_num=1, retry_reason="http_timeout"`.
`reply.json()` parses e.g. a view_submission's `{"response_action": "errors", ...}`.
The listener runs after bolt acks, so wait for its effects (below), never sleep.

Socket Mode: `await handler.connect_async()` (bolt's `AsyncSocketModeHandler`, aiohttp client),
then `envelope = await slack.socket_send(request)` and `ack = await envelope` -> `SocketAck`
whose `payload` is what the app passed to `ack(...)` (None for a bare ack).
`socket_send(..., retry_attempt=1, retry_reason="timeout")` redelivers an event (a first delivery
carries `retry_attempt: 0` as Slack's does, which bolt turns into `x-slack-retry-num: 0`: treat
"0" as "not a retry");
`slack.socket_request_reconnect()` sends Slack's `disconnect`. Pings are answered and counted
(`slack.socket.pings`). Call `await handler.close_async()` before the fake closes, otherwise the
SDK keeps trying to reconnect.

Inspecting and waiting
----------------------
* `slack.calls` (every answered Web API call: `.method`, `.args` merged from query/form/JSON with
  `blocks`/`view` decoded, `.token`, `.response`, `.error`; `.token_state`: what the token was
  then, "valid", "expired", "revoked", "unknown" or "none"; `.team_id`/`.enterprise_id`: the
  workspace the call acted in), `slack.calls_to("chat.update")`, `beta.calls` (one
  workspace's), `slack.unknown_methods` (unknown methods answer `unknown_method`, logged).
* `slack.messages(channel)` visible messages with current text/blocks, `.edits` (previous
  versions), `.reactions`, `.all_text()` (text and blocks, for `in` checks) and
  `.visible_text()` (blocks if any, else text: what a client renders); `slack.bot_messages`,
  `slack.last_bot_message`, `slack.transcript(channel)` -> `["bob: paris", "triviabot: Correct!
  | ..."]` (typed messages from `message_event` appear too; slash commands do not, as in Slack).
  Mind that with blocks, changing only `text` in `chat.update` changes nothing visible.
* `slack.ephemerals(user)` (chat.postEphemeral and response_url posts), `slack.responses`
  (raw response_url bodies), `slack.views` / `slack.home_view(user)` (with `.history`).
  `slack.answer_submission(view_id, ack_payload)` applies the app's ack of a view submission
  as Slack does (`update` replaces the modal, `errors` sets `view.errors` and keeps it open,
  refusing a block that is no input; anything else sets `view.closed`); the bot harness
  calls it for every submission it sends.
  A response_url post acts like Slack's: `delete_original`/`replace_original` change the clicked
  message, `response_type: in_channel` posts for all, anything else is ephemeral to the caller.
* `await slack.wait_for_call("chat.update", lambda c: "0:05" in c["text"], after=mark)`,
  `await slack.wait_for_response(...)`, `await slack.wait_until(probe, what=...)`: woken by
  every recorded change, never polling; a timeout fails with what was seen.

Faults: `slack.rate_limit_next("chat.postMessage", retry_after=0)` answers HTTP 429 with
`Retry-After` (whole seconds: the SDK `int()`s it and sleeps `retry_after + random()`, so 0 is
accepted and still waits up to 1 s); 429s go to `slack.rate_limited_calls`, not `slack.calls`.
`instant_rate_limit_retries(monkeypatch)` removes the wait and records it.
`slack.fail_next("chat.postMessage", "channel_not_found")`. Tokens: none `not_authed`, unknown
`invalid_auth`, revoked `token_revoked`, expired `token_expired`, the wrong kind (`xapp-` for
the Web API, `xoxb-` for `apps.connections.open`, a refresh token for anything)
`not_allowed_token_type`/`invalid_auth`; a channel of another workspace `channel_not_found`.
`chat.update` of a message that is not the bot's answers `cant_update_message`.
Slack's rate limits are enforced only with `FakeSlack(rate_limits=True)` (or a `RateLimits`
from `limits`, e.g. `RateLimits(time_scale=10)` for a bot on a clock 10 times faster): per
method per workspace by tier (`chat.update` Tier 3 50/min, `chat.postEphemeral` Tier 4
100/min, ...), `chat.postMessage` 1/s per channel and 300/min per workspace, each a token
bucket; over one, HTTP 429 with `Retry-After`, counted in `slack.limits.hits` by scope.
Otherwise 429s come only from `rate_limit_next` (any workspace). Each call records when it
was answered (`ApiCall.at`, `time.monotonic()`). A response_url takes five posts, as Slack's
does; a sixth answers 404.

Files: `f = slack.add_file("- question: ...", name="q.yaml")`; `files.info` describes it and
`slack.message_event("here", files=[f])` shares it (subtype `file_share`);
`slack.file_api(f)["url_private_download"]` serves the bytes with `Authorization: Bearer <bot
token>` (one that works in the file's workspace) and, like real Slack, a 200 HTML sign-in page
without it (`slack.file_downloads` records which).
Uploads: `files_upload_v2` works end to end (`files.getUploadURLExternal`, a POST of the bytes
to the loopback `upload_url`, `files.completeUploadExternal`); the file is then a bot message's
attachment: `slack.shared_files("D0ADMIN")[-1].content` (a user id as channel means their DM).

Several workspaces, Enterprise Grid
-----------------------------------
`beta = slack.add_workspace("Beta")` is a `FakeWorkspace`: team `T0BETA`, owner `U0BETAOWNER`
(admin; the builders' default user), `#general` `C0BETAGEN` (the default channel), bot user
`U0BETABOT`; not installed until a test says so (`installed=True`, `slack.install(beta)`, or
OAuth below). It has the fake's builders and inspectors for its own ids
(`beta.slash_command(...)`, `beta.add_user(...)`, `beta.transcript()`), plus `beta.bot_token`
(the newest bot token that works there), `beta.refresh_token`, `beta.tokens` (every token of
every installation reaching it, with `.kind`, `.expires_at`, `.state(now)`), `beta.installation`
(a `Grant`) and `beta.calls`. `slack.workspaces` maps team ids to handles, the default
workspace (`slack.default`) included; the builders on `slack` itself speak for the default one.
Ids come from one counter, so messages, views and response URLs never collide across
workspaces; keep the ids you choose unique too, as Slack's are.

Enterprise Grid: `slack.add_enterprise("Acme")` is org `E0ACME` (bot user `W0ACMEBOT`);
`slack.add_workspace("East", enterprise_id="E0ACME")` puts a workspace in it (members are `W...`,
the app's bot user is the org's). An org-wide install (`slack.install(east, org_wide=True)`,
`approve_install(..., org_wide=True)` by an admin or owner) gives one token for every workspace
of the org: it acts in the workspace its call's `team_id` names, else the one owning the
channel/user/trigger/view/file it names, and nowhere outside the org. Payloads from an org
workspace carry `enterprise_id`/`enterprise`, `authorizations[0].enterprise_id` and
`is_enterprise_install` as Slack sends them; `oauth.v2.access` answers `team: null` for an
org-wide install and `auth.test` answers `team_id: null`, `enterprise_id`, the org's URL.

Installing through OAuth v2
---------------------------
The app's settings are `slack.oauth` (`OAuthApp`: `client_id`, `client_secret`,
`redirect_urls`, `token_rotation`, `token_lifetime`; pass one as `FakeSlack(oauth=...)`).
Point bolt at the fake's authorize page and API::

    settings = AsyncOAuthSettings(client_id=slack.oauth.client_id,
        client_secret=slack.oauth.client_secret, scopes=[...], installation_store=store,
        state_store=states, authorization_url=slack.authorize_url)
    app = AsyncApp(client=AsyncWebClient(base_url=slack.api_url), signing_secret=SECRET,
                   installation_store=store, oauth_settings=settings)
    async with serve_app(app.web_app(), path="") as base:
        slack.oauth.redirect_urls.append(f"{base}/slack/oauth_redirect")
        visit = await add_to_slack(f"{base}/slack/install", beta)   # beta's owner clicks Allow
        assert visit.status == 200                 # bolt's "thank you" page
        beta.bot_token                             # 'xoxb-T0BETA-0002-fake'

`add_to_slack` is the member's browser: the app's install page, its link to
`slack.authorize_url` (an assertion names the URL if the link goes anywhere else), Allow (or
`allow=False`: `?error=access_denied`), and back to the redirect URL with `code` and `state`,
keeping the app's cookies. Without a browser, `slack.approve_install(beta, redirect_uri=...,
state=...)` returns that redirect URL. A code is single-use and lives 10 minutes; the exchange
(`oauth.v2.access`, client id and secret by HTTP Basic auth as slack_sdk sends them, or form
fields) must repeat the `redirect_uri` of the authorize request if it named one. Refusals, as
Slack names them: `invalid_client_id`, `bad_client_secret`, `invalid_code`, `bad_redirect_uri`,
`invalid_grant_type`, `invalid_refresh_token`, `cannot_install_an_org_installed_app`; the
authorize page raises `OAuthRefusal` (`bad_redirect_uri`, `no_scopes`, ...) or answers 400.
Under `filterwarnings = error`, slack_sdk 3.48's `aiohttp.BasicAuth` (deprecated in aiohttp
3.14) turns bolt's code exchange into a 500: ignore "BasicAuth is deprecated" from slack_sdk,
as test_fake_oauth.py does.

Token rotation: with `OAuthApp(token_rotation=True)`, installs and refreshes hand out
`xoxe.xoxb-1-...` access tokens that expire after `token_lifetime` seconds (43,200 on Slack;
choose 600 to make bolt refresh at once, then 43,200 so it refreshes once) and `xoxe-1-...`
refresh tokens. `grant_type=refresh_token` spends the refresh token (a second use answers
`invalid_refresh_token`) and returns a new pair; the previous access token keeps working until
it expires, but at most two access tokens of an installation stay valid (the oldest extra one is
revoked). `slack.refreshes` records each refresh (`team_id`, `enterprise_id`, `at`, `spent`,
`access_token`): `[r.team_id for r in slack.refreshes] == ["T0BETA"]` is one refresh there.
Expiry runs on `slack.clock` (wall time plus an offset): `slack.clock.advance(601)` makes a
600-second token answer `token_expired`, while the bot's own clock still thinks it fresh.

Uninstalling
------------
`await slack.uninstall(beta)` revokes every token of the installation reaching `beta` (the
whole org's for an org-wide one), then sends `tokens_revoked` (the bot user and installer whose
tokens were live) and `app_uninstalled`; `await slack.revoke_tokens(beta, bot=True,
user=False)` revokes some and sends `tokens_revoked` only. Both go as signed HTTP POSTs when
`spread_over` was called, else over the Socket Mode connection (acked before returning); the
requests come back, the replies are in `slack.deliveries` / `slack.socket_acks`.

Delivering over HTTP, to one process or to replicas
--------------------------------------------------
`slack.spread_over([url1, url2, url3], signing_secret=SECRET)` makes Slack's side of HTTP mode a
round-robin front: `await slack.deliver(beta.message_event("paris"))` signs the request and
POSTs it to the next URL in turn (`target=` picks one), returning a `Delivery` (`.target`,
`.reply`, `.team_id`); `await slack.redeliver(request, retry_num=1, retry_reason=
"http_timeout")` resends it with `X-Slack-Retry-Num`/`X-Slack-Retry-Reason`, to the next replica
as a load balancer would. A transcript of two workspaces::

    alpha, beta = slack.add_workspace("Alpha"), slack.add_workspace("Beta")
    for ws in (alpha, beta):
        await add_to_slack(f"{base}/slack/install", ws)
    slack.spread_over(f"{base}/slack/events", signing_secret=SECRET)
    await slack.deliver(beta.slash_command("/trivia", "start"))
    beta.transcript()            # ['triviabot: ...']: only beta's channel moved
    {c.token for c in beta.calls if c.token} <= {t.value for t in beta.tokens}   # True
    await slack.uninstall(beta)  # tokens_revoked + app_uninstalled POSTed, signed
    [c for c in slack.calls if c.token_state == "revoked"]   # [] unless the bot slipped

`SlackHttpDriver` remains for a test that wants one URL and no recording.

What Slack documents, and where the fake departs from it
-------------------------------------------------------
* docs.slack.dev/authentication/using-token-rotation: tokens expire every 12 hours; "Refresh
  tokens are designed to be used once. After calling `oauth.v2.access`, the refresh token you
  used is revoked after a short grace period"; "Calling `oauth.v2.access` will not immediately
  invalidate your existing access token"; a limit of 2 active tokens, the oldest extra revoked;
  the refresh answer's fields (`xoxe.xoxb-1-...`, `expires_in`, `refresh_token`, `token_type`,
  `scope`, `bot_user_id`, `app_id`, `team`, `enterprise`). The fake has no grace period: a
  spent refresh token is refused at once (stricter than Slack).
* api.slack.com/enterprise/apps/reference: the org-wide `oauth.v2.access` answer (`team: null`,
  `enterprise`, `is_enterprise_install: true`) and `authorizations` in events;
  api.slack.com/enterprise/apps/changes-apis: org-wide tokens name the workspace with `team_id`.
  `auth.test` of an org-wide token (`team_id: null`) follows what clients observe; Slack's page
  shows no sample.
* api.slack.com/events/app_uninstalled and /events/tokens_revoked: the payloads; "the order of
  the app_uninstalled and tokens_revoked events are not guaranteed"; `tokens` lists user ids
  by kind (`oauth`, `bot`), never tokens.
* The `oauth.v2.access` reference (and `oauth.v2.user.access`'s, for Basic auth being preferred
  for the client credentials): its errors as listed above. The 10-minute code lifetime is
  RFC 6749's recommendation, not a number Slack publishes; which redirect URLs Slack accepts is
  simplified (a registered prefix, or any when none is registered).
"""

from .browser import InstallVisit, add_to_slack
from .delivery import Delivery, HttpDelivery
from .handles import FakeWorkspace
from .http_driver import HttpReply, SlackHttpDriver, serve_app, slack_headers, slack_signature
from .installs import FakeEnterprise
from .oauth import OAuthApp, OAuthRefusal
from .payloads import DEFAULT_CHANNEL, DEFAULT_USER, SlackPayloads
from .records import (
    ApiCall,
    Ephemeral,
    Message,
    ResponseUrlPost,
    SlackChannel,
    SlackFile,
    SlackRequest,
    SlackUser,
    SocketAck,
    View,
)
from .sdk_patches import instant_rate_limit_retries
from .server import FakeSlack
from .socket_mode import Envelope
from .tokens import Grant, Refresh, SlackClock, Token
from .workspace import Identity

__all__ = [
    "DEFAULT_CHANNEL",
    "DEFAULT_USER",
    "ApiCall",
    "Delivery",
    "Envelope",
    "Ephemeral",
    "FakeEnterprise",
    "FakeSlack",
    "FakeWorkspace",
    "Grant",
    "HttpDelivery",
    "HttpReply",
    "Identity",
    "InstallVisit",
    "Message",
    "OAuthApp",
    "OAuthRefusal",
    "Refresh",
    "ResponseUrlPost",
    "SlackChannel",
    "SlackClock",
    "SlackFile",
    "SlackHttpDriver",
    "SlackPayloads",
    "SlackRequest",
    "SlackUser",
    "SocketAck",
    "Token",
    "View",
    "add_to_slack",
    "instant_rate_limit_retries",
    "serve_app",
    "slack_headers",
    "slack_signature",
]
