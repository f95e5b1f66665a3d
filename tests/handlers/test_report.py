"""The monthly report as an officer lives it: transcripts on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from bot.charts import specs
from storage.db import Database
from tests.handlers.chat import (
    KSP_VALUES,
    NOW,
    Clock,
    add_cooperative,
    complete_report,
    dispatcher,
    registered,
    report_state,
    transcript,
)


async def stored_report(db: Database, period: str = "2026-10") -> tuple[str, dict[str, str], dict[str, object]]:
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        report = await repos.reports.get(coop.id, period)
        assert report is not None
        revision = await repos.reports.revision(report.id, report.latest_revision)
        return report.status, dict(revision.figures) if revision else {}, dict(report.draft)


async def test_whole_report_then_score_coaching_and_picture(db: Database) -> None:
    siti = await registered(db, dispatcher(db))
    summary = await complete_report(db, siti)
    assert "Ringkasan laporan Oktober 2026" in summary and "Kas Rp40.000.000" in summary
    assert "Kirim" in siti.buttons
    await siti.press("Kirim")
    text = siti.text
    assert "Terima kasih, laporan Oktober 2026 sudah kami terima (Selasa, 3 November 2026 10.00 WIB)" in text
    assert "Skor sementara" in text and "Sehat" in text
    pictures = [r.attachment for r in siti.last if r.attachment]
    assert pictures and specs.drawn(pictures[0]).data.startswith(b"\x89PNG")
    status, figures, _ = await stored_report(db)
    assert status == "submitted"
    assert figures["cash"] == "40000000" and figures["loans_to_members"] == "1350000000"
    assert "management.general.1" not in figures  # yearly answers are kept apart and carried forward
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        [assessment] = await repos.assessments.history(coop.id)
        assert assessment.category == "sehat" and isinstance(assessment.total, Decimal)
    status_text = await siti.say("/status")
    assert "Skor sementara" in status_text and [r for r in siti.last if r.attachment]
    # The clinic's plan: the cause first (named with its ratio), its target and steps; at most three entries.
    plan = status_text.split("Langkah berikutnya:\n")[1]
    assert plan.startswith("• Pinjaman tanpa agunan atau penjamin 66,67% dari pinjaman beredar.\n  Target: ")
    assert plan.count("\n• ") <= 2 and "thd" not in status_text


async def test_amounts_are_echoed_and_bad_answers_re_asked_without_losing_anything(db: Database) -> None:
    siti = await registered(db, dispatcher(db))
    await siti.say("lapor")
    assert "Kas: Rp12.300.000" in await siti.say("12,3jt")
    unreadable = "Maaf, belum bisa kami baca. Tulis angkanya saja, misalnya 48.000.000 atau 48 jt."
    bank = "2/79. Bank: Saldo giro dan tabungan bank yang dipakai untuk membayar. Contoh: 48.000.000 atau 48 jt."
    stuck = (
        'Sepertinya pertanyaan "Bank" sulit dijawab. Bapak/Ibu bisa melewatinya dulu, berhenti sebentar (jawaban '
        "tetap tersimpan), atau minta penjelasan. Atau ketik lagi jawabannya."
    )
    ways_out = ["Lewati dulu", "Lanjut nanti", "Minta bantuan"]
    help_text = "\n".join(
        (
            "Yang bisa Bapak/Ibu lakukan:",
            "• *lapor*: isi laporan bulanan (jawaban tersimpan otomatis)",
            "• *formulir*: isi laporan di formulir (satu layar per bagian), di HP atau komputer",
            "• *template*: laporan sebagai berkas Excel; isi lalu kirim kembali berkasnya di chat ini",
            "• *status*: skor kesehatan koperasi dan langkah pembinaan",
            "• *riwayat*: skor enam bulan terakhir",
            "• *rencana*: rencana aksi dari pembina; tekan *Selesai* bila sudah dikerjakan",
            "• *rat*: catat tanggal RAT yang sudah diadakan (pengingat RAT lalu berhenti)",
            "• *batal*: hentikan yang sedang berjalan (jawaban tetap tersimpan)",
            "• *bahasa*: ganti bahasa (Indonesia/English)",
            "• *menu*: kembali ke menu",
            "Angka boleh ditulis 12.500.000, 12,5 jt, atau 250rb.",
        )
    )
    await transcript(
        siti,
        ("dua juta", f"{unreadable}\n{bank}", []),
        (" ", f"Maaf, jawabannya masih kosong. Tulis angkanya, misalnya 48.000.000 atau 48 jt.\n{bank}", []),
        ("🙂🙂", f"{unreadable}\n{stuck}", ways_out),  # the third miss in a row offers a way out
        ("x" * 5000, f"Maaf, jawabannya terlalu panjang. Tulis angkanya saja, misalnya 48.000.000 atau 48 jt.\n{bank}"),
        (
            "-5.000.000",
            f"Maaf, angka ini tidak boleh minus. Tulis tanpa tanda minus, misalnya 48.000.000 atau 48 jt.\n{bank}",
        ),
        ("satu juta", f"{unreadable}\n{stuck}", ways_out),
        ("/bantuan", help_text, ["Isi laporan", "Status koperasi", "Bantuan"]),
    )
    assert "Bank: Rp2.000.000" in await siti.say("2 jt")
    _, _, draft = await stored_report(db)
    assert draft["cash"] == "12300000" and draft["bank"] == "2000000"


async def test_three_failures_offer_help_and_a_way_out(db: Database) -> None:
    siti = await registered(db, dispatcher(db))
    await siti.say("lapor")
    for _ in range(2):
        await siti.say("tidak tahu")
    reply = await siti.say("entah")
    assert "sulit dijawab" in reply and len(siti.buttons) >= 2


async def test_cancel_keeps_answers_and_lapor_resumes_at_the_same_question(db: Database) -> None:
    siti = await registered(db, dispatcher(db))
    await siti.say("lapor")
    await siti.say("12,3 jt")
    assert "tetap tersimpan" in await siti.say("/batal")
    resumed = await siti.say("lapor")
    assert "Melanjutkan" in resumed and "2/" in resumed and "Bank" in resumed


async def test_a_slip_is_corrected_on_the_spot_with_kembali_or_ubah_then_the_report_goes_on(db: Database) -> None:
    siti = await registered(db, dispatcher(db))
    await siti.say("lapor")
    await siti.say("12,3 jt")
    await siti.say("48 jt")
    assert "2/79. Bank" in await siti.say("kembali") and "Jawaban sekarang: Rp48.000.000" in siti.text
    assert "Bank: Rp45.000.000" in await siti.say("45 jt") and "3/79. Deposito" in siti.text  # on from there
    assert "1/79. Kas" in await siti.say("ubah 1") and "Jawaban sekarang: Rp12.300.000" in siti.text
    assert "Kas: Rp12.500.000" in await siti.say("12,5 jt") and "3/79. Deposito" in siti.text
    assert "belum bisa kami baca" in await siti.say("ubah 5")  # not answered yet: nothing to change
    _, _, draft = await stored_report(db)
    assert (draft["cash"], draft["bank"]) == ("12500000", "45000000") and "placements" not in draft


async def test_a_repeated_message_changes_nothing(db: Database) -> None:
    siti = await registered(db, dispatcher(db))
    await siti.say("lapor")
    first = await siti.send("12,3 jt", message_id="wamid.same")
    again = await siti.send("99 jt", message_id="wamid.same")
    assert not first.duplicate and first.replies and again.duplicate and not again.replies
    _, _, draft = await stored_report(db)
    assert draft == {"cash": "12300000"}


async def test_a_second_officer_sees_the_draft_and_continues_it(db: Database) -> None:
    d = dispatcher(db)
    siti = await registered(db, d, "siti")
    await siti.say("lapor")
    await siti.say("12,3 jt")
    budi = await registered(db, d, "budi")
    reply = await budi.say("lapor")
    assert "sudah diisi oleh Bu Siti" in reply and "Bank" in reply


async def test_same_as_last_month_and_big_changes_are_confirmed(db: Database) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    siti = await registered(db, d)
    await complete_report(db, siti)
    await siti.press("Kirim")
    clock.advance(days=30)  # December: the November report
    reply = await siti.say("lapor")
    assert "November 2026" in reply and "Bulan lalu: Rp40.000.000" in reply
    assert "Kas: Rp40.000.000" in await siti.press("same")
    reply = await siti.say("600 jt")  # bank was 60 jt: ten times more
    assert "berubah" in reply and "Rp600.000.000" in reply
    await siti.press("yes")
    assert (await report_state(db, siti))[1] == "placements"


async def test_correction_after_submission_needs_a_reason_and_keeps_history(db: Database) -> None:
    siti = await registered(db, dispatcher(db))
    await complete_report(db, siti)
    await siti.press("Kirim")
    reply = await siti.say("lapor")
    assert "sudah dikirim oleh Bu Siti" in reply
    assert "alasan" in await siti.press("Ubah laporan")
    summary = await siti.say("salah ketik kas")
    assert "Ringkasan" in summary and "Manajemen: 38 dari 38 dijawab Ya" in summary  # may be changed too
    listed = await siti.press("edit:neraca")  # the section's numbered lines: one is chosen, not all re-asked
    assert "1. Kas Rp40.000.000" in listed and "2. Bank Rp60.000.000" in listed
    assert "Kas" in await siti.say("1")
    summary = await siti.say("41 jt")  # straight back to the summary, which no longer balances
    assert "Ringkasan" in summary and "selisih Rp1.000.000" in summary
    assert "belum bisa dikirim" in await siti.press("Kirim")
    await siti.say("ubah 2")
    await siti.say("59 jt")
    await siti.press("Kirim")
    assert "perbaikan laporan Oktober 2026 sudah kami simpan" in siti.text
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        report = await repos.reports.get(coop.id, "2026-10")
        assert report is not None
        revisions = await repos.reports.revisions(report.id)
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].reason == "salah ketik kas"
    assert revisions[1].changes == {"cash": ["40000000", "41000000"], "bank": ["60000000", "59000000"]}


async def test_two_messages_of_one_user_at_once_are_applied_in_order(db: Database) -> None:
    siti = await registered(db, dispatcher(db))
    await siti.say("lapor")
    await asyncio.gather(siti.send("11 jt"), siti.send("22 jt"), siti.send("33 jt"))
    _, _, draft = await stored_report(db)
    assert (draft["cash"], draft["bank"], draft["placements"]) == ("11000000", "22000000", "33000000")


async def test_non_ksp_cooperative_reports_indicative_figures(db: Database) -> None:
    ani = await registered(
        db, dispatcher(db), "ani", nik="3576019999", type_="konsumen", name="Koperasi Konsumen Sejahtera"
    )
    reply = await ani.say("lapor")
    assert "Penjualan" in reply or "Neraca Usaha" in reply
    assert "Kas:" not in reply
    assert NOW.year == 2026 and KSP_VALUES


async def test_a_report_opened_after_the_deadline_says_it_is_late(db: Database) -> None:
    clock = Clock()
    siti = await registered(db, dispatcher(db, clock))
    assert "Batas kirim: Selasa, 10 November 2026 23.59 WIB." in await siti.say("lapor")  # on 3 November
    await siti.say("batal")
    clock.advance(days=12)  # 15 November: October's report is late
    text = await siti.say("lapor")
    assert "Batas kirim: Selasa, 10 November 2026 23.59 WIB (sudah lewat; mohon dikirim secepatnya)." in text


async def test_books_that_do_not_balance_cannot_be_sent_and_ubah_jumps_to_one_figure(db: Database) -> None:
    siti = await registered(db, dispatcher(db))
    opened = await siti.say("lapor")
    assert "Ada 79 pertanyaan dalam 5 bagian, kira-kira 27 menit." in opened  # counted; computed figures not asked
    summary = await complete_report(db, siti, {**KSP_VALUES, "voluntary_savings": "1.025.000.000"})
    assert "Aset Rp2.000.000.000, kewajiban + ekuitas Rp2.125.000.000: selisih Rp125.000.000." in summary
    assert "1. Kas Rp40.000.000" in summary and "Jumlah aset Rp2.000.000.000 (dihitung)" in summary
    assert "SHU kotor Rp300.000.000 (dihitung)" in summary
    refused = await siti.press("Kirim")
    assert (
        "Laporan belum bisa dikirim" in refused
        and "selisih Rp125.000.000" in refused
        and "9 Simpanan sukarela" in refused
    )
    assert (await stored_report(db))[0] == "draft"
    assert "Simpanan sukarela" in await siti.say("ubah 9")
    back = await siti.say("900 jt")
    assert "Ringkasan laporan Oktober 2026" in back and "selisih" not in back  # straight back, and it balances
    await siti.press("Kirim")
    assert "sudah kami terima" in siti.text
    _, figures, _ = await stored_report(db)
    assert figures["voluntary_savings"] == "900000000" and figures["total_assets"] == "2000000000"


async def test_a_warning_confirmed_with_a_reason_is_stored_with_the_revision(db: Database) -> None:
    await add_cooperative(db, members=0)  # no members on record, yet savings: a warning
    siti = await registered(db, dispatcher(db))
    summary = await complete_report(db, siti)
    assert "Perlu dicek:" in summary and "Jumlah anggota tercatat 0" in summary
    asked = await siti.press("Kirim")
    assert "tulis alasannya" in asked
    assert "terlalu singkat" in await siti.say("ok")
    await siti.say("Data anggota belum diperbarui di Dinas")
    assert "sudah kami terima" in siti.text
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        report = await repos.reports.get(coop.id, "2026-10")
        assert report is not None
        [revision] = await repos.reports.revisions(report.id)
    [warning] = revision.warnings
    assert warning["id"] == "no_members" and warning["confirmed"] is True
    assert warning["reason"] == "Data anggota belum diperbarui di Dinas"


async def test_the_office_s_correction_button_opens_the_period_it_names(db: Database) -> None:
    clock = Clock()
    siti = await registered(db, dispatcher(db, clock))
    await complete_report(db, siti)  # October 2026
    await siti.press("Kirim")
    clock.advance(days=31)  # December: the November report
    await complete_report(db, siti)
    await siti.press("Kirim")
    await siti.send("Ubah laporan", choice="lapor:correct:2026-10")  # sent back by the office: October, not November
    assert "alasan" in siti.text
    summary = await siti.say("kas salah ketik")
    assert "Ringkasan" in summary and "Oktober 2026" in summary and "November 2026" not in summary
    await siti.press("edit:neraca")
    await siti.say("1")
    await siti.say("41 jt")
    await siti.say("ubah 2")
    await siti.say("59 jt")
    await siti.press("Kirim")
    assert "perbaikan laporan Oktober 2026 sudah kami simpan" in siti.text
    _, october, _ = await stored_report(db, "2026-10")
    _, november, _ = await stored_report(db, "2026-11")
    assert october["cash"] == "41000000" and november["cash"] == "40000000"
    await siti.send("Ubah laporan", choice="lapor:correct:2026-13")  # a forged period (issue 13.4): a stale button
    assert "tombol ini sudah tidak berlaku" in siti.text
    await siti.send("Ubah laporan", choice="lapor:correct")  # the button without a period: the latest report
    assert "alasan" in siti.text
    assert "November 2026" in await siti.say("salah ketik")
