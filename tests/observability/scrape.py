"""Reading what ``/metrics`` and ``/healthz`` answer, for the observability tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.observability.metrics import Metrics


@dataclass(frozen=True, slots=True)
class Scraped:
    """The samples of one ``/metrics`` answer: ``value(name, **labels)``."""

    samples: dict[tuple[str, frozenset[tuple[str, str]]], float]

    @classmethod
    def parse(cls, text: str) -> Scraped:
        return cls(
            {
                (sample.name, frozenset(sample.labels.items())): sample.value
                for family in text_string_to_metric_families(text)
                for sample in family.samples
            }
        )

    def value(self, name: str, **labels: str) -> float | None:
        return self.samples.get((name, frozenset(labels.items())))

    def names(self) -> set[str]:
        return {name for name, _ in self.samples}


def scraped(metrics: Metrics) -> Scraped:
    """The metrics as ``/metrics`` would serve them, without HTTP."""
    return Scraped.parse(metrics.exposition().decode())


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    content_type: str
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


async def get(url: str) -> Answer:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return Answer(response.status, response.headers["Content-Type"], await response.text())
