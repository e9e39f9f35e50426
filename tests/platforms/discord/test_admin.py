"""Administering trivia on Discord: the add and edit forms, switching questions and bundled
categories off and on, removal, the question list, settings, and who may do any of it."""

from __future__ import annotations

from pathlib import Path

from tests.platforms.discord.bot_harness import (
    add_by_form,
    choices_for,
    edit_by_form,
    is_question,
    is_revealed,
    reply_to,
    trivia_bot,
)
from tests.platforms.discord.fake import FakeDiscord, FakeRole

NEW_QUESTION = {
    "prompt": "Which city is called the Big Apple?",
    "answers": "New York\nNYC",
    "category": "cities",
    "difficulty": "easy",
    "explanation": "A 1920s nickname.",
}
BIG_APPLE = "which-city-is-called-the-big-apple"


def many_questions_bank(directory: Path, count: int) -> Path:
    """A bank of ``count`` questions: "Planet question N?" (category planets) for even N,
    "Ocean question N?" (category oceans) for odd N."""
    entries = [
        f"  - {{id: q-{n:02d}, prompt: '{kind} question {n}?', answers: [a{n}], "
        f"category: {kind.lower()}s}}"
        for n in range(1, count + 1)
        for kind in ["Planet" if n % 2 == 0 else "Ocean"]
    ]
    path = directory / "many.yaml"
    path.write_text("id: many\ntitle: Many\nquestions:\n" + "\n".join(entries) + "\n")
    return path


# -- the add form -------------------------------------------------------------------------------


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
    assert added.content.startswith(f"Added `{BIG_APPLE}`")
    assert f"/trivia edit question_id:{BIG_APPLE}" in added.content
    assert "Which city is called the Big Apple?" in question.text
    assert "The answer: **New York**" in revealed.text
    assert "A 1920s nickname." in revealed.text


async def test_a_form_with_problems_lists_each_field_to_the_admin_alone(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)

    async with trivia_bot(fake, tmp_path):
        problems = await add_by_form(
            fake, ada, {**NEW_QUESTION, "difficulty": "brutal", "answers": " "}
        )

    assert problems.ephemeral
    lines = problems.content.splitlines()
    assert lines[0] == "That question was not saved:"
    assert any(line.startswith("• **Difficulty**: ") for line in lines)
    assert any(line.startswith("• **Answers**: ") for line in lines)


# -- editing, switching off and on, removing ----------------------------------------------------


async def test_the_edit_form_opens_filled_in_with_the_question_as_it_stands(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)

    async with trivia_bot(fake, tmp_path):
        await add_by_form(fake, ada, NEW_QUESTION)
        opened = await fake.slash_command(
            fake.guild.id,
            fake.channel.id,
            ada,
            subcommand="edit",
            options={"question_id": f"`{BIG_APPLE}` "},  # pasted from a list
        )
        await opened.response()

    assert opened.modal is not None
    assert opened.modal["custom_id"] == f"trivia:edit:{BIG_APPLE}"
    assert opened.modal["title"] == f"Edit {BIG_APPLE}"[:45]
    inputs = {
        c["components"][0]["custom_id"]: c["components"][0] for c in opened.modal["components"]
    }
    assert {name: field.get("value") for name, field in inputs.items()} == NEW_QUESTION


async def test_an_admin_edits_disables_enables_and_removes_their_own_question(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    alice = fake.add_member(fake.guild.id, "alice")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path):
        await add_by_form(fake, ada, NEW_QUESTION)
        edited = await edit_by_form(fake, ada, BIG_APPLE, {"answers": "Gotham\nNew York"})
        shown = await reply_to(fake, ada, "question", {"question_id": BIG_APPLE})
        await reply_to(fake, alice, "start", {"category": "cities"})
        question = await fake.wait_for_message(channel, is_question(1, 1))
        await fake.user_says(channel, alice, "gotham")
        revealed = await fake.wait_for_message(channel, is_revealed(question))
        await fake.wait_for_message(channel, lambda m: "Game over!" in m.text)

        disabled = await reply_to(fake, ada, "disable", {"question_id": BIG_APPLE})
        listed_off = await reply_to(fake, ada, "questions", {"own_only": True})
        no_game = await reply_to(fake, alice, "start", {"category": "cities"})
        enabled = await reply_to(fake, ada, "enable", {"question_id": BIG_APPLE})
        listed_on = await reply_to(fake, ada, "questions", {"own_only": True})
        removed = await reply_to(fake, ada, "remove", {"question_id": BIG_APPLE})
        removed_again = await reply_to(fake, ada, "remove", {"question_id": BIG_APPLE})
        gone = await reply_to(fake, ada, "question", {"question_id": BIG_APPLE})

    assert edited.ephemeral
    assert edited.content.startswith(f"Saved `{BIG_APPLE}`: “Which city is called the Big Apple?”")
    assert "(answer: Gotham)" in edited.content
    assert "Answers: **Gotham** (shown at the reveal)\nNew York" in shown.text
    assert "Category: cities" in shown.text  # a field the form kept as it was
    assert "Explanation: A 1920s nickname." in shown.text
    assert "The answer: **Gotham**" in revealed.text
    assert disabled.content.startswith(f"Disabled `{BIG_APPLE}`: games on this server will not")
    assert f"⛔ `{BIG_APPLE}`" in listed_off.text
    assert "this server's · off" in listed_off.text
    assert no_game.ephemeral
    assert no_game.content.startswith("⛔")
    assert enabled.content == f"Enabled `{BIG_APPLE}`: games on this server may ask it again."
    assert f"✅ `{BIG_APPLE}`" in listed_on.text
    assert removed.content == f"Removed `{BIG_APPLE}` from this server's questions."
    assert removed_again.ephemeral
    assert removed_again.content.startswith("⛔ This server has no question of its own")
    assert gone.content.startswith("⛔ There is no question with id")


async def test_a_bundled_question_cannot_be_edited_but_can_be_disabled(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)

    async with trivia_bot(fake, tmp_path):
        opened = await fake.slash_command(
            fake.guild.id,
            fake.channel.id,
            ada,
            subcommand="edit",
            options={"question_id": "pick-mars"},
        )
        refused = await opened.response_message()
        disabled = await reply_to(fake, ada, "disable", {"question_id": "pick-mars"})
        shown = await reply_to(fake, ada, "question", {"question_id": "pick-mars"})
        unknown = await reply_to(fake, ada, "disable", {"question_id": "no-such-question"})

    assert opened.modal is None
    assert refused.ephemeral
    assert "'pick-mars' is a bundled question: it cannot be edited" in refused.content
    assert disabled.content.startswith("Disabled `pick-mars`")
    assert "Status: bundled · off" in shown.text
    assert "Options: • Venus\n• Mars\n• Jupiter" in shown.text
    assert "/trivia enable question_id:pick-mars" in shown.text
    assert "/trivia edit" not in shown.text
    assert unknown.content.startswith("⛔ There is no question with id 'no-such-question'")


async def test_the_edit_and_remove_options_offer_the_server_s_own_questions(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    alice = fake.add_member(fake.guild.id, "alice")

    async with trivia_bot(fake, tmp_path):
        await add_by_form(fake, ada, NEW_QUESTION)
        own = await choices_for(fake, ada, "edit", "question_id", {"question_id": "big"})
        every = await choices_for(fake, ada, "disable", "question_id", {"question_id": "pick"})
        player = await choices_for(fake, alice, "disable", "question_id", {"question_id": "pick"})

    assert own == [
        {"name": f"{BIG_APPLE} · Which city is called the Big Apple?", "value": BIG_APPLE}
    ]
    assert [c["value"] for c in every] == ["pick-mars", "pick-venus"]
    assert player == []  # a non-admin is refused the list


# -- the question list --------------------------------------------------------------------------


async def test_the_question_list_pages_through_and_searches(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)

    async with trivia_bot(fake, tmp_path, questions=(many_questions_bank(tmp_path, 23),)):
        first = await reply_to(fake, ada, "questions")
        last = await reply_to(fake, ada, "questions", {"page": 3})
        beyond = await reply_to(fake, ada, "questions", {"page": 9})
        planets = await reply_to(fake, ada, "questions", {"search": "PLANET"})
        nothing = await reply_to(fake, ada, "questions", {"search": "zebra"})
        own = await reply_to(fake, ada, "questions", {"own_only": True})

    assert first.ephemeral
    assert first.text.splitlines()[0] == "Questions, page 1 of 3"
    assert first.text.count("✅ `q-") == 10
    assert "`q-01` **Ocean question 1?**\noceans · bundled · on" in first.text
    assert "23 questions · page 1 of 3 · next: /trivia questions page:2" in first.text
    assert last.text.count("✅ `q-") == 3
    assert "`q-23`" in last.text
    assert "next:" not in last.text
    assert beyond.text.splitlines()[0] == "Questions, page 3 of 3"  # clamped to the last
    assert planets.text.splitlines()[0] == "Questions matching “PLANET”, page 1 of 2"
    assert "11 questions matching “PLANET”" in planets.text
    assert "Ocean" not in planets.text
    assert nothing.text.splitlines() == ["Questions", "No questions matching “zebra”."]
    assert "no questions of its own yet" in own.text


# -- bundled categories and banks -----------------------------------------------------------


async def test_a_bundled_category_switched_off_is_never_asked_on_that_server(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    alice = fake.add_member(fake.guild.id, "alice")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path):
        overview = await reply_to(fake, ada, "bundled")
        offered = await choices_for(
            fake, ada, "bundled", "name", {"kind": "category", "name": "wo"}
        )
        switched = await reply_to(
            fake, ada, "bundled", {"kind": "category", "name": "WORDS", "on": False}
        )
        refused = await reply_to(fake, alice, "start", {"category": "words"})
        await reply_to(fake, alice, "start", {"rounds": 2})
        first = await fake.wait_for_message(channel, is_question(1, 2))
        await reply_to(fake, alice, "skip")
        second = await fake.wait_for_message(channel, is_question(2, 2), after=first)
        await reply_to(fake, alice, "stop")
        half = await reply_to(fake, ada, "bundled", {"kind": "bank"})
        unknown = await reply_to(
            fake, ada, "bundled", {"kind": "category", "name": "stunts", "on": False}
        )
        back = await reply_to(
            fake, ada, "bundled", {"kind": "category", "name": "words", "on": True}
        )

    assert overview.ephemeral
    assert "✅ `discord-tests` Discord adapter tests (5)" in overview.text
    assert "✅ `words` (3)" in overview.text
    assert offered == [{"name": "category words (on)", "value": "words"}]
    assert switched.text.splitlines()[:2] == [
        "Bundled questions on this server",
        "**category words off.**",
    ]
    assert "⛔ `words` (3)" in switched.text
    assert refused.content.startswith("⛔")
    for question in (first, second):  # only the planets are left
        assert "Pick " in question.text
    assert half.content.startswith("To switch part of the bundled questions, give all three")
    assert unknown.content.startswith("⛔ There is no bundled category called 'stunts'.")
    assert "✅ `words` (3)" in back.text


# -- who may do what -----------------------------------------------------------------------


#: Each admin subcommand, and what its refusal says a member may not do.
ADMIN_ONLY = [
    ("questions", {}, "list this server's questions"),
    ("question", {"question_id": "pick-mars"}, "look at questions in full"),
    ("edit", {"question_id": "pick-mars"}, "edit questions"),
    ("disable", {"question_id": "pick-mars"}, "switch questions on and off"),
    ("enable", {"question_id": "pick-mars"}, "switch questions on and off"),
    ("remove", {"question_id": "pick-mars"}, "remove questions"),
    ("export", {}, "export questions"),
    ("reports", {}, "see reports"),
    ("dismiss", {"report_id": 1}, "dismiss reports"),
    ("bundled", {}, "see the bundled banks"),
    ("bundled", {"kind": "bank", "name": "discord-tests", "on": False}, "switch bundled banks"),
    ("import", None, "import questions"),
]


async def test_members_who_are_not_admins_are_refused_every_admin_command(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    upload = fake.attachment("more.yaml", b"id: more\ntitle: More\nquestions: []\n")

    async with trivia_bot(fake, tmp_path):
        answers = [
            await reply_to(fake, alice, name, {"file": upload} if options is None else options)
            for name, options, _ in ADMIN_ONLY
        ]
        overview = await reply_to(fake, alice, "help")

    for (name, _, what), answer in zip(ADMIN_ONLY, answers, strict=True):
        assert answer.ephemeral, name
        assert answer.content.startswith(f"⛔ Only admins can {what}"), (name, answer.content)
    assert all(i.modal is None for i in fake.interactions)
    assert "/trivia report" in overview.text


async def test_an_admin_role_set_in_settings_makes_its_members_admins(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    dave = fake.add_member(fake.guild.id, "dave", permissions=0)
    role = _role_named(fake, "perms-0")

    async with trivia_bot(fake, tmp_path):
        before = await fake.slash_command(fake.guild.id, fake.channel.id, dave, subcommand="add")
        await before.response()
        saved = await reply_to(fake, ada, "settings", {"admin_role": role, "rounds": 3})
        after = await fake.slash_command(fake.guild.id, fake.channel.id, dave, subcommand="add")
        await after.response()
        settings = await reply_to(fake, dave, "settings")

    assert before.modal is None
    assert saved.ephemeral
    assert saved.text.splitlines()[0] == "Settings saved"
    assert f"Admin role: <@&{role.id}>" in saved.text
    assert "Rounds: 3" in saved.text
    assert after.modal is not None
    assert "Rounds: 3" in settings.text


def _role_named(fake: FakeDiscord, name: str) -> FakeRole:
    return next(r for r in fake.guild.roles.values() if r.name == name)
