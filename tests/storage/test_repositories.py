"""Repository behaviour, the same test code on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from storage.db import Database
from storage.models import Assessment, Invite

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 9, 10, 14, tzinfo=WIB)


async def _cooperative(db: Database, nik: str = "3576010001") -> int:
    async with db.transaction() as repos:
        coop, created = await repos.cooperatives.upsert({"name": "KSP Maju Bersama", "nik": nik, "type": "ksp"})
        assert created
        return coop.id


async def test_a_repeated_message_id_is_recorded_once(db: Database) -> None:
    async with db.transaction() as repos:
        assert await repos.inbound.record("telegram", "u:730021445", "5123456789", T0)
    async with db.transaction() as repos:
        assert not await repos.inbound.record("telegram", "u:730021445", "5123456789", T0)
        assert await repos.inbound.record("whatsapp", "u:730021445", "628123", T0)


async def test_outbox_dedupe_key_keeps_one_message_and_claim_leases_it(db: Database) -> None:
    async with db.transaction() as repos:
        first = await repos.outbox.enqueue(
            dedupe_key="reminder:report-due:2026-11:coop-17:officer-42",
            channel="telegram",
            recipient="42",
            kind="report_reminder",
            payload={"text": "Halo"},
        )
        again = await repos.outbox.enqueue(
            dedupe_key="reminder:report-due:2026-11:coop-17:officer-42",
            channel="telegram",
            recipient="42",
            kind="report_reminder",
            payload={"text": "Halo lagi"},
        )
    assert first and not again
    now = datetime.now(UTC)
    async with db.transaction() as repos:
        claimed = await repos.outbox.claim(now, limit=10, channels=["telegram"])
    assert [m.payload["text"] for m in claimed] == ["Halo"]
    async with db.transaction() as repos:
        assert await repos.outbox.claim(now, limit=10, channels=["telegram"]) == []
        # an expired lease (the worker died) makes the message claimable again
        later = await repos.outbox.claim(now + timedelta(minutes=3), limit=10, channels=["telegram"])
    assert len(later) == 1 and later[0].attempts == 2


async def test_report_revisions_keep_history_with_changes_and_reason(db: Database) -> None:
    coop_id = await _cooperative(db)
    async with db.transaction() as repos:
        report = await repos.reports.get_or_create(coop_id, "2026-10")
        await repos.reports.add_revision(report, {"cash": "12300000", "bank": "48000000"}, at=T0)
    async with db.transaction() as repos:
        report = await repos.reports.get_or_create(coop_id, "2026-10")
        await repos.reports.add_revision(
            report, {"cash": "12500000", "bank": "48000000"}, at=T0 + timedelta(days=1), reason="salah ketik"
        )
    async with db.transaction() as repos:
        report = await repos.reports.get_or_create(coop_id, "2026-10")
        revisions = await repos.reports.revisions(report.id)
        latest = await repos.reports.latest_submitted(coop_id)
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].figures["cash"] == "12300000"
    assert revisions[1].changes == {"cash": ["12300000", "12500000"]}
    assert revisions[1].reason == "salah ketik"
    assert latest is not None and latest[1].number == 2
    assert revisions[0].created_at == T0  # aware, the same instant


async def test_identity_found_by_either_whatsapp_id(db: Database) -> None:
    async with db.transaction() as repos:
        created = await repos.identities.get_or_create("whatsapp", "6281234567890", alt_id="ID.4471923058816620")
    async with db.transaction() as repos:
        by_bsuid = await repos.identities.get_or_create("whatsapp", "ID.4471923058816620")
        by_phone = await repos.identities.find("whatsapp", "6281234567890")
    assert by_bsuid.id == created.id
    assert by_phone is not None and by_phone.id == created.id


async def test_decimals_and_times_come_back_exact_and_aware(db: Database) -> None:
    coop_id = await _cooperative(db)
    async with db.transaction() as repos:
        await repos.assessments.add(
            Assessment(
                cooperative_id=coop_id,
                period="2026-10",
                framework="perdep-06-2016",
                total=Decimal("72.40"),
                category="cukup_sehat",
                result={},
                rules_hash="x",
                created_at=T0,
            )
        )
    async with db.transaction() as repos:
        [stored] = await repos.assessments.history(coop_id)
    assert stored.total == Decimal("72.40") and isinstance(stored.total, Decimal)
    assert stored.created_at.tzinfo is not None and stored.created_at == T0


async def test_naive_times_are_refused(db: Database) -> None:
    coop_id = await _cooperative(db)
    with pytest.raises(Exception, match="naive datetime refused"):
        async with db.transaction() as repos:
            await repos.invites.add(
                Invite(code_hash="h", cooperative_id=coop_id, role="bendahara", expires_at=datetime(2026, 12, 1))
            )


async def test_cooperative_upsert_by_nik_then_by_name(db: Database) -> None:
    async with db.transaction() as repos:
        _, created = await repos.cooperatives.upsert({"name": "KSP A", "nik": "1", "type": "ksp"})
        _, created_again = await repos.cooperatives.upsert({"name": "KSP A baru", "nik": "1", "type": "ksp"})
        _, by_name = await repos.cooperatives.upsert({"name": "Kop Tanpa NIK", "nik": None, "type": "jasa"})
        _, by_name_again = await repos.cooperatives.upsert({"name": "kop tanpa nik", "nik": None, "type": "jasa"})
        assert await repos.cooperatives.count() == 2
    assert created and not created_again and by_name and not by_name_again


async def test_concurrent_writers_queue_instead_of_failing(db: Database) -> None:
    coop_id = await _cooperative(db)

    async def write(n: int) -> None:
        async with db.transaction() as repos:
            report = await repos.reports.get_or_create(coop_id, "2026-10")
            report.draft = {**report.draft, f"k{n}": str(n)}
            await asyncio.sleep(0.001)

    await asyncio.gather(*(write(n) for n in range(20)))
    async with db.transaction() as repos:
        report = await repos.reports.get_or_create(coop_id, "2026-10")
    assert len(report.draft) == 20  # no lost update, no "database is locked"
