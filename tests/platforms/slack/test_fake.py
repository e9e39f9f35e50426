"""The fake Slack, proven against the real slack-bolt `AsyncApp` in HTTP mode and Socket Mode.

The app here is a stand-in written for these tests (the bot's adapter is tested elsewhere): it
exercises every path the adapter will use, so a green run means the fake speaks Slack's wire
format as bolt and slack-sdk expect it.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.platforms.slack.fake import (
    FakeSlack,
    HttpReply,
    SlackHttpDriver,
    instant_rate_limit_retries,
    serve_app,
    slack_signature,
)
from tests.platforms.slack.fake.limits import RateLimits

SECRET = "fake-signing-secret"
ALICE, BOB, CHANNEL = "U0ALICE", "U0BOB", "C0TRIVIA"

QUESTION_BLOCKS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Q1.* Capital of France?"}},
    {
        "type": "actions",
        "block_id": "choices",
        "elements": [
            {
                "type": "button",
                "action_id": "answer-0",
                "text": {"type": "plain_text", "text": "Paris"},
                "value": "paris",
            },
            {
                "type": "button",
                "action_id": "answer-1",
                "text": {"type": "plain_text", "text": "London"},
                "value": "london",
            },
        ],
    },
]

ADD_QUESTION_MODAL = {
    "type": "modal",
    "callback_id": "add_question",
    "private_metadata": CHANNEL,
    "title": {"type": "plain_text", "text": "Add a question"},
    "submit": {"type": "plain_text", "text": "Add"},
    "blocks": [
        {
            "type": "input",
            "block_id": "question",
            "label": {"type": "plain_text", "text": "Question"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        },
        {
            "type": "input",
            "block_id": "answer",
            "label": {"type": "plain_text", "text": "Answer"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        },
    ],
}


def build_app(slack: FakeSlack, *, retry_handlers: Sequence[AsyncRetryHandler] = ()) -> AsyncApp:
    """A small trivia-shaped bolt app that uses every Slack feature the adapter will."""
    client = AsyncWebClient(
        token=slack.bot_token, base_url=slack.api_url, retry_handlers=list(retry_handlers)
    )
    app = AsyncApp(client=client, signing_secret=SECRET)

    @app.command("/trivia")
    async def trivia(
        ack: Any, command: dict[str, Any], say: Any, respond: Any, client: Any
    ) -> None:
        match command["text"].split():
            case ["start"]:
                await ack()
                posted = await say(text="Q1. Capital of France?", blocks=QUESTION_BLOCKS)
                await client.chat_update(
                    channel=posted["channel"],
                    ts=posted["ts"],
                    text="Q1. Capital of France? (10 s left)",
                    blocks=QUESTION_BLOCKS,
                )
            case ["help"]:
                await ack()
                await respond("Usage: /trivia start | stop | add")
            case ["add"]:
                await ack()
                await client.views_open(trigger_id=command["trigger_id"], view=ADD_QUESTION_MODAL)
            case _:
                await ack(f"Unknown subcommand {command['text']!r}")

    @app.event("message")
    async def typed_answer(event: dict[str, Any], say: Any, request: Any) -> None:
        # Socket Mode sends retry_attempt 0 on a first delivery; bolt passes it on as "0".
        retry = request.headers.get("x-slack-retry-num", ["0"])[0]
        redelivery = f" (redelivery {retry})" if retry != "0" else ""
        await say(f"<@{event['user']}> guessed {event['text']!r}{redelivery}")

    @app.action({"block_id": "choices"})
    async def clicked(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        who = body["user"]["name"]
        await respond(replace_original=True, text=f"{who} answered {action['value']}")

    @app.view("add_question")
    async def add_question(ack: Any, view: dict[str, Any], client: Any) -> None:
        values = view["state"]["values"]
        question = values["question"]["text"]["value"]
        if not question:
            await ack(response_action="errors", errors={"question": "Write a question"})
            return
        await ack()
        await client.chat_postMessage(channel=view["private_metadata"], text=f"Added: {question}")

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], client: Any) -> None:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Your score: 0"}}]
        await client.views_publish(user_id=event["user"], view={"type": "home", "blocks": blocks})

    return app


# ---------------------------------------------------------------------- fixtures


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def http(slack: FakeSlack) -> AsyncIterator[SlackHttpDriver]:
    """The stand-in app served over HTTP, and a driver that POSTs to it as Slack would."""
    async with (
        serve_app(build_app(slack).web_app()) as url,
        SlackHttpDriver(url, SECRET) as driver,
    ):
        yield driver


@pytest.fixture
async def socket_app(slack: FakeSlack) -> AsyncIterator[AsyncSocketModeHandler]:
    """The stand-in app connected over Socket Mode with the app-level token."""
    handler = AsyncSocketModeHandler(build_app(slack), app_token=slack.app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    try:
        yield handler
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]


def acked_fast(reply: HttpReply) -> bool:
    return reply.status == 200 and reply.elapsed < 3.0


# ---------------------------------------------------------------------- HTTP mode


async def test_signed_slash_command_is_acked_and_its_say_and_update_reach_the_channel(
    slack: FakeSlack, http: SlackHttpDriver
) -> None:
    reply = await http.post(slack.slash_command("/trivia", "start", user=ALICE))

    update = await slack.wait_for_call("chat.update")
    assert acked_fast(reply)
    assert reply.body == ""
    assert update["text"].endswith("(10 s left)")
    question = slack.last_bot_message()
    assert question.text == "Q1. Capital of France? (10 s left)"
    assert question.edits == [{"text": "Q1. Capital of France?", "blocks": QUESTION_BLOCKS}]
    # The countdown edit changed only the notification text, which nobody sees next to blocks.
    assert slack.transcript() == ["triviabot: *Q1.* Capital of France? | Paris | London"]


async def test_respond_to_a_slash_command_is_an_ephemeral_for_the_caller_only(
    slack: FakeSlack, http: SlackHttpDriver
) -> None:
    await http.post(slack.slash_command("/trivia", "help", user=BOB))

    post = await slack.wait_for_response()
    assert post.body["text"] == "Usage: /trivia start | stop | add"
    assert [e.text for e in slack.ephemerals(BOB)] == ["Usage: /trivia start | stop | add"]
    assert slack.ephemerals(ALICE) == []
    assert slack.messages() == []


async def test_text_given_to_ack_comes_back_in_the_http_response(
    slack: FakeSlack, http: SlackHttpDriver
) -> None:
    reply = await http.post(slack.slash_command("/trivia", "dance"))

    assert reply.status == 200
    assert reply.body == "Unknown subcommand 'dance'"


async def test_typed_answer_reaches_the_message_listener_and_its_reply_lands(
    slack: FakeSlack, http: SlackHttpDriver
) -> None:
    reply = await http.post(slack.message_event("paris!", user=BOB))

    await slack.wait_for_call("chat.postMessage")
    assert acked_fast(reply)
    assert slack.transcript() == ["bob: paris!", "triviabot: <@U0BOB> guessed 'paris!'"]


async def test_bots_own_message_is_dropped_using_the_ids_from_auth_test(
    slack: FakeSlack, http: SlackHttpDriver
) -> None:
    await http.post(slack.message_event("hello", user=ALICE))
    await slack.wait_for_call("chat.postMessage")

    echo = await http.post(slack.bot_echo(slack.last_bot_message()))
    await http.post(slack.message_event("paris", user=BOB))

    # Had bolt answered its own echo, that reply would have been posted before Bob's.
    await slack.wait_for_call("chat.postMessage", lambda c: "U0BOB" in c["text"])
    assert echo.status == 200
    assert len(slack.calls_to("auth.test")) == 1
    assert [c["text"] for c in slack.calls_to("chat.postMessage")] == [
        "<@U0ALICE> guessed 'hello'",
        "<@U0BOB> guessed 'paris'",
    ]


async def test_redelivered_event_carries_retry_headers_and_the_same_event_id(
    slack: FakeSlack, http: SlackHttpDriver
) -> None:
    guess = slack.message_event("paris", user=BOB)

    await http.post(guess)
    await slack.wait_for_call("chat.postMessage")
    await http.post(guess, retry_num=1, retry_reason="http_timeout")

    # bolt does not deduplicate: both deliveries are handled (the adapter must keep event ids).
    await slack.wait_for_call("chat.postMessage", lambda c: "redelivery" in c["text"])
    assert slack.transcript() == [
        "bob: paris",
        "triviabot: <@U0BOB> guessed 'paris'",
        "triviabot: <@U0BOB> guessed 'paris' (redelivery 1)",
    ]


async def test_button_click_is_acked_and_respond_replaces_the_question(
    slack: FakeSlack, http: SlackHttpDriver
) -> None:
    await http.post(slack.slash_command("/trivia", "start", user=ALICE))
    await slack.wait_for_call("chat.update")
    question = slack.last_bot_message()

    reply = await http.post(slack.block_action(message=question, label="Paris", user=BOB))

    post = await slack.wait_for_response()
    assert acked_fast(reply)
    assert post.body == {"text": "bob answered paris", "replace_original": True}
    assert slack.transcript() == ["triviabot: bob answered paris"]
    assert len(question.edits) == 2


def test_clicking_a_button_that_is_not_on_the_message_fails_in_the_builder(
    slack: FakeSlack,
) -> None:
    slack.workspace.post(CHANNEL, user=slack.bot_user_id, text="Q", blocks=QUESTION_BLOCKS)

    with pytest.raises(AssertionError, match=r"label='Rome'.*'answer-0' \('Paris'\)"):
        slack.block_action(message=slack.last_bot_message(), label="Rome")


async def test_modal_opened_from_a_command_answers_a_blank_submit_with_inline_errors(
    slack: FakeSlack, http: SlackHttpDriver
) -> None:
    await http.post(slack.slash_command("/trivia", "add", user=ALICE))
    opened = await slack.wait_for_call("views.open")
    modal = slack.views[opened.response["view"]["id"]]

    blank = await http.post(slack.view_submission(modal, {"answer": {"text": "4"}}))
    filled = await http.post(
        slack.view_submission(modal, {"question": {"text": "2+2?"}, "answer": {"text": "4"}})
    )

    await slack.wait_for_call("chat.postMessage")
    assert modal.user == ALICE
    assert blank.json() == {"response_action": "errors", "errors": {"question": "Write a question"}}
    assert (filled.status, filled.body) == (200, "")
    assert slack.transcript() == ["triviabot: Added: 2+2?"]


async def test_opening_the_home_tab_publishes_a_view_for_that_user(
    slack: FakeSlack, http: SlackHttpDriver
) -> None:
    await http.post(slack.app_home_opened(user=BOB))

    await slack.wait_for_call("views.publish")
    home = slack.home_view(BOB)
    assert home is not None
    assert home.all_text() == "Your score: 0"


@pytest.mark.parametrize(
    ("signature", "age"),
    [("bad", 0), ("missing", 0), ("valid", 301)],
    ids=["wrong-secret", "unsigned", "older-than-5-minutes"],
)
async def test_unverifiable_request_is_refused_with_401_before_any_listener_runs(
    slack: FakeSlack, http: SlackHttpDriver, signature: Any, age: int
) -> None:
    reply = await http.post(
        slack.slash_command("/trivia", "start"),
        signature=signature,
        timestamp=int(time.time()) - age,
    )

    assert reply.status == 401
    assert slack.calls == []


def test_signature_matches_slacks_documented_example() -> None:
    # From Slack's "Verifying requests from Slack" guide.
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
        b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
        b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
        b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    signature = slack_signature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body)

    assert signature == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


async def test_rate_limited_post_is_retried_after_the_retry_after_header(
    slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits = instant_rate_limit_retries(monkeypatch)
    app = build_app(slack, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
    slack.rate_limit_next("chat.postMessage", retry_after=2)

    async with serve_app(app.web_app()) as url, SlackHttpDriver(url, SECRET) as http:
        await http.post(slack.message_event("paris", user=BOB))
        await slack.wait_for_call("chat.postMessage")

    assert waits == [2.0]
    assert [c.status for c in slack.rate_limited_calls] == [429]
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert slack.transcript()[-1] == "triviabot: <@U0BOB> guessed 'paris'"


async def test_rate_limit_without_a_retry_handler_raises_ratelimited(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    slack.rate_limit_next("chat.postMessage")

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=CHANNEL, text="too fast")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "0"
    assert raised.value.response["error"] == "ratelimited"


async def test_with_limits_on_a_channel_takes_a_short_burst_of_posts_then_says_retry_after() -> (
    None
):
    # A frozen clock: nothing refills while the test runs.
    limits = RateLimits(monotonic=lambda: 100.0)
    async with FakeSlack(rate_limits=limits) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        for n in range(3):
            await client.chat_postMessage(channel=CHANNEL, text=f"post {n}")
        with pytest.raises(SlackApiError) as raised:
            await client.chat_postMessage(channel=CHANNEL, text="one too many")
        await client.chat_postMessage(channel="C0GENERAL", text="another channel is free")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    assert limits.hits == {f"{slack.team_id}/{CHANNEL} chat.postMessage": 1}


async def test_with_limits_on_edits_are_a_tier_3_budget_for_the_whole_workspace() -> None:
    now = [100.0]
    limits = RateLimits(monotonic=lambda: now[0])
    async with FakeSlack(rate_limits=limits) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        posted = [
            (await client.chat_postMessage(channel=channel, text="q"))["ts"]
            for channel in (CHANNEL, "C0GENERAL")
        ]
        # Half a minute's worth (25) at once, spread over two channels: the bucket is shared.
        for n in range(25):
            await client.chat_update(channel=CHANNEL, ts=posted[0], text=f"edit {n}")
        with pytest.raises(SlackApiError) as raised:
            await client.chat_update(channel="C0GENERAL", ts=posted[1], text="over")
        now[0] += 60 / 50  # one more call's worth of refill at 50 a minute
        await client.chat_update(channel="C0GENERAL", ts=posted[1], text="refilled")

    assert raised.value.response.headers["Retry-After"] == "2"  # 1.2 s, whole seconds up
    assert limits.hits == {f"{slack.team_id} chat.update": 1}


# ---------------------------------------------------------------------- Socket Mode


async def test_socket_mode_connects_with_the_app_token_and_answers_pings(
    slack: FakeSlack, socket_app: AsyncSocketModeHandler
) -> None:
    await slack.wait_until(lambda: slack.socket.pings or None, what="the SDK's first ping")

    (opened,) = slack.calls_to("apps.connections.open")
    assert opened.token == slack.app_token
    assert slack.socket.connections_opened == 1


async def test_socket_mode_slash_command_is_acked_with_its_payload_and_handled(
    slack: FakeSlack, socket_app: AsyncSocketModeHandler
) -> None:
    start = await slack.socket_send_slash_command("/trivia", "start", user=ALICE)
    dance = await slack.socket_send_slash_command("/trivia", "dance", user=ALICE)

    assert (await start).payload is None
    assert (await dance).payload == {"text": "Unknown subcommand 'dance'"}
    await slack.wait_for_call("chat.update")
    assert slack.last_bot_message().text.endswith("(10 s left)")


async def test_socket_mode_event_is_acked_and_handled(
    slack: FakeSlack, socket_app: AsyncSocketModeHandler
) -> None:
    envelope = await slack.socket_send(slack.message_event("london", user=BOB))

    ack = await envelope
    await slack.wait_for_call("chat.postMessage")
    assert ack.envelope_id == envelope.envelope_id
    assert slack.transcript() == ["bob: london", "triviabot: <@U0BOB> guessed 'london'"]


async def test_socket_mode_redelivery_carries_the_retry_attempt(
    slack: FakeSlack, socket_app: AsyncSocketModeHandler
) -> None:
    guess = slack.message_event("london", user=BOB)

    await slack.socket_send(guess, retry_attempt=2, retry_reason="timeout")

    await slack.wait_for_call("chat.postMessage")
    assert slack.transcript()[-1] == "triviabot: <@U0BOB> guessed 'london' (redelivery 2)"


async def test_socket_mode_view_submission_errors_come_back_in_the_ack(
    slack: FakeSlack, socket_app: AsyncSocketModeHandler
) -> None:
    await slack.socket_send_slash_command("/trivia", "add", user=ALICE)
    opened = await slack.wait_for_call("views.open")
    modal = slack.views[opened.response["view"]["id"]]

    ack = await (await slack.socket_send(slack.view_submission(modal)))

    assert ack.payload == {"response_action": "errors", "errors": {"question": "Write a question"}}


async def test_socket_mode_reconnects_when_slack_asks_it_to(
    slack: FakeSlack, socket_app: AsyncSocketModeHandler
) -> None:
    await slack.socket_request_reconnect()

    await slack.wait_until(lambda: slack.socket.connections_opened == 2 or None)
    ack = await (await slack.socket_send(slack.message_event("rome", user=BOB)))
    assert ack.payload is None
    assert len(slack.calls_to("apps.connections.open")) == 2


# ---------------------------------------------------------------------- the fake's own rules


async def test_socket_endpoint_says_hello_answers_pings_and_takes_each_ticket_once(
    slack: FakeSlack,
) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    url = (await client.apps_connections_open(app_token=slack.app_token))["url"]

    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url, autoping=False) as ws:
            hello = await ws.receive_json()
            await ws.ping(b"sdk-ping-pong:1")
            pong = await ws.receive()
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await session.ws_connect(url)

    assert hello["type"] == "hello"
    assert hello["connection_info"] == {"app_id": "A0TRIVIA"}
    assert (pong.type, pong.data) == (aiohttp.WSMsgType.PONG, b"sdk-ping-pong:1")
    assert slack.socket.pings == 1


async def test_unknown_method_and_wrong_token_are_refused_like_slack_does(
    slack: FakeSlack,
) -> None:
    bot = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    app_level = AsyncWebClient(token=slack.app_token, base_url=slack.api_url)

    with pytest.raises(SlackApiError, match="unknown_method"):
        await bot.api_call("trivia.dance")
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        await app_level.chat_postMessage(channel=CHANNEL, text="hi")
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        await bot.apps_connections_open(app_token=slack.bot_token)

    assert slack.unknown_methods == ["trivia.dance"]


async def test_form_encoded_call_with_the_token_in_the_body_is_understood(
    slack: FakeSlack,
) -> None:
    form = {
        "token": slack.bot_token,
        "channel": CHANNEL,
        "text": "Q1",
        "blocks": json.dumps(QUESTION_BLOCKS),
    }

    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{slack.api_url}chat.postMessage", data=form) as response,
    ):
        answer = await response.json()

    (call,) = slack.calls
    assert answer["ok"] is True
    assert call.token == slack.bot_token
    assert "token" not in call.args
    assert call["blocks"] == QUESTION_BLOCKS
    assert slack.last_bot_message().blocks == QUESTION_BLOCKS


async def test_ephemeral_delete_and_channel_info_behave_like_slack(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    posted = await client.chat_postMessage(channel=CHANNEL, text="Q1")

    await client.chat_postEphemeral(channel=CHANNEL, user=BOB, text="Only admins can stop")
    await client.chat_delete(channel=CHANNEL, ts=posted["ts"])
    info = await client.conversations_info(channel=CHANNEL)

    assert [e.text for e in slack.ephemerals(BOB)] == ["Only admins can stop"]
    assert slack.messages() == []
    assert info["channel"]["name"] == "trivia"
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.conversations_info(channel="C0NOWHERE")


async def test_users_info_reports_admins_and_owners(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    slack.add_user("U0DAN", "dan", is_admin=True)

    dan = (await client.users_info(user="U0DAN"))["user"]
    olga = (await client.users_info(user="U0OWNER"))["user"]
    alice = (await client.users_info(user=ALICE))["user"]
    bot = (await client.users_info(user=slack.bot_user_id))["user"]

    assert (dan["is_admin"], dan["is_owner"]) == (True, False)
    assert (olga["is_admin"], olga["is_owner"]) == (True, True)
    assert (alice["is_admin"], alice["is_bot"]) == (False, False)
    assert bot["is_bot"] is True


async def test_shared_file_downloads_only_with_the_bot_token(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    file = slack.add_file("- question: 2+2?\n  answer: 4\n", name="maths.yaml")
    shared = slack.message_event("my questions", files=[file])

    info = (await client.files_info(file=file.id))["file"]
    assert shared.payload["event"]["files"] == [info]
    async with aiohttp.ClientSession() as session:
        url = info["url_private_download"]
        auth = {"Authorization": f"Bearer {slack.bot_token}"}
        async with session.get(url, headers=auth) as authorized:
            content = await authorized.text()
        async with session.get(url) as anonymous:
            login_page = await anonymous.text()

    assert content == "- question: 2+2?\n  answer: 4\n"
    assert anonymous.status == 200
    assert "Sign in" in login_page
    assert slack.file_downloads == [(file.id, True), (file.id, False)]


async def test_files_upload_v2_shares_the_file_in_the_channel_it_names(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)

    done = await client.files_upload_v2(
        channel="U0ALICE", filename="bank.yaml", content="id: x\n", initial_comment="here"
    )

    (shared,) = slack.shared_files("D0ALICE")
    assert (shared.name, shared.content, shared.user) == (
        "bank.yaml",
        b"id: x\n",
        slack.bot_user_id,
    )
    assert done["file"]["id"] == shared.id
    assert slack.bot_messages("D0ALICE")[-1].text == "here"
    assert [c.method for c in slack.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


async def test_an_upload_is_completed_only_once_its_bytes_arrived(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    url = await client.files_getUploadURLExternal(filename="a.yaml", length=3)
    files = [{"id": url["file_id"], "title": "a.yaml"}]

    with pytest.raises(SlackApiError, match="file_not_found"):
        await client.files_completeUploadExternal(files=files, channel_id="C0TRIVIA")
    async with aiohttp.ClientSession() as session:
        async with session.post(url["upload_url"], data=b"too long") as wrong_length:
            pass
        async with session.post(url["upload_url"], data=b"abc") as right:
            answer = await right.text()
    await client.files_completeUploadExternal(files=files, channel_id="C0TRIVIA")

    assert (wrong_length.status, right.status, answer) == (404, 200, "OK - 3")
    assert [f.content for f in slack.shared_files("C0TRIVIA")] == [b"abc"]


async def test_views_open_needs_a_fresh_trigger_id_and_each_opens_one_modal(
    slack: FakeSlack,
) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    trigger = slack.slash_command("/trivia", "add").trigger_id

    await client.views_open(trigger_id=trigger, view=ADD_QUESTION_MODAL)
    with pytest.raises(SlackApiError, match="invalid_trigger_id"):
        await client.views_open(trigger_id=trigger, view=ADD_QUESTION_MODAL)


async def test_a_trigger_id_older_than_the_ttl_has_expired() -> None:
    async with FakeSlack(trigger_ttl=0) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        trigger = slack.slash_command("/trivia", "add").trigger_id

        with pytest.raises(SlackApiError, match="expired_trigger_id"):
            await client.views_open(trigger_id=trigger, view=ADD_QUESTION_MODAL)


async def test_click_on_a_home_tab_button_comes_from_the_view(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    button = {
        "type": "button",
        "action_id": "leaderboard",
        "text": {"type": "plain_text", "text": "Leaderboard"},
    }
    home = {
        "type": "home",
        "blocks": [{"type": "actions", "block_id": "nav", "elements": [button]}],
    }
    await client.views_publish(user_id=ALICE, view=home)
    published = slack.home_view(ALICE)
    assert published is not None

    click = slack.block_action(view=published, label="Leaderboard")

    assert click.payload["container"] == {"type": "view", "view_id": published.id}
    assert click.payload["actions"][0]["block_id"] == "nav"
    assert click.payload["user"]["id"] == ALICE
    assert "response_url" not in click.payload


async def test_chat_update_of_someone_elses_message_is_refused(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    slack.message_event("paris", user=BOB)
    guess = slack.messages()[-1]

    with pytest.raises(SlackApiError, match="cant_update_message"):
        await client.chat_update(channel=CHANNEL, ts=guess.ts, text="London")

    assert guess.text == "paris"


async def test_wait_for_call_fails_with_what_it_saw(slack: FakeSlack) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    await client.chat_postMessage(channel=CHANNEL, text="Q1")

    with pytest.raises(AssertionError, match=r"no matching chat.postMessage .*'text': 'Q1'"):
        await slack.wait_for_call("chat.postMessage", lambda c: c["text"] == "Q2", timeout=0.05)
