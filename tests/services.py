"""The machine's services for the tests that need them: PostgreSQL and NATS.

A test that needs PostgreSQL gets a schema of its own in the test database
(``postgres_dsn`` in ``tests/conftest.py``), dropped afterwards, so tests never see
each other's rows.  Where the service cannot be reached the test is skipped with a
reason that names the address and the error, so ``make test`` passes on a laptop
without PostgreSQL; with ``TRIVIA_REQUIRE_SERVICES=1`` (CI, ``.ci/run``) the same is
a failure: nothing is skipped there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest

#: The server and database the PostgreSQL tests use; each test gets a schema in it.
POSTGRES_DSN = os.environ.get(
    "TRIVIA_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)


#: The NATS server the Slack replicas' tests forward commands through.
NATS_URL = os.environ.get("TRIVIA_TEST_NATS_URL", "nats://127.0.0.1:4222")


def services_required() -> bool:
    return os.environ.get("TRIVIA_REQUIRE_SERVICES") == "1"


def unreachable(service: str, address: str, error: BaseException) -> NoReturn:
    """Skip (or, where services are required, fail) a test whose service is not there."""
    reason = f"{service} at {address} is not reachable: {type(error).__name__}: {error}"
    if services_required():
        pytest.fail(f"{reason} (TRIVIA_REQUIRE_SERVICES=1: CI must not skip it)")
    pytest.skip(reason)


def with_schema(dsn: str, schema: str) -> str:
    """``dsn`` whose connections use ``schema`` (asyncpg passes ``search_path`` on)."""
    parts = urlsplit(dsn)
    query = f"{parts.query}&search_path={schema}" if parts.query else f"search_path={schema}"
    return urlunsplit(parts._replace(query=query))


@asynccontextmanager
async def postgres_schema(dsn: str = POSTGRES_DSN) -> AsyncIterator[str]:
    """A fresh, empty schema on the test database while inside; yields a DSN that uses it."""
    try:
        import asyncpg
    except ModuleNotFoundError as exc:
        unreachable("PostgreSQL (asyncpg is not installed)", dsn, exc)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(dsn, timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        unreachable("PostgreSQL", dsn, exc)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        yield with_schema(dsn, schema)
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


async def nats_server(url: str = NATS_URL) -> str:
    """``url`` once a NATS server answers there (a round trip); skipped (or failed, where
    services are required) with the address and the error otherwise."""
    try:
        import nats
        from nats.errors import Error as NatsError
    except ModuleNotFoundError as exc:
        unreachable("NATS (nats-py is not installed)", url, exc)
    try:
        client = await nats.connect(url, connect_timeout=3, allow_reconnect=False)
    except (NatsError, OSError, TimeoutError) as exc:
        unreachable("NATS", url, exc)
    try:
        await client.flush(timeout=3)
    finally:
        await client.close()
    return url
