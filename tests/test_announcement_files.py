"""Announcement files: stored once, referred to by every recipient's outbox row, read once when a broadcast is sent,
uploaded to each platform once (later recipients, and other processes, get the file by the platform's id), and
checked against what Telegram and WhatsApp accept; rows written before keep their bytes inline and still send."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import os
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.channels.telegram.outbound import TelegramSender
from bot.chat.messages import Attachment, Reply
from bot.cli import main
from bot.delivery.worker import Delivery
from bot.services import announcements
from bot.services.files import FileCache, PlatformIds
from bot.services.segments import parse
from bot.words.attachments import MediaKey
from storage.db import Database
from storage.models import Announcement, OutboxMessage, PlatformFile, StoredFile, utcnow
from tests.channels.test_telegram_out import make_test_bot
from tests.channels.test_whatsapp_webhook import running_bot
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.graph_api import fake_graph as fake_graph
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import fake_telegram as fake_telegram
from tests.test_announcements import workdir as workdir
from tests.test_segments import seed_city

PDF = b"%PDF-1.7\n" + os.urandom(3_000_000)  # a 3 MB circular
OFFICERS = ("a1", "a2", "b1", "c1")  # the active officers of seed_city who take announcements


async def officers_on(db: Database, channel: str, fake: FakeGraphAPI | None = None) -> list[str]:
    """seed_city's officers, each with a chat account on `channel` (on WhatsApp: written an hour ago)."""
    city = await seed_city(db, with_chats=False)
    wrote = utcnow() - timedelta(hours=1)
    chats = []
    async with db.transaction() as repos:
        for n, name in enumerate(OFFICERS, start=1):
            chat = f"70000000{n}" if channel == "telegram" else f"62812000000{n}"
            identity = await repos.identities.get_or_create(channel, chat)
            identity.officer_id, identity.last_inbound_at = city.officers[name], wrote
            chats.append(chat)
            if fake is not None:
                fake.user_wrote(chat, wrote)
    return chats


async def publish_circular(
    db: Database, tmp_path: Path, segment: str = "all", name: str = "edaran-rat-2026.pdf", data: bytes = PDF
) -> Announcement:
    path = tmp_path / name
    path.write_bytes(data)
    attachment = announcements.attachment_from_file(path)
    async with db.transaction() as repos:
        return await announcements.publish(
            repos,
            text="Edaran RAT 2026 terlampir.",
            segment=parse(segment),
            staff_id=None,
            now=utcnow(),
            attachment=attachment,
            quiet=None,
        )


async def stored_once(db: Database, announcement_id: int) -> StoredFile:
    """The one stored file, which the announcement and each of its outbox rows refer to without carrying it."""
    async with db.transaction() as repos:
        (stored,) = (await repos.session.scalars(select(StoredFile))).all()
        rows = await repos.outbox.of_announcement(announcement_id)
        announcement = await repos.session.get(Announcement, announcement_id)
    assert (stored.data, stored.size, stored.sha256) == (PDF, len(PDF), hashlib.sha256(PDF).hexdigest())
    assert (stored.filename, stored.content_type) == ("edaran-rat-2026.pdf", "application/pdf")
    assert announcement is not None and announcement.attachment is not None
    assert (announcement.attachment["file_id"], announcement.attachment["data"]) == (stored.id, "")
    assert rows and all(row.payload["attachment"]["file_id"] == stored.id for row in rows)
    assert max(len(json.dumps(row.payload)) for row in rows) < 1_000
    return stored


async def statuses(db: Database) -> dict[str, int]:
    async with db.transaction() as repos:
        return await repos.outbox.count_by_status()


async def platform_files(db: Database) -> list[tuple[str, str, str]]:
    """The platforms' ids kept for stored files: (channel, variant, id)."""
    async with db.transaction() as repos:
        kept = (await repos.session.scalars(select(PlatformFile).order_by(PlatformFile.id))).all()
        return [(row.channel, row.variant, row.platform_id) for row in kept]


async def telegram_broadcast(db: Database, fake: FakeTelegram) -> Delivery:
    """Send what is due on Telegram as a process of its own would: a new delivery and sender, nothing in memory."""
    async with make_test_bot(fake) as tg_bot:
        delivery = Delivery(db, {}, concurrency=4)
        delivery.senders["telegram"] = TelegramSender(tg_bot, chunk_interval=0, media=delivery.platform_ids)
        await delivery.drain_once()
    return delivery


def documents_to(fake: FakeTelegram, chat: str) -> int:
    """How many documents this chat received (accepted sends)."""
    accepted = [call for call in fake.calls_to("sendDocument") if call.status == 200]
    return sum(1 for call in accepted if str(call.params["chat_id"]) == chat)


# --- stored once, sent to each --------------------------------------------------------------------


async def test_a_3_mb_file_to_several_officers_is_stored_once_and_uploaded_to_telegram_once(
    db: Database, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    chats = await officers_on(db, "telegram")
    made = await publish_circular(db, tmp_path)
    assert made.recipients == len(OFFICERS)
    stored = await stored_once(db, made.id)
    again = await publish_circular(db, tmp_path, "type:ksp")  # the same file again: no second copy
    assert again.recipients == 3 and (await stored_once(db, again.id)).id == stored.id
    delivery = await telegram_broadcast(db, fake_telegram)
    [upload] = fake_telegram.uploads()  # one upload for 7 messages sent 4 at a time
    assert (upload.files["document"].filename, upload.files["document"].data) == ("edaran-rat-2026.pdf", PDF)
    file_id = upload.result["document"]["file_id"]
    assert file_id.startswith("BQAC") and len(file_id) > 40
    documents = fake_telegram.calls_to("sendDocument")
    assert sorted(str(call.params["chat_id"]) for call in documents) == sorted(chats + chats[:2] + chats[3:])
    assert [call.params["document"] for call in documents if call is not upload] == [file_id] * 6
    for call in documents:
        assert call.status == 200 and call.result["document"]["file_name"] == "edaran-rat-2026.pdf"
    assert "Edaran RAT 2026 terlampir." in "\n".join(fake_telegram.sent_texts(chats[0]))
    assert delivery.files.reads == 1, "one read of the file for the whole broadcast"
    assert await statuses(db) == {"sent": len(OFFICERS) + 3}
    assert await platform_files(db) == [("telegram", "document:edaran-rat-2026.pdf", file_id)]


async def test_a_picture_goes_by_the_file_id_of_its_largest_size_after_one_upload(
    db: Database, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    await officers_on(db, "telegram")
    poster = b"\x89PNG\r\n\x1a\n" + os.urandom(200_000)
    await publish_circular(db, tmp_path, name="poster-rat.png", data=poster)
    await telegram_broadcast(db, fake_telegram)
    [upload] = fake_telegram.uploads()
    assert upload.method == "sendPhoto" and upload.files["photo"].data == poster
    thumbnail, largest = (size["file_id"] for size in upload.result["photo"])
    assert thumbnail != largest
    by_id = [call for call in fake_telegram.calls_to("sendPhoto") if call is not upload]
    assert len(by_id) == len(OFFICERS) - 1 and all(call.params["photo"] == largest for call in by_id)
    assert all(call.status == 200 for call in by_id)
    assert await platform_files(db) == [("telegram", "photo", largest)]


async def test_another_process_sends_by_the_stored_file_id_and_a_refused_one_is_uploaded_again_once(
    db: Database, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    chats = await officers_on(db, "telegram")
    await publish_circular(db, tmp_path, "type:ksp")
    await telegram_broadcast(db, fake_telegram)
    [(_, _, first_id)] = await platform_files(db)
    await publish_circular(db, tmp_path)
    await telegram_broadcast(db, fake_telegram)  # another process: a new delivery and sender, the same database
    assert len(fake_telegram.uploads()) == 1, "sent by the file_id stored by the first process"
    fake_telegram.forget_file(first_id)  # Telegram no longer knows it
    await publish_circular(db, tmp_path)
    await telegram_broadcast(db, fake_telegram)
    uploads = fake_telegram.uploads()
    assert len(uploads) == 2, "the refused file_id made one upload, not one per recipient"
    new_id = uploads[-1].result["document"]["file_id"]
    assert new_id != first_id and await platform_files(db) == [("telegram", "document:edaran-rat-2026.pdf", new_id)]
    refused = [call for call in fake_telegram.calls_to("sendDocument") if call.status != 200]
    assert refused and all(call.params["document"] == first_id for call in refused)
    assert all("wrong file identifier" in (call.description or "") for call in refused)
    assert [documents_to(fake_telegram, chat) for chat in chats] == [3, 3, 2, 3], "each message once, none lost"
    assert await statuses(db) == {"sent": 3 + 2 * len(OFFICERS)}


async def whatsapp_broadcast(db: Database, fake: FakeGraphAPI, tmp_path: Path) -> Delivery:
    """Send what is due on WhatsApp from a service of its own (a new runtime: nothing in memory)."""
    async with running_bot(db, fake, tmp_path, quiet_hours="") as bot:
        await bot.runtime.delivery.drain_once()
        return bot.runtime.delivery


def documents_on_whatsapp(fake: FakeGraphAPI, number: str) -> list[dict[str, Any]]:
    return [body["document"] for body in fake.messages_to(number) if body["type"] == "document"]


async def test_a_3_mb_file_to_several_officers_is_uploaded_to_whatsapp_once(
    db: Database, fake_graph: FakeGraphAPI, tmp_path: Path
) -> None:
    numbers = await officers_on(db, "whatsapp", fake_graph)
    made = await publish_circular(db, tmp_path)
    await stored_once(db, made.id)
    delivery = await whatsapp_broadcast(db, fake_graph, tmp_path)
    assert delivery.files.reads == 1
    [upload] = fake_graph.uploads()
    assert upload.files["file"] == ("edaran-rat-2026.pdf", "application/pdf", PDF)
    media_id = upload.response["id"]
    for number in numbers:
        [document] = documents_on_whatsapp(fake_graph, number)
        assert document == {"id": media_id, "filename": "edaran-rat-2026.pdf"}
    assert await statuses(db) == {"sent": len(OFFICERS)}
    assert await platform_files(db) == [("whatsapp", "document:application/pdf", media_id)]
    await publish_circular(db, tmp_path)
    await whatsapp_broadcast(db, fake_graph, tmp_path)  # another process, the same database
    assert len(fake_graph.uploads()) == 1, "sent by the media id stored by the first process"
    assert all([d["id"] for d in documents_on_whatsapp(fake_graph, n)] == [media_id] * 2 for n in numbers)
    assert await statuses(db) == {"sent": 2 * len(OFFICERS)}


@pytest.mark.parametrize("code", [100, 131053])
async def test_a_media_id_whatsapp_refuses_is_replaced_by_one_new_upload(
    db: Database, fake_graph: FakeGraphAPI, tmp_path: Path, code: int
) -> None:
    numbers = await officers_on(db, "whatsapp", fake_graph)
    await publish_circular(db, tmp_path)
    await whatsapp_broadcast(db, fake_graph, tmp_path)
    [first] = fake_graph.uploads()
    fake_graph.forget_media(first.response["id"])  # Meta no longer has it
    fake_graph.unknown_media_code = code
    await publish_circular(db, tmp_path)
    await whatsapp_broadcast(db, fake_graph, tmp_path)
    uploads = fake_graph.uploads()
    assert len(uploads) == 2, "one new upload, not one per recipient"
    new_id = uploads[-1].response["id"]
    refused = [call for call in fake_graph.calls if call.path.endswith("/messages") and call.status != 200]
    assert refused and all(call.response["error"]["code"] == code for call in refused)
    for number in numbers:
        assert [d["id"] for d in documents_on_whatsapp(fake_graph, number)] == [first.response["id"], new_id]
        assert [body["type"] for body in fake_graph.messages_to(number)] == ["text", "document"] * 2, "none twice"
    assert await platform_files(db) == [("whatsapp", "document:application/pdf", new_id)]
    assert await statuses(db) == {"sent": 2 * len(OFFICERS)}


async def test_a_media_id_near_the_end_of_its_30_days_is_not_used_the_file_is_uploaded_again(
    db: Database, fake_graph: FakeGraphAPI, tmp_path: Path
) -> None:
    await officers_on(db, "whatsapp", fake_graph)
    await publish_circular(db, tmp_path)
    await whatsapp_broadcast(db, fake_graph, tmp_path)
    async with db.transaction() as repos:  # uploaded 29 days ago (Meta keeps it 30): too close to use
        await repos.session.execute(update(PlatformFile).values(uploaded_at=utcnow() - timedelta(days=29)))
    await publish_circular(db, tmp_path)
    await whatsapp_broadcast(db, fake_graph, tmp_path)
    first, second = fake_graph.uploads()
    assert {call.status for call in fake_graph.calls if call.path.endswith("/messages")} == {200}, "nothing refused"
    [(_, _, kept)] = await platform_files(db)
    assert kept == second.response["id"] != first.response["id"]


async def test_platform_ids_are_kept_per_account_and_kind_and_only_the_refused_one_is_forgotten(db: Database) -> None:
    async with db.transaction() as repos:
        file_id = await repos.files.store("a.pdf", "application/pdf", b"%PDF")
    clock = [utcnow()]
    ids = PlatformIds(db, now=lambda: clock[0])
    key = MediaKey("whatsapp", "109876543210987", file_id, "document:application/pdf")
    other_number = MediaKey("whatsapp", "200000000000002", file_id, "document:application/pdf")
    assert await ids.known(key) is None
    await ids.remember(key, "1013859600285442")
    assert await PlatformIds(db).known(key) == "1013859600285442", "another process finds it in the database"
    assert await ids.known(other_number) is None
    clock[0] += timedelta(days=28)
    assert await ids.known(key, max_age=timedelta(days=28)) is None and await ids.known(key) == "1013859600285442"
    await ids.remember(key, "1013859600285443")  # a new upload replaces it
    await ids.forget(key, "1013859600285442")  # a send that still had the old one: the new one stays
    assert await ids.known(key) == await PlatformIds(db).known(key) == "1013859600285443"
    await ids.forget(key, "1013859600285443")
    assert await ids.known(key) is None and await PlatformIds(db).known(key) is None


async def test_a_row_written_with_the_bytes_inline_still_sends_and_a_lost_file_fails_clearly(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    old_attachment = {  # an outbox payload as announcements wrote it before files were stored once
        "kind": "document",
        "filename": "surat-lama.pdf",
        "content_type": "application/pdf",
        "data": base64.b64encode(b"%PDF-1.4 surat lama").decode("ascii"),
        "caption": "",
        "chart": None,
    }
    gone = Attachment("document", "hilang.pdf", "application/pdf", b"", file_id=404)
    async with db.transaction() as repos:
        for key, chat, attachment in (("old", "700000001", old_attachment), ("gone", "700000002", gone.to_json())):
            payload: dict[str, Any] = {"text": "Pengumuman.", "choices": [], "attachment": attachment}
            await repos.outbox.enqueue(
                dedupe_key=key, channel="telegram", recipient=chat, kind="announcement", payload=payload
            )
    async with make_test_bot(fake_telegram) as tg_bot:
        assert await Delivery(db, {"telegram": TelegramSender(tg_bot, chunk_interval=0)}).drain_once() == 2
    (document,) = fake_telegram.calls_to("sendDocument")
    assert (str(document.params["chat_id"]), document.files["document"].data) == ("700000001", b"%PDF-1.4 surat lama")
    async with db.transaction() as repos:
        old, lost = await repos.outbox.by_key("old"), await repos.outbox.by_key("gone")
    assert old is not None and old.status == "sent"
    assert lost is not None and (lost.status, lost.last_error) == ("failed", "the stored file of hilang.pdf is gone")
    assert fake_telegram.sent_texts("700000002") == []


# --- the cache and the read ------------------------------------------------------------------------


async def test_the_cache_reads_each_file_once_keeps_the_latest_and_skips_files_over_its_budget(db: Database) -> None:
    async with db.transaction() as repos:
        ids = [await repos.files.store(f"{n}.pdf", "application/pdf", bytes([n]) * 100) for n in range(3)]
        big = await repos.files.store("besar.pdf", "application/pdf", b"b" * 1_000)
    cache = FileCache(db, max_bytes=500, max_files=2)
    loaded = await asyncio.gather(*(cache.data(ids[0]) for _ in range(5)))  # a broadcast's concurrent sends
    assert loaded == [b"\x00" * 100] * 5 and cache.reads == 1
    assert await cache.data(ids[1]) == b"\x01" * 100 and await cache.data(ids[0]) == b"\x00" * 100
    assert cache.reads == 2
    assert await cache.data(ids[2]) == b"\x02" * 100  # the third pushes out the one used longest ago
    await cache.data(ids[0])
    await cache.data(ids[1])
    assert cache.reads == 4
    assert await cache.data(big) == b"b" * 1_000 and await cache.data(big) == b"b" * 1_000
    assert cache.reads == 6, "a file over the budget is read each time, not kept"
    assert await cache.data(9_999) is None
    reply = Reply("x", attachment=Attachment("document", "0.pdf", "application/pdf", b"", file_id=ids[0]))
    filled = await cache.filled(Attachment.from_json(json.loads(json.dumps(reply.to_json()))["attachment"]))
    assert filled is not None and filled.data == b"\x00" * 100


async def test_a_file_is_read_while_a_writer_holds_the_database(db: Database) -> None:
    async with db.transaction() as repos:
        file_id = await repos.files.store("a.pdf", "application/pdf", b"%PDF")
    async with db.transaction() as writer:
        await writer.audit.add("cli", "busy")
        await writer.session.flush()
        async with asyncio.timeout(5):
            assert await FileCache(db).data(file_id) == b"%PDF"


# --- what the platforms accept ----------------------------------------------------------------------


def sized(path: Path, size: int) -> Path:
    """A file of `size` bytes that costs no disk (sparse)."""
    with path.open("wb") as file:
        file.truncate(size)
    return path


def test_files_become_pictures_or_documents_within_what_both_platforms_accept(tmp_path: Path) -> None:
    (tmp_path / "poster.JPG").write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 100)
    workbook = io.BytesIO()  # the parts every XLSX has (its content is checked against its name)
    with zipfile.ZipFile(workbook, "w") as parts:
        parts.writestr("[Content_Types].xml", "<Types/>")
        parts.writestr("xl/workbook.xml", "<workbook/>")
    (tmp_path / "rekap.xlsx").write_bytes(workbook.getvalue())
    (tmp_path / "pas.png").write_bytes(b"\x89PNG" + b"0" * 4_999_996)
    picture = announcements.attachment_from_file(tmp_path / "poster.JPG")
    assert (picture.kind, picture.content_type) == ("photo", "image/jpeg")
    sheet = announcements.attachment_from_file(tmp_path / "rekap.xlsx")
    assert (sheet.kind, sheet.content_type, sheet.data) == (
        "document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        workbook.getvalue(),
    )
    assert len(announcements.attachment_from_file(tmp_path / "pas.png").data) == 5_000_000
    refusals = {
        sized(tmp_path / "poster.png", 5_000_001): "berukuran 5.1 MB; gambar paling besar 5 MB (batas WhatsApp)",
        sized(tmp_path / "besar.pdf", 50_000_001): "dokumen paling besar 50 MB (batas unggah Telegram)",
        tmp_path / "arsip.zip": "jenis berkas tidak didukung",
        tmp_path / "kosong.pdf": "berkas kosong",
    }
    (tmp_path / "arsip.zip").write_bytes(b"PK")
    (tmp_path / "kosong.pdf").write_bytes(b"")
    for path, reason in refusals.items():
        with pytest.raises(ValueError, match=re.escape(reason)):
            announcements.attachment_from_file(path)


def test_cli_refuses_a_file_too_big_or_of_an_unsupported_type_naming_the_limit(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sized(workdir / "laporan-tahunan.pdf", 52_400_000)
    (workdir / "foto.gif").write_bytes(b"GIF89a")
    announce = ["announce", "--segment", "all", "--text", "Edaran RAT 2026.", "--yes", "--file"]
    assert main([*announce, "laporan-tahunan.pdf"]) == 2
    assert capsys.readouterr().err == (
        "kopsehat: --file: laporan-tahunan.pdf berukuran 52.4 MB; dokumen paling besar 50 MB (batas unggah "
        "Telegram): bagikan tautan untuk berkas sebesar ini / laporan-tahunan.pdf is 52.4 MB; documents may be at "
        "most 50 MB (Telegram's upload limit): share a link for a file this big\n"
    )
    assert main([*announce, "foto.gif"]) == 2
    err = capsys.readouterr().err
    assert "foto.gif: jenis berkas tidak didukung" in err and "unsupported file type, accepted: png, jpg" in err
    assert asyncio.run(count_in(workdir, StoredFile)) == asyncio.run(count_in(workdir, OutboxMessage)) == 0


def test_cli_announces_a_3_mb_file_stored_once_for_all_recipients(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "edaran-rat-2026.pdf").write_bytes(PDF)
    args = ["announce", "--segment", "all", "--text", "Edaran RAT 2026.", "--file", "edaran-rat-2026.pdf", "--yes"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"[document: edaran-rat-2026.pdf, {len(PDF)} bytes]" in out and "queued for 4 officer(s)" in out
    assert asyncio.run(count_in(workdir, StoredFile)) == 1 and asyncio.run(count_in(workdir, OutboxMessage)) == 4

    async def check() -> None:
        db = Database(f"sqlite+aiosqlite:///{workdir / 'kopsehat.db'}")
        try:
            await stored_once(db, 1)
        finally:
            await db.dispose()

    asyncio.run(check())


async def count_in(workdir: Path, model: type[Any]) -> int:
    db = Database(f"sqlite+aiosqlite:///{workdir / 'kopsehat.db'}")
    try:
        async with db.transaction() as repos:
            return int((await repos.session.execute(select(func.count()).select_from(model))).scalar_one())
    finally:
        await db.dispose()
