"""``/trivia`` from Slack: acked at once, then answered, a form opened, or a command run.

Slack gives a slash command 3 s for its ack, so what the adapter answers on its
own (help, usage, how to import) goes in the ack, and everything else is acked
bare first: forms are opened with the payload's ``trigger_id`` (``SlackForms``),
commands go to the service with the sender looked up (admin flag, name).  A
command acts in the workspace that authenticated it (``workspaces.Place``): one
that names another workspace is refused in the ack and changes nothing.  No
SDK here: the adapter hands in bolt's ``ack``, the command payload and its place.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.adapters.slack.commands import (
    IMPORT_HOWTO,
    ExplainImport,
    OpenAddQuestion,
    OpenEditQuestion,
    OpenSettings,
    ShowHelp,
    Usage,
    parse_trivia,
)
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.forms import SlackForms
from bot.adapters.slack.ids import COMMAND
from bot.adapters.slack.inbound import channel_key, payload_actor, with_actor
from bot.adapters.slack.render import help_message, usage_text
from bot.adapters.slack.workspaces import Place, log_refusal
from bot.domain.commands import Command
from bot.domain.model import ChannelKey
from bot.observability.metrics import PlatformMeter

log = logging.getLogger(__name__)

Ack = Callable[..., Awaitable[Any]]
Run = Callable[[Command], Awaitable[None]]
#: ``SlackOutbox.remember_response_url``: (channel, user id, url).
RememberUrl = Callable[[ChannelKey, str, str], None]


class SlackSlash:
    """Handles ``/trivia``; a failure is logged with the command's ids and counted."""

    def __init__(
        self,
        *,
        forms: SlackForms,
        directory: SlackDirectory,
        run: Run,
        remember_response_url: RememberUrl,
        meter: PlatformMeter,
    ) -> None:
        self._forms = forms
        self._directory = directory
        self._run = run
        self._remember_response_url = remember_response_url
        self._meter = meter

    async def handle(self, ack: Ack, command: Mapping[str, Any], found: Place) -> None:
        """``/trivia`` as ``command`` says, in the workspace ``found`` authenticated."""
        team, user = found.team, str(command.get("user_id", ""))
        channel = channel_key(team, str(command.get("channel_id", "")))
        text = str(command.get("text", ""))
        acked = False
        try:
            if found.foreign:
                acked = True
                await ack(text=found.refusal_text())
                log_refusal(found, f"{COMMAND} {text[:60]!r}", user)
                return
            provisional = payload_actor(team, user, command.get("user_name"))
            parsed = parse_trivia(text, channel=channel, actor=provisional)
            match parsed:
                case Usage():
                    acked = True
                    await ack(text=usage_text(parsed))
                    return
                case ShowHelp():
                    shown = help_message()
                    acked = True
                    await ack(text=shown.text, blocks=shown.blocks_json())
                    return
                case ExplainImport():
                    acked = True
                    await ack(text=IMPORT_HOWTO)
                    return
            acked = True
            await ack()
            if url := command.get("response_url"):
                self._remember_response_url(channel, user, str(url))
            trigger = str(command.get("trigger_id", ""))
            match parsed:
                case OpenAddQuestion():
                    await self._forms.open_add(trigger, channel, provisional)
                case OpenSettings():
                    await self._forms.open_settings(trigger, channel, provisional)
                case OpenEditQuestion(question_id=question_id):
                    await self._forms.open_edit(trigger, channel, provisional, question_id)
                case _:
                    actor = await self._directory.actor(team, user, provisional.name)
                    await self._run(with_actor(parsed, actor))
        except Exception:
            self._meter.error()
            log.exception(
                "slack: %s %r from %s in %s (%s) failed", COMMAND, text, user, channel.channel, team
            )
        finally:
            if not acked:
                await ack()
