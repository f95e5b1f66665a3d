"""`kopsehat run` with KOPSEHAT_REPLICA_DATABASE_URL: a replica that does not answer is read around (said in the log,
the service starts); one whose schema is not the primary's stops the start with a line saying so; the embedded
SQLite has no replica."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.runtime import StartupError, prepare_database
from tests.conftest import require_postgres
from tests.databases import whole_databases


@pytest.fixture
async def two_databases() -> AsyncIterator[tuple[str, str]]:
    """A primary at the current schema and an empty database beside it (PostgreSQL)."""
    async with whole_databases(require_postgres(), 2, upgraded=1) as (primary, empty):
        yield primary, empty


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
