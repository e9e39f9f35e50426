"""Test-only patches of slack-sdk internals, kept here so their coupling is in one place."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest


def instant_rate_limit_retries(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make `AsyncRateLimitErrorRetryHandler` retry at once; returns the waits it asked for.

    The handler (slack_sdk 3.4x, `http_retry/builtin_async_handlers.py`) sleeps
    `int(Retry-After) + random.random()` seconds. Patched, a 429 with `Retry-After: 2` records
    `2.0` and retries immediately, so a test can prove the header was honoured without waiting.
    """
    from slack_sdk.http_retry import builtin_async_handlers as handlers

    waits: list[float] = []

    async def record_sleep(delay: float) -> None:
        waits.append(delay)
        await asyncio.sleep(0)

    monkeypatch.setattr(handlers, "random", SimpleNamespace(random=lambda: 0.0))
    monkeypatch.setattr(handlers, "asyncio", SimpleNamespace(sleep=record_sleep))
    return waits
