"""A throwaway database for a benchmark run: an SQLite file in a temporary folder, or a PostgreSQL schema of its own."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from storage.db import Database
from storage.models import Base


@asynccontextmanager
async def fresh_database(pg_url: str | None) -> AsyncIterator[Database]:
    """kopsehat's tables in a new database: SQLite without `pg_url`, else a new PostgreSQL schema (dropped after)."""
    if pg_url is None:
        with tempfile.TemporaryDirectory() as folder:
            async with _with_tables(Database(f"sqlite+aiosqlite:///{folder}/bench.db")) as db:
                yield db
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = Database(pg_url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        async with _with_tables(Database(pg_url, schema=schema)) as db:
            yield db
    finally:
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@asynccontextmanager
async def _with_tables(db: Database) -> AsyncIterator[Database]:
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        yield db
    finally:
        await db.dispose()
