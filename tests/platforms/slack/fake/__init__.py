"""A fake Slack on 127.0.0.1 for testing the real slack-bolt app, in HTTP mode and Socket Mode.

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

Identity (`Identity`, all overridable): bot token `xoxb-fake-bot-token` (must start with `xoxb-`
or bolt will not treat it as a bot), app token `xapp-1-...`, team `T0TRIVIA`, bot user
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
  `blocks`/`view` decoded, `.token`, `.response`), `slack.calls_to("chat.update")`,
  `slack.unknown_methods` (unknown methods answer `unknown_method` and are logged).
* `slack.messages(channel)` visible messages with current text/blocks, `.edits` (previous
  versions), `.reactions`, `.all_text()` (text and blocks, for `in` checks) and
  `.visible_text()` (blocks if any, else text: what a client renders); `slack.bot_messages`,
  `slack.last_bot_message`, `slack.transcript(channel)` -> `["bob: paris", "triviabot: Correct!
  | ..."]` (typed messages from `message_event` appear too; slash commands do not, as in Slack).
  Mind that with blocks, changing only `text` in `chat.update` changes nothing visible.
* `slack.ephemerals(user)` (chat.postEphemeral and response_url posts), `slack.responses`
  (raw response_url bodies), `slack.views` / `slack.home_view(user)` (with `.history`).
  A response_url post acts like Slack's: `delete_original`/`replace_original` change the clicked
  message, `response_type: in_channel` posts for all, anything else is ephemeral to the caller.
* `await slack.wait_for_call("chat.update", lambda c: "0:05" in c["text"], after=mark)`,
  `await slack.wait_for_response(...)`, `await slack.wait_until(probe, what=...)`: woken by
  every recorded change, never polling; a timeout fails with what was seen.

Faults: `slack.rate_limit_next("chat.postMessage", retry_after=0)` answers HTTP 429 with
`Retry-After` (whole seconds: the SDK `int()`s it and sleeps `retry_after + random()`, so 0 is
accepted and still waits up to 1 s); 429s go to `slack.rate_limited_calls`, not `slack.calls`.
`instant_rate_limit_retries(monkeypatch)` removes the wait and records it.
`slack.fail_next("chat.postMessage", "channel_not_found")`. Wrong tokens get `invalid_auth` /
`not_allowed_token_type`; `chat.update` of a message that is not the bot's `cant_update_message`.

Files: `f = slack.add_file("- question: ...", name="q.yaml")`; `files.info` describes it and
`slack.message_event("here", files=[f])` shares it (subtype `file_share`);
`slack.file_api(f)["url_private_download"]` serves the bytes with `Authorization: Bearer <bot
token>` and, like real Slack, a 200 HTML sign-in page without it (`slack.file_downloads` records
which).
Uploads: `files_upload_v2` works end to end (`files.getUploadURLExternal`, a POST of the bytes
to the loopback `upload_url`, `files.completeUploadExternal`); the file is then a bot message's
attachment: `slack.shared_files("D0ADMIN")[-1].content` (a user id as channel means their DM).
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
