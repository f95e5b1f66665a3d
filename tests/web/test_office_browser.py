"""The office web app in a real browser (Debian's Chromium through Playwright): sign in by link, the overview's
counts, filter the list, open a rekam medis; screenshots of each page are kept as test artefacts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from tests.conftest import IN_CI
from tests.web.conftest import Office
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
    link = await office.link("ibu.admin")
    _, counts, total = await expected_counts(office)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 900}, java_script_enabled=False)
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

            await page.set_viewport_size({"width": 390, "height": 844})  # a phone
            await page.goto(f"{base}/kantor/")
            await page.screenshot(path=str(shots / "ringkasan-ponsel.png"), full_page=True)
        finally:
            await browser.close()
    assert sorted(os.listdir(shots)) == [
        "daftar.png",
        "masuk.png",
        "rekam-medis.png",
        "ringkasan-ponsel.png",
        "ringkasan.png",
    ]
