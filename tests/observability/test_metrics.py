"""``/metrics``: what a short game through the service leaves in the Prometheus text."""

from __future__ import annotations

from pathlib import Path

from bot.clock import ManualClock
from bot.domain.commands import PickChoice, StartGame, StopGame, SubmitAnswer
from bot.observability.health import Health, always
from bot.observability.http import observability_server
from bot.observability.instrument import CommandMeter
from bot.observability.metrics import Metrics
from tests.fakes import RecordingSink
from tests.helpers import free_port

from .apps import CHANNEL, OTHER_CHANNEL, actor, current_answer, instrumented_app
from .scrape import Scraped, get, scraped

ALICE, BOB = actor("alice"), actor("bob")


async def test_a_short_game_is_counted_timed_and_served_as_prometheus_text(
    tmp_path: Path,
) -> None:
    sink, clock, metrics = RecordingSink(), ManualClock(), Metrics(platform="discord")
    port = free_port()
    health = Health(platform_connected=always, database_writable=always)
    async with (
        instrumented_app(tmp_path, sink=sink, clock=clock, metrics=metrics) as app,
        observability_server(health=health, metrics=metrics, port=port, host="127.0.0.1"),
    ):
        url = f"http://127.0.0.1:{port}/metrics"
        before = Scraped.parse((await get(url)).body)
        await app.service.handle(StartGame(channel=CHANNEL, actor=ALICE, category="colours"))
        during = Scraped.parse((await get(url)).body)
        await app.service.handle(SubmitAnswer(channel=CHANNEL, actor=BOB, text="purple"))
        await app.service.handle(
            SubmitAnswer(channel=CHANNEL, actor=ALICE, text=current_answer(sink))
        )
        await app.service.handle(StopGame(channel=CHANNEL, actor=ALICE))
        answer = await get(url)
    after = Scraped.parse(answer.body)

    assert answer.content_type.startswith("text/plain; version=0.0.4")
    assert before.value("trivia_games_running") == 0
    assert during.value("trivia_games_running") == 1
    assert after.value("trivia_games_running") == 0
    assert after.value("trivia_questions_asked_total") == 1
    assert after.value("trivia_answers_received_total") == 2
    assert after.value("trivia_answers_accepted_total") == 1
    # Both answers fall into the histogram; the slowest bucket holds every one.
    assert after.value("trivia_answer_handling_seconds_count") == 2
    assert after.value("trivia_answer_handling_seconds_bucket", le="+Inf") == 2
    assert after.value("trivia_answer_handling_seconds_bucket", le="5.0") == 2
    assert 0 < after.value("trivia_answer_handling_seconds_sum") < 5  # type: ignore[operator]
    # Every store call is timed by operation.
    for operation in ("journal_game", "asked_questions", "record_answers", "record_game"):
        count = after.value("trivia_db_operation_seconds_count", operation=operation)
        assert (count or 0) >= 1, operation
    assert after.value("trivia_db_operation_seconds_bucket", operation="record_game", le="+Inf")
    # The platform's series exist from the start, at zero.
    assert after.value("trivia_platform_errors_total", platform="discord") == 0
    assert after.value("trivia_rate_limit_hits_total", platform="discord") == 0
    assert "process_resident_memory_bytes" in after.names()


async def test_games_in_several_channels_are_counted_together(tmp_path: Path) -> None:
    sink, clock, metrics = RecordingSink(), ManualClock(), Metrics(process=False)
    async with instrumented_app(tmp_path, sink=sink, clock=clock, metrics=metrics) as app:
        await app.service.handle(StartGame(channel=CHANNEL, actor=ALICE, category="colours"))
        other = actor("carol", OTHER_CHANNEL)
        await app.service.handle(StartGame(channel=OTHER_CHANNEL, actor=other, rounds=1))
        running = scraped(metrics).value("trivia_games_running")
        await app.service.handle(StopGame(channel=CHANNEL, actor=ALICE))
        one_left = scraped(metrics).value("trivia_games_running")

    assert (running, one_left) == (2, 1)
    assert scraped(metrics).value("trivia_questions_asked_total") == 2


def test_only_answers_are_counted_and_timed() -> None:
    metrics = Metrics(process=False)
    meter = CommandMeter(metrics)

    meter.handled(SubmitAnswer(channel=CHANNEL, actor=ALICE, text="blue"), 0.002)
    meter.handled(PickChoice(channel=CHANNEL, actor=ALICE, question_number=1, choice=0), 0.02)
    meter.handled(StartGame(channel=CHANNEL, actor=ALICE), 3.0)
    found = scraped(metrics)

    assert found.value("trivia_answers_received_total") == 2
    assert found.value("trivia_answer_handling_seconds_bucket", le="0.0025") == 1
    assert found.value("trivia_answer_handling_seconds_bucket", le="0.025") == 2
    assert found.value("trivia_answer_handling_seconds_sum") == 0.022


def test_each_app_counts_in_its_own_registry() -> None:
    first, second = Metrics(platform="slack"), Metrics(platform="slack")

    first.questions_asked.inc()
    first.platform("slack").rate_limited()

    assert scraped(first).value("trivia_questions_asked_total") == 1
    assert scraped(first).value("trivia_rate_limit_hits_total", platform="slack") == 1
    assert scraped(second).value("trivia_questions_asked_total") == 0
    assert scraped(second).value("trivia_rate_limit_hits_total", platform="slack") == 0


async def test_a_postgresql_store_shows_its_pool_and_answers_health(
    tmp_path: Path, postgres_dsn: str
) -> None:
    metrics = Metrics(process=False)
    sink, clock = RecordingSink(), ManualClock()
    async with instrumented_app(
        tmp_path, sink=sink, clock=clock, metrics=metrics, db=postgres_dsn
    ) as app:
        await app.service.handle(StartGame(channel=CHANNEL, actor=actor("alice")))
        writable = await app.database_writable()
        found = scraped(metrics)

    assert writable
    opened = found.value("trivia_db_pool_connections", state="open")
    assert opened is not None
    assert opened >= 1
    assert found.value("trivia_db_pool_wait_seconds") is not None


async def test_a_sqlite_store_has_no_pool_to_show(tmp_path: Path) -> None:
    metrics = Metrics(process=False)
    async with instrumented_app(
        tmp_path, sink=RecordingSink(), clock=ManualClock(), metrics=metrics
    ):
        found = scraped(metrics)

    assert found.value("trivia_db_pool_connections", state="open") == 0
