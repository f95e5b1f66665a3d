"""The pool's check of a connection before each use (PostgreSQL): one round trip, and a connection the server
terminated while it sat in the pool is replaced before anyone uses it (SQLite has no connection to lose)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database
from storage.models import utcnow
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


async def test_a_sent_message_is_recorded_by_one_statement_without_begin_and_commit(pg: Database) -> None:
    now = utcnow()
    row = {"dedupe_key": "reply:telegram:1:0", "channel": "telegram", "recipient": "42", "kind": "reply",
           "priority": 0, "payload": {"text": "Halo"}, "status": "sending", "created_at": now,
           "updated_at": now}  # fmt: skip
    async with pg.transaction() as repos:
        outbox_id = (await repos.outbox.enqueue_new([row]))["reply:telegram:1:0"]
    await pg.engine.dispose()  # one pooled connection from here, watched
    async with pg.engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
    ran: list[str] = []
    driver.add_query_logger(lambda query: ran.append(query.query.split()[0].upper()))
    async with pg.one_statement() as repos:
        await repos.outbox.record_sent([(outbox_id, "777")], utcnow())
    await asyncio.sleep(0.01)  # asyncpg calls its query loggers soon after, not at once
    # the pool's check, and no BEGIN or COMMIT (asyncpg's loggers see statements sent as text, not prepared ones)
    assert ran == ["SELECT"]
    async with pg.reading() as repos:  # and it is there for everyone at once
        (sent,) = (await repos.outbox.by_ids([outbox_id])).values()
    assert (sent.status, sent.provider_message_id) == ("sent", "777")
