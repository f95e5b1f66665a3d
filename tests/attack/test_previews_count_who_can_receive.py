"""Issue 13 item 14: a preview counts only who will receive it now, says how many cannot and why, and a send to
nobody reachable is refused with the reason (announcements, training invitations, the recap's reminder)."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.db import Database
from storage.models import Training
from tests.handlers.chat import dispatcher
from tests.handlers.test_announcements_chat import announcement_rows, staff_user
from tests.test_segments import City, seed_city

NO_ACCOUNT = "belum punya akun chat (belum DAFTAR dengan kode undangan)"
UNREACHABLE = "tidak bisa dihubungi di Telegram maupun WhatsApp (memblokir bot atau nomornya tidak aktif)"


async def city_with_gaps(db: Database) -> City:
    """seed_city, with b1 (the only officer of the KKMP) blocked on every channel and d1 at C without an account."""
    city = await seed_city(db)
    async with db.transaction() as repos:
        identity = await repos.identities.find("console", "b1")
        assert identity is not None
        identity.reachable, identity.unreachable_reason = False, "blocked by the user"
        await repos.officers.add(city.coops["C"], "Pak d1", "ketua")
    return city


async def test_an_announcement_preview_counts_who_receives_it_now(db: Database) -> None:
    await city_with_gaps(db)
    d = dispatcher(db)
    admin = await staff_user(db, d)
    await admin.say("umumkan")
    await admin.say("Rapat koordinasi koperasi.")
    await admin.say("semua")
    preview = await admin.say("sekarang")
    assert (
        f"Penerima sekarang: *3 pengurus* dari 3 koperasi. 3 pengurus tidak bisa menerimanya sekarang: 1 {NO_ACCOUNT}, "
        f"1 {UNREACHABLE}, 1 menghentikan pengumuman (BERHENTI)."
    ) in preview
    assert admin.buttons == ["Kirim ke 3 orang", "Batal"]

    await admin.say("umumkan")
    await admin.say("Rapat koordinasi KKMP.")
    refused = await admin.say("tag:kkmp")
    assert "belum menjangkau siapa pun yang bisa menerimanya sekarang" in refused
    assert f"1 pengurus tidak bisa menerimanya sekarang: 1 {UNREACHABLE}." in refused
    assert "Untuk siapa?" in refused and await announcement_rows(db) == 0


async def test_a_training_for_nobody_reachable_is_not_created(db: Database) -> None:
    await city_with_gaps(db)
    d = dispatcher(db)
    admin = await staff_user(db, d)
    for answer in ("pelatihan_baru", "Klinik Pajak KKMP", "klinik", "10-11-2026 09.00", "12.00", "Aula Dinas", "-"):
        await admin.say(answer)
    refused = await admin.say("tag:kkmp")
    assert (
        "pelatihan belum bisa dibuat" in refused and f"1 {UNREACHABLE}" in refused and "Siapa yang diundang?" in refused
    )
    assert "Batas pendaftaran?" in await admin.say("kecamatan:Prajurit Kulon")
    preview = await admin.say("-")
    assert f"*1 pengurus* dari 1 koperasi. 1 pengurus tidak bisa menerimanya sekarang: 1 {NO_ACCOUNT}." in preview
    assert admin.buttons == ["Undang 1 orang", "Batal"]
    async with db.transaction() as repos:
        assert await repos.session.scalar(select(func.count(Training.id))) == 0


async def test_the_recaps_reminder_to_nobody_reachable_is_refused_with_the_reason(db: Database) -> None:
    await city_with_gaps(db)  # October: A and C reported, B (whose only officer is blocked) did not
    d = dispatcher(db)
    admin = await staff_user(db, d)
    await admin.say("rekap 2026-10")
    refused = await admin.press("Kirim pengingat")
    assert "belum bisa dikirim: belum ada pengurus yang bisa menerimanya sekarang" in refused
    assert f"1 pengurus tidak bisa menerimanya sekarang: 1 {UNREACHABLE}." in refused
    assert admin.buttons == []
