"""`/rekap` transcripts: the office sees who reported, lists who did not, and sends a reminder after a preview."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from bot.chat.dispatch import STAFF_REFRESH, Dispatcher, DispatchResult
from bot.chat.messages import Address, Inbound
from storage.db import Database
from tests.conftest import drop_test_database, make_test_database
from tests.handlers.chat import NOW, Clock, User, dispatcher, invite
from tests.test_cycle import City, make_city, rows, submit

WIB = ZoneInfo("Asia/Jakarta")


async def staff_user(db: Database, d: Dispatcher, staff_id: int, role: str, name: str) -> User:
    user = User(d, name)
    await user.say(f"DAFTAR {await invite(db, None, role, staff_id=staff_id)}")
    return user


async def setup(db: Database) -> tuple[City, Dispatcher]:
    city = await make_city(db)
    await submit(db, city.coops["KSP Maju"], "2026-10", datetime(2026, 11, 4, 9, tzinfo=WIB))
    await submit(db, city.coops["KSP Rukun"], "2026-10", datetime(2026, 11, 12, 9, tzinfo=WIB))
    return city, dispatcher(db, Clock(datetime(2026, 11, 20, 10, tzinfo=WIB)))


async def test_admin_sees_the_summary_lists_and_sends_a_reminder_once(db: Database) -> None:
    city, d = await setup(db)
    admin = await staff_user(db, d, city.admin, "admin", "joko")
    text = await admin.say("/rekap")
    assert "Oktober 2026: 2 dari 3 koperasi sudah melapor (67%). Belum: 1." in text
    assert "Tepat waktu: 1 (33%)." in text
    assert "• Magersari: 0/1 (0%), 0 tepat waktu" in text and "• Prajurit Kulon: 2/2 (100%), 1 tepat waktu" in text
    assert admin.buttons == ["Lihat daftar", "Kirim pengingat"]

    assert "1. KSP Sejahtera" in await admin.press("Lihat daftar")
    preview = await admin.press("Kirim pengingat")
    assert "akan dikirim ke 1 pengurus dari 1 koperasi" in preview and admin.buttons == ["Ya, kirim", "Batal"]
    assert await rows(db, "reminder:report-manual:") == []  # nothing before the confirmation
    assert "1 pengingat laporan Oktober 2026 masuk antrean" in await admin.press("Ya, kirim")
    sent = await rows(db, "reminder:report-manual:2026-10:")
    assert [r.officer_id for r in sent] == [city.officers["KSP Sejahtera"]] and sent[0].kind == "report_late"

    await admin.say("rekap")  # again the same day: the preview says so, with nothing to confirm
    again = await admin.press("Kirim pengingat")
    assert "Semua 1 pengurus yang bisa dihubungi sudah diingatkan hari ini" in again and admin.buttons == []
    assert len(await rows(db, "reminder:report-manual:")) == 1


async def test_a_preview_confirmed_after_another_sent_the_reminders_queues_nothing_twice(db: Database) -> None:
    city, d = await setup(db)
    joko = await staff_user(db, d, city.admin, "admin", "joko")
    rina = await staff_user(db, d, city.admin, "admin", "rina")  # the same admin on a second chat
    await joko.say("rekap")
    await joko.press("Kirim pengingat")
    await rina.say("rekap")
    await rina.press("Kirim pengingat")
    assert "1 pengingat laporan Oktober 2026 masuk antrean" in await rina.press("Ya, kirim")
    assert "0 pengingat" in await joko.say("1") and "1 sudah masuk antrean hari ini" in joko.text  # "1" works too
    assert len(await rows(db, "reminder:report-manual:")) == 1


async def test_a_second_preview_the_same_day_counts_only_those_not_yet_reminded(db: Database) -> None:
    city, d = await setup(db)
    admin = await staff_user(db, d, city.admin, "admin", "joko")
    await admin.say("rekap")
    await admin.press("Kirim pengingat")
    await admin.press("Ya, kirim")
    await User(d, "siti").say(f"DAFTAR {await invite(db, city.coops['KSP Sejahtera'], 'ketua')}")  # a new officer
    await admin.say("rekap")
    preview = await admin.press("Kirim pengingat")
    assert "akan dikirim ke 1 pengurus dari 1 koperasi" in preview
    assert "1 pengurus sudah diingatkan hari ini, tidak diulang" in preview
    assert "Baik, 1 pengingat" in await admin.press("Ya, kirim")
    assert len(await rows(db, "reminder:report-manual:")) == 2


async def test_officers_without_a_chat_account_are_counted_as_unreachable(db: Database) -> None:
    city, d = await setup(db)
    async with db.transaction() as repos:
        await repos.officers.add(city.coops["KSP Sejahtera"], "Pak Tanpa Akun", "ketua")
    admin = await staff_user(db, d, city.admin, "admin", "joko")
    await admin.say("rekap")
    preview = await admin.press("Kirim pengingat")
    assert "ke 1 pengurus dari 1 koperasi yang belum melapor. 1 pengurus tidak bisa menerimanya sekarang" in preview
    assert "1 belum punya akun chat" in preview
    text = await admin.press("Ya, kirim")
    assert "Baik, 1 pengingat" in text and "1 pengurus belum bisa dihubungi" in text
    # again the same day: the one queued is not repeated, and the one without an account is still unreachable (it
    # was said to be "already queued today", counted with the one that was)
    await admin.say("rekap")
    again = await admin.press("Kirim pengingat")
    assert "Semua 1 pengurus yang bisa dihubungi sudah diingatkan hari ini" in again
    assert "1 belum punya akun chat" in again and admin.buttons == []


async def test_a_pembina_sees_their_kecamatan_and_a_past_period(db: Database) -> None:
    city, d = await setup(db)
    pembina = await staff_user(db, d, city.pembina, "pembina", "rina")
    text = await pembina.say("rekap 2026-10")
    assert text.startswith("Kecamatan Prajurit Kulon, Oktober 2026: 2 dari 2 koperasi sudah melapor (100%)")
    assert pembina.buttons == [] and "Per kecamatan" not in text
    assert (await pembina.say("rekap oktober")).startswith("Kecamatan Prajurit Kulon, Oktober 2026: 2 dari 2")
    assert (await pembina.say("rekap okt 2026")).startswith("Kecamatan Prajurit Kulon, Oktober 2026: 2 dari 2")
    refused = await pembina.say("rekap kemarin")
    assert "belum bisa kami baca" in refused and "rekap oktober, rekap okt 2026 atau rekap 2026-10" in refused


async def test_officers_cannot_use_rekap_and_waiting_notices_are_shown(db: Database) -> None:
    city, d = await setup(db)
    async with db.transaction() as repos:
        await repos.outbox.enqueue(
            dedupe_key="x", channel="whatsapp", recipient="62", kind="announcement", business_initiated=True,
            payload={"text": "a"}, status="waiting", last_error="WhatsApp daily limit reached: waits until tomorrow",
        )  # fmt: skip
    admin = await staff_user(db, d, city.admin, "admin", "joko")
    assert "Menunggu: 1 pesan. WhatsApp daily limit reached" in await admin.say("rekap")
    async with db.transaction() as repos:
        officer = await repos.staff.add("Pak Lihat", "viewer")
    viewer = await staff_user(db, d, officer.id, "viewer", "budi")
    await viewer.say("rekap")
    assert viewer.buttons == ["Lihat daftar"]


async def batches(d: Dispatcher, inbounds: list[Inbound]) -> tuple[list[DispatchResult], list[str]]:
    """The messages handled together, with what each transaction recorded of them (their ids, per statement)."""
    recorded: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        if "INSERT INTO inbound_messages" in statement:  # alone, or in the statement reading the senders
            recorded.append(str(parameters))

    event.listen(d.db.engine.sync_engine, "before_cursor_execute", note)
    try:
        return await d.handle_many(inbounds), recorded
    finally:
        event.remove(d.db.engine.sync_engine, "before_cursor_execute", note)


def officers_and(inbound: Inbound, round_: str) -> list[Inbound]:
    """Four officers' messages with `inbound` among them."""
    officers = [Inbound(Address("console", f"q{n}"), f"officer-{round_}{n}", NOW, text="menu") for n in range(4)]
    return [*officers[:2], inbound, *officers[2:]]


async def test_a_staff_request_is_never_inside_the_officers_batch(db: Database) -> None:
    """A province's rekap takes a while: officers writing at the same moment are not held up inside its batch."""
    city, d = await setup(db)
    await staff_user(db, d, city.admin, "admin", "joko")
    rekap = Inbound(Address("console", "joko"), "staff-rekap", NOW, kind="text", text="/rekap")
    results, recorded = await batches(d, officers_and(rekap, ""))
    assert "Oktober 2026: 2 dari 3 koperasi sudah melapor (67%). Belum: 1." in results[2].replies[0].text
    assert all(r.replies for r in results)
    [staff_batch] = [r for r in recorded if "staff-rekap" in r]
    assert "officer-" not in staff_batch


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_chat_made_staff_by_another_process_soon_has_the_staff_lane(backend: str, tmp_path: Path) -> None:
    """Two `kopsehat run` processes on one database: a chat that registers as staff through one has its rekap
    outside the officers' batches of the other within STAFF_REFRESH, and back among them once it is an officer
    (refused rekap all along: the lane decides no permission)."""
    first, schema = await make_test_database(backend, tmp_path)
    second = Database(first.url, schema=schema)  # another process's connections
    try:
        city, here = await setup(first)
        clock = Clock(datetime(2026, 11, 20, 10, tzinfo=WIB))
        there = dispatcher(second, clock)
        await there.handle(Inbound(Address("console", "q0"), "first", NOW, text="menu"))  # reads who is staff: none
        joko = await staff_user(first, here, city.admin, "admin", "joko")
        clock.advance(seconds=STAFF_REFRESH.total_seconds())
        rekap = Inbound(Address("console", "joko"), "staff-rekap", NOW, text="/rekap")
        results, recorded = await batches(there, officers_and(rekap, "a"))
        assert "Oktober 2026: 2 dari 3 koperasi sudah melapor (67%)" in results[2].replies[0].text
        [staff_batch] = [r for r in recorded if "staff-rekap" in r]
        assert "officer-" not in staff_batch

        await joko.say(f"DAFTAR {await invite(first, city.coops['KSP Maju'])}")  # now an officer, through `here`
        again = Inbound(Address("console", "joko"), "joko-rekap", NOW, text="/rekap")
        results, _ = await batches(there, [again])  # still in the staff lane here: refused all the same
        assert results[0].replies[0].text.startswith("Maaf, perintah ini khusus untuk petugas Dinas.")
        clock.advance(seconds=STAFF_REFRESH.total_seconds())
        later = Inbound(Address("console", "joko"), "joko-menu", NOW, text="menu")
        _, recorded = await batches(there, officers_and(later, "b"))
        [batch] = [r for r in recorded if "joko-menu" in r]
        assert "officer-b0" in batch
    finally:
        await second.dispose()
        await drop_test_database(first, schema)
