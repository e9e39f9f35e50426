"""Health, metrics and logs: what an operator watches while the bot runs.

``logs`` (the platform/server/channel a log line concerns, human or JSON
output), ``metrics`` (the Prometheus metric set, one registry per app),
``instrument`` (wrappers that feed the metrics without the core knowing),
``health`` (is the platform connected, is the database writable) and ``http``
(``/healthz`` and ``/metrics`` over aiohttp).  See docs/observability.md.
"""
