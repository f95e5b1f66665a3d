"""A group of sent messages' ends written by one statement (`outbox.record_sent`, as the delivery worker writes them):
each row as it was for that message alone, on both databases (PostgreSQL binds the group as arrays)."""

from __future__ import annotations

from datetime import timedelta

from storage.db import Database
from storage.models import utcnow
from storage.repositories import outbox


async def test_a_group_of_sent_messages_is_written_as_each_alone(db: Database) -> None:
    before = utcnow() - timedelta(minutes=1)
    states = {"fresh": "sending", "receipt first": "delivered", "put back": "pending", "repeat": "sent"}
    rows = [
        {"dedupe_key": key, "channel": "whatsapp", "recipient": "62811", "kind": "reply", "priority": 0,
         "payload": {"text": "Halo"}, "status": status, "created_at": before, "updated_at": before,
         "last_error": "kept" if key == "receipt first" else None}
        for key, status in states.items()
    ]  # fmt: skip
    async with db.transaction() as repos:
        ids = await repos.outbox.enqueue_new(rows)
    async with db.one_statement() as connection:  # "repeat" was recorded once already, before its write was lost
        await outbox.record_sent(connection, [(ids["repeat"], "wamid.4")], before, db.dialect)
    now = utcnow()
    sent = [(ids["fresh"], "wamid.1,wamid.2"), (ids["receipt first"], "wamid.3"), (ids["put back"], "x" * 200),
            (ids["repeat"], "wamid.4")]  # fmt: skip
    async with db.one_statement() as connection:
        await outbox.record_sent(connection, sent, now, db.dialect)
    async with db.reading() as repos:
        found = {key: (await repos.outbox.by_ids([ids[key]]))[ids[key]] for key in states}
    seen = {key: (r.status, r.provider_message_id, r.last_error, r.claimed_until) for key, r in found.items()}
    assert seen == {
        "fresh": ("sent", "wamid.1,wamid.2", None, None),
        "receipt first": ("delivered", "wamid.3", "kept", None),  # the receipt's state stays
        "put back": ("pending", "x" * 128, None, None),  # cut to the column's length
        "repeat": ("sent", "wamid.4", None, None),
    }
    assert {key: r.sent_at == now for key, r in found.items()} == {
        "fresh": True, "receipt first": True, "put back": True, "repeat": False  # the repeat changed nothing
    }  # fmt: skip
