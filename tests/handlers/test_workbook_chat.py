"""The workbook in the chat (console channel, real dispatcher and database): `template`, a filled workbook as a
document, what it answers when the report was sent already, and what it stores when the file cannot be fetched."""

from __future__ import annotations

import itertools

from bot.chat.messages import Address, Inbound, Upload
from storage.db import Database
from tests.handlers.chat import User, add_cooperative, dispatcher, registered
from tests.services.common import ksp_answers
from tests.services.workbook_files import fill

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DERIVED = ("total_assets", "gross_surplus", "surplus_before_tax")
_ids = itertools.count(1)


async def send_file(user: User, data: bytes | None, size: int | None = None) -> str:
    upload = Upload("laporan.xlsx", XLSX, size if size is not None else len(data or b""), ref="f1", data=data)
    inbound = Inbound(
        address=Address("console", user.user_id),
        message_id=f"doc{next(_ids)}",
        received_at=user.dispatcher.clock(),
        kind="document",
        upload=upload,
    )
    result = await user.dispatcher.handle(inbound)
    user.last = result.replies
    return user.text


async def the_template(user: User) -> bytes:
    await user.send("template")
    [reply] = user.last
    assert reply.attachment is not None and reply.attachment.kind == "document"
    assert reply.attachment.filename == "laporan-3576010001-2026-10.xlsx"
    return reply.attachment.data


async def test_a_filled_workbook_leads_to_the_summary_and_kirim_sends_it(db: Database) -> None:
    siti = await registered(db, dispatcher(db))
    data = await the_template(siti)
    text = await send_file(siti, fill(data, {k: v for k, v in ksp_answers().items() if k not in DERIVED}))
    assert "Buku kerja terbaca" in text and "Ringkasan" in text and "Kirim" in siti.buttons
    assert "Terima kasih, laporan Oktober 2026 sudah kami terima" in await siti.press("Kirim")
    again = await send_file(siti, fill(data, ksp_answers()))
    assert "Laporan Oktober 2026 sudah dikirim" in again  # the correction is offered, nothing is overwritten
    assert "Ubah laporan" in siti.buttons


async def test_a_file_the_channel_could_not_fetch_or_too_large_is_answered(db: Database) -> None:
    siti = await registered(db, dispatcher(db))
    assert "belum bisa kami ambil" in await send_file(siti, None)
    assert "lebih dari 2 MB" in await send_file(siti, None, size=3_000_000)


async def test_template_without_a_nik_on_record_says_so(db: Database) -> None:
    await add_cooperative(db, nik="")
    siti = await registered(db, dispatcher(db), nik="")
    assert "NIK koperasi Anda belum tercatat" in await siti.say("template")
