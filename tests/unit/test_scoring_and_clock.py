"""Scoring rules, the manual clock the core's tests run on, and the system clock."""

from __future__ import annotations

import asyncio

import pytest

from bot.clock import ManualClock, SystemClock
from bot.domain.model import Difficulty
from bot.domain.scoring import ScoringRules

RULES = ScoringRules()


@pytest.mark.parametrize(
    ("difficulty", "elapsed", "streak", "hints", "total"),
    [
        (Difficulty.EASY, 30, 1, 0, 10),  # at the buzzer: base only
        (Difficulty.MEDIUM, 0, 1, 0, 30),  # at once: +50 %
        (Difficulty.HARD, 15, 1, 0, 38),  # half the time left: +25 %
        (Difficulty.MEDIUM, 30, 3, 0, 24),  # third in a row: +4
        (Difficulty.MEDIUM, 30, 20, 0, 30),  # the streak bonus stops at +10
        (Difficulty.MEDIUM, 30, 1, 1, 15),  # one hint: a quarter off
        (Difficulty.MEDIUM, 30, 1, 9, 5),  # never more than three quarters off
        (Difficulty.EASY, 45, 1, 0, 10),  # late by a hair: no negative bonus
    ],
)
def test_points(
    difficulty: Difficulty, elapsed: float, streak: int, hints: int, total: int
) -> None:
    points = RULES.score(difficulty, elapsed=elapsed, seconds=30, streak=streak, hints_shown=hints)
    assert points.total == total
    assert points.total == (
        points.base - points.hint_penalty + points.speed_bonus + points.streak_bonus
    )


async def test_sleepers_wake_in_deadline_order_as_time_advances() -> None:
    clock = ManualClock(start=0)
    woke: list[str] = []

    async def sleeper(name: str, deadline: float) -> None:
        await clock.sleep_until(deadline)
        woke.append(f"{name}@{clock.monotonic():g}")

    tasks = [asyncio.create_task(sleeper(n, d)) for n, d in (("b", 20), ("a", 10), ("c", 30))]
    await clock.advance(25)
    assert woke == ["a@10", "b@20"]
    assert clock.pending == 1
    await clock.advance(5)
    assert woke == ["a@10", "b@20", "c@30"]
    await asyncio.gather(*tasks)


async def test_a_cancelled_sleeper_is_forgotten() -> None:
    clock = ManualClock(start=0)
    task = asyncio.create_task(clock.sleep_until(5))
    await clock.settle()
    task.cancel()
    await clock.advance(10)
    assert task.cancelled()
    assert clock.pending == 0


async def test_wall_time_moves_with_the_clock() -> None:
    clock = ManualClock(start=100)
    before = clock.now()
    await clock.advance(90)
    assert (clock.now() - before).total_seconds() == 90


async def test_the_system_clock_sleeps_again_when_the_loop_wakes_it_before_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An event loop that ends every sleep 1 ms early, as uvloop's millisecond timers
    # sometimes do: the deadline is still never slept short of.
    now = [100.0]
    slept: list[float] = []

    async def early_sleep(delay: float) -> None:
        slept.append(delay)
        now[0] += max(delay - 0.001, 0.0005)

    monkeypatch.setattr("bot.clock.time.monotonic", lambda: now[0])
    monkeypatch.setattr("bot.clock.asyncio.sleep", early_sleep)

    await SystemClock().sleep_until(100.25)

    assert now[0] >= 100.25
    # 0.25 s asked for, woken 1 ms short; then what was left (1 ms, then half of it).
    assert slept == pytest.approx([0.25, 0.001, 0.0005])
