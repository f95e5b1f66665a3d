"""Issue 13 item 17: what a new user met, in their own words: staff help names every staff command, `rekap oktober`
is understood, the list beyond 40 comes as an Excel file in the chat, examples are dated from today, failures and
segments are said in Indonesian, a management question says "Jawab Ya atau Tidak." once and nothing else, the
trend picture is captioned as a trend, and the terminal user is not greeted as "terminal"."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.channels.console import inbound_from_line
from bot.chat.dispatch import Dispatcher
from bot.domain import forms
from handlers import router
from storage.db import Database
from tests.handlers.chat import (
    KSP_VALUES,
    NOW,
    Clock,
    User,
    answer_for,
    complete_report,
    dispatcher,
    invite,
    registered,
    report_state,
)
from tests.handlers.test_announcements_chat import staff_user

WIB = ZoneInfo("Asia/Jakarta")


async def test_staff_help_names_announcements_and_trainings(db: Database) -> None:
    d = dispatcher(db)
    admin = await staff_user(db, d)
    text = await admin.say("bantuan")
    assert "*umumkan*" in text and "*pelatihan_baru*" in text and "*umumkan status*" in text
    assert "*rekap oktober* atau *rekap 2026-10*" in text  # NOW is 3 November 2026: October is being reported
    viewer = await staff_user(db, d, "viewer")
    shown = await viewer.say("bantuan")
    assert "*rekap*" in shown and "*pelatihan*" in shown and "umumkan" not in shown and "pelatihan_baru" not in shown


async def test_examples_are_dated_from_today(db: Database) -> None:
    await registered(db, dispatcher(db), "siti")
    registered_admin = await staff_user(db, dispatcher(db))
    later = NOW + timedelta(days=400)
    admin = User(Dispatcher(db, dispatcher(db).bot, router, clock=Clock(later)), registered_admin.user_id)
    await admin.say("umumkan")
    asked = await admin.say("Rapat anggota koperasi.")
    period = f"{(later.astimezone(WIB).replace(day=1) - timedelta(days=1)):%Y-%m}"
    assert f"belum-lapor:{period}" in asked and "2026-10" not in asked and "type:" not in asked
    when = await admin.say("semua")
    assert f"misalnya {(later.astimezone(WIB) + timedelta(days=8)):%d-%m-%Y} 08.00" in when


async def test_the_missing_list_beyond_40_comes_as_a_spreadsheet(db: Database) -> None:
    async with db.transaction() as repos:
        for number in range(45):
            await repos.cooperatives.upsert({"name": f"KSP Nomor {number:02d}", "nik": f"N{number}", "type": "ksp"})
    d = dispatcher(db)
    admin = await staff_user(db, d)
    await admin.say("rekap oktober")
    text = await admin.press("Lihat daftar")
    assert "40. KSP Nomor 39" in text and "41." not in text and "kopsehat report-status" not in text
    assert "… dan 5 lainnya: daftar lengkapnya ada di berkas Excel terlampir." in text
    [sheet] = [r.attachment for r in admin.last if r.attachment is not None]
    assert sheet.kind == "document" and sheet.filename == "belum-melapor-2026-10.xlsx"
    [page] = load_workbook(io.BytesIO(sheet.data)).worksheets
    rows = list(page.iter_rows(values_only=True))
    assert rows[0] == ("No", "NIK", "Koperasi", "Kecamatan") and len(rows) == 46
    assert rows[45][:3] == (45, "N44", "KSP Nomor 44")
    assert page.freeze_panes == "A2"  # the header stays in view while scrolling on a phone
    assert "45 koperasi belum melapor Oktober 2026" in admin.text


async def test_a_management_question_asks_once_and_the_trend_is_captioned_as_one(db: Database) -> None:
    siti = await registered(db, dispatcher(db))
    text = await siti.say("lapor")
    for _ in range(200):
        _, key = await report_state(db, siti)
        if key and key.startswith("management."):
            break
        assert key is not None, text
        text = await siti.say(answer_for(forms.load_form().question(key), KSP_VALUES))  # books that balance
    assert text.count("Jawab Ya atau Tidak.") == 1 and "versi proyek" not in text
    assert "disahkan rapat anggota? (Manajemen umum, pertanyaan 1 dari 12)\nJawab Ya atau Tidak." in text
    await complete_report(db, siti)
    await siti.press("Kirim")
    assert "Gambar: nilai tiap aspek" in siti.text  # the radar of the aspects
    await siti.say("riwayat")
    assert "Gambar: skor kesehatan tiap bulan, 6 bulan terakhir" in siti.text and "tiap aspek" not in siti.text


async def test_the_terminal_user_is_not_greeted_as_terminal(db: Database) -> None:
    d = dispatcher(db)
    async with db.transaction() as repos:
        staff = await repos.staff.add("Petugas", "admin")
    code = await invite(db, None, "admin", staff_id=staff.id)
    result = await d.handle(inbound_from_line("terminal", f"DAFTAR {code}", 0, "s"))
    greeting = "\n".join(r.text for r in result.replies)
    assert greeting.startswith("Selamat datang! ") and "terminal" not in greeting
    code = await invite(db, None, "admin", staff_id=staff.id)
    named = await d.handle(inbound_from_line("t2", f"DAFTAR {code}", 0, "s2", "Bu Rina"))
    assert named.replies[0].text.startswith("Selamat datang, Bu Rina!")
