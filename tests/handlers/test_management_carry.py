"""Management answers carried forward month to month (§8.3), as an officer lives it: SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.domain import forms
from storage.db import Database
from tests.handlers.chat import KSP_VALUES, NOW, Clock, User, complete_report, dispatcher, registered, report_state

VALUES = {**KSP_VALUES, "management.general.3": "tidak", "management.general.7": "tidak"}
Stored = dict[str, tuple[bool, datetime]]


async def stored_answers(db: Database) -> Stored:
    """The cooperative's management answers: (answer, answered at) per item."""
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        rows = await repos.management.answers(coop.id)
        return {k: (r.answer, r.answered_at.replace(tzinfo=None)) for k, r in rows.items() if "management" in k}


async def management_scores(db: Database, period: str) -> dict[str, Any]:
    """The management aspect of the period's latest assessment: its score and the score per sub-aspect."""
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        latest = next(a for a in await repos.assessments.history(coop.id) if a.period == period)
    aspect = next(a for a in latest.result["aspects"] if a["key"] == "management")
    return {"score": aspect["score"], **{c["key"]: c["score"] for c in aspect["components"]}}


async def a_month_later(db: Database) -> tuple[User, Clock]:
    """Siti sent October's report (36 of 38 management items "Ya"); it is now December, November's report is due."""
    clock = Clock()
    siti = await registered(db, dispatcher(db, clock))
    await complete_report(db, siti, VALUES)
    await siti.press("Kirim")
    clock.advance(days=30)
    return siti, clock


async def figures_until_management(db: Database, user: User) -> str:
    """Start the report and give last month's figures until the management part; the text of the last reply."""
    text = await user.say("lapor")
    while (state := await report_state(db, user))[0] in ("asking", "confirm_change"):
        key = state[1]
        if key is None or key.startswith("management."):
            return text
        text = await user.press("yes" if state[0] == "confirm_change" else "same")
    return text


async def test_every_sub_aspect_still_the_same_in_five_messages(db: Database) -> None:
    siti, _ = await a_month_later(db)
    before, october = await stored_answers(db), await management_scores(db, "2026-10")
    text = await figures_until_management(db, siti)
    assert "Bagian 4 dari 4: Manajemen" in text and "Manajemen umum: 10 dari 12 dijawab Ya" in text
    assert "3. Apakah ada SOP tertulis untuk layanan simpan pinjam?" in text and "7. Apakah pengurus rapat" in text
    assert siti.buttons == ["Masih sama", "Ada perubahan"]
    retry = await siti.say("entah")
    assert "Maaf, belum bisa kami baca. Pilih *Masih sama*" in retry and "Manajemen umum: 10 dari 12" in retry
    assert siti.buttons == ["Masih sama", "Ada perubahan"]
    assert "Kelembagaan: 6 dari 6 dijawab Ya" in await siti.press("Masih sama")
    assert "Manajemen umum: masih sama" in siti.text
    presses = 1
    while (await report_state(db, siti))[0] == "confirm_group":
        await siti.say("masih sama" if presses % 2 else "Masih sama")
        presses += 1
    assert presses == 5
    assert "Manajemen likuiditas: masih sama" in siti.text and "Ringkasan laporan November 2026" in siti.text
    assert "Manajemen: 36 dari 38 dijawab Ya" in siti.text
    await siti.press("Kirim")
    assert "laporan November 2026 sudah kami terima" in siti.text
    assert await stored_answers(db) == before  # the same answers, still dated when they were given
    assert await management_scores(db, "2026-11") == october


async def test_something_changed_in_one_sub_aspect_changes_only_that_item(db: Database) -> None:
    siti, clock = await a_month_later(db)
    before, october = await stored_answers(db), await management_scores(db, "2026-10")
    await figures_until_management(db, siti)
    text = await siti.press("Ada perubahan")
    assert "Manajemen umum: ada perubahan" in text
    assert "Apakah ada rencana kerja dan anggaran tahunan" in text and "Bulan lalu: Ya." in text
    assert siti.buttons == ["Ya", "Tidak", "Sama seperti bulan lalu (Ya)"]
    for n in range(1, 13):
        assert (await report_state(db, siti))[1] == f"management.general.{n}"
        if n == 3:
            assert "Bulan lalu: Tidak." in siti.text
            assert "Manajemen umum 3: Ya" in await siti.press("Ya")
        else:
            await siti.press("same")
    assert "Kelembagaan: 6 dari 6 dijawab Ya" in siti.text
    for _ in range(4):
        await siti.press("Masih sama")
    assert "Manajemen: 37 dari 38 dijawab Ya" in siti.text
    await siti.press("Kirim")
    after = await stored_answers(db)
    assert {k for k in after if after[k][0] != before[k][0]} == {"management.general.3"}
    assert after["management.general.3"][0] is True
    refreshed = {k for k in after if after[k][1] != before[k][1]}
    assert refreshed == {f"management.general.{n}" for n in range(1, 13)}  # answered again, item by item
    assert all(after[k][1] == clock.now.replace(tzinfo=None) for k in refreshed)
    november = await management_scores(db, "2026-11")
    assert november["general"] > october["general"]
    assert {k: v for k, v in november.items() if k not in ("general", "score")} == {
        k: v for k, v in october.items() if k not in ("general", "score")
    }


async def test_a_stale_sub_aspect_is_asked_in_full(db: Database) -> None:
    siti, clock = await a_month_later(db)
    async with db.transaction() as repos:  # the asset items were last answered thirteen months ago
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        for key, row in (await repos.management.answers(coop.id)).items():
            if key.startswith("management.assets."):
                row.answered_at = NOW - timedelta(days=400)
    before = await stored_answers(db)
    seen = [await figures_until_management(db, siti)]
    for title in ("Manajemen umum", "Kelembagaan", "Manajemen permodalan"):
        assert f"{title}: " in siti.text and siti.buttons == ["Masih sama", "Ada perubahan"]
        seen.append(await siti.press("Masih sama"))
    assert (await report_state(db, siti)) == ("asking", "management.assets.1")
    assert "Apakah setiap permohonan pinjaman dianalisis" in siti.text and "Bulan lalu: Ya." in siti.text
    assert siti.buttons == ["Ya", "Tidak", "Sama seperti bulan lalu (Ya)"]
    for n in range(1, 11):
        assert (await report_state(db, siti))[1] == f"management.assets.{n}"
        seen.append(await siti.say("tidak" if n == 10 else "ya"))
    assert "Manajemen likuiditas: 5 dari 5 dijawab Ya" in siti.text
    seen.append(await siti.press("Masih sama"))
    assert not any("Manajemen aktiva: " in text for text in seen)  # no "Masih sama?" for the stale sub-aspect
    assert "Ringkasan laporan November 2026" in siti.text
    await siti.press("Kirim")
    after = await stored_answers(db)
    assert {k for k in after if after[k] != before[k]} == {f"management.assets.{n}" for n in range(1, 11)}
    assert after["management.assets.10"] == (False, clock.now.replace(tzinfo=None))


async def test_an_english_speaking_officer_gets_the_question_in_english(db: Database) -> None:
    siti, _ = await a_month_later(db)
    await siti.say("/bahasa")
    await siti.press("English")
    text = await figures_until_management(db, siti)
    assert "Part 4 of 4: Management" in text and "General management: 10 of 12 answered Yes. Answered No:" in text
    assert "3. Is there a written SOP for savings-and-loan services?" in text
    assert siti.buttons == ["Still the same", "Something changed"]
    assert "General management: still the same, 12 answers kept." in await siti.press("Still the same")
    assert "Institutional: 6 of 6 answered Yes." in siti.text


async def test_ubah_manajemen_asks_every_item_again_offering_the_stored_answer(db: Database) -> None:
    siti, _ = await a_month_later(db)
    await figures_until_management(db, siti)
    await siti.press("Masih sama")
    text = await siti.say("ubah manajemen")
    assert (await report_state(db, siti)) == ("asking", "management.general.1")
    assert "Apakah ada rencana kerja" in text and "Sama seperti bulan lalu (Ya)" in siti.buttons
    while (await report_state(db, siti))[0] == "asking":
        assert "Masih sama" not in siti.buttons
        await siti.press("same")
    assert "Ringkasan laporan November 2026" in siti.text and "Kepatuhan" in siti.text


async def test_a_reworded_item_is_asked_again_and_saved_with_its_new_wording(db: Database) -> None:
    siti, _ = await a_month_later(db)
    form = forms.load_form()
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        rows = await repos.management.answers(coop.id)
        assert all(row.wording_hash == forms.wording_hash(form.question(key)) for key, row in rows.items())
        rows["management.general.5"].wording_hash = "0" * 16  # the office has since changed its wording
    text = await figures_until_management(db, siti)
    assert "Manajemen umum: 9 dari 11 dijawab Ya" in text and "1 pertanyaan lain akan ditanyakan lagi." in text
    await siti.press("Masih sama")
    assert (await report_state(db, siti)) == ("asking", "management.general.5")
    assert "Bulan lalu" not in siti.text and siti.buttons == ["Ya", "Tidak"]
    await siti.press("Tidak")
    while (await report_state(db, siti))[0] == "confirm_group":
        await siti.press("Masih sama")
    await siti.press("Kirim")
    async with db.transaction() as repos:
        coop = await repos.cooperatives.by_nik("3576010001")
        assert coop is not None
        row = (await repos.management.answers(coop.id))["management.general.5"]
        assert row.answer is False and row.wording_hash == forms.wording_hash(form.question("management.general.5"))
