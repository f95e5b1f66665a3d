"""`/umumkan` as the office lives it: write, choose who, preview with the count, confirm; BERHENTI and MULAI."""

from __future__ import annotations

from bot.chat.dispatch import Dispatcher
from storage.db import Database
from tests.handlers.chat import User, dispatcher, invite, officer_without_account, registered


async def staff_user(db: Database, d: Dispatcher, role: str = "admin", kecamatan_id: int | None = None) -> User:
    async with db.transaction() as repos:
        staff = await repos.staff.add(f"Petugas {role}", role, kecamatan_id)
    user = User(d, f"staff-{role}")
    await user.say(f"DAFTAR {await invite(db, None, role, staff_id=staff.id)}")
    return user


async def announcement_rows(db: Database) -> int:
    async with db.transaction() as repos:
        return sum([len(await repos.outbox.of_announcement(i)) for i in range(1, 5)])


async def test_compose_preview_confirm_and_follow_progress(db: Database) -> None:
    d = dispatcher(db)
    siti = await registered(db, d, "siti", "3576010001")
    budi = await registered(db, d, "budi", "3576010002", type_="konsumen", name="Koperasi Konsumen Sejahtera")
    admin = await staff_user(db, d)
    assert "Tulis isi pengumuman" in await admin.say("/umumkan")
    assert "Untuk siapa?" in await admin.say("Rapat anggota tahunan paling lambat 31 Desember 2026.")
    assert "Kapan dikirim?" in await admin.press("Semua koperasi")
    preview = await admin.press("Sekarang")
    assert "Rapat anggota tahunan paling lambat 31 Desember 2026." in preview
    assert "*2 pengurus* dari 2 koperasi" in preview and "Belum ada yang terkirim" in preview
    assert admin.buttons == ["Kirim ke 2 orang", "Batal"]
    assert await announcement_rows(db) == 0  # nothing goes before the author confirms
    assert "Pengumuman #1 sedang dikirim ke 2 pengurus" in await admin.press("Kirim ke 2 orang")
    assert await announcement_rows(db) == 2
    assert "0 dari 2 terkirim, 0 gagal, 2 menunggu" in await admin.say("umumkan status")
    assert admin.buttons == ["Perbarui status"]
    async with db.transaction() as repos:
        rows = await repos.outbox.of_announcement(1)
        rows[0].status = "sent"
        rows[1].status, rows[1].last_error = "unreachable", "Forbidden: bot was blocked by the user"
    refreshed = await admin.press("Perbarui status")
    assert "1 dari 2 terkirim, 1 gagal, 0 menunggu" in refreshed and "1 gagal: tidak bisa dihubungi" in refreshed
    assert "(memblokir bot" in refreshed and "blocked" not in refreshed  # the platform's English stays out
    assert "Selesai" in refreshed
    # officers cannot broadcast
    assert "khusus untuk petugas Dinas" in await siti.say("umumkan")
    del budi


async def test_a_typed_segment_a_scheduled_time_and_cancel(db: Database) -> None:
    d = dispatcher(db)
    await registered(db, d, "siti", "3576010001")
    await registered(db, d, "budi", "3576010002", type_="konsumen", name="Koperasi Konsumen Sejahtera")
    admin = await staff_user(db, d)
    await admin.say("umumkan")
    await admin.say("Pengumuman untuk KSP saja, ya.")
    refused = await admin.say("jenjang:ksp")
    assert "segmen belum bisa dipakai: 'jenjang:ksp' tidak dikenal; awali dengan salah satu dari semua, jenis, tag" in (
        refused
    )
    assert "type" not in refused and "all" not in refused and "belum-lapor:2026-10" in refused
    assert "belum menjangkau siapa pun" in await admin.say("tag:kopontren")
    await admin.say("jenis:ksp")
    assert "belum bisa kami baca" in await admin.say("kapan-kapan")
    preview = await admin.say("20-11-2026 08.00")
    assert "Segmen: jenis:ksp\n" in preview
    assert "*1 pengurus* dari 1 koperasi" in preview and "Jumat, 20 November 2026 08.00 WIB" in preview
    assert "tidak dikirim" in await admin.press("Batal")
    assert await announcement_rows(db) == 0
    await admin.say("umumkan")
    await admin.say("Pengumuman untuk KSP saja, ya.")
    await admin.say("type:ksp")
    await admin.say("20-11-2026 08.00")
    assert "dijadwalkan Jumat, 20 November 2026 08.00 WIB untuk 1 pengurus" in await admin.press("Kirim ke 1 orang")


async def test_a_pembina_reaches_only_their_kecamatan(db: Database) -> None:
    d = dispatcher(db)
    async with db.transaction() as repos:
        mag = await repos.regions.get_or_create("kecamatan", "Magersari")
    await registered(db, d, "siti", "3576010001", kecamatan_id=mag.id)
    await registered(db, d, "budi", "3576010002", name="KSP Lain")
    pembina = await staff_user(db, d, "pembina", mag.id)
    await pembina.say("umumkan")
    assert "hanya sampai ke kecamatan Magersari" in await pembina.say("Kunjungan pembinaan minggu depan.")
    await pembina.press("Semua koperasi")
    assert "*1 pengurus* dari 1 koperasi" in await pembina.press("Sekarang")
    viewer = await staff_user(db, d, "viewer")
    assert "khusus untuk admin dan pembina" in await viewer.say("umumkan")


async def test_berhenti_stops_announcements_and_mulai_resumes_them(db: Database) -> None:
    d = dispatcher(db)
    siti = await registered(db, d, "siti", "3576010001")
    await registered(db, d, "budi", "3576010002", name="KSP Lain")
    admin = await staff_user(db, d)
    reply = await siti.say("BERHENTI")
    assert "tidak akan menerima pengumuman" in reply and "Pengingat tentang laporan" in reply
    await admin.say("umumkan")
    await admin.say("Info pelatihan pajak.")
    await admin.press("Semua koperasi")
    preview = await admin.press("Sekarang")
    assert "*1 pengurus* dari 2 koperasi. 1 pengurus tidak bisa menerimanya sekarang: 1 menghentikan pengumuman" in (
        preview
    )
    assert "akan kami kirim lagi" in await siti.say("mulai")
    await admin.say("umumkan")
    await admin.say("Info pelatihan pajak.")
    await admin.press("Semua koperasi")
    assert "*2 pengurus* dari 2 koperasi." in await admin.press("Sekarang")


async def test_the_confirmation_counts_whom_the_preview_counted(db: Database) -> None:
    """An officer with no chat account is in the segment: the preview and the confirmation both say 1, and why not
    the other (the announcement still records the other as not reachable)."""
    d = dispatcher(db)
    await registered(db, d, "siti", "3576010001")
    await officer_without_account(db)
    admin = await staff_user(db, d)
    await admin.say("/umumkan")
    await admin.say("Rapat anggota tahunan paling lambat 31 Desember 2026.")
    await admin.press("Semua koperasi")
    assert "*1 pengurus* dari 1 koperasi" in await admin.press("Sekarang")
    sent = await admin.press("Kirim ke 1 orang")
    assert "Pengumuman #1 sedang dikirim ke 1 pengurus" in sent, sent
    assert "1 pengurus tidak bisa menerimanya sekarang: 1 belum punya akun chat" in sent, sent
