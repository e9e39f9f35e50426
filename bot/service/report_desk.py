"""Players reporting questions that are wrong, and admins closing the reports.

``ReportDesk`` files a player's report on the last question asked in a
channel (or on one named by id), lists a server's open reports and dismisses
one.  ``QuestionDesk`` routes these commands here, after checking that an
admin sent the admins' ones, and has ``resolve`` close a question's open
reports when an admin edits, switches off or removes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.bank.limits import MAX_OPEN_REPORTS_PER_PLAYER, MAX_REPORT_REASON
from bot.domain.commands import DismissReport, ListReports, ReportQuestion
from bot.domain.events import Refusal, ReportDismissed, ReportFiled, ReportsListed
from bot.domain.model import Actor, ChannelKey, PlayerKey, Question, ServerKey
from bot.domain.records import ReportDraft, Resolution
from bot.ports import Clock, EventSink, QuestionEditor, ReportStore
from bot.service.settings_desk import refuse

log = logging.getLogger(__name__)

#: Open reports shown at once (the oldest first; ``ReportsListed.total`` counts all).
REPORTS_SHOWN = 25
#: "All of a question's open reports" (each player has at most one open per question).
_ALL_REPORTS = 1_000_000


class ReportDesk:
    """Players' reports on questions, and admins' view of them, per server."""

    def __init__(
        self,
        *,
        editor: QuestionEditor,
        reports: ReportStore,
        clock: Clock,
        sink: EventSink,
        last_question: Callable[[ChannelKey], Question | None],
    ) -> None:
        self._editor = editor
        self._reports = reports
        self._clock = clock
        self._sink = sink
        self._last_question = last_question

    async def file(self, command: ReportQuestion) -> None:
        """File a player's report, unless it is refused (then they are told why)."""
        channel, actor, server = command.channel, command.actor, command.channel.server_key
        question = await self._reportable(command)
        if question is None:
            return
        report = await self._reports.file_report(
            ReportDraft(
                server=server,
                channel=channel,
                question_id=question.id,
                prompt=question.prompt,
                kind=command.kind,
                reason=command.reason.strip(),
                reporter=actor.key,
                reporter_name=actor.name,
                at=self._clock.now(),
            )
        )
        log.info("report #%d on %s in %s by %s", report.id, question.id, server, actor.key)
        await self._sink.publish(ReportFiled(channel=channel, recipient=actor.key, report=report))

    async def _reportable(self, command: ReportQuestion) -> Question | None:
        """The question ``command`` reports, if the report may be filed; else
        None, after telling the player why not."""
        channel, actor = command.channel, command.actor
        if len(command.reason) > MAX_REPORT_REASON:
            await refuse(
                self._sink,
                channel,
                actor,
                Refusal.BAD_OPTION,
                f"Please say what is wrong in at most {MAX_REPORT_REASON} characters "
                f"(that was {len(command.reason):,}).",
            )
            return None
        question = await self._reported_question(channel, command.question_id)
        if question is None:
            await refuse(
                self._sink,
                channel,
                actor,
                Refusal.NO_GAME,
                "There is no question to report here: a report is about the last question "
                "asked in this channel."
                if command.question_id is None
                else f"There is no question with id {command.question_id!r} here any more.",
            )
            return None
        refusal = await self._over_limit(channel.server_key, question.id, actor.key)
        if refusal is not None:
            await refuse(self._sink, channel, actor, *refusal)
            return None
        return question

    async def _reported_question(
        self, channel: ChannelKey, question_id: str | None
    ) -> Question | None:
        if question_id is None:
            return self._last_question(channel)
        item = await self._editor.find_question(channel.server_key, question_id)
        return item.question if item is not None else None

    async def _over_limit(
        self, server: ServerKey, question_id: str, reporter: PlayerKey
    ) -> tuple[Refusal, str] | None:
        """Why ``reporter`` may not report the question now, if they may not:
        their report on it is still open, or they have as many open as allowed."""
        if await self._reports.open_reports(
            server, question_id=question_id, reporter=reporter, limit=1
        ):
            return (
                Refusal.ALREADY_ANSWERED,
                "You have already reported this question; the admins will look at it.",
            )
        if (
            await self._reports.count_open_reports(server, reporter=reporter)
            >= MAX_OPEN_REPORTS_PER_PLAYER
        ):
            return (
                Refusal.NOT_NOW,
                f"You have {MAX_OPEN_REPORTS_PER_PLAYER} reports waiting for the admins here; "
                "please wait until they have looked at them.",
            )
        return None

    async def list_open(self, command: ListReports) -> None:
        channel, actor, server = command.channel, command.actor, command.channel.server_key
        found = await self._reports.open_reports(server, limit=REPORTS_SHOWN)
        total = await self._reports.count_open_reports(server)
        await self._sink.publish(
            ReportsListed(channel=channel, recipient=actor.key, reports=tuple(found), total=total)
        )

    async def dismiss(self, command: DismissReport) -> None:
        channel, actor, server = command.channel, command.actor, command.channel.server_key
        report = (
            await self._reports.get_report(server, command.report_id)
            if 0 < command.report_id < 2**63  # beyond: no report, and no SQLite integer
            else None
        )
        if report is None or report.resolution is not None:
            state = "closed already" if report is not None else "not one of this server's"
            await refuse(
                self._sink,
                channel,
                actor,
                Refusal.BAD_OPTION,
                f"Report #{command.report_id} is {state}; the reports list shows the open "
                "ones and their numbers.",
            )
            return
        now = self._clock.now()
        await self._reports.resolve_reports(
            server, [report.id], Resolution.DISMISSED, by=actor.key, at=now
        )
        closed = await self._reports.get_report(server, report.id)
        await self._sink.publish(
            ReportDismissed(channel=channel, recipient=actor.key, report=closed or report)
        )

    async def resolve(
        self, server: ServerKey, question_id: str, resolution: Resolution, actor: Actor
    ) -> tuple[int, ...]:
        """Close the question's open reports; their ids."""
        open_ones = await self._reports.open_reports(
            server, question_id=question_id, limit=_ALL_REPORTS
        )
        ids = tuple(report.id for report in open_ones)
        if ids:
            await self._reports.resolve_reports(
                server, ids, resolution, by=actor.key, at=self._clock.now()
            )
        return ids
