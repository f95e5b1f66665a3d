"""Shared fixtures: one database per test, on SQLite always and on PostgreSQL when configured."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database
from storage.models import Base

PG_URL = os.environ.get("KOPSEHAT_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_postgres() -> str:
    """The PostgreSQL URL, or skip (fail on CI, where PostgreSQL must be tested)."""
    if PG_URL:
        return PG_URL
    if IN_CI:
        pytest.fail("CI=true but KOPSEHAT_TEST_DATABASE_URL is not set: PostgreSQL tests must run on CI")
    pytest.skip("KOPSEHAT_TEST_DATABASE_URL not set: PostgreSQL tests skipped on this machine")


async def make_test_database(backend: str, tmp_path: Path) -> tuple[Database, str | None]:
    """A fresh, isolated database: an SQLite file, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        schema = None
    else:
        url = require_postgres()
        schema = await create_schema(url)
        db = Database(url, schema=schema)
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    return db, schema


async def create_schema(url: str, prefix: str = "t") -> str:
    """A new, empty PostgreSQL schema of its own for one test."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = Database(url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    return schema


async def drop_schema(url: str, schema: str) -> None:
    """Drop a schema made by create_schema."""
    admin = Database(url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


async def drop_test_database(db: Database, schema: str | None) -> None:
    """Remove what make_test_database made."""
    await db.dispose()
    if schema:
        await drop_schema(db.url, schema)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database on each backend."""
    database, schema = await make_test_database(request.param, tmp_path)
    try:
        yield database
    finally:
        await drop_test_database(database, schema)


@pytest.fixture
def cli_workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory and no KOPSEHAT_* variables: the commands use their defaults there."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("KOPSEHAT_"):
            monkeypatch.delenv(key)
    return tmp_path
