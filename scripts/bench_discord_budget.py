"""How far one Discord bot token goes: REST calls per question, and concurrent games.

Runs the real bot (discord.py, service, SQLite) against the project's fake Discord with
Discord's limits enforced (``FakeDiscord(rate_limits=True)``: 50 requests/s per token,
interaction endpoints exempt; per-route buckets with ``X-RateLimit-*`` headers; 5 calls per
2 s per interaction webhook)::

    PYTHONPATH=. .venv/bin/python scripts/bench_discord_budget.py
    PYTHONPATH=. .venv/bin/python scripts/bench_discord_budget.py --games 250,500,1000,1250

1. **Calls per question** for each scenario of issue #16, for a game started by
   ``/trivia start`` (it may use the interaction's webhook) and for one started without an
   interaction (a scheduled or resumed game: the bot's own channel calls).  Scenario games
   run on a fast clock (``--speed``); what they cost does not depend on it.
2. **Concurrent games**: N games at once in N channels, each ``--rounds`` unanswered text
   questions of ``--seconds`` (the dearest scenario) in real time, N raised step by step
   until the first 429 or the first late reveal (a question revealed more than
   ``--late`` seconds after its time).  Printed: the highest clean N, for games started
   by ``/trivia start`` and for games without an interaction.

Figures are ratios of calls to questions counted in this run, never timings asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from tests.platforms.budget_scenarios import write_budget_bank
from tests.platforms.discord.bot_harness import trivia_bot
from tests.platforms.discord.fake import FakeDiscord
from tests.platforms.discord.fake.limits import RateLimits
from tests.platforms.discord.scenarios import (
    Players,
    Scenario,
    play_scenario,
    questions_in,
    start_game,
)


async def per_question(speed: float, rounds: int) -> None:
    print(f"REST calls per question ({rounds}-question games, 15 s questions)")
    print(f"{'scenario':52} {'started by':>12} {'billed':>7} {'webhook':>8} {'+game':>6}")
    for by_interaction in (True, False):
        for scenario in Scenario:
            with tempfile.TemporaryDirectory() as scratch:
                directory = Path(scratch)
                # The limits' windows shrink with the clock: 5 posts per 5 s stay 5 per question.
                async with (
                    FakeDiscord(rate_limits=RateLimits(time_scale=speed)) as fake,
                    trivia_bot(
                        fake,
                        directory,
                        speed=speed,
                        questions=(write_budget_bank(directory),),
                    ) as bot,
                ):
                    count = min(rounds, 3) if scenario is Scenario.UNANSWERED else rounds
                    cost = await play_scenario(
                        fake,
                        bot,
                        scenario,
                        by_interaction=by_interaction,
                        rounds=count,
                        speed=speed,
                    )
                    hits = fake.rate_limited
            start = "/trivia start" if by_interaction else "no command"
            print(
                f"{scenario.value:52} {start:>12} {cost.billed_per_question:7.2f} "
                f"{cost.webhook_per_question:8.2f} {cost.billed_game:3d}+{cost.webhook_game}"
                + (f"   ({hits} x 429)" if hits else "")
            )


async def concurrent(
    games: int, *, by_interaction: bool, rounds: int, seconds: float, late: float
) -> tuple[int, int, float]:
    """N games at once; (429s, late reveals, worst lateness in seconds)."""
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        async with FakeDiscord(rate_limits=True) as fake:
            guild = fake.guild.id
            channels = [fake.channel.id] + [
                fake.add_channel(guild, f"trivia-{i}").id for i in range(1, games)
            ]
            who = Players.join(fake, guild)
            async with trivia_bot(
                fake, directory, questions=(write_budget_bank(directory),)
            ) as bot:
                # Games start over one question's time, not all in the same instant
                # (players do not type /trivia start in step), at a steady pace.
                began = time.monotonic()
                for index, channel in enumerate(channels):
                    await asyncio.sleep(
                        max(0.0, began + index * seconds / games - time.monotonic())
                    )
                    await start_game(
                        fake,
                        bot,
                        channel,
                        who.alice,
                        scenario=Scenario.UNANSWERED,
                        rounds=rounds,
                        seconds=seconds,
                        by_interaction=by_interaction,
                    )

                def ended() -> bool:
                    return all(
                        any("Game over!" in m.text for m in fake.channel_messages(c, from_bot=True))
                        for c in channels
                    )

                deadline = time.monotonic() + rounds * (seconds + late) * 3 + 30
                # Polled: a predicate over every channel is too dear to run on each request.
                while not ended() and time.monotonic() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(1.0)
                await bot.adapter.outbound.flush()
            worst = 0.0
            late_reveals = 0
            for question in questions_in(fake, channels):
                created = datetime.fromisoformat(question.raw["timestamp"])
                edited = datetime.fromisoformat(question.raw["edited_timestamp"])
                overdue = (edited - created).total_seconds() - seconds
                worst = max(worst, overdue)
                late_reveals += overdue > late
            shown = len(questions_in(fake, channels))
            late_reveals += games * rounds - shown  # never revealed at all
            if fake.limits is not None and fake.limits.hits:
                print(f"    429s by scope: {fake.limits.hits}", flush=True)
            return fake.rate_limited, late_reveals, worst


async def capacity(
    steps: Sequence[int], *, by_interaction: bool, rounds: int, seconds: float, late: float
) -> None:
    start = "/trivia start" if by_interaction else "no command"
    clean = 0
    for games in steps:
        hits, late_reveals, worst = await concurrent(
            games, by_interaction=by_interaction, rounds=rounds, seconds=seconds, late=late
        )
        print(
            f"  {start:>13}: {games:5d} games: {hits} x 429, {late_reveals} late reveals "
            f"(worst {worst:+.1f} s)",
            flush=True,
        )
        if hits or late_reveals:
            break
        clean = games
    print(f"  {start:>13}: highest clean game count {clean} (of steps {list(steps)})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speed", type=float, default=10.0, help="clock speed of scenarios")
    parser.add_argument("--rounds", type=int, default=10, help="questions per scenario game")
    parser.add_argument("--games", default="100,200,300,400,600,800,1000,1250")
    parser.add_argument("--fallback-games", default="", help="steps without an interaction")
    parser.add_argument("--ramp-rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--late", type=float, default=2.0)
    parser.add_argument("--skip-scenarios", action="store_true")
    parser.add_argument("--skip-ramp", action="store_true")
    parser.add_argument("--skip-fallback-ramp", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)

    async def run() -> None:
        if not args.skip_scenarios:
            await per_question(args.speed, args.rounds)
        if args.skip_ramp:
            return
        print(f"Concurrent games, {args.ramp_rounds} unanswered {args.seconds:g} s questions")
        steps = [int(n) for n in args.games.split(",") if n]
        await capacity(
            steps,
            by_interaction=True,
            rounds=args.ramp_rounds,
            seconds=args.seconds,
            late=args.late,
        )
        if args.skip_fallback_ramp:
            return
        fallback = [int(n) for n in (args.fallback_games or args.games).split(",") if n]
        await capacity(
            fallback,
            by_interaction=False,
            rounds=args.ramp_rounds,
            seconds=args.seconds,
            late=args.late,
        )

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
