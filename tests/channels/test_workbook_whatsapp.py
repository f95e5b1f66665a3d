"""The report workbook on WhatsApp, through signed webhooks and the fake Graph API: `template` uploads it and sends it
as a document; the filled one comes back as a document, fetched by its media URL with the token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.channels.test_whatsapp_e2e import Officer, register, texts
from tests.channels.test_whatsapp_webhook import SITI, WaBot, running_bot
from tests.fakes.graph_api import FakeGraphAPI
from tests.services.common import ksp_answers
from tests.services.workbook_files import fill, row_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DERIVED = ("total_assets", "gross_surplus", "surplus_before_tax")


@pytest.fixture
async def bot(db: Database, fake_graph: FakeGraphAPI, tmp_path: Path) -> AsyncIterator[WaBot]:
    async with running_bot(db, fake_graph, tmp_path) as wa_bot:
        yield wa_bot


async def send_document(bot: WaBot, data: bytes, filename: str = "laporan.xlsx", mime: str = XLSX) -> None:
    media_id = bot.fake.add_media(data, mime)
    body = {"id": media_id, "filename": filename, "mime_type": mime, "sha256": "x"}
    assert await bot.post(bot.message("document", body)) == 200
    await bot.settle()


async def the_template(bot: WaBot) -> bytes:
    assert await bot.say("template") == 200
    [upload] = bot.fake.uploads()
    _name, content_type, data = upload.files["file"]
    assert content_type == XLSX
    [document] = [b for b in bot.fake.messages_to(SITI) if b["type"] == "document"]
    assert document["document"]["filename"].endswith(".xlsx")
    return bytes(data)


async def test_template_and_the_filled_workbook_back_reach_the_summary_and_kirim_stores(bot: WaBot) -> None:
    await register(bot)
    siti = Officer(bot)
    siti._read()
    data = await the_template(bot)
    siti._read()
    await send_document(bot, fill(data, {k: v for k, v in ksp_answers().items() if k not in DERIVED}))
    new = siti._read()
    assert "Buku kerja terbaca" in texts(new) and "Ringkasan" in texts(new)
    assert any(call.method == "GET" and "/media-dl/" in call.path for call in bot.fake.calls)
    await siti.tap("submit")
    async with bot.db.transaction() as repos:
        cooperative = await repos.cooperatives.by_nik("3576010001")
        assert cooperative is not None
        latest = await repos.reports.latest_submitted(cooperative.id)
    assert latest is not None and latest[1].figures["bank"] == "60000000"


async def test_problems_are_named_by_cell_and_a_pdf_is_refused(bot: WaBot) -> None:
    await register(bot)
    siti = Officer(bot)
    siti._read()
    data = await the_template(bot)
    siti._read()
    await send_document(bot, fill(data, {**ksp_answers(), "bank": "enam puluh juta lebih"}))
    assert f"C{row_of(data, 'bank')}: bukan angka" in texts(siti._read())
    await send_document(bot, b"%PDF-1.7", "neraca.pdf", "application/pdf")
    assert "bukan buku kerja Excel" in texts(siti._read())
    stage, _ = await siti.state()
    assert stage != "summary"
