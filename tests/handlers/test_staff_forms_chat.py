"""Bad input at each step of the office's forms (/pelatihan_baru, /umumkan), as exact transcripts.

Both forms run on the report's step engine (forms_data/new_training.json, announcement.json): a refused answer gets
the form's own re-ask, earlier answers are kept, the form survives a restart, and a moment that no longer holds when
the office confirms is asked again instead of being saved.
"""

from __future__ import annotations

from dataclasses import replace

from storage.db import Database
from tests.handlers.chat import NOW, Clock, User, dispatcher, registered, transcript
from tests.handlers.test_announcements_chat import announcement_rows, staff_user

TITLE = (
    "Membuat pelatihan baru (8 langkah; ketik *batal* untuk berhenti).\n"
    "1/8. Judul pelatihan? Contoh: Klinik Koperasi: Menyusun Laporan Keuangan"
)
KIND = "2/8. Jenisnya? Pilih: bimtek, pelatihan, atau klinik."
START = "3/8. Mulai kapan? Tulis tanggal dan jam, misalnya 10-11-2026 09.00 (waktu Dinas)."
END = "4/8. Selesai jam berapa? Misalnya 12.00, atau tanggal dan jam bila lebih dari sehari."
PLACE = "5/8. Tempat atau tautan? Misalnya Aula Dinas Koperasi, Jl. Pahlawan 1, atau https://zoom.us/j/123."
CAPACITY = "6/8. Kuota peserta? Tulis angkanya, misalnya 40, atau 0 bila tanpa batas."
SEGMENT = (
    "7/8. Siapa yang diundang? Pilih, atau tulis segmen seperti jenis:ksp, tag:kkmp, kecamatan:Magersari, "
    "kategori:dalam_pengawasan, belum-lapor:2026-10 (gabungkan dengan +)."
)
DEADLINE = "8/8. Batas pendaftaran? Tulis tanggal dan jam, misalnya 08-11-2026 16.00, atau pilih Sampai mulai."
UNREADABLE = "Maaf, belum bisa kami baca. Tulis tanggal dan jam, misalnya 10-11-2026 09.00."
KINDS = ["bimtek", "pelatihan", "klinik"]
SUGGESTED = ["Semua koperasi", "Belum lapor", "KSP saja"]
UNKNOWN_SEGMENT = (
    "Maaf, segmen belum bisa dipakai: 'jenjang:ksp' tidak dikenal; awali dengan salah satu dari semua, jenis, tag, "
    "kecamatan, kelurahan, kategori, sudah-lapor, belum-lapor, nik."
)


def preview(title: str, start: str, end: str, deadline: str) -> str:
    return (
        f"Periksa dulu:\n*{title}* (Bimtek)\nWaktu: {start} – {end}\nTempat: Aula Dinas\nKuota: 40 orang\n"
        f"Batas daftar: {deadline}\nSegmen: jenis:ksp\nUndangan akan dikirim ke *1 pengurus* dari 1 koperasi."
    )


THURSDAY = ("Kamis, 19 November 2026 09.00 WIB", "Kamis, 19 November 2026 12.00 WIB")


async def test_every_step_of_the_training_form_refuses_bad_input_and_keeps_the_earlier_answers(db: Database) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    await registered(db, d, "siti", "3576010001")
    await registered(db, d, "budi", "3576010002", type_="konsumen", name="Koperasi Konsumen Sejahtera")
    before = await staff_user(db, d)
    await transcript(
        before,
        ("/pelatihan_baru", TITLE, []),
        ("  ", TITLE, []),  # an empty title
        ("ab", TITLE, []),  # too short
        ("Bimtek Akuntansi", KIND, KINDS),
    )
    admin = User(dispatcher(db, clock), before.user_id)  # a restart: the form is read back from the database
    await transcript(
        admin,
        ("rapat", KIND, KINDS),  # not a kind
        ("1", START, []),  # the first kind, by its number
        ("kamis depan", f"{UNREADABLE}\n{START}", []),  # a date we cannot read
        ("01-11-2026 09.00", f"Maaf, waktunya sudah lewat. Silakan tulis lagi.\n{START}", []),  # in the past
        ("19-11-2026 09.00", END, []),
        ("08.00", f"Maaf, selesainya harus setelah mulai. Silakan tulis lagi.\n{END}", []),
        ("jam dua belas", f"Maaf, selesainya harus setelah mulai. Silakan tulis lagi.\n{END}", []),
        ("12.00", PLACE, []),
        ("x", PLACE, []),
        ("Aula Dinas", CAPACITY, []),
        ("banyak", CAPACITY, []),
        ("-5", CAPACITY, []),
        ("200000", CAPACITY, []),
        ("40", SEGMENT, SUGGESTED),
        ("jenjang:ksp", f"{UNKNOWN_SEGMENT}\n{SEGMENT}", SUGGESTED),  # an unknown segment
        (
            "tag:kopontren",
            "Segmen ini belum menjangkau pengurus yang bisa menerima undangan sekarang, jadi pelatihan belum bisa "
            f"dibuat.  Pilih atau tulis segmen lain.\n{SEGMENT}",
            SUGGESTED,
        ),
        ("jenis:ksp", DEADLINE, ["Sampai mulai"]),
        ("besok", f"{UNREADABLE}\n{DEADLINE}", ["Sampai mulai"]),
        ("20-11-2026 08.00", f"{UNREADABLE}\n{DEADLINE}", ["Sampai mulai"]),  # after the start
        ("01-11-2026 08.00", f"{UNREADABLE}\n{DEADLINE}", ["Sampai mulai"]),  # in the past
        ("17-11-2026 16.00", preview("Bimtek Akuntansi", *THURSDAY, "Selasa, 17 November 2026 16.00 WIB")),
        ("apa ini", preview("Bimtek Akuntansi", *THURSDAY, "Selasa, 17 November 2026 16.00 WIB")),
        ("ubah 1", TITLE, []),  # one answer changed from the preview, then the preview again
        (
            "Bimtek Akuntansi Dasar",
            preview("Bimtek Akuntansi Dasar", *THURSDAY, "Selasa, 17 November 2026 16.00 WIB"),
            ["Undang 1 orang", "Batal"],
        ),
    )
    assert await admin.press("Batal") == "Baik, pelatihan tidak dibuat."
    assert "Belum ada pelatihan" in await admin.say("pelatihan")


async def test_a_start_gone_by_while_the_preview_waited_is_asked_again_not_saved(db: Database) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    await registered(db, d, "siti", "3576010001")
    admin = await staff_user(db, d)
    for text in ("pelatihan_baru", "Bimtek Akuntansi", "bimtek", "04-11-2026 09.00", "12.00", "Aula Dinas", "40"):
        await admin.say(text)
    await admin.say("jenis:ksp")
    await admin.press("Sampai mulai")
    clock.advance(days=2)  # the preview waited past the start
    reply = await admin.press("Undang 1 orang")
    assert reply == f"Maaf, waktunya sudah lewat. Silakan tulis lagi.\n{START.replace('10-11', '12-11')}"
    reply = await admin.say("19-11-2026 09.00")  # the end (4 November) now comes before the start: asked again
    assert reply == f"Maaf, selesainya harus setelah mulai. Silakan tulis lagi.\n{END}"
    assert "Waktu: Kamis, 19 November 2026 09.00 WIB – Kamis, 19 November 2026 12.00 WIB" in await admin.say("12.00")
    assert "Tersimpan: pelatihan #1" in await admin.press("Undang 1 orang")


async def test_english_staff_hear_the_training_form_s_problems_in_english(db: Database) -> None:
    d = dispatcher(db)
    admin = await staff_user(db, d)
    await admin.say("bahasa")
    await admin.press("English")
    start = "3/8. Start? Write the date and time, e.g. 10-11-2026 09.00 (office time)."
    await transcript(
        admin,
        ("pelatihan_baru", "New training (8 steps; type *batal* to stop).\n1/8. Title? E.g. Cooperative clinic: "
         "preparing the financial report"),
        ("Accounting workshop", "2/8. Kind? Choose: bimtek, pelatihan or klinik.", KINDS),
        ("klinik", start),
        ("01-11-2026 09.00", f"Sorry, that time has already passed. Please write it again.\n{start}"),
        ("next week", f"Sorry, we could not read that. Write a date and time, e.g. 10-11-2026 09.00.\n{start}"),
        ("19-11-2026 09.00", "4/8. End time? E.g. 12.00, or a date and time if it lasts more than a day."),
        ("08.00", "Sorry, the end must be after the start. Please write it again.\n4/8. End time? E.g. 12.00, or "
         "a date and time if it lasts more than a day."),
        ("batal", "All right, cancelled.", ["Report summary", "Help"]),  # midway: nothing is kept
        ("19-11-2026 12.00", "Office staff menu. Choose one, or type: rekap, help."),  # not an end any more
    )  # fmt: skip


ASK_TEXT = (
    "Pengumuman baru (ketik *batal* untuk berhenti).\n1/3. Tulis isi pengumuman dalam satu pesan (paling banyak "
    "3.500 huruf). Gambar atau berkas bisa dikirim lewat perintah kopsehat announce --file."
)
FOR_WHOM = (
    "2/3. Untuk siapa? Pilih, atau tulis segmen seperti jenis:ksp, tag:kkmp, kecamatan:Magersari, kelurahan:Meri, "
    "kategori:dalam_pengawasan, sudah-lapor:2026-10, belum-lapor:2026-10, nik:3576010001,3576010002 (gabungkan "
    "dengan +, misalnya jenis:ksp+kecamatan:Magersari)."
)
WHEN = "3/3. Kapan dikirim? Pilih Sekarang, atau tulis tanggal dan jam, misalnya 11-11-2026 08.00."
BAD_WHEN = (
    "Maaf, belum bisa kami baca, atau waktunya sudah lewat. Tulis tanggal dan jam, misalnya 11-11-2026 08.00, atau "
    "pilih Sekarang."
)


async def test_every_step_of_the_announcement_form_refuses_bad_input(db: Database) -> None:
    clock = Clock()
    d = dispatcher(db, clock)
    await registered(db, d, "siti", "3576010001")
    before = await staff_user(db, d)
    await transcript(
        before,
        ("umumkan", ASK_TEXT, []),
        ("tes", f"Isinya terlalu pendek.\n{ASK_TEXT}", []),  # too short: said why, then asked again
        ("Rapat anggota tahunan.", FOR_WHOM, SUGGESTED),
    )
    admin = User(dispatcher(db, clock), before.user_id)  # a restart: the form is read back from the database
    await transcript(
        admin,
        ("jenjang:ksp", f"{UNKNOWN_SEGMENT}\n{FOR_WHOM}", SUGGESTED),
        ("semua", WHEN, ["Sekarang"]),
        ("kapan-kapan", f"{BAD_WHEN}\n{WHEN}", ["Sekarang"]),  # a moment we cannot read
        ("01-11-2026 08.00", f"{BAD_WHEN}\n{WHEN}", ["Sekarang"]),  # in the past
        (
            "20-11-2026 08.00",
            "Pratinjau pengumuman:\n---\nRapat anggota tahunan.\n---\nSegmen: semua\nPenerima sekarang: *1 pengurus* "
            "dari 1 koperasi.\nWaktu kirim: Jumat, 20 November 2026 08.00 WIB\nBelum ada yang terkirim. Tekan *Kirim* "
            "untuk mengirim.",
            ["Kirim ke 1 orang", "Batal"],
        ),
        ("batal", "Baik, pengumuman tidak dikirim.", []),  # typed, the Batal button: nothing goes
    )
    assert await announcement_rows(db) == 0


async def test_a_form_begun_before_the_forms_ran_on_the_engine_carries_on_where_it_was(db: Database) -> None:
    d = dispatcher(db)
    await registered(db, d, "siti", "3576010001")
    admin = await staff_user(db, d)
    plan = {"title": "Bimtek Akuntansi", "kind": "bimtek", "start": "2026-11-19T09:00:00+07:00"}
    async with db.transaction() as repos:  # as the if-chain stored it: {"step", "plan"}
        found = await repos.chats.load(admin.channel, admin.user_id)
        assert found is not None
        conversation = found[1]
        as_stored = replace(conversation, handler="pelatihan_baru", progress={"step": "end", "plan": plan})
        await repos.chats.save([(as_stored, NOW)], [])
    await transcript(admin, ("08.00", f"Maaf, selesainya harus setelah mulai. Silakan tulis lagi.\n{END}", []))
    for text in ("12.00", "Aula Dinas", "40", "jenis:ksp"):
        await admin.say(text)
    assert await admin.press("Sampai mulai") == preview("Bimtek Akuntansi", *THURSDAY, "sampai mulai")
