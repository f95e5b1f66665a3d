"""The pool's check of a connection before each use (PostgreSQL): one round trip, and a connection the server
terminated while it sat in the pool is replaced before anyone uses it (SQLite has no connection to lose)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database
from tests.conftest import PG_URL, drop_test_database, make_test_database


@pytest.fixture
async def pg(tmp_path: Path) -> AsyncIterator[Database]:
    db, schema = await make_test_database("postgresql", tmp_path)
    try:
        yield db
    finally:
        await drop_test_database(db, schema)


async def test_a_connection_terminated_in_the_pool_is_replaced_before_use(pg: Database) -> None:
    async with pg.transaction() as repos:
        pid = (await repos.session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    admin = Database(PG_URL)
    try:
        async with admin.engine.begin() as conn:
            assert (await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
    finally:
        await admin.dispose()
    async with pg.transaction() as repos:  # no error: the check found it gone and a new connection was made
        again = (await repos.session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    assert again != pid


async def test_the_check_of_a_healthy_connection_is_one_empty_statement(pg: Database) -> None:
    await pg.engine.dispose()  # the pool holds one connection only from here
    async with pg.engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
    ran: list[str] = []
    driver.add_query_logger(lambda query: ran.append(query.query))
    async with pg.engine.connect() as conn:  # the same pooled connection, checked out again
        assert (await conn.get_raw_connection()).driver_connection is driver
        await asyncio.sleep(0.01)  # asyncpg calls its query loggers soon after, not at once
        checked = list(ran)
    assert checked == ["SELECT 1"]  # not BEGIN, a prepared ";" and ROLLBACK: three round trips
