"""Scheduled play on Slack, as Block Kit: the daily question, its answer form, private
verdicts and reveal, the weekly quiz's reminder, a season's results, season and daily
leaderboards, the admins' list of schedules, and the App Home's daily part.

Pure functions, like ``render``.  A daily question is one post and one edit (its
reveal), like a game's question: when it closes is written in Slack's
``<!date^...>`` markup, which each reader's client shows in their own time zone
with no edit at all.  Its buttons carry the round's id (``ids``), so they work on
an old message and after a restart.  Nobody's answer is shown to anyone else
before the reveal: verdicts are for the player alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.adapters.common.words import streak_words, took
from bot.adapters.slack.ids import (
    DAILY_ANSWER_ACTION,
    DAILY_ANSWER_BLOCK,
    DAILY_ANSWER_CALLBACK,
    DAILY_PICK_PREFIX,
    INPUT_ACTION,
    daily_pick_value,
)
from bot.adapters.slack.message import (
    BUTTON_TEXT_MAX,
    LETTERS,
    MEDALS,
    Block,
    SlackMessage,
    button,
    clip,
    context,
    esc,
    leaderboard_lines,
    plural,
    report_button,
    section,
)
from bot.domain import schedule_words
from bot.domain.daily import MAX_DAILY_ANSWER, DailyHome, DailyRound, DailyWinner, Season, Verdict
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
from bot.domain.schedule import Schedule, days_text

DAILY_TITLE = "Question of the day"
ANSWER_LABEL = "✍️ Answer"
#: How many winners a reveal names before "…and N more" (a section holds 3,000 characters).
SHOWN_WINNERS = 25
#: The longest answer the form takes (a guess is a word or a few, never an essay).
#: How many open daily questions the Home tab lists (two blocks each; a tab holds 100).
HOME_ROUNDS = 10
#: Slack caps a modal's title at 24 characters.
MODAL_TITLE_MAX = 24


def when(at: datetime, *, fmt: str = "{date_short_pretty} at {time}") -> str:
    """``at`` in Slack's date markup: each reader's client shows it in their own time
    zone; notifications and old clients get the UTC fallback."""
    fallback = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{fmt}|{fallback}>"


def prompt_line(prompt: str) -> str:
    """A prompt (the bank's text, or an admin's) on one line, escaped."""
    return esc(" ".join(prompt.split()))


# -- the daily question (the whole channel sees it) ---------------------------------------


def daily_question(event: DailyQuestionPosted) -> SlackMessage:
    """The question as posted: options (a button each) or an Answer button that opens
    the form, and when it closes."""
    daily = event.round
    q = daily.question
    head = f"*📅 {DAILY_TITLE}* · {esc(q.category)} · {q.difficulty}\n{prompt_line(q.prompt)}"
    blocks: list[Block] = [section(head)]
    text = [f"{DAILY_TITLE}: {prompt_line(q.prompt)}"]
    if daily.choices:
        blocks.append(_pick_buttons(daily))
        text += [f"{LETTERS[i]}. {esc(choice)}" for i, choice in enumerate(daily.choices)]
        how = "Click your pick: one answer each"
    else:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"trivia_daily_{daily.id}",
                "elements": [
                    button(ANSWER_LABEL, DAILY_ANSWER_ACTION, str(daily.id), style="primary")
                ],
            }
        )
        how = "Click *Answer* to type yours (a near miss may try again)"
    closes = (
        f"{how}; only you see it and whether it is right. Closes {when(daily.closes_at)}, "
        "then the answer and who got it right, fastest first, show here."
    )
    blocks.append(context(closes))
    text.append(closes)
    if event.note:
        blocks.append(context(f"_{esc(event.note)}_"))
        text.append(esc(event.note))
    return SlackMessage(text="\n".join(text), blocks=tuple(blocks))


def daily_skipped(event: DailyQuestionSkipped) -> SlackMessage:
    """A daily question was due but none could be drawn: the channel is told why (the
    reason says what an admin can do)."""
    text = f"📅 *{DAILY_TITLE}*: {esc(event.reason)}"
    return SlackMessage(text=text, blocks=(section(text),))


def _pick_buttons(daily: DailyRound) -> Block:
    return {
        "type": "actions",
        "block_id": f"trivia_daily_{daily.id}",
        "elements": [
            button(
                clip(f"{LETTERS[i]}. {choice}", BUTTON_TEXT_MAX),
                f"{DAILY_PICK_PREFIX}{i}",
                daily_pick_value(daily.id, i),
            )
            for i, choice in enumerate(daily.choices)
        ],
    }


def daily_reveal(event: DailyQuestionRevealed) -> SlackMessage:
    """The question's message edited into its answer: who got it right, fastest first,
    with their streaks, and the explanation; the buttons are gone (a Report button
    stands in for them)."""
    daily = event.round
    q = daily.question
    head = f"*📅 {DAILY_TITLE}* · {esc(q.category)} · {q.difficulty}\n{prompt_line(q.prompt)}"
    blocks: list[Block] = [section(head)]
    text = [f"{DAILY_TITLE}: {prompt_line(q.prompt)}"]
    if daily.choices:
        correct = daily.correct_choice
        options = "\n".join(
            f"{'✅' if i == correct else '▫️'} {LETTERS[i]}. {esc(choice)}"
            for i, choice in enumerate(daily.choices)
        )
        blocks.append(section(options))
    answer = (
        f"*Closed.* The answer: *{esc(q.answer)}* · {plural(event.answered, 'player')} "
        f"answered, {len(event.winners)} right."
    )
    blocks.append(section(answer))
    text.append(answer)
    if event.winners:
        lines = winner_lines(event.winners)
        blocks.append(section(f"🏆 *Right, fastest first*\n{lines}"))
        text.append(f"Right, fastest first: {lines}")
    else:
        blocks.append(context("Nobody got it this time."))
    if q.explanation:
        blocks.append(context(f"_{esc(q.explanation)}_"))
        text.append(esc(q.explanation))
    blocks.append(context("`/trivia leaderboard daily week` · `/trivia leaderboard season`"))
    if q.id:
        blocks.append(report_button(q.id))
    return SlackMessage(text="\n".join(text), blocks=tuple(blocks))


def winner_lines(winners: Sequence[DailyWinner]) -> str:
    lines = [
        f"{MEDALS.get(rank, f'{rank}.')} *{esc(w.name)}* ({took(w.seconds)}"
        f"{streak_words(w.streak)})"
        for rank, w in enumerate(winners[:SHOWN_WINNERS], start=1)
    ]
    if len(winners) > SHOWN_WINNERS:
        lines.append(f"…and {len(winners) - SHOWN_WINNERS} more.")
    return "\n".join(lines)


# -- answering: the form, and the private verdict ---------------------------------------------


def daily_answer_modal(metadata: str, shown: str) -> Block:
    """The form a typed daily question is answered in; ``shown`` is the question as its
    message shows it (mrkdwn), ``metadata`` names the channel and the round."""
    return {
        "type": "modal",
        "callback_id": DAILY_ANSWER_CALLBACK,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": DAILY_TITLE[:MODAL_TITLE_MAX]},
        "submit": {"type": "plain_text", "text": "Answer"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(shown),
            {
                "type": "input",
                "block_id": DAILY_ANSWER_BLOCK,
                "label": {"type": "plain_text", "text": "Your answer"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": INPUT_ACTION,
                    "max_length": MAX_DAILY_ANSWER,
                },
                "hint": {
                    "type": "plain_text",
                    "text": "Only you see it. One answer each; a near miss may try again.",
                },
            },
        ],
    }


def verdict_text(event: DailyAnswerJudged) -> str:
    """What the player alone is told of their answer (mrkdwn)."""
    guess = f"“{esc(clip(event.guess, MAX_DAILY_ANSWER))}”" if event.guess else "That"
    shown = f"The answer shows in the channel {when(event.closes_at, fmt='{time}')}."
    match event.verdict:
        case Verdict.RIGHT:
            streak = (
                f"🔥 Your streak: {plural(event.streak, 'day')} in a row."
                if event.streak > 1
                else "Your streak starts today: answer right tomorrow to keep it going."
            )
            return f"✅ {guess} is right! {streak} {shown}"
        case Verdict.WRONG:
            return f"❌ {guess} is not it, and it's one answer per question. {shown}"
        case Verdict.CLOSE:
            return f"🤏 {guess} is nearly it: not counted, so try again."
        case Verdict.ALREADY:
            return f"You have answered this question already: one answer each. {shown}"
        case Verdict.CLOSED:
            return "⌛ This question is closed: there is no open daily question to answer here."


def verdict_message(event: DailyAnswerJudged) -> SlackMessage:
    text = verdict_text(event)
    return SlackMessage(text=text, blocks=(section(text),))


def verdict_modal(event: DailyAnswerJudged) -> Block:
    """The answer form turned into its verdict (the submission's own response)."""
    return {
        "type": "modal",
        "callback_id": DAILY_ANSWER_CALLBACK + "_done",
        "title": {"type": "plain_text", "text": DAILY_TITLE[:MODAL_TITLE_MAX]},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(verdict_text(event))],
    }


def close_error(event: DailyAnswerJudged) -> dict[str, str]:
    """A near miss shown under the answer field (``response_action: errors``): the
    form stays open for another try.  Slack shows at most 150 characters of it."""
    guess = clip(event.guess, 60)
    return {DAILY_ANSWER_BLOCK: f"🤏 “{guess}” is nearly it: not counted, so try again."}


# -- the weekly quiz and seasons (the channel sees them) --------------------------------------


def quiz_reminder(event: QuizReminder) -> SlackMessage:
    about = f" of *{esc(event.category)}*" if event.category else ""
    text = (
        f"⏰ *Trivia quiz soon!* The weekly quiz starts here {when(event.starts_at, fmt='{time}')}"
        f": {plural(event.rounds, 'question')}{about}. Type (or click) your answers in this "
        "channel; the first right answer scores."
    )
    return SlackMessage(text=text, blocks=(section(text),))


def quiz_skipped(event: QuizSkipped) -> SlackMessage:
    """A scheduled quiz could not start: the channel is told why."""
    text = f"⏰ *The weekly quiz did not start*: {esc(event.reason)}"
    return SlackMessage(text=text, blocks=(section(text),))


def season_results(event: SeasonResults) -> SlackMessage:
    rows = event.rows
    title = f"*🏁 Season {event.season.label} is over*"
    lines = leaderboard_lines(rows[:10]) if rows else "Nobody scored this season."
    closing = (
        f"🏆 *{esc(rows[0].name)}* wins the season! A new season starts now."
        if rows
        else "A new season starts now."
    )
    foot = f"`/trivia leaderboard season {event.season.name}` shows it again."
    text = "\n".join((title, lines, closing))
    return SlackMessage(
        text=text, blocks=(section(title), section(lines), section(closing), context(foot))
    )


def leaderboard(event: LeaderboardShown) -> SlackMessage:
    """A season's board, or the daily questions' (of a period or a season)."""
    what = "Daily question leaderboard" if event.daily else "Leaderboard"
    span = season_words(event.season) if event.season is not None else event.period.label
    if not event.rows:
        when = f"in {span}" if event.season is not None else span
        text = f"No {'daily question ' if event.daily else ''}scores {when} yet."
        return SlackMessage(text=text, blocks=(section(text),))
    title = f"*{what}, {span}*"
    lines = leaderboard_lines(event.rows)
    return SlackMessage(text=f"{title}\n{lines}", blocks=(section(title), section(lines)))


def season_words(season: Season) -> str:
    return f"season {season.label}"


# -- the admins' schedules --------------------------------------------------------------------

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]+$")
SCHEDULE_COMMANDS = "`/trivia schedule add` · `list` · `pause ID` · `resume ID` · `remove ID`"
NO_SCHEDULES = (
    "No schedules in this workspace yet. Add a daily question or a weekly quiz with "
    "`/trivia schedule add`."
)


def schedules(event: SchedulesShown) -> SlackMessage:
    """The workspace's schedules, with what was just done and what to know about it."""
    blocks: list[Block] = []
    text: list[str] = []
    if event.changed:
        changed = f"✅ *{esc(event.changed)}*"
        blocks.append(section(changed))
        text.append(changed)
    lines = [describe(item) for item in event.schedules]
    listed = "\n".join(lines) if lines else NO_SCHEDULES
    blocks.append(section(f"*Schedules*\n{listed}"))
    text.append(f"Schedules:\n{listed}")
    if event.notes:
        notes = "\n".join(f"• {esc(note)}" for note in event.notes)
        blocks.append(section(f"*Good to know*\n{notes}"))
        text.append(notes)
    blocks.append(context(SCHEDULE_COMMANDS))
    return SlackMessage(text="\n".join(text), blocks=tuple(blocks[:50]))


def describe(item: Schedule) -> str:
    """One line per schedule: "`#3` *daily question* in <#C1> at 09:00 Europe/Berlin..."."""
    state = " (⏸️ paused)" if item.paused else ""
    # A Slack channel id is linked; a name typed on the command line is shown as typed.
    where = f"<#{item.channel}>" if _CHANNEL_ID.match(item.channel) else esc(item.channel)
    return (
        f"`#{item.id}` *{item.kind.label}*{state} in {where} at {item.at:%H:%M} "
        f"{esc(item.zone)} ({days_text(item.days)}), {esc(schedule_words.details(item))}"
    )


# -- the App Home's daily part ------------------------------------------------------------------


def home_daily_blocks(home: DailyHome) -> list[Block]:
    """The daily part of the Home tab: the questions open in the workspace, answered or
    not (the player's verdict, never their answer), their streaks, the season's board."""
    blocks: list[Block] = [section(f"*📅 {DAILY_TITLE}*")]
    if not home.rounds:
        blocks.append(context("No daily question is open in this workspace right now."))
    for shown in home.rounds[:HOME_ROUNDS]:
        daily, verdict = shown.round, shown.verdict
        q = daily.question
        where = f"<#{daily.channel.channel}>"
        line = f"{prompt_line(q.prompt)}\n_{esc(q.category)} · in {where}_"
        blocks.append(section(line))
        blocks.append(context(_home_status(daily, verdict)))
    if len(home.rounds) > HOME_ROUNDS:
        blocks.append(context(f"…and {len(home.rounds) - HOME_ROUNDS} more in other channels."))
    streak = (
        f"🔥 Your streak: *{plural(home.streak, 'day')}* · best: {plural(home.best_streak, 'day')}"
    )
    blocks.append(section(streak))
    blocks.append({"type": "divider"})
    blocks.append(section(f"*Daily question leaderboard, {season_words(home.season)}*"))
    rows = home.season_rows
    blocks.append(
        section(leaderboard_lines(rows)) if rows else context("No scores this season yet.")
    )
    return blocks


def _home_status(daily: DailyRound, verdict: Verdict | None) -> str:
    if daily.revealed:
        answer = f"Closed: the answer was *{esc(daily.question.answer)}*."
        if verdict is Verdict.RIGHT:
            return f"✅ You got it. {answer}"
        if verdict is Verdict.WRONG:
            return f"❌ Not this time. {answer}"
        return f"You did not answer. {answer}"
    closes = f"Closes {when(daily.closes_at, fmt='{time}')}."
    if verdict is Verdict.RIGHT:
        return f"✅ You answered: right! {closes}"
    if verdict is Verdict.WRONG:
        return f"❌ You answered: not it. {closes}"
    return f"Not answered yet: answer it in its channel. {closes}"
