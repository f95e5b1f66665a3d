"""Shared fixtures: one database per test, on SQLite always and on PostgreSQL when configured."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.databases import SCHEMAS, SQLITE

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
    """A fresh, isolated database with every table and no rows: an SQLite file, or a PostgreSQL schema of its own
    (see tests/databases.py for how they are made without building the tables each time)."""
    if backend == "sqlite":
        path = tmp_path / "test.db"
        if not path.exists():  # as create_all was: a file already there is used as it is
            await SQLITE.copy_to(path)
        return Database(f"sqlite+aiosqlite:///{path}"), None
    url = require_postgres()
    schema = await SCHEMAS.take(url)
    return Database(url, schema=schema), schema


async def drop_test_database(db: Database, schema: str | None) -> None:
    """Give back what make_test_database made: the PostgreSQL schema is emptied for another test."""
    await db.dispose()
    if schema:
        await SCHEMAS.give_back(db.url, schema)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop the free PostgreSQL schemas and the SQLite template."""
    if SCHEMAS.free:
        asyncio.run(SCHEMAS.close())
    SQLITE.close()


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
