"""Hostile names, guesses, commands and forms through the real slack-bolt app and fake Slack.

Slack reads ``<!everyone>``, ``<@U…>`` and ``<http://…|…>`` as live markup, so whatever a
user chose comes back with ``&``, ``<`` and ``>`` escaped: nothing the bot sends (posts,
edits, ephemerals, acks, modal errors) holds a ``<`` at all, since the bot never writes
markup of its own.  A refused form stores no question.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.config import Settings
from tests.helpers import rows
from tests.platforms.slack.bot_harness import ADA, BOB, SlackBot, channel, running_bot
from tests.platforms.slack.fake import FakeSlack
from tests.robustness.nasty import SQL
from tests.robustness.test_rendering import SLACK_DEADLINE

EVE = "U0EVE"
ADA_DM = "D0ADMIN"
EVE_NAME = "<!everyone> <@U0ADMIN> <http://evil.example|click> *b* _i_ ~s~ &amp; `x`"
ESCAPED_EVE = (
    "&lt;!everyone&gt; &lt;@U0ADMIN&gt; &lt;http://evil.example|click&gt; *b* _i_ ~s~ &amp;amp; `x`"
)
BANK = """\
id: slack-robust
title: Slack robustness
questions:
  - {id: capital, prompt: "Capital of France?", answers: [Paris], category: geo}
"""


def with_bank(tmp_path: Path) -> Any:
    path = tmp_path / "robust.yaml"
    path.write_text(BANK, encoding="utf-8")

    def change(settings: Settings) -> Settings:
        return replace(settings, questions=(path,), rounds=1)

    return change


def strings(value: Any) -> Iterator[str]:
    """Every string Slack would parse as markup in a call's arguments or a reply: texts and
    mrkdwn, never plain_text (shown as typed) or ids."""
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return
        for key, item in value.items():
            if key in ("text", "errors") and isinstance(item, str):
                yield item
            elif key == "errors" and isinstance(item, dict):
                yield from (str(v) for v in item.values())
            else:
                yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def everything_sent(slack: FakeSlack, acks: list[Any]) -> list[str]:
    sent = [s for call in slack.calls if call.method != "users.info" for s in strings(call.args)]
    sent += [s for post in slack.responses for s in strings(post.body)]
    sent += [s for ack in acks for s in strings(ack)]
    return sent


async def test_a_hostile_name_and_hostile_guesses_never_become_live_slack_markup(
    tmp_path: Path,
) -> None:
    acks: list[Any] = []
    async with running_bot(tmp_path, settings=with_bank(tmp_path)) as bot:
        slack = bot.slack
        slack.add_user(EVE, EVE_NAME)

        async def send(request: Any) -> None:
            acks.append((await bot.send(request)).payload)

        await send(slack.slash_command("/trivia", "start geo", user=EVE))
        await bot.question(1)
        # As Slack delivers them: @everyone typed becomes <!everyone>, a typed < is &lt;.
        for text in ("<!everyone>", "<!here>", "<@U0ADMIN>", "&lt;!channel&gt;", SQL):
            await send(slack.message_event(text, user=BOB))
        await send(slack.message_event("Parxss", user=EVE))
        await send(slack.message_event("paris", user=EVE))
        await slack.wait_for_call("chat.postMessage", lambda c: "Game over" in c["text"])
        for command in (
            "leaderboard",
            "stats",
            f"stats {EVE_NAME}",
            f"start {SQL}",
            "start <!everyone> &lt;b&gt;",
            "<!everyone>",
            f"remove {SQL}",
            "remove <!here>",
        ):
            mark = bot.mark()
            await send(slack.slash_command("/trivia", command, user=EVE))
            if acks[-1] is None:  # answered after the ack, privately
                await slack.wait_for_call("chat.postEphemeral", after=mark)
        db = bot.app.settings.db

    # Less the deadline the question card writes itself (``SLACK_DEADLINE``): no user text in it.
    sent = [SLACK_DEADLINE.sub("", text) for text in everything_sent(slack, acks)]
    assert sum(ESCAPED_EVE in text for text in sent) >= 5, sent  # start, score, end, board, stats
    for text in sent:
        assert "<" not in text, text
        assert ">" not in text, text
    assert rows(db, "SELECT user_id FROM players WHERE name = ?", EVE_NAME) == [(EVE,)]
    assert sorted(rows(db, "SELECT name FROM players")) == [(EVE_NAME,), ("bob",)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


async def submit(bot: SlackBot, values: dict[str, str]) -> Any:
    mark = bot.mark()
    await bot.send(bot.slack.slash_command("/trivia", "add", user=ADA))
    opened = await bot.slack.wait_for_call("views.open", after=mark)
    form = bot.slack.views[opened.response["view"]["id"]]
    # A "Loading…" notice first, filled in with the form once Ada is known to be an admin.
    await bot.slack.wait_until(lambda: form.history or None, what="the form to be filled in")
    fields = {name: {"value": value} for name, value in values.items()}
    return (await bot.send(bot.slack.view_submission(form, fields))).payload


async def test_forms_with_control_characters_or_huge_text_are_refused_and_store_nothing(
    tmp_path: Path,
) -> None:
    forms = [
        {"prompt": "Who \x1b[2J?", "answers": "me"},
        {"prompt": "Who?", "answers": "me\x00", "category": "geo\x07"},
        {"prompt": "x" * 100_000, "answers": "y" * 100_000},
        {"prompt": "Who?", "answers": "me", "explanation": "csi \x9b31m", "hints": "a\x7f"},
    ]
    async with running_bot(tmp_path) as bot:
        replies = [await submit(bot, form) for form in forms]
        db = bot.app.settings.db
        own = await bot.app.bank.custom_questions(channel().server_key)

    for reply in replies:
        assert reply["response_action"] == "errors", reply
        assert reply["errors"]
        for text in reply["errors"].values():
            assert "<" not in text
    assert "control character" in replies[0]["errors"]["prompt"]
    assert set(replies[1]["errors"]) == {"answers", "category"}
    assert "far more than any question" in replies[2]["errors"]["prompt"]
    assert set(replies[3]["errors"]) == {"explanation", "hints"}
    assert own == ()
    assert rows(db, "SELECT COUNT(*) FROM custom_questions") == [(0,)]


async def test_a_form_of_hostile_but_printable_text_is_added_and_echoed_escaped(
    tmp_path: Path,
) -> None:
    prompt = f"<!everyone> {SQL} <http://evil.example|click>?"
    async with running_bot(tmp_path) as bot:
        reply = await submit(bot, {"prompt": prompt, "answers": "<@U0BOB>", "category": "sql"})
        confirmed = await bot.slack.wait_for_call("chat.postEphemeral")
        own = await bot.app.bank.custom_questions(channel().server_key)

    assert reply is None
    assert [(q.prompt, q.answers) for q in own] == [(prompt, ("<@U0BOB>",))]
    assert "&lt;!everyone&gt;" in confirmed["text"]
    assert "<" not in confirmed["text"]


# -- bank files shared with the bot ------------------------------------------------------------

HOSTILE_BANK = """\
id: hostile
title: Hostile
questions:
  - id: hostile-1
    prompt: "<!everyone> what is <@U0ADMIN> & <http://evil.example|click>?"
    answers: ["<!here>"]
    category: "<b>"
    explanation: "'); DROP TABLE custom_questions;--"
"""
ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "questions: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
)


async def share(bot: SlackBot, content: str | bytes, name: str) -> list[str]:
    """Ada shares a file in the game channel; the texts of her private replies so far."""
    slack = bot.slack
    before = len(slack.ephemerals(ADA))
    file = slack.add_file(content, name=name, user=ADA)
    await bot.send(slack.message_event("", user=ADA, files=[file]))
    await slack.wait_until(lambda: slack.ephemerals(ADA)[before:] or None, what=name)
    return [e.text for e in slack.ephemerals(ADA)[before:]]


async def share_in_dm(bot: SlackBot, content: str | bytes, name: str) -> list[str]:
    """Ada shares a file in her DM with the bot (where every file gets an answer)."""
    slack = bot.slack
    before = len(slack.bot_messages(ADA_DM))
    file = slack.add_file(content, name=name, user=ADA)
    await bot.send(slack.message_event("", user=ADA, channel=ADA_DM, files=[file]))
    await slack.wait_until(lambda: slack.bot_messages(ADA_DM)[before:] or None, what=name)
    return [m.text for m in slack.bot_messages(ADA_DM)[before:]]


async def test_shared_files_that_are_no_bank_are_refused_whole_and_store_nothing(
    tmp_path: Path,
) -> None:
    files = {
        "bomb.yaml": ALIAS_BOMB,
        "binary.yaml": bytes(range(256)) * 4,
        "latin1.yaml": "id: caf\xe9\ntitle: x\nquestions: []\n".encode("latin-1"),
        "empty.yaml": b"",
        "not-a-mapping.yml": "- just\n- a list\n",
        f"{SQL}.yaml": "id: [unclosed\n",
    }
    async with running_bot(tmp_path) as bot:
        replies = {name: await share_in_dm(bot, content, name) for name, content in files.items()}
        db = bot.app.settings.db

    for name, texts in replies.items():
        assert texts[0].startswith("⚠️ `"), (name, texts)
        assert "was not imported" in texts[0], (name, texts)
        assert "<" not in texts[0]
    assert rows(db, "SELECT COUNT(*) FROM custom_questions") == [(0,)]


async def test_a_hostile_but_valid_bank_is_imported_and_everything_echoed_is_escaped(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        acks: list[Any] = []
        imported = await share(bot, HOSTILE_BANK, "<!channel>.yaml")
        for command in ("questions own", "question hostile-1", "questions <!everyone>"):
            mark = bot.mark()
            acks.append(
                (await bot.send(bot.slack.slash_command("/trivia", command, user=ADA))).payload
            )
            await bot.slack.wait_for_call("chat.postEphemeral", after=mark)
        own = await bot.app.bank.custom_questions(channel().server_key)

    assert imported[0].startswith("📥 Imported `&lt;!channel&gt;.yaml`: 1 added")
    assert [q.prompt for q in own] == [
        "<!everyone> what is <@U0ADMIN> & <http://evil.example|click>?"
    ]
    for text in everything_sent(bot.slack, acks):
        assert "<" not in text, text
