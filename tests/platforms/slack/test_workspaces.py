"""A Slack request acts on the workspace that authenticated it, never on one it names.

The bot's token belongs to workspace T0TRIVIA, where Ada is an admin.  Every
admin path is tried with correctly signed requests whose ids name workspace
T0OTHERS instead (the envelope's ``team_id``, an interaction's ``team``,
``user`` and ``view``, a form's ``private_metadata``, an event's ``team``):
nothing changes there or here (read back through the app's store), Ada is told
why, and one WARNING line names both workspaces.  The forms and shared files are
tried again with both workspaces installed through OAuth (each with its own
token), and the slash commands too (``both_installed``).  The last tests pin the
rule itself: ``test_workspace_rule.py``.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app.compose import App
from bot.domain.model import (
    ChannelKey,
    PlayerKey,
    Question,
    QuestionDraft,
    ServerKey,
    ServerSettings,
)
from bot.domain.records import ReportDraft, ReportKind
from tests.platforms.slack.bot_harness import (
    ADA,
    BOB,
    CHANNEL,
    TEAM,
    Acked,
    SlackBot,
    answer_to,
    running_bot,
)
from tests.platforms.slack.fake import FakeSlack, SlackRequest, add_to_slack
from tests.platforms.slack.installs_harness import installs_bot

OTHER = "T0OTHERS"
HERE, THERE = ServerKey("slack", TEAM), ServerKey("slack", OTHER)
BEA = PlayerKey("slack", OTHER, "U0BEA")
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ADA_DM = "D0ADMIN"
REFUSED = "names another workspace"
QUESTION = {
    "prompt": {"value": "Maths one: what is six times seven?"},
    "answers": {"value": "42"},
    "category": {"value": "maths"},
}
BANK = """\
id: sums
title: Sums
questions:
  - {id: sum-1, prompt: "Sum one: 1 plus 1?", answers: ["2"], category: sums}
"""


async def seed(bot: SlackBot | InstalledBot) -> tuple[str, str]:
    """T0OTHERS has a question, settings, a switch and a report; T0TRIVIA a question.
    Returns (their question's id, ours)."""
    bank, store = bot.app.bank, bot.app.store
    theirs = await bank.add_question(
        THERE, QuestionDraft("Bee one: who makes honey?", "bees"), by=BEA, at=NOW
    )
    ours = await bank.add_question(
        HERE, QuestionDraft("Ant one: who farms aphids?", "ants"), by=BEA, at=NOW
    )
    assert isinstance(theirs, Question)
    assert isinstance(ours, Question)
    await store.save_server_settings(THERE, ServerSettings(rounds=7), by=BEA, at=NOW)
    await bank.switch_question(THERE, "colour-sky", on=False, by=BEA, at=NOW)
    report = ReportDraft(
        server=THERE,
        channel=ChannelKey("slack", OTHER, "C0OTHERS"),
        question_id=theirs.id,
        prompt=theirs.prompt,
        kind=ReportKind.WRONG,
        reason="wasps?",
        reporter=BEA,
        reporter_name="bea",
        at=NOW,
    )
    await store.file_report(report)
    return theirs.id, ours.id


async def state(bot: SlackBot | InstalledBot, server: ServerKey) -> tuple[Any, ...]:
    """What the app's store holds for ``server``."""
    store = bot.app.store
    return (
        [(q.id, q.prompt, q.answers) for q in await store.custom_questions(server)],
        await store.server_settings(server),
        await store.switched_off(server),
        [(r.id, r.question_id) for r in await store.open_reports(server)],
    )


def naming_other(request: SlackRequest, field: str, *, metadata: str = "") -> SlackRequest:
    """The same signed request, with one of its ids naming T0OTHERS."""
    payload = copy.deepcopy(request.payload)
    match field:
        case "team_id":
            payload["team_id"] = OTHER
        case "team.id":
            payload["team"]["id"] = OTHER
        case "user.team_id":
            payload["user"]["team_id"] = OTHER
        case "view.team_id":
            payload["view"]["team_id"] = OTHER
        case "private_metadata":
            payload["view"]["private_metadata"] = metadata
        case "event.team":
            payload["event"]["team"] = OTHER
    return replace(request, payload=payload)


def refusal_logged(caplog: pytest.LogCaptureFixture) -> None:
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    line = warnings[0].getMessage()
    assert warnings[0].name.startswith("bot.adapters.slack")
    assert OTHER in line
    assert TEAM in line


# -- the setups: one bot token, or both workspaces installed through OAuth ----------------------
#
# With OAuth installs T0OTHERS is a workspace the app is installed in too, with its own token.
# A request whose envelope names it is authorized as T0OTHERS (that is how Slack says where a
# request comes from), so there Ada is no member, let alone an admin; a request from T0TRIVIA
# whose other ids name T0OTHERS is refused as with one token.  Nothing changes in either place.


@dataclass
class InstalledBot:
    """``SlackBot``'s interface over ``installs_bot``: requests delivered as Slack would."""

    slack: FakeSlack
    app: App

    async def send(self, request: SlackRequest) -> Acked:
        reply = (await self.slack.deliver(request)).reply
        payload = reply.json() if reply.body.startswith("{") else reply.body or None
        if isinstance(payload, str):
            payload = {"text": payload}
        return Acked(reply.status, payload, reply.elapsed)

    def mark(self) -> int:
        return len(self.slack.calls)


@asynccontextmanager
async def both_installed(tmp_path: Path) -> AsyncIterator[InstalledBot]:
    async with FakeSlack() as slack, installs_bot(tmp_path, slack) as bot:
        others = slack.add_workspace("Others")
        await add_to_slack(bot.install_url, slack.default, user=ADA)
        await bot.install(others)
        yield InstalledBot(slack, bot.app)


SETUPS: dict[str, Callable[[Path], AbstractAsyncContextManager[Any]]] = {
    "one-token": running_bot,
    "both-installed": both_installed,
}


# -- slash commands ---------------------------------------------------------------------------

SLASH = [
    "remove {theirs}",
    "disable {theirs}",
    "enable colour-sky",
    "bundled category space off",
    "dismiss 1",
    "export",
    "add",
    "settings",
    "edit {theirs}",
    "questions own",
]


@pytest.mark.parametrize("text", SLASH)
async def test_a_slash_command_naming_another_workspace_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        theirs, _ = await seed(bot)
        before = await state(bot, THERE), await state(bot, HERE)
        seen, calls = len(slack.ephemerals(ADA)), bot.mark()
        request = slack.slash_command("/trivia", text.format(theirs=theirs), user=ADA)
        with caplog.at_level(logging.WARNING):
            acked = await bot.send(naming_other(request, "team_id"))
            said = await answer_to_ada(bot, acked, seen=seen, calls=calls)
        after = await state(bot, THERE), await state(bot, HERE)

    assert after == before
    assert REFUSED in said
    assert slack.calls_to("views.open") == []
    assert slack.shared_files(ADA_DM) == []
    refusal_logged(caplog)


async def test_over_socket_mode_too_a_command_naming_another_workspace_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path, transport="socket") as bot:
        theirs, _ = await seed(bot)
        before = await state(bot, THERE)
        request = bot.slack.slash_command("/trivia", f"remove {theirs}", user=ADA)
        with caplog.at_level(logging.WARNING):
            acked = await bot.send(naming_other(request, "team_id"))
        after = await state(bot, THERE)

    assert after == before
    assert REFUSED in acked.payload["text"]
    refusal_logged(caplog)


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning:slack_sdk")
@pytest.mark.parametrize("field", ["team_id"])
@pytest.mark.parametrize("text", SLASH)
async def test_with_both_installed_a_slash_command_naming_the_other_changes_nothing(
    tmp_path: Path, text: str, field: str
) -> None:
    async with both_installed(tmp_path) as bot:
        slack = bot.slack
        theirs, _ = await seed(bot)
        before = await state(bot, THERE), await state(bot, HERE)
        seen, calls = len(slack.ephemerals(ADA)), bot.mark()
        request = slack.slash_command("/trivia", text.format(theirs=theirs), user=ADA)
        acked = await bot.send(naming_other(request, field))
        said = await answer_to_ada(bot, acked, seen=seen, calls=calls)
        after = await state(bot, THERE), await state(bot, HERE)

    assert after == before
    # Refused by the service (no admin there), or the form cannot even open: Slack refuses
    # the other workspace's token for this workspace's trigger.
    assert "🚫 Only admins can" in said or said == "(views.open)"
    assert [c.error for c in slack.calls_to("views.open")] in ([], ["invalid_trigger_id"])
    assert slack.views == {}
    assert slack.shared_files(ADA_DM) == []


async def answer_to_ada(bot: SlackBot | InstalledBot, acked: Any, *, seen: int, calls: int) -> str:
    """What Ada got back: the ack's text, or whatever the bot did for her afterwards."""
    if acked.payload is not None:
        return str(acked.payload.get("text", acked.payload))
    slack = bot.slack

    def probe() -> str | None:
        if told := slack.ephemerals(ADA)[seen:]:
            return told[0].text
        done = [c.method for c in slack.calls[calls:] if c.method == "views.open"]
        return f"({done[0]})" if done else None

    return await slack.wait_until(probe, what="an answer to Ada")


# -- forms -------------------------------------------------------------------------------------

FORMS = {
    "add": QUESTION,
    "edit {ours}": {**QUESTION, "prompt": {"value": "Ant one, changed?"}},
    "settings": {"rounds": {"value": "3"}},
}
FIELDS = ["team.id", "user.team_id", "view.team_id", "private_metadata"]


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning:slack_sdk")
@pytest.mark.parametrize("setup", ["one-token", "both-installed"])
@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("form", FORMS)
async def test_a_form_naming_another_workspace_saves_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, form: str, field: str, setup: str
) -> None:
    async with SETUPS[setup](tmp_path) as bot:
        slack = bot.slack
        theirs, ours = await seed(bot)
        before = await state(bot, THERE), await state(bot, HERE)
        mark = bot.mark()
        await bot.send(slack.slash_command("/trivia", form.format(ours=ours), user=ADA))
        opened = await slack.wait_for_call("views.open", after=mark)
        view = slack.views[opened.response["view"]["id"]]
        await slack.wait_until(lambda: view.history or None, what="the form")
        subject = f"/{theirs}" if form.startswith("edit") else ""
        metadata = f"{OTHER}/{CHANNEL}{subject}"
        submitted = slack.view_submission(view, FORMS[form])
        with caplog.at_level(logging.WARNING):
            acked = await bot.send(naming_other(submitted, field, metadata=metadata))
        after = await state(bot, THERE), await state(bot, HERE)

    assert after == before
    assert acked.payload is not None
    assert acked.payload["response_action"] == "update"
    assert REFUSED in str(acked.payload["view"])
    refusal_logged(caplog)


# -- bank files shared with the bot --------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning:slack_sdk")
@pytest.mark.parametrize("setup", ["one-token", "both-installed"])
@pytest.mark.parametrize("field", ["team_id", "event.team"])
async def test_a_bank_file_shared_naming_another_workspace_is_not_imported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, field: str, setup: str
) -> None:
    async with SETUPS[setup](tmp_path) as bot:
        slack = bot.slack
        await seed(bot)
        before = await state(bot, THERE), await state(bot, HERE)
        file = slack.add_file(BANK, name="sums.yaml", user=ADA)
        shared = slack.message_event("", user=ADA, channel=ADA_DM, files=[file])
        with caplog.at_level(logging.WARNING):
            await bot.send(naming_other(shared, field))
            posts = await slack.wait_until(
                lambda: slack.bot_messages(ADA_DM) or None, what="a reply in the DM"
            )
        after = await state(bot, THERE), await state(bot, HERE)

    assert after == before
    assert REFUSED in posts[0].text
    assert slack.file_downloads == []
    refusal_logged(caplog)


# -- what is not refused, and who is an admin --------------------------------------------------


async def test_an_answer_always_counts_in_the_authenticated_workspace(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        await bot.send(slack.slash_command("/trivia", "start colours 1", user=ADA))
        card = await bot.question(1)
        await bot.send(naming_other(slack.message_event(answer_to(card), user=BOB), "team_id"))
        await slack.wait_until(lambda: "The answer:" in card.visible_text() or None)
        here = await bot.app.store.player_stats(PlayerKey("slack", TEAM, BOB))
        there = await bot.app.store.player_stats(PlayerKey("slack", OTHER, BOB))

    assert here is not None
    assert here.correct == 1
    assert there is None


async def test_a_guest_who_is_an_admin_of_their_own_workspace_is_not_one_here(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        slack.add_user("U0GUEST", "gus", is_admin=True, home_team=OTHER)
        await bot.send(slack.slash_command("/trivia", "disable colour-sky", user="U0GUEST"))
        refused = await slack.wait_until(lambda: slack.ephemerals("U0GUEST") or None)
        off = await bot.app.store.switched_off(HERE)

    assert refused[0].text.startswith("🚫 Only admins can")
    assert off.questions == frozenset()
