"""Fixtures of the PostgreSQL tests (``postgres_dsn`` itself is in ``tests/conftest.py``)."""

from __future__ import annotations

import pytest


@pytest.fixture
def pg_env(cli_env: dict[str, str], postgres_dsn: str) -> dict[str, str]:
    """``cli_env`` with TRIVIA_DB naming the test's PostgreSQL schema."""
    return {**cli_env, "TRIVIA_DB": postgres_dsn}
