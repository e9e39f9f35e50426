"""Fixtures the unit tests share: the service the transcripts play against (see
``tests/harness.py``), and each of the two YAML parsers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.bank import yaml_tree
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


@pytest.fixture(
    params=[
        pytest.param(yaml_tree._CTextLoader, id="libyaml"),
        pytest.param(yaml_tree._PyTextLoader, id="pure-python"),
    ]
)
def any_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test runs with libyaml's parser and with PyYAML's own."""
    monkeypatch.setattr(yaml_tree, "LOADER", request.param)
