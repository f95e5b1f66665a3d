"""The report form in a real browser (Debian's Chromium through Playwright, JavaScript off, a phone's screen): a bad
amount shown beside its field, every screen filled and saved, the report sent; screenshots kept as test artefacts."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import ViewportSize, async_playwright

from storage.db import Database
from tests.handlers.chat import dispatcher, registered
from tests.web.conftest import AiohttpClient
from tests.web.form import Sent, form_app, form_path, form_view, section_fields
from tests.web.test_office_browser import ARGS, CHROMIUM, pytestmark, shots
from tests.web.test_report_form import cooperative_of, outbox_replies

__all__ = ["pytestmark", "shots"]
PHONE: ViewportSize = {"width": 360, "height": 740}


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_an_officer_fills_in_and_sends_the_form_on_a_phone(
    db: Database, aiohttp_client: AiohttpClient, shots: Path
) -> None:
    d = dispatcher(db)
    user = await registered(db, d)
    client = await aiohttp_client(form_app(db, d, Sent()))
    base = str(client.make_url("")).rstrip("/")
    path = await form_path(user)
    cooperative, _ = await cooperative_of(db)
    screens = section_fields(await form_view(db, cooperative))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport=PHONE, java_script_enabled=False)
            errors: list[str] = []  # the browser's console; a form with problems answers 400 or 422 on purpose
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            await page.goto(f"{base}{path}")
            await page.screenshot(path=str(shots / "formulir-1.png"), full_page=False)
            await page.fill('input[name="cash"]', "12,3,4 jt")
            await page.click('button[value="simpan"]')
            problem = page.locator("#f-cash .problem")
            assert "Maaf" in await problem.inner_text()
            assert await page.input_value('input[name="cash"]') == "12,3,4 jt"
            await page.screenshot(path=str(shots / "formulir-salah.png"), full_page=False)
            for number, (_section, fields) in enumerate(screens, start=1):
                for key, value in fields.items():
                    radio = page.locator(f'input[type="radio"][name="{key}"][value="{value}"]')
                    if await radio.count():
                        await radio.check()
                    else:
                        await page.fill(f'input[name="{key}"]', value)
                if number == 2:
                    await page.screenshot(path=str(shots / "formulir-2.png"), full_page=True)
                await page.click('button[value="simpan"]')
                assert "tersimpan=1" in page.url, await page.content()
            assert page.url.endswith("bagian=ringkasan&tersimpan=1")
            for box in await page.locator('input[name="konfirmasi"]').all():  # warnings: ticked with a reason
                await box.check()
            for reason in await page.locator('input[name^="alasan:"]').all():
                await reason.fill("sesuai buku kas")
            await page.screenshot(path=str(shots / "formulir-ringkasan.png"), full_page=True)
            await page.click('button[value="kirim"]')
            assert "Laporan terkirim" in await page.locator("h1").inner_text()
            await page.screenshot(path=str(shots / "formulir-terkirim.png"), full_page=False)
            assert [e for e in errors if "404" in e] == []  # nothing the pages ask for is missing (their icon)
        finally:
            await browser.close()
    assert any("Terima kasih, laporan" in r.text for r in await outbox_replies(db))
    print(f"screens for a KSP: {len(screens)} sections + the summary; screenshots in {shots}")
