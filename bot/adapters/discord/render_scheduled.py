"""Scheduled play on Discord, as plain values (no discord.py here): the daily question,
its private verdicts and its reveal, the weekly quiz's reminder, a season's results,
season and daily leaderboards, and the admins' list of schedules.

A daily question is one post and one edit (its reveal), like a game's question (GUIDE
section 5): when it closes is shown with Discord's ``<t:UNIX:R>`` markup, which every
client keeps up to date with no edit at all.  Its buttons carry the round's id
(``ids``), so they work on an old message and after a restart.  Nobody's answer is
shown to anyone else before the reveal: verdicts are replies for the player alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.adapters.common.words import plural, streak_words, took
from bot.adapters.discord.ids import (
    daily_answer_custom_id,
    daily_pick_custom_id,
    report_custom_id,
)
from bot.adapters.discord.message import (
    BLURPLE,
    GREEN,
    GREY,
    MAX_BUTTON_LABEL,
    MAX_CONTENT,
    MAX_DESCRIPTION,
    MAX_FIELD_VALUE,
    PURPLE,
    YELLOW,
    Button,
    ButtonStyle,
    Field,
    Reply,
    clip,
    embed,
    escape,
    fit_lines,
)
from bot.domain import schedule_words
from bot.domain.daily import DailyRound, DailyWinner, Verdict
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
from bot.domain.records import LeaderboardRow
from bot.domain.schedule import Schedule, days_text

LETTERS = "ABCDEF"
ANSWER_LABEL = "Answer"
REPORT_LABEL = "Report"
BUTTONS_PER_ROW = 5
DAILY_TITLE = "Question of the day"
#: How many winners a reveal names before "…and N more".
_SHOWN_WINNERS = 25


def relative(at: datetime) -> str:
    """Discord shows this as "in 3 hours", live, in each reader's client."""
    return f"<t:{int(at.timestamp())}:R>"


def clock_time(at: datetime) -> str:
    """Discord shows this as a time of day in each reader's own time zone ("17:00")."""
    return f"<t:{int(at.timestamp())}:t>"


# -- the daily question (the whole channel sees it) ---------------------------------------


def daily_question(event: DailyQuestionPosted) -> Reply:
    """The question as posted: how to answer privately and when it closes; a button per
    option for a choice question, else an "Answer" button that opens a form."""
    daily = event.round
    q = daily.question
    lines = [f"**{escape_prompt(q.prompt)}**"]
    lines.extend(f"**{LETTERS[i]}.** {choice}" for i, choice in enumerate(daily.choices))
    how = "Pick an option below" if daily.choices else f"Click **{ANSWER_LABEL}**"
    lines.append(
        f"\n{how} or use `/trivia answer`: only you see your answer and whether it is "
        f"right. Closes {relative(daily.closes_at)} ({clock_time(daily.closes_at)}); then "
        "the answer and who got it right show here."
    )
    if event.note:
        lines.append(f"-# {event.note}")
    return Reply(
        embed=embed(
            DAILY_TITLE,
            "\n".join(lines),
            colour=BLURPLE,
            footer=f"{q.category} · {q.difficulty} · one answer each",
        ),
        buttons=_answer_buttons(daily),
    )


def escape_prompt(prompt: str) -> str:
    """A prompt is the bank's text (an admin's, for a server's own question): shown as
    written, but on one line, so that it cannot start a heading."""
    return " ".join(prompt.split())


def _answer_buttons(daily: DailyRound) -> tuple[Button, ...]:
    if daily.choices:
        return tuple(
            Button(daily_pick_custom_id(daily.id, i), _label(i, choice))
            for i, choice in enumerate(daily.choices)
        )
    return (Button(daily_answer_custom_id(daily.id), ANSWER_LABEL),)


def _label(index: int, choice: str, *, suffix: str = "") -> str:
    return clip(f"{LETTERS[index]}. {choice}", MAX_BUTTON_LABEL - len(suffix)) + suffix


def daily_reveal(event: DailyQuestionRevealed) -> Reply:
    """The question's message edited into its answer: the explanation and who got it
    right, fastest first, with their streaks; the options stay, disabled, the right one
    green; a Report button replaces the Answer button."""
    daily = event.round
    q = daily.question
    right = len(event.winners)
    lines = [
        f"**{escape_prompt(q.prompt)}**",
        "",
        f"**Closed.** The answer: **{q.answer}**",
        f"{plural(event.answered, 'player')} answered, {right} right.",
    ]
    fields: list[Field] = []
    if event.winners:
        fields.append(Field("Right, fastest first", winner_lines(event.winners)))
    if q.explanation:
        fields.append(Field("Why", q.explanation))
    return Reply(
        embed=embed(
            DAILY_TITLE,
            "\n".join(lines),
            colour=GREEN if event.winners else YELLOW,
            fields=fields,
            footer=f"{q.category} · {q.difficulty} · /trivia leaderboard daily:True",
        ),
        buttons=_revealed_buttons(daily),
    )


def winner_lines(winners: Sequence[DailyWinner]) -> str:
    lines = [
        f"{rank}. **{escape(w.name)}** ({took(w.seconds)}{streak_words(w.streak)})"
        for rank, w in enumerate(winners[:_SHOWN_WINNERS], start=1)
    ]
    if len(winners) > _SHOWN_WINNERS:
        lines.append(f"…and {len(winners) - _SHOWN_WINNERS} more.")
    return fit_lines(lines, MAX_FIELD_VALUE)


def _revealed_buttons(daily: DailyRound) -> tuple[Button, ...]:
    correct = daily.correct_choice
    buttons = [
        Button(
            daily_pick_custom_id(daily.id, i),
            _label(i, choice),
            ButtonStyle.SUCCESS if i == correct else ButtonStyle.SECONDARY,
            disabled=True,
        )
        for i, choice in enumerate(daily.choices)
    ]
    report = report_custom_id(daily.question.id)
    if report is not None:
        row = -(-len(daily.choices) // BUTTONS_PER_ROW)  # the row after the options
        buttons.append(Button(report, REPORT_LABEL, ButtonStyle.SECONDARY, row=row))
    return tuple(buttons)


def daily_skipped(event: DailyQuestionSkipped) -> Reply:
    """No daily question today: why, and what an admin can do (the service's words)."""
    return Reply(content=clip(f"📭 No question of the day today: {event.reason}", MAX_CONTENT))


# -- a private verdict -----------------------------------------------------------------------


def verdict(event: DailyAnswerJudged) -> Reply:
    """What the player alone is told of their answer."""
    guess = f"“{escape(clip(event.guess, 200))}”" if event.guess else "That"
    shown = f"The answer shows in the channel {relative(event.closes_at)}."
    match event.verdict:
        case Verdict.RIGHT:
            streak = (
                f" 🔥 Your streak: {plural(event.streak, 'day')} in a row."
                if event.streak > 1
                else " Your streak starts today: answer right tomorrow to keep it going."
            )
            text = f"✅ {guess} is right!{streak} {shown}"
        case Verdict.WRONG:
            text = f"❌ {guess} is not it, and it's one answer per question. {shown}"
        case Verdict.CLOSE:
            text = f"🤏 {guess} is nearly it: not counted, so try again."
        case Verdict.ALREADY:
            text = f"You have answered this question already; one answer each. {shown}"
        case Verdict.CLOSED:
            text = "⌛ This question is closed: there is no open daily question to answer here."
    return Reply(content=clip(text, MAX_CONTENT))


# -- the weekly quiz and seasons (the channel sees them) --------------------------------------


def quiz_reminder(event: QuizReminder) -> Reply:
    about = f" of **{escape(event.category)}**" if event.category else ""
    return Reply(
        embed=embed(
            "⏰ Trivia quiz soon",
            f"The weekly quiz starts here {relative(event.starts_at)} "
            f"({clock_time(event.starts_at)}): {plural(event.rounds, 'question')}{about}. "
            "Be here to play!",
            colour=PURPLE,
        )
    )


def quiz_skipped(event: QuizSkipped) -> Reply:
    """The weekly quiz did not start: why (the service's words)."""
    return Reply(content=clip(f"⏭️ No weekly quiz this time: {event.reason}", MAX_CONTENT))


def season_results(event: SeasonResults) -> Reply:
    rows = event.rows
    lines = [board_line(row) for row in rows[:10]]
    if rows:
        lines.append(f"\n🏆 **{escape(rows[0].name)}** wins the season!")
    else:
        lines.append("Nobody scored this season.")
    return Reply(
        embed=embed(
            f"Season {event.season.label} is over",
            fit_lines(lines, MAX_DESCRIPTION),
            colour=PURPLE,
            footer=f"/trivia leaderboard season:{event.season.name} · a new season starts now",
        )
    )


def board_line(row: LeaderboardRow) -> str:
    return f"{row.rank}. **{escape(row.name)}**: {row.points} pts ({row.correct} right)"


def leaderboard(event: LeaderboardShown, *, where: str = "") -> Reply:
    """A leaderboard for the asker: of a period, or of a season; of everything, or of the
    daily questions only."""
    what = "Daily question leaderboard" if event.daily else "Leaderboard"
    when = f"season {event.season.label}" if event.season is not None else event.period.label
    body = "\n".join(board_line(row) for row in event.rows)
    empty = f"No scores in {when} yet." if event.season is not None else f"No scores {when} yet."
    return Reply(embed=embed(f"{what}{where}, {when}", body or empty, colour=PURPLE))


# -- the admins' schedules --------------------------------------------------------------------


def schedules(event: SchedulesShown) -> Reply:
    """The server's schedules, with what was just done and what to know about it."""
    lines = [describe(item) for item in event.schedules]
    changed = _channels_linked(event.changed, event.schedules)
    head = [f"**{clip(changed, 500)}**", ""] if changed else []
    body = fit_lines(lines, MAX_DESCRIPTION - 600, head=head) if lines else ""
    if not lines:
        body = "\n".join([*head, NO_SCHEDULES])
    fields = [Field("Good to know", fit_lines(list(event.notes), MAX_FIELD_VALUE))]
    return Reply(
        embed=embed(
            "Schedules",
            body,
            colour=GREEN if event.changed else GREY,
            fields=fields if event.notes else (),
            footer="/trivia schedule add · pause · resume · remove",
        )
    )


def _channels_linked(text: str, items: Sequence[Schedule]) -> str:
    """The service's words name a channel by its id ("in 1234"), as every platform has
    it; Discord shows ``<#1234>`` as the channel's name, a link to it."""
    for channel in {item.channel for item in items if item.channel.isdigit()}:
        text = text.replace(f" in {channel}", f" in <#{channel}>")
    return text


NO_SCHEDULES = (
    "No schedules on this server yet. Add a daily question or a weekly quiz with "
    "`/trivia schedule add`."
)


def describe(item: Schedule) -> str:
    """One line per schedule: "`#3` daily question in <#chan> at 09:00 Europe/Berlin..."."""
    state = " (⏸️ paused)" if item.paused else ""
    where = f"<#{item.channel}>" if item.channel.isdigit() else escape(item.channel)
    return (
        f"`#{item.id}` **{item.kind.label}**{state} in {where} at {item.at:%H:%M} "
        f"{item.zone} ({days_text(item.days)}), {escape(schedule_words.details(item))}"
    )
