"""Trainings in the chat: the office's form with its preview, invitations, Daftar/Batal, the list, HADIR <kode>."""

from __future__ import annotations

import re

from bot.chat.messages import Reply
from storage.db import Database
from tests.handlers.chat import Clock, User, dispatcher, officer_without_account, registered
from tests.handlers.test_announcements_chat import staff_user


async def invitation(db: Database, user: User) -> Reply:
    async with db.transaction() as repos:
        identity = await repos.identities.find(user.channel, user.user_id)
        assert identity is not None and identity.officer_id is not None
        row = await repos.outbox.by_key(f"training:1:officer-{identity.officer_id}:invite")
        assert row is not None
        return Reply.from_json(row.payload)


async def test_the_office_creates_a_clinic_and_officers_register_attend_and_wait(db: Database) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    siti = await registered(db, d, "siti", "3576010001")
    budi = await registered(db, d, "budi", "3576010002", name="KSP Lain")
    admin = await staff_user(db, d)

    assert "1/8. Judul" in await admin.say("/pelatihan_baru")
    await admin.say("Klinik Koperasi: Laporan Keuangan")
    assert "2/8" in admin.text and admin.buttons == ["bimtek", "pelatihan", "klinik"]
    await admin.press("klinik")
    assert "belum bisa kami baca" in await admin.say("kamis depan")
    await admin.say("19-11-2026 09.00")
    assert "selesainya harus setelah mulai" in await admin.say("08.00")
    await admin.say("12.00")
    await admin.say("Aula Dinas Koperasi, Jl. Pahlawan 1")
    await admin.say("1")  # one place: the second officer waits
    await admin.press("Semua koperasi")
    preview = await admin.say("17-11-2026 16.00")
    assert "Kamis, 19 November 2026 09.00 WIB – Kamis, 19 November 2026 12.00 WIB" in preview
    assert "Undangan akan dikirim ke *2 pengurus* dari 2 koperasi" in preview and "Kuota: 1 orang" in preview
    assert admin.buttons == ["Undang 2 orang", "Batal"]
    assert "Tersimpan: pelatihan #1" in await admin.press("Undang 2 orang")

    invite = await invitation(db, siti)
    assert "Klinik koperasi: *Klinik Koperasi: Laporan Keuangan*" in invite.text
    assert [c.title for c in invite.choices] == ["Daftar", "Tidak"]
    await siti.send("Daftar", choice=invite.choices[0].id)
    assert "Bapak/Ibu terdaftar" in siti.text and siti.last[0].confirms == "Daftar"
    await budi.send("Daftar", choice=(await invitation(db, budi)).choices[0].id)
    assert "daftar tunggu nomor 1" in budi.text
    assert "✅ terdaftar" in await siti.say("pelatihan")
    assert "⏳ daftar tunggu" in await budi.say("pelatihan")

    # Siti cannot come after all: Budi gets the place (and a notice of it)
    assert "sudah dibatalkan" in await siti.press("Batal 1")
    async with db.transaction() as repos:
        promoted = await repos.outbox.by_keys_prefix("training:1:officer-2:promoted")
    assert promoted and "kini terdaftar" in promoted[0].payload["text"]
    assert "✅ terdaftar" in await budi.say("pelatihan")

    # the office sees the numbers and makes a code at the venue
    listing = await admin.say("pelatihan")
    assert "1 terdaftar dari 1" in listing and admin.buttons == ["Peserta 1", "Kode 1"]
    code = re.findall(r"HADIR (\w+)", await admin.press("Kode 1"))[0]
    clock.advance(days=16, hours=-0.5)  # 19 November, 09.30 WIB
    assert "belum cocok" in await budi.say("HADIR SALAH1")
    reply = await budi.say(f"hadir {code.lower()}")
    assert "kehadiran Bapak/Ibu" in reply and "catatan pembinaan" in reply
    assert "sudah tercatat sebelumnya" in await budi.say(f"HADIR {code}")
    await admin.send("Peserta 1", choice="pelatihan:peserta:1")  # the button of the earlier list
    roster = admin.text
    assert "Terdaftar 1 dari 1, menunggu 0, hadir 1." in roster and "Budi (KSP Lain): terdaftar, hadir" in roster


async def test_only_admins_and_pembina_create_and_hadir_is_for_officers(db: Database) -> None:
    d = dispatcher(db)
    siti = await registered(db, d, "siti", "3576010001")
    viewer = await staff_user(db, d, "viewer")
    assert "khusus untuk admin dan pembina" in await viewer.say("pelatihan_baru")
    assert "khusus untuk petugas Dinas" in await siti.say("pelatihan_baru")
    assert "Belum ada pelatihan atau klinik" in await siti.say("pelatihan")
    assert "Kirim *HADIR* diikuti kode" in await siti.say("HADIR")
    # the office's staff are told these are for cooperative officers (not "for the office's staff")
    assert "khusus untuk pengurus koperasi" in await viewer.say("HADIR AB12CD")
    await viewer.send("Daftar", choice="pelatihan:daftar:1")
    assert "khusus untuk pengurus koperasi" in viewer.text
    admin = await staff_user(db, d)
    await admin.say("umumkan")
    # an announcement that starts with "Hadir" is the announcement's text, not a check-in
    assert "Untuk siapa?" in await admin.say("Hadir di rapat koordinasi hari Senin, ya.")


async def test_a_declined_invitation_and_batal_in_the_form(db: Database) -> None:
    d = dispatcher(db)
    siti = await registered(db, d, "siti", "3576010001")
    admin = await staff_user(db, d)
    for text in ("pelatihan_baru", "Bimtek Akuntansi", "bimtek", "19-11-2026 09.00", "20-11-2026 15.00"):
        await admin.say(text)
    await admin.say("https://zoom.us/j/123")
    await admin.say("0")
    await admin.say("type:ksp")
    preview = await admin.press("Sampai mulai")
    assert "Tempat: https://zoom.us/j/123" in preview and "Kuota: tanpa batas" in preview
    await admin.press("Undang 1 orang")
    await siti.send("Tidak", choice=(await invitation(db, siti)).choices[1].id)
    assert "tidak ikut" in siti.text
    await admin.say("pelatihan_baru")
    await admin.say("Sebentar")
    assert "Baik, dibatalkan." in await admin.say("batal")


async def test_officers_see_only_the_trainings_of_their_segment(db: Database) -> None:
    d = dispatcher(db)
    siti = await registered(db, d, "siti", "3576010001")
    budi = await registered(db, d, "budi", "3576010002", type_="konsumen", name="Koperasi Konsumen Sejahtera")
    admin = await staff_user(db, d)
    for text in ("pelatihan_baru", "Bimtek Simpan Pinjam", "bimtek", "19-11-2026 09.00", "12.00", "Aula", "0"):
        await admin.say(text)
    await admin.say("type:ksp")
    await admin.press("Sampai mulai")
    await admin.press("Undang 1 orang")
    assert "Bimtek Simpan Pinjam" in await siti.say("pelatihan")
    assert "Belum ada pelatihan" in await budi.say("pelatihan")


async def test_the_saved_training_counts_the_invitations_the_preview_promised(db: Database) -> None:
    """An officer with no chat account is in the segment but cannot be invited: the preview says 1 and why not the
    other, and so does the confirmation (not the 2 officers of the segment)."""
    d = dispatcher(db, Clock())
    await registered(db, d, "siti", "3576010001")
    await officer_without_account(db)
    admin = await staff_user(db, d)
    for text in ("/pelatihan_baru", "Bimtek Akuntansi", "bimtek", "19-11-2026 09.00", "12.00", "Aula Dinas", "40"):
        await admin.say(text)
    await admin.press("Semua koperasi")
    preview = await admin.say("17-11-2026 16.00")
    assert "Undangan akan dikirim ke *1 pengurus* dari 1 koperasi" in preview
    saved = await admin.press("Undang 1 orang")
    assert "Undangan untuk 1 pengurus sedang dikirim" in saved, saved
    assert "1 pengurus tidak bisa menerimanya sekarang: 1 belum punya akun chat" in saved, saved  # and why
