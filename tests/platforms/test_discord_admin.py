"""Administering trivia on Discord: the add form, imports, removal and settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.platforms.discord_bot import is_question, is_revealed, trivia_bot
from tests.platforms.fake_discord import FakeDiscord, FakeRole

NEW_QUESTION = {
    "prompt": "Which city is called the Big Apple?",
    "answers": "New York\nNYC",
    "category": "cities",
    "difficulty": "easy",
    "explanation": "A 1920s nickname.",
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


async def test_a_member_without_manage_server_is_refused_the_add_form(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")

    async with trivia_bot(fake, tmp_path):
        asked = await fake.slash_command(fake.guild.id, fake.channel.id, alice, subcommand="add")
        refusal = await asked.response_message()

    assert asked.modal is None
    assert refusal.ephemeral
    assert refusal.content.startswith("⛔ Only admins can add questions")


async def test_an_admin_adds_a_question_through_the_form_and_it_is_asked(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    alice = fake.add_member(fake.guild.id, "alice")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path):
        opened = await fake.slash_command(fake.guild.id, channel, ada, subcommand="add")
        assert (await opened.response())["type"] == 9
        sent = await fake.submit_modal(opened, NEW_QUESTION)
        added = await sent.response_message()
        await fake.slash_command(
            fake.guild.id, channel, alice, subcommand="start", options={"category": "cities"}
        )
        question = await fake.wait_for_message(channel, is_question(1, 1))
        await fake.user_says(channel, alice, "nyc")
        revealed = await fake.wait_for_message(channel, is_revealed(question))

    assert opened.modal is not None
    assert [c["components"][0]["custom_id"] for c in opened.modal["components"]] == [
        "prompt",
        "answers",
        "category",
        "difficulty",
        "explanation",
    ]
    assert added.ephemeral
    assert added.content.startswith("Added `which-city-is-called-the-big-apple`")
    assert "Which city is called the Big Apple?" in question.text
    assert "The answer: **New York**" in revealed.text
    assert "A 1920s nickname." in revealed.text


async def test_a_form_with_problems_lists_each_field_to_the_admin_alone(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)

    async with trivia_bot(fake, tmp_path):
        opened = await fake.slash_command(fake.guild.id, fake.channel.id, ada, subcommand="add")
        await opened.response()
        sent = await fake.submit_modal(
            opened, {**NEW_QUESTION, "difficulty": "brutal", "answers": " "}
        )
        problems = await sent.response_message()

    assert problems.ephemeral
    lines = problems.content.splitlines()
    assert lines[0] == "That question was not added:"
    assert any(line.startswith("• **Difficulty**: ") for line in lines)
    assert any(line.startswith("• **Answers**: ") for line in lines)


async def test_an_uploaded_bank_is_imported_question_by_question(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    upload = fake.attachment(
        "more.yaml",
        b"id: more\ntitle: More\nquestions:\n"
        b"  - {id: q1, prompt: 'Largest ocean?', answers: [Pacific], category: geo}\n"
        b"  - {id: q2, prompt: 'Type the word blue', answers: [blue]}\n"
        b"  - {id: q3, prompt: 'Pick a primary colour', type: choice,"
        b" choices: [Red, Green, Purple], answers: [Red], category: geo}\n",
    )

    async with trivia_bot(fake, tmp_path):
        asked = await fake.slash_command(
            fake.guild.id, fake.channel.id, ada, subcommand="import", options={"file": upload}
        )
        report = await asked.response_message(timeout=20)
        listed = await fake.slash_command(
            fake.guild.id, fake.channel.id, ada, subcommand="categories"
        )
        categories = await listed.response_message()

    assert asked.response_type == 5  # deferred at once: downloading and parsing take time
    assert report.ephemeral
    lines = report.content.splitlines()
    assert lines[0] == "Imported 2 of 3 questions from more.yaml."
    assert lines[1].startswith("• “Type the word blue”: Question: ")
    assert "**geo**: 2" in categories.text


async def test_an_uploaded_bank_with_mistakes_reports_every_problem(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    upload = fake.attachment(
        "broken.yaml",
        b"id: broken\ntitle: Broken\nquestions:\n"
        b"  - {id: q1, prompt: 'No answers'}\n"
        b"  - {id: q2, prompt: 'Bad level', answers: [x], difficulty: brutal}\n",
    )

    async with trivia_bot(fake, tmp_path):
        asked = await fake.slash_command(
            fake.guild.id, fake.channel.id, ada, subcommand="import", options={"file": upload}
        )
        report = await asked.response_message(timeout=20)

    lines = report.content.splitlines()
    assert lines[0] == "broken.yaml was not imported: 2 problem(s)."
    assert "question 'q1'" in lines[1]
    assert "answers" in lines[1]
    assert "question 'q2'" in lines[2]
    assert "difficulty" in lines[2]


async def test_an_admin_role_set_in_settings_makes_its_members_admins(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    dave = fake.add_member(fake.guild.id, "dave", permissions=0)
    role = _role_named(fake, "perms-0")

    async with trivia_bot(fake, tmp_path):
        before = await fake.slash_command(fake.guild.id, fake.channel.id, dave, subcommand="add")
        await before.response()
        changed = await fake.slash_command(
            fake.guild.id,
            fake.channel.id,
            ada,
            subcommand="settings",
            options={"admin_role": role, "rounds": 3},
        )
        saved = await changed.response_message()
        after = await fake.slash_command(fake.guild.id, fake.channel.id, dave, subcommand="add")
        await after.response()
        shown = await fake.slash_command(
            fake.guild.id, fake.channel.id, dave, subcommand="settings"
        )
        settings = await shown.response_message()

    assert before.modal is None
    assert saved.ephemeral
    assert saved.text.splitlines()[0] == "Settings saved"
    assert f"Admin role: <@&{role.id}>" in saved.text
    assert "Rounds: 3" in saved.text
    assert after.modal is not None
    assert "Rounds: 3" in settings.text


async def test_an_admin_removes_a_question_the_server_added(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)

    async with trivia_bot(fake, tmp_path):
        opened = await fake.slash_command(fake.guild.id, fake.channel.id, ada, subcommand="add")
        await opened.response()
        await (await fake.submit_modal(opened, NEW_QUESTION)).response()
        removing = await fake.slash_command(
            fake.guild.id,
            fake.channel.id,
            ada,
            subcommand="remove",
            options={"question_id": "which-city-is-called-the-big-apple"},
        )
        removed = await removing.response_message()
        again = await fake.slash_command(
            fake.guild.id,
            fake.channel.id,
            ada,
            subcommand="remove",
            options={"question_id": "which-city-is-called-the-big-apple"},
        )
        refused = await again.response_message()

    assert (
        removed.content
        == "Removed `which-city-is-called-the-big-apple` from this server's questions."
    )
    assert refused.ephemeral
    assert refused.content.startswith("⛔ This server has no question of its own")


def _role_named(fake: FakeDiscord, name: str) -> FakeRole:
    return next(r for r in fake.guild.roles.values() if r.name == name)
