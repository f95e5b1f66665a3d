"""Reviewing reports in the office web app: the queue, one report beside last period's with the officer's reasons,
verify, send back (the officers hear of it in chat), a correction waits for review again, the period's export, the
overview's worklist; scoped to the staff member's kecamatan; viewers read only. On both databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import aiohttp
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.domain.health import keys
from bot.domain.periods import Period, closed_periods, local_date
from bot.services.clinic import Actor
from bot.services.staff_access import StaffAccessService
from storage.db import Database
from storage.models import Assessment, AuditEntry, OutboxMessage, ReportReview
from storage.repositories import QueueFilter
from tests.channels.test_telegram_webhook import SITI, press_update, telegram_service, text_update, wait_until
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import fake_telegram as fake_telegram
from tests.services.common import services
from tests.web.conftest import CSRF, Office
from tests.web.review_city import REASON, Submitted, correct, submitted_report

NOW = datetime.now(UTC)


async def review_city(office: Office) -> tuple[Submitted, Submitted]:
    """A report waiting in Magersari (the pembina's kecamatan) and one in Prajurit Kulon."""
    period = office.city.open_period
    here = await submitted_report(office.db, office.city.kecamatan["Magersari"], "3576099001", period, NOW)
    there = await submitted_report(office.db, office.city.kecamatan["Prajurit Kulon"], "3576099002", period, NOW)
    return here, there


async def token(office: Office, path: str) -> str:
    found = CSRF.search(await (await office.client.get(path)).text())
    assert found is not None
    return found.group(1)


async def state_of(db: Database, report_id: int) -> list[tuple[int, str]]:
    async with db.reading() as repos:
        return [(r.revision, r.action) for r in await repos.reviews.of_report(report_id)]


async def standings(db: Database, cooperative_id: int) -> dict[str, str]:
    async with db.reading() as repos:
        rows = await repos.clinic.assessments_of(cooperative_id, keys.PERDEP)
    return {a.period: a.standing for a in rows}  # the last of each period wins


async def actions(db: Database) -> list[str]:
    async with db.reading() as repos:
        return list((await repos.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())


async def test_the_queue_lists_waiting_reports_scoped_to_the_pembina(office: Office) -> None:
    here, there = await review_city(office)
    await office.sign_in("ibu.admin")
    html = await (await office.client.get("/kantor/laporan")).text()
    assert f'data-report="{here.report_id}"' in html and f'data-report="{there.report_id}"' in html
    assert "Menunggu pemeriksaan" in html and "KSP Review 3576099001" in html
    waiting_open = await (await office.client.get(f"/kantor/laporan?periode={here.period}")).text()
    assert "KSP Review" in waiting_open
    filtered = await (
        await office.client.get(f"/kantor/laporan?kecamatan={office.city.kecamatan['Prajurit Kulon']}&periode=")
    ).text()
    assert f'data-report="{there.report_id}"' in filtered and f'data-report="{here.report_id}"' not in filtered
    rubbish = await office.client.get("/kantor/laporan?status=%00&periode=2026-13&kecamatan=x")
    assert rubbish.status == 200

    await office.sign_in("pak.pembina")
    html = await (await office.client.get("/kantor/laporan")).text()
    assert f'data-report="{here.report_id}"' in html and f'data-report="{there.report_id}"' not in html
    assert (await office.client.get(f"/kantor/laporan/{there.report_id}")).status == 404
    for forged in ("abc", "99999999", "-1", "1e3"):
        assert (await office.client.get(f"/kantor/laporan/{forged}")).status == 404
    page = await office.client.get(f"/kantor/laporan/{here.report_id}")
    assert page.status == 200


async def test_the_review_page_shows_the_figures_beside_last_period_the_warnings_and_the_reasons(
    office: Office,
) -> None:
    here, _ = await review_city(office)
    await office.sign_in("pak.pembina")
    html = await (await office.client.get(f"/kantor/laporan/{here.report_id}")).text()
    assert here.period.label("id") in html and here.period.previous().label("id") in html
    assert "Rp100.000.000" in html and "Rp40.000.000" in html  # cash now and last period
    assert 'class="changed"' in html
    assert f"Alasan pengurus: {REASON}" in html
    assert "berubah" in html  # the change warning in the chat's words
    assert "Revisi 1" in html and "Bu Siti" in html and "Belum diperiksa." in html
    assert 'id="verifikasi"' in html and 'id="kembalikan"' in html
    assert "skor sementara" in html


async def test_verify_makes_the_score_terverifikasi_and_a_correction_needs_verifying_again(office: Office) -> None:
    here, _ = await review_city(office)
    await office.sign_in("pak.pembina")
    path = f"/kantor/laporan/{here.report_id}"
    csrf = await token(office, path)
    done = await office.client.post(f"{path}/verifikasi", data={"csrf": csrf, "revisi": "1"}, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == f"{path}?hasil=verify"
    html = await (await office.client.get(done.headers["Location"])).text()
    assert 'data-state="verified"' in html and "Laporan terverifikasi" in html
    assert "diverifikasi Pak Pembina" in html and 'id="verifikasi"' not in html
    assert (await standings(office.db, here.cooperative_id))[str(here.period)] == "verified"
    assert await state_of(office.db, here.report_id) == [(1, "verified")]
    again = await office.client.post(f"{path}/verifikasi", data={"csrf": csrf, "revisi": "1"})
    assert again.status == 409 and "sudah diputuskan" in await again.text()
    assert await state_of(office.db, here.report_id) == [(1, "verified")]
    waiting = await (await office.client.get("/kantor/laporan")).text()
    assert f'data-report="{here.report_id}"' not in waiting
    verified = await (await office.client.get("/kantor/laporan?status=terverifikasi")).text()
    assert f'data-report="{here.report_id}"' in verified

    await correct(office.db, here, NOW)  # the officer corrects the verified report
    assert (await standings(office.db, here.cooperative_id))[str(here.period)] == "provisional"
    html = await (await office.client.get(path)).text()
    assert 'data-state="waiting"' in html and "Revisi 2" in html and "salah ketik kas" in html
    stale = await office.client.post(f"{path}/verifikasi", data={"csrf": csrf, "revisi": "1"})
    assert stale.status == 409 and "baru saja diperbaiki" in await stale.text()
    done = await office.client.post(f"{path}/verifikasi", data={"csrf": csrf, "revisi": "2"}, allow_redirects=False)
    assert done.status == 303
    assert await state_of(office.db, here.report_id) == [(1, "verified"), (2, "verified")]
    async with office.db.reading() as repos:
        rows = await repos.clinic.assessments_of(here.cooperative_id, keys.PERDEP)
    ours = [a for a in rows if a.period == str(here.period)]
    assert [a.standing for a in ours] == ["verified", "verified"]  # the first kept as it was: nothing overwritten
    assert all(a.verified_by == office.city.logins["pak.pembina"] for a in ours)
    logged = await actions(office.db)
    assert logged.count("report.verified") == 2 and logged.count("clinic.assessment_verified") == 2


async def test_a_viewer_sees_no_buttons_and_a_forged_post_is_refused(office: Office) -> None:
    here, _ = await review_city(office)
    await office.sign_in("bu.pemantau")
    path = f"/kantor/laporan/{here.report_id}"
    html = await (await office.client.get(path)).text()
    assert 'id="verifikasi"' not in html and 'id="kembalikan"' not in html and "Menunggu pemeriksaan" in html
    csrf = await token(office, path)
    for action, data in (("verifikasi", {"revisi": "1"}), ("kembalikan", {"alasan": "Angka kas tidak masuk akal"})):
        forged = await office.client.post(f"{path}/{action}", data={"csrf": csrf, **data})
        assert forged.status == 403
    assert await state_of(office.db, here.report_id) == []
    async with office.db.reading() as repos:
        assert await repos.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_a_pembina_cannot_decide_another_kecamatan_and_a_reason_is_required(office: Office) -> None:
    here, there = await review_city(office)
    await office.sign_in("pak.pembina")
    path = f"/kantor/laporan/{here.report_id}"
    csrf = await token(office, path)
    elsewhere = f"/kantor/laporan/{there.report_id}"
    assert (await office.client.post(f"{elsewhere}/verifikasi", data={"csrf": csrf})).status == 404
    assert (await office.client.post(f"{elsewhere}/kembalikan", data={"csrf": csrf, "alasan": "salah"})).status == 404
    empty = await office.client.post(f"{path}/kembalikan", data={"csrf": csrf, "alasan": "  ", "revisi": "1"})
    assert empty.status == 400 and "tulis alasannya" in (await empty.text()).lower()
    short = await office.client.post(f"{path}/kembalikan", data={"csrf": csrf, "alasan": "kas", "revisi": "1"})
    assert short.status == 400 and ">kas</textarea>" in await short.text()  # what was typed is kept
    assert await state_of(office.db, here.report_id) == [] and await state_of(office.db, there.report_id) == []
    sent = await office.client.post(
        f"{path}/kembalikan", data={"csrf": csrf, "alasan": "Kas tidak cocok", "revisi": "1"}
    )
    html = await sent.text()  # its officer has no chat account: the office is told to phone
    assert 'data-state="sent_back"' in html and "mohon kabari lewat telepon" in html
    async with office.db.reading() as repos:
        [row] = (await repos.session.scalars(select(OutboxMessage))).all()
    assert (row.officer_id, row.status, row.last_error) == (here.officer_id, "unreachable", "no chat account")
    twice = await office.client.post(
        f"{path}/kembalikan", data={"csrf": csrf, "alasan": "Kas tidak cocok", "revisi": "1"}
    )
    assert twice.status == 409 and await state_of(office.db, here.report_id) == [(1, "sent_back")]


async def test_the_export_holds_the_periods_reports_in_the_staff_members_scope(office: Office) -> None:
    here, there = await review_city(office)
    await office.sign_in("ibu.admin")
    path = f"/kantor/laporan/{here.report_id}"
    csrf = await token(office, path)
    await office.client.post(f"{path}/verifikasi", data={"csrf": csrf})
    response = await office.client.get(f"/kantor/laporan.xlsx?periode={here.period}")
    assert response.status == 200 and response.headers["Content-Disposition"].endswith(f'laporan-{here.period}.xlsx"')
    sheet = load_workbook(BytesIO(await response.read())).active
    assert sheet is not None and sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "NIK",
        "Nama koperasi",
        "Kecamatan",
        "Periode",
        "Revisi",
        "Waktu kirim (waktu setempat)",
        "Zona",
        "Skor",
        "Kategori",
        "Status pemeriksaan",
    )
    by_nik = {r[0]: r for r in rows[1:]}
    async with office.db.reading() as repos:
        expected = await repos.reviews.queue(keys.PERDEP, QueueFilter(None), period=str(here.period))
    assert len(rows) - 1 == len(expected)  # every submitted report of the period (the city's and ours)
    ours = by_nik[here.nik]
    assert ours[1] == "KSP Review 3576099001" and ours[2] == "Magersari" and ours[3] == here.period.label("id")
    local = NOW.astimezone(ZoneInfo("Asia/Jakarta")).replace(tzinfo=None)
    assert isinstance(ours[5], datetime) and abs((ours[5] - local).total_seconds()) < 1  # local time, no zone
    assert ours[6] == "WIB" and isinstance(ours[7], float) and ours[8] in ("Sehat", "Cukup Sehat", "Dalam Pengawasan")
    assert ours[9] == "Terverifikasi" and by_nik[there.nik][9] == "Menunggu pemeriksaan"

    await office.sign_in("pak.pembina")
    sheet = load_workbook(
        BytesIO(await (await office.client.get(f"/kantor/laporan.xlsx?periode={here.period}")).read())
    ).active
    assert sheet is not None
    niks = {r[0] for r in list(sheet.iter_rows(values_only=True))[1:]}
    assert here.nik in niks and there.nik not in niks
    assert all(r[2] == "Magersari" for r in list(sheet.iter_rows(values_only=True))[1:])


async def test_the_overview_shows_the_worklist_of_the_scope(office: Office) -> None:
    await office.sign_in("pak.pembina")
    html = await (await office.client.get("/kantor/")).text()
    zone = ZoneInfo("Asia/Jakarta")
    async with services(office.db) as s:
        found = await s.clinic.worklist(
            Actor(staff_id=office.city.logins["pak.pembina"]), local_date(NOW, zone), closed_periods(NOW, zone)
        )
    assert found.items
    listed = re.findall(r'<tr data-nik="([^"]*)">', html)
    assert listed == [i.nik or "" for i in found.items][: len(listed)] and listed
    magersari = {nik for name, nik in office.city.niks.items() if int(name[-2:]) <= 12}
    assert set(listed) <= magersari
    for reason, count in found.counts.items():
        if count:
            assert f'data-reason="{reason}">{count}<' in html
    await office.sign_in("ibu.admin")
    everywhere = re.findall(r'<tr data-nik="([^"]*)">', await (await office.client.get("/kantor/")).text())
    assert set(everywhere) - magersari  # the admin sees Prajurit Kulon too


async def test_send_back_tells_the_officer_in_chat_with_the_button_that_opens_the_correction(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    async with telegram_service(db, fake_telegram, webhook=False, quiet_hours="") as service:
        async with db.transaction() as repos:
            kecamatan = await repos.regions.get_or_create("kecamatan", "Magersari")
            staff = await repos.staff.add("Pak Pembina", "pembina", kecamatan.id)
            login = await StaffAccessService(repos).give_login(staff.id, None)
        period = Period(2026, 10)
        done = await submitted_report(db, kecamatan.id, "3576099003", period, NOW, chat=SITI)
        async with db.transaction() as repos:
            # the server checks the link against its clock: issued now, not at import (a long run outlives 15 min)
            link = await StaffAccessService(repos).issue_link(login, service.base, datetime.now(UTC))
        assert link is not None
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            async with browser.get(link.url) as signed_in:
                assert signed_in.status == 200
            path = f"{service.base}/kantor/laporan/{done.report_id}"
            async with browser.get(path) as page:
                found = CSRF.search(await page.text())
            assert found is not None
            reason = "Kas Rp100 jt tidak cocok dengan rekening koran; mohon dicek lagi"
            form = {"csrf": found.group(1), "revisi": "1", "alasan": reason}
            async with browser.post(f"{path}/kembalikan", data=form, allow_redirects=False) as sent:
                assert sent.status == 303
            async with browser.get(path) as page:
                html = await page.text()
            assert 'data-state="sent_back"' in html and "1 pengurus diberi tahu" not in html  # no ?hasil here
            assert reason in html and 'id="kembalikan"' not in html and 'id="verifikasi"' in html

        await wait_until(lambda: any(reason in t for t in fake_telegram.sent_texts(SITI)))
        told = next(t for t in fake_telegram.sent_texts(SITI) if reason in t)
        assert f"Laporan {period.label('id')} KSP Review 3576099003 dikembalikan" in told
        message = service.last_keyboard_message(SITI)
        buttons = [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons == ["Ubah laporan"]
        assert await state_of(db, done.report_id) == [(1, "sent_back")]
        assert "report.sent_back" in await actions(db)

        fake_telegram.queue_update(press_update(900_000_001, SITI, message, "Ubah laporan"))
        await wait_until(lambda: "alasan perubahan" in fake_telegram.sent_texts(SITI)[-1])
        fake_telegram.queue_update(text_update(900_000_002, SITI, "kas salah ketik"))
        await wait_until(lambda: period.label("id") in fake_telegram.sent_texts(SITI)[-1])

        await correct(db, done, NOW)
        async with services(db) as s:
            review = await s.review.page(done.report_id, None)
        assert (review.state, review.revision) == ("waiting", 2)
        async with db.reading() as repos:
            reviews = (await repos.session.scalars(select(ReportReview))).all()
            outbox = (
                await repos.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "report_sent_back"))
            ).all()
            assessments = (
                await repos.session.scalars(select(Assessment).where(Assessment.cooperative_id == done.cooperative_id))
            ).all()
        assert [(r.revision, r.action, r.reason) for r in reviews] == [(1, "sent_back", reason)]
        assert [o.officer_id for o in outbox] == [done.officer_id]
        assert {a.standing for a in assessments} == {"provisional"}


async def english(office: Office, login: str) -> str:
    """This staff member speaks English from now on; their name."""
    async with office.db.transaction() as repos:
        staff = await repos.staff.get(office.city.logins[login])
        assert staff is not None
        staff.language = "en"
        return staff.name


async def test_the_review_pages_speak_english_to_english_staff(office: Office) -> None:
    here, _ = await review_city(office)
    await english(office, "ibu.admin")
    await office.sign_in("ibu.admin")
    listed = await (await office.client.get("/kantor/laporan")).text()
    assert "Report review" in listed and "Waiting for review" in listed and "Menunggu" not in listed
    assert re.search(r'class="num">\d+\.\d\d<', listed) and not re.search(r'class="num">\d+,\d\d<', listed)
    html = await (await office.client.get(f"/kantor/laporan/{here.report_id}")).text()
    assert "Verify report" in html and f"The officer's reason: {REASON}" in html and "changed" in html
    assert here.period.label("en") in html and "Send back to the cooperative" in html
    sheet = load_workbook(BytesIO(await (await office.client.get("/kantor/laporan.xlsx")).read())).active
    assert sheet is not None and next(sheet.iter_rows(values_only=True))[-1] == "Review status"
    name = await english(office, "pak.pembina")
    await office.sign_in("pak.pembina")
    header = await (await office.client.get("/kantor/laporan")).text()
    assert f"Signed in as {name} (Pembina" in header and "((" not in header and "))" not in header
