"""Admins curating their server's questions, and players reporting bad ones.

``QuestionDesk`` carries out the question commands of every platform alike:
add, edit, switch off and on, remove, list, show, import and export a server's
questions; switch bundled categories and banks off and on; file, list and
resolve reports.  It answers with events like every other command: a refusal
a user should see is a ``Rejected`` event, never an exception.

Reports are resolved by what admins do anyway: editing a question closes its
open reports as "edited", switching it off as "disabled", removing it as
"removed"; ``DismissReport`` closes one without touching the question.
``bot.service.report_desk`` files, lists, dismisses and resolves the reports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC

from bot.bank.export import server_export
from bot.bank.limits import (
    MAX_NAME,
    MAX_SEARCH,
)
from bot.domain.commands import (
    AddQuestion,
    DismissReport,
    EditQuestion,
    ExportQuestions,
    ImportQuestions,
    ListQuestions,
    ListReports,
    QuestionAdminCommand,
    RemoveQuestion,
    ReportQuestion,
    ShowBundled,
    ShowQuestion,
    SwitchBundled,
    SwitchQuestion,
)
from bot.domain.events import (
    BundledShown,
    DraftRejected,
    QuestionAdded,
    QuestionEdited,
    QuestionRemoved,
    QuestionsExported,
    QuestionShown,
    QuestionsImported,
    QuestionsListed,
    QuestionSwitched,
    Refusal,
)
from bot.domain.model import Actor, ChannelKey, Question
from bot.domain.records import (
    ImportRefused,
    Resolution,
    Switch,
)
from bot.ports import (
    Clock,
    EventSink,
    QuestionEditor,
    ReportStore,
)
from bot.service.report_desk import ReportDesk
from bot.service.settings_desk import ServerPolicy, admits, refuse

log = logging.getLogger(__name__)


class QuestionDesk:
    """Question commands of admins (and reports of players), per server."""

    def __init__(
        self,
        *,
        policy: ServerPolicy,
        editor: QuestionEditor,
        reports: ReportStore,
        clock: Clock,
        sink: EventSink,
        last_question: Callable[[ChannelKey], Question | None],
    ) -> None:
        self._policy = policy
        self._editor = editor
        self._reports = reports
        self._clock = clock
        self._sink = sink
        self._report_desk = ReportDesk(
            editor=editor, reports=reports, clock=clock, sink=sink, last_question=last_question
        )

    async def handle(self, command: QuestionAdminCommand) -> None:
        if isinstance(command, ReportQuestion):
            await self._report_desk.file(command)
            return
        channel, actor = command.channel, command.actor
        if not await admits(self._policy, self._sink, channel, actor, _WHAT[type(command)]):
            return
        editor = self._editor
        match command:
            case AddQuestion():
                await self._add(editor, command)
            case EditQuestion():
                await self._edit(editor, command)
            case RemoveQuestion():
                await self._remove(editor, command)
            case SwitchQuestion():
                await self._switch(editor, command)
            case ListQuestions():
                await self._list(editor, command)
            case ShowQuestion():
                await self._show(editor, command)
            case ImportQuestions():
                await self._import(editor, command)
            case ExportQuestions():
                await self._export(editor, command)
            case ListReports():
                await self._report_desk.list_open(command)
            case DismissReport():
                await self._report_desk.dismiss(command)
            case ShowBundled():
                overview = await editor.bundled_overview(channel.server_key)
                await self._sink.publish(
                    BundledShown(channel=channel, recipient=actor.key, overview=overview)
                )
            case SwitchBundled():
                await self._switch_bundled(editor, command)

    # -- one question -------------------------------------------------------------------

    async def _add(self, editor: QuestionEditor, command: AddQuestion) -> None:
        channel, actor = command.channel, command.actor
        result = await editor.add_question(
            channel.server_key, command.draft, by=actor.key, at=self._clock.now()
        )
        if isinstance(result, tuple):
            await self._sink.publish(
                DraftRejected(channel=channel, recipient=actor.key, problems=result)
            )
            return
        log.info("question %s added to %s by %s", result.id, channel.server_key, actor.key)
        await self._sink.publish(
            QuestionAdded(channel=channel, recipient=actor.key, question=result)
        )

    async def _edit(self, editor: QuestionEditor, command: EditQuestion) -> None:
        channel, actor, server = command.channel, command.actor, command.channel.server_key
        before = await editor.find_question(server, command.question_id)
        result = await editor.edit_question(
            server,
            command.question_id,
            command.draft,
            fields=command.fields,
            by=actor.key,
            at=self._clock.now(),
        )
        if result is None:
            await self._no_such_own(channel, actor, command.question_id, "edited")
            return
        if isinstance(result, tuple):
            await self._sink.publish(
                DraftRejected(channel=channel, recipient=actor.key, problems=result)
            )
            return
        if before is not None and result == before.question:
            # Saved unchanged: nothing was fixed, so its reports stay open.
            resolved: tuple[int, ...] = ()
        else:
            log.info("question %s of %s edited by %s", result.id, server, actor.key)
            resolved = await self._report_desk.resolve(server, result.id, Resolution.EDITED, actor)
        await self._sink.publish(
            QuestionEdited(channel=channel, recipient=actor.key, question=result, resolved=resolved)
        )

    async def _remove(self, editor: QuestionEditor, command: RemoveQuestion) -> None:
        channel, actor, server = command.channel, command.actor, command.channel.server_key
        question_id = command.question_id
        if not await editor.remove_question(
            server, question_id, by=actor.key, at=self._clock.now()
        ):
            await self._no_such_own(channel, actor, question_id, "removed")
            return
        log.info("question %s of %s removed by %s", question_id, server, actor.key)
        resolved = await self._report_desk.resolve(server, question_id, Resolution.REMOVED, actor)
        await self._sink.publish(
            QuestionRemoved(
                channel=channel, recipient=actor.key, question_id=question_id, resolved=resolved
            )
        )

    async def _switch(self, editor: QuestionEditor, command: SwitchQuestion) -> None:
        channel, actor, server = command.channel, command.actor, command.channel.server_key
        question_id = command.question_id
        if not await editor.switch_question(
            server, question_id, on=command.on, by=actor.key, at=self._clock.now()
        ):
            await refuse(
                self._sink,
                channel,
                actor,
                Refusal.BAD_OPTION,
                f"There is no question with id {question_id!r} here. "
                "Find its id with the questions list.",
            )
            return
        log.info(
            "question %s %s for %s by %s",
            question_id,
            "enabled" if command.on else "disabled",
            server,
            actor.key,
        )
        resolved = (
            ()
            if command.on
            else await self._report_desk.resolve(server, question_id, Resolution.DISABLED, actor)
        )
        await self._sink.publish(
            QuestionSwitched(
                channel=channel,
                recipient=actor.key,
                question_id=question_id,
                on=command.on,
                resolved=resolved,
            )
        )

    async def _list(self, editor: QuestionEditor, command: ListQuestions) -> None:
        channel, actor = command.channel, command.actor
        if len(command.search) > MAX_SEARCH:
            await refuse(
                self._sink,
                channel,
                actor,
                Refusal.BAD_OPTION,
                f"Search for at most {MAX_SEARCH} characters: a word of the question, "
                "its answer, category or id.",
            )
            return
        page = await editor.list_questions(
            channel.server_key,
            search=command.search,
            page=command.page,
            own_only=command.own_only,
        )
        await self._sink.publish(QuestionsListed(channel=channel, recipient=actor.key, page=page))

    async def _show(self, editor: QuestionEditor, command: ShowQuestion) -> None:
        channel, actor, server = command.channel, command.actor, command.channel.server_key
        item = await editor.find_question(server, command.question_id)
        if item is None:
            await refuse(
                self._sink,
                channel,
                actor,
                Refusal.BAD_OPTION,
                f"There is no question with id {command.question_id!r} here. "
                "Find its id with the questions list.",
            )
            return
        reports = tuple(await self._reports.open_reports(server, question_id=item.question.id))
        await self._sink.publish(
            QuestionShown(channel=channel, recipient=actor.key, item=item, reports=reports)
        )

    # -- whole files --------------------------------------------------------------------

    async def _import(self, editor: QuestionEditor, command: ImportQuestions) -> None:
        channel, actor, server = command.channel, command.actor, command.channel.server_key
        result = await editor.import_questions(
            server, command.questions, by=actor.key, at=self._clock.now()
        )
        if isinstance(result, ImportRefused):
            log.info("%s refused for %s: %s", command.source, server, result.message)
            await refuse(self._sink, channel, actor, Refusal.BAD_OPTION, result.message)
            return
        log.info(
            "%s imported into %s by %s: %d added, %d updated, %d skipped",
            command.source,
            server,
            actor.key,
            len(result.added),
            len(result.updated),
            len(result.skipped),
        )
        await self._sink.publish(
            QuestionsImported(
                channel=channel, recipient=actor.key, source=command.source, result=result
            )
        )

    async def _export(self, editor: QuestionEditor, command: ExportQuestions) -> None:
        channel, actor, server = command.channel, command.actor, command.channel.server_key
        questions = await editor.custom_questions(server)
        if not questions:
            await refuse(
                self._sink,
                channel,
                actor,
                Refusal.NO_QUESTIONS,
                "This server has no questions of its own to export yet "
                "(the bundled banks are files already).",
            )
            return
        today = self._clock.now().astimezone(UTC).date()
        filename, text = server_export(server, questions, exported=today)
        await self._sink.publish(
            QuestionsExported(
                channel=channel,
                recipient=actor.key,
                filename=filename,
                text=text,
                count=len(questions),
            )
        )

    # -- bundled banks --------------------------------------------------------------------

    async def _switch_bundled(self, editor: QuestionEditor, command: SwitchBundled) -> None:
        channel, actor, server = command.channel, command.actor, command.channel.server_key
        what = "category" if command.kind is Switch.CATEGORY else "bank"
        found = (
            await editor.switch_bundled(
                server,
                command.kind,
                command.name,
                on=command.on,
                by=actor.key,
                at=self._clock.now(),
            )
            if len(command.name) <= MAX_NAME and command.kind is not Switch.QUESTION
            else None
        )
        overview = await editor.bundled_overview(server)
        if found is None:
            parts = overview.categories if command.kind is Switch.CATEGORY else overview.banks
            names = ", ".join(part.name for part in parts) or "none"
            await refuse(
                self._sink,
                channel,
                actor,
                Refusal.BAD_OPTION,
                f"There is no bundled {what} called {command.name[:MAX_NAME]!r}. "
                f"The bundled {what}s are: {names}.",
            )
            return
        state = "on" if command.on else "off"
        log.info("bundled %s %s switched %s for %s by %s", what, found, state, server, actor.key)
        await self._sink.publish(
            BundledShown(
                channel=channel,
                recipient=actor.key,
                overview=overview,
                changed=f"{what} {found} {state}",
            )
        )

    # -- refusals ---------------------------------------------------------------------------

    async def _no_such_own(
        self, channel: ChannelKey, actor: Actor, question_id: str, done: str
    ) -> None:
        item = await self._editor.find_question(channel.server_key, question_id)
        bundled = item is not None and not item.own
        message = (
            f"{question_id!r} is a bundled question: it cannot be {done}, only switched off "
            "for this server (disable it)."
            if bundled
            else f"This server has no question of its own with id {question_id!r}. "
            "Find its id with the questions list."
        )
        await refuse(self._sink, channel, actor, Refusal.BAD_OPTION, message)


_WHAT: dict[type[QuestionAdminCommand], str] = {
    AddQuestion: "add questions",
    EditQuestion: "edit questions",
    RemoveQuestion: "remove questions",
    SwitchQuestion: "switch questions on and off",
    ListQuestions: "list this server's questions",
    ShowQuestion: "look at questions in full",
    ImportQuestions: "import questions",
    ExportQuestions: "export questions",
    ListReports: "see reports",
    DismissReport: "dismiss reports",
    ShowBundled: "see the bundled banks",
    SwitchBundled: "switch bundled banks and categories",
}
