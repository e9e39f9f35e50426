"""A bot's worth of data, written through the store API, and everything read back from it:
what the ``db copy`` tests copy and compare (``tests/e2e/test_db_copy.py``).

``fill`` writes three servers on three platforms: answers on every other day over three
weeks (so there are daily, weekly and all-time leaderboards), finished games with
winners, own questions (one edited, one removed), switches (one turned back on), reports
(one resolved), settings, asked questions (one forgotten again) and a game left running
in the journal with answers of its own.  ``read_all`` reads all of it back through the
API, independently of the copy's own check.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot.domain.daily import DailyRound
from bot.domain.game import TriviaGame
from bot.domain.model import (
    Actor,
    ChannelKey,
    GameMode,
    GameOptions,
    Instant,
    PlayerKey,
    Question,
    ServerKey,
    ServerSettings,
    Standing,
    StartPolicy,
)
from bot.domain.records import (
    AnswerRecord,
    DailyAnswer,
    GameRecord,
    Period,
    ReportDraft,
    ReportKind,
    Resolution,
    RunningGame,
    Switch,
)
from bot.domain.schedule import Schedule, ScheduleKind, parse_days
from bot.domain.snapshot import GameSnapshot
from bot.ports import TriviaStore
from bot.slack_installations import SlackInstallation
from bot.storage.sql_store import SqlScoreStore

NOW = datetime(2025, 3, 12, 18, 0, tzinfo=UTC)  # a Wednesday
DAYS = tuple(range(0, 22, 2))  # days before NOW with answers
SERVERS = (
    ServerKey("discord", "guild-1"),
    ServerKey("slack", "T0001"),
    ServerKey("console", "local"),
)
USERS = ("ada", "bob", "cy")
ASKED = ("q-1", "q-2", "q-3", "never-asked")
REPORTS_PER_SERVER = 3
UNFINISHED = "unfinished-1"


def player(server: ServerKey, user: str) -> PlayerKey:
    return PlayerKey(server.platform, server.server, user)


def channel(server: ServerKey) -> ChannelKey:
    return ChannelKey(server.platform, server.server, "trivia")


def answers_of(server: ServerKey, day: int, *, game: str) -> list[AnswerRecord]:
    at = NOW - timedelta(days=day, hours=1)
    found = []
    for n, user in enumerate(USERS):
        correct = (day + n) % 3 != 0
        found.append(
            AnswerRecord(
                player=player(server, user),
                name=f"{user.title()} {server.platform}",
                channel=channel(server),
                game_id=game,
                question_id=f"q-{day}-{n}",
                correct=correct,
                points=(n + day) % 3 + 1 if correct else 0,
                answer_ms=1000 + 100 * n + day,
                streak=n + 1 if correct else 0,
                at=at + timedelta(minutes=n),
            )
        )
    return found


def own_question(server: ServerKey, number: int, prompt: str = "") -> Question:
    return Question(
        id=f"own-{number}",
        prompt=prompt or f"Own question {number} of {server.server}?",
        answers=(f"answer {number}",),
        category="own",
        hints=("It starts with an a.",),
        bank_id=f"server:{server.platform}:{server.server}",
        scope=f"{server.platform}:{server.server}",
    )


async def fill(store: TriviaStore) -> None:
    """Write the data set (module docstring) into ``store``."""
    for server in SERVERS:
        await _games(store, server)
        await _admin(store, server)
    await _unfinished(store, SERVERS[0])


async def _games(store: TriviaStore, server: ServerKey) -> None:
    for day in DAYS:
        game = f"{server.platform}-game-{day}"
        answers = answers_of(server, day, game=game)
        await store.record_answers(answers)
        standings = tuple(
            Standing(a.player, a.name, a.points, int(a.correct), rank)
            for rank, a in enumerate(sorted(answers, key=lambda a: -a.points), start=1)
        )
        await store.record_game(
            GameRecord(
                game_id=game,
                channel=channel(server),
                mode=GameMode.TEXT,
                started_at=answers[0].at - timedelta(minutes=5),
                ended_at=answers[-1].at + timedelta(minutes=1),
                reason="finished",
                questions_asked=len(answers),
                standings=standings,
                winner=standings[0].player if day % 4 else None,
            )
        )


async def _admin(store: TriviaStore, server: ServerKey) -> None:
    admin = player(server, "admin")
    at = NOW - timedelta(days=3)
    for number in (1, 2, 3):
        await store.save_custom_question(server, own_question(server, number), by=admin, at=at)
    edited = own_question(server, 2, prompt="Edited, second?")
    await store.save_custom_question(server, edited, by=player(server, "bob"), at=NOW)
    await store.delete_custom_question(server, "own-3", by=admin, at=NOW)
    settings = ServerSettings(
        rounds=7,
        seconds=12.5,
        mode=GameMode.CHOICE,
        start_policy=StartPolicy.ROLE,
        starter_role="quizzers",
        admin_role="mods",
    )
    if server.platform != "console":  # one server keeps the defaults
        await store.save_server_settings(server, settings, by=admin, at=at)
    await store.switch(server, Switch.QUESTION, "mi2-director", on=False, by=admin, at=at)
    await store.switch(server, Switch.CATEGORY, "stunts", on=False, by=admin, at=at)
    await store.switch(server, Switch.BANK, "mission-impossible-2", on=False, by=admin, at=at)
    await store.switch(server, Switch.BANK, "mission-impossible-2", on=True, by=admin, at=NOW)
    await store.mark_asked(server, ASKED[:3], at=at)
    await store.forget_asked(server, ["q-2"])
    reports = []
    for number in range(REPORTS_PER_SERVER):
        draft = ReportDraft(
            server=server,
            channel=channel(server),
            question_id=f"own-{number + 1}",
            prompt=f"Own question {number + 1}?",
            kind=ReportKind.WRONG if number % 2 else ReportKind.UNCLEAR,
            reason=f"reason {number}",
            reporter=player(server, USERS[number]),
            reporter_name=USERS[number].title(),
            at=at + timedelta(hours=number),
        )
        reports.append(await store.file_report(draft))
    await store.resolve_reports(server, [reports[0].id], Resolution.DISMISSED, by=admin, at=NOW)


async def _unfinished(store: TriviaStore, server: ServerKey) -> None:
    started = NOW - timedelta(minutes=10)
    await store.journal_game(
        RunningGame(
            game_id=UNFINISHED,
            channel=channel(server),
            mode=GameMode.TEXT,
            started_at=started,
            started_by=player(server, "ada"),
            total_questions=10,
        )
    )
    await store.record_answers(answers_of(server, 0, game=UNFINISHED))
    await store.journal_progress(UNFINISHED, 3)
    # Saved to go on after a restart, and where its question is shown.
    await store.save_game_state(_running_state(server), 4)
    await store.note_question_message(channel(server), UNFINISHED, "1:4242")
    if isinstance(store, SqlScoreStore):
        await store.take_lease("discord:shard:0", "host-a pid 1", ttl=600)
        await store.set_fact_if_changed("discord:commands:global", "digest-1")
        await store.remember_server(server.platform, "ada", server.server, "Ada's server")
        for installation in SLACK_INSTALLATIONS:
            await store.save_slack_installation(installation)
        await store.issue_oauth_state("state-in-progress", ttl=600)
        assert await store.first_sighting("Ev0SEEN", keep=600)
        await _schedules(store)
        await _daily_rounds(store)


async def _schedules(store: SqlScoreStore) -> None:
    """Two schedules per server, one paused, one removed, and due times already fired."""
    for server in SERVERS:
        daily = await store.add_schedule(
            Schedule(
                server=server,
                channel="trivia",
                kind=ScheduleKind.DAILY_QUESTION,
                at=time(9, 0),
                zone="Europe/Berlin",
                days=parse_days("weekdays"),
                closes=time(17, 0),
                category="science",
                created=NOW - timedelta(days=30),
            )
        )
        quiz = await store.add_schedule(
            Schedule(
                server=server,
                channel="quiz",
                kind=ScheduleKind.WEEKLY_QUIZ,
                at=time(16, 0),
                zone="America/New_York",
                days=parse_days("fri"),
                options=(("questions", "10"),),
                created=NOW - timedelta(days=9),
            )
        )
        gone = await store.add_schedule(replace(daily, channel="old"))
        assert daily.id is not None
        assert quiz.id is not None
        assert gone.id is not None
        for day in DAYS:
            assert await store.claim_firing(daily.id, NOW - timedelta(days=day), "host-a pid 1")
        assert await store.set_schedule_paused(server, quiz.id, True)
        assert await store.claim_firing(gone.id, NOW, "host-a pid 1")
        assert await store.remove_schedule(server, gone.id)


async def _daily_rounds(store: SqlScoreStore) -> None:
    """Three daily rounds per server (two revealed, one open with its message noted) and
    the answers of every user to each: right and wrong, so there are streaks."""
    for server in SERVERS:
        for day in (2, 1, 0):
            opened = NOW - timedelta(days=day, hours=8)
            round_ = await store.open_daily_round(
                DailyRound(
                    id=0,
                    schedule_id=1,
                    channel=channel(server),
                    question=own_question(server, day),
                    choices=("answer 0", "answer 1", "answer 2") if day == 1 else (),
                    opened_at=opened,
                    closes_at=opened + timedelta(hours=10),
                )
            )
            for n, user in enumerate(USERS):
                correct = (day + n) % 3 != 0
                answer = DailyAnswer(
                    round_id=round_.id,
                    player=player(server, user),
                    name=f"{user.title()} {server.platform}",
                    guess=f"answer {day}" if correct else "no idea",
                    correct=correct,
                    points=20 if correct else 0,
                    at=opened + timedelta(minutes=n + 1),
                )
                assert await store.record_daily_answer(answer)
            if day:
                assert await store.mark_daily_revealed(round_.id)
            else:
                await store.note_daily_message(round_.id, "1:777")


def _running_state(server: ServerKey) -> GameSnapshot:
    questions = tuple(
        Question(id=f"q{n}", prompt=f"Question {n}?", answers=(f"a{n}",)) for n in (1, 2)
    )
    game = TriviaGame(
        UNFINISHED,
        channel(server),
        options=GameOptions(rounds=2, seconds=30),
        questions=questions,
        started_by=Actor(player(server, "ada"), "Ada"),
    )
    at = Instant(100.0, NOW - timedelta(minutes=1))
    game.start(at)
    return game.snapshot(Instant(110.0, NOW - timedelta(seconds=50)))


#: A workspace with token rotation (its tokens sealed) and an org-wide Grid install.
SLACK_INSTALLATIONS = (
    SlackInstallation(
        enterprise_id=None,
        team_id="T0001",
        bot_user_id="U0BOT",
        bot_id="B0BOT",
        bot_token="fernet:sealed-bot-token",
        bot_scopes=("chat:write", "commands"),
        app_id="A0TRIVIA",
        team_name="Acme Trivia",
        bot_refresh_token="fernet:sealed-refresh-token",
        bot_token_expires_at=NOW + timedelta(hours=12),
        installer_user_id="U0ADA",
        installed_at=NOW - timedelta(days=30),
    ),
    SlackInstallation(
        enterprise_id="E0ACME",
        team_id=None,
        is_enterprise_install=True,
        bot_user_id="W0ACMEBOT",
        bot_id="B0ACME",
        bot_token="xoxb-org-token",
        bot_scopes=("chat:write",),
        enterprise_name="Acme",
        installed_at=NOW - timedelta(days=2),
    ),
)


def report_ids() -> range:
    return range(1, REPORTS_PER_SERVER * len(SERVERS) + 1)


async def read_all(store: TriviaStore) -> dict[str, Any]:
    """Everything ``fill`` wrote, read back through the store API, by label."""
    seen: dict[str, Any] = {}
    for server in SERVERS:
        name = f"{server.platform}:{server.server}"
        for day in range(max(DAYS) + 8):
            at = NOW - timedelta(days=day)
            for period in Period:
                board = await store.leaderboard(server, period, now=at, limit=50)
                seen[f"{name} {period} {at.date()}"] = board
        for user in (*USERS, "admin", "nobody"):
            seen[f"{name} stats {user}"] = await store.player_stats(player(server, user))
        seen[f"{name} find"] = await store.find_players(server, f"Ada {server.platform}")
        seen[f"{name} own"] = await store.custom_questions(server)
        seen[f"{name} history"] = await store.question_history(server)
        seen[f"{name} switched off"] = await store.switched_off(server)
        seen[f"{name} settings"] = await store.server_settings(server)
        seen[f"{name} asked"] = await store.asked_questions(server, ASKED)
        seen[f"{name} open reports"] = await store.open_reports(server, limit=50)
        seen[f"{name} open count"] = await store.count_open_reports(server)
        for report_id in report_ids():
            seen[f"{name} report {report_id}"] = await store.get_report(server, report_id)
    for server in SERVERS:
        seen[f"{server.platform} unfinished"] = await store.unfinished_games(server.platform)
    if isinstance(store, SqlScoreStore):
        leases = await store.lease_holders()
        seen["leases"] = [(lease.name, lease.holder, lease.epoch) for lease in leases]
        seen["fact"] = await store.fact("discord:commands:global")
        seen["last server"] = await store.last_server(SERVERS[0].platform, "ada")
        seen["slack installations"] = await store.slack_installations()
        seen["slack org install"] = await store.find_slack_installation("E0ACME", "T0EAST")
        every = await store.schedules()
        seen["schedules"] = every
        for schedule in every:
            assert schedule.id is not None
            seen[f"schedule {schedule.id} last firing"] = await store.last_firing(schedule.id)
        for server in SERVERS:
            name = server.platform
            rounds = await store.open_daily_rounds(server, now=NOW)
            seen[f"{name} open daily rounds"] = rounds
            seen[f"{name} daily board"] = await store.daily_leaderboard(
                server, since=NOW - timedelta(days=7), until=NOW
            )
            for user in USERS:
                streak = await store.daily_streak(player(server, user), now=NOW)
                seen[f"{name} daily streak {user}"] = streak
            for round_ in rounds:
                seen[f"daily answers {round_.id}"] = await store.daily_answers(round_.id)
        seen["daily due"] = await store.daily_rounds_due(NOW + timedelta(days=1))
    return seen
