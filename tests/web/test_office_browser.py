"""The office web app in a real browser (Debian's Chromium through Playwright): sign in by link, the overview's
counts, filter the list, open a rekam medis, verify one report and send one back; screenshots of each page are kept as
test artefacts."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import async_playwright
from sqlalchemy import select

from storage.models import OutboxMessage
from tests.conftest import IN_CI
from tests.web.conftest import Office
from tests.web.review_city import submitted_report
from tests.web.test_office_pages import expected_counts

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = pytest.mark.skipif(
    not IN_CI and not CHROMIUM.exists(), reason="Chromium is not installed (CI installs it: apt-get install chromium)"
)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go: KOPSEHAT_SCREENSHOTS, else the test's temporary directory."""
    folder = Path(os.environ.get("KOPSEHAT_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_the_office_in_a_browser(office: Office, shots: Path) -> None:
    base = str(office.client.make_url("")).rstrip("/")
    magersari, period, now = office.city.kecamatan["Magersari"], office.city.open_period, datetime.now(UTC)
    checked = await submitted_report(office.db, magersari, "3576099101", period, now)
    doubtful = await submitted_report(office.db, magersari, "3576099102", period, now, chat=777001)
    link = await office.link("ibu.admin")
    _, counts, total = await expected_counts(office)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 900}, java_script_enabled=False)
            errors: list[str] = []  # the browser's console; a form with problems answers 400 or 422 on purpose
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            await page.goto(f"{base}/kantor/")
            assert page.url.endswith("/kantor/masuk")
            await page.screenshot(path=str(shots / "masuk.png"), full_page=True)
            await page.goto(f"{base}{link}")
            assert page.url.endswith("/kantor/")
            for category in ("sehat", "cukup_sehat", "dalam_pengawasan", "dalam_pengawasan_khusus"):
                shown = await page.locator(f'tr[data-category="{category}"] td.total').inner_text()
                assert int(shown) == counts[category], category
            assert await page.locator("#jumlah").inner_text() == str(total)
            await page.screenshot(path=str(shots / "ringkasan.png"), full_page=True)

            await page.goto(f"{base}/kantor/koperasi")
            await page.select_option("select[name=jenis]", "ksp")
            await page.select_option("select[name=lapor]", "missing")
            await page.click("form.filters button[type=submit]")
            assert "jenis=ksp" in page.url and "lapor=missing" in page.url
            rows = page.locator("#daftar tbody tr")
            assert await rows.count() == 2  # KSP Nomor 09 and 21 (every third has not reported)
            assert await page.locator("#jumlah").inner_text() == "2 koperasi"
            await page.screenshot(path=str(shots / "daftar.png"), full_page=True)

            await page.click("#daftar tbody tr >> nth=0 >> a")
            assert "/kantor/koperasi/35760" in page.url
            assert (await page.locator("h1").inner_text()).startswith("Rekam medis Koperasi KSP Nomor")
            assert await page.locator("#pengurus tbody tr").count() == 1
            await page.screenshot(path=str(shots / "rekam-medis.png"), full_page=True)
            record = page.url
            await page.fill("#rencana-apa", "Tagih pinjaman macet 5 anggota terbesar")
            await page.fill("#rencana-siapa", "Bendahara")
            await page.fill("#rencana-tenggat", "15 Desember 2030")
            await page.click('form[action$="/rencana"] button')
            await page.click("details.edit-plan summary")  # a plan's edit form opens without JavaScript
            await page.fill("details.edit-plan input[name=apa]", "")
            await page.fill("details.edit-plan input[name=siapa]", "Ketua")
            await page.click("details.edit-plan button")
            assert "tulis apa yang dikerjakan" in await page.locator("details.edit-plan .problem").inner_text()
            assert await page.locator("details.edit-plan input[name=siapa]").input_value() == "Ketua"
            await page.set_viewport_size({"width": 360, "height": 780})  # a phone, the form beside its message
            await page.screenshot(path=str(shots / "rekam-medis-ubah-ponsel.png"), full_page=True)
            assert await page.evaluate("document.documentElement.scrollWidth") <= 360
            for column in (
                "#pengurus tbody tr >> nth=0 >> td >> nth=2",
                "#rencana-aksi tbody tr >> nth=0 >> td >> nth=2",
            ):
                assert await page.locator(column).is_visible()  # on a phone too: how to reach them, a plan's due date
            await page.set_viewport_size({"width": 1200, "height": 900})
            await page.fill("details.edit-plan input[name=apa]", "Tagih 3 anggota terbesar")
            await page.click("details.edit-plan button")
            assert page.url.split("#")[0] == record
            plan = await page.locator("#rencana-aksi tbody tr >> nth=0").inner_text()
            assert "Tagih 3 anggota terbesar" in plan and "Ketua" in plan and "15 Desember 2030" in plan

            await page.goto(f"{base}/kantor/laporan?periode={period}")
            assert await page.locator(f'tr[data-report="{checked.report_id}"]').count() == 1
            await page.screenshot(path=str(shots / "laporan.png"), full_page=True)
            await page.click(f'tr[data-report="{checked.report_id}"] a')
            assert await page.locator("#peringatan li").count() >= 1
            await page.screenshot(path=str(shots / "periksa.png"), full_page=True)
            await page.click("#verifikasi")
            assert await page.locator("#status-periksa").inner_text() == "Terverifikasi"
            assert "terverifikasi" in await page.locator(".skor").first.inner_text()
            await page.screenshot(path=str(shots / "terverifikasi.png"), full_page=True)

            reason = "Kas naik Rp60 jt tanpa penjelasan; mohon lampirkan rekening koran"
            await page.goto(f"{base}/kantor/laporan/{doubtful.report_id}")
            await page.fill("#alasan", reason)
            await page.click("#kembalikan")
            assert await page.locator("#status-periksa").inner_text() == "Dikembalikan untuk diperbaiki"
            assert "1 dari 1 pengurus diberi tahu" in await page.locator("#hasil").inner_text()
            await page.screenshot(path=str(shots / "dikembalikan.png"), full_page=True)
            await page.goto(f"{base}/kantor/laporan?periode={period}")
            assert await page.locator(f'tr[data-report="{checked.report_id}"]').count() == 0
            assert await page.locator(f'tr[data-report="{doubtful.report_id}"]').count() == 0

            await page.set_viewport_size({"width": 390, "height": 844})  # a phone
            await page.goto(f"{base}/kantor/")
            await page.screenshot(path=str(shots / "ringkasan-ponsel.png"), full_page=True)
            await page.goto(f"{base}/kantor/laporan/{doubtful.report_id}")
            last_period = page.locator("#angka-tabel tbody tr >> nth=0 >> td >> nth=2")
            assert await last_period.is_visible() and await last_period.inner_text() == "Rp40.000.000"  # on a phone too
            await page.screenshot(path=str(shots / "periksa-ponsel.png"), full_page=True)
            assert [e for e in errors if "404" in e] == []  # nothing the pages ask for is missing (their icon)
        finally:
            await browser.close()
    async with office.db.reading() as repos:  # the officer's chat gets the reason, with the correction's button
        [told] = (await repos.session.scalars(select(OutboxMessage))).all()
    assert (told.channel, told.recipient, told.kind) == ("telegram", "777001", "report_sent_back")
    assert reason in told.payload["text"]
    assert [c["id"] for c in told.payload["choices"]] == [f"lapor:correct:{period}"]
    assert sorted(os.listdir(shots)) == [
        "daftar.png",
        "dikembalikan.png",
        "laporan.png",
        "masuk.png",
        "periksa-ponsel.png",
        "periksa.png",
        "rekam-medis-ubah-ponsel.png",
        "rekam-medis.png",
        "ringkasan-ponsel.png",
        "ringkasan.png",
        "terverifikasi.png",
    ]
