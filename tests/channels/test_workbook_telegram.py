"""The report workbook on Telegram, through the webhook and the fake Bot API: `template` sends it (sendDocument), the
officer sends it back filled (getFile + download), the summary follows and *Kirim* stores the report."""

from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest

from storage.db import Database
from tests.channels.test_telegram_e2e import conversation_state
from tests.channels.test_telegram_webhook import (
    SITI,
    Service,
    fixture,
    invite_code,
    press_update,
    telegram_service,
    text_update,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import fake_telegram as fake_telegram
from tests.services.common import ksp_answers
from tests.services.workbook_files import fill, row_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DERIVED = ("total_assets", "gross_surplus", "surplus_before_tax")


@pytest.fixture
async def service(db: Database, fake_telegram: FakeTelegram) -> AsyncIterator[Service]:
    async with telegram_service(db, fake_telegram) as running:
        yield running


def document_update(update_id: int, chat: int, document: dict[str, Any]) -> dict[str, Any]:
    update = copy.deepcopy(fixture("document"))
    update["update_id"] = update_id
    update["message"]["from"]["id"] = update["message"]["chat"]["id"] = chat
    update["message"]["document"] = document
    return update


async def registered(service: Service, ids: itertools.count[int]) -> None:
    code = await invite_code(service.db)
    assert await service.say(text_update(next(ids), SITI, f"/start {code}")) == 200


async def the_template(service: Service, ids: itertools.count[int]) -> bytes:
    assert await service.say(text_update(next(ids), SITI, "template")) == 200
    [call] = service.fake.uploads("sendDocument")
    upload = call.files["document"]
    name = upload.filename or ""
    assert name.startswith("laporan-3171-KSP-0001-") and name.endswith(".xlsx")
    assert "buku kerja laporan" in "\n".join(service.fake.sent_texts(SITI))
    return upload.data


async def test_template_then_the_filled_workbook_back_gives_the_summary_and_kirim_stores_it(service: Service) -> None:
    ids = itertools.count(900_000_000)
    await registered(service, ids)
    data = await the_template(service, ids)
    filled = fill(data, {k: v for k, v in ksp_answers().items() if k not in DERIVED})
    document = service.fake.user_document(filled, "laporan.xlsx", XLSX)
    assert await service.say(document_update(next(ids), SITI, document)) == 200
    assert service.fake.calls_to("getFile")
    texts = service.fake.sent_texts(SITI)
    assert any("Buku kerja terbaca" in t for t in texts)
    handler, engine = await conversation_state(service.db, SITI)
    assert (handler, engine.get("stage")) == ("lapor", "summary")
    await service.say(press_update(next(ids), SITI, service.last_keyboard_message(SITI), "Kirim"))
    handler, _ = await conversation_state(service.db, SITI)
    assert handler != "lapor"
    async with service.db.transaction() as repos:
        cooperative = await repos.cooperatives.by_nik("3171-KSP-0001")
        assert cooperative is not None
        latest = await repos.reports.latest_submitted(cooperative.id)
    assert latest is not None and latest[1].figures["cash"] == "40000000"


async def test_a_workbook_with_a_word_for_a_number_is_answered_by_cell_and_nothing_is_stored(service: Service) -> None:
    ids = itertools.count(910_000_000)
    await registered(service, ids)
    data = await the_template(service, ids)
    filled = fill(data, {**ksp_answers(), "cash": "banyak"})
    document = service.fake.user_document(filled, "laporan.xlsx", XLSX)
    await service.say(document_update(next(ids), SITI, document))
    assert f"C{row_of(data, 'cash')}: bukan angka" in service.fake.sent_texts(SITI)[-1]
    handler, _ = await conversation_state(service.db, SITI)
    assert handler != "lapor"
    async with service.db.transaction() as repos:
        cooperative = await repos.cooperatives.by_nik("3171-KSP-0001")
        assert cooperative is not None
        report = await repos.reports.get(cooperative.id, "2026-11")
    assert report is None or not report.draft


async def test_a_pdf_or_a_file_over_2_mb_is_refused_in_words(service: Service) -> None:
    ids = itertools.count(920_000_000)
    await registered(service, ids)
    pdf = service.fake.user_document(b"%PDF-1.7 not a workbook", "neraca.pdf", "application/pdf")
    await service.say(document_update(next(ids), SITI, pdf))
    assert "bukan buku kerja Excel" in service.fake.sent_texts(SITI)[-1]
    big = service.fake.user_document(b"PK\x03\x04" + b"\x00" * 2_100_000, "besar.xlsx", XLSX)
    calls = len(service.fake.calls_to("getFile"))
    await service.say(document_update(next(ids), SITI, big))
    assert "lebih dari 2 MB" in service.fake.sent_texts(SITI)[-1]
    assert len(service.fake.calls_to("getFile")) == calls  # its size said enough: not fetched


async def test_a_stranger_sending_a_document_is_told_how_to_register(service: Service) -> None:
    assert await service.say(fixture("document")) == 200
    [text] = service.fake.sent_texts(SITI)
    assert "daftar" in text.lower() or "kode" in text.lower()
