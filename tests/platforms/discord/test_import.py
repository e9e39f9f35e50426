"""Bank files on Discord: importing an attachment, exporting as one, and keeping servers apart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.bank import load_bank_text
from bot.bank.limits import MAX_UPLOAD_BYTES
from bot.domain.model import Question, ServerKey
from tests.platforms.discord.bot_harness import add_by_form, reply_to, trivia_bot
from tests.platforms.discord.fake import FakeDiscord

GOOD = (
    b"id: more\ntitle: More\nquestions:\n"
    b"  - {id: ocean, prompt: 'Largest ocean?', answers: [Pacific], category: geo,"
    b" tags: [water]}\n"
    b"  - {id: colour, prompt: 'Pick a primary colour', type: choice,"
    b" choices: [Red, Green, Purple], answers: [Red], category: geo}\n"
    b"  - {id: legs, prompt: 'How many legs has a spider?', type: number, answers: [8],"
    b" category: animals}\n"
)
BROKEN = (
    b"id: broken\ntitle: Broken\nquestions:\n"
    b"  - {id: fine, prompt: 'Fine?', answers: [yes]}\n"
    b"  - {id: q1, prompt: 'No answers'}\n"
    b"  - {id: q2, prompt: 'Bad level', answers: [x], difficulty: brutal}\n"
)


def essence(questions: Sequence[Question]) -> list[tuple[object, ...]]:
    """What must survive a round trip (the owning server's scope changes)."""
    return sorted((q.id, q.prompt, q.answers, q.choices, q.tags, q.type) for q in questions)


def server_of(fake: FakeDiscord, guild_id: int | None = None) -> ServerKey:
    return ServerKey("discord", str(guild_id or fake.guild.id))


async def test_an_uploaded_bank_is_imported_whole_with_its_tags_and_number_types(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)

    async with trivia_bot(fake, tmp_path) as bot:
        asked = await fake.slash_command(
            fake.guild.id,
            fake.channel.id,
            ada,
            subcommand="import",
            options={"file": fake.attachment("more.yaml", GOOD)},
        )
        report = await asked.response_message(timeout=20)
        listed = await reply_to(fake, ada, "questions", {"own_only": True})
        own = {q.id: q for q in await bot.app.bank.custom_questions(server_of(fake))}

    assert asked.response_type == 5  # deferred at once: downloading and parsing take time
    assert report.ephemeral
    assert report.content == "Imported more.yaml: 3 added, 0 updated, 0 skipped."
    assert fake.downloads == ["more.yaml"]
    assert "3 questions · page 1 of 1" in listed.text
    assert set(own) == {"ocean", "colour", "legs"}
    assert own["ocean"].tags == ("water",)
    assert own["legs"].type.value == "number"
    assert own["colour"].choices == ("Red", "Green", "Purple")


async def test_importing_the_same_file_twice_updates_and_never_duplicates(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    changed = GOOD.replace(b"answers: [Pacific]", b"answers: [Pacific Ocean, Pacific]")

    async with trivia_bot(fake, tmp_path) as bot:
        first = await reply_to(
            fake, ada, "import", {"file": fake.attachment("more.yaml", GOOD)}, timeout=20
        )
        again = await reply_to(
            fake, ada, "import", {"file": fake.attachment("more.yaml", GOOD)}, timeout=20
        )
        edited = await reply_to(
            fake, ada, "import", {"file": fake.attachment("more.yaml", changed)}, timeout=20
        )
        own = await bot.app.bank.custom_questions(server_of(fake))
        shown = await reply_to(fake, ada, "question", {"question_id": "ocean"})

    assert first.content == "Imported more.yaml: 3 added, 0 updated, 0 skipped."
    assert again.content == "Imported more.yaml: 0 added, 3 updated, 0 skipped."
    assert edited.content == "Imported more.yaml: 0 added, 3 updated, 0 skipped."
    assert sorted(q.id for q in own) == ["colour", "legs", "ocean"]
    assert "Answers: **Pacific Ocean** (shown at the reveal)\nPacific" in shown.text


async def test_a_file_with_mistakes_changes_nothing_and_every_problem_names_its_line(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)

    async with trivia_bot(fake, tmp_path) as bot:
        report = await reply_to(
            fake, ada, "import", {"file": fake.attachment("broken.yaml", BROKEN)}, timeout=20
        )
        own = await bot.app.bank.custom_questions(server_of(fake))

    assert report.ephemeral
    head, *problems = report.content.splitlines()
    assert head == (
        "broken.yaml was not imported, so nothing changed: 2 problems. "
        "Fix them and upload it again."
    )
    assert problems[0].startswith("• broken.yaml:5: question 'q1', field 'answers': ")
    assert problems[1].startswith("• broken.yaml:6: question 'q2', field 'difficulty': ")
    assert own == ()  # not even the question without a mistake


async def test_a_file_with_very_many_mistakes_says_how_many_it_could_not_show(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    entries = b"".join(b"  - {id: q%d, prompt: 'Question %d'}\n" % (n, n) for n in range(100))
    upload = fake.attachment("many.yaml", b"id: many\ntitle: Many\nquestions:\n" + entries)

    async with trivia_bot(fake, tmp_path):
        report = await reply_to(fake, ada, "import", {"file": upload}, timeout=20)

    lines = report.content.splitlines()
    assert len(report.content) <= 2000
    assert lines[0].startswith("many.yaml was not imported, so nothing changed: 100 problems.")
    shown = [line for line in lines if line.startswith("• many.yaml:")]
    assert 5 < len(shown) < 100
    assert lines[-1] == f"…and {100 - len(shown)} more problems."


async def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    upload = fake.attachment("huge.yaml", b"#" * (MAX_UPLOAD_BYTES + 1))

    async with trivia_bot(fake, tmp_path):
        report = await reply_to(fake, ada, "import", {"file": upload}, timeout=20)

    assert report.ephemeral
    assert report.content.startswith(
        "huge.yaml is 513 KiB; files sent in chat can be at most 512 KiB. Split it"
    )
    assert fake.downloads == []


async def test_an_export_is_a_bank_file_that_imports_into_another_server(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    other = fake.add_guild("Other server")
    other_channel = other.text_channels[0].id
    fake.add_member(other.id, ada, admin=True)

    async with trivia_bot(fake, tmp_path, discord_guild=None) as bot:  # commands everywhere
        empty = await reply_to(fake, ada, "export")
        await reply_to(
            fake, ada, "import", {"file": fake.attachment("more.yaml", GOOD)}, timeout=20
        )
        await add_by_form(fake, ada, {"prompt": "Two and two?", "answers": "4\nfour"})
        exported = await reply_to(fake, ada, "export")
        (attachment,) = exported.attachments
        data = fake.read_attachment(attachment)
        moved = await reply_to(
            fake,
            ada,
            "import",
            {"file": fake.attachment(attachment["filename"], data)},
            guild_id=other.id,
            channel_id=other_channel,
            timeout=20,
        )
        here = await bot.app.bank.custom_questions(server_of(fake))
        there = await bot.app.bank.custom_questions(server_of(fake, other.id))

    assert empty.content.startswith("⛔ This server has no questions of its own to export yet")
    assert exported.ephemeral
    assert exported.content.startswith("This server's 4 questions of its own, as a bank file.")
    assert attachment["filename"].endswith(".yaml")
    bank = load_bank_text(data, path=attachment["filename"])
    assert sorted(q.id for q in bank.questions) == sorted(q.id for q in here)
    assert moved.content == f"Imported {attachment['filename']}: 4 added, 0 updated, 0 skipped."
    assert essence(there) == essence(here)


async def test_a_question_added_in_one_server_is_never_asked_in_another(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    other = fake.add_guild("Other server")
    other_channel = other.text_channels[0].id
    bob = fake.add_member(other.id, "bob", admin=True)

    async with trivia_bot(fake, tmp_path, discord_guild=None):
        added = await add_by_form(
            fake,
            ada,
            {"prompt": "Capital of Atlantis?", "answers": "Poseidonia", "category": "myths"},
        )
        in_other = dict(guild_id=other.id, channel_id=other_channel)
        refused = await reply_to(fake, bob, "start", {"category": "myths"}, **in_other)
        listed = await reply_to(fake, bob, "questions", {"search": "atlantis"}, **in_other)
        shown = await reply_to(
            fake, bob, "question", {"question_id": "capital-of-atlantis"}, **in_other
        )
        categories = await reply_to(fake, bob, "categories", **in_other)

    assert added.content.startswith("Added `capital-of-atlantis`")
    assert refused.content.startswith("⛔")
    assert "No questions matching “atlantis”." in listed.text
    assert shown.content.startswith("⛔ There is no question with id 'capital-of-atlantis'")
    assert "myths" not in categories.text
