"""Three Slack replicas behind a round-robin front share an org's workspaces (issue #15).

Real processes (``python -m bot run slack --http``), one PostgreSQL schema, NATS; the
fake Slack delivers each request to the next replica in turn, so a game's start, its
answers and its timers land on different processes.  Every game plays to the end and
each answer is scored once; an answer Slack delivers again to another replica is
recognised there (the event ids are in the database) and changes nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.platforms.slack.fake import ApiCall, FakeWorkspace
from tests.platforms.slack.replicas.checks import announced_points, question_word, scored
from tests.platforms.slack.replicas.harness import Cluster, cluster

pytestmark = pytest.mark.slow

ROUNDS = 3
#: Slack's limit for answering a request.
ACK_WITHIN = 3.0


def asked(ws: FakeWorkspace, number: int) -> Callable[[ApiCall], bool]:
    def probe(call: ApiCall) -> bool:
        return call.team_id == ws.team_id and f"Question {number}/{ROUNDS}" in str(
            call.args.get("text", "")
        )

    return probe


async def refused_elsewhere(cl: Cluster, ws: FakeWorkspace) -> float:
    """``/trivia start`` again, sent to a replica that does not own ``ws``: how long until
    its sender reads the refusal (the owner answers it, the command having been forwarded)."""
    owner = await cl.owner(ws.team_id)
    assert owner is not None
    elsewhere = next(r.url for r in cl.replicas if r is not owner)
    seen = len(ws.ephemerals(ws.default_user))
    started = time.perf_counter()
    await cl.slack.deliver(
        ws.slash_command("/trivia", "start", user=ws.default_user), target=elsewhere
    )
    await cl.slack.wait_until(
        lambda: (
            True
            if any("already running" in e.all_text() for e in ws.ephemerals(ws.default_user)[seen:])
            else None
        ),
        timeout=10,
        what=f"the refusal in {ws.team_id}",
    )
    return time.perf_counter() - started


async def play(cl: Cluster, ws: FakeWorkspace, answered: list[float]) -> list[float]:
    """A game in ``ws`` from ``/trivia start`` to its end, every question answered by one
    of two players taking turns; how long each request took to be acknowledged."""
    players = [ws.add_user(f"W0{ws.team_id[2:]}P{i}", f"p{i}").id for i in (1, 2)]
    acks = []
    started = await cl.slack.deliver(ws.slash_command("/trivia", "start", user=ws.default_user))
    acks.append(started.reply.elapsed)
    for number in range(1, ROUNDS + 1):
        call = await cl.slack.wait_for_call("chat.postMessage", asked(ws, number), timeout=15)
        word = question_word(str(call.args.get("text", "")))
        assert word is not None
        request = ws.message_event(word, user=players[number % 2])
        delivery = await cl.slack.deliver(request)
        acks.append(delivery.reply.elapsed)
        assert delivery.reply.status == 200
        if number == 1:
            answered.append(await refused_elsewhere(cl, ws))
            # Slack thinks it timed out and sends it again; the balancer picks another replica.
            elsewhere = next(r.url for r in cl.replicas if r.url != delivery.target)
            again = await cl.slack.deliver(
                request, target=elsewhere, retry_num=1, retry_reason="http_timeout"
            )
            assert again.reply.status == 200
    await cl.slack.wait_until(
        lambda: True if any("Game over" in line for line in ws.transcript()) else None,
        timeout=15,
        what=f"the game in {ws.team_id} to end",
    )
    return acks


async def test_three_replicas_play_games_in_several_workspaces_each_answer_scored_once(
    tmp_path: Path, cli_env: dict[str, str], postgres_dsn: str, nats_url: str
) -> None:
    async with cluster(
        tmp_path,
        cli_env,
        dsn=postgres_dsn,
        nats=nats_url,
        # Four workspaces over three replicas: however the games interleave, a workspace's
        # requests cannot all land on its owner.
        workspaces=("East", "West", "North", "South"),
        TRIVIA_ROUNDS=str(ROUNDS),
    ) as cl:
        answered: list[float] = []
        acks = await asyncio.wait_for(
            asyncio.gather(*(play(cl, ws, answered) for ws in cl.workspaces)), 60
        )
        results = {ws.team_id: await scored(cl, ws.team_id) for ws in cl.workspaces}
        announced = {ws.team_id: announced_points(cl.slack, ws.team_id) for ws in cl.workspaces}
        games = await cl.fetch("SELECT reason, questions_asked FROM games")
        forwarded = sum(len(r.saw("forwarded by another replica")) for r in cl.replicas)
        redelivered = sum(len(r.saw("delivered again (retry 1)")) for r in cl.replicas)
        codes = await asyncio.gather(*(r.stop() for r in cl.replicas))

    assert codes == [0] * len(cl.replicas)
    assert max(a for per_game in acks for a in per_game) < ACK_WITHIN
    # A game command sent to a replica that does not own the workspace is answered by the
    # owner within Slack's 3 s.
    assert len(answered) == len(cl.workspaces)
    assert max(answered) < ACK_WITHIN
    assert sorted((g[0], g[1]) for g in games) == [("completed", ROUNDS)] * len(cl.workspaces)
    for team, result in results.items():
        assert result["twice"] == 0, team
        assert result["answers"] == result["totals"] == announced[team] > 0, (team, result)
    # Round robin over three replicas: most answers reached a replica that does not own
    # their workspace, and were forwarded to the one that does.
    assert forwarded >= len(cl.workspaces)
    # Each redelivery was recognised by the replica it reached, which never saw it before.
    assert redelivered == len(cl.workspaces)
