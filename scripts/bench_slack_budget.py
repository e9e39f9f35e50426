"""How far one Slack workspace goes: Web API calls per question, and concurrent games.

Runs the real bot (slack-bolt over HTTP, service, SQLite) against the project's fake Slack
with Slack's limits enforced (``FakeSlack(rate_limits=...)``, ``tests/platforms/slack/fake/
limits.py``: per method per workspace, ``chat.update`` Tier 3 50/min, ``chat.postEphemeral``
Tier 4 100/min, views and lookups by their tiers; ``chat.postMessage`` 1/s per channel with
short bursts and 300/min per workspace; 429 with ``Retry-After``)::

    PYTHONPATH=. .venv/bin/python scripts/bench_slack_budget.py
    PYTHONPATH=. .venv/bin/python scripts/bench_slack_budget.py --games 4,8,12,15,18

1. **Calls per question** for each scenario of issue #16 (10-question games of 15 s
   questions, and the unanswered one at 30 s too): posts (``chat.postMessage``, limited per
   channel), tiered calls (Tier 1-4 methods, limited per method per workspace), response_url
   posts (no Web API call).  Scenario games run on a clock ``--speed`` times faster, with the
   limits and the adapter's pacing scaled alike; what they cost does not depend on it.
2. **Concurrent games** in one workspace: N games at once in N channels, each ``--rounds``
   unanswered text questions of ``--seconds`` (the dearest scenario) in real time, N raised
   step by step until the first 429 or the first late reveal (revealed more than ``--late``
   seconds after its time).  Printed: the highest clean N, the sustained bound the tiers
   give (a tier's budget a minute over what one game spends of it a minute), and the
   capacity, the lower of the two: a ramp of a few questions cannot drain a tier's burst
   (half a minute of calls), so past the sustained bound it would still look clean.

Figures are ratios of calls to questions counted in this run, never timings asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from tests.platforms.slack.fake import FakeSlack
from tests.platforms.slack.fake.limits import PER_MINUTE, POST, TIERS, RateLimits
from tests.platforms.slack.scenarios import (
    Scenario,
    Spent,
    budget_bot,
    play_scenario,
    start_game,
)

CYCLE_PAUSE = 4.0  # the default pause between questions


async def one_scenario(
    scenario: Scenario, *, speed: float, rounds: int, seconds: float
) -> tuple[Spent, Counter[str]]:
    with tempfile.TemporaryDirectory() as scratch:
        limits = RateLimits(time_scale=speed)
        async with (
            FakeSlack(rate_limits=limits) as slack,
            budget_bot(slack, Path(scratch), speed=speed, rounds=rounds, seconds=seconds) as bot,
        ):
            cost = await play_scenario(bot, scenario, rounds=rounds, seconds=seconds)
        return cost, limits.hits


async def per_question(speed: float, rounds: int) -> dict[Scenario, Spent]:
    """Prints the table; returns what each scenario cost at 15 s questions."""
    print(f"Web API calls per question ({rounds}-question games)")
    print(
        f"{'scenario':50} {'s':>3} {'posts':>6} {'tiered':>7} {'resp_url':>9}  "
        f"tiered by method{'':14} +game"
    )
    costs: dict[Scenario, Spent] = {}
    for scenario in Scenario:
        for seconds in (15.0, 30.0) if scenario is Scenario.UNANSWERED else (15.0,):
            count = min(rounds, 4) if scenario is Scenario.UNANSWERED else rounds
            cost, hits = await one_scenario(scenario, speed=speed, rounds=count, seconds=seconds)
            methods = ", ".join(
                f"{m} {cost.per_question(m):.1f}" for m in sorted(cost.by_method) if m in TIERS
            )
            print(
                f"{scenario.value:50} {seconds:3g} {cost.posts_per_question:6.2f} "
                f"{cost.tiered_per_question:7.2f} {cost.responses_per_question:9.2f}  "
                f"{methods:30} {cost.game_calls}" + (f"   (429s: {dict(hits)})" if hits else ""),
                flush=True,
            )
            if seconds == 15.0:
                costs[scenario] = cost
    return costs


def sustained_bound(costs: dict[Scenario, Spent], seconds: float) -> int | None:
    """How many games of each scenario the workspace's budgets sustain; the lowest.

    A typed question's reveal is posted when the workspace's edits are spent (the outbox),
    so for typed games ``chat.update`` spills over into the posts' budget; a question with
    buttons must be edited, so choice games are bound by ``chat.update`` itself.
    """
    per_minute = 60.0 / (seconds + CYCLE_PAUSE)
    posts_budget = float(RateLimits().workspace_posts_per_minute)
    lowest: tuple[float, str] | None = None
    for scenario, cost in costs.items():
        edits = cost.per_question("chat.update")
        budgets = {
            "chat.postEphemeral": (cost.per_question("chat.postEphemeral"), 100.0),
        }
        if scenario is Scenario.CHOICE:
            budgets["chat.update"] = (edits, float(PER_MINUTE[TIERS["chat.update"]]))
            budgets[POST] = (cost.posts_per_question, posts_budget)
        else:
            budgets[f"{POST} (+ reveals spilt over)"] = (
                cost.posts_per_question + edits,
                posts_budget,
            )
        bounds = [
            (budget / (calls * per_minute), method)
            for method, (calls, budget) in budgets.items()
            if calls > 0
        ]
        games, method = min(bounds)
        print(f"  {scenario.value:50} {games:5.1f} games ({method} binds)")
        if lowest is None or games < lowest[0]:
            lowest = (games, scenario.value)
    if lowest is None:
        return None
    print(f"  sustained bound: {int(lowest[0])} concurrent games (set by {lowest[1]})")
    return int(lowest[0])


async def concurrent(
    games: int, *, rounds: int, seconds: float, late: float
) -> tuple[int, int, float]:
    """N games at once; (429s, late reveals, worst lateness in seconds)."""
    with tempfile.TemporaryDirectory() as scratch:
        limits = RateLimits()
        async with (
            FakeSlack(rate_limits=limits) as slack,
            budget_bot(slack, Path(scratch), rounds=rounds, seconds=seconds) as bot,
        ):
            channels = [f"C0G{i:04d}" for i in range(games)]
            await asyncio.gather(
                *(
                    start_game(bot, c, scenario=Scenario.UNANSWERED, rounds=rounds, seconds=seconds)
                    for c in channels
                )
            )

            def ended() -> bool:
                return all(
                    any("Game over" in m.all_text() for m in slack.messages(c)) for c in channels
                )

            await slack.wait_until(
                lambda: ended() or None,
                timeout=rounds * (seconds + CYCLE_PAUSE) * 3 + 30,
                what="every game's end",
            )
            await bot.adapter.outbox.flush()
        worst, late_reveals, shown = 0.0, 0, 0
        for channel in channels:
            calls = [c for c in slack.calls if c.args.get("channel") == channel]
            for number in range(1, rounds + 1):
                tag = f"Question {number}/{rounds}"
                asked = next(
                    (c for c in calls if c.method == POST and tag in str(c.args.get("text"))),
                    None,
                )
                shown_at = next(
                    (
                        c.at
                        for c in calls
                        if tag in (text := str(c.args.get("text"))) and "The answer" in text
                    ),
                    None,
                )
                if asked is None or shown_at is None:
                    late_reveals += 1
                    continue
                shown += 1
                overdue = shown_at - asked.at - seconds
                worst = max(worst, overdue)
                late_reveals += overdue > late
        if limits.hits:
            print(f"    429s by scope: {dict(limits.hits)}", flush=True)
        return len(slack.rate_limited_calls), late_reveals, worst


async def capacity(steps: Sequence[int], *, rounds: int, seconds: float, late: float) -> int:
    clean = 0
    for games in steps:
        hits, late_reveals, worst = await concurrent(
            games, rounds=rounds, seconds=seconds, late=late
        )
        print(
            f"  {games:4d} games: {hits} x 429, {late_reveals} late reveals (worst {worst:+.1f} s)",
            flush=True,
        )
        if hits or late_reveals:
            break
        clean = games
    print(f"  highest clean game count {clean} (of steps {list(steps)})")
    return clean


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--speed", type=float, default=10.0, help="clock speed of scenarios")
    parser.add_argument("--rounds", type=int, default=10, help="questions per scenario game")
    parser.add_argument("--games", default="2,4,6,8,10,12,15,18,20")
    parser.add_argument("--ramp-rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--late", type=float, default=2.0)
    parser.add_argument("--skip-scenarios", action="store_true")
    parser.add_argument("--skip-ramp", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)

    async def run() -> None:
        bound = None
        if not args.skip_scenarios:
            costs = await per_question(args.speed, args.rounds)
            print(
                f"Sustained by the workspace's budgets, every game one scenario, {args.seconds:g} s"
            )
            bound = sustained_bound(costs, args.seconds)
        if args.skip_ramp:
            return
        print(
            f"Concurrent games in one workspace, {args.ramp_rounds} unanswered "
            f"{args.seconds:g} s questions each, started together"
        )
        steps = [int(n) for n in args.games.split(",") if n]
        clean = await capacity(steps, rounds=args.ramp_rounds, seconds=args.seconds, late=args.late)
        if bound is not None:
            # A short ramp cannot drain a tier's burst: past the sustained bound it would
            # still look clean for a while.
            print(f"Capacity per workspace: {min(clean, bound)} concurrent games")

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
