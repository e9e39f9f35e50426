"""Scheduled play's pure Slack parts: ``/trivia schedule``, ``answer`` and the boards'
lines read into commands, and the Block Kit the daily question, its verdicts and its
reveal are drawn with (Slack's limits and escaping included)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.adapters.slack import render_scheduled
from bot.adapters.slack.commands import Usage, parse_trivia
from bot.adapters.slack.commands_scheduled import SCHEDULE_USAGE
from bot.adapters.slack.ids import DAILY_ANSWER_ACTION, DAILY_ANSWER_BLOCK
from bot.adapters.slack.inbound import daily_answer_round, daily_pick
from bot.adapters.slack.message import BUTTON_TEXT_MAX
from bot.adapters.slack.render import home_view, render, usage_text
from bot.domain.commands import (
    AddSchedule,
    AnswerDaily,
    ListSchedules,
    RemoveSchedule,
    ShowLeaderboard,
    SwitchSchedule,
)
from bot.domain.daily import (
    DailyHome,
    DailyRound,
    DailyWinner,
    HomeRound,
    Season,
    SeasonLength,
    Verdict,
)
from bot.domain.events import (
    DailyAnswerJudged,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    DailyQuestionSkipped,
    LeaderboardShown,
    QuizReminder,
    QuizSkipped,
    SchedulesShown,
    SeasonResults,
)
from bot.domain.model import Actor, ChannelKey, PlayerKey, Question, QuestionType, ServerKey
from bot.domain.records import LeaderboardRow, Period
from bot.domain.schedule import Schedule, ScheduleKind
from tests.robustness.nasty import NASTY

CHANNEL = ChannelKey("slack", "T1", "C1")
ALICE = Actor(PlayerKey("slack", "T1", "U1"), "alice")
OPENED = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CAPITAL = Question(
    id="capital-fr",
    prompt="What is the capital of <France> & co?",
    answers=("Paris",),
    category="geography",
    explanation="Paris has been the capital since 987.",
)
PLANET = Question(
    id="red-planet",
    prompt="Which planet is red?",
    answers=("Mars",),
    type=QuestionType.CHOICE,
    choices=("Venus", "Mars", "Jupiter " * 20),
    category="space",
)


def parse(text: str) -> object:
    return parse_trivia(text, channel=CHANNEL, actor=ALICE)


def daily(question: Question = CAPITAL, *, round_id: int = 7) -> DailyRound:
    return DailyRound(
        id=round_id,
        schedule_id=1,
        channel=CHANNEL,
        question=question,
        choices=question.choices,
        opened_at=OPENED,
        closes_at=OPENED + timedelta(hours=8),
    )


# -- reading lines -----------------------------------------------------------------------------


def test_schedule_add_reads_kind_time_zone_then_settings_in_any_order() -> None:
    line = (
        "schedule add daily 09:00 Europe/Berlin closes=17:00 days=weekdays "
        "category=“World History” difficulty=easy channel=<#C0GENERAL|general>"
    )

    assert parse(line) == AddSchedule(
        channel=CHANNEL,
        actor=ALICE,
        kind="daily",
        at="09:00",
        zone="Europe/Berlin",
        days="weekdays",
        closes="17:00",
        category="World History",
        difficulty="easy",
        target="C0GENERAL",
    )


def test_a_quizs_game_options_go_as_on_the_command_line() -> None:
    line = "schedule add quiz 16:00 America/New_York days=fri mode=choice rounds=15 remind=15"

    assert parse(line) == AddSchedule(
        channel=CHANNEL,
        actor=ALICE,
        kind="quiz",
        at="16:00",
        zone="America/New_York",
        days="fri",
        options=("rounds=15", "mode=choice"),
        remind="15",
    )


def test_settings_are_passed_on_as_typed_for_the_service_to_judge() -> None:
    # A bad zone or time is the service's to refuse, in the words every surface uses.
    parsed = parse("schedule add weekly 25:99 Mars/Olympus category=Children's")

    assert isinstance(parsed, AddSchedule)
    assert (parsed.kind, parsed.at, parsed.zone) == ("weekly", "25:99", "Mars/Olympus")
    assert parsed.category == "Children's"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("schedule", ListSchedules(channel=CHANNEL, actor=ALICE)),
        ("schedule list", ListSchedules(channel=CHANNEL, actor=ALICE)),
        ("schedule pause 3", SwitchSchedule(CHANNEL, ALICE, 3, paused=True)),
        ("schedule resume #3", SwitchSchedule(CHANNEL, ALICE, 3, paused=False)),
        ("schedule remove 12", RemoveSchedule(CHANNEL, ALICE, 12)),
        ("answer  Paris, I think ", AnswerDaily(CHANNEL, ALICE, text="Paris, I think")),
        ("leaderboard season", ShowLeaderboard(CHANNEL, ALICE, season="current")),
        ("leaderboard season 2026-Q4", ShowLeaderboard(CHANNEL, ALICE, season="2026-Q4")),
        ("leaderboard daily", ShowLeaderboard(CHANNEL, ALICE, period=Period.WEEK, daily=True)),
        ("leaderboard daily today", ShowLeaderboard(CHANNEL, ALICE, Period.TODAY, daily=True)),
        (
            "leaderboard daily season previous",
            ShowLeaderboard(CHANNEL, ALICE, season="previous", daily=True),
        ),
    ],
)
def test_scheduled_subcommands(line: str, expected: object) -> None:
    assert parse(line) == expected


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("schedule add daily 09:00", "Give the kind, the time and the time zone, in that order"),
        ("schedule add daily 09:00 UTC at=10:00", "Unknown setting `at`"),
        ("schedule add daily 09:00 UTC days=", "`days=` needs a value."),
        ("schedule add daily 09:00 UTC days=mon days=tue", "`days` is given twice."),
        ('schedule add daily 09:00 UTC category="Open', "A quote is left open"),
        ("schedule add daily 09:00 UTC channel=general", "is not a channel I can read"),
        ("schedule pause", "Say which schedule by its number"),
        ("schedule remove three", "Say which schedule by its number"),
        ("schedule shuffle", "I don't know `schedule shuffle`."),
    ],
)
def test_a_schedule_line_the_bot_cannot_read_gets_what_is_wrong_and_the_usage(
    line: str, says: str
) -> None:
    parsed = parse(line)

    assert isinstance(parsed, Usage)
    assert says in parsed.message
    assert parsed.usage == SCHEDULE_USAGE
    # The reply says how to write a schedule line, not every subcommand there is.
    assert usage_text(parsed) == f"{parsed.message}\n{SCHEDULE_USAGE}"


def test_schedule_help_and_an_empty_answer_say_how() -> None:
    assert parse("schedule help") == Usage("*Schedules* (admins):", SCHEDULE_USAGE)
    empty = parse("answer")
    assert isinstance(empty, Usage)
    assert "/trivia answer Paris" in empty.message
    assert isinstance(parse("leaderboard daily forever"), Usage)


def test_daily_buttons_carry_their_round() -> None:
    pick = {"action_id": "trivia_daily_pick_1", "value": "7:1"}

    assert daily_pick(pick, channel=CHANNEL, actor=ALICE) == AnswerDaily(
        CHANNEL, ALICE, choice=1, round_id=7
    )
    assert (
        daily_pick({"action_id": "trivia_daily_pick_1", "value": "7"}, channel=CHANNEL, actor=ALICE)
        is None
    )
    assert (
        daily_pick({"action_id": "trivia_pick_1", "value": "7:1"}, channel=CHANNEL, actor=ALICE)
        is None
    )
    assert daily_answer_round({"action_id": DAILY_ANSWER_ACTION, "value": "7"}) == 7
    assert daily_answer_round({"action_id": DAILY_ANSWER_ACTION, "value": "x"}) is None


# -- drawing -----------------------------------------------------------------------------------


def elements(blocks: tuple[dict[str, object], ...]) -> list[dict[str, object]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]  # type: ignore[attr-defined]


def test_a_typed_daily_question_has_one_answer_button_and_its_closing_time() -> None:
    shown = render(DailyQuestionPosted(CHANNEL, daily(), note="Posted late: the bot was down."))

    assert shown is not None
    (answer,) = elements(shown.blocks)
    assert (answer["action_id"], answer["value"]) == (DAILY_ANSWER_ACTION, "7")
    unix = int((OPENED + timedelta(hours=8)).timestamp())
    assert f"<!date^{unix}^" in str(shown.blocks)
    assert "2026-12-07 17:00 UTC" in shown.text
    # The prompt is escaped: Slack would read < > & as markup.
    assert "&lt;France&gt; &amp; co" in shown.text
    assert "<France>" not in str(shown.blocks)
    assert "Posted late: the bot was down." in shown.text


def test_a_choice_daily_question_has_a_button_per_option_within_slacks_limit() -> None:
    shown = render(DailyQuestionPosted(CHANNEL, daily(PLANET, round_id=9)))

    assert shown is not None
    buttons = elements(shown.blocks)
    assert [b["value"] for b in buttons] == ["9:0", "9:1", "9:2"]
    assert all(len(b["text"]["text"]) <= BUTTON_TEXT_MAX for b in buttons)  # type: ignore[index]


def test_the_reveal_names_the_right_ones_fastest_first_and_takes_the_buttons_away() -> None:
    winners = (
        DailyWinner(PlayerKey("slack", "T1", "U2"), "bob", 4.25, 1),
        DailyWinner(PlayerKey("slack", "T1", "U1"), "alice <3", 3 * 60 + 5, 3),
    )
    shown = render(DailyQuestionRevealed(CHANNEL, daily(PLANET), winners, answered=3))

    assert shown is not None
    text = "\n".join(str(b) for b in shown.blocks)
    assert "The answer: *Mars* · 3 players answered, 2 right." in text
    assert text.index("bob") < text.index("alice &lt;3")
    assert "4.2 s" in text
    assert "3 min 5 s, 🔥 3-day streak" in text
    assert "✅ B. Mars" in text
    assert [e["action_id"] for e in elements(shown.blocks)] == ["trivia_report_question"]


def test_verdicts_say_what_counts_and_when_the_answer_shows() -> None:
    def said(verdict: Verdict, streak: int = 1) -> str:
        judged = DailyAnswerJudged(
            CHANNEL, ALICE.key, 7, verdict, "Pari<s>", streak, OPENED + timedelta(hours=8)
        )
        return render_scheduled.verdict_text(judged)

    assert said(Verdict.RIGHT, 3).startswith("✅ “Pari&lt;s&gt;” is right! 🔥 Your streak: 3 days")
    assert "Your streak starts today" in said(Verdict.RIGHT)
    assert "one answer per question" in said(Verdict.WRONG)
    assert "try again" in said(Verdict.CLOSE)
    assert "answered this question already" in said(Verdict.ALREADY)
    assert "closed" in said(Verdict.CLOSED)


def test_a_near_miss_is_shown_under_the_answer_field_within_slacks_150_characters() -> None:
    judged = DailyAnswerJudged(
        CHANNEL, ALICE.key, 7, Verdict.CLOSE, "x" * 500, 0, OPENED + timedelta(hours=8)
    )
    errors = render_scheduled.close_error(judged)

    assert list(errors) == [DAILY_ANSWER_BLOCK]
    assert len(errors[DAILY_ANSWER_BLOCK]) <= 150


def test_reminder_results_boards_and_schedules() -> None:
    season = Season(2026, 11, SeasonLength.MONTHLY)
    rows = (LeaderboardRow(1, ALICE.key, "alice", 30, 3), LeaderboardRow(2, ALICE.key, "bo", 5, 1))
    reminder = render(QuizReminder(CHANNEL, 2, OPENED, rounds=15, category="Science"))
    results = render(SeasonResults(CHANNEL, season, rows))
    board = render(LeaderboardShown(CHANNEL, ALICE.key, Period.ALL, rows, season=season))
    daily_week = render(LeaderboardShown(CHANNEL, ALICE.key, Period.WEEK, (), daily=True))
    empty_season = render(LeaderboardShown(CHANNEL, ALICE.key, Period.ALL, (), season=season))
    schedule = Schedule(
        server=ServerKey("slack", "T1"),
        channel="C1",
        kind=ScheduleKind.DAILY_QUESTION,
        at=time(9, 0),
        zone="Europe/Berlin",
        days=frozenset(range(5)),
        closes=time(17, 0),
        category="Science",
        paused=True,
        id=3,
    )
    listed = render(SchedulesShown(CHANNEL, ALICE.key, (schedule,), changed="Paused schedule 3"))
    empty = render(SchedulesShown(CHANNEL, ALICE.key, ()))

    assert reminder is not None
    assert "15 questions of *Science*" in reminder.text
    assert results is not None
    assert "Season November 2026 is over" in results.text
    assert "*alice* wins the season" in results.text
    assert board is not None
    assert board.text.startswith("*Leaderboard, season November 2026*")
    assert daily_week is not None
    assert daily_week.text == "No daily question scores this week yet."
    assert empty_season is not None
    assert empty_season.text == "No scores in season November 2026 yet."
    assert listed is not None
    assert "✅ *Paused schedule 3*" in listed.text
    assert "`#3` *daily question* (⏸️ paused) in <#C1> at 09:00 Europe/Berlin" in listed.text
    assert "open until 17:00, Science" in listed.text
    assert empty is not None
    assert render_scheduled.NO_SCHEDULES in empty.text


def test_a_day_without_a_question_says_why() -> None:
    shown = render(DailyQuestionSkipped(CHANNEL, 1, "No question fits category=Opera."))

    assert shown is not None
    assert shown.text == "📅 *Question of the day*: No question fits category=Opera."


def test_the_home_tab_shows_todays_questions_with_the_players_verdict_and_the_season() -> None:
    answered = HomeRound(daily(round_id=1), Verdict.RIGHT)
    open_one = HomeRound(daily(PLANET, round_id=2), None)
    home = DailyHome(
        player=ALICE.key,
        rounds=(answered, open_one),
        streak=3,
        best_streak=5,
        season=Season(2026, 12, SeasonLength.MONTHLY),
        season_rows=(LeaderboardRow(1, ALICE.key, "alice", 30, 3),),
    )
    view = home_view(stats=None, rows=(), daily=home)
    text = "\n".join(str(block) for block in view["blocks"])

    assert view["type"] == "home"
    assert "✅ You answered: right!" in text
    assert "Not answered yet: answer it in its channel." in text
    # Its answer is not given away on the Home tab while the question is open.
    assert "Paris" not in text
    assert "Your streak: *3 days* · best: 5 days" in text
    assert "*Daily question leaderboard, season December 2026*" in text
    assert "🥇 *alice*: 30 pts" in text
    assert text.index("Question of the day") < text.index("Your stats")
    assert len(view["blocks"]) <= 100  # Slack's limit for a Home tab


def test_the_home_tab_without_daily_rounds_is_as_before() -> None:
    view = home_view(stats=None, rows=(), daily=None)

    assert "Question of the day" not in str(view)
    assert "You have not played yet" in str(view)


def test_a_quiz_that_could_not_start_says_why() -> None:
    shown = render(QuizSkipped(CHANNEL, 2, "A game is already running in this channel."))

    assert shown is not None
    assert "did not start*: A game is already running in this channel." in shown.text


#: The markup scheduled play writes itself: dates and channel links, nothing else.
_OUR_MARKUP = re.compile(r"<!date\^\d+\^[^|<>]*\|[^<>]*>|<#[CGD][A-Z0-9]+>")


def mrkdwn(value: object) -> list[str]:
    """Every text Slack reads markup in: mrkdwn objects (``plain_text`` is shown as is)."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            return [str(value.get("text", ""))]
        return [t for item in value.values() for t in mrkdwn(item)]
    if isinstance(value, list | tuple):
        return [t for item in value for t in mrkdwn(item)]
    return []


def test_a_listed_quiz_says_its_window_and_its_reminder_as_the_command_line_does() -> None:
    quiz = Schedule(
        ServerKey("slack", "T1"),
        "C0001",
        ScheduleKind.WEEKLY_QUIZ,
        time(16, 0),
        "Europe/Berlin",
        frozenset({4}),
        category="Stunts",
        created=OPENED,
        id=3,
        remind=15,
    )
    line = render_scheduled.describe(quiz)
    assert line.endswith("may start 30 min late, Stunts, reminder 15 min before")
    assert "<#C0001>" in line


@pytest.mark.parametrize("key", sorted(NASTY))
def test_what_players_and_admins_typed_is_never_live_markup(key: str) -> None:
    """A name, a guess, a prompt, a category or a reason from anyone is shown as text:
    the only ``<...>`` in scheduled play's messages are its own dates and channels."""
    nasty = NASTY[key]
    question = replace(CAPITAL, prompt=nasty, category=nasty, explanation=nasty, answers=(nasty,))
    round_ = replace(daily(question), choices=(nasty, "x"))
    season = Season(2026, 11, SeasonLength.MONTHLY)
    rows = (LeaderboardRow(1, ALICE.key, nasty, 3, 1),)
    closes = OPENED + timedelta(hours=8)
    quiz = Schedule(
        ServerKey("slack", "T1"),
        f"#{nasty}",
        ScheduleKind.WEEKLY_QUIZ,
        time(16, 0),
        "Europe/Berlin",
        frozenset({4}),
        category=nasty,
        created=OPENED,
        id=3,
    )
    events = [
        DailyQuestionPosted(CHANNEL, round_, note=nasty),
        DailyQuestionRevealed(CHANNEL, round_, (DailyWinner(ALICE.key, nasty, 3.0, 2),), 1),
        DailyAnswerJudged(CHANNEL, ALICE.key, 7, Verdict.RIGHT, nasty, 2, closes),
        DailyQuestionSkipped(CHANNEL, 1, nasty),
        QuizReminder(CHANNEL, 2, closes, rounds=5, category=nasty),
        QuizSkipped(CHANNEL, 2, nasty),
        SeasonResults(CHANNEL, season, rows),
        LeaderboardShown(CHANNEL, ALICE.key, Period.ALL, rows, season=season, daily=True),
        SchedulesShown(CHANNEL, ALICE.key, (quiz,), changed=nasty, notes=(nasty,)),
    ]
    home = DailyHome(ALICE.key, (HomeRound(round_, None),), 1, 1, season, rows)
    shown = [render(event) for event in events]
    # A message's fallback text is read as mrkdwn too.
    texts = [t for m in shown if m is not None for t in (m.text, *mrkdwn(list(m.blocks)))]
    texts += mrkdwn(home_view(stats=None, rows=rows, daily=home))

    assert all(m is not None for m in shown)
    for text in texts:
        left = _OUR_MARKUP.sub("", text)
        assert "<" not in left, text
        assert ">" not in left, text
