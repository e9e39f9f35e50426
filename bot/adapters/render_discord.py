"""Events -> Discord messages, as plain values (no discord.py here).

A ``Reply`` is what one Discord message should look like: content, at most one
embed, and buttons.  The adapter turns it into ``discord.Embed`` and a view;
where the bot may not embed links it sends ``reply.plain()`` instead, the same
words as text.  Everything is clipped to Discord's limits here, so a long
prompt or a long leaderboard can never make a send fail.

Countdowns use Discord's ``<t:UNIX:R>`` markup, which every client renders as
a live "in 12 seconds": a question costs one post and one edit (the reveal),
never an edit per second (GUIDE section 5).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.adapters.discord_inbound import MAX_IMPORT_QUESTIONS, ParsedUpload, pick_custom_id
from bot.domain.events import (
    Award,
    CategoriesShown,
    ChoiceRecorded,
    CloseGuess,
    DraftRejected,
    EndReason,
    Event,
    GameEnded,
    GameStarted,
    LeaderboardShown,
    QuestionAdded,
    QuestionAsked,
    QuestionRemoved,
    QuestionRevealed,
    Rejected,
    RevealReason,
    ScoreShown,
    SettingsShown,
    StatsShown,
    WrongChoice,
)
from bot.domain.model import GameMode, QuestionDraft, Standing, StartPolicy

LETTERS = "ABCDEF"

# Discord's limits (https://discord.com/developers/docs/resources/message).
MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_FIELDS = 25
MAX_BUTTON_LABEL = 80

BLURPLE = 0x5865F2
GREEN = 0x57F287
YELLOW = 0xFEE75C
PURPLE = 0x9B59B6
GREY = 0x99AAB5

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
}
#: The question form's fields, as the add modal labels them (DraftRejected names fields).
FIELD_LABELS = {
    "prompt": "Question",
    "answers": "Answers",
    "category": "Category",
    "difficulty": "Difficulty",
    "explanation": "Explanation",
    "choices": "Choices",
    "hints": "Hints",
}
_MARKDOWN = re.compile(r"([\\*_~`|>\[\]])")


class ButtonStyle(enum.StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SUCCESS = "success"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class Embed:
    title: str
    description: str = ""
    colour: int = BLURPLE
    fields: tuple[Field, ...] = ()
    footer: str = ""


@dataclass(frozen=True, slots=True)
class Button:
    custom_id: str
    label: str
    style: ButtonStyle = ButtonStyle.PRIMARY
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class Reply:
    """One Discord message: ``content``, an optional ``embed``, ``buttons`` (rows of 5)."""

    content: str = ""
    embed: Embed | None = None
    buttons: tuple[Button, ...] = ()

    def plain(self) -> Reply:
        """The same message without an embed, for channels where the bot may not embed."""
        if self.embed is None:
            return self
        e = self.embed
        lines = [self.content] if self.content else []
        lines.append(f"**{e.title}**")
        if e.description:
            lines.append(e.description)
        lines.extend(f"**{f.name}:** {f.value}" for f in e.fields)
        if e.footer:
            lines.append(f"-# {e.footer}")
        return replace(self, content=clip("\n".join(lines), MAX_CONTENT), embed=None)

    def with_note(self, note: str) -> Reply:
        if not note:
            return self
        content = f"{note}\n{self.content}" if self.content else note
        return replace(self, content=clip(content, MAX_CONTENT))


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """User-typed text (names, guesses) shown literally, never as markdown.

    Line breaks are folded into spaces: markdown that only works at the start of
    a line (``# heading``, ``-# small``, ``- list``) must not start one.
    """
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def embed(
    title: str,
    description: str = "",
    *,
    colour: int = BLURPLE,
    fields: Sequence[Field] = (),
    footer: str = "",
) -> Embed:
    """An embed clipped to Discord's limits."""
    return Embed(
        title=clip(title, MAX_TITLE),
        description=clip(description, MAX_DESCRIPTION),
        colour=colour,
        fields=tuple(
            Field(clip(f.name, MAX_FIELD_NAME), clip(f.value or "-", MAX_FIELD_VALUE), f.inline)
            for f in fields[:MAX_FIELDS]
        ),
        footer=clip(footer, MAX_FOOTER),
    )


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


def question(asked: QuestionAsked, *, hints: Sequence[str] = ()) -> Reply:
    """The question as it is posted, and as hints are edited into it."""
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
    return Reply(
        embed=embed(
            f"Question {asked.number}/{asked.total}",
            "\n".join(lines),
            fields=fields,
            footer=f"{q.category} · {q.difficulty} · {how}",
        ),
        buttons=buttons,
    )


def reveal(revealed: QuestionRevealed, *, asked: QuestionAsked | None = None) -> Reply:
    """The question message edited into its answer: buttons disabled, picks counted."""
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
    choices = asked.choices if asked is not None else revealed.question.choices
    if not choices:
        return ()
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
            f"\n🏆 **{escape(event.winner.name)}** wins with {event.winner.points} points!"
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
        case LeaderboardShown(rows=rows, period=period):
            body = "\n".join(
                f"{r.rank}. **{escape(r.name)}**: {r.points} pts ({r.correct} right)" for r in rows
            )
            return Reply(
                embed=embed(
                    f"Leaderboard{where}, {period.label}",
                    body or f"No scores {period.label} yet.",
                    colour=PURPLE,
                )
            )
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
            title = f"Stats for {escape(s.name)}{where}"
            return Reply(embed=embed(title, fields=fields, colour=PURPLE))
        case CategoriesShown(categories=categories):
            body = "\n".join(f"**{escape(name)}**: {count}" for name, count in categories)
            return Reply(embed=embed("Categories", body or "No questions loaded.", colour=GREY))
        case DraftRejected(problems=problems):
            lines = ["That question was not added:"]
            lines.extend(
                f"• **{FIELD_LABELS.get(p.field, p.field)}**: {p.message}" for p in problems
            )
            return Reply(content=clip("\n".join(lines), MAX_CONTENT))
        case QuestionAdded(question=q):
            return Reply(
                content=f"Added `{q.id}` to this server's questions "
                f"(category {escape(q.category)}, {q.difficulty}). "
                f"Remove it with `/trivia remove question_id:{q.id}`."
            )
        case QuestionRemoved(question_id=question_id):
            return Reply(content=f"Removed `{question_id}` from this server's questions.")
        case SettingsShown():
            return _settings(event)
    return None


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
    ]
    title = "Settings saved" if event.changed else "Settings"
    return Reply(embed=embed(title, fields=fields, colour=GREEN if event.changed else GREY))


# -- help ------------------------------------------------------------------------------------

HELP_COMMANDS = (
    ("/trivia start", "start a game here (category, rounds, mode, seconds)"),
    ("/trivia hint", "show the next hint (costs points)"),
    ("/trivia skip · /trivia stop", "the game's starter or an admin"),
    ("/trivia score", "the standings of the running game"),
    ("/trivia leaderboard", "this server's best: all time, this week, today"),
    ("/trivia stats", "your stats, or a member's"),
    ("/trivia categories", "what there is to play"),
    ("/trivia add · import · remove", "admins: this server's own questions"),
    ("/trivia settings", "admins: default rounds, seconds, mode, who may start, admin role"),
)


def help_reply(*, typed_answers: bool) -> Reply:
    lines = [f"**{name}**: {what}" for name, what in HELP_COMMANDS]
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
DM_NO_GAMES = "Trivia games are played in server channels: run `/trivia start` in one."
DM_NO_SERVER = (
    "Scores are kept per server, and I don't know yours yet: run this command in a channel "
    "of the server you play in (only you will see the answer), then it works here too."
)


def import_report(
    filename: str,
    parsed: ParsedUpload,
    drafts: Sequence[QuestionDraft],
    results: Sequence[Event],
) -> str:
    """What an import did: every problem of a file that did not load, or how many of its
    questions were added and why each other one was not (``results`` in draft order)."""
    if parsed.problems:
        lines = [f"{filename} was not imported: {len(parsed.problems)} problem(s)."]
        lines += [f"• {problem}" for problem in parsed.problems]
        return clip("\n".join(lines), MAX_CONTENT)
    added = sum(isinstance(e, QuestionAdded) for e in results)
    lines = [f"Imported {added} of {len(drafts)} questions from {filename}."]
    if parsed.left_out:
        lines.append(
            f"{parsed.left_out} more were left out: at most {MAX_IMPORT_QUESTIONS} per import."
        )
    for draft, event in zip(drafts, results, strict=False):
        match event:
            case DraftRejected(problems=problems):
                why = "; ".join(
                    f"{FIELD_LABELS.get(p.field, p.field)}: {p.message}" for p in problems
                )
            case Rejected(message=message):
                why = message
            case _:
                continue
        lines.append(f"• “{clip(draft.prompt, 60)}”: {why}")
    return clip("\n".join(lines), MAX_CONTENT)
