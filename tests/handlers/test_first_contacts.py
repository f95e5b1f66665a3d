"""First contacts arriving together (a round's first batch): their chat accounts and conversations are made for the
whole batch at once, not one sender after another."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from bot.chat.messages import Address, Inbound, Reply
from storage.db import Database
from storage.models import ChannelIdentity, Conversation
from tests.handlers.chat import NOW, dispatcher, two_processes

_ids = itertools.count(1)


def said(user: str, text: str, name: str | None = None) -> Inbound:
    return Inbound(
        address=Address("console", user),
        message_id=f"f{next(_ids)}",
        received_at=NOW,
        kind="text",
        text=text,
        display_name=name,
    )


def texts(replies: Sequence[Reply]) -> str:
    return "\n".join(r.text for r in replies)


class Statements:
    """The statements the database is sent while counting (their first words)."""

    def __init__(self, db: Database) -> None:
        self.db, self.seen = db, list[str]()

    def __enter__(self) -> Statements:
        event.listen(self.db.engine.sync_engine, "before_cursor_execute", self._note)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.db.engine.sync_engine, "before_cursor_execute", self._note)

    def _note(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        self.seen.append(" ".join(statement.split())[:40])

    def on(self, table: str) -> list[str]:
        return [s for s in self.seen if f" {table}" in s.split("(")[0] or s.startswith(f"SELECT {table}.")]


async def test_new_chats_writing_at_once_are_made_with_one_statement_per_table(db: Database) -> None:
    """Eight people who never wrote, all at once: each is answered, and the batch makes their chat accounts and
    conversations with one insert per table (and reads them back once), not a few statements per person."""
    d = dispatcher(db)
    people = [f"baru{n}" for n in range(8)]
    with Statements(db) as counted:
        results = await d.handle_many([said(p, "halo", name=f"Orang {p}") for p in people])
    assert all(r.replies for r in results)
    inserts = [s for s in counted.seen if s.startswith("INSERT INTO")]
    assert sum("channel_identities" in s for s in inserts) == 1, counted.seen
    assert sum("conversations" in s for s in inserts) == 1, counted.seen
    # the staff chats, the senders, the known accounts, the insert, the senders again, their last message times
    assert len(counted.on("channel_identities")) <= 6, counted.seen
    async with db.transaction() as repos:
        for person in people:
            identity = await repos.identities.find("console", person)
            assert identity is not None and identity.display_name == f"Orang {person}"
            assert identity.last_inbound_at == NOW


async def test_linked_officers_first_lapor_at_once_costs_statements_not_growing_with_them(db: Database) -> None:
    """Officers linked by the office beforehand (an account, no conversation yet) opening their report together, as
    in a round's first batch: each is asked the first question; their accounts are completed, their conversations
    made and the senders read with a few statements for the whole batch."""
    d = dispatcher(db)
    counts = []
    for size, start in ((2, 0), (8, 10)):
        people = [f"petugas{start + n}" for n in range(size)]
        async with db.transaction() as repos:
            for n, person in enumerate(people):
                values = {"name": f"KSP {person}", "nik": f"35760199{start + n:02d}", "type": "ksp"}
                coop, _ = await repos.cooperatives.upsert(values)
                officer = await repos.officers.add(coop.id, f"Petugas {person}", "bendahara")
                identity = await repos.identities.get_or_create("console", person)
                identity.officer_id = officer.id
        with Statements(db) as counted:
            results = await d.handle_many([said(p, "lapor", name=p.title()) for p in people])
        assert all("Kas" in texts(r.replies) for r in results), [texts(r.replies) for r in results]
        sender_tables = ("channel_identities", "conversations", "officers", "cooperatives", "office_staff")
        counts.append(sum(len(counted.on(t)) for t in sender_tables))
        async with db.transaction() as repos:
            for person in people:
                account = await repos.identities.find("console", person)
                assert account is not None and account.display_name == person.title()
    assert counts[1] <= counts[0], counts  # 8 first contacts cost what 2 do (the first batch reads the staff chats too)


async def test_one_new_account_under_its_two_ids_in_one_batch_is_one_account(db: Database) -> None:
    """A new WhatsApp-like sender whose second message also names their other id (BSUID), and a third message under
    that id alone, all in the first batch: one account, one conversation, each message answered in order."""
    d = dispatcher(db)
    results = await d.handle_many(
        [said("rani", "halo"), replace(said("rani", "menu"), alt_user_id="rani-bsuid"), said("rani-bsuid", "halo")]
    )
    assert all(r.replies for r in results)
    async with db.transaction() as repos:
        identity = await repos.identities.find("console", "rani")
        by_other = await repos.identities.find("console", "rani-bsuid")
        assert identity is not None and by_other is not None and by_other.id == identity.id
        assert identity.alt_external_id == "rani-bsuid"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_two_processes_meeting_the_same_new_chats_at_once_make_one_account_each(
    backend: str, tmp_path: Path
) -> None:
    """Two `kopsehat run` processes each given a different first message of the same new chats at the same moment:
    every message is answered, and each chat has one account and one conversation (the slower process skipping the
    rows the other made and reading them)."""
    async with two_processes(backend, tmp_path) as (first, one, other):
        people = [f"serentak{n}" for n in range(12)]
        got = await asyncio.gather(
            one.handle_many([said(p, "menu") for p in people]), other.handle_many([said(p, "bantuan") for p in people])
        )
        assert all(not r.duplicate and r.outgoing for results in got for r in results)
        async with first.transaction() as repos:
            loaded = await repos.chats.load_many("console", [(p, None) for p in people])
            assert set(loaded) == {(p, None) for p in people}
            for model in (ChannelIdentity, Conversation):  # one of each a chat
                assert await repos.session.scalar(select(func.count()).select_from(model)) == len(people)
            for person in people:
                identity = await repos.identities.find("console", person)
                assert identity is not None and identity.id == loaded[(person, None)][0].id
