"""`rat`: an officer records the day the RAT was held; the RAT reminders stop, the ODS ones follow."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.chat.dispatch import Dispatcher
from bot.chat.messages import Reply
from bot.scheduler import catch_up
from storage.db import Database
from storage.models import AuditEntry
from tests.handlers.chat import Clock, User, dispatcher, registered
from tests.handlers.test_announcements_chat import staff_user
from tests.test_cycle import PLAN, make_city, rows

WIB = ZoneInfo("Asia/Jakarta")
MARCH_20 = datetime(2026, 3, 20, 3, 0, tzinfo=UTC)  # Friday 20 March 2026, 10.00 WIB: RAT season of book year 2025
NIK = "3576010001"


async def officer_in_march(db: Database) -> tuple[Dispatcher, User]:
    d = dispatcher(db, Clock(MARCH_20))
    return d, await registered(db, d, "siti", NIK)


async def rat_date(db: Database, nik: str = NIK) -> date | None:
    async with db.transaction() as repos:
        cooperative = await repos.cooperatives.by_nik(nik)
        assert cooperative is not None
        return cooperative.rat_date


async def audit_entries(db: Database) -> list[AuditEntry]:
    async with db.transaction() as repos:
        stmt = select(AuditEntry).where(AuditEntry.action == "cooperative.rat_recorded").order_by(AuditEntry.id)
        return list((await repos.session.scalars(stmt)).all())


async def test_an_officer_records_the_rat_held_on_15_maret_2026(db: Database) -> None:
    _, siti = await officer_in_march(db)
    question = await siti.say("rat")
    assert "Kapan RAT tahun buku 2025 diadakan?" in question
    assert "misalnya 20 Maret 2026 atau 20-03-2026" in question and "*batal*" in question
    assert siti.buttons == ["Hari ini", "Kemarin", "Belum"]

    done = await siti.say("15 Maret 2026")
    assert "RAT tahun buku 2025 KSP Maju Bersama tercatat: Minggu, 15 Maret 2026." in done
    assert "Pengingat RAT untuk tahun buku 2025 tidak dikirim lagi." in done
    assert "masukkan hasil RAT ke ODS paling lambat Selasa, 14 April 2026 (30 hari sesudah RAT)" in done
    assert siti.buttons == []
    assert await rat_date(db) == date(2026, 3, 15)

    [entry] = await audit_entries(db)
    async with db.transaction() as repos:
        cooperative = await repos.cooperatives.by_nik(NIK)
        assert cooperative is not None
        [officer] = await repos.officers.of_cooperative(cooperative.id)
    assert entry.actor == f"officer:{officer.id}" and entry.subject == f"cooperative:{cooperative.id}"
    assert entry.data == {
        "rat_date": "2026-03-15",
        "previous": None,
        "book_year": 2025,
        "officer": "Bu Siti",
        "channel": "console",
    }

    # asked again: the recorded date is shown and may be corrected
    again = await siti.say("/rat")
    assert "RAT tahun buku 2025 sudah tercatat: Minggu, 15 Maret 2026." in again and siti.buttons == ["Sudah benar"]
    assert "tetap Minggu, 15 Maret 2026" in await siti.press("Sudah benar")
    await siti.say("rat")
    corrected = await siti.say("16 Maret 2026")
    assert "tercatat: Senin, 16 Maret 2026." in corrected
    assert "(Sebelumnya tercatat Minggu, 15 Maret 2026.)" in corrected
    assert [e.data["previous"] for e in await audit_entries(db)] == [None, "2026-03-15"]


async def test_dates_typed_the_short_way_and_in_one_message(db: Database) -> None:
    _, siti = await officer_in_march(db)
    await siti.say("rat")
    assert "tercatat: Minggu, 15 Maret 2026." in await siti.say("15/3/2026")
    for typed, expected in [
        ("RAT 14-03-2026", "Sabtu, 14 Maret 2026"),
        ("/rat 2026-03-13", "Jumat, 13 Maret 2026"),
        ("rat 12 Mar 2026", "Kamis, 12 Maret 2026"),
        ("RAT kemarin", "Kamis, 19 Maret 2026"),
        ("catat rat 11 Maret 2026", "Rabu, 11 Maret 2026"),
        ("/rat@kopsehat_bot 10/3/2026", "Selasa, 10 Maret 2026"),
        ("RAT hari ini", "Jumat, 20 Maret 2026"),
    ]:
        assert f"tercatat: {expected}." in await siti.say(typed), typed
    assert await rat_date(db) == date(2026, 3, 20) and len(await audit_entries(db)) == 8


async def test_a_future_or_too_old_date_is_refused_kindly_and_asked_again(db: Database) -> None:
    _, siti = await officer_in_march(db)
    await siti.say("rat")
    future = await siti.say("25 Maret 2026")
    assert "Maaf, tanggal itu belum lewat (hari ini Jumat, 20 Maret 2026)." in future
    assert "Kapan RAT tahun buku 2025 diadakan?" in future and siti.buttons == ["Hari ini", "Kemarin", "Belum"]
    assert "belum lewat" in await siti.say("besok")
    too_old = await siti.say("15 Maret 2025")
    assert "diadakan sesudah tahun bukunya ditutup, jadi paling awal Kamis, 1 Januari 2026" in too_old
    assert "Kapan RAT tahun buku 2025 diadakan?" in too_old
    unreadable = await siti.say("minggu lalu")
    assert "Maaf, tanggalnya belum bisa kami baca." in unreadable and "misalnya 20 Maret 2026" in unreadable
    assert "belum lewat" in await siti.say("RAT 1 April 2026")
    assert await rat_date(db) is None and await audit_entries(db) == []
    assert "tercatat: Kamis, 19 Maret 2026." in await siti.press("Kemarin")


async def test_belum_ends_the_question_with_the_deadlines(db: Database) -> None:
    _, siti = await officer_in_march(db)
    await siti.say("rat")
    reply = await siti.press("Belum")
    assert "RAT tahun buku 2025 belum diadakan. Target Dinas paling lambat Selasa, 31 Maret 2026" in reply
    assert "batas menurut undang-undang Selasa, 30 Juni 2026" in reply and "ketik *rat*" in reply
    assert "tercatat" not in await siti.say("15 Maret 2026")  # the question is over: a date alone is no command
    assert "belum diadakan" in await siti.say("rat belum")
    assert await rat_date(db) is None


async def test_a_typed_date_inside_the_report_leaves_the_report_open(db: Database) -> None:
    _, siti = await officer_in_march(db)
    assert "Februari 2026" in await siti.say("lapor")
    await siti.say("rat")
    done = await siti.say("15 Maret 2026")
    assert "Laporan bulanan Bapak/Ibu masih terbuka; ketik *lapor* untuk melanjutkan." in done


async def test_only_the_cooperatives_officers_may(db: Database) -> None:
    d, siti = await officer_in_march(db)
    admin = await staff_user(db, d)
    assert "khusus untuk pengurus koperasi" in await admin.say("rat")
    assert "khusus untuk pengurus koperasi" in await admin.say("RAT 15 Maret 2026")
    stranger = User(d, "tamu")
    assert "belum terdaftar" in await stranger.say("RAT 15 Maret 2026")
    assert await rat_date(db) is None and await audit_entries(db) == []
    assert "*rat*: catat tanggal RAT yang sudah diadakan" in await siti.say("bantuan")
    assert "*rat*" not in await admin.say("bantuan")


async def test_in_english(db: Database) -> None:
    _, siti = await officer_in_march(db)
    await siti.say("bahasa")
    await siti.press("English")
    assert "When was the RAT for book year 2025 held?" in await siti.say("rat")
    assert siti.buttons == ["Today", "Yesterday", "Not yet"]
    assert "that day has not come yet (today is Friday, 20 March 2026)" in await siti.say("21 March 2026")
    done = await siti.say("15 March 2026")
    assert "is recorded: Sunday, 15 March 2026." in done and "in ODS by Tuesday, 14 April 2026" in done


async def test_once_recorded_the_rat_reminders_stop_and_the_ods_one_comes(db: Database) -> None:
    city = await make_city(db)
    maju = city.coops["KSP Maju"]
    await catch_up(db, PLAN, datetime(2026, 3, 1, 9, tzinfo=WIB))
    [notice] = [r for r in await rows(db, "reminder:rat:2026-03-01:") if r.officer_id == city.officers["KSP Maju"]]
    reminder = Reply.from_json(notice.payload)
    assert "kabari pembina" not in reminder.text and "tekan *Catat tanggal RAT*" in reminder.text
    assert [(c.id, c.title) for c in reminder.choices] == [("go:rat", "Catat tanggal RAT")]
    assert notice.payload["template_params"][-1] == "go:rat"

    d = dispatcher(db, Clock(MARCH_20))
    bu_maju = User(d, "tg1", channel="telegram")  # KSP Maju's officer, on the chat the notice went to
    await bu_maju.send(reminder.choices[0].title, choice=reminder.choices[0].id)
    assert "Kapan RAT tahun buku 2025 diadakan?" in bu_maju.text
    assert "paling lambat Jumat, 17 April 2026" in await bu_maju.say("18 Maret 2026")

    await catch_up(db, PLAN, datetime(2026, 3, 25, 9, tzinfo=WIB))  # 25 March: a RAT reminder day, RAT + 7 days
    reminded = {r.officer_id for r in await rows(db, "reminder:rat:2026-03-25:")}
    assert reminded == {city.officers["KSP Rukun"], city.officers["KSP Sejahtera"]}
    [ods] = await rows(db, "reminder:ods-update:")
    assert ods.dedupe_key == f"reminder:ods-update:2026-03-18:7d:coop-{maju}:officer-{city.officers['KSP Maju']}"
    assert "ODS paling lambat Jumat, 17 April 2026" in ods.payload["text"]
