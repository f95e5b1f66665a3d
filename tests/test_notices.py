"""Notices: once per key, on the channel used last, after quiet hours, never silently dropped."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.chat.messages import Notice, Reply
from bot.services.cycle import Due
from bot.services.notices import QuietHours, enqueue_notice, enqueue_notices
from storage.db import Database

WIB, WITA = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar")
QUIET = QuietHours(time(21, 0), time(7, 0))


def test_quiet_hours_span_midnight_in_the_local_zone() -> None:
    evening = datetime(2026, 11, 5, 22, 30, tzinfo=WIB)
    assert QUIET.release_time(evening, WIB) == datetime(2026, 11, 6, 7, 0, tzinfo=WIB)
    early = datetime(2026, 11, 6, 5, 0, tzinfo=WIB)
    assert QUIET.release_time(early, WIB) == datetime(2026, 11, 6, 7, 0, tzinfo=WIB)
    noon = datetime(2026, 11, 6, 12, 0, tzinfo=WIB)
    assert QUIET.release_time(noon, WIB) == noon
    # 20:30 in Jakarta is already 21:30 in Makassar: WITA waits, WIB does not
    moment = datetime(2026, 11, 5, 13, 30, tzinfo=UTC)
    assert QUIET.release_time(moment, WIB) == moment
    assert QUIET.release_time(moment, WITA) == datetime(2026, 11, 6, 7, 0, tzinfo=WITA)


async def test_notice_goes_once_on_the_channel_used_last(db: Database) -> None:
    now = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)  # 10.00 WIB
    async with db.transaction() as repos:
        coop, _ = await repos.cooperatives.upsert({"name": "KSP A", "nik": "1", "type": "ksp"})
        officer = await repos.officers.add(coop.id, "Siti", "bendahara")
        telegram = await repos.identities.get_or_create("telegram", "5123")
        whatsapp = await repos.identities.get_or_create("whatsapp", "62812")
        telegram.officer_id = whatsapp.officer_id = officer.id
        telegram.last_inbound_at = now - timedelta(days=3)
        whatsapp.last_inbound_at = now - timedelta(hours=1)
        notice = Notice("report_reminder", "reminder:2026-10:coop-1:officer-1", Reply("Pengingat laporan"))
        first = await enqueue_notice(repos, notice, now, officer_id=officer.id, zone=WIB, quiet=QUIET)
        again = await enqueue_notice(repos, notice, now, officer_id=officer.id, zone=WIB, quiet=QUIET)
        row = await repos.outbox.by_key(notice.dedupe_key)
        assert first and again is None and row is not None
        assert (row.channel, row.recipient, row.business_initiated) == ("whatsapp", "62812", True)
        # WhatsApp unreachable: the next notice takes Telegram
        await repos.identities.mark_unreachable(whatsapp.id, "131026", now)
    async with db.transaction() as repos:
        other = Notice("report_late", "late:2026-10:coop-1:officer-1", Reply("Terlambat"))
        await enqueue_notice(repos, other, now, officer_id=officer.id, zone=WIB, quiet=QUIET)
        row = await repos.outbox.by_key(other.dedupe_key)
        assert row is not None and row.channel == "telegram"


async def test_nobody_to_reach_is_recorded_with_a_reason(db: Database) -> None:
    async with db.transaction() as repos:
        coop, _ = await repos.cooperatives.upsert({"name": "KSP B", "nik": "2", "type": "ksp"})
        officer = await repos.officers.add(coop.id, "Budi", "ketua")
        notice = Notice("announcement", "ann:1:officer-1", Reply("Pengumuman"))
        await enqueue_notice(repos, notice, datetime(2026, 11, 5, tzinfo=UTC), officer_id=officer.id, zone=WIB)
        row = await repos.outbox.by_key(notice.dedupe_key)
        assert row is not None and row.status == "unreachable" and row.last_error == "no chat account"


async def test_a_notice_in_quiet_hours_waits_for_the_morning(db: Database) -> None:
    night = datetime(2026, 11, 5, 15, 0, tzinfo=UTC)  # 22.00 WIB
    async with db.transaction() as repos:
        coop, _ = await repos.cooperatives.upsert({"name": "KSP C", "nik": "3", "type": "ksp"})
        officer = await repos.officers.add(coop.id, "Ani", "ketua")
        identity = await repos.identities.get_or_create("telegram", "77")
        identity.officer_id = officer.id
        notice = Notice("training_reminder", "training:1:officer-1:1d", Reply("Besok pelatihan"))
        await enqueue_notice(repos, notice, night, officer_id=officer.id, zone=WIB, quiet=QUIET)
        row = await repos.outbox.by_key(notice.dedupe_key)
        assert row is not None and row.next_attempt_at == datetime(2026, 11, 6, 7, 0, tzinfo=WIB)


async def test_many_notices_at_once_go_as_each_would_alone(db: Database) -> None:
    """A tick's notices, set-based: the chat used last, the reason for nobody, quiet hours, repeats skipped."""
    night = datetime(2026, 11, 5, 15, 0, tzinfo=UTC)  # 22.00 WIB, 23.00 WITA
    async with db.transaction() as repos:
        coop, _ = await repos.cooperatives.upsert({"name": "KSP D", "nik": "4", "type": "ksp"})
        siti = await repos.officers.add(coop.id, "Siti", "bendahara")
        budi = await repos.officers.add(coop.id, "Budi", "ketua")
        telegram = await repos.identities.get_or_create("telegram", "5124")
        whatsapp = await repos.identities.get_or_create("whatsapp", "62813")
        telegram.officer_id = whatsapp.officer_id = siti.id
        telegram.last_inbound_at = night - timedelta(hours=1)
        whatsapp.last_inbound_at = night - timedelta(days=2)
        items = [
            Due(Notice("report_reminder", "r:siti", Reply("Pengingat")), WITA, officer_id=siti.id),
            Due(Notice("report_reminder", "r:budi", Reply("Pengingat")), WIB, officer_id=budi.id),
        ]
        assert await enqueue_notices(repos, items, night, quiet=QUIET) == 2
        assert await enqueue_notices(repos, items, night, quiet=QUIET) == 0  # the same tick again: nothing new
        to_siti, to_budi = await repos.outbox.by_key("r:siti"), await repos.outbox.by_key("r:budi")
        assert to_siti is not None and (to_siti.channel, to_siti.recipient, to_siti.status) == (
            "telegram",
            "5124",
            "pending",
        )
        assert to_siti.next_attempt_at == datetime(2026, 11, 6, 7, 0, tzinfo=WITA) and to_siti.business_initiated
        assert to_budi is not None and (to_budi.status, to_budi.last_error) == ("unreachable", "no chat account")
