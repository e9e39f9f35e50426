"""Issue #14's "Done when" with real processes: ``trivia-bot run discord`` (``python -m
bot``) several times over, against one fake Discord serving four shards and one
database (a PostgreSQL schema of each scenario's own; SQLite too where it is cheap).

Every scenario runs at once with the others, each on a thread of its own with its own
fake and database (``scenarios``), and the tests assert on their outcomes: what users
saw (the fake's messages, and which process's requests made them: each bot has an API
base of its own) and what the database holds.  Leases last 2 s (``TRIVIA_LEASE_SECONDS``)
and a game saved in the last two minutes goes on (``TRIVIA_RESUME_WITHIN``).

The fake keeps Discord's IDENTIFY rule (one per shard bucket per 5 s), which the bots
keep through the database (5.5 s a turn): a replacement process waits for its turn.
A process start is mostly CPU (imports): at most a few start at a time, over all the
scenarios (``discord_bots.STARTING``), so that a small machine does not stall them all.

The kill -9 item runs in ``KILL_LANES`` lanes at once, each with its own fake and
database, ``KILLS_PER_LANE`` kills each (20 in all), at moments drawn from a seeded
``random.Random``: process b runs shards 2-3 untouched, the owner of shards 0-1 is
killed while a question is open, and a process already waiting for the leases carries
its games on (then a new one is started to wait).  Players answer as their own seeded
random says, whoever serves the shard then.
"""

from __future__ import annotations

import asyncio
import random
import signal
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.domain.model import Difficulty
from bot.domain.scoring import ScoringRules
from tests.multiprocess.discord_bots import (
    CHANGES,
    Bot,
    awards_in,
    body_text,
    bot_env,
    deadline_of,
    is_open,
    message_requests,
    migrate,
    number_of,
    poll,
    questions_in,
    reveals_of,
    rows,
    stop_all,
    wall_clock,
    word_of,
)
from tests.platforms.discord.fake import FakeDiscord, FakeGuild, FakeMessage, FakeUser
from tests.services import postgres_schema

pytestmark = pytest.mark.slow

CONNECTED = "connected to Discord as TriviaBot"
WAITING = "waiting up to"  # a process waiting for a lease another one holds
RESUMED = "goes on at question"
PAUSED = "Back in a moment"
Outcome = dict[str, Any]
Scenario = Callable[[Path, str], Awaitable[Outcome]]


# -- running scenarios at once -------------------------------------------------------------


@asynccontextmanager
async def database(kind: str, home: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        location = str(home / "scores.db")
        await migrate(location)
        yield location
        return
    async with postgres_schema() as dsn:
        await migrate(dsn)
        yield dsn


def run_scenario(scenario: Scenario, kind: str, home: Path) -> Outcome:
    async def main() -> Outcome:
        async with database(kind, home) as db:
            return await scenario(home, db)

    return asyncio.run(main())


@dataclass
class Guild:
    """A guild of the fake, on a shard, with its channel and two players."""

    guild: FakeGuild
    ann: FakeUser
    bob: FakeUser

    @property
    def channel(self) -> int:
        return self.guild.text_channels[0].id


def guild_per_shard(fake: FakeDiscord) -> list[Guild]:
    guilds = []
    for shard in range(fake.shard_count):
        guild = fake.add_guild(f"Shard {shard} server", shard=shard)
        guilds.append(
            Guild(guild, fake.add_member(guild.id, "ann"), fake.add_member(guild.id, "bob"))
        )
    return guilds


async def start_game(fake: FakeDiscord, where: Guild, rounds: int) -> None:
    started = await fake.slash_command(
        where.guild.id, where.channel, where.ann, subcommand="start", options={"rounds": rounds}
    )
    await started.response(timeout=10)


async def open_question(
    fake: FakeDiscord,
    channel: int,
    number: int,
    *,
    timeout: float = 20.0,  # noqa: ASYNC109 - a test's deadline
) -> FakeMessage:
    def found() -> FakeMessage | None:
        for message in questions_in(fake, channel):
            shown = number_of(message.text)
            if shown is not None and shown[0] == number and is_open(message):
                return message
        return None

    return await poll(fake, found, within=timeout, what=f"question {number} open")


async def game_over(fake: FakeDiscord, channel: int, *, timeout: float = 20.0) -> FakeMessage:  # noqa: ASYNC109
    def ended() -> FakeMessage | None:
        texts = fake.channel_messages(channel, from_bot=True)
        return next((m for m in texts if "asked · /trivia leaderboard" in m.text), None)

    return await poll(fake, ended, within=timeout, what="the game's end")


def posted_text(fake: FakeDiscord, message_id: int) -> str:
    """Message ``message_id`` as it was posted."""
    return next(
        body_text(r.json) for r in fake.requests if r.method == "POST" and r.reply_id == message_id
    )


def posted_by(fake: FakeDiscord, message_id: int) -> str | None:
    return next(r.via for r in fake.requests if r.method == "POST" and r.reply_id == message_id)


def posted_at(fake: FakeDiscord, message: FakeMessage) -> float:
    """When (the fake's loop clock) ``message`` was posted."""
    return next(r.time for r in fake.requests if r.method == "POST" and r.reply_id == message.id)


async def db_games(db: str) -> list[tuple[Any, ...]]:
    return await rows(db, "SELECT channel, reason, questions_asked FROM games ORDER BY channel")


async def game_points(db: str) -> dict[str, dict[str, int]]:
    """Each game's channel: its players' points, as recorded with the game."""
    found = await rows(
        db,
        "SELECT g.channel, gp.name, gp.points FROM game_players gp "
        "JOIN games g ON g.game_id = gp.game_id",
    )
    points: dict[str, dict[str, int]] = {}
    for channel, name, value in found:
        points.setdefault(str(channel), {})[name] = int(value)
    return points


# -- 1. two processes split four shards; a third asking for one of them exits 2 ---------------


async def split(home: Path, db: str) -> Outcome:
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        guilds = guild_per_shard(fake)
        bots = []
        starting: asyncio.Task[Bot] | None = None
        try:
            for name, shards in (("a", "0-1"), ("b", "2-3")):
                env = bot_env(home / name, fake, db, name, shards=shards, TRIVIA_SECONDS="30")
                bots.append(await Bot.start(name, env))
            await asyncio.gather(*(bot.wait_for_log(CONNECTED) for bot in bots))
            for where in guilds:
                await start_game(fake, where, rounds=2)
            env = bot_env(home / "c", fake, db, "c", shards="2", TRIVIA_LEASE_WAIT="1.5")
            starting = asyncio.create_task(Bot.start("c", env))  # while the games go on

            async def play(where: Guild) -> None:
                for number in (1, 2):
                    question = await open_question(fake, where.channel, number)
                    await fake.user_says(where.channel, where.ann, word_of(question.text) or "")
                await game_over(fake, where.channel)

            await asyncio.gather(*(play(where) for where in guilds))
            third = await starting
            bots.append(third)
            third_code = await third.wait()
            ends = [await game_over(fake, where.channel) for where in guilds]
            for bot in bots[:2]:
                bot.signal(signal.SIGTERM)
            codes = [await bot.wait() for bot in bots[:2]]
        finally:
            if starting is not None and starting.done() and not starting.exception():
                bots.append(starting.result())
            await stop_all(bots)
        return {
            "codes": codes,
            "third_code": third_code,
            "third_log": "\n".join(third.log),
            "b_pid": bots[1].pid,
            "ends": [m.text for m in ends],
            "games": await db_games(db),
            "channels": {str(w.channel) for w in guilds},
            "questions": {
                w.channel: [m.text for m in questions_in(fake, w.channel)] for w in guilds
            },
            "third_requests": [(r.method, r.path) for r in fake.requests if r.via == "c"],
            "identified": sorted(r.shard_id for r in fake.identify_log),
            "logs": [bot.story() for bot in bots],
        }


# -- 2. a rolling restart with games running -------------------------------------------------

ROLL_SECONDS = 60.0
#: When the second question is answered: after the handover, in the middle of a band of
#: the speed bonus (easy, 60 s: 5 points up to 6 s, 4 points from 6 s to 18 s).
ROLL_SECOND_ANSWER = 12.0


def expected_roll_points() -> dict[str, int]:
    """Ann answers questions 1 and 3 at once, Bob question 2 after 12 s (Ann's streak
    breaks there), with no hint shown: the points of that game, uninterrupted."""
    rules = ScoringRules()

    def score(elapsed: float, streak: int) -> int:
        return rules.score(
            Difficulty.EASY, elapsed=elapsed, seconds=ROLL_SECONDS, streak=streak, hints_shown=0
        ).total

    return {"Ann": score(0, 1) + score(0, 1), "Bob": score(ROLL_SECOND_ANSWER, 1)}


async def rolling_restart(home: Path, db: str) -> Outcome:
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        guilds = guild_per_shard(fake)
        seconds = {"TRIVIA_SECONDS": str(ROLL_SECONDS)}
        bots: dict[str, Bot] = {}
        loop = asyncio.get_running_loop()
        try:
            for name, shards in (("a", "0-1"), ("b", "2-3")):
                env = bot_env(home / name, fake, db, name, shards=shards, **seconds)
                bots[name] = await Bot.start(name, env)
            await asyncio.gather(*(bot.wait_for_log(CONNECTED) for bot in bots.values()))
            # The replacement is started beforehand: it waits for the leases.
            bots["a2"] = await Bot.start(
                "a2", bot_env(home / "a2", fake, db, "a2", shards="0-1", **seconds)
            )
            for where in guilds:
                await start_game(fake, where, rounds=3)
            for where in guilds:
                first = await open_question(fake, where.channel, 1)
                await fake.user_says(where.channel, where.bob, "nope")
                await fake.user_says(where.channel, where.ann, word_of(first.text) or "")
            seconds_open = [await open_question(fake, w.channel, 2) for w in guilds]
            await bots["a2"].wait_for_log(WAITING)
            bots["a"].signal(signal.SIGTERM)
            code = await bots["a"].wait()
            await bots["a2"].wait_for_log(RESUMED, count=2, within=30)
            for where, question in zip(guilds, seconds_open, strict=True):
                due = posted_at(fake, question) + ROLL_SECOND_ANSWER
                await asyncio.sleep(max(due - loop.time(), 0))
                await fake.user_says(where.channel, where.bob, word_of(question.text) or "")
            for where in guilds:
                third = await open_question(fake, where.channel, 3)
                await fake.user_says(where.channel, where.ann, word_of(third.text) or "")
            for where in guilds:
                await game_over(fake, where.channel)
            for name in ("b", "a2"):
                bots[name].signal(signal.SIGTERM)
            codes = {"a": code} | {n: await bots[n].wait() for n in ("b", "a2")}
        finally:
            await stop_all(bots.values())
        questions = {w.channel: questions_in(fake, w.channel) for w in guilds}
        return {
            "codes": codes,
            "games": await db_games(db),
            "points": await game_points(db),
            "paused": [
                w.channel
                for w in guilds
                if any(PAUSED in m.text for m in fake.channel_messages(w.channel))
            ],
            "channels": [w.channel for w in guilds],
            "numbers": {ch: [number_of(m.text) for m in qs] for ch, qs in questions.items()},
            "reveals": {
                ch: [[r.via for r in reveals_of(fake, m.id)] for m in qs]
                for ch, qs in questions.items()
            },
            "logs": [bot.story() for bot in bots.values()],
        }


# -- 3. kill -9 of one process mid-question, again and again ---------------------------------

KILL_LANES = 4
KILLS_PER_LANE = 5
KILL_SECONDS = "5"
#: How long after a kill a request the killed process had sent may still arrive.
IN_FLIGHT = 0.2


@dataclass
class Kill:
    victim: str
    at: float  # the fake's loop clock
    open_questions: list[int]  # ids of the victim's question messages open at the kill
    taken_over: float = 0.0  # when the next owner had resumed its games


@dataclass
class Lane:
    fake: FakeDiscord
    guilds: list[Guild]
    kills: list[Kill] = field(default_factory=list)


async def keep_playing(
    fake: FakeDiscord, where: Guild, rng: random.Random, stop: asyncio.Event
) -> None:
    """Players of a long game: each question is answered (or not) as ``rng`` says, at a
    moment it says, whether or not a process serves the guild's shard just then."""
    channel, number = where.channel, 1
    while not stop.is_set():

        def reached(n: int = number) -> FakeMessage | None:
            found = [m for m in questions_in(fake, channel) if number_of(m.text)[0] >= n]
            return max(found, key=lambda m: (number_of(m.text)[0], m.id)) if found else None

        question = reached()
        if question is None:  # not asked yet (the shard may be changing hands)
            await asyncio.sleep(0.1)
            continue
        number = number_of(question.text)[0] + 1
        if not is_open(question):
            continue
        if rng.random() < 0.3:
            continue  # nobody knows: it times out
        if rng.random() < 0.5:
            await asyncio.sleep(rng.uniform(0.1, 1.0))
            await fake.user_says(channel, rng.choice((where.ann, where.bob)), "nope")
        await asyncio.sleep(rng.uniform(0.2, 3.5))
        who = rng.choice((where.ann, where.bob))
        await fake.user_says(channel, who, word_of(question.text) or "")


async def kill_lane(home: Path, db: str, *, seed: int) -> Outcome:
    rng = random.Random(seed)
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        lane = Lane(fake, guild_per_shard(fake))
        # A pause between questions, as in production (4 s by default): a reveal and the
        # next question are then two transitions, each saved before it is shown.
        seconds = {"TRIVIA_SECONDS": KILL_SECONDS, "TRIVIA_PAUSE": "1"}
        bots: list[Bot] = []
        loop = asyncio.get_running_loop()

        async def start(name: str, shards: str) -> Bot:
            env = bot_env(home / name, fake, db, name, shards=shards, **seconds)
            bot = await Bot.start(name, env)
            bots.append(bot)
            return bot

        stop = asyncio.Event()
        players: list[asyncio.Task[None]] = []
        try:
            owner, other = await start("a0", "0-1"), await start("b", "2-3")
            await owner.wait_for_log("took lease discord:shard:1")
            # A process waits for the leases at every kill, and carries the games on.
            standby = await start("a1", "0-1")
            await asyncio.gather(owner.wait_for_log(CONNECTED), other.wait_for_log(CONNECTED))
            for where in lane.guilds:
                await start_game(fake, where, rounds=40)
            players = [
                asyncio.create_task(keep_playing(fake, w, random.Random(rng.random()), stop))
                for w in lane.guilds
            ]
            mine = [w.channel for w in lane.guilds[:2]]
            for kill in range(KILLS_PER_LANE):
                await standby.wait_for_log(WAITING)
                await asyncio.sleep(rng.uniform(0.3, 2.0))
                await poll(
                    fake,
                    lambda: any(is_open(m) for ch in mine for m in questions_in(fake, ch)),
                    within=10,
                    what="an open question",
                )
                opened = [m.id for ch in mine for m in questions_in(fake, ch) if is_open(m)]
                owner.process.send_signal(signal.SIGKILL)
                lane.kills.append(Kill(owner.name, loop.time(), opened))
                await owner.wait()
                await standby.wait_for_log(RESUMED, count=2, within=30)
                lane.kills[-1].taken_over = loop.time()
                owner = standby
                if kill < KILLS_PER_LANE - 1:
                    standby = await start(f"a{kill + 2}", "0-1")
            await asyncio.sleep(1.0)
            stop.set()
            await asyncio.gather(*players)
            for where in lane.guilds:
                stopping = await fake.slash_command(
                    where.guild.id, where.channel, where.ann, subcommand="stop"
                )
                await stopping.response(timeout=10)
            for where in lane.guilds:
                await game_over(fake, where.channel)
            await asyncio.sleep(0.5)  # the last writes behind
        finally:
            stop.set()
            for task in players:
                task.cancel()
            await stop_all(bots)
        return await kill_findings(lane, db, loop)


async def kill_findings(lane: Lane, db: str, loop: asyncio.AbstractEventLoop) -> Outcome:
    fake = lane.fake
    mine, others = lane.guilds[:2], lane.guilds[2:]
    # An award shown again in the same message (a reveal shown again by the next
    # owner) is the same announcement; one shown in two messages would be two.
    shown: set[tuple[str, int, str, str, int]] = set()
    for where in lane.guilds:
        for request in message_requests(fake, where.channel):
            text = body_text(request.json)
            message = request.reply_id or int(request.path.rsplit("/", 1)[1])
            for name, points in awards_in(text):
                shown.add((str(where.channel), message, f"w-{word_of(text)}", name, points))
    announced = Counter((ch, q, name, pts) for ch, _, q, name, pts in shown)
    correct = await rows(
        db,
        "SELECT a.game_id, a.channel, a.question_id, p.name, a.points FROM answers a "
        "JOIN players p ON p.id = a.player_id WHERE a.correct = 1",
    )
    recorded = Counter((str(ch), q, name, int(pts)) for _, ch, q, name, pts in correct)
    per_question = Counter((game, q) for game, _, q, _, _ in correct)
    totals = await rows(
        db,
        "SELECT p.name, p.points, p.correct, COALESCE(SUM(a.points), 0), "
        "COALESCE(SUM(a.correct), 0) FROM players p LEFT JOIN answers a ON a.player_id = p.id "
        "GROUP BY p.id, p.name, p.points, p.correct",
    )
    by_game = await rows(
        db,
        "SELECT gp.game_id, gp.name, gp.points, COALESCE(SUM(a.points), 0) FROM game_players gp "
        "LEFT JOIN answers a ON a.game_id = gp.game_id AND a.player_id = gp.player_id "
        "GROUP BY gp.game_id, gp.name, gp.points",
    )
    late = []
    reveals_after_kill = []
    for kill in lane.kills:
        for message_id in kill.open_questions:
            reveals = reveals_of(fake, message_id)
            deadline = deadline_of(posted_text(fake, message_id))
            assert deadline is not None
            if not reveals:
                text = posted_text(fake, message_id)
                copies = [
                    (m.id, posted_by(fake, m.id))
                    for m in fake.channel_messages(fake.message(message_id).channel_id)
                    if word_of(m.text) == word_of(text) and number_of(m.text)
                ]
                late.append((kill.victim, message_id, "never revealed", copies))
                continue
            for reveal in reveals:
                if reveal.via == kill.victim:
                    # Its edit was on its way when it was killed, or it is a bug.
                    if reveal.time > kill.at + IN_FLIGHT:
                        late.append((kill.victim, message_id, "revealed after its death"))
                    continue
                lateness = wall_clock(reveal.time, loop) - deadline
                reveals_after_kill.append((reveal.via, round(lateness, 2)))
                if lateness > 10.0:
                    late.append((kill.victim, message_id, reveal.via, round(lateness, 2)))
    untouched = []
    for where in others:
        for request in message_requests(fake, where.channel):
            if request.via != "b":
                untouched.append(("posted by", request.via, request.path))
        for message in questions_in(fake, where.channel):
            count = len(reveals_of(fake, message.id))
            if count != 1:
                untouched.append(("reveals", message.id, count))
        said = [m.text for m in fake.channel_messages(where.channel)]
        untouched += [("said", t) for t in said if PAUSED in t or "went down" in t]
    open_left = [
        (m.id, number_of(m.text), posted_by(fake, m.id), m.text.splitlines()[1:2])
        for where in mine
        for m in questions_in(fake, where.channel)
        if is_open(m)
    ]
    return {
        "kills": len(lane.kills),
        "takeovers": [round(k.taken_over - k.at, 1) for k in lane.kills],
        "announced": sum(announced.values()),
        "lost": sorted((announced - recorded).elements()),
        "twice": sorted(k for k, n in per_question.items() if n > 1)
        + sorted(k for k, n in announced.items() if n > 1),
        "recount": [t for t in totals if (t[1], t[2]) != (t[3], t[4])]
        + [g for g in by_game if g[2] != g[3]],
        "late": late,
        "reveals_after_kill": reveals_after_kill,
        "kill_log": [(k.victim, k.at, k.open_questions) for k in lane.kills],
        "open_left": open_left,
        "untouched": untouched,
        "games": await db_games(db),
        "journal": await rows(db, "SELECT count(*) FROM game_journal"),
    }


# -- 4. a process paused past its lease, then resumed ------------------------------------------

NOTED = "SELECT question_message FROM game_journal WHERE state IS NOT NULL"


async def until_saved(db: str, noted: str) -> None:
    """Until the game's state is saved with its question's message ``noted``."""
    for _ in range(200):
        if await rows(db, NOTED) == [(noted,)]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the game's state was not saved with {noted}")


async def paused(home: Path, db: str) -> Outcome:
    async with FakeDiscord(shard_count=4, max_concurrency=4) as fake:
        where = guild_per_shard(fake)[0]
        seconds = {"TRIVIA_SECONDS": "10"}
        loop = asyncio.get_running_loop()
        bots: list[Bot] = []
        try:
            env = bot_env(home / "a", fake, db, "a", shards="0-1", **seconds)
            first = await Bot.start("a", env)
            bots.append(first)
            await first.wait_for_log(CONNECTED)
            second = await Bot.start(
                "a2", bot_env(home / "a2", fake, db, "a2", shards="0-1", **seconds)
            )
            bots.append(second)
            await second.wait_for_log(WAITING)
            await start_game(fake, where, rounds=2)
            question = await open_question(fake, where.channel, 1)
            # Paused once the game's state and its question's message are saved (paused
            # in the middle of that write, it would hold the lease's row: the next owner
            # ends its session, and tests/postgres covers that).
            await until_saved(db, f"1:{question.id}")
            first.signal(signal.SIGSTOP)
            stopped_at = loop.time()
            await second.wait_for_log(RESUMED, within=30)
            # The answer reaches both connections of shard 0: the paused one keeps it.
            await fake.user_says(where.channel, where.ann, word_of(question.text) or "")
            await poll(fake, lambda: reveals_of(fake, question.id), within=10, what="the reveal")
            # Past the question's deadline, so the paused process's timer is due too.
            due = posted_at(fake, question) + 10.0 + 0.5
            await asyncio.sleep(max(due - loop.time(), 0))
            first.signal(signal.SIGCONT)
            resumed_at = loop.time()
            first_code = await first.wait(within=20)
            last = await open_question(fake, where.channel, 2)
            await fake.user_says(where.channel, where.ann, word_of(last.text) or "")
            await game_over(fake, where.channel)
            second.signal(signal.SIGTERM)
            second_code = await second.wait()
        finally:
            await stop_all(bots)
        return {
            "codes": (first_code, second_code),
            "first_log": first.story(),
            "second_log": second.story(),
            "changes_after_pause": [
                (r.method, r.path, round(r.time - resumed_at, 2))
                for r in fake.requests
                if r.via == "a" and r.method in CHANGES and r.time >= stopped_at
            ],
            "reveals": [r.via for r in reveals_of(fake, question.id)],
            "answers": await rows(
                db,
                "SELECT a.question_id, p.name, a.points FROM answers a "
                "JOIN players p ON p.id = a.player_id WHERE a.correct = 1 ORDER BY a.id",
            ),
            "totals": await rows(db, "SELECT name, points, correct FROM players"),
            "games": await db_games(db),
            "journal": await rows(db, "SELECT count(*) FROM game_journal"),
            "words": [word_of(question.text), word_of(last.text)],
        }


# -- 5. four processes start together --------------------------------------------------------


async def together(home: Path, db: str) -> Outcome:
    async with FakeDiscord(shard_count=4, max_concurrency=2) as fake:
        guild_per_shard(fake)
        bots: list[Bot] = []
        try:
            for shard in range(4):
                name = f"p{shard}"
                env = bot_env(home / name, fake, db, name, shards=str(shard))
                bots.append(await Bot.start(name, env))
            await asyncio.gather(*(bot.wait_for_log(CONNECTED, within=60) for bot in bots))
            live = fake.live_shards()
            for bot in bots:
                bot.signal(signal.SIGTERM)
            codes = [await bot.wait() for bot in bots]
        finally:
            await stop_all(bots)
        return {
            "codes": codes,
            "live": live,
            "syncs": [
                r.via
                for r in fake.requests
                if r.method == "PUT" and r.path.endswith("/commands") and r.status == 200
            ],
            "command_syncs": len(fake.command_syncs),
            "identify_times": [(r.time, r.shard_id) for r in fake.identify_log],
            "violations": fake.identify_violations,
            "commands": [c["name"] for c in fake.commands()],
            "logs": [bot.story() for bot in bots],
        }


# -- the scenarios, all at once ---------------------------------------------------------------


def all_scenarios() -> dict[str, tuple[Scenario, str]]:
    found: dict[str, tuple[Scenario, str]] = {
        "split": (split, "postgres"),
        "split-sqlite": (split, "sqlite"),
        "rolling": (rolling_restart, "postgres"),
        "paused": (paused, "postgres"),
        "together": (together, "postgres"),
    }
    for lane in range(KILL_LANES):

        async def lane_of(home: Path, db: str, seed: int = lane) -> Outcome:
            return await kill_lane(home, db, seed=seed)

        found[f"kill-{lane}"] = (lane_of, "postgres")
    return found


class Scenarios:
    def __init__(self, home: Path) -> None:
        chosen = all_scenarios()
        self._pool = ThreadPoolExecutor(max_workers=len(chosen))
        self._running: dict[str, Future[Outcome]] = {}
        for name, (scenario, kind) in chosen.items():
            (home / name).mkdir()
            self._running[name] = self._pool.submit(run_scenario, scenario, kind, home / name)

    def outcome(self, name: str) -> Outcome:
        return self._running[name].result(timeout=300)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenarios]:
    running = Scenarios(tmp_path_factory.mktemp("discord-shards"))
    yield running
    running.close()


# -- 1 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["split", "split-sqlite"])
def test_two_processes_on_two_shards_each_play_every_game_to_its_end(
    scenarios: Scenarios, name: str
) -> None:
    outcome = scenarios.outcome(name)
    logs = "\n".join(outcome["logs"])
    assert outcome["codes"] == [0, 0], logs
    assert outcome["identified"] == [0, 1, 2, 3]
    assert all("Game over!" in text for text in outcome["ends"])
    assert [(reason, asked) for _, reason, asked in outcome["games"]] == [("completed", 2)] * 4
    assert {str(channel) for channel, _, _ in outcome["games"]} == outcome["channels"]
    for texts in outcome["questions"].values():
        assert [number_of(t) for t in texts] == [(1, 2), (2, 2)]
        assert all("The answer:" in t for t in texts)
    assert "Traceback" not in logs


@pytest.mark.parametrize("name", ["split", "split-sqlite"])
def test_a_third_process_asking_for_a_held_shard_waits_then_exits_2_naming_the_holder(
    scenarios: Scenarios, name: str
) -> None:
    outcome = scenarios.outcome(name)
    log = outcome["third_log"]
    assert outcome["third_code"] == 2, log
    assert "discord:shard:2" in log
    assert f"pid {outcome['b_pid']}" in log  # the holder: process b
    assert "TRIVIA_LEASE_WAIT" in log
    # It never spoke: no gateway session, no post.
    assert not [r for r in outcome["third_requests"] if r[0] in CHANGES], outcome["third_requests"]


# -- 2 -----------------------------------------------------------------------------------------


def test_a_rolling_restart_ends_no_game_and_changes_no_point(scenarios: Scenarios) -> None:
    outcome = scenarios.outcome("rolling")
    logs = "\n".join(outcome["logs"])
    assert outcome["codes"] == {"a": 0, "b": 0, "a2": 0}, logs
    channels = outcome["channels"]
    # 0 games ended early: all four completed, every question asked.
    assert [(reason, asked) for _, reason, asked in outcome["games"]] == [("completed", 3)] * 4
    # Back in a moment, where the restarted process ran, and only there.
    assert outcome["paused"] == channels[:2]
    for channel in channels:
        # Each question in one message, revealed once: no second copy, no second reveal.
        assert outcome["numbers"][channel] == [(1, 3), (2, 3), (3, 3)]
        assert [len(vias) for vias in outcome["reveals"][channel]] == [1, 1, 1]
    for channel in channels[:2]:
        assert outcome["reveals"][channel] == [["a"], ["a2"], ["a2"]]
    # The points of an uninterrupted run: the games of process b were one.
    expected = expected_roll_points()
    assert outcome["points"] == {str(channel): expected for channel in channels}
    assert "Traceback" not in logs


# -- 3 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lane", range(KILL_LANES))
def test_kill_9_mid_question_loses_no_announced_point_and_awards_none_twice(
    scenarios: Scenarios, lane: int
) -> None:
    outcome = scenarios.outcome(f"kill-{lane}")
    assert outcome["kills"] == KILLS_PER_LANE
    assert outcome["announced"] > 0  # points were announced
    assert outcome["lost"] == []
    assert outcome["twice"] == []
    assert outcome["recount"] == []  # totals equal a recount of the answers
    assert outcome["journal"] == [(0,)]
    assert [reason for _, reason, _ in outcome["games"]] == ["stopped"] * 4


@pytest.mark.parametrize("lane", range(KILL_LANES))
def test_kill_9_leaves_no_question_unrevealed_past_10_s_nor_touches_the_other_process(
    scenarios: Scenarios, lane: int
) -> None:
    outcome = scenarios.outcome(f"kill-{lane}")
    assert outcome["late"] == [], outcome["reveals_after_kill"]
    assert outcome["reveals_after_kill"]  # questions were open at the kills
    assert outcome["open_left"] == [], outcome["kill_log"]
    assert outcome["untouched"] == []


# -- 4 -----------------------------------------------------------------------------------------


def test_a_process_paused_past_its_lease_neither_writes_nor_posts_when_it_resumes(
    scenarios: Scenarios,
) -> None:
    outcome = scenarios.outcome("paused")
    first_code, second_code = outcome["codes"]
    assert outcome["changes_after_pause"] == [], outcome["first_log"]
    assert "lost lease discord:shard:0" in outcome["first_log"]
    assert first_code == 1, outcome["first_log"]  # no shard left: it stops
    assert second_code == 0, outcome["second_log"]
    # The question it had open was revealed once, by its new owner; nothing was
    # awarded twice, and the totals are the new owner's only.
    assert outcome["reveals"] == ["a2"]
    first, last = outcome["words"]
    assert [(q, name) for q, name, _ in outcome["answers"]] == [
        (f"w-{first}", "Ann"),
        (f"w-{last}", "Ann"),
    ]
    points = sum(p for _, _, p in outcome["answers"])
    assert outcome["totals"] == [("Ann", points, 2)]
    assert [(reason, asked) for _, reason, asked in outcome["games"]] == [("completed", 2)]
    assert outcome["journal"] == [(0,)]


# -- 5 -----------------------------------------------------------------------------------------


def test_four_processes_starting_together_sync_the_commands_once_and_keep_the_identify_pace(
    scenarios: Scenarios,
) -> None:
    outcome = scenarios.outcome("together")
    assert outcome["codes"] == [0, 0, 0, 0], "\n".join(outcome["logs"])
    assert outcome["live"] == [0, 1, 2, 3]
    assert outcome["command_syncs"] == 1
    assert len(outcome["syncs"]) == 1
    assert outcome["commands"] == ["trivia"]
    assert outcome["violations"] == []
    times = sorted(t for t, _ in outcome["identify_times"])
    assert sorted(s for _, s in outcome["identify_times"]) == [0, 1, 2, 3]
    for start in times:
        assert sum(start <= t < start + 5.0 for t in times) <= 2  # max_concurrency
