"""Discord's forms (modals): adding, editing and reporting a question, and answering the
daily question.

``question_form`` and ``report_form`` build them; ``on_form_or_button``
answers a submitted form, and a reveal's Report button with the report form
(``TriviaClient.on_interaction`` hands those over by custom_id: no view objects
are kept in memory, so a Report button still works after a restart).  A form
becomes a draft or a report through the pure ``inbound``; every rule about it
is the core's.

The daily question's "Answer" button, the form it opens and its option buttons each
become one ``AnswerDaily`` (``on_daily``; ``/trivia answer`` is in ``commands``).  They
name their round (``ids``), so they work on an old message and after a restart.  The
verdict is the service's (``DailyAnswerJudged``, for the player alone): it comes back as
the interaction's ephemeral reply, so nobody else sees an answer or whether it was right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import discord

from bot.adapters.discord import ids, inbound
from bot.adapters.discord.interactions import Interactions
from bot.adapters.discord.message import clip
from bot.adapters.discord.render_admin import FIELD_LABELS
from bot.bank.limits import (
    MAX_ANSWER,
    MAX_ANSWERS,
    MAX_CATEGORY,
    MAX_EXPLANATION,
    MAX_PROMPT,
    MAX_REPORT_REASON,
)
from bot.domain.commands import AddQuestion, AnswerDaily
from bot.domain.daily import MAX_DAILY_ANSWER
from bot.domain.model import QuestionDraft
from bot.domain.records import ReportKind

#: Discord's longest text input.
MAX_INPUT = 4000
#: The kinds of report, as the slash command and the Report button's form offer them.
REPORT_KINDS = (
    (ReportKind.WRONG, "The answer is wrong", "Or an option, or the explanation"),
    (ReportKind.UNCLEAR, "The question is unclear", "It can be read more than one way"),
)

#: The question form's inputs: (custom_id, label, paragraph?, required, longest, placeholder).
#: The longest values are the bank format's, so any question fits the edit form it fills.
_QUESTION_INPUTS = (
    ("prompt", "Question", True, True, MAX_PROMPT, "What is the capital of France?"),
    (
        "answers",
        "Answers, one per line (the first is shown)",
        True,
        True,
        min(MAX_ANSWERS * (MAX_ANSWER + 1), MAX_INPUT),
        "Paris",
    ),
    ("category", "Category", False, False, MAX_CATEGORY, "custom"),
    ("difficulty", "Difficulty: easy, medium or hard", False, False, 6, "medium"),
    ("explanation", "Explanation (shown at the reveal)", True, False, MAX_EXPLANATION, None),
)


def question_form(
    custom_id: str, *, title: str = "Add a trivia question", draft: QuestionDraft | None = None
) -> discord.ui.Modal:
    """The add form, or the edit form filled in with ``draft``. Discord forms hold five
    inputs, so choices and hints come by import (and an edit keeps them)."""
    form = discord.ui.Modal(title=clip(title, 45), custom_id=custom_id)
    for input_id, label, long, required, longest, placeholder in _QUESTION_INPUTS:
        current = getattr(draft, input_id) if draft is not None else None
        form.add_item(
            discord.ui.TextInput(
                custom_id=input_id,
                label=label,
                style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
                required=required,
                max_length=longest,
                placeholder=placeholder,
                default=current or None,
            )
        )
    # Submissions are routed by custom_id in on_interaction; a stopped modal is not kept
    # in discord.py's store.
    form.stop()
    return form


def form_overflow(draft: QuestionDraft) -> str | None:
    """Why ``draft`` cannot be edited in the form, or None. A field longer than its input
    would be cut short, and the rest lost when the form is sent, so it is not opened.
    (Only answers can be: 20 of 200 characters, one per line, pass 4,000.)"""
    for input_id, *_, longest, _ in _QUESTION_INPUTS:
        value = getattr(draft, input_id)
        if len(value) > longest:
            field = FIELD_LABELS.get(input_id, input_id).lower()
            return (
                f"This question's {field} take {len(value):,} characters, more than a Discord "
                f"form holds ({longest:,}). Change it in a bank file instead: `/trivia export`, "
                "edit the file, then `/trivia import` it."
            )
    return None


def report_form(custom_id: str) -> discord.ui.Modal:
    """What a reveal's Report button opens: the kind of problem, and why."""
    form = discord.ui.Modal(title="Report this question", custom_id=custom_id)
    kinds = discord.ui.Select[Any](
        custom_id="kind",
        options=[
            discord.SelectOption(
                label=label,
                value=kind.value,
                description=description,
                default=kind is ReportKind.WRONG,
            )
            for kind, label, description in REPORT_KINDS
        ],
        required=True,
    )
    reason = discord.ui.TextInput[Any](
        custom_id="reason",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=MAX_REPORT_REASON,
        placeholder="What should it say instead? (optional)",
    )
    form.add_item(discord.ui.Label(text="What is wrong with it?", component=kinds))
    form.add_item(discord.ui.Label(text="Why? (optional)", component=reason))
    form.stop()
    return form


async def on_form_or_button(
    answers: Interactions, interaction: discord.Interaction, custom_id: str, data: Mapping[str, Any]
) -> bool:
    """Answer a Report button, a report form, or an add or edit form; False if
    ``custom_id`` is none of those."""
    if interaction.type is discord.InteractionType.component:
        question_id = ids.parse_report(custom_id)
        form_id = ids.report_modal_id(question_id) if question_id is not None else None
        if form_id is None:
            return False
        if answers.context(interaction) is not None:  # reveals are posted in servers only
            await interaction.response.send_modal(report_form(form_id))
        return True
    if interaction.type is not discord.InteractionType.modal_submit:
        return False
    components: Sequence[Any] = data.get("components") or []
    context = answers.context(interaction)
    if custom_id == ids.ADD_MODAL_ID:
        if context is not None:
            draft = inbound.draft_from_modal(components)
            await answers.answer(interaction, [AddQuestion(*context, draft=draft)])
        return True
    if (question_id := ids.parse_edit_modal(custom_id)) is not None:
        if context is not None:
            command = inbound.edit_from_modal(*context, question_id, components)
            await answers.answer(interaction, [command])
        return True
    if (question_id := ids.parse_report_modal(custom_id)) is not None:
        if context is not None:
            report = inbound.report_from_modal(*context, question_id, components)
            await answers.answer(interaction, [report])
        return True
    return False


# -- the daily question ----------------------------------------------------------------------

#: The longest typed answer the form takes (a guess, not an essay).
FORM_TITLE = "Your answer"


def daily_form(round_id: int, prompt: str) -> discord.ui.Modal:
    """The form the "Answer" button opens: one text input, the question above it."""
    form = discord.ui.Modal(title=FORM_TITLE, custom_id=ids.daily_form_id(round_id))
    answer = discord.ui.TextInput[Any](
        custom_id=ids.DAILY_ANSWER_INPUT,
        style=discord.TextStyle.short,
        required=True,
        max_length=MAX_DAILY_ANSWER,
        placeholder="Only you see it",
    )
    question = " ".join(prompt.split())
    form.add_item(
        discord.ui.Label(text="Your answer", description=clip(question, 100), component=answer)
    )
    # Submissions are routed by custom_id in on_interaction, not kept in discord.py's store.
    form.stop()
    return form


def _prompt_of(interaction: discord.Interaction) -> str:
    """The question, read from the message the button is on (its embed's first line)."""
    message = interaction.message
    if message is None or not message.embeds:
        return "Today's question"
    description = message.embeds[0].description or ""
    first = description.split("\n", 1)[0].strip().strip("*").strip()
    return first or "Today's question"


async def on_daily(
    answers: Interactions,
    interaction: discord.Interaction,
    custom_id: str,
    data: Mapping[str, Any],
) -> bool:
    """Answer a daily question's button or form; False if ``custom_id`` is none of them."""
    kind = interaction.type
    if kind is discord.InteractionType.component:
        if (round_id := ids.parse_daily_answer(custom_id)) is not None:
            if answers.context(interaction) is not None:  # daily questions live in servers
                await interaction.response.send_modal(daily_form(round_id, _prompt_of(interaction)))
            return True
        if (pick := ids.parse_daily_pick(custom_id)) is not None:
            if (context := answers.context(interaction)) is not None:
                round_id, choice = pick
                command = AnswerDaily(*context, choice=choice, round_id=round_id)
                await answers.answer(interaction, [command], ack=None)
            return True
        return False
    if kind is discord.InteractionType.modal_submit:
        round_id = ids.parse_daily_form(custom_id)
        if round_id is None:
            return False
        if (context := answers.context(interaction)) is not None:
            components: Sequence[Any] = data.get("components") or []
            text = inbound.modal_values(components).get(ids.DAILY_ANSWER_INPUT, "")
            command = AnswerDaily(*context, text=text, round_id=round_id)
            await answers.answer(interaction, [command], ack=None)
        return True
    return False
