"""A fault inside a handler: nothing half-saved, the user is told, the message is not redelivered forever."""

from __future__ import annotations

import pytest

from storage.db import Database
from tests.handlers.chat import dispatcher, registered


async def test_a_handler_fault_rolls_back_and_apologises(
    db: Database, broken_route: None, caplog: pytest.LogCaptureFixture
) -> None:
    siti = await registered(db, dispatcher(db))
    await siti.say("lapor")
    await siti.say("12,3 jt")
    result = await siti.send("rusak", message_id="tg:1")
    assert "ada gangguan" in siti.text and "tetap aman" in siti.text
    assert "handling console message tg:1" in caplog.text
    again = await siti.send("rusak", message_id="tg:1")
    assert again.duplicate and result.outgoing
    async with db.transaction() as repos:
        identity = await repos.identities.find("console", "siti")
        assert identity is not None and identity.language is None
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        report = await repos.reports.get(coop.id, "2026-10")
        assert report is not None and report.draft == {"cash": "12300000"}
    assert "Bank" in await siti.say("lapor")  # the report goes on where it was
