"""Where a Slack command runs among replicas (``routing.route``), and game commands on the
wire between them (``forwarding.codec``): pure, no processes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.adapters.slack.routing import RunHere, SendTo, current_request, note_request, route
from bot.coordination import LeaseHeld
from bot.domain.commands import (
    Command,
    PickChoice,
    RequestHint,
    ShowLeaderboard,
    ShowScore,
    ShowStats,
    SkipQuestion,
    StartGame,
    StopGame,
    SubmitAnswer,
)
from bot.domain.model import Actor, ChannelKey, GameMode, PlayerKey
from bot.domain.records import Period
from bot.forwarding.codec import (
    Applied,
    BadMessage,
    Forwarded,
    decode,
    decode_reply,
    encode,
    encode_reply,
    subject_for,
)

ME = "host-b pid 20 started 2026-01-01T00:01:00.000Z"
OTHER = "host-a pid 10 started 2026-01-01T00:00:00.000Z"
CHANNEL = ChannelKey("slack", "T0EAST", "C0GEN")
ALICE = Actor(
    PlayerKey("slack", "T0EAST", "W0ALICE"), "alice", is_admin=True, roles=frozenset({"r"})
)
ANSWER = SubmitAnswer(CHANNEL, ALICE, "paris")


def lease(holder: str, remaining: float) -> LeaseHeld:
    return LeaseHeld(
        "slack:workspace:T0EAST", holder, 3, datetime(2026, 1, 1, tzinfo=UTC), remaining
    )


@pytest.mark.parametrize(
    ("command", "mine", "held", "expected"),
    [
        (ANSWER, True, None, RunHere()),
        (ANSWER, False, None, RunHere(take=True)),
        (ANSWER, False, lease(OTHER, -0.5), RunHere(take=True)),
        (ANSWER, False, lease(ME, 2.0), RunHere(take=True)),
        (ANSWER, False, lease(OTHER, 2.0), SendTo(OTHER)),
        (StopGame(CHANNEL, ALICE), False, lease(OTHER, 2.0), SendTo(OTHER)),
        (ShowLeaderboard(CHANNEL, ALICE, Period.ALL), False, lease(OTHER, 2.0), RunHere()),
        (ShowStats(CHANNEL, ALICE), False, lease(OTHER, 2.0), RunHere()),
    ],
    ids=[
        "mine",
        "nobody-holds-it",
        "expired",
        "ours-from-before",
        "another-replica-owns-it",
        "stop-goes-to-the-owner",
        "leaderboard-runs-where-it-lands",
        "stats-run-where-they-land",
    ],
)
def test_a_game_command_runs_on_its_workspaces_owner_and_anything_else_where_it_lands(
    command: Command, mine: bool, held: LeaseHeld | None, expected: object
) -> None:
    assert route(command, mine=mine, lease=held, me=ME) == expected


GAME_COMMANDS: list[Command] = [
    StartGame(CHANNEL, ALICE, rounds=5, seconds=12.5, mode=GameMode.CHOICE, category="geo"),
    StartGame(CHANNEL, ALICE, tags=("a", "b")),
    SubmitAnswer(CHANNEL, ALICE, "Pokémon 🍕"),
    PickChoice(CHANNEL, ALICE, question_number=3, choice=1),
    RequestHint(CHANNEL, ALICE),
    SkipQuestion(CHANNEL, ALICE),
    StopGame(CHANNEL, ALICE),
    ShowScore(CHANNEL, ALICE),
]


@pytest.mark.parametrize("command", GAME_COMMANDS, ids=lambda c: type(c).__name__)
def test_every_game_command_crosses_the_wire_unchanged(command: Command) -> None:
    sent = Forwarded("Ev123", command, "https://hooks.slack.test/r/1")  # type: ignore[arg-type]
    assert decode(encode(sent)) == sent


def test_replies_cross_the_wire_unchanged() -> None:
    for reply in (Applied("Ev1"), Applied("Ev1", duplicate=True), Applied("Ev1", owner=False)):
        assert decode_reply(encode_reply(reply)) == reply


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[1]",
        b'{"v": 2, "id": "x", "response_url": null, "command": {}}',
        b'{"v": 1, "id": "x", "response_url": null, "command": {"type": "DropTables"}}',
        encode(Forwarded("x", ANSWER)).replace(b'"paris"', b"7"),
    ],
    ids=["garbage", "not-an-object", "another-version", "unknown-command", "wrong-type"],
)
def test_what_is_not_a_forwarded_command_is_refused(data: bytes) -> None:
    with pytest.raises(BadMessage):
        decode(data)


def test_each_replica_has_a_subject_of_its_own_that_nats_accepts() -> None:
    subjects = {subject_for(ME), subject_for(OTHER)}
    assert len(subjects) == 2
    assert all(s.startswith("trivia.replica.") and " " not in s for s in subjects)
    assert subject_for(ME) == subject_for(ME)


async def test_a_request_is_known_by_its_event_id_or_trigger_id_in_its_own_task() -> None:
    async def noted(body: dict[str, str]) -> tuple[str | None, str | None]:
        note_request(body)
        await asyncio.sleep(0)
        found = current_request()
        return found.request_id, found.response_url

    both = await asyncio.gather(
        noted({"event_id": "Ev1"}),
        noted({"trigger_id": "13.45", "response_url": "https://hooks.slack.test/r"}),
    )

    assert both == [("Ev1", None), ("13.45", "https://hooks.slack.test/r")]
    assert current_request().request_id is None  # this task handled no request
