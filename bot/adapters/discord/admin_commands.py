"""The admin side of ``/trivia`` on Discord: questions, imports, reports, bundled switches,
and the ``/trivia schedule`` group (``ScheduleCommands``).

``AdminCommands`` holds the admin subcommands; ``TriviaCommands`` (the
``/trivia`` group, ``commands``) inherits it and names each of them in
its own class body, because discord.py takes a group's subcommands from that
body only.  The forms they open are built, and answered when submitted, by
``forms``.

Every rule lives in the core: who may do what, what a question may hold, which
reports an edit closes. Here options become commands.
A form must be the interaction's first response, so the edit form is filled in
from a ``ShowQuestion`` asked within ``FORM_DEADLINE`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands

from bot.adapters.discord import ids, inbound, inbound_scheduled
from bot.adapters.discord.forms import REPORT_KINDS, form_overflow, question_form
from bot.adapters.discord.inbound import LIMITS, Mode
from bot.adapters.discord.interactions import Interactions
from bot.adapters.discord.message import Reply, clip, escape
from bot.adapters.discord.render_admin import upload_problems
from bot.bank.drafts import question_to_draft
from bot.bank.format import MAX_ID
from bot.bank.limits import (
    MAX_NAME,
    MAX_REPORT_REASON,
    MAX_SEARCH,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_QUESTIONS,
    too_big,
)
from bot.domain.commands import (
    AddQuestion,
    Command,
    DismissReport,
    EditQuestion,
    ExportQuestions,
    ImportQuestions,
    ListQuestions,
    ListReports,
    ListSchedules,
    RemoveQuestion,
    RemoveSchedule,
    ShowBundled,
    ShowQuestion,
    SwitchQuestion,
    SwitchSchedule,
)
from bot.domain.events import (
    BundledShown,
    Event,
    QuestionShown,
    QuestionsListed,
    ReportsListed,
    SchedulesShown,
)
from bot.domain.model import Actor, ChannelKey, QuestionDraft
from bot.domain.records import ReportKind
from bot.domain.schedule import Schedule

if TYPE_CHECKING:
    # What the type checker needs to accept these methods as a group's subcommands. At
    # run time the mixin must not be a Group: discord.py would then take the group's
    # subcommands from this class body instead of TriviaCommands'.
    _GroupMixin = app_commands.Group
else:
    _GroupMixin = object

log = logging.getLogger(__name__)

#: A form must be the first response (within Discord's 3 s): the question to fill the
#: edit form with must be read by then, or the admin is asked to try again.
FORM_DEADLINE = 2.5
#: Discord's most options in an autocomplete list.
MAX_AUTOCOMPLETE = 25

Policy = Literal["everyone", "admins", "role"]
Resettable = Literal[
    "rounds", "seconds", "mode", "start_policy", "starter_role", "admin_role", "season_length"
]
SeasonLengthOption = Literal["monthly", "quarterly"]
BundledKind = Literal["category", "bank"]
#: A question id option (the bank format's ids are at most ``MAX_ID`` characters).
QuestionIdOption = app_commands.Range[str, 1, MAX_ID]
Build = Callable[[ChannelKey, Actor], Command]
_ID_HELP = "The question's id, as /trivia questions shows it"
BUSY = "The bot is busy right now and could not open the form in time; try again in a moment."


class AdminCommands(_GroupMixin):
    """``/trivia`` subcommands for a server's admins, and ``report`` for everyone.

    The core refuses non-admins in its own words; a form is opened only for admins,
    so nobody fills one in to be refused.
    """

    answers: Interactions

    async def _run(self, interaction: discord.Interaction, build: Build) -> None:
        """Most subcommands: in a server channel, ``build`` the command and answer it."""
        if (context := await self.answers.in_server(interaction)) is not None:
            await self.answers.answer(interaction, [build(*context)])

    async def _asked(self, interaction: discord.Interaction, build: Build) -> list[Event]:
        """An autocomplete's question to the core: the private answers (none outside a
        server; a non-admin's refusal offers no choices)."""
        context = self.answers.context(interaction)
        if context is None:
            return []
        return list((await self.answers.ask(build(*context))).private)

    # -- one question at a time -------------------------------------------------------------

    @app_commands.command(name="add", description="Admins: add a question to this server")
    async def add(self, interaction: discord.Interaction) -> None:
        if (context := await self.answers.in_server(interaction)) is None:
            return
        probe = AddQuestion(*context, draft=QuestionDraft("", ""))
        if await self.answers.allowed(interaction, probe):
            await interaction.response.send_modal(question_form(ids.ADD_MODAL_ID))

    @app_commands.command(name="edit", description="Admins: change one of this server's questions")
    @app_commands.describe(question_id=_ID_HELP)
    async def edit(
        self,
        interaction: discord.Interaction,
        question_id: QuestionIdOption,
    ) -> None:
        if (context := await self.answers.in_server(interaction)) is None:
            return
        question_id = inbound.question_id_of(question_id)
        try:
            replies = await asyncio.wait_for(
                self.answers.ask(ShowQuestion(*context, question_id=question_id)), FORM_DEADLINE
            )
        except TimeoutError:
            await self.answers.say(interaction, Reply(content=BUSY))
            return
        shown = next((e for e in replies.private if isinstance(e, QuestionShown)), None)
        form_id = ids.edit_modal_id(question_id)
        if shown is None or not shown.item.own or form_id is None:
            # Not an admin, no such question, or a bundled one: the core says why in
            # the words of an edit (one that changes no field, refused before it).
            probe = EditQuestion(
                *context, question_id=question_id, draft=QuestionDraft("", ""), fields=frozenset()
            )
            await self.answers.answer(interaction, [probe])
            return
        draft = question_to_draft(shown.item.question)
        if (too_long := form_overflow(draft)) is not None:
            await self.answers.say(interaction, Reply(content=too_long))
            return
        form = question_form(form_id, title=f"Edit {question_id}", draft=draft)
        await interaction.response.send_modal(form)

    @app_commands.command(
        name="remove", description="Admins: remove one of this server's own questions"
    )
    @app_commands.describe(question_id=_ID_HELP)
    async def remove(
        self,
        interaction: discord.Interaction,
        question_id: QuestionIdOption,
    ) -> None:
        question_id = inbound.question_id_of(question_id)
        await self._run(interaction, lambda c, a: RemoveQuestion(c, a, question_id))

    @app_commands.command(
        name="disable", description="Admins: stop asking a question here (bundled or own)"
    )
    @app_commands.describe(question_id=_ID_HELP)
    async def disable(
        self,
        interaction: discord.Interaction,
        question_id: QuestionIdOption,
    ) -> None:
        question_id = inbound.question_id_of(question_id)
        await self._run(interaction, lambda c, a: SwitchQuestion(c, a, question_id, on=False))

    @app_commands.command(name="enable", description="Admins: ask a disabled question again")
    @app_commands.describe(question_id=_ID_HELP)
    async def enable(
        self,
        interaction: discord.Interaction,
        question_id: QuestionIdOption,
    ) -> None:
        question_id = inbound.question_id_of(question_id)
        await self._run(interaction, lambda c, a: SwitchQuestion(c, a, question_id, on=True))

    @app_commands.command(name="question", description="Admins: one question in full")
    @app_commands.describe(question_id=_ID_HELP)
    async def question(
        self,
        interaction: discord.Interaction,
        question_id: QuestionIdOption,
    ) -> None:
        question_id = inbound.question_id_of(question_id)
        await self._run(interaction, lambda c, a: ShowQuestion(c, a, question_id))

    @app_commands.command(
        name="questions", description="Admins: this server's and the bundled questions, by page"
    )
    @app_commands.describe(
        search="Only questions whose id, text, answers or category contain this",
        page="Which page (10 questions each)",
        own_only="Only the questions this server added or imported",
    )
    async def questions(
        self,
        interaction: discord.Interaction,
        search: app_commands.Range[str, 1, MAX_SEARCH] | None = None,
        page: app_commands.Range[int, 1, 100_000] | None = None,
        own_only: bool | None = None,
    ) -> None:
        await self._run(
            interaction,
            lambda c, a: inbound.questions_command(
                c, a, search=search, page=page, own_only=own_only
            ),
        )

    @edit.autocomplete("question_id")
    @remove.autocomplete("question_id")
    async def _own_question_ids(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._question_ids(interaction, current, own_only=True)

    @disable.autocomplete("question_id")
    @enable.autocomplete("question_id")
    @question.autocomplete("question_id")
    async def _any_question_ids(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._question_ids(interaction, current, own_only=False)

    async def _question_ids(
        self, interaction: discord.Interaction, current: str, *, own_only: bool
    ) -> list[app_commands.Choice[str]]:
        """The first page of matching questions (a non-admin is refused: no choices)."""
        search = inbound.question_id_of(current)[:MAX_SEARCH]
        replies = await self._asked(
            interaction, lambda c, a: ListQuestions(c, a, search=search, own_only=own_only)
        )
        return [
            app_commands.Choice(
                name=clip(f"{i.question.id} · {i.question.prompt}", 100), value=i.question.id
            )
            for event in replies
            if isinstance(event, QuestionsListed)
            for i in event.page.items
        ][:MAX_AUTOCOMPLETE]

    # -- whole files --------------------------------------------------------------------------

    @app_commands.command(
        name="import", description="Admins: add or update questions from a YAML bank file"
    )
    @app_commands.describe(
        file=f"A bank file (.yaml) like the bundled ones; at most {MAX_UPLOAD_BYTES // 1024} KiB "
        f"and {MAX_UPLOAD_QUESTIONS} questions"
    )
    async def import_(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        if (context := await self.answers.in_server(interaction)) is None:
            return
        channel, actor = context
        # Deferred at once: downloading and parsing take time.
        await interaction.response.defer(ephemeral=True, thinking=True)
        probe = ImportQuestions(channel, actor, source=file.filename, questions=())
        if not await self.answers.allowed(interaction, probe, deferred=True):
            return
        if file.size > MAX_UPLOAD_BYTES:  # refused before it is downloaded
            await self.answers.say(
                interaction, Reply(content=too_big(escape(file.filename), size=file.size))
            )
            return
        parsed = await self.answers.uploads.parse(await file.read(), file.filename)
        if not parsed.ok:
            await self.answers.say(interaction, Reply(content=upload_problems(parsed)))
            return
        command = ImportQuestions(
            channel, actor, source=parsed.filename, questions=parsed.questions
        )
        await self.answers.answer(interaction, [command], deferred=True)

    @app_commands.command(
        name="export", description="Admins: this server's own questions as a YAML bank file"
    )
    async def export(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, ExportQuestions)

    # -- reports ------------------------------------------------------------------------------

    @app_commands.command(
        name="report", description="Tell the admins the last question was wrong or unclear"
    )
    @app_commands.describe(kind="What is wrong with it", reason="Why (optional)")
    @app_commands.choices(
        kind=[
            app_commands.Choice(name=f"{label} ({description.lower()})", value=kind.value)
            for kind, label, description in REPORT_KINDS
        ]
    )
    async def report(
        self,
        interaction: discord.Interaction,
        kind: str = ReportKind.WRONG.value,
        reason: app_commands.Range[str, 1, MAX_REPORT_REASON] | None = None,
    ) -> None:
        await self._run(
            interaction, lambda c, a: inbound.report_command(c, a, kind=kind, reason=reason)
        )

    @app_commands.command(name="reports", description="Admins: the open reports about questions")
    async def reports(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, ListReports)

    @app_commands.command(
        name="dismiss", description="Admins: close a report without changing its question"
    )
    @app_commands.describe(report_id="The report's number, as /trivia reports shows it")
    async def dismiss(
        self,
        interaction: discord.Interaction,
        report_id: app_commands.Range[int, 1, 2**53],
    ) -> None:
        await self._run(interaction, lambda c, a: DismissReport(c, a, report_id))

    @dismiss.autocomplete("report_id")
    async def _open_report_ids(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        replies = await self._asked(interaction, ListReports)
        wanted = current.strip().lstrip("#")
        return [
            app_commands.Choice(
                name=clip(f"#{r.id} {r.question_id} · {r.draft.kind}: {r.draft.reason}", 100),
                value=r.id,
            )
            for event in replies
            if isinstance(event, ReportsListed)
            for r in event.reports
            if str(r.id).startswith(wanted)
        ][:MAX_AUTOCOMPLETE]

    # -- bundled banks and categories, settings -----------------------------------------------

    @app_commands.command(
        name="bundled", description="Admins: bundled categories and banks, and switching them"
    )
    @app_commands.describe(
        kind="Switch a whole category, or a whole bank",
        name="The category's or bank's name",
        on="True: asked on this server; False: never asked here",
    )
    async def bundled(
        self,
        interaction: discord.Interaction,
        kind: BundledKind | None = None,
        name: app_commands.Range[str, 1, MAX_NAME] | None = None,
        on: bool | None = None,
    ) -> None:
        if (context := await self.answers.in_server(interaction)) is None:
            return
        command = inbound.bundled_command(*context, kind=kind, name=name, on=on)
        if command is None:
            await self.answers.say(interaction, Reply(content=inbound.BUNDLED_USAGE))
            return
        await self.answers.answer(interaction, [command])

    @bundled.autocomplete("name")
    async def _bundled_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        replies = await self._asked(interaction, ShowBundled)
        kind = getattr(interaction.namespace, "kind", None)
        wanted = current.casefold().strip()
        parts = [
            (part_kind, part)
            for event in replies
            if isinstance(event, BundledShown)
            for part_kind, of_kind in (
                ("bank", event.overview.banks),
                ("category", event.overview.categories),
            )
            for part in of_kind
        ]
        return [
            app_commands.Choice(
                name=clip(f"{part_kind} {part.name} ({'on' if part.on else 'off'})", 100),
                value=part.name[:100],
            )
            for part_kind, part in parts
            if kind in (None, part_kind) and wanted in part.name.casefold()
        ][:MAX_AUTOCOMPLETE]

    @app_commands.command(name="settings", description="Admins: this server's trivia settings")
    @app_commands.describe(
        rounds="Default questions per game",
        seconds="Default seconds per question",
        mode="Default mode",
        start_policy="Who may start games",
        starter_role="With start_policy role: the role that may start games",
        admin_role="Members of this role count as trivia admins",
        season_length="Seasons (their leaderboards and results posts): monthly or quarterly",
        reset="Put one setting back to the bot's default",
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        rounds: app_commands.Range[int, LIMITS.min_rounds, LIMITS.max_rounds] | None = None,
        seconds: app_commands.Range[float, LIMITS.min_seconds, LIMITS.max_seconds] | None = None,
        mode: Mode | None = None,
        start_policy: Policy | None = None,
        starter_role: discord.Role | None = None,
        admin_role: discord.Role | None = None,
        season_length: SeasonLengthOption | None = None,
        reset: Resettable | None = None,
    ) -> None:
        if (context := await self.answers.in_server(interaction)) is None:
            return
        command = inbound.settings_command(
            *context,
            rounds=rounds,
            seconds=seconds,
            mode=mode,
            start_policy=start_policy,
            starter_role=starter_role.id if starter_role else None,
            admin_role=admin_role.id if admin_role else None,
            season_length=season_length,
            reset=reset,
        )
        await self.answers.answer(interaction, [command])


# -- schedules --------------------------------------------------------------------------------

_SCHEDULE_ID_HELP = "The schedule's number, as /trivia schedule list shows it"
ScheduleIdOption = app_commands.Range[int, 1, 2**53]
ScheduleKindOption = Literal["daily", "quiz"]
DifficultyOption = Literal["easy", "medium", "hard"]


class ScheduleCommands(app_commands.Group):
    """``/trivia schedule ...``: admins add, list, pause, resume and remove the server's
    daily questions and weekly quizzes.  The service refuses a member and reads each
    setting (a refusal names it); here options become commands."""

    def __init__(self, answers: Interactions) -> None:
        super().__init__(
            name="schedule", description="Admins: a daily question or weekly quiz on its own"
        )
        self.answers = answers

    async def _run(self, interaction: discord.Interaction, build: Build) -> None:
        if (context := await self.answers.in_server(interaction)) is not None:
            await self.answers.answer(interaction, [build(*context)])

    @app_commands.command(name="add", description="Admins: add a daily question or a weekly quiz")
    @app_commands.describe(
        kind="daily: one question, answered privately; quiz: a full game",
        time="When, HH:MM on a 24-hour clock, in the time zone",
        timezone="An IANA time zone, like Europe/Berlin or America/New_York",
        days="Which days: daily, weekdays, weekends or mon,wed,fri (default: daily)",
        closes="HH:MM the daily question closes (default midnight), or a quiz's latest start",
        category="Only questions of this category",
        difficulty="Only questions of this difficulty",
        rounds="Quiz: how many questions",
        seconds="Quiz: seconds per question",
        mode="Quiz: text (type answers) or choice (click an option)",
        remind="Quiz: minutes before it to post a reminder (0: none; default 10)",
        channel="Where to post (default: this channel)",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        kind: ScheduleKindOption,
        time: app_commands.Range[str, 1, 5],
        timezone: app_commands.Range[str, 1, 64],
        days: app_commands.Range[str, 1, 60] | None = None,
        closes: app_commands.Range[str, 1, 5] | None = None,
        category: app_commands.Range[str, 1, MAX_NAME] | None = None,
        difficulty: DifficultyOption | None = None,
        rounds: app_commands.Range[int, LIMITS.min_rounds, LIMITS.max_rounds] | None = None,
        seconds: app_commands.Range[float, LIMITS.min_seconds, LIMITS.max_seconds] | None = None,
        mode: Mode | None = None,
        remind: app_commands.Range[int, 0, 1440] | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        await self._run(
            interaction,
            lambda c, a: inbound_scheduled.schedule_add_command(
                c,
                a,
                kind=kind,
                time=time,
                timezone=timezone,
                days=days,
                closes=closes,
                category=category,
                difficulty=difficulty,
                rounds=rounds,
                seconds=seconds,
                mode=mode,
                remind=remind,
                target_channel_id=channel.id if channel is not None else None,
            ),
        )

    @add.autocomplete("timezone")
    async def _zones(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=zone, value=zone)
            for zone in inbound_scheduled.zone_choices(current, limit=MAX_AUTOCOMPLETE)
        ]

    @app_commands.command(name="list", description="Admins: this server's schedules")
    async def list_(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, ListSchedules)

    @app_commands.command(name="pause", description="Admins: stop a schedule for now")
    @app_commands.describe(schedule_id=_SCHEDULE_ID_HELP)
    async def pause(self, interaction: discord.Interaction, schedule_id: ScheduleIdOption) -> None:
        await self._run(interaction, lambda c, a: SwitchSchedule(c, a, schedule_id, paused=True))

    @app_commands.command(name="resume", description="Admins: run a paused schedule again")
    @app_commands.describe(schedule_id=_SCHEDULE_ID_HELP)
    async def resume(self, interaction: discord.Interaction, schedule_id: ScheduleIdOption) -> None:
        await self._run(interaction, lambda c, a: SwitchSchedule(c, a, schedule_id, paused=False))

    @app_commands.command(name="remove", description="Admins: delete a schedule")
    @app_commands.describe(schedule_id=_SCHEDULE_ID_HELP)
    async def remove(self, interaction: discord.Interaction, schedule_id: ScheduleIdOption) -> None:
        await self._run(interaction, lambda c, a: RemoveSchedule(c, a, schedule_id))

    @pause.autocomplete("schedule_id")
    @resume.autocomplete("schedule_id")
    @remove.autocomplete("schedule_id")
    async def _schedule_ids(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        """The server's schedules (a member is refused: no choices)."""
        context = self.answers.context(interaction)
        if context is None:
            return []
        replies = await self.answers.ask(ListSchedules(*context))
        wanted = current.strip().lstrip("#")
        return [
            app_commands.Choice(name=clip(schedule_choice(item), 100), value=item.id)
            for event in replies.private
            if isinstance(event, SchedulesShown)
            for item in event.schedules
            if item.id is not None and str(item.id).startswith(wanted)
        ][:MAX_AUTOCOMPLETE]


def schedule_choice(item: Schedule) -> str:
    """A schedule as an autocomplete choice: "#3 daily question 09:00 Europe/Berlin"."""
    state = " (paused)" if item.paused else ""
    return f"#{item.id} {item.kind.label} {item.at:%H:%M} {item.zone}{state}"
