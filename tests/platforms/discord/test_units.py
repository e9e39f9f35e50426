"""The Discord adapter's pure parts: inbound translation, rendering, the outbox's folding."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import discord
import pytest

from bot.adapters.discord import ids, inbound, render
from bot.adapters.discord.invite import INVITE_PERMISSIONS, INVITE_SCOPES, invite_url
from bot.adapters.discord.outbox import (
    DiscordOutbound,
    Replies,
    RouteGone,
    question_nonce,
    wants_for_interaction,
)
from bot.adapters.discord.render import ButtonStyle, Reply
from bot.clock import ManualClock
from bot.domain.awards import Award, Points
from bot.domain.commands import ChangeSettings, Command, ShowScore, ShowSettings, StartGame
from bot.domain.events import (
    CloseGuess,
    EndReason,
    GameEnded,
    HintGiven,
    QuestionAsked,
    QuestionRevealed,
    Refusal,
    Rejected,
    RevealReason,
)
from bot.domain.model import (
    Actor,
    ChannelKey,
    Difficulty,
    GameMode,
    PlayerKey,
    Question,
    QuestionType,
    StartPolicy,
)

CHANNEL = ChannelKey("discord", "10", "20")
ALICE = PlayerKey("discord", "10", "30")
MARS = Question(
    id="mars",
    prompt="Which planet is red?",
    answers=("Mars",),
    type=QuestionType.CHOICE,
    choices=("Venus", "Mars", "Jupiter"),
    category="space",
    difficulty=Difficulty.EASY,
    explanation="Iron oxide.",
)
ENDS = datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC)


def asked(question: Question = MARS, *, number: int = 1) -> QuestionAsked:
    return QuestionAsked(
        channel=CHANNEL,
        game_id="g1",
        number=number,
        total=3,
        question=question,
        choices=question.choices,
        seconds=30,
        ends_at=ENDS,
    )


def revealed(*, number: int = 1, counts: tuple[int, ...] = (1, 2, 0)) -> QuestionRevealed:
    award = Award(
        player=ALICE,
        name="Alice",
        guess="Mars",
        points=Points(base=10, speed_bonus=2, streak_bonus=0, hint_penalty=0, total=12),
        answer_ms=2300,
        streak=1,
    )
    return QuestionRevealed(
        channel=CHANNEL,
        game_id="g1",
        number=number,
        total=3,
        question=MARS,
        reason=RevealReason.TIMEOUT,
        awards=(award,),
        choice_counts=counts,
        next_in=4.0,
    )


def hint(text: str, *, number: int = 1) -> HintGiven:
    return HintGiven(
        channel=CHANNEL, game_id="g1", number=number, hint=text, hints_shown=1, hints_left=0
    )


def close(name: str, *, number: int = 1) -> CloseGuess:
    return CloseGuess(
        channel=CHANNEL, game_id="g1", number=number, player=ALICE, name=name, guess="marz"
    )


# -- inbound ----------------------------------------------------------------------------------


def message(**changes: object) -> inbound.IncomingMessage:
    values: dict[str, object] = {
        "guild_id": 10,
        "channel_id": 20,
        "author_id": 30,
        "author_name": "Alice",
        "author_is_bot": False,
        "content": "paris",
        "bot_user_id": 99,
    }
    values.update(changes)
    return inbound.IncomingMessage(**values)  # type: ignore[arg-type]


def test_a_guild_message_becomes_a_guess_with_namespaced_identity() -> None:
    command = inbound.answer_from_message(message(manage_guild=True, role_ids=(5, 6)))

    assert command is not None
    assert command.channel == CHANNEL
    assert command.actor.key == ALICE
    assert (command.actor.name, command.actor.is_admin) == ("Alice", True)
    assert command.actor.roles == frozenset({"5", "6"})
    assert command.text == "paris"


@pytest.mark.parametrize(
    "changes",
    [
        {"author_is_bot": True},  # other bots, and the bot itself
        {"guild_id": None},  # DMs
        {"content": ""},  # what arrives without the Message Content intent
        {"content": "<@99>   "},
    ],
)
def test_messages_that_are_not_guesses_are_ignored(changes: dict[str, object]) -> None:
    assert inbound.answer_from_message(message(**changes)) is None


def test_a_mention_of_the_bot_is_stripped_so_mentioning_answers_work() -> None:
    command = inbound.answer_from_message(message(content="<@!99> new york"))

    assert command is not None
    assert command.text == "new york"


def test_a_pick_custom_id_round_trips_and_garbage_is_not_a_pick() -> None:
    custom_id = ids.pick_custom_id("0f3a9c", 12, 3)

    assert ids.parse_pick(custom_id) == ids.PickRef("0f3a9c", 12, 3)
    assert len(ids.pick_custom_id("f" * 32, 50, 5)) <= 100
    assert ids.parse_pick("trivia:pick:g:1") is None
    assert ids.parse_pick("trivia:pick:g:1:22") is None
    assert ids.parse_pick("other:thing") is None


def test_a_modal_submission_becomes_a_draft_from_rows_or_labels() -> None:
    rows = [
        {"type": 1, "components": [{"type": 4, "custom_id": "prompt", "value": "2+2?"}]},
        {"type": 1, "components": [{"type": 4, "custom_id": "answers", "value": "4\nfour"}]},
        {"type": 18, "component": {"type": 4, "custom_id": "category", "value": "maths"}},
        {"type": 18, "component": {"type": 4, "custom_id": "difficulty", "value": ""}},
    ]

    draft = inbound.draft_from_modal(rows)

    assert (draft.prompt, draft.answers, draft.category) == ("2+2?", "4\nfour", "maths")
    assert (draft.difficulty, draft.explanation) == ("medium", "")


def test_without_typed_answers_text_mode_gives_way_to_choice_mode() -> None:
    actor = inbound.make_actor(10, 30, "Alice", manage_guild=False)

    forced, was_forced = inbound.start_command(CHANNEL, actor, mode="text", typed_answers=False)
    default, default_forced = inbound.start_command(CHANNEL, actor, typed_answers=False)
    chosen, chosen_forced = inbound.start_command(
        CHANNEL, actor, mode="choice", typed_answers=False
    )
    typed, _ = inbound.start_command(CHANNEL, actor, category="  ", rounds=3, typed_answers=True)

    assert (forced.mode, was_forced) == (GameMode.CHOICE, True)
    assert (default.mode, default_forced) == (GameMode.CHOICE, True)
    assert (chosen.mode, chosen_forced) == (GameMode.CHOICE, False)
    assert typed == StartGame(channel=CHANNEL, actor=actor, rounds=3)


def test_settings_without_options_are_shown_and_with_options_changed() -> None:
    actor = inbound.make_actor(10, 30, "Ada", manage_guild=True)

    shown = inbound.settings_command(CHANNEL, actor)
    changed = inbound.settings_command(
        CHANNEL, actor, start_policy="role", starter_role=77, admin_role=88, reset="rounds"
    )

    assert shown == ShowSettings(channel=CHANNEL, actor=actor)
    assert changed == ChangeSettings(
        channel=CHANNEL,
        actor=actor,
        start_policy=StartPolicy.ROLE,
        starter_role="77",
        admin_role="88",
        reset=frozenset({"rounds"}),
    )


# -- rendering ----------------------------------------------------------------------------------


def test_a_question_counts_down_with_timestamp_markup_and_offers_buttons() -> None:
    reply = render.question(asked(), hints=("Starts with M",))

    assert reply.embed is not None
    assert f"<t:{int(ENDS.timestamp())}:R>" in reply.embed.description
    assert "**B.** Mars" in reply.embed.description
    assert [b.custom_id for b in reply.buttons] == [f"trivia:pick:g1:1:{i}" for i in range(3)]
    assert [b.label for b in reply.buttons] == ["A. Venus", "B. Mars", "C. Jupiter"]
    assert reply.embed.fields[0] == render.Field("Hint", "Starts with M")


def test_a_reveal_disables_the_buttons_counts_picks_and_marks_the_answer() -> None:
    reply = render.reveal(revealed(), asked=asked())

    *options, report = reply.buttons
    assert [b.label for b in options] == ["A. Venus (1)", "B. Mars (2)", "C. Jupiter (0)"]
    assert all(b.disabled for b in options)
    assert [b.style for b in options] == [
        ButtonStyle.SECONDARY,
        ButtonStyle.SUCCESS,
        ButtonStyle.SECONDARY,
    ]
    assert (report.custom_id, report.label, report.disabled) == (
        "trivia:report:mars",
        "Report",
        False,
    )
    assert report.row == 1  # under the options
    assert reply.embed is not None
    assert "The answer: **Mars**" in reply.embed.description
    assert render.Field("Scored", "Alice **+12** (2.3 s)") in reply.embed.fields
    assert reply.embed.footer == "Next question in 4 s"


def test_everything_is_clipped_to_discords_limits() -> None:
    long = Question(id="l", prompt="x" * 5000, answers=("y" * 3000,), choices=("z" * 200, "w"))
    reply = render.reveal(
        QuestionRevealed(
            channel=CHANNEL,
            game_id="g1",
            number=1,
            total=1,
            question=long,
            reason=RevealReason.SKIPPED,
            awards=(),
            choice_counts=(3, 4),
            next_in=None,
        )
    )

    assert reply.embed is not None
    assert len(reply.embed.description) == render.MAX_DESCRIPTION
    assert all(len(b.label) <= render.MAX_BUTTON_LABEL for b in reply.buttons)
    assert reply.buttons[0].label.endswith("… (3)")
    assert len(reply.plain().content) <= render.MAX_CONTENT


def test_the_plain_text_fallback_says_what_the_embed_said() -> None:
    reply = render.game_ended(
        GameEnded(
            channel=CHANNEL,
            game_id="g1",
            reason=EndReason.SHUTDOWN,
            standings=(),
            winner=None,
            questions_asked=2,
        )
    ).plain()

    assert reply.embed is None
    assert reply.content.splitlines() == [
        "**Game ended: the bot is shutting down.**",
        "Nobody played this time.",
        "-# 2 questions asked · /trivia leaderboard",
    ]


def test_typed_text_is_shown_literally_and_notices_are_bounded() -> None:
    line = render.notice_line(
        CloseGuess(
            channel=CHANNEL, game_id="g1", number=1, player=ALICE, name="*bold*", guess="__x__"
        )
    )

    assert line == "🤏 So close, \\*bold\\*: “\\_\\_x\\_\\_” is nearly it."
    many = render.notices([f"line {i}" for i in range(14)])
    assert many.content.splitlines()[-1] == "…and 4 more."


def test_a_refusal_is_rendered_for_its_recipient() -> None:
    refusal = Rejected(
        channel=CHANNEL, recipient=ALICE, reason=Refusal.NO_GAME, message="No game here."
    )

    assert render.private(refusal) == Reply(content="⛔ No game here.")


def test_the_invite_asks_for_exactly_the_scopes_and_permissions_used() -> None:
    url = invite_url("123")

    assert url == (
        "https://discord.com/oauth2/authorize?client_id=123"
        "&scope=bot+applications.commands&permissions=19456"
    )
    # Built without discord.py, and still what discord.py would build.
    wanted = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
    assert INVITE_PERMISSIONS == wanted.value == 19456
    assert url == discord.utils.oauth_url(123, permissions=wanted, scopes=INVITE_SCOPES)


# -- the outbox -------------------------------------------------------------------------------


class RecordingSender:
    """A ``MessageSender`` that records calls; ``gate`` holds every call until set."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int | None, Reply]] = []
        self.started = 0
        self.moved = asyncio.Event()
        self.gate = asyncio.Event()
        self.gate.set()
        self._next_id = 100

    async def post(self, channel: ChannelKey, reply: Reply) -> int | None:
        self.started += 1
        self.moved.set()
        await self.gate.wait()
        self._next_id += 1
        self.calls.append(("post", self._next_id, reply))
        return self._next_id

    async def edit(self, channel: ChannelKey, message_id: int, reply: Reply) -> bool:
        self.started += 1
        self.moved.set()
        await self.gate.wait()
        self.calls.append(("edit", message_id, reply))
        return True


async def test_a_question_is_posted_with_a_nonce_of_its_game_and_number() -> None:
    # Posted again by the next owner (its message never noted), Discord gives the
    # first message back instead of a second copy.
    sender = RecordingSender()
    outbound = DiscordOutbound(sender)

    await outbound.publish(asked())
    await outbound.flush()
    await outbound.close()

    [(kind, _, reply)] = sender.calls
    assert kind == "post"
    assert reply.nonce == question_nonce(asked()) == f"1:{asked().game_id}"[:25]


async def test_a_question_hinted_and_revealed_before_it_was_sent_is_one_post() -> None:
    sender = RecordingSender()
    outbound = DiscordOutbound(sender)

    for event in (asked(), hint("M..."), revealed()):
        await outbound.publish(event)
    await outbound.flush()
    await outbound.close()

    (call,) = sender.calls
    assert call[0] == "post"
    assert call[2] == replace(render.reveal(revealed(), asked=asked()), nonce="1:g1")


async def test_a_hint_and_a_reveal_that_queue_up_together_are_one_edit() -> None:
    channel, webhook = RecordingSender(), RecordingSender()
    outbound = DiscordOutbound(channel)
    outbound.follow_up_through(CHANNEL, "g1", webhook)
    await outbound.publish(asked())
    await outbound.flush()
    webhook.gate.clear()

    await outbound.publish(close("bob"))  # taken at once, waits on the gate
    while webhook.started < 2:
        webhook.moved.clear()
        await webhook.moved.wait()
    for event in (hint("M..."), close("carol"), revealed(), asked(MARS, number=2)):
        await outbound.publish(event)
    webhook.gate.set()
    await outbound.flush()
    await outbound.close()

    assert [(kind, ident) for kind, ident, _ in webhook.calls] == [
        ("post", 101),  # question 1
        ("post", 102),  # bob's "close": queued before the reveal
        ("edit", 101),  # hint and reveal together; carol's "close" is old news
        ("post", 103),  # question 2
    ]
    assert "The answer: **Mars**" in (webhook.calls[2][2].embed or render.Embed("")).description
    assert channel.calls == []


async def test_billed_an_automatic_hint_and_close_guesses_ride_along_on_the_reveal() -> None:
    sender = RecordingSender()
    outbound = DiscordOutbound(sender)  # no interaction started the game: every call billed

    for event in (asked(), close("bob"), hint("M..."), close("carol")):
        await outbound.publish(event)
        await outbound.flush()
    await outbound.publish(revealed())
    await outbound.flush()
    await outbound.close()

    assert [(kind, ident) for kind, ident, _ in sender.calls] == [("post", 101), ("edit", 101)]
    shown = sender.calls[1][2].plain().content
    assert "The answer: **Mars**" in shown
    assert "So close, bob" in shown
    assert "So close, carol" in shown


async def test_billed_a_hint_a_player_asked_for_is_shown_at_once() -> None:
    sender = RecordingSender()
    outbound = DiscordOutbound(sender)
    asked_for = HintGiven(
        channel=CHANNEL,
        game_id="g1",
        number=1,
        hint="M...",
        hints_shown=1,
        hints_left=0,
        requested=True,
    )

    for event in (asked(), asked_for):
        await outbound.publish(event)
        await outbound.flush()
    await outbound.close()

    assert [(kind, ident) for kind, ident, _ in sender.calls] == [("post", 101), ("edit", 101)]
    assert "M..." in sender.calls[1][2].plain().content


async def test_a_game_posts_through_its_interaction_s_webhook_while_the_token_lives() -> None:
    clock = ManualClock()
    channel, webhook = RecordingSender(), RecordingSender()
    outbound = DiscordOutbound(channel, clock=clock, token_life=100.0, margin=10.0)
    shown: list[str] = []

    async def noted(where: ChannelKey, game: str, ref: str) -> None:
        shown.append(ref)

    outbound.noting_questions(noted)
    outbound.follow_up_through(CHANNEL, "g1", webhook)
    for event in (asked(), hint("M..."), revealed()):  # 30 s questions: 30 + 10 fit in 100
        await outbound.publish(event)
        await outbound.flush()
    await clock.advance(65.0)  # 35 s left: question 2 would end with 5 s to spare
    for event in (asked(MARS, number=2), hint("M..", number=2), revealed(number=2)):
        await outbound.publish(event)
        await outbound.flush()
    await outbound.close()

    assert [(kind, ident) for kind, ident, _ in webhook.calls] == [
        ("post", 101),
        ("edit", 101),
        ("edit", 101),
    ]
    assert [(kind, ident) for kind, ident, _ in channel.calls] == [("post", 101), ("edit", 101)]
    assert shown == ["1:101", "2:101"]  # each noted for a resume, whichever way it was posted


class GoneSender(RecordingSender):
    """An interaction's webhook whose token Discord no longer takes."""

    async def post(self, channel: ChannelKey, reply: Reply) -> int | None:
        raise RouteGone("401 Invalid Webhook Token")

    async def edit(self, channel: ChannelKey, message_id: int, reply: Reply) -> bool:
        raise RouteGone("401 Invalid Webhook Token")


async def test_a_webhook_that_is_gone_hands_the_game_over_to_the_bot_s_own_calls() -> None:
    channel, webhook = RecordingSender(), RecordingSender()
    outbound = DiscordOutbound(channel)
    outbound.follow_up_through(CHANNEL, "g1", webhook)
    await outbound.publish(asked())
    await outbound.flush()
    outbound.follow_up_through(CHANNEL, "g1", GoneSender())  # the token died early

    for event in (revealed(), asked(MARS, number=2)):
        await outbound.publish(event)
        await outbound.flush()
    await outbound.close()

    assert [(kind, ident) for kind, ident, _ in webhook.calls] == [("post", 101)]
    # The webhook's message edited with the bot's own call, then the bot's own post.
    assert [(kind, ident) for kind, ident, _ in channel.calls] == [("edit", 101), ("post", 101)]


async def test_only_the_collecting_task_s_events_go_to_the_interaction() -> None:
    sender = RecordingSender()
    outbound = DiscordOutbound(sender)
    refusal = Rejected(channel=CHANNEL, recipient=ALICE, reason=Refusal.NO_GAME, message="No.")

    async def timer() -> None:
        await outbound.publish(refusal)  # nobody to show it to privately: dropped
        await outbound.publish(asked(number=2))

    async def handle(command: Command) -> None:
        await outbound.publish(refusal)
        await outbound.publish(asked(number=1))  # not asked for: goes to the channel
        await asyncio.create_task(timer())  # a task it starts publishes to the channel

    command = ShowScore(CHANNEL, Actor(key=ALICE, name="alice"))
    collecting = outbound.replies.start(
        handle, [command], wants=wants_for_interaction((GameEnded,))
    )
    replies = Replies.of(await collecting.finish())
    await outbound.flush()
    await outbound.close()

    assert replies.private == [refusal]
    assert replies.public == []
    assert [
        (kind, reply.embed.title if reply.embed else "") for kind, _, reply in sender.calls
    ] == [
        ("post", "Question 1/3"),
        ("post", "Question 2/3"),
    ]


async def test_an_idle_channel_s_worker_retires_and_comes_back_on_the_next_event() -> None:
    sender = RecordingSender()
    outbound = DiscordOutbound(sender, idle_after=0.01)
    await outbound.publish(asked(number=1))
    await outbound.flush()

    for _ in range(100):
        if outbound.channels == 0:
            break
        await asyncio.sleep(0.01)
    retired = outbound.channels
    await outbound.publish(asked(number=2))
    await outbound.flush()
    await outbound.close()

    assert retired == 0
    assert [kind for kind, _, _ in sender.calls] == ["post", "post"]
