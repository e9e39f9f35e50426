"""A fake Discord (REST API + gateway websocket) on 127.0.0.1, for testing the real discord.py.

The bot's adapter runs unchanged: its ``discord.Client`` logs in, connects to the gateway, syncs
its command tree, and gets messages and interactions from the users a test plays. The test then
reads what the bot posted, edited and answered. Nothing leaves the machine; a test costs a few
tens of milliseconds plus the client's ``guild_ready_timeout`` (set it to ~0.05 s in tests).

A transcript::

    from tests.platforms.discord.fake import FakeDiscord, run_client

    async def test_a_correct_answer_scores() -> None:
        async with FakeDiscord() as fake:
            alice = fake.add_member(fake.guild.id, "alice")
            ada = fake.add_member(fake.guild.id, "ada", admin=True)
            client = build_the_adapter_client(...)   # guild_ready_timeout=0.05
            async with run_client(fake, client):     # points discord.py here, waits for ready
                start = await fake.slash_command(
                    fake.guild.id, fake.channel.id, ada, subcommand="start", options={"rounds": 1}
                )
                assert (await start.response())["type"] == 4   # 4: answered with a message
                question = await fake.wait_for_message(fake.channel.id, lambda m: "?" in m.text)
                said = await fake.user_says(fake.channel.id, alice, "paris")
                await fake.wait_for_message(
                    fake.channel.id, lambda m: "alice" in m.text, after=said
                )

Arranging (before the client connects: READY and GUILD_CREATE describe this world)
    ``FakeDiscord(*, token, bot_name, guild_name, channel_name, heartbeat_interval_ms=1000,
    interaction_deadline=3.0, message_content_allowed=True, members_allowed=True,
    presences_allowed=True, zlib_frames=True, shard_count=1, max_concurrency=1,
    identify_window=5.0)`` starts with one guild, ``fake.guild``, holding the bot and one
    text channel, ``fake.channel``. ``add_member(guild_id, name, *, admin=False,
    permissions=None)`` returns a ``FakeUser`` (``permissions`` bits add to @everyone's);
    ``add_guild(name, *, shard=None)`` (``shard=k``: an id that puts it on shard k),
    ``add_channel(guild_id, name)``, ``add_user(name)`` (in no guild, for DMs),
    ``dm_channel(user)``, ``attachment(filename, data)`` (a file a user attaches, or a
    slash-command attachment option). Also ``fake.token``, ``fake.application_id``,
    ``fake.bot_user``, ``fake.api_base``, ``fake.gateway_url``, ``fake.guilds``.

Shards (``FakeDiscord(shard_count=4, max_concurrency=2)``; the defaults, 1 and 1, are a bot
that needs no sharding)
    A sketch::

        async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
            on_three = fake.add_guild("Big server", shard=3)
            client = discord.AutoShardedClient(intents=..., guild_ready_timeout=0.05)
            async with run_client(fake, client):       # asks GET /gateway/bot: 4 shards
                await fake.user_says(on_three.text_channels[0].id, someone, "hi")
            assert [d.shard_id for d in fake.deliveries if d.event == "MESSAGE_CREATE"] == [3]
            assert fake.identify_violations == []

    ``GET /gateway/bot`` answers ``{"url", "shards": shard_count, "session_start_limit":
    {..., "max_concurrency"}}``. Each gateway connection IDENTIFYs with ``"shard": [id,
    count]``: a missing shard when ``shard_count > 1`` closes it with 4011 (sharding
    required), an id outside ``0..count-1`` or a count other than ``shard_count`` with 4010
    (invalid shard; stricter than Discord, which takes more shards than it recommends).
    READY carries ``shard`` and lists, like GUILD_CREATE, only the guilds of that shard
    (``shard_of(guild_id)`` = ``(guild_id >> 22) % shard_count``). A guild's messages,
    echoes and interactions go to the sessions of its shard, DMs to shard 0; an event no
    session serves is dropped, as on Discord. ``live_shards()`` lists the connected shards;
    ``deliveries`` (``Delivery``: event, guild_id, shard_id, session_id) every event sent.
    ``identify_log`` (``IdentifyRecord``: time on the loop's clock, shard_id, shard_count,
    key = shard_id % max_concurrency, violation) keeps every IDENTIFY; one that comes less
    than ``identify_window`` seconds after another of its bucket is a violation (recorded,
    not refused: ``identify_violations`` should stay empty). ``command_syncs``
    (``CommandSync``: guild_id or None, time) counts the PUTs of the command tree.
    Subprocess bots reach it the same way over 127.0.0.1 (``fake.api_base``,
    ``fake.gateway_url``).

Connecting
    ``run_client(fake, client)`` (async context manager) enters ``point_discord_at(fake)``,
    runs ``client.start(token)`` as a task, waits for ready, and on exit closes the client and
    awaits the task, re-raising whatever stopped it. ``point_discord_at(fake)`` alone sets
    ``discord.http.Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY`` and restores them.
    An adapter that takes the URLs as settings gets ``fake.api_base`` and ``fake.gateway_url``.
    Close the client before leaving ``async with FakeDiscord()``.

Acting like users (a client must be connected; each returns once the event is sent)
    ``await user_says(channel_id, user, content, *, attachments=(), reply_to=None)`` ->
    ``FakeMessage``. ``await slash_command(guild_id, channel_id, user, *, name="trivia",
    subcommand=None, options=None, permissions=None)`` -> ``FakeInteraction``; ``subcommand``
    may be ``"group sub"``; ``guild_id=None`` with a DM channel runs it in a DM. Option values
    are str, int, float, bool, FakeUser, FakeChannel or FakeAttachment.
    ``await click_button(message, custom_id, user)``, ``await select(message, custom_id, values,
    user)``, ``await submit_modal(opening_interaction_or_custom_id, {input_id: text or option
    values}, user=None)``, ``await autocomplete(guild_id, channel_id, user, *, focused,
    options)``: each returns a ``FakeInteraction``. ``message`` is a ``FakeMessage`` or an id.

``FakeInteraction``
    ``await response()`` -> the callback body ``{"type": t, "data": {...}}`` with t = 4 message,
    5 deferred ("thinking"), 6 deferred update, 7 update the clicked message, 8 autocomplete
    choices, 9 modal. ``message``: the original response as it is now (the clicked message for
    6 and 7); ``await response_message()`` waits until a deferred response is filled in;
    ``followups``; ``await wait_followup(predicate)``; ``modal``; ``choices``; ``payload``.

Reading and waiting
    ``FakeMessage`` is a snapshot: ``content``, ``embeds``, ``components``, ``attachments``,
    ``text`` (content, embed title/description/fields/footer and V2 text, one per line),
    ``buttons``, ``custom_ids``, ``component(custom_id)``, ``button_labeled(label)``,
    ``ephemeral``, ``edits``, ``author``, ``raw``.
    ``channel_messages(channel_id, *, from_bot=None)`` (oldest first, ephemeral included),
    ``message(id)`` (now), ``await wait_for_message(channel_id, predicate, *, from_bot=True,
    after=None, timeout=5)`` (``after``: only messages created later; edits count, since messages
    are judged as they are now), ``await wait_until(check, timeout=5)`` (re-checked on every
    request and frame, and every 10 ms, so it can watch the test's own lists too),
    ``await wait_for_request(method, path_regex, *, since=0)``, ``requests`` and
    ``requests_matching(method, path_regex)`` (``RecordedRequest``: method, path relative to the
    API base, query, json, files, status, time, via, reply_id), ``commands(guild_id=None)`` (the
    synced tree), ``api_base_via(marker)`` (an API base of its own for one of several bot
    processes: its requests are recorded with ``via=marker``),
    ``read_attachment(entry)``, ``reactions(message)``, ``intents`` and ``identify_payloads``,
    ``heartbeats``, ``interactions``, ``unhandled_requests``, ``gateway`` (sessions, received
    frames, close codes). A wait that times out raises ``FakeDiscordTimeout`` (an
    AssertionError) listing the recent requests and messages.

Rate limits (``FakeDiscord(rate_limits=True)``; off by default)
    Discord's global limit (50 requests/s per token; interaction callbacks and interaction
    webhooks exempt) and per-route buckets (channel posts and edits 5 per 5 s per channel, an
    interaction webhook 5 per 2 s) with ``X-RateLimit-*`` headers; over a limit, 429
    (``limits.RateLimits``). ``billed_requests(since=i)`` lists what counted against the global
    limit, ``webhook_requests(since=i)`` the interaction-webhook calls; ``limits.hits`` counts
    429s by scope. ``interaction_token_life`` (900 s, Discord's 15 minutes): after it, the
    interaction's webhook answers 401 50027 (Invalid Webhook Token).

Failures on purpose
    ``rate_limit_next(method, path_regex, *, retry_after=0.05, global_=False, times=1)``: 429
    with ``Via`` and JSON ``retry_after`` (discord.py retries only those); ``rate_limited``
    counts them. ``fail_next(method, path_regex, *, status=403, code=50013)``.
    ``await drop_gateway(code=4000)``: the client reconnects and RESUMEs.
    ``interaction_deadline``: seconds before a first response gets 404 10062.

Discord behaviour the fake reproduces, because adapters get it wrong
    * Without the MESSAGE_CONTENT intent a guild message arrives with empty content (DMs and
      messages that mention the bot excepted). Identifying with a privileged intent the app may
      not use (``message_content_allowed=False``) closes the gateway with 4014, which
      discord.py raises as ``PrivilegedIntentsRequired``. Without GUILD_MEMBERS, GUILD_CREATE
      carries only the bot's own member.
    * The bot's own non-ephemeral messages come back as MESSAGE_CREATE, edits as
      MESSAGE_UPDATE: the adapter must ignore its own messages.
    * An interaction must be answered within 3 s, and once. The first follow-up after a
      "thinking" defer replaces the placeholder (it is then both ``message`` and a follow-up).
      Types 6 and 7 only answer component interactions.
    * Payloads beyond Discord's limits (2000-character content, embed sizes, 5 rows of 5
      buttons, duplicate custom_ids, modal titles over 45 characters, more than 25 choices,
      bad command names or descriptions) get Discord's 400 (50035 Invalid Form Body), so
      discord.py raises ``HTTPException``.
    * Slash commands are checked against the synced definitions as the Discord client checks
      them: unknown subcommands or options, missing required options, values outside choices
      or ranges, and commands hidden by ``default_member_permissions`` raise
      ``FakeDiscordError`` in the test. Unsynced commands are sent with inferred option types.
    * Disabled buttons cannot be clicked (``allow_disabled=True`` plays a stale client).
    * A post with ``enforce_nonce`` (discord.py sends it with any ``nonce``) whose nonce a
      message of the channel already has gets that message back; no second one is made.
    * Gateway frames are zlib-stream compressed when the client asks (discord.py does);
      ``zlib_frames=False`` sends plain JSON text, which discord.py accepts too.
"""

from .errors import ApiError, FakeDiscordError, FakeDiscordTimeout
from .harness import point_discord_at, run_client
from .interactions import FakeInteraction
from .messages import FakeAttachment, FakeMessage
from .payloads import (
    ALL_PERMISSIONS,
    DEFAULT_MEMBER_PERMISSIONS,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    PERM_ADMINISTRATOR,
    PERM_MANAGE_GUILD,
    PERM_MANAGE_MESSAGES,
    FakeChannel,
    FakeGuild,
    FakeRole,
    FakeUser,
)
from .rest import RecordedRequest
from .server import FakeDiscord
from .shards import CommandSync, Delivery, IdentifyRecord

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_MEMBER_PERMISSIONS",
    "INTENT_GUILD_MEMBERS",
    "INTENT_GUILD_MESSAGES",
    "INTENT_MESSAGE_CONTENT",
    "PERM_ADMINISTRATOR",
    "PERM_MANAGE_GUILD",
    "PERM_MANAGE_MESSAGES",
    "ApiError",
    "CommandSync",
    "Delivery",
    "FakeAttachment",
    "FakeChannel",
    "FakeDiscord",
    "FakeDiscordError",
    "FakeDiscordTimeout",
    "FakeGuild",
    "FakeInteraction",
    "FakeMessage",
    "FakeRole",
    "FakeUser",
    "IdentifyRecord",
    "RecordedRequest",
    "point_discord_at",
    "run_client",
]
