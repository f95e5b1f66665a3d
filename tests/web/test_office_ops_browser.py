"""Trainings, announcements and the audit log in a real browser (Chromium, JavaScript off): a form with a mistake is
answered beside the field and keeps what was typed, the preview counts who is reached, saving invites; an
announcement is previewed and sent; a viewer sees no button. Screenshots of each page are kept as artefacts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import FilePayload, async_playwright

from tests.web.conftest import Office
from tests.web.test_office_browser import ARGS, CHROMIUM, pytestmark, shots
from tests.web.test_office_ops import PDF, local
from tests.web.test_office_ops import office as office

__all__ = ["pytestmark", "shots"]


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_trainings_and_announcements_in_a_browser(office: Office, shots: Path) -> None:
    base = str(office.client.make_url("")).rstrip("/")
    admin, viewer = await office.link("ibu.admin"), await office.link("bu.pemantau")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 900}, java_script_enabled=False)
            await page.goto(f"{base}{admin}")
            await page.click("text=Pelatihan")
            await page.click("#baru")
            await page.fill("input[name=title]", "Klinik Koperasi Magersari")
            await page.select_option("select[name=kind]", "klinik")
            await page.fill("input[name=start]", local(-2, "09:00"))  # a mistake: in the past
            await page.fill("input[name=end]", local(-2, "12:00"))
            await page.fill("input[name=place]", "Aula Kecamatan Magersari")
            await page.fill("input[name=capacity]", "20")
            await page.fill("input[name=segment]", "kecamatan:Magersari")
            await page.click("button[value=pratinjau]")
            assert "Waktu mulai sudah lewat" in await page.locator("#masalah-start").inner_text()
            assert await page.input_value("input[name=title]") == "Klinik Koperasi Magersari"
            await page.screenshot(path=str(shots / "pelatihan-salah.png"), full_page=True)
            await page.fill("input[name=start]", local(5, "09:00"))
            await page.fill("input[name=end]", local(5, "12:00"))
            await page.click("button[value=pratinjau]")
            assert "6 pengurus dari 12 koperasi" in await page.locator("#bisa").inner_text()
            assert "6 belum punya akun chat" in await page.locator("#alasan-no_account").inner_text()
            await page.screenshot(path=str(shots / "pelatihan-pratinjau.png"), full_page=True)
            await page.click("#simpan")
            assert "/kantor/pelatihan/" in page.url
            assert "12 pesan" in await page.locator("#kemajuan").inner_text()
            await page.click("#buat-kode")
            assert (await page.locator("#kode").inner_text()).startswith("Kode hadir: HADIR ")
            await page.screenshot(path=str(shots / "pelatihan.png"), full_page=True)
            await page.goto(f"{base}/kantor/pelatihan")
            assert await page.locator("#pelatihan tbody tr").count() == 1
            await page.screenshot(path=str(shots / "pelatihan-daftar.png"), full_page=True)

            await page.click("text=Pengumuman")
            await page.click("#baru")
            await page.fill("textarea[name=text]", "Batas laporan bulan ini tanggal 10.")
            await page.fill("input[name=segment]", "jenis:ksp")
            circular = FilePayload(name="edaran.pdf", mimeType="application/pdf", buffer=PDF)
            await page.set_input_files("input[name=file]", files=[circular])
            await page.click("button[value=pratinjau]")
            assert "6 pengurus dari 6 koperasi" in await page.locator("#bisa").inner_text()
            assert "edaran.pdf" in await page.locator("#lampiran").inner_text()
            await page.screenshot(path=str(shots / "pengumuman-pratinjau.png"), full_page=True)
            await page.click("#kirim")
            assert "/kantor/pengumuman/" in page.url
            assert await page.locator("#penerima tbody tr").count() == 6
            assert "edaran.pdf" in await page.locator("dl.facts").inner_text()
            await page.screenshot(path=str(shots / "pengumuman.png"), full_page=True)
            await page.goto(f"{base}/kantor/pengumuman")
            await page.screenshot(path=str(shots / "pengumuman-daftar.png"), full_page=True)
            await page.goto(f"{base}/kantor/audit")
            assert await page.locator("#audit tbody tr").count() >= 3
            await page.screenshot(path=str(shots / "audit.png"), full_page=True)

            await page.set_viewport_size({"width": 390, "height": 844})  # a phone
            await page.goto(f"{base}/kantor/pelatihan/baru")
            await page.screenshot(path=str(shots / "pelatihan-baru-ponsel.png"), full_page=True)

            viewing = await browser.new_page(viewport={"width": 1200, "height": 900}, java_script_enabled=False)
            await viewing.goto(f"{base}{viewer}")
            await viewing.goto(f"{base}/kantor/pelatihan")
            assert await viewing.locator("#baru").count() == 0
            await viewing.click("#pelatihan tbody tr >> nth=0 >> a")
            assert await viewing.locator("button").count() == 1, "only the logout button"
            await viewing.screenshot(path=str(shots / "pelatihan-pemantau.png"), full_page=True)
        finally:
            await browser.close()
    assert {
        "pelatihan-salah.png",
        "pelatihan-pratinjau.png",
        "pelatihan.png",
        "pelatihan-daftar.png",
        "pengumuman-pratinjau.png",
        "pengumuman.png",
        "pengumuman-daftar.png",
        "audit.png",
        "pelatihan-baru-ponsel.png",
        "pelatihan-pemantau.png",
    } <= set(os.listdir(shots))
