"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from storage.migrate import current, upgrade
from storage.models import Base
from tests.databases import empty_database


# SQLAlchemy does not reflect SQLite's expression indexes (ix_cooperatives_name_lower on lower(name)); PostgreSQL's
# it does, and compares them
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_upgrade_from_empty_matches_the_models(backend: str, tmp_path: Path) -> None:
    async with empty_database(backend, tmp_path, "m") as db:
        assert await current(db) is None
        await upgrade(db)
        await upgrade(db)  # a second upgrade is a no-op

        def diff(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))

        async with db.engine.connect() as conn:
            differences = await conn.run_sync(diff)
        assert differences == []
        assert await current(db) is not None
