"""`kopsehat run` with KOPSEHAT_REPLICA_DATABASE_URL: a replica that does not answer is read around (said in the log,
the service starts); one whose schema is not the primary's stops the start with a line saying so; the embedded
SQLite has no replica."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.runtime import StartupError, prepare_database
from storage.db import Database
from storage.migrate import upgrade
from tests.conftest import require_postgres


async def _admin(url: str, statement: str) -> None:
    admin = Database(url)
    try:
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


@pytest.fixture
async def two_databases() -> AsyncIterator[tuple[str, str]]:
    """A primary upgraded to the current schema and an empty database beside it (PostgreSQL)."""
    url = require_postgres()
    names = [f"kopsehat_start_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    for name in names:
        await _admin(url, f'CREATE DATABASE "{name}"')
    urls = [make_url(url).set(database=name).render_as_string(hide_password=False) for name in names]
    try:
        primary = Database(urls[0])
        await upgrade(primary)
        await primary.dispose()
        yield urls[0], urls[1]
    finally:
        for name in names:
            await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def settings(primary: str, replica: str | None) -> Settings:
    return Settings(_env_file=None, database_url=primary, replica_database_url=replica)  # type: ignore[call-arg]


async def test_a_replica_that_does_not_answer_does_not_stop_the_start(
    two_databases: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    primary, _empty = two_databases
    away = "postgresql+asyncpg://postgres@127.0.0.1:1/replica"
    with caplog.at_level(logging.WARNING):
        db = await prepare_database(settings(primary, away))
    try:
        assert db.replica is not None
        assert "the read replica at KOPSEHAT_REPLICA_DATABASE_URL does not answer" in caplog.text
        async with db.reading(replica=True) as repos:  # read around: the primary answers
            assert (await repos.session.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await db.dispose()


async def test_a_replica_of_another_schema_stops_the_start(two_databases: tuple[str, str]) -> None:
    primary, empty = two_databases
    with pytest.raises(StartupError, match="KOPSEHAT_REPLICA_DATABASE_URL is not the current one"):
        await prepare_database(settings(primary, empty))
    db = await prepare_database(settings(primary, primary))  # the primary as its own replica: the same schema
    await db.dispose()


async def test_the_embedded_sqlite_has_no_replica(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    with pytest.raises(StartupError, match="KOPSEHAT_REPLICA_DATABASE_URL is for PostgreSQL"):
        await prepare_database(settings(url, url))
