"""The bench's bulk seeding on PostgreSQL (``COPY``) reads back as recorded answers."""

from __future__ import annotations

from tests.services import postgres_schema
from tests.unit.test_bench import check_bulk_seed_reads_as_recorded


async def test_bulk_seeded_answers_read_as_if_recorded_on_postgresql(postgres_dsn: str) -> None:
    async with postgres_schema() as recorded:
        await check_bulk_seed_reads_as_recorded(postgres_dsn, recorded)
