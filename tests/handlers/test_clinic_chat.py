"""`rencana`, `perhatian`, the follow-up notice and the official annual score, as users see them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.domain.periods import Period
from bot.scheduler import catch_up
from bot.services.clinic import Actor
from storage.db import Database
from storage.models import ActionPlan, OutboxMessage
from tests.charts.test_indicative_pictures import CONSUMER
from tests.handlers.chat import Clock, User, complete_report, dispatcher, invite, registered, report_state
from tests.handlers.test_announcements_chat import staff_user
from tests.services.common import services
from tests.test_cycle import PLAN

NIK = "3576010001"


async def kecamatan(db: Database, name: str) -> int:
    async with db.transaction() as repos:
        return (await repos.regions.get_or_create("kecamatan", name)).id


async def test_a_pembina_adds_a_plan_the_officer_sees_it_and_marks_it_done(db: Database) -> None:
    d = dispatcher(db)
    north = await kecamatan(db, "Lowokwaru")
    siti = await registered(db, d, "siti", NIK, kecamatan_id=north)
    pembina = await staff_user(db, d, "pembina", north)

    assert "Tidak ada rencana aksi KSP Maju Bersama yang masih terbuka." in await siti.say("rencana")
    assert "Tulis *rencana* lalu NIK koperasinya" in await pembina.say("rencana")
    assert "tidak ditemukan" in await pembina.say("rencana 999")
    shown = await pembina.say(f"rencana {NIK}")
    assert "Belum ada rencana aksi." in shown and pembina.buttons == ["Tambah rencana"]
    assert "Apa yang harus dikerjakan?" in await pembina.press("Tambah rencana")
    assert "Siapa penanggung jawabnya?" in await pembina.say("Tagih pinjaman macet 5 anggota terbesar")
    assert "Sampai kapan?" in await pembina.say("Bendahara")
    assert "Tenggatnya tidak boleh sebelum hari ini." in await pembina.say("1 Oktober 2026")
    assert "belum bisa kami baca" in await pembina.say("segera")
    added = await pembina.say("15 Desember 2026")
    assert "Rencana aksi KSP Maju Bersama tersimpan:" in added and "Tenggat: Selasa, 15 Desember 2026." in added

    mine = await siti.say("rencana")
    assert "1. Tagih pinjaman macet 5 anggota terbesar: Bendahara, tenggat Selasa, 15 Desember 2026" in mine
    assert siti.buttons == ["Selesai 1"]
    done = await siti.press("Selesai 1")
    assert "tercatat selesai: Tagih pinjaman macet 5 anggota terbesar" in done
    assert "Tidak ada rencana aksi KSP Maju Bersama yang masih terbuka." in done
    async with db.transaction() as repos:
        [plan] = (await repos.session.scalars(select(ActionPlan))).all()
    assert (plan.status, plan.due_on) == ("done", date(2026, 12, 15))
    assert ", selesai" in await pembina.say(f"rencana {NIK}")


async def test_nobody_else_adds_or_finishes_a_plan_even_with_a_forged_button(db: Database) -> None:
    d = dispatcher(db)
    north, south = await kecamatan(db, "Lowokwaru"), await kecamatan(db, "Sukun")
    await registered(db, d, "siti", NIK, kecamatan_id=north)
    joko = await registered(db, d, "joko", "3576010002", kecamatan_id=south, name="KSP Sukun Jaya")
    elsewhere = await staff_user(db, d, "pembina", south)
    viewer = await staff_user(db, d, "viewer", north)
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik(NIK)
        admin = await repos.staff.add("Admin", "admin")
        assert coop is not None
    async with services(db) as s:
        plan = await s.clinic.add_plan(
            coop.id, "Rapat pengurus", "Ketua", date(2026, 12, 1), Actor(admin.id), d.clock()
        )

    assert "tidak ditemukan" in await elsewhere.say(f"rencana {NIK}")  # another kecamatan's cooperative
    shown = await viewer.say(f"rencana {NIK}")
    assert "Rapat pengurus" in shown and viewer.buttons == []
    await viewer.send(choice=f"rencana:tambah:{coop.id}")  # refused before any handler: the button is for senders
    assert "khusus untuk admin dan pembina" in viewer.text
    await elsewhere.send(choice=f"rencana:tambah:{coop.id}")
    assert "tidak berwenang" in elsewhere.text
    for user in (joko, viewer, elsewhere):
        await user.send(choice=f"rencana:selesai:{plan.id}")
        assert "tidak berwenang" in user.text
    await joko.send(choice="rencana:selesai:99999")
    assert "tidak ditemukan" in joko.text
    for forged in ("99999999999999999999", "x", "", "1:2"):  # refused before any handler
        await joko.send(choice=f"rencana:selesai:{forged}")
        assert "tombol ini sudah tidak berlaku" in joko.text
    async with db.transaction() as repos:
        assert (await repos.session.get(ActionPlan, plan.id)).status == "open"  # type: ignore[union-attr]


async def test_a_pembina_changes_and_cancels_a_plan_in_chat_and_nobody_else_can(db: Database) -> None:
    d = dispatcher(db)
    north, south = await kecamatan(db, "Lowokwaru"), await kecamatan(db, "Sukun")
    siti = await registered(db, d, "siti", NIK, kecamatan_id=north)
    pembina = await staff_user(db, d, "pembina", north)
    viewer = await staff_user(db, d, "viewer", north)
    async with db.transaction() as repos:
        south_staff = await repos.staff.add("Pembina Sukun", "pembina", south)
    elsewhere = User(d, "pembina-sukun")
    await elsewhere.say(f"DAFTAR {await invite(db, None, 'pembina', staff_id=south_staff.id)}")
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik(NIK)
        admin = await repos.staff.add("Admin", "admin")
        assert coop is not None
    async with services(db) as s:
        plan = await s.clinic.add_plan(
            coop.id, "Rapat pengurus", "Ketua", date(2026, 12, 1), Actor(admin.id), d.clock()
        )
        other = await s.clinic.add_plan(coop.id, "Tagih tunggakan", "Bendahara", date(2026, 12, 9), Actor(admin.id),
                                        d.clock())  # fmt: skip

    shown = await pembina.say(f"rencana {NIK}")
    assert pembina.buttons == ["Ubah 1", "Ubah 2", "Tambah rencana"] and "Tekan *Ubah* dan nomornya" in shown
    menu = await pembina.press("Ubah 1")
    assert "Rencana aksi: Rapat pengurus\nPenanggung jawab: Ketua. Tenggat: Selasa, 1 Desember 2026." in menu
    assert pembina.buttons == ["Ubah kegiatan", "Ubah penanggung jawab", "Ubah tenggat", "Batalkan rencana"]
    assert "Sekarang: Rapat pengurus" in await pembina.press("Ubah kegiatan")
    assert "terlalu panjang" in await pembina.say("x" * 501)
    changed = await pembina.say("Rapat pengurus bulanan dengan notulen")
    assert "Rencana aksi diubah:\nRapat pengurus bulanan dengan notulen" in changed
    await pembina.say(f"rencana {NIK}")
    await pembina.press("Ubah 1")
    await pembina.press("Ubah penanggung jawab")
    assert "Penanggung jawab: Sekretaris." in await pembina.say("Sekretaris")
    await pembina.say(f"rencana {NIK}")
    await pembina.press("Ubah 1")
    assert "Sampai kapan?" in await pembina.press("Ubah tenggat")
    assert "Tenggatnya tidak boleh sebelum hari ini." in await pembina.say("1 Oktober 2026")
    assert "Tenggat: Selasa, 22 Desember 2026." in await pembina.say("22 Desember 2026")
    async with db.transaction() as repos:
        stored = await repos.session.get(ActionPlan, plan.id)
        assert stored is not None
        assert (stored.what, stored.who, stored.due_on, stored.status) == (
            "Rapat pengurus bulanan dengan notulen", "Sekretaris", date(2026, 12, 22), "open")  # fmt: skip

    # a cooperative's officer, a viewer and another kecamatan's pembina cannot, even with forged buttons
    refused = [  # officers and viewers before any handler (the buttons are for senders), the pembina by the service
        (siti, "khusus untuk petugas Dinas"),
        (viewer, "khusus untuk admin dan pembina"),
        (elsewhere, "tidak berwenang"),
    ]
    for user, told in refused:
        for action in ("kelola", "ubah_apa", "batal", "batal_ya"):
            await user.send(choice=f"rencana:{action}:{other.id}")
            assert told in user.text, (user.user_id, action)
    await pembina.send(choice="rencana:batal_ya:99999")
    assert "tidak ditemukan" in pembina.text

    await pembina.say(f"rencana {NIK}")  # by due date: Tagih tunggakan (9 December) is now the first
    await pembina.press("Ubah 1")
    assert "Batalkan rencana aksi ini? Tagih tunggakan" in await pembina.press("Batalkan rencana")
    assert "Rencana aksi dibatalkan: Tagih tunggakan" in await pembina.press("Ya, batalkan")
    await pembina.send(choice=f"rencana:batal_ya:{other.id}")  # pressed twice: nothing changes
    assert "sudah dibatalkan" in pembina.text
    listed = await pembina.say(f"rencana {NIK}")
    assert "Tagih tunggakan: Bendahara, tenggat Rabu, 9 Desember 2026, dibatalkan" in listed
    assert pembina.buttons == ["Ubah 2", "Tambah rencana"]
    mine = await siti.say("rencana")
    assert "Tagih tunggakan" not in mine and siti.buttons == ["Selesai 1"]
    async with db.transaction() as repos:
        cancelled = await repos.session.get(ActionPlan, other.id)
        assert cancelled is not None and cancelled.status == "cancelled"


async def test_perhatian_lists_the_kecamatan_cooperatives_that_need_attention(db: Database) -> None:
    d = dispatcher(db)
    north, south = await kecamatan(db, "Lowokwaru"), await kecamatan(db, "Sukun")
    siti = await registered(db, d, "siti", NIK, kecamatan_id=north)
    await registered(db, d, "joko", "3576010002", kecamatan_id=south, name="KSP Sukun Jaya")
    pembina = await staff_user(db, d, "pembina", north)
    viewer = await staff_user(db, d, "viewer", north)
    assert "Tidak ada koperasi yang perlu perhatian khusus di Kecamatan Lowokwaru" in await pembina.say("perhatian")
    assert "hanya untuk pembina dan admin" in await viewer.say("perhatian")
    assert "khusus untuk petugas Dinas" in await siti.say("perhatian")

    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik(NIK)
        admin = await repos.staff.add("Admin", "admin")
        assert coop is not None
    async with services(db) as s:
        await s.clinic.add_plan(coop.id, "Rapat pengurus", "Ketua", date(2026, 10, 1), Actor(admin.id), d.clock())
    listed = await pembina.say("perhatian")
    assert "Koperasi yang perlu perhatian di Kecamatan Lowokwaru:" in listed
    assert "• rencana aksi lewat tenggat: 1" in listed
    assert f"1. KSP Maju Bersama (NIK {NIK}): rencana aksi lewat tenggat (1)" in listed
    assert "KSP Sukun Jaya" not in listed


async def test_the_follow_up_reaches_the_officer_and_the_pembina(db: Database) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    north = await kecamatan(db, "Lowokwaru")
    siti = await registered(db, d, "siti", NIK, kecamatan_id=north)
    pembina = await staff_user(db, d, "pembina", north)
    clock.now = datetime(2026, 5, 4, 3, tzinfo=UTC)
    await complete_report(db, siti)  # April 2026
    await siti.press("Kirim")
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik(NIK)
        assert coop is not None
    await pembina.say(f"rencana {NIK}")
    await pembina.press("Tambah rencana")
    await pembina.say("Tagih pinjaman macet")
    await pembina.say("Bendahara")
    await pembina.say("31 Mei 2026")
    clock.now = datetime(2026, 9, 3, 3, tzinfo=UTC)
    await complete_report(db, siti)  # August 2026, three periods after May
    await siti.press("Kirim")
    await catch_up(db, PLAN, datetime(2026, 9, 4, 2, tzinfo=UTC))
    async with db.transaction() as repos:
        stmt = select(OutboxMessage).where(OutboxMessage.kind == "follow_up").order_by(OutboxMessage.id)
        rows = list((await repos.session.scalars(stmt)).all())
    assert sorted((r.officer_id is not None, r.staff_id is not None) for r in rows) == [(False, True), (True, False)]
    text = rows[0].payload["text"]
    assert "Tindak lanjut pembinaan KSP Maju Bersama" in text and "Rencana aksi: Tagih pinjaman macet" in text
    assert "Skor April 2026:" in text and "Agustus 2026:" in text and "Hasil: " in text


async def test_the_year_end_score_becomes_resmi_when_verified_and_the_rat_is_recorded(db: Database) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    siti = await registered(db, d, "siti", NIK)
    clock.now = datetime(2027, 1, 4, 3, tzinfo=UTC)
    await complete_report(db, siti)  # December 2026, the book year's year-end figures
    await siti.press("Kirim")
    assert "(skor sementara)" in await siti.say("status")
    assert [r.attachment.chart["title"] for r in siti.last if r.attachment and r.attachment.chart] == [
        "KSP Maju Bersama – Desember 2026: 88,60 (Sehat, sementara)"
    ]  # the picture says it too
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik(NIK)
        pembina = await repos.staff.add("Bu Pembina", "pembina")
        assert coop is not None
    async with services(db) as s:
        [december] = (await s.clinic.record(coop.id, Actor(pembina.id))).assessments
        await s.clinic.verify(december.id, Actor(pembina.id), clock.now)
    assert "(skor terverifikasi)" in await siti.say("status")
    assert [r.attachment.caption for r in siti.last if r.attachment] == [
        "KSP Maju Bersama – Desember 2026: 88,60 (Sehat, terverifikasi)"
    ]
    clock.now = datetime(2027, 3, 20, 3, tzinfo=UTC)
    recorded = await siti.say("RAT 14 Maret 2027")
    assert "RAT tahun buku 2026 KSP Maju Bersama tercatat" in recorded
    assert (
        "Skor Desember 2026 sudah diverifikasi pembina dan kini menjadi penilaian *resmi* tahun buku ini." in recorded
    )
    assert "(skor resmi)" in await siti.say("status")
    assert "Desember 2026: 88,60 Sehat (resmi)" in await siti.say("riwayat")
    async with db.transaction() as repos:
        history = await repos.assessments.history(coop.id)
    assert [(a.period, a.standing, a.book_year) for a in history] == [(str(Period(2026, 12)), "official", 2026)]


async def test_a_kkmp_is_asked_its_readiness_once_and_followed_up_until_in_place(db: Database) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    kkmp = await registered(db, d, "wati", "3576010005", type_="konsumen", name="KKMP Sumber Rejeki", tags=["kkmp"])
    opened = await kkmp.say("lapor")
    await kkmp.say("batal")
    assert "Ada " in opened
    not_ready = {**CONSUMER, "compliance.ready_supplier_ekatalog": "tidak", "compliance.ready_rat": "tidak"}
    await complete_report(db, kkmp, not_ready)
    scored = await kkmp.press("Kirim")
    assert "Laporan Oktober 2026 (penilaian sementara)\nIndikatif - bukan penilaian kesehatan resmi" in scored
    assert "Perputaran persediaan: 7,07 kali setahun (baik)" in scored  # no abbreviation ("x/tahun")
    assert scored.endswith("Gambar: tiap indikator dibandingkan dengan targetnya (area hijau).")
    assert "Kewajiban koperasi:" in scored
    assert (
        "• Pemasok dan kesiapan e-katalog (belum)\n  1. Buat perjanjian tertulis" in scored
        and "• RAT (belum)" in scored
    )
    assert "Rekening bank atas nama koperasi" not in scored  # answered ya: in place, not prescribed
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik("3576010005")
        assert coop is not None
        stored = await repos.management.answers(coop.id)
    assert stored["compliance.ready_supplier_ekatalog"].answer is False
    assert stored["compliance.ready_bank_account"].answer is True

    clock.advance(days=30)  # November: only the items not in place are asked again
    asked: list[str] = []
    await kkmp.say("lapor")
    for _ in range(200):
        stage, key = await report_state(db, kkmp)
        if stage == "summary":
            break
        if stage in ("confirm_change", "confirm_group"):
            await kkmp.press("yes" if stage == "confirm_change" else "still")
            continue
        assert key is not None
        asked.append(key)
        await kkmp.say("ya" if key.startswith("compliance.") else CONSUMER.get(key, "10 jt"))
    assert [k for k in asked if k.startswith("compliance.")] == [
        "compliance.ready_supplier_ekatalog", "compliance.ready_rat"
    ]  # fmt: skip
    assert "Pemasok dan kesiapan e-katalog" not in await kkmp.press("Kirim")
    assert "• RAT (belum)" not in kkmp.text
