"""Group commit: messages arriving together are handled in one transaction, yet each as if it were alone."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from bot.chat.dispatch import Dispatcher
from bot.chat.messages import Address, Inbound, Reply
from bot.delivery.worker import Delivery
from handlers import router
from storage.db import Database
from tests.databases import statements_run
from tests.handlers.chat import NOW, add_cooperative, dispatcher, invite, mid_report, registered, two_processes

_ids = itertools.count(1)


def said(user: str, text: str, message_id: str | None = None) -> Inbound:
    return Inbound(
        address=Address("console", user),
        message_id=message_id or f"b{next(_ids)}",
        received_at=NOW,
        kind="text",
        text=text,
    )


def updates(statements: Sequence[str], table: str) -> int:
    """How many of the statements update `table` (alone, or as a part of one writing several tables)."""
    return sum(f"UPDATE {table} " in s for s in statements)


def texts(replies: Sequence[Reply]) -> str:
    return "\n".join(r.text for r in replies)


async def test_a_fault_in_a_batch_costs_the_others_nothing(
    db: Database, broken_route: None, caplog: pytest.LogCaptureFixture
) -> None:
    d = dispatcher(db)
    siti = await registered(db, d, "siti")
    await registered(db, d, "budi", nik="3576010002")
    await siti.say("lapor")
    results = await d.handle_many(
        [said("siti", "12,3 jt"), said("budi", "rusak"), said("ani", "halo"), said("budi", "lapor")]
    )
    assert "a batch of 4 messages failed; handling them one by one" in caplog.text
    assert "Bank" in texts(results[0].replies)  # Siti's cash was taken; the next question follows
    assert "ada gangguan" in texts(results[1].replies)  # Budi is told about the fault, once
    assert "KOP-" in texts(results[2].replies) or "DAFTAR" in texts(results[2].replies)  # a stranger: how to join
    assert "Kas" in texts(results[3].replies)  # Budi's next message works
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        report = await repos.reports.get(coop.id, "2026-10")
        assert report is not None and report.draft.get("cash") == "12300000"
        budi_identity = await repos.identities.find("console", "budi")
        assert budi_identity is not None and budi_identity.language is None  # the broken handler's change undone


async def test_one_persons_messages_in_one_batch_see_each_other(db: Database) -> None:
    """Joining and starting the report in the same batch: the second message knows the officer."""
    d = dispatcher(db)
    code = await invite(db, await add_cooperative(db))
    joined, started = await d.handle_many([said("rina", f"DAFTAR {code}"), said("rina", "lapor")])
    assert "KSP Maju Bersama" in texts(joined.replies)
    assert "Kas" in texts(started.replies)
    assert started.outgoing[0].outbox_id > joined.outgoing[-1].outbox_id  # stored, and so sent, in order


async def test_the_same_message_twice_in_one_batch_is_answered_once(db: Database) -> None:
    d = dispatcher(db)
    first, again = await d.handle_many([said("dewi", "menu", "dup-1"), said("dewi", "menu", "dup-1")])
    assert not first.duplicate and first.outgoing
    assert again.duplicate and not again.outgoing
    async with db.transaction() as repos:
        assert await repos.outbox.by_keys_prefix("reply:console:dup-1:") == [
            await repos.outbox.by_key(o.dedupe_key) for o in first.outgoing
        ]


async def test_messages_sent_at_once_are_grouped_and_each_answered(db: Database) -> None:
    """Many people writing at the same moment: fewer transactions than messages, every one answered in order."""
    d = dispatcher(db)
    people = [f"p{n}" for n in range(30)]
    menus = {p: said(p, "menu") for p in people}
    helps = {p: said(p, "bantuan") for p in people}
    commits = 0

    def count(_connection: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(db.engine.sync_engine, "commit", count)
    try:
        results = await asyncio.gather(*(d.handle(m) for m in [*menus.values(), *helps.values()]))
    finally:
        event.remove(db.engine.sync_engine, "commit", count)
    assert all(not r.duplicate and r.outgoing for r in results)
    assert commits < len(results) / 4
    async with db.transaction() as repos:
        for person in people:
            identity = await repos.identities.find("console", person)
            assert identity is not None
            answered = [row.dedupe_key.split(":")[2] for row in await repos.outbox.pending_for(identity.id)]
            assert answered[0] == menus[person].message_id and answered[-1] == helps[person].message_id


async def test_replies_stored_claimed_go_back_to_the_workers_when_not_sent(db: Database) -> None:
    """With reply_lease the edge owns its replies at once; what it cannot send, the delivery workers get."""
    d = Dispatcher(db, dispatcher(db).bot, router, reply_lease=timedelta(minutes=2))
    result = await d.handle(said("eko", "menu"))
    async with db.transaction() as repos:
        row = await repos.outbox.by_key(result.outgoing[0].dedupe_key)
        assert row is not None and row.status == "sending" and row.attempts == 1
    assert await Delivery(db, {}).send_now(result.outgoing) == []  # no sender for this channel here
    async with db.transaction() as repos:
        row = await repos.outbox.by_key(result.outgoing[0].dedupe_key)
        assert row is not None and row.status == "pending" and row.attempts == 0 and row.claimed_until is None


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_two_processes_given_the_same_messages_handle_each_once(backend: str, tmp_path: Path) -> None:
    """Two `kopsehat run` processes on one database (each its own engine and dispatcher), every message delivered
    to both at once in opposite orders, as a platform retrying on another instance could: each message is handled
    by exactly one of them, and every one is answered."""
    async with two_processes(backend, tmp_path) as (first, one, other):
        people = [f"q{n}" for n in range(12)]
        messages = [
            said(p, text, f"{p}-{k}") for k, text in enumerate(["menu", "bantuan", "lapor", "batal"]) for p in people
        ]
        got_one, got_other = await asyncio.gather(one.handle_many(messages), other.handle_many(messages[::-1]))
        handled_by: dict[str, list[str]] = {m.message_id: [] for m in messages}
        for name, results, order in (("one", got_one, messages), ("other", got_other, messages[::-1])):
            for message, result in zip(order, results, strict=True):
                if not result.duplicate:
                    handled_by[message.message_id].append(name)
                    assert result.outgoing
        assert all(len(by) == 1 for by in handled_by.values()), handled_by
        async with first.transaction() as repos:
            answered = {row.dedupe_key.split(":")[2] for row in await repos.outbox.by_keys_prefix("reply:console:")}
        assert answered == set(handled_by)


async def test_report_answers_in_one_batch_are_written_one_statement_per_table(db: Database) -> None:
    """Officers answering their report at the same moment: each draft holds its own answer, and the batch reads the
    drafts and writes the drafts, conversations and identities with one statement per table, not one per message."""
    d = dispatcher(db)
    people = [f"k{n}" for n in range(6)]
    await mid_report(db, d, people, "35760100")
    with statements_run(db) as run:
        results = await d.handle_many([said(p, f"{n + 1},5 jt") for n, p in enumerate(people)])
    statements = [" ".join(s.split()) for s, _ in run]
    assert all("Bank" in texts(r.replies) for r in results)  # each cash answer taken, the next question asked
    for table in ("conversations", "reports"):
        assert updates(statements, table) == 1, (table, statements)
    assert updates(statements, "channel_identities") <= 1, statements  # last inbound
    assert sum(s.startswith("SELECT reports.") for s in statements) == 1, statements
    async with db.transaction() as repos:
        for n in range(len(people)):
            coop = await repos.cooperatives.by_nik(f"35760100{n + 10}")
            assert coop is not None
            report = await repos.reports.get(coop.id, "2026-10")
            assert report is not None and report.draft.get("cash") == f"{n + 1}500000"


async def test_one_persons_answers_in_one_batch_are_read_once_and_written_once(db: Database) -> None:
    """Three report answers of one officer arriving together: each taken in order, the officer's records read once
    for the batch (not again before each later message), their conversation and last message time written once."""
    d = dispatcher(db)
    user = await registered(db, d, "wati", nik="3576010031")
    await user.say("lapor")
    answers = [
        replace(said("wati", text), received_at=NOW + timedelta(seconds=n))
        for n, text in enumerate(("1,5 jt", "48 jt", "2 jt"))
    ]
    with statements_run(db) as run:
        results = await d.handle_many(answers)
    statements = [" ".join(s.split()) for s, _ in run]
    asked = [texts(r.replies).split("\n")[-1].split(".")[0] for r in results]
    assert asked == ["2/79", "3/79", "4/79"], asked  # each answer taken in order, the next question asked
    assert sum("FROM channel_identities JOIN conversations" in s for s in statements) == 1, statements
    for table in ("conversations", "channel_identities"):
        assert updates(statements, table) == 1, (table, statements)
    async with db.transaction() as repos:
        identity = await repos.identities.find("console", "wati")
        assert identity is not None and identity.last_inbound_at == NOW + timedelta(seconds=2)
        coop = await repos.cooperatives.by_nik("3576010031")
        assert coop is not None
        report = await repos.reports.get(coop.id, "2026-10")
        assert report is not None and report.draft.get("cash") == "1500000" and report.draft.get("bank") == "48000000"


async def test_one_account_written_to_under_its_two_ids_in_one_batch_goes_on_in_order(db: Database) -> None:
    """WhatsApp names a person by phone number and, in some messages, also by their user id (BSUID): two messages of
    one account in one batch, one with the second id, are one conversation going on in order."""
    d = dispatcher(db)
    user = await registered(db, d, "lina", nik="3576010032")
    await user.say("lapor")
    answers = [said("lina", "1,5 jt"), replace(said("lina", "48 jt"), alt_user_id="lina-bsuid")]
    results = await d.handle_many(answers)
    asked = [texts(r.replies).split("\n")[-1].split(".")[0] for r in results]
    assert asked == ["2/79", "3/79"], asked
    async with db.transaction() as repos:
        identity = await repos.identities.find("console", "lina")
        assert identity is not None and identity.alt_external_id == "lina-bsuid"


async def test_reports_opened_in_one_batch_write_the_senders_rows_one_statement_per_table(db: Database) -> None:
    """Officers opening their monthly report at the same moment (the report made, last period's figures and the
    yearly answers read): each is asked the first question, and the batch writes the drafts, conversations and
    identities with one statement per table at its end, not one per message before each report is made."""
    d = dispatcher(db)
    people = [f"o{n}" for n in range(6)]
    for n, person in enumerate(people):
        await registered(db, d, person, nik=f"35760100{n + 20}")
    with statements_run(db) as run:
        results = await d.handle_many([said(p, "lapor") for p in people])
    statements = [" ".join(s.split()) for s, _ in run]
    assert all("Kas" in texts(r.replies) for r in results), [texts(r.replies) for r in results]
    for table in ("conversations", "reports"):
        assert updates(statements, table) == 1, (table, statements)
    # the batch's reports read once, made with one insert, the new ones read back (and locked) once: not one a report
    assert sum(s.startswith("SELECT reports.") for s in statements) == 2, statements
    assert sum(s.startswith("INSERT INTO reports ") for s in statements) == 1, statements
    assert updates(statements, "channel_identities") <= 1, statements  # last inbound
    async with db.transaction() as repos:
        for n in range(len(people)):
            coop = await repos.cooperatives.by_nik(f"35760100{n + 20}")
            assert coop is not None and await repos.reports.get(coop.id, "2026-10") is not None
