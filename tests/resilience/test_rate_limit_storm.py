"""A storm of 429s while a game runs: every message still arrives, in order, and no point is lost.

The platform answers the next eight message posts and eight message edits with 429 (Discord
with ``Via`` and a JSON ``retry_after``, Slack with ``Retry-After``); the SDKs wait and retry.
Every question, every reveal and the final standings still appear, in order, once each, and
the points are in the database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.model import PlayerKey, ServerKey
from bot.domain.records import Period
from tests.platforms.discord.bot_harness import is_question, is_revealed, trivia_bot, word_to_type
from tests.platforms.discord.fake import FakeDiscord
from tests.platforms.slack.bot_harness import ALICE, BOB, answer_to, player, running_bot
from tests.platforms.slack.fake import instant_rate_limit_retries

# A game started by /trivia start speaks through its interaction's webhook; others
# through the channel: either way, these are its posts and edits.
MESSAGES = r"/channels/\d+/messages|/webhooks/\d+/[^/]+"
MESSAGE = r"/channels/\d+/messages/\d+|/webhooks/\d+/[^/]+/messages/\d+"
STORM = 8


async def test_discord_game_survives_a_429_storm_on_posts_and_edits(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    bob = fake.add_member(fake.guild.id, "bob")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path) as bot:
        fake.rate_limit_next("POST", MESSAGES, retry_after=0.01, times=STORM)
        fake.rate_limit_next("PATCH", MESSAGE, retry_after=0.01, times=STORM)
        await fake.slash_command(
            fake.guild.id,
            channel,
            alice,
            subcommand="start",
            options={"category": "words", "rounds": 3, "mode": "text"},
        )
        asked = []
        for number, who in enumerate((alice, bob, alice), start=1):
            after = asked[-1] if asked else None
            question = await fake.wait_for_message(channel, is_question(number, 3), after=after)
            await fake.user_says(channel, who, word_to_type(question))
            await fake.wait_for_message(channel, is_revealed(question), timeout=10)
            asked.append(question)
        final = await fake.wait_for_message(
            channel, lambda m: "Game over!" in m.text, after=asked[-1], timeout=10
        )
        board = await bot.app.store.leaderboard(
            ServerKey("discord", str(fake.guild.id)), Period.ALL, now=datetime.now(UTC)
        )

    assert fake.rate_limited == 2 * STORM
    posts = fake.channel_messages(channel, from_bot=True)
    # One post per question and the final standings, in order, none twice.
    game_posts = [m for m in posts if "Question " in m.text or "Game over!" in m.text]
    assert [m.id for m in game_posts] == [*(q.id for q in asked), final.id]
    for number, question in enumerate(asked, start=1):
        now = fake.message(question)
        assert f"Question {number}/3" in now.text
        assert "The answer:" in now.text
    assert "Alice **+" in fake.message(asked[0]).text
    assert "Bob **+" in fake.message(asked[1]).text
    assert "Alice **+" in fake.message(asked[2]).text
    assert "Alice" in final.text
    assert "Bob" in final.text
    alice_key = PlayerKey("discord", str(fake.guild.id), str(alice.id))
    bob_key = PlayerKey("discord", str(fake.guild.id), str(bob.id))
    points = {row.player: (row.points, row.correct) for row in board}
    assert set(points) == {alice_key, bob_key}
    assert (points[alice_key][1], points[bob_key][1]) == (2, 1)


async def test_slack_game_survives_a_429_storm_on_posts_and_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits = instant_rate_limit_retries(monkeypatch)
    async with running_bot(tmp_path) as bot:
        slack = bot.slack
        slack.rate_limit_next("chat.postMessage", retry_after=1, times=STORM)
        slack.rate_limit_next("chat.update", retry_after=1, times=STORM)
        await bot.send(slack.slash_command("/trivia", "start colours 2", user=ALICE))
        first = await bot.question(1)
        await bot.send(slack.message_event(answer_to(first), user=BOB))
        await slack.wait_for_call("chat.update", lambda c: "The answer" in c["text"])
        second = await bot.question(2)
        await bot.send(slack.message_event(answer_to(second), user=ALICE))
        await slack.wait_for_call("chat.postMessage", lambda c: "Game over" in c["text"])
        board = await bot.app.store.leaderboard(
            player(ALICE).server_key, Period.ALL, now=datetime.now(UTC)
        )

    storm = [c.method for c in slack.rate_limited_calls]
    assert storm.count("chat.postMessage") == STORM
    assert storm.count("chat.update") == STORM
    # Each 429 the SDK retried was waited out; the last of each of its rounds of retries
    # (one for posts, one for updates) is not, the outbox then tries the message again.
    assert waits == [1.0] * (2 * STORM - 2)
    transcript = [line for line in slack.transcript() if line.startswith("triviabot:")]
    assert transcript[0].startswith("triviabot: 🎲 *Trivia!* 2 questions")
    assert [line.split(" · ")[0] for line in transcript if "Question " in line] == [
        "triviabot: *Question 1/2*",
        "triviabot: *Question 2/2*",
    ]
    assert transcript[-1].startswith("triviabot: *🏁 Game over!*")
    assert sum("Game over" in line for line in transcript) == 1
    assert "The answer: *" in first.visible_text()
    assert "The answer: *" in second.visible_text()
    # The reveal names the scorer (there is no "got it" post of its own).
    assert "🏆 *bob* got it with “blue”: +" in first.visible_text()
    assert "🏆 *alice* got it with “green”: +" in second.visible_text()
    assert {row.player: row.correct for row in board} == {player(ALICE): 1, player(BOB): 1}
    assert all(row.points > 0 for row in board)
