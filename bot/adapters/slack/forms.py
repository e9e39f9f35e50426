"""Slack modals from opening to submission: add, edit and report a question, settings.

No SDK here: the adapter hands in ``ViewsApi`` (``views.open``/``views.update``
over slack-sdk) and bolt's ``ack``.  Opening a form that needs the service's
answer first (add, settings, edit) opens a "Loading…" notice at once, because a
``trigger_id`` expires after 3 s, then fills it in.  An admin form asks the
service whether the user may administer first: a member sees the core's
refusal in the notice and never a form to fill in for nothing (as on Discord).
A submission runs its command and acks with the outcome within
``reply_budget`` seconds, so a question's problems can be shown next to the
fields they concern.  It acts in the workspace that authenticated it
(``workspaces.Place``), and the form's ``private_metadata`` only says which
channel (and question) in it: a submission that names another workspace,
there or anywhere in the payload, saves nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from bot.adapters.slack import ids
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.ids import (
    ADD_QUESTION_CALLBACK,
    EDIT_QUESTION_CALLBACK,
    REPORT_CALLBACK,
    SETTINGS_CALLBACK,
    decode_origin,
    decode_subject,
    encode_origin,
    encode_subject,
)
from bot.adapters.slack.inbound import (
    StateValues,
    channel_key,
    draft_from_form,
    report_from_form,
    settings_from_form,
)
from bot.adapters.slack.message import Block, clip, esc
from bot.adapters.slack.modals import (
    add_question_modal,
    edit_question_modal,
    form_overflow,
    notice_modal,
    problems_to_errors,
    report_modal,
    settings_modal,
)
from bot.adapters.slack.render import plain_text
from bot.adapters.slack.workspaces import Place, log_refusal
from bot.domain.commands import (
    AddQuestion,
    ChangeSettings,
    Command,
    EditQuestion,
    ReportQuestion,
    ShowQuestion,
    ShowSettings,
)
from bot.domain.events import DraftRejected, Event, QuestionShown, SettingsShown
from bot.domain.model import Actor, ChannelKey, QuestionDraft, ServerKey
from bot.observability.metrics import PlatformMeter

log = logging.getLogger(__name__)

Ack = Callable[..., Awaitable[Any]]
Ask = Callable[..., Awaitable[tuple[list[Event], bool]]]
#: The service's ``may_administer``: whether an actor counts as an admin of a workspace.
MayAdminister = Callable[[Actor, ServerKey], Awaitable[bool]]
#: How long a form waits for the service's answer before it is filled in anyway.
LOOKUP_SECONDS = 10.0

#: The block a problem without a field of its own is shown under, per form.
_TOP_BLOCK = {
    ADD_QUESTION_CALLBACK: "prompt",
    EDIT_QUESTION_CALLBACK: "prompt",
    REPORT_CALLBACK: "reason",
    SETTINGS_CALLBACK: "rounds",
}
#: Forms about one thing (a question) carry it in their metadata, after the channel.
_ABOUT_ONE = frozenset({EDIT_QUESTION_CALLBACK, REPORT_CALLBACK})
FORM_CALLBACKS = tuple(_TOP_BLOCK)


class ViewsApi(Protocol):
    async def open_view(self, trigger_id: str, view: Block) -> str:
        """Open a modal; returns its view id."""
        ...

    async def update_view(self, view_id: str, view: Block) -> None: ...


class SlackForms:
    """Opens the bot's modals and turns their submissions into commands."""

    def __init__(
        self,
        *,
        views: ViewsApi,
        directory: SlackDirectory,
        ask: Ask,
        may_administer: MayAdminister,
        send: Callable[[Event], None],
        reply_budget: float,
        meter: PlatformMeter,
    ) -> None:
        self._views = views
        self._directory = directory
        self._ask = ask
        self._may_administer = may_administer
        self._send = send
        self._reply_budget = reply_budget
        self._meter = meter

    # -- opening ---------------------------------------------------------------------------

    async def open_add(self, trigger_id: str, channel: ChannelKey, who: Actor) -> None:
        """The empty question form, for admins; a member sees why not instead."""
        title = "Add a trivia question"
        view_id = await self._views.open_view(trigger_id, notice_modal(title, "Loading…"))
        actor = await self._directory.actor(channel.server, who.key.user, who.name)
        probe = AddQuestion(channel=channel, actor=actor, draft=QuestionDraft("", ""))
        if await self._refused(view_id, title, probe):
            return
        origin = encode_origin(channel.server, channel.channel)
        await self._views.update_view(view_id, add_question_modal(origin))

    async def open_settings(self, trigger_id: str, channel: ChannelKey, who: Actor) -> None:
        """The settings form, filled in, for admins; a member sees why not instead."""
        title = "Trivia settings"
        view_id = await self._views.open_view(trigger_id, notice_modal(title, "Loading…"))
        actor = await self._directory.actor(channel.server, who.key.user, who.name)
        if await self._refused(view_id, title, ChangeSettings(channel=channel, actor=actor)):
            return
        replies, _ = await self._ask(
            ShowSettings(channel=channel, actor=actor), within=LOOKUP_SECONDS, deliver_late=False
        )
        shown = next((e for e in replies if isinstance(e, SettingsShown)), None)
        if shown is None:
            refusal = next((plain_text(e) for e in replies), "The settings could not be read.")
            await self._views.update_view(view_id, notice_modal(title, refusal))
            return
        origin = encode_origin(channel.server, channel.channel)
        form = settings_modal(origin, settings=shown.settings, defaults=shown.defaults)
        await self._views.update_view(view_id, form)

    async def open_edit(
        self, trigger_id: str, channel: ChannelKey, who: Actor, question_id: str
    ) -> None:
        """The question form, filled in with the question as the service has it now."""
        title = "Edit a question"
        view_id = await self._views.open_view(trigger_id, notice_modal(title, "Loading…"))
        actor = await self._directory.actor(channel.server, who.key.user, who.name)
        replies, _ = await self._ask(
            ShowQuestion(channel=channel, actor=actor, question_id=question_id),
            within=LOOKUP_SECONDS,
            deliver_late=False,
        )
        shown = next((e for e in replies if isinstance(e, QuestionShown)), None)
        if shown is None or not shown.item.own:
            # Not an admin, no such question, or a bundled one: the core says why in
            # the words of an edit (an edit that changes no field, refused before it).
            probe = EditQuestion(channel, actor, question_id, QuestionDraft("", ""), frozenset())
            refused, _ = await self._ask(probe, within=LOOKUP_SECONDS, deliver_late=False)
            refusal = next((plain_text(e) for e in refused), "The question could not be read.")
            await self._views.update_view(view_id, notice_modal(title, refusal))
            return
        question = shown.item.question
        if (too_long := form_overflow(question)) is not None:
            await self._views.update_view(view_id, notice_modal(title, too_long))
            return
        metadata = encode_subject(channel.server, channel.channel, question.id)
        await self._views.update_view(view_id, edit_question_modal(metadata, question))

    async def _refused(self, view_id: str, title: str, probe: AddQuestion | ChangeSettings) -> bool:
        """False for an admin; otherwise the notice shows the core's refusal of ``probe``.

        The probe is only sent for a member, whom the core refuses before it reads
        the command, so it never changes anything.
        """
        if await self._may_administer(probe.actor, probe.channel.server_key):
            return False
        replies, _ = await self._ask(probe, within=LOOKUP_SECONDS, deliver_late=False)
        refusal = next((plain_text(e) for e in replies), "Only admins can do this.")
        await self._views.update_view(view_id, notice_modal(title, refusal))
        return True

    async def open_report(
        self, trigger_id: str, channel: ChannelKey, question_id: str, shown: str
    ) -> None:
        metadata = encode_subject(channel.server, channel.channel, question_id)
        await self._views.open_view(trigger_id, report_modal(metadata, shown))

    # -- submitting ------------------------------------------------------------------------

    async def submit(
        self, ack: Ack, body: Mapping[str, Any], view: Mapping[str, Any], found: Place
    ) -> None:
        """Run the form's command in the workspace ``found`` authenticated, and ack with
        its outcome, all within ``reply_budget``."""
        deadline = time.monotonic() + self._reply_budget
        callback = str(view.get("callback_id", ""))
        top = _TOP_BLOCK.get(callback, "prompt")
        user = body.get("user") or {}
        acked = False
        try:
            if found.foreign:
                acked = True
                refused = notice_modal("Nothing was saved", found.refusal_text())
                await ack(response_action="update", view=refused)
                log_refusal(found, f"the {callback} form", user.get("id"))
                return
            origin = _origin(callback, str(view.get("private_metadata", "")))
            if origin is None:
                acked = True
                await ack(response_action="errors", errors={top: "This form has expired."})
                return
            channel_id, subject = origin
            team = found.team
            channel = channel_key(team, channel_id)
            actor = await self._directory.actor(team, str(user.get("id")), user.get("name"))
            values = view.get("state", {}).get("values", {})
            command = form_command(callback, values, channel=channel, actor=actor, about=subject)
            if isinstance(command, dict):
                acked = True
                await ack(response_action="errors", errors=command)
                return
            replies, finished = await self._ask(
                command, within=max(0.05, deadline - time.monotonic())
            )
            acked = True
            if not finished:
                note = "Still saving… you will get a message in the channel when it is done."
                await ack(response_action="update", view=notice_modal("Saving", note))
                return
            problems = next((e for e in replies if isinstance(e, DraftRejected)), None)
            if problems is not None:
                await ack(response_action="errors", errors=problems_to_errors(problems.problems))
                return
            await ack()
            for event in replies:
                self._send(event)
        except Exception:
            self._meter.error()
            log.exception(
                "slack: %s form (view %s) from %s failed", callback, view.get("id"), user.get("id")
            )
        finally:
            if not acked:
                await ack(
                    response_action="errors",
                    errors={top: "Something went wrong; please try again."},
                )


def _origin(callback: str, metadata: str) -> tuple[str, str] | None:
    """(channel, subject) a form was opened for; "" for forms not about one thing.

    The metadata's team is not read here: ``workspaces.place`` has checked that it is
    the authenticated one.
    """
    if callback in _ABOUT_ONE:
        about = decode_subject(metadata)
        return None if about is None else about[1:]
    origin = decode_origin(metadata)
    return None if origin is None else (origin[1], "")


def form_command(
    callback: str, values: StateValues, *, channel: ChannelKey, actor: Actor, about: str
) -> Command | dict[str, str]:
    """The command a submitted form asks for, or its problems by block (not numbers...)."""
    match callback:
        case ids.ADD_QUESTION_CALLBACK:
            return AddQuestion(channel=channel, actor=actor, draft=draft_from_form(values))
        case ids.EDIT_QUESTION_CALLBACK:
            return EditQuestion(
                channel=channel, actor=actor, question_id=about, draft=draft_from_form(values)
            )
        case ids.REPORT_CALLBACK:
            kind, reason = report_from_form(values)
            return ReportQuestion(
                channel=channel, actor=actor, kind=kind, reason=reason, question_id=about
            )
        case _:
            return settings_from_form(values, channel=channel, actor=actor)


def first_section_text(message: Mapping[str, Any]) -> str:
    """The first section's mrkdwn of a message the bot posted (the card's question)."""
    for block in message.get("blocks") or ():
        text = block.get("text") if isinstance(block, Mapping) else None
        if isinstance(text, Mapping) and block.get("type") == "section":
            return clip(str(text.get("text", "")), 2000)
    return esc(clip(str(message.get("text", "")), 2000))
