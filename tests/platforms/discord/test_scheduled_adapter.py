"""Scheduled play as the Discord adapter shows it and reads it back: the real bot
(discord.py, outbox, interactions) against FakeDiscord, with a service that records the
commands it is sent and answers them with the events scheduled play publishes.

The whole flow, with the real desks and the firing loop on a manual clock, is in
``test_scheduled_play``; these pin the adapter's side of each event and command.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.adapters.discord import inbound
from bot.app.discord_main import RunningBot
from bot.domain.commands import (
    AddSchedule,
    AnswerDaily,
    Command,
    ListSchedules,
    ShowLeaderboard,
    SwitchSchedule,
)
from bot.domain.daily import DailyRound, DailyWinner, Season, SeasonLength, Verdict
from bot.domain.events import (
    DailyAnswerJudged,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    DailyQuestionSkipped,
    Event,
    LeaderboardShown,
    QuizReminder,
    QuizSkipped,
    SchedulesShown,
    SeasonResults,
)
from bot.domain.model import ChannelKey, Question, QuestionType
from bot.domain.records import LeaderboardRow, Period
from bot.domain.schedule import Schedule, ScheduleKind, parse_days, parse_time
from tests.fakes import RoutedService
from tests.platforms.discord.bot_harness import reply_to, trivia_bot
from tests.platforms.discord.fake import FakeDiscord, FakeMessage, FakeUser

MESSAGES = r"/channels/\d+/messages"
MESSAGE = r"/channels/\d+/messages/\d+"

CAPITAL = Question(
    id="capital-fr",
    prompt="What is the capital of France?",
    answers=("Paris",),
    category="geography",
    explanation="Paris has been the capital since 987.",
)
PLANET = Question(
    id="red-planet",
    prompt="Which planet is red?",
    answers=("Mars",),
    type=QuestionType.CHOICE,
    choices=("Venus", "Mars", "Jupiter"),
    category="planets",
)


def channel_of(fake: FakeDiscord) -> ChannelKey:
    return inbound.channel_key(fake.guild.id, fake.channel.id)


def daily_round(
    fake: FakeDiscord, question: Question = CAPITAL, *, round_id: int = 7, ref: str | None = None
) -> DailyRound:
    opened = datetime.now(UTC).replace(microsecond=0)
    return DailyRound(
        id=round_id,
        schedule_id=1,
        channel=channel_of(fake),
        question=question,
        choices=question.choices,
        opened_at=opened,
        closes_at=opened + timedelta(hours=8),
        message_ref=ref,
    )


@dataclass
class Scripted:
    """The service as the adapter sees it: records every command, and answers those
    ``replies`` knows (in the command's own task, as the service does) with events."""

    bot: RunningBot
    commands: list[Command] = field(default_factory=list)
    noted: list[tuple[int, str]] = field(default_factory=list)
    replies: dict[type, Sequence[Event]] = field(default_factory=dict)

    async def handle(self, command: Command) -> None:
        self.commands.append(command)
        for event in self.replies.get(type(command), ()):
            await self.bot.adapter.publish(event)

    async def note_daily_message(self, round_id: int, ref: str) -> None:
        self.noted.append((round_id, ref))


@asynccontextmanager
async def scripted_bot(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[Scripted]:
    async with trivia_bot(fake, tmp_path) as bot:
        scripted = Scripted(bot)
        routed = RoutedService(bot.app.service, scripted.handle)
        routed.note_daily_message = scripted.note_daily_message  # type: ignore[attr-defined]
        bot.adapter.bind(routed)
        yield scripted


async def posted_question(fake: FakeDiscord, scripted: Scripted, daily: DailyRound) -> FakeMessage:
    await scripted.bot.adapter.publish(DailyQuestionPosted(daily.channel, daily))
    return await fake.wait_for_message(fake.channel.id, lambda m: "Question of the day" in m.text)


def public_posts(fake: FakeDiscord) -> list[int]:
    """The bot's messages everyone in the channel sees (ephemeral replies left out)."""
    return [m.id for m in fake.channel_messages(fake.channel.id, from_bot=True) if not m.ephemeral]


def judged(
    player: FakeUser,
    fake: FakeDiscord,
    daily: DailyRound,
    verdict: Verdict,
    guess: str,
    streak: int,
) -> DailyAnswerJudged:
    return DailyAnswerJudged(
        channel=daily.channel,
        recipient=inbound.player_key(fake.guild.id, player.id),
        round_id=daily.id,
        verdict=verdict,
        guess=guess,
        streak=streak,
        closes_at=daily.closes_at,
    )


# -- the daily question -------------------------------------------------------------------------


async def test_a_daily_question_is_posted_with_an_answer_button_its_closing_time_and_noted(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with scripted_bot(fake, tmp_path) as scripted:
        daily = daily_round(fake)
        question = await posted_question(fake, scripted, daily)
        await scripted.bot.adapter.outbound.flush()

    closes = int(daily.closes_at.timestamp())
    assert "What is the capital of France?" in question.text
    assert f"Closes <t:{closes}:R> (<t:{closes}:t>)" in question.text
    assert "only you see your answer" in question.text
    assert [(b["label"], b["custom_id"]) for b in question.buttons] == [
        ("Answer", "trivia:daily:7")
    ]
    assert scripted.noted == [(7, str(question.id))]
    assert len(fake.requests_matching("POST", MESSAGES)) == 1


async def test_the_answer_button_opens_a_form_whose_answer_is_judged_for_the_player_alone(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    async with scripted_bot(fake, tmp_path) as scripted:
        daily = daily_round(fake)
        question = await posted_question(fake, scripted, daily)
        scripted.replies[AnswerDaily] = [judged(alice, fake, daily, Verdict.RIGHT, "paris", 3)]
        clicked = await fake.click_button(question, "trivia:daily:7", alice)
        await clicked.response()
        sent = await fake.submit_modal(clicked, {"answer": "paris"})
        verdict = await sent.response_message()

    assert clicked.modal is not None
    assert clicked.modal["custom_id"] == "trivia:daily-form:7"
    descriptions = [c.get("description") for c in clicked.modal["components"]]
    assert descriptions == ["What is the capital of France?"]
    [command] = scripted.commands
    assert isinstance(command, AnswerDaily)
    assert (command.text, command.choice, command.round_id) == ("paris", None, 7)
    assert command.actor.key == inbound.player_key(fake.guild.id, alice.id)
    assert verdict.ephemeral
    assert "“paris” is right!" in verdict.content
    assert "3 days in a row" in verdict.content
    # Nobody else sees it: the channel holds the question alone.
    assert public_posts(fake) == [question.id]


async def test_a_choice_question_has_a_button_per_option_and_a_click_is_an_answer(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    bob = fake.add_member(fake.guild.id, "bob")
    async with scripted_bot(fake, tmp_path) as scripted:
        daily = daily_round(fake, PLANET, round_id=12)
        question = await posted_question(fake, scripted, daily)
        scripted.replies[AnswerDaily] = [judged(bob, fake, daily, Verdict.WRONG, "Venus", 0)]
        clicked = await fake.click_button(question, "trivia:daily-pick:12:0", bob)
        verdict = await clicked.response_message()

    assert [b["label"] for b in question.buttons] == ["A. Venus", "B. Mars", "C. Jupiter"]
    [command] = scripted.commands
    assert isinstance(command, AnswerDaily)
    assert (command.text, command.choice, command.round_id) == (None, 0, 12)
    assert verdict.ephemeral
    assert "“Venus” is not it" in verdict.content
    assert fake.message(question).edits == 0  # a click changes nothing anyone else sees


async def test_close_already_and_closed_verdicts_say_what_the_player_may_do(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    carol = fake.add_member(fake.guild.id, "carol")
    async with scripted_bot(fake, tmp_path) as scripted:
        daily = daily_round(fake)
        shown = []
        for verdict in (Verdict.CLOSE, Verdict.ALREADY, Verdict.CLOSED):
            scripted.replies[AnswerDaily] = [judged(carol, fake, daily, verdict, "pariz", 0)]
            asked = await fake.slash_command(
                fake.guild.id,
                fake.channel.id,
                carol,
                subcommand="answer",
                options={"text": " pariz "},
            )
            shown.append(await asked.response_message())

    assert all(message.ephemeral for message in shown)
    close, already, closed = (message.content for message in shown)
    assert "nearly it: not counted, so try again" in close
    assert "answered this question already" in already
    assert "closed" in closed
    assert all(isinstance(c, AnswerDaily) and c.text == "pariz" for c in scripted.commands)
    assert all(c.round_id is None for c in scripted.commands if isinstance(c, AnswerDaily))


async def test_the_reveal_edits_the_question_into_its_answer_and_the_right_ones_fastest_first(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with scripted_bot(fake, tmp_path) as scripted:
        daily = daily_round(fake, PLANET, round_id=3)
        question = await posted_question(fake, scripted, daily)
        winners = (
            DailyWinner(inbound.player_key(fake.guild.id, 1), "Carol", 4.25, 1),
            DailyWinner(inbound.player_key(fake.guild.id, 2), "Alice", 3725.0, 4),
        )
        shown = DailyQuestionRevealed(
            daily.channel, daily_round(fake, PLANET, round_id=3, ref=str(question.id)), winners, 3
        )
        await scripted.bot.adapter.publish(shown)
        await fake.wait_until(lambda: fake.message(question).edits == 1 or None)
        revealed = fake.message(question)

    assert "The answer: **Mars**" in revealed.text
    assert "3 players answered, 2 right." in revealed.text
    carol, alice = revealed.text.index("Carol"), revealed.text.index("Alice")
    assert carol < alice
    assert "1. **Carol** (4.2 s)" in revealed.text
    assert "2. **Alice** (1 h 2 min, 🔥 4-day streak)" in revealed.text
    *options, report = revealed.buttons
    assert all(b["disabled"] for b in options)
    assert [b["style"] for b in options] == [2, 3, 2]  # the right one green
    assert report["label"] == "Report"
    assert public_posts(fake) == [question.id]
    assert len(fake.requests_matching("PATCH", MESSAGE)) == 1


async def test_a_daily_question_costs_two_billed_calls_however_many_answer_it(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    players = [fake.add_member(fake.guild.id, name) for name in ("alice", "bob", "carol")]
    async with scripted_bot(fake, tmp_path) as scripted:
        since = len(fake.requests)
        daily = daily_round(fake)
        question = await posted_question(fake, scripted, daily)
        for player, guess in zip(players, ("paris", "lyon", "pariz"), strict=True):
            scripted.replies[AnswerDaily] = [judged(player, fake, daily, Verdict.WRONG, guess, 0)]
            clicked = await fake.click_button(question, "trivia:daily:7", player)
            await clicked.response()
            sent = await fake.submit_modal(clicked, {"answer": guess})
            await sent.response_message()
        noted = daily_round(fake, ref=str(question.id))
        await scripted.bot.adapter.publish(DailyQuestionRevealed(daily.channel, noted, (), 3))
        await fake.wait_until(lambda: fake.message(question).edits == 1 or None)
        await scripted.bot.adapter.outbound.flush()

    billed = [(r.method, r.path) for r in fake.billed_requests(since=since)]
    assert billed == [
        ("POST", f"/channels/{fake.channel.id}/messages"),
        ("PATCH", f"/channels/{fake.channel.id}/messages/{question.id}"),
    ]


async def test_a_reveal_whose_question_message_is_gone_is_posted_anew(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with scripted_bot(fake, tmp_path) as scripted:
        daily = daily_round(fake, ref="123456789")  # a message that is not there
        await scripted.bot.adapter.publish(DailyQuestionRevealed(daily.channel, daily, (), 0))
        revealed = await fake.wait_for_message(fake.channel.id, lambda m: "Closed." in m.text)

    assert "The answer: **Paris**" in revealed.text
    assert "0 players answered, 0 right." in revealed.text
    assert "Paris has been the capital since 987." in revealed.text


# -- the weekly quiz and seasons ----------------------------------------------------------------


async def test_the_quiz_reminder_and_a_seasons_results_are_posted_in_the_channel(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    starts = datetime(2026, 12, 11, 16, 0, tzinfo=UTC)
    rows = (
        LeaderboardRow(1, inbound.player_key(fake.guild.id, 1), "Alice", 42, 9),
        LeaderboardRow(2, inbound.player_key(fake.guild.id, 2), "Bob", 17, 4),
    )
    async with scripted_bot(fake, tmp_path) as scripted:
        channel = channel_of(fake)
        await scripted.bot.adapter.publish(QuizReminder(channel, 2, starts, 10, "science"))
        reminder = await fake.wait_for_message(fake.channel.id, lambda m: "quiz" in m.text)
        season = Season(2026, 11, SeasonLength.MONTHLY)
        await scripted.bot.adapter.publish(SeasonResults(channel, season, rows))
        results = await fake.wait_for_message(fake.channel.id, lambda m: "Season" in m.text)

    assert f"<t:{int(starts.timestamp())}:R>" in reminder.text
    assert "10 questions of **science**" in reminder.text
    assert "Season November 2026 is over" in results.text
    assert "1. **Alice**: 42 pts (9 right)" in results.text
    assert "**Alice** wins the season!" in results.text
    assert "season:2026-11" in results.text


async def test_a_day_without_a_daily_question_says_why_in_the_channel(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    reason = "no question of category 'words' is left; an admin can add some"
    async with scripted_bot(fake, tmp_path) as scripted:
        await scripted.bot.adapter.publish(DailyQuestionSkipped(channel_of(fake), 1, reason))
        said = await fake.wait_for_message(fake.channel.id, lambda m: "today" in m.text)

    assert said.content == f"📭 No question of the day today: {reason}"


async def test_a_skipped_quiz_says_why_in_the_channel(fake: FakeDiscord, tmp_path: Path) -> None:
    reason = "A game is already running in this channel."
    async with scripted_bot(fake, tmp_path) as scripted:
        await scripted.bot.adapter.publish(QuizSkipped(channel_of(fake), 2, reason))
        said = await fake.wait_for_message(fake.channel.id, lambda m: "quiz" in m.text)

    assert said.content == f"⏭️ No weekly quiz this time: {reason}"


async def test_an_admin_makes_seasons_quarterly_and_the_board_reads_quarters(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    async with trivia_bot(fake, tmp_path):
        saved = await reply_to(fake, ada, "settings", {"season_length": "quarterly"})
        quarter = await reply_to(fake, ada, "leaderboard", {"season": "2026-Q4"})
        month = await reply_to(fake, ada, "leaderboard", {"season": "2026-11"})

    assert "Settings saved" in saved.text
    assert "Seasons: quarterly" in saved.text.splitlines()
    assert "Leaderboard, season Q4 2026" in quarter.text
    assert month.content.startswith("⛔")
    assert "this server's seasons are quarterly" in month.content


async def test_the_leaderboard_takes_a_season_and_daily_and_titles_the_board_by_them(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    async with scripted_bot(fake, tmp_path) as scripted:
        row = LeaderboardRow(1, inbound.player_key(fake.guild.id, alice.id), "Alice", 5, 5)
        season = Season(2026, 10, SeasonLength.QUARTERLY)
        board = LeaderboardShown(
            channel_of(fake),
            inbound.player_key(fake.guild.id, alice.id),
            Period.ALL,
            (row,),
            season=season,
            daily=True,
        )
        scripted.replies[ShowLeaderboard] = [board]
        asked = await fake.slash_command(
            fake.guild.id,
            fake.channel.id,
            alice,
            subcommand="leaderboard",
            options={"season": "2026-Q4", "daily": True},
        )
        shown = await asked.response_message()

    [command] = scripted.commands
    assert isinstance(command, ShowLeaderboard)
    assert (command.season, command.daily) == ("2026-Q4", True)
    assert shown.ephemeral
    assert "Daily question leaderboard, season Q4 2026" in shown.text
    assert "1. **Alice**: 5 pts (5 right)" in shown.text


# -- /trivia schedule ---------------------------------------------------------------------------


def berlin_daily(fake: FakeDiscord, schedule_id: int, *, paused: bool = False) -> Schedule:
    return Schedule(
        server=channel_of(fake).server_key,
        channel=str(fake.channel.id),
        kind=ScheduleKind.DAILY_QUESTION,
        at=parse_time("09:00"),
        zone="Europe/Berlin",
        days=parse_days("weekdays"),
        closes=parse_time("17:00"),
        category="science",
        paused=paused,
        id=schedule_id,
    )


async def test_schedule_add_sends_every_option_as_typed_and_shows_the_schedules(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    quizzes = fake.add_channel(fake.guild.id, "quizzes")
    async with scripted_bot(fake, tmp_path) as scripted:
        shown = SchedulesShown(
            channel_of(fake),
            inbound.player_key(fake.guild.id, ada.id),
            (berlin_daily(fake, 3),),
            changed="Added schedule 3: next Mon 2026-12-07 09:00 CET",
            notes=("09:00 runs at 10:00 on 2027-03-28",),
        )
        scripted.replies[AddSchedule] = [shown]
        asked = await fake.slash_command(
            fake.guild.id,
            fake.channel.id,
            ada,
            subcommand="schedule add",
            options={
                "kind": "quiz",
                "time": "16:00",
                "timezone": "America/New_York",
                "days": "fri",
                "rounds": 15,
                "seconds": 20.0,
                "mode": "choice",
                "remind": 5,
                "channel": quizzes,
            },
        )
        reply = await asked.response_message()

    [command] = scripted.commands
    assert command == AddSchedule(
        channel_of(fake),
        command.actor,
        kind="quiz",
        at="16:00",
        zone="America/New_York",
        days="fri",
        options=("rounds=15", "seconds=20", "mode=choice"),
        remind="5",
        target=str(quizzes.id),
    )
    assert command.actor.is_admin
    assert reply.ephemeral
    assert "Added schedule 3: next Mon 2026-12-07 09:00 CET" in reply.text
    assert f"`#3` **daily question** in <#{fake.channel.id}> at 09:00 Europe/Berlin" in reply.text
    assert "(weekdays), open until 17:00, science" in reply.text
    assert "09:00 runs at 10:00 on 2027-03-28" in reply.text


async def test_the_schedule_group_offers_time_zones_and_the_servers_schedules_to_pick(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    ada = fake.add_member(fake.guild.id, "ada", admin=True)
    async with scripted_bot(fake, tmp_path) as scripted:
        schedules = (berlin_daily(fake, 3), berlin_daily(fake, 4, paused=True))
        listed = SchedulesShown(
            channel_of(fake), inbound.player_key(fake.guild.id, ada.id), schedules
        )
        scripted.replies[ListSchedules] = [listed]
        zones = await fake.autocomplete(
            fake.guild.id,
            fake.channel.id,
            ada,
            subcommand="schedule add",
            focused="timezone",
            options={"kind": "daily", "time": "09:00", "timezone": "berl"},
        )
        await zones.response()
        ids = await fake.autocomplete(
            fake.guild.id,
            fake.channel.id,
            ada,
            subcommand="schedule resume",
            focused="schedule_id",
            options={"schedule_id": ""},
        )
        await ids.response()
        resumed = await fake.slash_command(
            fake.guild.id,
            fake.channel.id,
            ada,
            subcommand="schedule resume",
            options={"schedule_id": 4},
        )
        await resumed.response()

    assert [c["value"] for c in zones.choices or []] == ["Europe/Berlin"]
    assert [(c["name"], c["value"]) for c in ids.choices or []] == [
        ("#3 daily question 09:00 Europe/Berlin", 3),
        ("#4 daily question 09:00 Europe/Berlin (paused)", 4),
    ]
    resume = scripted.commands[-1]
    assert resume == SwitchSchedule(channel_of(fake), resume.actor, 4, paused=False)


async def test_the_synced_command_tree_holds_answer_and_the_schedule_group_within_limits(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with trivia_bot(fake, tmp_path):
        [trivia] = fake.commands(fake.guild.id)

    subcommands = {o["name"]: o for o in trivia["options"]}
    assert len(subcommands) == 25  # Discord's most
    schedule = subcommands["schedule"]
    assert schedule["type"] == 2  # a group
    assert sorted(o["name"] for o in schedule["options"]) == [
        "add",
        "list",
        "pause",
        "remove",
        "resume",
    ]
    add = next(o for o in schedule["options"] if o["name"] == "add")
    required = [o["name"] for o in add["options"] if o.get("required")]
    assert required == ["kind", "time", "timezone"]
    zone = next(o for o in add["options"] if o["name"] == "timezone")
    assert zone["autocomplete"] is True
    leaderboard = {o["name"] for o in subcommands["leaderboard"]["options"]}
    assert leaderboard == {"period", "season", "daily"}
    assert [o["name"] for o in subcommands["answer"]["options"]] == ["text"]
    assert all(len(option["description"]) <= 100 for option in options_of(trivia))


def options_of(command: dict[str, Any]) -> list[dict[str, Any]]:
    """Every option and subcommand of ``command``, however deep."""
    found = []
    for option in command.get("options") or []:
        found.append(option)
        found.extend(options_of(option))
    return found
