"""Hostile names, guesses, forms and uploads through the real bot on the fake Discord.

Every message the bot sends carries ``allowed_mentions`` that ping nobody, so ``@everyone``
or ``<@id>`` in a name or a guess stays text; names are shown with their markdown escaped;
a refused import or form stores no question.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.model import ServerKey
from tests.helpers import rows
from tests.platforms.discord.bot_harness import is_question, is_revealed, reply_to, trivia_bot
from tests.platforms.discord.fake import FakeDiscord, FakeMessage, FakeUser
from tests.robustness.nasty import NASTY, SQL

BANK = """\
id: discord-robust
title: Discord robustness
questions:
  - {id: capital, prompt: "Capital of France?", answers: [Paris], category: geo}
"""
EVERYONE_NAME = "@everyone **Bold** ~~x~~ <@123456789012345678> ||s|| [l](http://evil.example)"
ESCAPED_EVERYONE = (
    r"@everyone \*\*Bold\*\* \~\~x\~\~ <@123456789012345678\> \|\|s\|\| \[l\](http://evil.example)"
)
#: Requests that post or edit a message (channel messages, interaction responses, webhooks).
MESSAGE_PATHS = r"/channels/\d+/messages(/\d+)?|/interactions/\d+/[^/]+/callback|/webhooks/.*"


@dataclass(frozen=True, slots=True)
class NamedUser(FakeUser):
    """A member whose display name is exactly ``name`` (the fake title-cases it otherwise)."""

    def payload(self) -> dict[str, Any]:
        return {**FakeUser.payload(self), "global_name": self.name}


def member(fake: FakeDiscord, name: str) -> FakeUser:
    # A fresh snowflake from the fake, far from any id it hands out itself.
    unique = fake.add_user("placeholder").id + 10**15
    return fake.add_member(fake.guild.id, NamedUser(unique, name))


def server(fake: FakeDiscord) -> ServerKey:
    return ServerKey("discord", str(fake.guild.id))


def write_bank(tmp_path: Path) -> Path:
    path = tmp_path / "robust.yaml"
    path.write_text(BANK, encoding="utf-8")
    return path


def message_bodies(fake: FakeDiscord) -> Iterator[dict[str, Any]]:
    """Every message body the bot sent: posts, edits, interaction responses, followups."""
    for method in ("POST", "PATCH"):
        for request in fake.requests_matching(method, MESSAGE_PATHS):
            body = request.json if isinstance(request.json, dict) else {}
            if "type" in body:  # an interaction callback wraps the message in "data"
                body = body.get("data") or {}
            if "content" in body or "embeds" in body:
                yield body


def assert_pings_nobody(fake: FakeDiscord) -> int:
    bodies = list(message_bodies(fake))
    for body in bodies:
        mentions = body.get("allowed_mentions")
        assert mentions is not None, f"no allowed_mentions in {body}"
        assert mentions.get("parse") == [], body
        assert not mentions.get("users")
        assert not mentions.get("roles")
        assert not mentions.get("replied_user")
    return len(bodies)


async def test_hostile_names_and_guesses_play_a_game_that_pings_nobody(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    eve = member(fake, EVERYONE_NAME)
    bobby = member(fake, SQL)
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path, questions=(write_bank(tmp_path),)) as bot:
        start = await fake.slash_command(
            fake.guild.id, channel, eve, subcommand="start", options={"rounds": 1}
        )
        announced = await start.response_message()
        question = await fake.wait_for_message(channel, is_question(1, 1))
        for text in (NASTY["everyone"], NASTY["here"], NASTY["discord-user-mention"]):
            await fake.user_says(channel, bobby, text)
        await fake.user_says(channel, bobby, "Parxss")  # close: a notice names bobby
        notice = await fake.wait_for_message(channel, lambda m: "So close" in m.content)
        await fake.user_says(channel, eve, "paris")
        await fake.wait_for_message(channel, is_revealed(question))
        final = await fake.wait_for_message(channel, lambda m: "Game over!" in m.text)
        board = await fake.slash_command(fake.guild.id, channel, bobby, subcommand="leaderboard")
        stats = await fake.slash_command(fake.guild.id, channel, eve, subcommand="stats")
        shown_board = await board.response_message()
        shown_stats = await stats.response_message()
        db = bot.app.settings.db

    assert ESCAPED_EVERYONE in announced.text
    assert f"So close, {SQL}: “Parxss” is nearly it." in notice.content
    assert f"{ESCAPED_EVERYONE} **+" in fake.message(question).text
    assert ESCAPED_EVERYONE in final.text
    assert ESCAPED_EVERYONE in shown_board.text  # only scorers are on the board
    assert f"Stats for {ESCAPED_EVERYONE}" in shown_stats.text
    # The guesses were chat: the bot echoed none of them.
    for message in fake.channel_messages(channel, from_bot=True):
        assert "@here" not in message.text
    assert assert_pings_nobody(fake) >= 7
    assert sorted(name for (name,) in rows(db, "SELECT name FROM players")) == sorted(
        [EVERYONE_NAME, SQL]
    )
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def lol_bomb() -> bytes:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 10)]
    question = "\nquestions:\n  - {id: q-1, prompt: P, answers: *a9}\n"
    return ("id: bomb\ntitle: B\n" + "\n".join(lines) + question).encode()


UPLOADS: list[tuple[str, bytes, str]] = [
    ("picture.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
    ("windows.yaml", "id: w\ntitle: W\nquestions: []\n".encode("utf-16"), "UTF-16"),
    ("bomb.yaml", lol_bomb(), "answer 1 should be text, not a list"),
    ("deep.yaml", b"id: d\ntitle: D\nquestions: " + b"[" * 20_000 + b"]" * 20_000, "nest"),
    (
        "escapes.yaml",
        b'id: esc\ntitle: E\nquestions:\n  - {id: q-1, prompt: "Hi \\x1b[2J", answers: [a]}\n',
        "control character (U+001B)",
    ),
    (
        "many.yaml",
        b"id: m\ntitle: M\nquestions:\n"
        + b"".join(b"- {id: q%d, prompt: p%d, answers: [a]}\n" % (n, n) for n in range(20_000)),
        "files sent in chat can be at most 512 KiB",
    ),
    ("**bold** @everyone.yaml", b"\x00", "binary file"),
]


async def test_uploads_that_are_not_banks_are_refused_and_store_nothing(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    reports: dict[str, FakeMessage] = {}

    async with trivia_bot(fake, tmp_path) as bot:
        for filename, data, _ in UPLOADS:
            upload = fake.attachment(filename, data)
            asked = await fake.slash_command(
                fake.guild.id, fake.channel.id, ada, subcommand="import", options={"file": upload}
            )
            reports[filename] = await asked.response_message(timeout=20)
        own = await bot.app.bank.custom_questions(server(fake))
        db = bot.app.settings.db

    for filename, _, says in UPLOADS:
        report = reports[filename]
        assert report.ephemeral
        assert says in report.content, report.content
        assert "Imported" not in report.content
    assert own == ()
    assert rows(db, "SELECT COUNT(*) FROM custom_questions") == [(0,)]
    assert_pings_nobody(fake)


async def test_an_upload_of_hostile_but_printable_text_is_imported_literally(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    upload = fake.attachment(
        "hostile.yaml",
        (
            "id: hostile\ntitle: Hostile\nquestions:\n"
            f'  - {{id: q-1, prompt: "{SQL}", answers: ["@everyone"], category: sql}}\n'
            "  - {id: q-2, prompt: '<@123> **who**?', answers: ['||s||'], category: sql}\n"
        ).encode(),
    )

    async with trivia_bot(fake, tmp_path) as bot:
        asked = await fake.slash_command(
            fake.guild.id, fake.channel.id, ada, subcommand="import", options={"file": upload}
        )
        report = await asked.response_message(timeout=20)
        own = await bot.app.bank.custom_questions(server(fake))

    assert report.content == "Imported hostile.yaml: 2 added, 0 updated, 0 skipped.", report
    assert sorted((q.prompt, q.answers) for q in own) == [
        (SQL, ("@everyone",)),
        ("<@123> **who**?", ("||s||",)),
    ]


async def test_a_form_with_control_characters_is_refused_and_stores_nothing(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    form = {
        "prompt": "Who \x1b[2J is it?",
        "answers": "me\x00",
        "category": "geo\x07",
        "difficulty": SQL[:6],
        "explanation": "because",
    }

    async with trivia_bot(fake, tmp_path) as bot:
        opened = await fake.slash_command(fake.guild.id, fake.channel.id, ada, subcommand="add")
        await opened.response()
        sent = await fake.submit_modal(opened, form)
        problems = await sent.response_message()
        own = await bot.app.bank.custom_questions(server(fake))
        db = bot.app.settings.db

    assert problems.ephemeral
    lines = problems.content.splitlines()
    assert lines[0] == "That question was not saved:"
    for label in ("Question", "Answers", "Category", "Difficulty"):
        assert any(line.startswith(f"• **{label}**: ") for line in lines), lines
    assert own == ()
    assert rows(db, "SELECT COUNT(*) FROM custom_questions") == [(0,)]


async def test_hostile_prompts_names_and_reasons_show_literally_in_the_admin_views(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    eve = member(fake, EVERYONE_NAME)
    upload = fake.attachment(
        "hostile.yaml",
        (
            b"id: hostile\ntitle: Hostile\nquestions:\n"
            b"  - {id: q-1, prompt: '@everyone **who** <@123>?', answers: ['||s||'],"
            b" category: '`code`'}\n"
        ),
    )
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path, questions=(write_bank(tmp_path),)):
        imported = await fake.slash_command(
            fake.guild.id, channel, ada, subcommand="import", options={"file": upload}
        )
        await imported.response_message(timeout=20)
        await fake.slash_command(
            fake.guild.id, channel, eve, subcommand="start", options={"category": "`code`"}
        )
        question = await fake.wait_for_message(channel, is_question(1, 1))
        await fake.user_says(channel, eve, "||s||")
        await fake.wait_for_message(channel, is_revealed(question))
        await reply_to(fake, eve, "report", {"reason": NASTY["everyone"]})
        listed = await reply_to(fake, ada, "questions", {"search": "who"})
        shown = await reply_to(fake, ada, "question", {"question_id": "q-1"})
        reports = await reply_to(fake, ada, "reports")

    assert r"@everyone \*\*who\*\* <@123\>?" in listed.text
    assert r"\`code\`" in listed.text
    assert r"**\|\|s\|\|** (shown at the reveal)" in shown.text
    assert f"wrong: @everyone (by {ESCAPED_EVERYONE[:30]}" in reports.text  # names are clipped
    assert_pings_nobody(fake)
