"""The fake Discord, proven against the real discord.py 2.7 client.

Each test runs a bare ``discord.Client`` with an ``app_commands.CommandTree`` (not the bot's
adapter) against a ``FakeDiscord`` on 127.0.0.1 and reads the result like a chat transcript.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Coroutine
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.platforms.discord.fake import (
    FakeDiscord,
    FakeDiscordError,
    point_discord_at,
    run_client,
)


def make_client(
    *, message_content: bool = True, members: bool = True
) -> tuple[discord.Client, app_commands.CommandTree[discord.Client]]:
    intents = discord.Intents.default()
    intents.message_content = message_content
    intents.members = members
    # A short guild_ready_timeout: on_ready fires that long after the last GUILD_CREATE.
    client = discord.Client(intents=intents, guild_ready_timeout=0.05)
    return client, app_commands.CommandTree(client)


# -- login, READY, GUILD_CREATE ----------------------------------------------------------------


async def test_login_reaches_on_ready_with_the_guild_channels_and_members(
    fake: FakeDiscord,
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    client, _ = make_client()

    async with run_client(fake, client):
        guild = client.get_guild(fake.guild.id)
        assert guild is not None
        assert guild.name == "Test Server"
        assert guild.chunked
        assert sorted(m.name for m in guild.members) == ["TriviaBot", "ada", "alice"]
        assert [c.name for c in guild.text_channels] == ["trivia"]
        ada_member, alice_member = guild.get_member(ada.id), guild.get_member(alice.id)
        assert ada_member is not None
        assert ada_member.guild_permissions.administrator
        assert alice_member is not None
        assert not alice_member.guild_permissions.manage_guild
        assert client.user is not None
        assert client.user.id == fake.bot_user.id
        assert client.application_id == fake.application_id

    assert [(r.method, r.path) for r in fake.requests[:2]] == [
        ("GET", "/users/@me"),
        ("GET", "/oauth2/applications/@me"),
    ]
    assert fake.intents == client.intents.value


@pytest.mark.parametrize("zlib_frames", [True, False])
async def test_gateway_frames_are_understood_compressed_or_as_plain_text(zlib_frames: bool) -> None:
    async with FakeDiscord(zlib_frames=zlib_frames) as fake:
        alice = fake.add_member(fake.guild.id, "alice")
        client, _ = make_client()
        seen: list[discord.Message] = []
        client.event(_collector(seen))

        async with run_client(fake, client):
            await fake.user_says(fake.channel.id, alice, "paris")
            await fake.wait_until(lambda: seen)

        assert "compress=zlib-stream" in fake.gateway.urls[0]
        assert seen[0].content == "paris"


async def test_without_the_members_intent_guild_create_carries_only_the_bot(
    fake: FakeDiscord,
) -> None:
    fake.add_member(fake.guild.id, "alice")
    client, _ = make_client(members=False)

    async with run_client(fake, client):
        guild = client.get_guild(fake.guild.id)
        assert guild is not None
        assert guild.member_count == 2
        assert [m.name for m in guild.members] == ["TriviaBot"]


async def test_a_privileged_intent_the_app_may_not_use_stops_the_client() -> None:
    async with FakeDiscord(message_content_allowed=False) as fake:
        client, _ = make_client(message_content=True)

        with pytest.raises(discord.PrivilegedIntentsRequired):
            async with run_client(fake, client):
                pass

        assert fake.gateway.close_codes == [4014]


async def test_point_discord_at_restores_the_urls_it_changed(fake: FakeDiscord) -> None:
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY

    with point_discord_at(fake):
        assert fake.api_base == Route.BASE
        assert str(DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url

    assert (base, gateway) == (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)


# -- command sync --------------------------------------------------------------------------


async def test_global_and_guild_command_syncs_are_recorded(fake: FakeDiscord) -> None:
    client, tree = make_client()
    trivia = app_commands.Group(name="trivia", description="Play trivia")

    @trivia.command(name="start", description="Start a game")
    async def start(interaction: discord.Interaction, rounds: int = 10) -> None: ...

    tree.add_command(trivia)

    @tree.command(name="ping", description="Ping", guild=discord.Object(fake.guild.id))
    async def ping(interaction: discord.Interaction) -> None: ...

    async with run_client(fake, client):
        synced = await tree.sync()
        await tree.sync(guild=discord.Object(fake.guild.id))

    assert [c.name for c in synced] == ["trivia"]
    (command,) = fake.commands()
    assert command["options"][0]["name"] == "start"
    assert command["options"][0]["options"][0] == {
        "type": 4,
        "name": "rounds",
        "description": "…",
        "required": False,
    }
    assert [c["name"] for c in fake.commands(fake.guild.id)] == ["ping"]


async def test_an_invalid_command_definition_fails_the_sync(fake: FakeDiscord) -> None:
    client, tree = make_client()

    @tree.command(name="start", description="x" * 101)
    async def start(interaction: discord.Interaction) -> None: ...

    async with run_client(fake, client):
        with pytest.raises(app_commands.CommandSyncFailure):
            await tree.sync()


# -- messages --------------------------------------------------------------------------------


async def test_on_message_sees_the_text_with_the_message_content_intent(fake: FakeDiscord) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    client, _ = make_client(message_content=True)
    seen: list[discord.Message] = []
    client.event(_collector(seen))

    async with run_client(fake, client):
        said = await fake.user_says(fake.channel.id, alice, "paris")
        (message,) = await fake.wait_until(lambda: seen)

    assert (message.content, message.author.id, message.id) == ("paris", alice.id, said.id)
    assert isinstance(message.author, discord.Member)


async def test_without_the_intent_text_arrives_empty_unless_it_mentions_the_bot(
    fake: FakeDiscord,
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    client, _ = make_client(message_content=False)
    seen: list[discord.Message] = []
    client.event(_collector(seen))

    async with run_client(fake, client):
        await fake.user_says(fake.channel.id, alice, "paris")
        await fake.user_says(fake.channel.id, alice, f"{fake.bot_user.mention} london")
        await fake.wait_until(lambda: len(seen) == 2)

    assert [m.content for m in seen] == ["", f"{fake.bot_user.mention} london"]
    assert fake.channel_messages(fake.channel.id)[0].content == "paris"  # the fake keeps the truth


async def test_a_direct_message_arrives_with_its_text_even_without_the_intent(
    fake: FakeDiscord,
) -> None:
    bob = fake.add_user("bob")
    client, _ = make_client(message_content=False)
    seen: list[discord.Message] = []
    client.event(_collector(seen))

    async with run_client(fake, client):
        await fake.user_says(fake.dm_channel(bob).id, bob, "hint please")
        (message,) = await fake.wait_until(lambda: seen)
        await message.channel.send("no hints in DMs")

    assert isinstance(message.channel, discord.DMChannel)
    assert message.content == "hint please"
    reply = await fake.wait_for_message(fake.dm_channel(bob).id)
    assert reply.content == "no hints in DMs"


async def test_the_bots_own_messages_come_back_through_the_gateway(fake: FakeDiscord) -> None:
    client, _ = make_client()
    seen: list[discord.Message] = []
    client.event(_collector(seen))

    async with run_client(fake, client):
        channel = client.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("Question 1: capital of France?")
        await fake.wait_until(lambda: seen)

    assert seen[0].id == sent.id
    assert seen[0].author == client.user


async def test_content_over_2000_characters_is_refused_like_discord_does(fake: FakeDiscord) -> None:
    client, _ = make_client()

    async with run_client(fake, client):
        channel = client.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as refused:
            await channel.send("x" * 2001)

    assert (refused.value.status, refused.value.code) == (400, 50035)
    assert fake.channel_messages(fake.channel.id) == []


async def test_an_unknown_route_answers_404_json_and_is_reported(fake: FakeDiscord) -> None:
    client, _ = make_client()

    async with run_client(fake, client):
        with pytest.raises(discord.NotFound):
            await client.http.request(Route("GET", "/no/such/route"))

    assert [r.path for r in fake.unhandled_requests] == ["/no/such/route"]


# -- slash commands and interactions ---------------------------------------------------------


async def test_a_slash_command_runs_and_its_reply_lands_in_the_channel(fake: FakeDiscord) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    client, tree = make_client()
    trivia = app_commands.Group(name="trivia", description="Play trivia")
    calls: list[tuple[str, int]] = []

    @trivia.command(name="start", description="Start a game")
    async def start(interaction: discord.Interaction, category: str, rounds: int = 10) -> None:
        calls.append((category, rounds))
        embed = discord.Embed(title="Trivia", description=f"{rounds} rounds of {category}")
        await interaction.response.send_message(f"{interaction.user.name} started", embed=embed)

    tree.add_command(trivia)

    async with run_client(fake, client):
        await tree.sync()
        started = await fake.slash_command(
            fake.guild.id,
            fake.channel.id,
            alice,
            subcommand="start",
            options={"category": "science", "rounds": 3},
        )
        response = await started.response()

    assert calls == [("science", 3)]
    assert response["type"] == 4
    message = fake.channel_messages(fake.channel.id)[-1]
    assert message.text == "alice started\nTrivia\n3 rounds of science"
    assert started.message == message
    callback = fake.requests_matching("POST", r"/interactions/\d+/[^/]+/callback")[0]
    assert callback.query == {"with_response": "1"}


async def test_slash_command_options_are_checked_against_the_synced_definition(
    fake: FakeDiscord,
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    client, tree = make_client()

    @tree.command(name="trivia", description="Play trivia")
    @app_commands.choices(level=[app_commands.Choice(name="Easy", value="easy")])
    async def trivia(interaction: discord.Interaction, level: str) -> None: ...

    async with run_client(fake, client):
        await tree.sync()
        with pytest.raises(FakeDiscordError, match="no option 'rounds'"):
            await fake.slash_command(fake.guild.id, fake.channel.id, alice, options={"rounds": 3})
        with pytest.raises(FakeDiscordError, match="must be one of"):
            await fake.slash_command(
                fake.guild.id, fake.channel.id, alice, options={"level": "hard"}
            )
        with pytest.raises(FakeDiscordError, match="needs options"):
            await fake.slash_command(fake.guild.id, fake.channel.id, alice)


async def test_a_deferred_response_is_filled_in_by_the_first_followup(fake: FakeDiscord) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    client, tree = make_client()

    @tree.command(name="leaderboard", description="Show the leaderboard")
    async def leaderboard(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("1. alice 3 pts")
        await interaction.followup.send("updated daily")

    async with run_client(fake, client):
        asked = await fake.slash_command(fake.guild.id, fake.channel.id, alice, name="leaderboard")
        board = await asked.response_message()
        extra = await asked.wait_followup(lambda m: m.content == "updated daily")

    assert asked.response_type == 5
    assert board.content == "1. alice 3 pts"
    assert [m.content for m in fake.channel_messages(fake.channel.id)] == [
        "1. alice 3 pts",
        "updated daily",
    ]
    assert extra.id != board.id


async def test_a_deferred_response_can_be_edited_into_place(fake: FakeDiscord) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    client, tree = make_client()

    @tree.command(name="stats", description="Your stats")
    async def stats(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        await interaction.edit_original_response(content="You have 3 points")

    async with run_client(fake, client):
        asked = await fake.slash_command(fake.guild.id, fake.channel.id, alice, name="stats")
        answer = await asked.response_message()

    assert (answer.content, answer.ephemeral) == ("You have 3 points", True)


async def test_an_answer_after_the_deadline_is_an_unknown_interaction(fake: FakeDiscord) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    fake.interaction_deadline = 0.0
    client, tree = make_client()
    codes: list[int] = []

    @tree.command(name="slow", description="Too slow")
    async def slow(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("late")
        except discord.NotFound as exc:
            codes.append(exc.code)

    async with run_client(fake, client):
        await fake.slash_command(fake.guild.id, fake.channel.id, alice, name="slow")
        await fake.wait_until(lambda: codes)

    assert codes == [10062]
    assert fake.channel_messages(fake.channel.id) == []


async def test_an_attachment_option_can_be_downloaded_and_a_file_uploaded(
    fake: FakeDiscord,
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    client, tree = make_client()

    @tree.command(name="import", description="Import questions")
    async def import_(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        report = discord.File(io.BytesIO(data.upper()), filename="report.txt")
        await interaction.response.send_message(f"read {file.filename}", file=report)

    async with run_client(fake, client):
        upload = fake.attachment("questions.yaml", b"- q: 2+2\n  a: 4\n")
        asked = await fake.slash_command(
            fake.guild.id, fake.channel.id, ada, name="import", options={"file": upload}
        )
        answer = await asked.response_message()

    assert answer.content == "read questions.yaml"
    assert [a["filename"] for a in answer.attachments] == ["report.txt"]
    assert fake.read_attachment(answer.attachments[0]) == b"- Q: 2+2\n  A: 4\n"


async def test_autocomplete_choices_reach_the_fake(fake: FakeDiscord) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    client, tree = make_client()

    async def categories(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["science", "sports", "history"]
        return [
            app_commands.Choice(name=n.title(), value=n) for n in names if n.startswith(current)
        ]

    @tree.command(name="trivia", description="Play trivia")
    @app_commands.autocomplete(category=categories)
    async def trivia(interaction: discord.Interaction, category: str) -> None: ...

    async with run_client(fake, client):
        await tree.sync()
        typing = await fake.autocomplete(
            fake.guild.id, fake.channel.id, alice, focused="category", options={"category": "s"}
        )
        await typing.response()

    assert typing.choices == [
        {"name": "Science", "value": "science"},
        {"name": "Sports", "value": "sports"},
    ]


# -- components and modals -------------------------------------------------------------------


class AnswerButtons(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.clicked_by: list[str] = []

    @discord.ui.button(label="Paris", custom_id="answer:paris", style=discord.ButtonStyle.primary)
    async def paris(
        self, interaction: discord.Interaction, button: discord.ui.Button[AnswerButtons]
    ) -> None:
        self.clicked_by.append(interaction.user.name)
        button.disabled = True
        await interaction.response.edit_message(
            content=f"{interaction.user.name}: Paris!", view=self
        )


async def test_a_button_click_reaches_the_view_and_edit_message_updates_the_message(
    fake: FakeDiscord,
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    client, tree = make_client()
    view = AnswerButtons()

    @tree.command(name="ask", description="Ask a question")
    async def ask(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Capital of France?", view=view)

    async with run_client(fake, client):
        asked = await fake.slash_command(fake.guild.id, fake.channel.id, alice, name="ask")
        question = await asked.response_message()
        click = await fake.click_button(question, "answer:paris", alice)
        await click.response()

        with pytest.raises(FakeDiscordError, match="disabled"):
            await fake.click_button(question, "answer:paris", alice)

    assert view.clicked_by == ["alice"]
    assert click.response_type == 7
    after = fake.message(question)
    assert (after.content, after.edits) == ("alice: Paris!", 1)
    assert after.button_labeled("Paris")["disabled"] is True
    assert click.payload["message"]["id"] == str(question.id)


async def test_a_modal_submission_reaches_on_submit(fake: FakeDiscord) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    client, tree = make_client()
    submitted: list[tuple[str, str]] = []

    class AddQuestion(discord.ui.Modal, title="Add a question"):
        question: discord.ui.TextInput[AddQuestion] = discord.ui.TextInput(
            label="Question", custom_id="question"
        )
        answer: discord.ui.TextInput[AddQuestion] = discord.ui.TextInput(
            label="Answer", custom_id="answer"
        )

        async def on_submit(self, interaction: discord.Interaction) -> None:
            submitted.append((self.question.value, self.answer.value))
            await interaction.response.send_message("Added.", ephemeral=True)

    @tree.command(name="add", description="Add a question")
    async def add(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(AddQuestion())

    async with run_client(fake, client):
        opened = await fake.slash_command(fake.guild.id, fake.channel.id, ada, name="add")
        assert (await opened.response())["type"] == 9
        with pytest.raises(FakeDiscordError, match="required"):
            await fake.submit_modal(opened, {"question": "Capital of France?"})
        sent = await fake.submit_modal(
            opened, {"question": "Capital of France?", "answer": "Paris"}
        )
        confirmation = await sent.response_message()

    assert opened.modal is not None
    assert opened.modal["title"] == "Add a question"
    assert submitted == [("Capital of France?", "Paris")]
    assert (confirmation.content, confirmation.ephemeral) == ("Added.", True)


class CategoryMenu(discord.ui.View):
    @discord.ui.select(
        custom_id="category",
        options=[discord.SelectOption(label=n.title(), value=n) for n in ("science", "art")],
    )
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.Select[CategoryMenu]
    ) -> None:
        await interaction.response.send_message(f"Category: {select.values[0]}", ephemeral=True)


async def test_a_select_menu_on_a_posted_message_reaches_its_callback(fake: FakeDiscord) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    client, _ = make_client()

    async with run_client(fake, client):
        channel = client.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel)
        menu = await channel.send("Pick a category", view=CategoryMenu())
        with pytest.raises(FakeDiscordError, match="not among the options"):
            await fake.select(menu.id, "category", ["sports"], alice)
        picked = await fake.select(menu.id, "category", ["art"], alice)
        answer = await picked.response_message()

    assert (answer.content, answer.ephemeral) == ("Category: art", True)
    assert fake.message(menu.id).component("category") is not None


# -- rate limits, heartbeats, reconnects, shutdown ---------------------------------------------


@pytest.mark.parametrize("global_", [False, True])
async def test_a_429_with_via_is_retried_and_then_succeeds(
    fake: FakeDiscord, global_: bool
) -> None:
    client, _ = make_client()
    fake.rate_limit_next("POST", r"/channels/\d+/messages", retry_after=0.02, global_=global_)

    async with run_client(fake, client):
        channel = client.get_channel(fake.channel.id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("Question 1")

    posts = fake.requests_matching("POST", r"/channels/\d+/messages")
    assert [r.status for r in posts] == [429, 200]
    assert posts[1].time - posts[0].time >= 0.02
    assert fake.rate_limited == 1
    assert [m.id for m in fake.channel_messages(fake.channel.id)] == [sent.id]


async def test_heartbeats_are_acknowledged() -> None:
    async with FakeDiscord(heartbeat_interval_ms=20) as fake:
        client, _ = make_client()

        async with run_client(fake, client):
            await fake.wait_until(lambda: fake.heartbeats >= 3)
            assert client.latency < 1.0  # finite only once a HEARTBEAT_ACK came back


async def test_a_dropped_connection_is_resumed(fake: FakeDiscord) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    client, _ = make_client()
    seen: list[discord.Message] = []
    client.event(_collector(seen))

    async with run_client(fake, client):
        await fake.drop_gateway()
        await fake.wait_until(
            lambda: fake.gateway.live and any(f.get("op") == 6 for f in fake.gateway.received)
        )
        await fake.user_says(fake.channel.id, alice, "still here")
        await fake.wait_until(lambda: seen)

    assert len(fake.identify_payloads) == 1
    assert seen[0].content == "still here"


async def test_closing_the_client_closes_its_gateway_connection(fake: FakeDiscord) -> None:
    client, _ = make_client()

    async with run_client(fake, client):
        assert len(fake.gateway.connections) == 1

    assert client.is_closed()
    await fake.wait_until(lambda: not fake.gateway.connections)
    assert not fake.gateway.live


def _collector(
    seen: list[discord.Message],
) -> Callable[[discord.Message], Coroutine[Any, Any, None]]:
    async def on_message(message: discord.Message) -> None:
        seen.append(message)

    return on_message
