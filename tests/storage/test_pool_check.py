"""The pool's check of a connection before each use (PostgreSQL): one round trip, and a connection the server
terminated while it sat in the pool is replaced before anyone uses it (SQLite has no connection to lose)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

import storage.db
from storage.db import Database, is_transient
from storage.models import utcnow
from storage.repositories import outbox
from tests.conftest import PG_URL, drop_test_database, make_test_database
from tests.databases import terminate_backend


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
    await terminate_backend(PG_URL, pid)
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
    driver.add_query_logger(lambda query: ran.append(query.query.strip()))
    async with pg.one_statement() as connection:
        await outbox.record_sent(connection, [(outbox_id, "777")], utcnow(), pg.dialect)
    await asyncio.sleep(0.01)  # asyncpg calls its query loggers soon after, not at once
    # the pool's check, and no BEGIN or COMMIT (asyncpg's loggers see statements sent as text, not prepared ones;
    # besides, on a connection's first statement with array parameters, asyncpg's look-up of their types, once)
    assert ran[0] == "SELECT 1"
    assert not {"BEGIN", "COMMIT"} & {query.split()[0].upper() for query in ran}
    async with pg.reading() as repos:  # and it is there for everyone at once
        (sent,) = (await repos.outbox.by_ids([outbox_id])).values()
    assert (sent.status, sent.provider_message_id) == ("sent", "777")


async def _sending_row(pg: Database, key: str) -> int:
    now = utcnow()
    row = {"dedupe_key": key, "channel": "telegram", "recipient": "42", "kind": "reply", "priority": 0,
           "payload": {"text": "Halo"}, "status": "sending", "created_at": now, "updated_at": now}  # fmt: skip
    async with pg.transaction() as repos:
        return (await repos.outbox.enqueue_new([row]))[key]


async def _backend(connection: AsyncConnection) -> int:
    return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_outcomes_written_one_after_another_go_on_one_kept_connection_without_the_pools_check(
    pg: Database,
) -> None:
    first, second = await _sending_row(pg, "reply:telegram:1:0"), await _sending_row(pg, "reply:telegram:2:0")
    async with pg.one_statement() as connection:
        await outbox.record_sent(connection, [(first, "777")], utcnow(), pg.dialect)
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
    ran: list[str] = []
    driver.add_query_logger(lambda query: ran.append(query.query.split()[0].upper()))
    async with pg.one_statement() as connection:  # soon after: the same connection, not checked again
        assert (await connection.get_raw_connection()).driver_connection is driver
        await outbox.record_sent(connection, [(second, "778")], utcnow(), pg.dialect)
    await asyncio.sleep(0.01)  # asyncpg calls its query loggers soon after, not at once
    assert ran == []  # no `SELECT 1` of the pool's check (and no BEGIN or COMMIT)
    async with pg.reading() as repos:
        rows = await repos.outbox.by_ids([first, second])
    assert sorted((r.status, r.provider_message_id) for r in rows.values()) == [("sent", "777"), ("sent", "778")]


async def test_a_kept_connection_not_used_lately_goes_back_and_the_next_is_checked(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "STATEMENT_KEEP_SECONDS", 0.0)
    async with pg.one_statement() as connection:
        before = await _backend(connection)
    await pg.engine.dispose()  # the pool had it back: it is closed now, so the next statement needs a new one
    async with pg.one_statement() as connection:
        assert await _backend(connection) != before


async def test_a_kept_connection_the_server_terminated_fails_once_and_the_next_statement_gets_a_new_one(
    pg: Database,
) -> None:
    outbox_id = await _sending_row(pg, "reply:telegram:1:0")
    async with pg.one_statement() as connection:
        pid = await _backend(connection)
    await terminate_backend(PG_URL, pid)
    with pytest.raises(Exception) as lost:  # kept, so not checked: the write fails, as a transient error
        async with pg.one_statement() as connection:
            await outbox.record_sent(connection, [(outbox_id, "777")], utcnow(), pg.dialect)
    assert is_transient(lost.value)
    async with pg.one_statement() as connection:  # what the delivery worker's retry does: a new connection
        assert await _backend(connection) != pid
        await outbox.record_sent(connection, [(outbox_id, "777")], utcnow(), pg.dialect)
    async with pg.reading() as repos:
        (sent,) = (await repos.outbox.by_ids([outbox_id])).values()
    assert (sent.status, sent.provider_message_id) == ("sent", "777")
