"""The service the unit transcripts play against (see ``tests/harness.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.harness import ServiceHarness, build_service


@pytest.fixture
def service_harness() -> ServiceHarness:
    """The service of a test module: override this fixture in the module to build its own
    with ``build_service``; ``h`` yields it and shuts it down."""
    return build_service()


@pytest.fixture
async def h(service_harness: ServiceHarness) -> AsyncIterator[ServiceHarness]:
    yield service_harness
    await service_harness.service.shutdown()
