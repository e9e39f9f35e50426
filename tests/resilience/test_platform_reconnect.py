"""The platform connection drops mid-game and comes back: the game, and its points, go on.

The real bot (adapter, service, SQLite) against the fakes: Discord's gateway closes with a
resumable code and discord.py RESUMEs; Slack asks the Socket Mode app to reconnect and it
opens a new connection.  Answers sent after the reconnect score, the game finishes, and
the points are in the database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.domain.model import PlayerKey, ServerKey
from bot.domain.records import Period
from tests.platforms.discord.bot_harness import is_question, is_revealed, trivia_bot, word_to_type
from tests.platforms.discord.fake import FakeDiscord, FakeUser
from tests.platforms.slack.bot_harness import ALICE, BOB, answer_to, player, running_bot

RESUME = 6


def _key(fake: FakeDiscord, user: FakeUser) -> PlayerKey:
    return PlayerKey("discord", str(fake.guild.id), str(user.id))


async def _resumed(fake: FakeDiscord, times: int) -> None:
    await fake.wait_until(
        lambda: (
            fake.gateway.live and sum(f.get("op") == RESUME for f in fake.gateway.received) == times
        )
    )


async def test_discord_gateway_dropped_during_questions_resumes_and_answers_still_score(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    alice = fake.add_member(fake.guild.id, "alice")
    bob = fake.add_member(fake.guild.id, "bob")
    channel = fake.channel.id

    async with trivia_bot(fake, tmp_path) as bot:
        await fake.slash_command(
            fake.guild.id,
            channel,
            alice,
            subcommand="start",
            options={"category": "words", "rounds": 2, "mode": "text"},
        )
        q1 = await fake.wait_for_message(channel, is_question(1, 2))
        await fake.drop_gateway(code=4000)
        await _resumed(fake, 1)
        await fake.user_says(channel, alice, word_to_type(q1))
        await fake.wait_for_message(channel, is_revealed(q1))
        q2 = await fake.wait_for_message(channel, is_question(2, 2), after=q1)
        await fake.drop_gateway(code=4000)
        await _resumed(fake, 2)
        await fake.user_says(channel, bob, word_to_type(q2))
        final = await fake.wait_for_message(channel, lambda m: "Game over!" in m.text, after=q2)
        board = await bot.app.store.leaderboard(
            ServerKey("discord", str(fake.guild.id)), Period.ALL, now=datetime.now(UTC)
        )
        alice_stats = await bot.app.store.player_stats(_key(fake, alice))
        bob_stats = await bot.app.store.player_stats(_key(fake, bob))

    # Resumed, never identified again: the same session carried on.
    assert len(fake.identify_payloads) == 1
    assert fake.gateway.close_codes == [4000, 4000]
    assert "Alice **+" in fake.message(q1).text
    assert "Bob **+" in fake.message(q2).text
    assert "Alice" in final.text
    assert "Bob" in final.text
    assert alice_stats is not None
    assert bob_stats is not None
    assert (alice_stats.correct, alice_stats.games) == (1, 1)
    assert (bob_stats.correct, bob_stats.games) == (1, 1)
    assert {row.player: row.points for row in board} == {
        _key(fake, alice): alice_stats.points,
        _key(fake, bob): bob_stats.points,
    }
    assert all(row.points > 0 for row in board)


async def test_slack_socket_mode_reconnects_mid_game_and_answers_still_score(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, transport="socket") as bot:
        slack = bot.slack
        await bot.send(slack.slash_command("/trivia", "start colours", user=ALICE))
        first = await bot.question(1)
        await slack.socket_request_reconnect()
        await slack.wait_until(lambda: slack.socket.connections_opened == 2 or None)
        await bot.send(slack.message_event(answer_to(first), user=BOB))
        second = await bot.question(2)
        await slack.socket_request_reconnect()
        await slack.wait_until(lambda: slack.socket.connections_opened == 3 or None)
        await bot.send(slack.message_event(answer_to(second), user=ALICE))
        await slack.wait_for_call("chat.postMessage", lambda c: "Game over" in c["text"])
        board = await bot.app.store.leaderboard(
            player(ALICE).server_key, Period.ALL, now=datetime.now(UTC)
        )
        alice_stats = await bot.app.store.player_stats(player(ALICE))
        bob_stats = await bot.app.store.player_stats(player(BOB))

    assert len(slack.calls_to("apps.connections.open")) == 3
    # The reveal names the scorer (there is no "got it" post of its own).
    assert "🏆 *bob* got it with “blue”: +" in first.visible_text()
    assert "🏆 *alice* got it with “green”: +" in second.visible_text()
    assert slack.transcript()[-1].startswith("triviabot: *🏁 Game over!*")
    assert alice_stats is not None
    assert bob_stats is not None
    assert (alice_stats.correct, bob_stats.correct) == (1, 1)
    assert {row.player: row.points for row in board} == {
        player(ALICE): alice_stats.points,
        player(BOB): bob_stats.points,
    }
    assert all(row.points > 0 for row in board)
