"""The test databases are reused or copied, never shared: a test sees none of another's rows, its ids start at 1
as in new tables, and a PostgreSQL schema a test changed is not handed to another test."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from storage.db import Database
from storage.models import Cooperative, Region
from tests.conftest import drop_test_database, make_test_database, require_postgres
from tests.databases import SchemaPool


async def fill(db: Database) -> list[int]:
    """A city, a kecamatan under it and a cooperative in that kecamatan; their ids."""
    async with db.transaction() as repos:
        city = Region(kind="kota", name="Kota Uji")
        repos.session.add(city)
        await repos.session.flush()
        kecamatan = Region(kind="kecamatan", name="Kecamatan Uji", parent_id=city.id)
        repos.session.add(kecamatan)
        await repos.session.flush()
        cooperative = Cooperative(name="KSP Uji", type="ksp", kecamatan_id=kecamatan.id, timezone="Asia/Jakarta")
        repos.session.add(cooperative)
        await repos.session.flush()
        return [city.id, kecamatan.id, cooperative.id]


async def counts(db: Database) -> tuple[int, int]:
    async with db.reading() as repos:
        regions = await repos.session.scalar(select(func.count()).select_from(Region))
        cooperatives = await repos.session.scalar(select(func.count()).select_from(Cooperative))
    return int(regions or 0), int(cooperatives or 0)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_the_next_test_gets_no_rows_and_ids_from_1(backend: str, tmp_path: Path) -> None:
    if backend == "postgresql":
        require_postgres()
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
    first, schema = await make_test_database(backend, tmp_path / "first")
    assert await fill(first) == [1, 2, 1]
    await drop_test_database(first, schema)
    second, schema = await make_test_database(backend, tmp_path / "second")
    try:
        assert await counts(second) == (0, 0)
        assert await fill(second) == [1, 2, 1]
    finally:
        await drop_test_database(second, schema)


async def test_a_schema_its_test_changed_is_dropped_not_handed_on() -> None:
    url = require_postgres()
    pool = SchemaPool()
    schema = await pool.take(url)
    db = Database(url, schema=schema)
    await fill(db)
    await db.dispose()
    await pool.give_back(url, schema)
    assert await pool.take(url) == schema  # emptied and handed on
    db = Database(url, schema=schema)
    async with db.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE regions ADD COLUMN note text"))
    await db.dispose()
    await pool.give_back(url, schema)
    assert pool.free[url] == []
    admin = Database(url)
    try:
        async with admin.engine.connect() as conn:
            found = await conn.scalar(text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": schema})
    finally:
        await admin.dispose()
    assert found == 0
