"""``GET /healthz`` and ``GET /metrics`` over aiohttp.

``add_routes`` puts both on any aiohttp application, so Slack's HTTP mode
serves them next to ``/slack/events``; ``observability_server`` serves them
alone on ``TRIVIA_HTTP_PORT``.

``/healthz`` answers 200 with ``{"status": "ok", "platform": "connected",
"database": "writable"}``, or 503 with status "failing" and the failing parts
named (``HealthReport.as_json``).  ``/metrics`` is Prometheus' text format.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from aiohttp import web

from bot.observability.health import Health
from bot.observability.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)

HEALTHZ: Final = "/healthz"
METRICS: Final = "/metrics"
ALL_INTERFACES: Final = "0.0.0.0"


def add_routes(app: web.Application, *, health: Health, metrics: Metrics) -> None:
    """Serve ``/healthz`` and ``/metrics`` from ``app`` (before it starts)."""

    async def healthz(request: web.Request) -> web.Response:
        report = await health.check()
        return web.json_response(report.as_json(), status=200 if report.ok else 503)

    async def exposition(request: web.Request) -> web.Response:
        return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})

    app.router.add_get(HEALTHZ, healthz)
    app.router.add_get(METRICS, exposition)


@asynccontextmanager
async def serving(app: web.Application, *, host: str, port: int) -> AsyncIterator[None]:
    """Serve ``app`` on ``host:port`` while inside; stopped (connections closed) on exit."""
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        yield
    finally:
        await runner.cleanup()


@asynccontextmanager
async def observability_server(
    *, health: Health, metrics: Metrics, port: int, host: str = ALL_INTERFACES
) -> AsyncIterator[None]:
    """``/healthz`` and ``/metrics`` on ``host:port`` while inside."""
    app = web.Application()
    add_routes(app, health=health, metrics=metrics)
    async with serving(app, host=host, port=port):
        log.info("serving %s and %s on http://%s:%d", HEALTHZ, METRICS, host, port)
        yield
