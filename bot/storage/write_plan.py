"""Pending writes, and how a batch of them folds into a few bulk statements.

The store's writer drains many callers' writes at once (group commit).  Rather
than one statement per answer per total, :func:`build_plan` folds the batch in
memory into per-player and per-period *deltas*, so a batch of 2,000 answers from
300 players becomes 300 player upserts, 2,000 answer inserts and at most 900
period-total upserts, each sent with one ``executemany``.  Nothing here knows
SQL, so every backend can share it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.coordination import Fence
from bot.domain.model import PlayerKey, ServerKey
from bot.domain.records import (
    AnswerRecord,
    GameRecord,
    RunningGame,
)
from bot.storage.periods import (
    DAY_US,
    EPOCH,
    KIND_DAY,
    KIND_WEEK,
    MICROSECOND,
    require_aware,
    to_epoch_us,
    week_start_day,
)


@dataclass(frozen=True, slots=True)
class SaveGameState:
    """A running game's state (``body``, JSON); only a higher ``seq`` replaces it."""

    game_id: str
    body: str
    seq: int
    at_us: int
    server: ServerKey


@dataclass(frozen=True, slots=True)
class RecordAnswers:
    """Answers, and the state of the game they were given in, in one transaction."""

    records: tuple[AnswerRecord, ...]
    state: SaveGameState | None = None


@dataclass(frozen=True, slots=True)
class RecordGame:
    game: GameRecord


@dataclass(frozen=True, slots=True)
class MarkAsked:
    server: ServerKey
    question_ids: tuple[str, ...]
    at_us: int


@dataclass(frozen=True, slots=True)
class ForgetAsked:
    server: ServerKey
    question_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SaveQuestion:
    """Insert or replace one of a server's own questions (``body`` is JSON)."""

    server: ServerKey
    question_id: str
    body: str
    by_user: str
    at_us: int


@dataclass(frozen=True, slots=True)
class DeleteQuestion:
    """Take one of a server's own questions out of play, keeping its history."""

    server: ServerKey
    question_id: str
    by_user: str
    at_us: int


@dataclass(frozen=True, slots=True)
class SaveSettings:
    server: ServerKey
    body: str
    by_user: str
    at_us: int


@dataclass(frozen=True, slots=True)
class SaveSwitch:
    """Switch a question id, bundled category or bundled bank off (or on again)."""

    server: ServerKey
    kind: str
    name: str
    off: bool
    by_user: str
    at_us: int


@dataclass(frozen=True, slots=True)
class ResolveReports:
    """Close those of ``report_ids`` that are still open."""

    server: ServerKey
    report_ids: tuple[int, ...]
    resolution: str
    by_user: str
    at_us: int


@dataclass(frozen=True, slots=True)
class JournalGame:
    """A game started: keep it in the journal until its result is recorded."""

    game: RunningGame


@dataclass(frozen=True, slots=True)
class JournalProgress:
    game_id: str
    questions_asked: int
    server: ServerKey | None = None


@dataclass(frozen=True, slots=True)
class NoteQuestionMessage:
    """Where the platform shows a game's open question (an opaque reference)."""

    game_id: str
    ref: str
    server: ServerKey


@dataclass(frozen=True, slots=True)
class Fenced:
    """``op``, made under ``fences``."""

    op: UnfencedOp
    fences: tuple[Fence, ...]


AdminOp = SaveQuestion | DeleteQuestion | SaveSettings | SaveSwitch | ResolveReports
JournalOp = JournalGame | JournalProgress
GameStateOp = SaveGameState | NoteQuestionMessage
UnfencedOp = (
    RecordAnswers | RecordGame | MarkAsked | ForgetAsked | AdminOp | JournalOp | GameStateOp
)
WriteOp = UnfencedOp | Fenced


def op_servers(op: UnfencedOp) -> set[ServerKey]:
    """The servers ``op`` writes for: whose shard's lease it must be made under."""
    match op:
        case RecordAnswers(records, state):
            found = {record.channel.server_key for record in records}
            if state is not None:
                found.add(state.server)
            return found
        case RecordGame(game) | JournalGame(game):
            return {game.channel.server_key}
        case JournalProgress(server=server):
            return {server} if server is not None else set()
        case SaveGameState(server=server) | NoteQuestionMessage(server=server):
            return {server}
        case MarkAsked(server=server) | ForgetAsked(server=server):
            return {server}
        case _:
            return {op.server}


def op_size(op: WriteOp) -> int:
    """Rows an operation writes, roughly: what a batch bound counts."""
    match op:
        case Fenced(inner):
            return op_size(inner)
        case RecordAnswers(records, state):
            return len(records) + (state is not None)
        case RecordGame(game):
            return 1 + len(game.standings)
        case MarkAsked(_, ids, _) | ForgetAsked(_, ids):
            return max(1, len(ids))
        case ResolveReports(report_ids=ids):
            return max(1, len(ids))
        case (
            SaveQuestion()
            | DeleteQuestion()
            | SaveSettings()
            | SaveSwitch()
            | JournalGame()
            | JournalProgress()
            | SaveGameState()
            | NoteQuestionMessage()
        ):
            return 1


def name_key(name: str) -> str:
    """What ``find_players`` compares: case- and spacing-insensitive."""
    return " ".join(name.split()).casefold()


def check_answer(record: AnswerRecord) -> None:
    """Raise ``ValueError`` for a record no backend should store."""
    if record.at.utcoffset() is None:  # the common case stays cheap: this runs per answer
        require_aware(record.at, what="AnswerRecord.at")
    player, channel = record.player, record.channel
    if channel.server != player.server or channel.platform != player.platform:
        raise ValueError(f"answer by {record.player} recorded in {record.channel}, another server")


def check_game(game: GameRecord) -> None:
    """Raise ``ValueError`` for a game record no backend should store."""
    require_aware(game.started_at, what="GameRecord.started_at")
    require_aware(game.ended_at, what="GameRecord.ended_at")
    server = game.channel.server_key
    seen: set[PlayerKey] = set()
    for standing in game.standings:
        if standing.player.server_key != server:
            raise ValueError(f"game {game.game_id}: {standing.player} is not in {server}")
        if standing.player in seen:
            raise ValueError(f"game {game.game_id}: {standing.player} appears twice")
        seen.add(standing.player)
    if game.winner is not None and game.winner not in seen:
        raise ValueError(f"game {game.game_id}: winner {game.winner} is not in the standings")


@dataclass(slots=True)
class PeriodDelta:
    """What a batch adds to one player's total in one week or day.

    ``reached_us`` is when the player last scored in the batch: the leaderboard
    tie-break ranks first whoever reached an equal score earlier.
    """

    points: int = 0
    correct: int = 0
    reached_us: int = 0


@dataclass(slots=True)
class PlayerDelta:
    """What a batch adds to one player's totals; ``name`` is the latest seen.

    ``points``, ``correct`` and ``reached_us`` are also the player's all-time
    period delta, which exists when ``scored`` (a plain miss leaves every
    leaderboard as it was).  ``periods`` holds the week and day deltas, keyed by
    ``(kind, start)``.
    """

    name: str
    points: int = 0
    correct: int = 0
    answered: int = 0
    best_streak: int = 0
    correct_ms: int = 0
    games: int = 0
    wins: int = 0
    scored: bool = False
    reached_us: int = 0
    periods: dict[tuple[int, int], PeriodDelta] = field(default_factory=dict)

    def add_to_period(self, key: tuple[int, int], record: AnswerRecord, at_us: int) -> None:
        total = self.periods.get(key)
        if total is None:
            total = self.periods[key] = PeriodDelta()
        total.points += record.points
        total.correct += record.correct
        if at_us > total.reached_us:
            total.reached_us = at_us


@dataclass(slots=True)
class WritePlan:
    """One transaction's worth of writes, folded. Build it with :func:`build_plan`."""

    players: dict[PlayerKey, PlayerDelta] = field(default_factory=dict)
    #: Each answer with its time in epoch microseconds.
    answers: list[tuple[AnswerRecord, int]] = field(default_factory=list)
    games: list[GameRecord] = field(default_factory=list)
    #: (server, question id) -> when it was asked (epoch µs), or None to forget it.
    asked: dict[tuple[ServerKey, str], int | None] = field(default_factory=dict)
    #: Admins' writes (their questions, their settings), in the order they were made.
    admin: list[AdminOp] = field(default_factory=list)
    #: Journal writes, in order (a game's start before its progress).
    journal: list[JournalOp] = field(default_factory=list)
    #: The newest state of each game in the batch (applied after ``journal``).
    states: dict[str, SaveGameState] = field(default_factory=dict)
    #: Each game's question message, the last one noted.
    messages: dict[str, str] = field(default_factory=dict)
    #: The leases the batch's writes were made under: all must still be held.
    fences: set[Fence] = field(default_factory=set)

    def _player(self, player: PlayerKey, name: str) -> PlayerDelta:
        delta = self.players.get(player)
        if delta is None:
            delta = self.players[player] = PlayerDelta(name)
        else:
            delta.name = name
        return delta

    def add_answers(self, records: Iterable[AnswerRecord]) -> None:
        # The hot loop of every write: integers and dict lookups only.
        for record in records:
            at_us = (record.at - EPOCH) // MICROSECOND
            self.answers.append((record, at_us))
            player = self._player(record.player, record.name)
            player.points += record.points
            player.answered += 1
            if record.streak > player.best_streak:
                player.best_streak = record.streak
            if record.correct:
                player.correct += 1
                player.correct_ms += record.answer_ms
            elif not record.points:
                continue  # a plain miss changes no leaderboard
            player.scored = True
            if at_us > player.reached_us:
                player.reached_us = at_us
            day = at_us // DAY_US
            player.add_to_period((KIND_WEEK, week_start_day(day)), record, at_us)
            player.add_to_period((KIND_DAY, day), record, at_us)

    def add_game(self, game: GameRecord) -> None:
        self.games.append(game)
        for standing in game.standings:
            self._player(standing.player, standing.name).games += 1
        if game.winner is not None:
            self.players[game.winner].wins += 1

    def save_state(self, state: SaveGameState) -> None:
        # Several saves of one game in a batch: only the newest is written.
        known = self.states.get(state.game_id)
        if known is None or state.seq > known.seq:
            self.states[state.game_id] = state

    def mark_asked(self, server: ServerKey, question_ids: Iterable[str], at_us: int) -> None:
        for question_id in question_ids:
            self.asked[server, question_id] = at_us

    def forget_asked(self, server: ServerKey, question_ids: Iterable[str]) -> None:
        for question_id in question_ids:
            self.asked[server, question_id] = None

    def servers(self) -> set[ServerKey]:
        """Every server this plan writes to."""
        found = {player.server_key for player in self.players}
        found.update(game.channel.server_key for game in self.games)
        found.update(server for server, _ in self.asked)
        found.update(op.server for op in self.admin)
        found.update(
            op.game.channel.server_key for op in self.journal if isinstance(op, JournalGame)
        )
        return found


def unfenced(op: WriteOp) -> UnfencedOp:
    return op.op if isinstance(op, Fenced) else op


def game_ids(ops: Iterable[WriteOp]) -> list[str]:
    """The game ids a batch records, to look up which are already stored."""
    return [op.game.game_id for op in map(unfenced, ops) if isinstance(op, RecordGame)]


def build_plan(ops: Sequence[WriteOp], *, recorded_games: Collection[str] = ()) -> WritePlan:
    """Fold ``ops``, in order, into one plan.

    A game whose id is in ``recorded_games`` (already stored) or earlier in
    ``ops`` is skipped entirely: recording a game twice counts it once, and the
    first record wins.  Later writes win for display names and for a question
    both marked and forgotten in the same batch.
    """
    plan = WritePlan()
    seen_games = set(recorded_games)
    for each in ops:
        if isinstance(each, Fenced):
            plan.fences.update(each.fences)
        op = unfenced(each)
        match op:
            case RecordAnswers(records, state):
                plan.add_answers(records)
                if state is not None:
                    plan.save_state(state)
            case SaveGameState():
                plan.save_state(op)
            case NoteQuestionMessage(game_id, ref):
                plan.messages[game_id] = ref
            case RecordGame(game):
                if game.game_id not in seen_games:
                    seen_games.add(game.game_id)
                    plan.add_game(game)
            case MarkAsked(server, ids, at_us):
                plan.mark_asked(server, ids, at_us)
            case ForgetAsked(server, ids):
                plan.forget_asked(server, ids)
            case (
                SaveQuestion() | DeleteQuestion() | SaveSettings() | SaveSwitch() | ResolveReports()
            ):
                plan.admin.append(op)
            case JournalGame() | JournalProgress():
                plan.journal.append(op)
    return plan


def question_id_tuple(question_ids: Iterable[str]) -> tuple[str, ...]:
    """``question_ids`` as a tuple; a lone string is a bug, not 1-character ids."""
    if isinstance(question_ids, str):
        raise TypeError(f"expected a collection of question ids, got the string {question_ids!r}")
    return tuple(question_ids)


def mark_asked_op(server: ServerKey, question_ids: Sequence[str], at: datetime) -> MarkAsked:
    return MarkAsked(server, question_id_tuple(question_ids), to_epoch_us(at))
