"""Events -> Slack messages: Block Kit blocks plus a plain-text fallback.

Pure functions.  ``render`` covers every event that becomes a message of its
own; a question is one message, posted with its deadline (which Slack draws
in each reader's time zone) and edited once, into its reveal, which names the
scorer: drawn from a ``QuestionCard`` by ``render_card``.  A hint is a post of
its own (an edit would spend the workspace's Tier 3 budget).  The fallback
``text`` is what notifications and screen readers get, so it always says the
whole thing in words.  User-supplied text (names, prompts, answers) is escaped:
Slack reads ``&``, ``<`` and ``>`` as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

from bot.adapters.common.words import GAME_PAUSED, GAME_SUSPENDED, SCORES_DELAYED
from bot.adapters.slack import render_scheduled
from bot.adapters.slack.commands import (
    USAGE,
    Usage,
)
from bot.adapters.slack.ids import PICK_ACTION_PREFIX
from bot.adapters.slack.message import (
    BUTTON_TEXT_MAX,
    LETTERS,
    MEDALS,
    Block,
    SlackMessage,
    clip,
    context,
    esc,
    leaderboard_lines,
    message,
    plural,
    report_button,
    section,
)
from bot.adapters.slack.render_admin import render_admin
from bot.domain.awards import Award
from bot.domain.daily import DailyHome
from bot.domain.events import (
    CategoriesShown,
    ChoiceRecorded,
    CloseGuess,
    DailyAnswerJudged,
    DailyQuestionPosted,
    DailyQuestionRevealed,
    DailyQuestionSkipped,
    DraftRejected,
    EndReason,
    Event,
    GameEnded,
    GamePaused,
    GameStarted,
    GameSuspended,
    HintGiven,
    LeaderboardShown,
    QuestionAdded,
    QuestionAsked,
    QuestionRevealed,
    QuizReminder,
    QuizSkipped,
    Rejected,
    RevealReason,
    SchedulesShown,
    ScoresDelayed,
    ScoreShown,
    SeasonResults,
    SettingsShown,
    StatsShown,
    WrongChoice,
)
from bot.domain.model import GameMode, Standing
from bot.domain.records import (
    LeaderboardRow,
    Period,
    PlayerStats,
)

END_TITLES = {
    EndReason.COMPLETED: "🏁 Game over!",
    EndReason.STOPPED: "🛑 Game stopped.",
    EndReason.IDLE: "💤 Game ended: nobody answered for a while.",
    EndReason.SHUTDOWN: "🔌 Game ended: the bot is restarting. Your scores are saved.",
    EndReason.RESTARTED: "🔌 The bot went down mid-game, so the game ended with the points "
    "already scored.",
}
REVEAL_LEADS = {
    RevealReason.ANSWERED: "",
    RevealReason.TIMEOUT: "⏰ Time's up! ",
    RevealReason.SKIPPED: "⏭ Skipped. ",
    RevealReason.STOPPED: "",
    RevealReason.NOBODY_LEFT: "",
}


@dataclass(frozen=True, slots=True)
class QuestionCard:
    """Everything the question message shows at one moment.

    ``hints`` given so far (each was also posted as a message of its own; the card shows
    them only when it is drawn again, on a resume); ``reveal`` is set once the answer is
    out (then the buttons are gone).
    """

    asked: QuestionAsked
    mode: GameMode = GameMode.TEXT
    hints: tuple[str, ...] = ()
    reveal: QuestionRevealed | None = None


# -- events that are messages of their own ---------------------------------------------------


def render(event: Event) -> SlackMessage | None:
    """The message for ``event``; None for events shown only on the question card."""
    match event:
        case GameStarted():
            return _game_started(event)
        case HintGiven(number=number, hint=hint, hints_shown=shown):
            return message(f"💡 Hint {shown} for question {number}: {esc(hint)}")
        case CloseGuess(guess=guess):
            return message(f"🤏 So close! “{esc(guess)}” is nearly it.")
        case WrongChoice(choice=choice):
            return message(
                f"{LETTERS[choice]} is not it. One pick per question: you're out of this one."
            )
        case ChoiceRecorded(number=number, choice=choice, choice_text=text):
            return message(
                f"Your pick for question {number}: *{LETTERS[choice]}. {esc(text)}*. "
                "Picks are final."
            )
        case ScoreShown(standings=standings, number=number, total=total):
            title = f"*Scores after question {number} of {total}*"
            return _standings_message(title, standings)
        case GameEnded():
            return _game_ended(event)
        case ScoresDelayed():
            return message(SCORES_DELAYED)
        case GamePaused():
            return message(GAME_PAUSED)
        case GameSuspended():
            return message(GAME_SUSPENDED)
        case Rejected(message=text):
            return message(f"🚫 {esc(text)}")
        case LeaderboardShown(rows=rows, period=period, season=None, daily=False):
            return leaderboard_message(rows, period)
        case LeaderboardShown():
            return render_scheduled.leaderboard(event)
        case DailyAnswerJudged():
            return render_scheduled.verdict_message(event)
        case DailyQuestionPosted():
            return render_scheduled.daily_question(event)
        case DailyQuestionRevealed():
            return render_scheduled.daily_reveal(event)
        case DailyQuestionSkipped():
            return render_scheduled.daily_skipped(event)
        case QuizReminder():
            return render_scheduled.quiz_reminder(event)
        case QuizSkipped():
            return render_scheduled.quiz_skipped(event)
        case SeasonResults():
            return render_scheduled.season_results(event)
        case SchedulesShown():
            return render_scheduled.schedules(event)
        case StatsShown(stats=stats):
            return stats_message(stats)
        case CategoriesShown(categories=categories):
            return _categories(categories)
        case DraftRejected(problems=problems):
            lines = [f"• *{esc(p.field)}*: {esc(p.message)}" for p in problems]
            return message("That question was not added:", *lines)
        case QuestionAdded(question=question):
            return message(
                f"✅ Added `{esc(question.id)}` to this workspace's questions "
                f"({esc(question.category)}, {question.difficulty}): {esc(question.prompt)}"
            )
        case SettingsShown():
            return settings_message(event)
        case _:
            return render_admin(event)


def plain_text(event: Event) -> str:
    """``event`` in words, for places without blocks (a modal's notice)."""
    shown = render(event)
    return shown.text if shown is not None else ""


def _game_started(event: GameStarted) -> SlackMessage:
    options = event.options
    how = (
        "Click an option before time runs out; every right pick scores, picks are final."
        if options.mode is GameMode.CHOICE
        else "Type your answer in this channel; the first right answer scores."
    )
    what = options.category or "any category"
    head = (
        f"🎲 *Trivia!* {plural(event.total_questions, 'question')} ({esc(what)}), "
        f"{options.mode} mode, {options.seconds:g} s each, started by "
        f"{esc(event.started_by_name)}."
    )
    tail = f"{how} `/trivia hint` · `/trivia skip` · `/trivia stop`"
    return SlackMessage(text=f"{head} {how}", blocks=(section(head), context(tail)))


def _game_ended(event: GameEnded) -> SlackMessage:
    title = f"*{END_TITLES[event.reason]}*"
    if not event.standings:
        return message(title, "Nobody played this time.")
    closing = ""
    if event.winner is not None:
        closing = f"🏆 *{esc(event.winner.name)}* wins with {plural(event.winner.points, 'point')}!"
    elif len(event.standings) == 1:
        closing = "Solo games count for your stats but not for wins."
    return _standings_message(title, event.standings, closing)


def _standings_message(
    title: str, standings: Sequence[Standing], closing: str = ""
) -> SlackMessage:
    lines = [
        f"{MEDALS.get(s.rank, f'{s.rank}.')} *{esc(s.name)}*: {s.points} pts · {s.correct} correct"
        for s in standings
    ]
    table = "\n".join(lines) or "No scores yet."
    blocks = [section(title), section(table)]
    if closing:
        blocks.append(section(closing))
    text = "\n".join(part for part in (title, table, closing) if part)
    return SlackMessage(text=text, blocks=tuple(blocks))


def leaderboard_message(rows: Sequence[LeaderboardRow], period: Period) -> SlackMessage:
    title = f"*Leaderboard, {period.label}*"
    if not rows:
        return message(f"No scores {period.label} yet. `/trivia start` to play!")
    return message(title, leaderboard_lines(rows))


def stats_fields(stats: PlayerStats) -> list[tuple[str, str]]:
    average = (
        f"{stats.average_answer_ms / 1000:.1f} s" if stats.average_answer_ms is not None else "-"
    )
    return [
        ("Points", str(stats.points)),
        ("Games", str(stats.games)),
        ("Wins", str(stats.wins)),
        ("Correct", f"{stats.correct} of {stats.answered} ({stats.accuracy:.0%})"),
        ("Best streak", str(stats.best_streak)),
        ("Average answer", average),
    ]


def stats_message(stats: PlayerStats) -> SlackMessage:
    title = f"*Stats for {esc(stats.name)}*"
    pairs = stats_fields(stats)
    fields = [{"type": "mrkdwn", "text": f"*{label}*\n{value}"} for label, value in pairs]
    text = "\n".join([title, *(f"{label}: {value}" for label, value in pairs)])
    return SlackMessage(text=text, blocks=(section(title), {"type": "section", "fields": fields}))


def _categories(categories: Sequence[tuple[str, int]]) -> SlackMessage:
    if not categories:
        return message("There are no questions here yet.")
    lines = [f"• *{esc(name)}*: {plural(count, 'question')}" for name, count in categories]
    return message("*Categories*", "\n".join(lines), "`/trivia start CATEGORY` plays one.")


def settings_message(event: SettingsShown) -> SlackMessage:
    s, d = event.settings, event.defaults

    def shown(value: object, default: object) -> str:
        return f"{value}" if value is not None else f"{default} (default)"

    lines = [
        f"• Rounds: {shown(s.rounds, d.rounds)}",
        f"• Seconds per question: {shown(s.seconds, f'{d.seconds:g}')}",
        f"• Mode: {shown(s.mode, d.mode)}",
        f"• Who may start games: {s.start_policy}",
        f"• Seasons: {s.season_length}",
    ]
    title = "✅ *Settings saved*" if event.changed else "*Trivia settings here*"
    return message(title, "\n".join(lines))


def breakdown(award: Award) -> str:
    p = award.points
    parts = [f"{p.base} base"]
    if p.speed_bonus:
        parts.append(f"+{p.speed_bonus} speed")
    if p.streak_bonus:
        parts.append(f"+{p.streak_bonus} streak of {award.streak}")
    if p.hint_penalty:
        parts.append(f"-{p.hint_penalty} hints")
    return ", ".join(parts)


# -- the question card -----------------------------------------------------------------------


def render_card(card: QuestionCard) -> SlackMessage:
    """The question message: open (with buttons and its deadline) or revealed."""
    asked = card.asked
    q = asked.question
    head = (
        f"*Question {asked.number}/{asked.total}* · {esc(q.category)} · {q.difficulty}\n"
        f"{esc(q.prompt)}"
    )
    blocks: list[Block] = [section(head)]
    text_lines = [f"Question {asked.number}/{asked.total}: {esc(q.prompt)}"]
    if card.reveal is None:
        _open_parts(card, blocks, text_lines)
    else:
        _revealed_parts(card, card.reveal, blocks, text_lines)
    return SlackMessage(text="\n".join(text_lines), blocks=tuple(blocks))


def _open_parts(card: QuestionCard, blocks: list[Block], text_lines: list[str]) -> None:
    asked = card.asked
    if asked.choices:
        blocks.append(choice_buttons(asked))
        text_lines += [f"{LETTERS[i]}. {esc(c)}" for i, c in enumerate(asked.choices)]
    for index, hint in enumerate(card.hints, start=1):
        blocks.append(context(f"💡 Hint {index}: {esc(hint)}"))
        text_lines.append(f"Hint {index}: {esc(hint)}")
    clock, clock_text = deadline(asked)
    if card.mode is GameMode.CHOICE:
        how = "Click your pick; picks are final."
    elif asked.choices:
        how = "Click an option or type its letter; one try each."
    else:
        how = "Type your answer in the channel."
    blocks.append(context(f"{clock} · {how}"))
    text_lines.append(clock_text)


def deadline(asked: QuestionAsked) -> tuple[str, str]:
    """(for the blocks, for the fallback text): how long, and until when.

    Slack draws ``<!date^UNIX^{time_secs}|fallback>`` in each reader's own time zone, so
    the card needs no countdown edits (``chat.update`` is Tier 3: about 50 a minute for a
    whole workspace).  Notifications get the time in UTC.
    """
    unix = int(asked.ends_at.timestamp())
    utc = asked.ends_at.astimezone(UTC).strftime("%H:%M:%S UTC")
    return (
        f"⏱ {asked.seconds:g} s, until <!date^{unix}^{{time_secs}}|{utc}>",
        f"⏱ {asked.seconds:g} s (until {utc})",
    )


def choice_buttons(asked: QuestionAsked) -> Block:
    """One button per option; the value says which question it belongs to."""
    return {
        "type": "actions",
        "block_id": f"trivia_choices_{asked.number}",
        "elements": [
            {
                "type": "button",
                "action_id": f"{PICK_ACTION_PREFIX}{index}",
                "text": {
                    "type": "plain_text",
                    "text": clip(f"{LETTERS[index]}. {choice}", BUTTON_TEXT_MAX),
                },
                "value": f"{asked.number}:{index}",
            }
            for index, choice in enumerate(asked.choices)
        ],
    }


def _revealed_parts(
    card: QuestionCard, reveal: QuestionRevealed, blocks: list[Block], text_lines: list[str]
) -> None:
    q = reveal.question
    answer = f"{REVEAL_LEADS[reveal.reason]}The answer: *{esc(q.answer)}*"
    blocks.append(section(answer))
    text_lines.append(answer)
    if reveal.choice_counts:
        correct = q.correct_choice
        lines = [
            f"{'✅' if i == correct else '▫️'} {LETTERS[i]}. {esc(choice)}: {plural(count, 'pick')}"
            for i, (choice, count) in enumerate(zip(q.choices, reveal.choice_counts, strict=False))
        ]
        blocks.append(section("\n".join(lines)))
        text_lines += lines
    if reveal.awards:
        scored = scorers(reveal)
        blocks.append(section(f"🏆 {scored}"))
        text_lines.append(f"Scored: {scored}")
    elif reveal.reason is not RevealReason.STOPPED:
        blocks.append(context("Nobody got this one."))
    notes = []
    if q.explanation:
        notes.append(f"_{esc(q.explanation)}_")
    if reveal.next_in:
        notes.append(f"Next question in {reveal.next_in:g} s…")
    if notes:
        blocks.append(context(*notes))
        text_lines += notes
    if q.id:
        blocks.append(report_button(q.id))


def scorers(reveal: QuestionRevealed) -> str:
    """Who scored: a typed answer's scorer in full (what they typed, how the points add up:
    the reveal is the one message that says it), several pickers by name and points."""
    awards = reveal.awards
    if len(awards) == 1 and not reveal.choice_counts:
        award = awards[0]
        return (
            f"*{esc(award.name)}* got it with “{esc(award.guess)}”: "
            f"+{award.points.total} ({breakdown(award)})"
        )
    return " · ".join(f"*{esc(a.name)}* +{a.points.total}" for a in awards)


# -- help, usage, App Home -------------------------------------------------------------------


def help_message() -> SlackMessage:
    lines = (
        "*Trivia* 🎲  Play in any channel I'm in:",
        USAGE,
        "Text mode: type answers in the channel, first right answer scores. "
        "Choice mode: click an option before time runs out.",
        "A question looks wrong or unclear? Click *🚩 Report* under its answer, or "
        "`/trivia report` right after it.",
        "Admins: share a `.yaml` bank file with me (in a DM or here) to import it; "
        "`/trivia export` sends your own questions back as one.",
    )
    return message(*lines)


def usage_text(usage: Usage) -> str:
    """The short reply to a line the bot could not read (sent inside the ack)."""
    return f"{usage.message}\n{usage.usage}"


def home_view(
    *,
    stats: PlayerStats | None,
    rows: Sequence[LeaderboardRow],
    note: str = "",
    daily: DailyHome | None = None,
) -> Block:
    """The App Home tab: scheduled play's part (``daily``: today's questions, the
    player's streak, the season's board) when the bot keeps daily rounds, then the
    player's own stats and the workspace leaderboard."""
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": "Trivia"}}]
    if daily is not None:
        blocks += [*render_scheduled.home_daily_blocks(daily), {"type": "divider"}]
    blocks.append(section("*Your stats*"))
    if stats is None:
        blocks.append(context(note or "You have not played yet: `/trivia start` in a channel."))
    else:
        fields = [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in stats_fields(stats)]
        blocks.append({"type": "section", "fields": fields})
    blocks += [{"type": "divider"}, section(f"*Leaderboard, {Period.ALL.label}*")]
    blocks.append(section(leaderboard_lines(rows)) if rows else context("No scores yet."))
    blocks += [{"type": "divider"}, context(USAGE)]
    return {"type": "home", "blocks": blocks}
