"""The bot's Prometheus metrics, in a registry of their own.

One ``Metrics`` per app, never prometheus_client's global registry: two apps in
one process (tests build dozens) keep separate counts, and registering the same
names twice is not an error.  docs/observability.md lists every metric.

``PlatformMeter`` is the part an adapter sees: callables for a failure on its
platform, a rate-limit hit and an inbound gateway event (by shard), so adapters
report without knowing about Prometheus.  A sharded adapter also hands its
shards' states to ``watch_shards``: each shard's connection and heartbeat
latency are read from it at scrape time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.observability.shards import ShardStates

#: Handling an answer is a lock, a fuzzy match and, when it scores, a commit:
#: normally a few milliseconds; the top buckets catch a database that stalls.
ANSWER_BUCKETS: Final = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
)
#: A committed batch takes ~1-10 ms; the busy timeout (5 s) bounds a locked database.
DB_BUCKETS: Final = ANSWER_BUCKETS
#: The classic text format: what ``generate_latest`` writes for plain names like
#: ours.  Newer prometheus-client versions label it 1.0.0; 0.0.4 is the label
#: every scraper knows, whatever its age.
CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"


def _nothing() -> None:
    return None


def _nothing_on(shard: int) -> None:
    return None


@dataclass(frozen=True, slots=True)
class PlatformMeter:
    """What an adapter reports about its platform. The default counts nothing."""

    error: Callable[[], None] = _nothing
    rate_limited: Callable[[], None] = _nothing
    #: An inbound gateway event (a message, an interaction) arrived on this shard.
    received: Callable[[int], None] = _nothing_on


class _ShardCollector(Collector):
    """``trivia_gateway_connected`` and ``trivia_gateway_latency_seconds``, read from the
    watched adapters' shard states at each scrape (shards come and go with the client)."""

    def __init__(self) -> None:
        self.watched: dict[str, ShardStates] = {}

    def describe(self) -> Iterable[Metric]:
        return self._families()

    def collect(self) -> Iterable[Metric]:
        connected, latency = self._families()
        for platform, states in self.watched.items():
            for state in states():
                labels = [platform, str(state.id)]
                connected.add_metric(labels, 1.0 if state.connected else 0.0)
                if state.latency is not None:
                    latency.add_metric(labels, state.latency)
        return [connected, latency]

    @staticmethod
    def _families() -> list[GaugeMetricFamily]:
        labels = ["platform", "shard"]
        return [
            GaugeMetricFamily(
                "trivia_gateway_connected",
                "1 while the shard's gateway connection is ready and open, else 0.",
                labels=labels,
            ),
            GaugeMetricFamily(
                "trivia_gateway_latency_seconds",
                "Heartbeat round trip of the shard's gateway connection (absent until measured).",
                labels=labels,
            ),
        ]


class Metrics:
    """The metric set of one app. ``platform`` starts its labelled series at 0."""

    def __init__(
        self,
        *,
        platform: str | None = None,
        registry: CollectorRegistry | None = None,
        process: bool = True,
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self._games: Callable[[], int] = lambda: 0
        self.games_running = Gauge(
            "trivia_games_running", "Games running now, all channels together.", registry=r
        )
        # Read at scrape time from the service: never out of step with it.
        self.games_running.set_function(lambda: float(self._games()))
        self.questions_asked = Counter(
            "trivia_questions_asked", "Questions put to players.", registry=r
        )
        self.answers_received = Counter(
            "trivia_answers_received",
            "Answers (typed guesses and option picks) handled in channels with a game.",
            registry=r,
        )
        self.answers_accepted = Counter(
            "trivia_answers_accepted",
            "Answers that scored (one per award, committed before it was announced).",
            registry=r,
        )
        self.answer_seconds = Histogram(
            "trivia_answer_handling_seconds",
            "Time the service took to handle one answer: judging it, committing a point, "
            "publishing the events.",
            buckets=ANSWER_BUCKETS,
            registry=r,
        )
        self.platform_errors = Counter(
            "trivia_platform_errors",
            "Inbound events the adapter failed to handle, and calls to the platform's API "
            "that failed.",
            ["platform"],
            registry=r,
        )
        self.rate_limit_hits = Counter(
            "trivia_rate_limit_hits",
            "Responses telling the bot to slow down (HTTP 429), each retried after the wait.",
            ["platform"],
            registry=r,
        )
        self.db_seconds = Histogram(
            "trivia_db_operation_seconds",
            "Time of each store operation, queueing for the writer included.",
            ["operation"],
            buckets=DB_BUCKETS,
            registry=r,
        )
        self.db_errors = Counter(
            "trivia_db_errors", "Store operations that raised.", ["operation"], registry=r
        )
        self._pool: Callable[[], tuple[int, int, float] | None] = lambda: None
        self.db_pool_connections = Gauge(
            "trivia_db_pool_connections",
            "Connections the store holds to its database (PostgreSQL's pool), open and idle.",
            ["state"],
            registry=r,
        )
        self.db_pool_connections.labels(state="open").set_function(lambda: self._pool_at(0))
        self.db_pool_connections.labels(state="idle").set_function(lambda: self._pool_at(1))
        self.db_pool_wait_seconds = Gauge(
            "trivia_db_pool_wait_seconds",
            "Seconds spent so far waiting for a free connection of the pool (grows when "
            "the pool is too small for the load).",
            registry=r,
        )
        self.db_pool_wait_seconds.set_function(lambda: self._pool_at(2))
        self.gateway_events = Counter(
            "trivia_gateway_events_received",
            "Inbound gateway events the adapter handled (messages, interactions), by the "
            "shard that carried them.",
            ["platform", "shard"],
            registry=r,
        )
        self._shards = _ShardCollector()
        r.register(self._shards)
        if process:
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)
        if platform is not None:
            self.platform(platform)

    def watch_games(self, count: Callable[[], int]) -> None:
        """Read ``trivia_games_running`` from ``count`` (``lambda: service.active_games``)."""
        self._games = count

    def watch_pool(self, stats: Callable[[], tuple[int, int, float] | None]) -> None:
        """Read the pool's figures from ``stats`` (the store's ``pool_stats``)."""
        self._pool = stats

    def watch_shards(self, platform: str, states: ShardStates) -> None:
        """Read ``platform``'s gateway series from ``states`` at each scrape."""
        self._shards.watched[platform] = states

    def _pool_at(self, index: int) -> float:
        stats = self._pool()
        return float(stats[index]) if stats is not None else 0.0

    def platform(self, name: str) -> PlatformMeter:
        """The meter an adapter of platform ``name`` reports through."""
        errors = self.platform_errors.labels(platform=name)
        limits = self.rate_limit_hits.labels(platform=name)
        events = self.gateway_events

        def received(shard: int) -> None:
            events.labels(platform=name, shard=str(shard)).inc()

        return PlatformMeter(error=errors.inc, rate_limited=limits.inc, received=received)

    def exposition(self) -> bytes:
        """Every metric in Prometheus' text format (``CONTENT_TYPE``)."""
        return generate_latest(self.registry)
