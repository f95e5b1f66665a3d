"""A steady batch (officers mid-report, each one answer) costs few round trips: on PostgreSQL its message ids are
recorded by the statement that reads its senders, its writes (drafts, conversations, last message times, replies) are
one statement, and the batch's connection, given back a moment ago, is not checked again; what users get is what they
got with a statement per table."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import text

from bot.chat.messages import Address, Inbound
from storage.db import Database
from tests.conftest import PG_URL
from tests.databases import driver_waits, flushes_run, greenlets_started, statements_run, terminate_backend
from tests.handlers.chat import NOW, dispatcher, mid_report, registered


def answer(user: str, text: str, n: int) -> Inbound:
    return Inbound(Address("console", user), f"{user}-{n}", NOW + timedelta(seconds=n), kind="text", text=text)


async def test_a_steady_batch_is_three_statements_on_postgresql(db: Database) -> None:
    d = dispatcher(db)
    people = [f"s{n}" for n in range(6)]
    await mid_report(db, d, people, "35760101")
    with statements_run(db) as run, flushes_run() as flushes:
        results = await d.handle_many([answer(p, f"{n + 1},5 jt", 1) for n, p in enumerate(people)])
    statements = [" ".join(s.split()) for s, _ in run]
    assert all("Bank" in "\n".join(r.text for r in result.replies) for result in results)
    # the inbound ids and the senders, the reports; then the drafts, conversations, last message times and replies
    # (main: 7 statements, one per table, on both databases; SQLite's BEGIN IMMEDIATE is sent to the driver
    # directly, not as a statement of SQLAlchemy's: see the next test)
    assert len(statements) == (3 if db.dialect == "postgresql" else 7), statements
    # the drafts are written with the batch's other changes (on PostgreSQL in that last statement), so the session's
    # unit of work has nothing to look at (main: one flush over the reports, which wrote them on SQLite and nothing
    # on PostgreSQL)
    assert flushes[0] == 0, flushes
    async with db.transaction() as repos:
        for n, person in enumerate(people):
            coop = await repos.cooperatives.by_nik(f"35760101{n + 10}")
            assert coop is not None
            report = await repos.reports.get(coop.id, "2026-10")
            assert report is not None and report.draft.get("cash") == f"{n + 1}500000"
            assert report.draft_updated_at is not None
            identity = await repos.identities.find("console", person)
            assert identity is not None and identity.last_inbound_at == NOW + timedelta(seconds=1)
            replies = await repos.outbox.by_keys_prefix(f"reply:console:{person}-1:")
            assert [r.payload for r in replies] == [r.to_json() for r in results[n].replies]
            assert [r.id for r in replies] == [o.outbox_id for o in results[n].outgoing]


async def test_a_steady_batch_on_sqlite_waits_on_its_thread_only_for_work(db: Database) -> None:
    if db.dialect != "sqlite":
        return  # PostgreSQL: the round trips above
    d = dispatcher(db)
    people = [f"w{n}" for n in range(6)]
    await mid_report(db, d, people, "35760102")
    with statements_run(db) as run, driver_waits() as waits:
        results = await d.handle_many([answer(p, f"{n + 1},5 jt", 1) for n, p in enumerate(people)])
    assert all("Bank" in "\n".join(r.text for r in result.replies) for result in results)
    # the seven statements of the batch (the inbound ids, the senders, the reports, the drafts, conversations, last
    # message times, replies), each a cursor made, run and closed on aiosqlite's thread; BEGIN IMMEDIATE in one call
    # there and COMMIT in one. Main: BEGIN IMMEDIATE as a statement of its own (three calls) and, when the
    # connection was given back, the pool's rollback of a transaction already committed (24 in all).
    assert waits[0] == 21, waits  # (main: 24; a wait may cover two hops: an execute and its rows)
    assert len(run) == 7, [s for s, _ in run]
    async with db.transaction() as repos:
        for n, person in enumerate(people):
            replies = await repos.outbox.by_keys_prefix(f"reply:console:{person}-1:")
            assert [r.id for r in replies] == [o.outbox_id for o in results[n].outgoing]


async def test_a_sqlite_connection_given_back_inside_a_transaction_is_rolled_back(db: Database) -> None:
    if db.dialect != "sqlite":
        return
    # a transaction left open on the driver's connection (as an error or a cancellation between its statements can
    # leave one) is rolled back when the connection goes back to the pool: its write is not kept, its write lock is
    # let go, and the connection's next transaction begins
    async with db.engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute_fetchall("BEGIN IMMEDIATE")
        await driver.execute_fetchall("INSERT INTO scheduler_ticks (key, ran_at) VALUES ('left', '2026-01-01')")
    async with db.transaction() as repos:
        ticks = await repos.session.execute(text("SELECT count(*) FROM scheduler_ticks WHERE key = 'left'"))
        assert ticks.scalar() == 0


async def test_a_batchs_connection_given_back_a_moment_ago_is_not_checked_again(db: Database) -> None:
    if db.dialect != "postgresql":
        return  # SQLite: no connection to check
    d = dispatcher(db)
    user = await registered(db, d, "cek", nik="3576010150")
    await user.say("lapor")
    await db.engine.dispose()  # one pooled connection from here, watched
    await d.handle(answer("cek", "1,5 jt", 1))
    async with db.engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
    sent: list[str] = []
    driver.add_query_logger(lambda query: sent.append(query.query.split()[0].upper().rstrip(";")))
    await d.handle(answer("cek", "48 jt", 2))
    await asyncio.sleep(0.01)  # asyncpg calls its query loggers soon after, not at once
    # statements sent as text (not prepared): BEGIN and COMMIT, no `SELECT 1` (main: SELECT, BEGIN, COMMIT)
    assert sent == ["BEGIN", "COMMIT"], sent


async def test_a_batchs_connection_terminated_after_it_was_given_back_is_replaced_and_the_batch_done(
    db: Database,
) -> None:
    if db.dialect != "postgresql":
        return
    d = dispatcher(db)
    user = await registered(db, d, "putus", nik="3576010151")
    await user.say("lapor")
    await db.engine.dispose()
    await d.handle(answer("putus", "1,5 jt", 1))
    async with db.engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    await terminate_backend(PG_URL, pid)
    result = await d.handle(answer("putus", "48 jt", 2))  # no check: it fails once, then on a new one
    assert "3/79" in result.replies[-1].text, result.replies[-1].text


async def test_a_steady_batchs_calls_into_sqlalchemy_do_not_grow_with_its_messages(db: Database) -> None:
    """Each awaited call into SQLAlchemy's async layer starts a greenlet (about 7 µs); the officer behind a draft and
    the officer saving it are in the transaction already (read with the senders), so a message adds none (main: two
    a message, `session.get` of an object held)."""
    d = dispatcher(db)
    people = [f"g{n}" for n in range(8)]
    await mid_report(db, d, people, "35760102")
    counts = []
    for size, n in ((2, 1), (8, 2)):
        with greenlets_started() as started:
            results = await d.handle_many([answer(p, "1,5 jt", n) for p in people[:size]])
        assert all("Bank" in "\n".join(r.text for r in result.replies) for result in results)
        counts.append(started[0])
    assert counts[0] == counts[1], counts


async def test_a_batchs_reads_are_the_same_statements_whatever_its_size_on_postgresql(db: Database) -> None:
    """The senders' and the reports' reads bind their keys as arrays on PostgreSQL: one text for any batch, compiled
    and prepared once (main: an IN list rendered for each execution, its text changing with the batch's size)."""
    if db.dialect != "postgresql":
        return  # SQLite: expanding IN lists, as before
    d = dispatcher(db)
    people = [f"t{n}" for n in range(5)]
    await mid_report(db, d, people, "35760103")
    texts = []
    for size, n in ((2, 1), (5, 2)):
        with statements_run(db) as run:
            results = await d.handle_many([answer(p, "1,5 jt", n) for p in people[:size]])
        assert all("Bank" in "\n".join(r.text for r in result.replies) for result in results)
        texts.append([statement for statement, _ in run[:2]])  # the senders (with the ids recorded), the reports
    assert texts[0] == texts[1], texts
    async with db.transaction() as repos:
        for n in range(len(people)):
            coop = await repos.cooperatives.by_nik(f"35760103{n + 10}")
            assert coop is not None
            report = await repos.reports.get(coop.id, "2026-10")
            assert report is not None and report.draft.get("cash") == "1500000"
