"""The ports the service talks through: Protocols, and the one error their contract names.

Ports are ``typing.Protocol``s: an implementation never inherits from them, it
only has to fit.  SQL lives behind ``ScoreStore`` (``bot/storage``), files behind
``QuestionBank`` (``bot/bank``), time behind ``Clock`` (``bot/clock.py``), and
the chat platforms behind ``EventSink`` (``bot/adapters``).  The records that
cross them are plain values of the domain (``bot.domain.records``); nothing in
the domain imports this module.  What the processes of one bot share through the
database (leases, paced turns, facts, last servers: ``SharedStore``) trades in the
values of ``bot.coordination``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from bot.coordination import Fence, LastServer, Lease, LeaseHeld, LeaseLost
from bot.domain.commands import Command
from bot.domain.daily import DailyHome, DailyRound, Season
from bot.domain.events import Event
from bot.domain.model import (
    Actor,
    ChannelKey,
    FieldProblem,
    PlayerKey,
    Question,
    QuestionDraft,
    ServerKey,
    ServerSettings,
)
from bot.domain.records import (
    AnswerRecord,
    BundledOverview,
    DailyAnswer,
    DailyStreak,
    GameInPlay,
    GameRecord,
    ImportRefused,
    ImportResult,
    LeaderboardRow,
    ListedQuestion,
    Period,
    PlayerStats,
    QuestionHistory,
    QuestionPage,
    QuestionReport,
    ReportDraft,
    Resolution,
    RunningGame,
    Switch,
    SwitchedOff,
    UnfinishedGame,
)
from bot.domain.schedule import Schedule
from bot.domain.snapshot import GameSnapshot
from bot.slack_installations import InstallationKey, RotatedTokens, SlackInstallation


class StoreUnavailable(Exception):
    """The database cannot be read or written for now: locked by another process,
    full, read-only, unreachable.  Nothing was changed, and the same call may work
    later.  Every store raises it (chained to its driver's error) for such faults,
    so that the service can wait them out and say so, instead of failing."""


class FencedOut(Exception):
    """A write refused: it was made under a lease (a Discord shard) this process no
    longer holds, because another process took it over or it expired.  Nothing was
    written.  The process must let the server's games go and say nothing more in
    their channels: their new owner carries them on."""


class ScoreStore(Protocol):
    """Durable scores, game results and the asked-question history.

    Every method that writes returns only once the data is committed, so the
    service can announce what it has written; a database that cannot be used
    for now raises ``StoreUnavailable``.  Implementations must pass
    ``tests/contract``.
    """

    async def record_answers(self, answers: Sequence[AnswerRecord]) -> None: ...

    async def record_game(self, game: GameRecord) -> None: ...

    async def leaderboard(
        self, server: ServerKey, period: Period, *, now: datetime, limit: int = 10
    ) -> list[LeaderboardRow]: ...

    async def season_leaderboard(
        self, server: ServerKey, season: Season, *, limit: int = 10
    ) -> list[LeaderboardRow]:
        """``server``'s best in ``season``, summed from its days' totals."""
        ...

    async def player_stats(self, player: PlayerKey) -> PlayerStats | None: ...

    async def find_players(self, server: ServerKey, name: str) -> list[PlayerKey]: ...

    async def asked_questions(
        self, server: ServerKey, question_ids: Collection[str]
    ) -> set[str]: ...

    async def mark_asked(
        self, server: ServerKey, question_ids: Sequence[str], *, at: datetime
    ) -> None: ...

    async def forget_asked(self, server: ServerKey, question_ids: Collection[str]) -> None: ...

    async def close(self) -> None: ...


class QuestionBank(Protocol):
    """The questions a server may be asked: bundled banks plus, later, its own."""

    async def questions(self, server: ServerKey) -> Sequence[Question]: ...


class QuestionEditor(Protocol):
    """A server's admins curating its questions, validated like bank files.

    Every change names who made it and when; bundled questions are never
    changed, only switched off for one server.
    """

    async def add_question(
        self, server: ServerKey, draft: QuestionDraft, *, by: PlayerKey, at: datetime
    ) -> Question | tuple[FieldProblem, ...]:
        """The stored question, or every problem with the draft by form field."""
        ...

    async def edit_question(
        self,
        server: ServerKey,
        question_id: str,
        draft: QuestionDraft,
        *,
        fields: frozenset[str],
        by: PlayerKey,
        at: datetime,
    ) -> Question | tuple[FieldProblem, ...] | None:
        """Replace the ``fields`` of the server's own question with the draft's
        (other fields, tags and source are kept). None when the server has no
        question of its own with that id."""
        ...

    async def remove_question(
        self, server: ServerKey, question_id: str, *, by: PlayerKey, at: datetime
    ) -> bool:
        """False when the server has no question of its own with that id."""
        ...

    async def switch_question(
        self, server: ServerKey, question_id: str, *, on: bool, by: PlayerKey, at: datetime
    ) -> bool:
        """Disable (``on=False``) or re-enable a question, bundled or own, for
        this server. False when the server has no question with that id."""
        ...

    async def import_questions(
        self, server: ServerKey, questions: Sequence[Question], *, by: PlayerKey, at: datetime
    ) -> ImportResult | ImportRefused:
        """Make validated questions the server's own. A question whose id the
        server already has replaces it, so importing a file twice updates.
        Refused whole, before anything is written, when the new ones would take
        the server past its cap of own questions."""
        ...

    async def custom_questions(self, server: ServerKey) -> Sequence[Question]:
        """The server's own questions (switched off or not), oldest first."""
        ...

    async def find_question(self, server: ServerKey, question_id: str) -> ListedQuestion | None:
        """One question the server has (bundled, own, enabled or not)."""
        ...

    async def list_questions(
        self, server: ServerKey, *, search: str, page: int, own_only: bool
    ) -> QuestionPage:
        """A page of the server's questions whose id, prompt, answers or
        category contain ``search`` (case-insensitive; empty: all)."""
        ...

    async def bundled_overview(self, server: ServerKey) -> BundledOverview: ...

    async def switch_bundled(
        self,
        server: ServerKey,
        kind: Switch,
        name: str,
        *,
        on: bool,
        by: PlayerKey,
        at: datetime,
    ) -> str | None:
        """Turn a bundled category or bank on or off for the server; the
        category's or bank's own spelling, or None when there is no such one."""
        ...


class CustomQuestionStore(Protocol):
    """Where servers' own questions are kept (the bundled banks stay files).

    Removal is soft: a removed question leaves the server's pool but stays in
    the database with who removed it and when.
    """

    async def custom_questions(self, server: ServerKey) -> list[Question]: ...

    async def save_custom_question(
        self, server: ServerKey, question: Question, *, by: PlayerKey, at: datetime
    ) -> None:
        """Insert the question, or replace the server's question with its id."""
        ...

    async def delete_custom_question(
        self, server: ServerKey, question_id: str, *, by: PlayerKey, at: datetime
    ) -> bool: ...

    async def question_history(self, server: ServerKey) -> dict[str, QuestionHistory]:
        """Who added and last changed each of the server's own questions."""
        ...

    async def switched_off(self, server: ServerKey) -> SwitchedOff: ...

    async def switch(
        self, server: ServerKey, kind: Switch, name: str, *, on: bool, by: PlayerKey, at: datetime
    ) -> None:
        """Record that ``name`` (a question id, casefolded category or bank id)
        is switched off (``on=False``) or on again, and by whom."""
        ...


class ReportStore(Protocol):
    """Players' reports about questions, and how admins resolved them."""

    async def file_report(self, draft: ReportDraft) -> QuestionReport: ...

    async def open_reports(
        self,
        server: ServerKey,
        *,
        question_id: str | None = None,
        reporter: PlayerKey | None = None,
        limit: int = 25,
    ) -> list[QuestionReport]:
        """Open reports, oldest first; only about ``question_id`` and by
        ``reporter`` when those are given."""
        ...

    async def count_open_reports(
        self, server: ServerKey, *, reporter: PlayerKey | None = None
    ) -> int: ...

    async def get_report(self, server: ServerKey, report_id: int) -> QuestionReport | None: ...

    async def resolve_reports(
        self,
        server: ServerKey,
        report_ids: Collection[int],
        resolution: Resolution,
        *,
        by: PlayerKey,
        at: datetime,
    ) -> None:
        """Close the reports that are still open among ``report_ids``."""
        ...


class SettingsStore(Protocol):
    """Each server's own settings."""

    async def server_settings(self, server: ServerKey) -> ServerSettings: ...

    async def save_server_settings(
        self, server: ServerKey, settings: ServerSettings, *, by: PlayerKey, at: datetime
    ) -> None: ...


class GameJournal(Protocol):
    """Running games, kept as they change so a restart can finish them."""

    async def journal_game(self, game: RunningGame) -> None:
        """Note a game that has started (committed when this returns)."""
        ...

    async def journal_progress(
        self, game_id: str, questions_asked: int, server: ServerKey | None = None
    ) -> None: ...

    async def save_game_state(
        self, snapshot: GameSnapshot, seq: int, answers: Sequence[AnswerRecord] = ()
    ) -> None:
        """Keep ``snapshot`` as its game's state, in one transaction with ``answers``
        (the points of the same moment), so the two always agree.  A save whose
        ``seq`` is not above the kept one changes nothing (a late write never
        undoes a newer one); a game no longer journaled is left alone."""
        ...

    async def note_question_message(self, channel: ChannelKey, game_id: str, ref: str) -> None:
        """Remember where the platform shows the game's open question (``ref`` is
        the adapter's own reference), so that another process can edit it."""
        ...

    async def unfinished_games(self, platform: str) -> list[UnfinishedGame]:
        """Games of ``platform`` journaled but not recorded by ``record_game``
        (which ends a game's journal entry in the same transaction)."""
        ...


class TriviaStore(
    ScoreStore, CustomQuestionStore, ReportStore, SettingsStore, GameJournal, Protocol
):
    """Everything the bot keeps, as one backend provides it (SQLite, PostgreSQL)."""


class Clock(Protocol):
    """Time, passed in so that the core runs on a fake clock in tests."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; used for deadlines."""
        ...

    def now(self) -> datetime:
        """The wall-clock time, timezone-aware UTC; used for records."""
        ...

    async def sleep_until(self, deadline: float) -> None:
        """Return once ``monotonic()`` has reached ``deadline``."""
        ...


class EventSink(Protocol):
    """Where the service publishes what happened.

    ``publish`` is called with the channel's lock held, so an adapter that
    talks to a slow API must queue the event and return quickly.
    """

    async def publish(self, event: Event) -> None: ...


class CommandObserver(Protocol):
    """Told about each command once the service has handled it (metrics); must not block."""

    def handled(self, command: Command, seconds: float) -> None: ...


class TriviaPort(Protocol):
    """What an adapter asks of the trivia service (``bot.service.TriviaService``)."""

    async def handle(self, command: Command) -> None:
        """Carry out a command; what follows comes back as events through the sink."""
        ...

    def game_in(self, channel: ChannelKey) -> GameInPlay | None:
        """The game running in ``channel``, if any: chat elsewhere is just chat."""
        ...

    async def server_settings(self, server: ServerKey) -> ServerSettings: ...

    async def may_administer(self, actor: Actor, server: ServerKey) -> bool:
        """Whether ``actor`` counts as an admin of ``server``: for adapters that must
        decide before a command exists (whether to open an admin form)."""
        ...

    async def end_games(self, server: ServerKey) -> int:
        """End and record every game running in ``server`` (the bot was removed from it);
        how many."""
        ...

    async def note_question_message(self, channel: ChannelKey, game_id: str, ref: str) -> None:
        """Where the adapter shows the game's open question (its own reference): kept
        with the game, so that whoever carries it on after a restart edits that
        message (``GameResumed.message``) instead of posting the question again."""
        ...

    async def note_daily_message(self, round_id: int, ref: str) -> None:
        """Where the adapter shows daily round ``round_id`` (``DailyQuestionPosted``):
        kept with the round, so that its reveal edits that message."""
        ...

    async def daily_home(self, player: PlayerKey) -> DailyHome | None:
        """The daily question as the player's home view shows it (Slack's App Home):
        the rounds open in their server with their verdicts, their streaks, the
        season's daily board.  None when the bot keeps no daily rounds."""
        ...


# -- what the app (not the service) needs of a backend ----------------------------------------


class ReloadChannel(Protocol):
    """How the bots sharing one database reach each other: to reload their bank files
    (``trivia-bot reload``), and to drop what they cached of a server that another
    process changed (its own questions, switches, settings)."""

    @property
    def by_signal(self) -> bool:
        """Whether an ask arrives as SIGHUP (pid files): then this process may only
        listen while its SIGHUP handler is in place."""
        ...

    def listening(
        self,
        reload: Callable[[str], None],
        server_changed: Callable[[ServerKey | None], None],
    ) -> AbstractAsyncContextManager[None]:
        """While inside, this process can be reached: ``reload(source)`` is called
        when another process asks, ``server_changed(server)`` when another process
        changed a server (None: anything may have changed).  A backend whose
        processes share no news of changes calls neither (the ask comes as SIGHUP)."""
        ...

    async def ask_to_reload(self) -> list[str]:
        """Ask every other bot on this database to reload; who was asked, in words."""
        ...


class LeaseStore(Protocol):
    """Leases on work one process at a time may do (``bot.coordination`` says what a
    lease, its holder, epoch and tenure are).  Expiry is judged by the database's
    clock.  ``ttl`` is in seconds and must be positive."""

    async def take_lease(self, name: str, holder: str, *, ttl: float) -> Lease | LeaseHeld:
        """Hold ``name`` for ``ttl`` seconds if it is free, expired, or ``holder``'s
        already (then its tenure goes on: same epoch); a new tenure's epoch is the last
        one plus one.  Otherwise the hold that stands in the way."""
        ...

    async def renew_lease(self, lease: Lease, *, ttl: float) -> Lease | LeaseLost:
        """Extend an unexpired tenure to ``ttl`` seconds from now; ``LeaseLost`` when
        the tenure is over (expired, released, or taken by someone else)."""
        ...

    async def release_lease(self, lease: Lease) -> bool:
        """End the tenure now, so the next holder can take the lease at once; False
        (and nothing changed) when the tenure was already over."""
        ...

    async def lease_holders(self, prefix: str = "") -> list[LeaseHeld]:
        """Every lease whose name starts with ``prefix``, expired ones included, by name."""
        ...

    async def check_lease(self, name: str, epoch: int) -> bool:
        """Whether tenure ``epoch`` of ``name`` is still unexpired, judged inside a write
        transaction as the fenced writes will judge it (see ``bot.storage.sqlite.fencing``
        and ``bot.storage.postgres.fencing``)."""
        ...


class PacedTurns(Protocol):
    """Turns that processes take one at a time, no closer than a given interval (the
    IDENTIFYs a Discord bot may send: ``max_concurrency`` per 5 s)."""

    async def take_turn(self, name: str, *, every: float) -> float:
        """0.0 when this call took the turn ``name`` (the next one can be taken ``every``
        seconds later, by the database's clock); else the seconds to wait before asking
        again (always more than 0)."""
        ...


class BotFacts(Protocol):
    """Small facts about the bot as a whole that its processes agree on."""

    async def fact(self, name: str) -> str | None: ...

    async def set_fact_if_changed(self, name: str, value: str) -> bool:
        """Set ``name`` to ``value``; True only for the one call that changed it (of many
        processes setting the same value at once, exactly one gets True).  Whoever gets
        True does the work the fact stands for (syncing the command tree whose hash is
        ``value``); if that work fails, it sets the fact back to what it was, so the next
        start does it again."""
        ...


class LastServers(Protocol):
    """Where each player last played: a DM names no server, and arrives at whichever
    process the platform chooses, not the one running the player's server."""

    async def remember_server(
        self, platform: str, player: str, server: str, server_name: str
    ) -> None:
        """Note that ``player`` played in ``server`` now (one upsert, committed on return)."""
        ...

    async def last_server(self, platform: str, player: str) -> LastServer | None: ...


class SlackInstallStore(Protocol):
    """The Slack app's installations, the OAuth states of installs in progress, and the
    Events API event ids already seen, shared by every replica through the database.

    Tokens go in and come out as given (sealed: ``bot.slack_installations``).  Expiry of
    states and seen events is judged by the database's clock; ``ttl`` and ``keep`` are
    seconds and must be positive.
    """

    async def save_slack_installation(self, installation: SlackInstallation) -> None:
        """Add the installation, or replace the one with its key (a reinstall)."""
        ...

    async def find_slack_installation(
        self, enterprise_id: str | None, team_id: str | None, *, is_enterprise_install: bool = False
    ) -> SlackInstallation | None:
        """The installation serving workspace ``team_id`` of org ``enterprise_id``: its
        own (made in the org, else made before the workspace joined it: team ids are
        unique across Slack), else the org-wide one.  With ``is_enterprise_install`` or
        no ``team_id``: the org-wide installation of ``enterprise_id``."""
        ...

    async def slack_installations(self) -> list[SlackInstallation]:
        """Every installation, by key."""
        ...

    async def delete_slack_installation(self, key: InstallationKey) -> bool:
        """Remove the installation with exactly this key; False if there was none."""
        ...

    async def swap_slack_tokens(
        self, key: InstallationKey, *, spent_refresh_token: str, tokens: RotatedTokens
    ) -> bool:
        """Store the tokens a refresh bought, only if the installation's refresh token is
        still ``spent_refresh_token`` (compare-and-swap): False, and nothing changed,
        when another process stored a newer pair first or the app was uninstalled."""
        ...

    async def issue_oauth_state(self, state: str, *, ttl: float) -> None:
        """Remember ``state`` for ``ttl`` seconds."""
        ...

    async def consume_oauth_state(self, state: str) -> bool:
        """True exactly once for a state issued and not yet expired: it is gone after
        the first call, whoever makes it."""
        ...

    async def first_sighting(self, event_id: str, *, keep: float) -> bool:
        """True when no process has seen ``event_id`` in the last ``keep`` seconds, and
        remember it for ``keep`` seconds: of any number of calls racing for one id,
        exactly one gets True."""
        ...

    async def prune_slack_rows(self) -> int:
        """Forget expired OAuth states and seen events; how many rows went."""
        ...


class ScheduleStore(Protocol):
    """Schedules (issue #17) and the due times they fired, shared by every process.

    ``claim_firing`` is how a due time fires once across processes and restarts: the
    first claim of (schedule, due time) wins, every later one, from any process, is
    refused, and so is a claim for a schedule removed meanwhile.  Instants are aware
    datetimes, stored to the microsecond.
    """

    async def add_schedule(self, schedule: Schedule) -> Schedule:
        """Store ``schedule`` (its id ignored) and return it with its new id."""
        ...

    async def schedules(self, server: ServerKey | None = None) -> list[Schedule]:
        """The schedules of ``server``, or of every server, oldest first."""
        ...

    async def set_schedule_paused(self, server: ServerKey, schedule_id: int, paused: bool) -> bool:
        """Pause or resume ``server``'s schedule; False if it has none with that id."""
        ...

    async def remove_schedule(self, server: ServerKey, schedule_id: int) -> bool:
        """Remove ``server``'s schedule and its firings; False if it has none with that id."""
        ...

    async def claim_firing(self, schedule_id: int, due_at: datetime, holder: str) -> bool:
        """True for the one claim that may fire ``due_at`` of the schedule."""
        ...

    async def last_firing(self, schedule_id: int) -> datetime | None:
        """The latest due time claimed for the schedule, None if none was."""
        ...

    async def claim_reminder(self, schedule_id: int, due_at: datetime, holder: str) -> bool:
        """True for the one claim that may post the reminder of the quiz due at ``due_at``
        (as ``claim_firing``, for reminders)."""
        ...

    async def claim_season_results(self, server: ServerKey, season: str, holder: str) -> bool:
        """True for the one claim that may post ``server``'s results of ``season`` (its
        name, "2026-11")."""
        ...


class DailyStore(Protocol):
    """The daily question's rounds and the private answers given to them (issue #17),
    shared by every process of a bot.

    Two rules are the database's to settle, so that processes sharing it agree:
    ``record_daily_answer`` keeps one answer per player and round (the first; of
    answers racing from several connections exactly one is kept), and
    ``mark_daily_revealed`` is True for one call per round, so its answer is shown
    once.  Instants are aware datetimes, stored to the microsecond; ``now`` is the
    caller's clock.
    """

    async def open_daily_round(self, round_: DailyRound) -> DailyRound:
        """Store a new round (its ``id`` ignored) and return it with its id."""
        ...

    async def note_daily_message(self, round_id: int, ref: str) -> None:
        """Where the platform shows the round (the adapter's own reference)."""
        ...

    async def daily_round(self, round_id: int) -> DailyRound | None: ...

    async def open_daily_rounds(
        self, server: ServerKey, *, now: datetime, channel: ChannelKey | None = None
    ) -> list[DailyRound]:
        """The server's rounds (in ``channel`` only, when given) not revealed whose
        window is open at ``now``, newest first."""
        ...

    async def daily_rounds_due(self, now: datetime) -> list[DailyRound]:
        """Every round not revealed whose window closed at or before ``now``, the
        earliest closing first."""
        ...

    async def next_daily_close(self) -> datetime | None:
        """When the next round not revealed closes (None: there is none)."""
        ...

    async def record_daily_answer(self, answer: DailyAnswer) -> bool:
        """Keep ``answer`` if it is its player's first to the round and the round is
        not revealed; whether it was kept.  An answer from another server than the
        round's is never kept."""
        ...

    async def daily_answer(self, round_id: int, player: PlayerKey) -> DailyAnswer | None: ...

    async def daily_answers(self, round_id: int) -> list[DailyAnswer]:
        """Every answer kept for the round, the earliest first."""
        ...

    async def mark_daily_revealed(self, round_id: int) -> bool:
        """Mark the round revealed; True only for the call that did it."""
        ...

    async def daily_streak(self, player: PlayerKey, *, now: datetime) -> DailyStreak:
        """The player's streaks in their server at ``now`` (``bot.domain.daily``: a
        round closed without their right answer, or answered wrong, breaks it; one
        still open and unanswered does not)."""
        ...

    async def daily_leaderboard(
        self, server: ServerKey, *, since: datetime, until: datetime, limit: int = 10
    ) -> list[LeaderboardRow]:
        """The server's players by the points of their right daily answers given in
        [``since``, ``until``): most points first, then most right, then whoever got
        there first."""
        ...


class SharedStore(LeaseStore, PacedTurns, BotFacts, LastServers, Protocol):
    """What the processes of one bot share through its database."""


class OperatedStore(
    TriviaStore, SharedStore, SlackInstallStore, ScheduleStore, DailyStore, Protocol
):
    """A backend as the app runs it: the service's ports, what the processes of one bot
    share, the Slack app's installations, the schedules and daily rounds, and what
    operators need."""

    @property
    def location(self) -> str:
        """Where the data lives, for messages (a file path, a URL without password)."""
        ...

    async def check_writable(self, *, lock_wait: float) -> bool:
        """Whether a write could be committed now, answered within about ``lock_wait``
        seconds (the health check's question)."""
        ...

    def reloads(self) -> ReloadChannel:
        """How the bots on this database reach each other to reload their banks."""
        ...

    def pool_stats(self) -> tuple[int, int, float] | None:
        """(connections open, idle, seconds waited for one so far) of a pooled
        backend; None for one without a pool."""
        ...

    def fence_writes(self, fence_for: Callable[[ServerKey], Fence | None]) -> None:
        """Make every later write for a server under the lease ``fence_for(server)``
        names (None: none needed); it may raise ``FencedOut`` itself.  A write whose
        lease changed hands or expired before it commits is refused with
        ``FencedOut`` and changes nothing."""
        ...
