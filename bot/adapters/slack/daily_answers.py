"""Answering the daily question on Slack: the Answer button's form and its verdict.

No SDK here: the adapter hands in ``ViewsApi`` and bolt's ``ack``.

A typed daily question's "Answer" button opens a form (``views.open`` with the
click's ``trigger_id``, straight away: no lookup first, the question is read off
the clicked message).  Its submission runs ``AnswerDaily`` and the verdict is
the submission's own response, the cheapest private answer Slack has: no Web
API call at all, nothing for anyone else to see, and it reads as the form
answering.  A near miss is ``response_action: errors`` under the answer field,
so the form stays open for another try; any other verdict replaces the form
(``response_action: update``).  Only when the service has not judged within
``reply_budget`` does the form say so and close, and the verdict follows as an
ephemeral message in the channel (``chat.postEphemeral``, Tier 4).

An option click on a choice question needs no form: the adapter runs its
``AnswerDaily`` and the verdict goes back through the click's ``response_url``
(``outbox``), again without a Web API call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.forms import Ack, Ask, ViewsApi
from bot.adapters.slack.ids import DAILY_ANSWER_BLOCK, decode_subject, encode_subject
from bot.adapters.slack.inbound import channel_key, form_value, whole_number
from bot.adapters.slack.modals import notice_modal
from bot.adapters.slack.render import plain_text
from bot.adapters.slack.render_scheduled import (
    DAILY_TITLE,
    close_error,
    daily_answer_modal,
    verdict_modal,
)
from bot.adapters.slack.workspaces import Place, log_refusal
from bot.domain.commands import AnswerDaily
from bot.domain.daily import Verdict
from bot.domain.events import DailyAnswerJudged, Event
from bot.domain.model import ChannelKey
from bot.observability.metrics import PlatformMeter

log = logging.getLogger(__name__)


class SlackDailyAnswers:
    """Opens the daily question's answer form and judges its submissions."""

    def __init__(
        self,
        *,
        views: ViewsApi,
        directory: SlackDirectory,
        ask: Ask,
        send: Callable[[Event], None],
        reply_budget: float,
        meter: PlatformMeter,
    ) -> None:
        self._views = views
        self._directory = directory
        self._ask = ask
        self._send = send
        self._reply_budget = reply_budget
        self._meter = meter

    async def open_form(
        self, trigger_id: str, channel: ChannelKey, round_id: int, shown: str
    ) -> None:
        """The answer form for round ``round_id``, showing the question as ``shown``."""
        metadata = encode_subject(channel.server, channel.channel, str(round_id))
        await self._views.open_view(trigger_id, daily_answer_modal(metadata, shown))

    async def submit(
        self, ack: Ack, body: Mapping[str, Any], view: Mapping[str, Any], found: Place
    ) -> None:
        """Judge the typed answer in the workspace ``found`` authenticated, and ack with
        the verdict, all within ``reply_budget``."""
        deadline = time.monotonic() + self._reply_budget
        user = body.get("user") or {}
        acked = False
        try:
            if found.foreign:
                acked = True
                refused = notice_modal("Not answered", found.refusal_text())
                await ack(response_action="update", view=refused)
                log_refusal(found, "the daily answer form", user.get("id"))
                return
            about = decode_subject(str(view.get("private_metadata", "")))
            round_id = whole_number(about[2]) if about is not None else None
            if about is None or round_id is None:
                acked = True
                await ack(
                    response_action="errors", errors={DAILY_ANSWER_BLOCK: "This form has expired."}
                )
                return
            text = form_value(view.get("state", {}).get("values", {}), DAILY_ANSWER_BLOCK)
            if not text:
                acked = True
                await ack(response_action="errors", errors={DAILY_ANSWER_BLOCK: "Type an answer."})
                return
            channel = channel_key(found.team, about[1])
            actor = await self._directory.actor(found.team, str(user.get("id")), user.get("name"))
            command = AnswerDaily(channel=channel, actor=actor, text=text, round_id=round_id)
            replies, finished = await self._ask(
                command, within=max(0.05, deadline - time.monotonic())
            )
            acked = True
            await self._answer(ack, replies, finished)
        except Exception:
            self._meter.error()
            log.exception(
                "slack: daily answer form (view %s) from %s failed", view.get("id"), user.get("id")
            )
        finally:
            if not acked:
                await ack(
                    response_action="errors",
                    errors={DAILY_ANSWER_BLOCK: "Something went wrong; please try again."},
                )

    async def _answer(self, ack: Ack, replies: list[Event], finished: bool) -> None:
        if not finished:
            note = (
                "Still checking your answer… your verdict will show in the channel, for you alone."
            )
            await ack(response_action="update", view=notice_modal(DAILY_TITLE, note))
            return
        judged = next((e for e in replies if isinstance(e, DailyAnswerJudged)), None)
        if judged is None:
            # Refused (no such round here, scheduled play switched off): say why.
            said = next((plain_text(e) for e in replies), "") or "Your answer was not taken."
            await ack(response_action="update", view=notice_modal(DAILY_TITLE, said))
            return
        if judged.verdict is Verdict.CLOSE:
            await ack(response_action="errors", errors=close_error(judged))
            return
        await ack(response_action="update", view=verdict_modal(judged))
        for event in replies:
            if event is not judged:
                self._send(event)
