"""The Slack outbox with the app installed in many workspaces: each item goes out with its
workspace's ``SlackWeb`` (its token), nothing goes to a workspace nothing covers any more, and
edits are paced per workspace as well as posts per channel."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

import pytest

from bot.adapters.slack.outbox import SlackOutbox, SlackWeb
from bot.domain.model import ChannelKey
from tests.platforms.slack.test_outbox import RecordingWeb, asked, ended, reveal

ALPHA_1, ALPHA_2 = ChannelKey("slack", "T1", "CA"), ChannelKey("slack", "T1", "CB")
BETA = ChannelKey("slack", "T2", "CC")
GONE = ChannelKey("slack", "T3", "CD")


@dataclass
class TimedWeb(RecordingWeb):
    """A ``RecordingWeb`` that also notes when each call was made."""

    at: list[float] = field(default_factory=list)

    async def _record(self, method: str, where: str, text: str) -> None:
        self.at.append(time.perf_counter())
        await super()._record(method, where, text)


def routed(webs: dict[str, SlackWeb], **options: float) -> SlackOutbox:
    async def web_for(team: str) -> SlackWeb | None:
        return webs.get(team)

    fallback = RecordingWeb()  # never used: every item asks for its workspace's
    return SlackOutbox(fallback, post_interval=0, web_for=web_for, **options)


async def test_each_workspaces_items_go_with_its_own_web_and_none_to_an_uninstalled_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    alpha, beta = RecordingWeb(), RecordingWeb()
    box = routed({"T1": alpha, "T2": beta})

    with caplog.at_level(logging.INFO):
        for channel in (ALPHA_1, BETA, GONE):
            box.send(asked(channel))
            box.send(reveal(channel))
            box.send(ended(channel))
        await box.close()

    assert [(m, w.split("@")[0]) for m, w, _ in alpha.calls] == [
        ("post", "CA"),
        ("update", "CA"),
        ("post", "CA"),
    ]
    assert [(m, w.split("@")[0]) for m, w, _ in beta.calls] == [
        ("post", "CC"),
        ("update", "CC"),
        ("post", "CC"),
    ]
    assert caplog.text.count("no installation covers slack:T3:CD any more") == 3


async def test_edits_are_paced_per_workspace_and_one_busy_workspace_does_not_slow_another() -> None:
    alpha, beta = TimedWeb(), TimedWeb()
    # One edit every 50 ms per workspace after a burst of two.
    box = routed({"T1": alpha, "T2": beta}, edits_per_minute=1200, edit_burst=2)
    started = time.perf_counter()

    for channel in (ALPHA_1, ALPHA_2, BETA):
        for number in (1, 2):  # each question's one edit: its reveal, taking its buttons away
            box.send(replace(asked(channel, number), choices=("blue", "red")))
            box.send(reveal(channel, number))
    await box.close()

    alpha_edits = [
        at - started for (m, *_), at in zip(alpha.calls, alpha.at, strict=True) if m == "update"
    ]
    beta_edits = [
        at - started for (m, *_), at in zip(beta.calls, beta.at, strict=True) if m == "update"
    ]
    assert len(alpha_edits) == 4
    assert len(beta_edits) == 2
    # Alpha's four edits: two at once, then one per 50 ms.
    assert alpha_edits[-1] >= 0.1 - 0.01
    # Beta's two fit in its own burst, whatever Alpha is waiting for.
    assert beta_edits[-1] < 0.05


async def test_a_typed_questions_reveal_is_posted_when_the_workspaces_edits_are_spent() -> None:
    web = RecordingWeb()
    # One edit a minute: the first reveal spends it.
    box = SlackOutbox(web, post_interval=0, edits_per_minute=1, edit_burst=1)

    for channel in (ALPHA_1, ALPHA_2):
        box.send(asked(channel))
        box.send(reveal(channel))
    await box.close()

    assert [(m, w) for m, w, _ in web.calls] == [
        ("post", "CA"),
        ("update", "CA@ts-1"),  # in its card
        ("post", "CB"),
        ("post", "CB"),  # at once, as a post of its own, rather than a minute late
    ]
    assert "The answer" in web.texts[-1]
