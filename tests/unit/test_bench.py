"""trivia-bot bench runs every measurement (tiny sizes here; figures are not asserted)."""

from __future__ import annotations

from pathlib import Path

from bot.app.bench import TARGETS, run_bench, verdicts
from bot.storage.bench import percentile


async def test_the_benchmark_measures_every_target(tmp_path: Path) -> None:
    steps: list[str] = []
    figures = await run_bench(
        channels=5,
        players=2,
        seconds=0.3,
        paced_rate=200,
        million=500,
        bank_questions=50,
        directory=tmp_path,
        progress=steps.append,
    )
    assert figures.raw_sqlite_rows_per_s > 0
    assert figures.store_points_per_s > 0
    assert figures.saturated_answers_per_s > 0
    assert figures.paced_answers_per_s > 0
    assert figures.memory_per_game_bytes > 0
    assert set(figures.query_p99_ms) >= {"leaderboard all", "player stats"}
    assert figures.bank_cold_s > 0
    assert len(verdicts(figures)) == len(TARGETS)
    assert "commit_ratio" in figures.as_json()
    assert len(steps) >= 7
    # Its databases are cleaned up (a blocking listing is fine in a test).
    assert list(tmp_path.iterdir()) == []  # noqa: ASYNC240


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values[::-1], 0.5) == 51.0  # the order given does not matter
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([], 0.99) == 0.0
