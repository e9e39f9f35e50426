"""Events -> Discord messages, as plain values (no discord.py here).

Games and players' own replies are rendered here; admins' replies in
``discord_admin_replies`` (``private`` hands them over). The message values
(``Reply``, ``Embed``...) and the clipping to Discord's limits live in
``discord_reply``.

Countdowns use Discord's ``<t:UNIX:R>`` markup, which every client renders as
a live "in 12 seconds": a question costs one post and one edit (the reveal),
never an edit per second (GUIDE section 5). The reveal carries the Report
button, so reporting a question costs no extra call either.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.common.words import GAME_PAUSED, GAME_SUSPENDED, SCORES_DELAYED, plural
from bot.adapters.discord import render_scheduled
from bot.adapters.discord.ids import hints_custom_id, pick_custom_id, report_custom_id
from bot.adapters.discord.message import (
    BLURPLE,
    GREEN,
    GREY,
    MAX_BUTTON_LABEL,
    MAX_CONTENT,
    MAX_DESCRIPTION,
    MAX_FIELD_NAME,
    MAX_FIELD_VALUE,
    MAX_FIELDS,
    MAX_FOOTER,
    MAX_TITLE,
    PURPLE,
    YELLOW,
    Button,
    ButtonStyle,
    Embed,
    Field,
    File,
    Reply,
    clip,
    embed,
    escape,
    fit_lines,
)
from bot.adapters.discord.render_admin import admin_reply
from bot.domain.awards import Award
from bot.domain.events import (
    CategoriesShown,
    ChoiceRecorded,
    CloseGuess,
    DailyAnswerJudged,
    DailyQuestionSkipped,
    EndReason,
    Event,
    GameEnded,
    GamePaused,
    GameStarted,
    GameSuspended,
    LeaderboardShown,
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
from bot.domain.model import GameMode, Standing, StartPolicy

__all__ = [
    "BLURPLE",
    "GREEN",
    "GREY",
    "MAX_BUTTON_LABEL",
    "MAX_CONTENT",
    "MAX_DESCRIPTION",
    "MAX_FIELDS",
    "MAX_FIELD_NAME",
    "MAX_FIELD_VALUE",
    "MAX_FOOTER",
    "MAX_TITLE",
    "PURPLE",
    "YELLOW",
    "Button",
    "ButtonStyle",
    "Embed",
    "Field",
    "File",
    "Reply",
    "channel_reply",
    "clip",
    "embed",
    "escape",
    "notice_line",
    "notices",
    "private",
    "question",
    "reveal",
]

LETTERS = "ABCDEF"
HINTS_LABEL = "💡 Hints"
NO_HINT_YET = "No hint yet: the first comes at a third of the question's time."
QUESTION_OVER = "That question is over."
BUTTONS_PER_ROW = 5
REPORT_LABEL = "Report"

END_TITLES = {
    EndReason.COMPLETED: "Game over!",
    EndReason.STOPPED: "Game stopped.",
    EndReason.IDLE: "Game ended: nobody answered for a while.",
    EndReason.SHUTDOWN: "Game ended: the bot is shutting down.",
    EndReason.RESTARTED: "The bot went down mid-game, so the game ended with the points "
    "already scored.",
}
REVEAL_LEADS = {
    RevealReason.ANSWERED: "Answered!",
    RevealReason.TIMEOUT: "Time's up!",
    RevealReason.SKIPPED: "Skipped.",
    RevealReason.STOPPED: "Stopped.",
    RevealReason.NOBODY_LEFT: "Nobody left to answer.",
}


def countdown(event: QuestionAsked) -> str:
    """Discord renders this as a live relative time ("in 25 seconds") in every client."""
    return f"<t:{int(event.ends_at.timestamp())}:R>"


# -- game messages (the whole channel sees them) --------------------------------------


def game_started(event: GameStarted) -> Reply:
    options = event.options
    how = (
        "Click the button of your answer before time runs out; every right pick scores."
        if options.mode is GameMode.CHOICE
        else "Type your answer in this channel; the first right answer scores."
    )
    total = event.total_questions
    category = f" of **{escape(options.category)}**" if options.category else ""
    return Reply(
        embed=embed(
            "Trivia!",
            f"{total} question{'s' if total != 1 else ''}{category}, "
            f"{options.seconds:g} s each, started by {escape(event.started_by_name)}.\n{how}",
            colour=PURPLE,
            footer="/trivia hint · /trivia skip · /trivia stop",
        )
    )


def question(
    asked: QuestionAsked, *, hints: Sequence[str] = (), hints_button: bool = False
) -> Reply:
    """The question as it is posted, and as hints are edited into it; ``hints_button``:
    a typed question whose automatic hints are not edited in as they come (each edit would
    be a billed call) gets a button that shows them (a click's answer is not billed)."""
    q = asked.question
    lines = [f"**{q.prompt}**"]
    lines.extend(f"**{LETTERS[i]}.** {choice}" for i, choice in enumerate(asked.choices))
    lines.append(f"\nTime's up {countdown(asked)}")
    fields = [Field("Hint" if len(hints) == 1 else "Hints", "\n".join(hints))] if hints else []
    how = "pick below" if asked.choices else "type your answer"
    buttons = tuple(
        Button(pick_custom_id(asked.game_id, asked.number, i), _label(i, choice))
        for i, choice in enumerate(asked.choices)
    )
    if hints_button and not asked.choices:
        buttons = (
            Button(
                hints_custom_id(asked.game_id, asked.number), HINTS_LABEL, ButtonStyle.SECONDARY
            ),
        )
    return Reply(
        embed=embed(
            f"Question {asked.number}/{asked.total}",
            "\n".join(lines),
            fields=fields,
            footer=f"{q.category} · {q.difficulty} · {how}",
        ),
        buttons=buttons,
    )


def reveal(
    revealed: QuestionRevealed,
    *,
    asked: QuestionAsked | None = None,
    notes: Sequence[str] = (),
) -> Reply:
    """The question message edited into its answer: buttons disabled, picks counted;
    ``notes``: notices that rode along instead of being posted ("so close" lines)."""
    q = revealed.question
    lines = [
        f"**{q.prompt}**",
        "",
        f"**{REVEAL_LEADS[revealed.reason]}** The answer: **{q.answer}**",
    ]
    fields: list[Field] = []
    if revealed.awards:
        fields.append(Field("Scored", "\n".join(_award_line(a) for a in revealed.awards)))
    elif revealed.reason is RevealReason.TIMEOUT:
        fields.append(Field("Scored", "Nobody this time."))
    if notes:
        fields.append(Field("Meanwhile", fit_lines(notes, MAX_FIELD_VALUE)))
    if q.explanation:
        fields.append(Field("Why", q.explanation))
    if q.source is not None:
        fields.append(Field("Source", f"paragraph {q.source.paragraph}: {q.source.context}"))
    footer = f"Next question in {revealed.next_in:g} s" if revealed.next_in else ""
    colour = GREEN if revealed.awards else YELLOW
    return Reply(
        embed=embed(
            f"Question {revealed.number}/{revealed.total}",
            "\n".join(lines),
            colour=colour,
            fields=fields,
            footer=footer,
        ),
        buttons=_revealed_buttons(revealed, asked),
    )


def _revealed_buttons(
    revealed: QuestionRevealed, asked: QuestionAsked | None
) -> tuple[Button, ...]:
    """The options, disabled, with their pick counts; then the Report button on a row
    of its own (it rides on the reveal edit, so it costs no call of its own)."""
    choices = asked.choices if asked is not None else revealed.question.choices
    counts = revealed.choice_counts
    correct = revealed.question.correct_choice
    buttons = []
    for i, choice in enumerate(choices):
        count = f" ({counts[i]})" if i < len(counts) else ""
        buttons.append(
            Button(
                pick_custom_id(revealed.game_id, revealed.number, i),
                _label(i, choice, suffix=count),
                ButtonStyle.SUCCESS if i == correct else ButtonStyle.SECONDARY,
                disabled=True,
            )
        )
    report = report_custom_id(revealed.question.id)
    if report is not None:
        row = -(-len(choices) // BUTTONS_PER_ROW)  # the row after the options
        buttons.append(Button(report, REPORT_LABEL, ButtonStyle.SECONDARY, row=row))
    return tuple(buttons)


def _label(index: int, choice: str, *, suffix: str = "") -> str:
    return clip(f"{LETTERS[index]}. {choice}", MAX_BUTTON_LABEL - len(suffix)) + suffix


def _award_line(award: Award) -> str:
    seconds = award.answer_ms / 1000
    streak = f", streak {award.streak}" if award.streak > 1 else ""
    return f"{escape(award.name)} **+{award.points.total}** ({seconds:.1f} s{streak})"


def score(event: ScoreShown) -> Reply:
    return Reply(
        embed=embed(
            f"Scores after question {event.number} of {event.total}",
            _standings(event.standings) or "Nobody has scored yet.",
            colour=PURPLE,
        )
    )


def game_ended(event: GameEnded) -> Reply:
    lines = [_standings(event.standings) or "Nobody played this time."]
    if event.winner is not None:
        lines.append(
            f"\n🏆 **{escape(event.winner.name)}** wins with "
            f"{plural(event.winner.points, 'point')}!"
        )
    elif len(event.standings) == 1:
        lines.append("\nSolo games count for your stats but not for wins.")
    asked = event.questions_asked
    return Reply(
        embed=embed(
            END_TITLES[event.reason],
            "\n".join(lines),
            colour=PURPLE,
            footer=f"{asked} question{'s' if asked != 1 else ''} asked · /trivia leaderboard",
        )
    )


def _standings(standings: Sequence[Standing]) -> str:
    return "\n".join(
        f"{s.rank}. **{escape(s.name)}**: {s.points} pts ({s.correct} right)"
        for s in standings[:20]
    )


def channel_reply(event: Event) -> Reply | None:
    """Game announcements that stand alone (not the question message)."""
    match event:
        case GameStarted():
            return game_started(event)
        case ScoreShown():
            return score(event)
        case GameEnded():
            return game_ended(event)
        case ScoresDelayed():
            return Reply(content=SCORES_DELAYED)
        case GamePaused():
            return Reply(content=GAME_PAUSED)
        case GameSuspended():
            return Reply(content=GAME_SUSPENDED)
        case QuizReminder():
            return render_scheduled.quiz_reminder(event)
        case DailyQuestionSkipped():
            return render_scheduled.daily_skipped(event)
        case QuizSkipped():
            return render_scheduled.quiz_skipped(event)
        case SeasonResults():
            return render_scheduled.season_results(event)
    return None


def notice_line(event: Event) -> str | None:
    """A short line for the channel's coalesced notices message."""
    match event:
        case CloseGuess(name=name, guess=guess):
            return f"🤏 So close, {escape(name)}: “{escape(clip(guess, 100))}” is nearly it."
        case WrongChoice(recipient=player, choice=choice):
            return (
                f"<@{player.user}>: {LETTERS[choice]} is not it, and it's one pick per "
                "question: you're out of this one."
            )
    return None


def notices(lines: Sequence[str], *, limit: int = 10) -> Reply:
    shown = list(lines[:limit])
    if len(lines) > limit:
        shown.append(f"…and {len(lines) - limit} more.")
    return Reply(content=clip("\n".join(shown), MAX_CONTENT))


# -- replies for one person (ephemeral) --------------------------------------------------


def private(event: Event, *, server_name: str | None = None) -> Reply | None:
    """What only the event's recipient sees; ``server_name`` titles replies given in DMs."""
    where = f" in {server_name}" if server_name else ""
    match event:
        case Rejected(message=message):
            return Reply(content=clip(f"⛔ {message}", MAX_CONTENT))
        case ChoiceRecorded(choice=choice, choice_text=text):
            return Reply(
                content=f"Your pick: **{LETTERS[choice]}. {clip(text, 200)}**. "
                "It's locked in; the answer comes when time is up."
            )
        case WrongChoice(choice=choice):
            return Reply(
                content=f"**{LETTERS[choice]}** is not it. One pick per question: "
                "you're out of this one."
            )
        case LeaderboardShown():
            return render_scheduled.leaderboard(event, where=where)
        case DailyAnswerJudged():
            return render_scheduled.verdict(event)
        case SchedulesShown():
            return render_scheduled.schedules(event)
        case StatsShown(stats=s):
            average = f"{s.average_answer_ms / 1000:.1f} s" if s.average_answer_ms else "-"
            fields = [
                Field("Points", str(s.points), inline=True),
                Field("Games", str(s.games), inline=True),
                Field("Wins", str(s.wins), inline=True),
                Field("Correct", f"{s.correct} of {s.answered} ({s.accuracy:.0%})", inline=True),
                Field("Best streak", str(s.best_streak), inline=True),
                Field("Average answer", average, inline=True),
            ]
            if s.best_daily_streak:
                streak = f"🔥 {s.daily_streak} now, best {s.best_daily_streak}"
                fields.append(Field("Daily question streak", streak, inline=True))
            title = f"Stats for {escape(s.name)}{where}"
            return Reply(embed=embed(title, fields=fields, colour=PURPLE))
        case CategoriesShown(categories=categories):
            body = "\n".join(f"**{escape(name)}**: {count}" for name, count in categories)
            return Reply(embed=embed("Categories", body or "No questions loaded.", colour=GREY))
        case SettingsShown():
            return _settings(event)
    return admin_reply(event)


def _settings(event: SettingsShown) -> Reply:
    s, d = event.settings, event.defaults

    def value(own: object, default: object) -> str:
        return f"{own}" if own is not None else f"{default} (bot default)"

    policy = {
        StartPolicy.EVERYONE: "everyone",
        StartPolicy.ADMINS: "admins only",
        StartPolicy.ROLE: f"admins and <@&{s.starter_role}>",
    }[s.start_policy]
    admin_role = f"<@&{s.admin_role}>" if s.admin_role else "none (Manage Server only)"
    fields = [
        Field("Rounds", value(s.rounds, d.rounds), inline=True),
        Field("Seconds", value(f"{s.seconds:g}" if s.seconds else None, f"{d.seconds:g}"), True),
        Field("Mode", value(s.mode, d.mode), inline=True),
        Field("Who may start games", policy, inline=True),
        Field("Admin role", admin_role, inline=True),
        Field("Seasons", s.season_length.value, inline=True),
    ]
    title = "Settings saved" if event.changed else "Settings"
    return Reply(embed=embed(title, fields=fields, colour=GREEN if event.changed else GREY))


# -- help ------------------------------------------------------------------------------------

HELP_COMMANDS = (
    ("/trivia start", "start a game here (category, rounds, mode, seconds)"),
    ("/trivia hint", "show the next hint (costs points)"),
    ("/trivia skip · /trivia stop", "the game's starter or an admin"),
    ("/trivia score", "the standings of the running game"),
    (
        "/trivia leaderboard",
        "this server's best: all time, this week, today, a season (season:), daily questions",
    ),
    ("/trivia answer", "answer the daily question privately (or click its Answer button)"),
    ("/trivia stats", "your stats, or a member's"),
    ("/trivia categories", "what there is to play"),
    ("/trivia report", "tell the admins the last question was wrong or unclear"),
    ("/trivia questions · question", "admins: list and search, or look at one question"),
    (
        "/trivia add · edit · remove · disable · enable",
        "admins: this server's questions (bundled ones can be disabled)",
    ),
    ("/trivia import · export", "admins: this server's own questions as a YAML bank file"),
    ("/trivia reports · dismiss", "admins: open reports, and closing one"),
    ("/trivia bundled", "admins: turn bundled categories and banks on or off"),
    (
        "/trivia settings",
        "admins: default rounds, seconds, mode, who may start, admin role, season length",
    ),
    (
        "/trivia schedule add · list · pause · resume · remove",
        "admins: a daily question or a weekly quiz that comes on its own",
    ),
)


def help_reply(*, typed_answers: bool) -> Reply:
    lines = [f"**{name}**: {what}" for name, what in HELP_COMMANDS]
    lines.append("A question's **Report** button (at its answer) reports that question.")
    if typed_answers:
        lines.append("\nIn text mode type your answer in the channel; in choice mode click.")
    else:
        lines.append(
            "\nThis bot cannot read typed messages (the Message Content intent is off), "
            "so games use buttons (choice mode)."
        )
    return Reply(embed=embed("Trivia help", "\n".join(lines), colour=GREY))


TYPED_ANSWERS_OFF = (
    "I can't read typed answers here (the bot's Message Content intent is off), "
    "so this game is multiple choice: click your answer."
)
DM_NO_GAMES = (
    "Trivia games are played in server channels, and each server keeps its own questions "
    "and reports: run this command in a channel of your server."
)
DM_NO_SERVER = (
    "Scores are kept per server, and I don't know yours yet: run this command in a channel "
    "of the server you play in (only you will see the answer), then it works here too."
)
