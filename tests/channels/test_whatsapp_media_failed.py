"""A message Meta accepted but whose media it could not use, reported later by a `failed` status with 131052 or
131053 (platforms.md §2.10: re-upload once, then fail the row): the media id kept for the stored file is forgotten,
and that recipient's row is sent once more, by a new upload; a second such failure ends it as failed. Receipts keep
their monotonic rules (§2.6): after a `delivered` or `read` nothing is sent again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.channels.whatsapp.inbound import StatusUpdate
from bot.channels.whatsapp.status import apply_status
from bot.chat.messages import Attachment, Reply
from bot.delivery.senders import SendOutcome
from bot.delivery.worker import record_outcome
from bot.services import announcements
from bot.services.files import PlatformIds
from bot.services.segments import parse
from bot.words.attachments import MediaKey
from storage.db import Database
from storage.models import OutboxMessage, utcnow
from tests.channels.test_whatsapp_webhook import WaBot, running_bot
from tests.fakes.graph_api import FakeGraphAPI
from tests.test_announcement_files import documents_on_whatsapp, officers_on, platform_files, publish_circular, statuses

PDF_VARIANT = "document:application/pdf"


@asynccontextmanager
async def broadcast(db: Database, fake: FakeGraphAPI, tmp_path: Path, *, file: bool = True) -> AsyncIterator[WaBot]:
    """An announcement (with a PDF unless `file` is False) sent to seed_city's officers on WhatsApp, with the
    receipts of the sends posted; the bot keeps running (no pause between notices to one officer)."""
    await officers_on(db, "whatsapp", fake)
    if file:
        await publish_circular(db, tmp_path)
    else:
        async with db.transaction() as repos:
            text, segment = "Rapat koordinasi Senin.", parse("all")
            await announcements.publish(repos, text=text, segment=segment, staff_id=None, now=utcnow(), quiet=None)
    async with running_bot(db, fake, tmp_path, quiet_hours="") as bot:
        bot.channel.outbox.pacer.min_interval = 0.0
        await bot.runtime.delivery.drain_once()
        assert await bot.receipts() == 200
        yield bot


async def row_to(bot: WaBot, number: str) -> OutboxMessage:
    async with bot.db.transaction() as repos:
        return (await repos.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == number))).one()


@pytest.mark.parametrize("code", [131053, 131052])
async def test_a_document_meta_could_not_use_goes_again_to_that_officer_by_a_new_upload_once(
    db: Database, fake_graph: FakeGraphAPI, tmp_path: Path, code: int
) -> None:
    async with broadcast(db, fake_graph, tmp_path) as bot:
        number, *others = [row.recipient for row in await bot.rows()]
        [first] = fake_graph.uploads()
        old_id = first.response["id"]
        fake_graph.fail_later(number, code)
        failure = fake_graph.status_webhook()
        assert failure is not None and await bot.post(failure) == 200
        waiting = await row_to(bot, number)
        assert (waiting.status, waiting.next_attempt_at <= utcnow()) == ("pending", True)
        assert waiting.last_error and f"(#{code}) Media" in waiting.last_error
        assert await platform_files(db) == [], "the media id Meta could not use is forgotten"
        assert await statuses(db) == {"sent": len(others), "pending": 1}  # as `kopsehat outbox status` counts them

        await bot.runtime.delivery.drain_once()
        [_, again] = fake_graph.uploads()
        new_id = again.response["id"]
        assert [d["id"] for d in documents_on_whatsapp(fake_graph, number)] == [old_id, new_id]
        assert [body["type"] for body in fake_graph.messages_to(number)] == ["text", "document"] * 2
        for other in others:
            assert [body["type"] for body in fake_graph.messages_to(other)] == ["text", "document"]
            assert [d["id"] for d in documents_on_whatsapp(fake_graph, other)] == [old_id]
        assert await statuses(db) == {"sent": len(others) + 1}
        assert await platform_files(db) == [("whatsapp", PDF_VARIANT, new_id)]

        assert await bot.post(failure) == 200, "Meta repeats the webhook of the first failure"
        assert await bot.receipts() == 200  # the receipts of the new send
        assert await statuses(db) == {"sent": len(others) + 1}, "a repeat changes nothing"

        fake_graph.fail_later(number, code)  # the new send fails the same way: the row ends failed
        assert await bot.receipts() == 200
        failed = await row_to(bot, number)
        assert failed.status == "failed" and failed.last_error and f"(#{code}) Media" in failed.last_error
        assert await platform_files(db) == [], "the new id is not used again either"
        await bot.runtime.delivery.drain_once()
        assert len(fake_graph.messages_to(number)) == 4 and len(fake_graph.uploads()) == 2, "sent again once only"


async def test_a_late_media_failure_after_a_read_changes_nothing(
    db: Database, fake_graph: FakeGraphAPI, tmp_path: Path
) -> None:
    fake_graph.later_statuses = ("delivered", "read")
    async with broadcast(db, fake_graph, tmp_path) as bot:
        number = (await bot.rows())[0].recipient
        kept = await platform_files(db)
        fake_graph.fail_later(number, 131053)
        assert await bot.receipts() == 200
        assert (await row_to(bot, number)).status == "read"
        assert await platform_files(db) == kept
        await bot.runtime.delivery.drain_once()
        assert len(fake_graph.messages_to(number)) == 2 and len(fake_graph.uploads()) == 1


async def test_a_delivered_in_the_same_webhook_after_the_failure_cancels_sending_again(
    db: Database, fake_graph: FakeGraphAPI, tmp_path: Path
) -> None:
    async with broadcast(db, fake_graph, tmp_path) as bot:
        number = (await bot.rows())[0].recipient
        fake_graph.fail_later(number, 131053)
        failure = fake_graph.status_webhook()
        assert failure is not None
        value = failure["entry"][0]["changes"][0]["value"]
        [failed] = value["statuses"]
        delivered = {key: item for key, item in failed.items() if key != "errors"} | {"status": "delivered"}
        value["statuses"] = [failed, delivered]  # on another of their phones
        assert await bot.post(failure) == 200
        assert (await row_to(bot, number)).status == "delivered"
        await bot.runtime.delivery.drain_once()
        assert len(fake_graph.messages_to(number)) == 2


async def test_a_text_message_failing_with_a_media_error_is_not_sent_again(
    db: Database, fake_graph: FakeGraphAPI, tmp_path: Path
) -> None:
    async with broadcast(db, fake_graph, tmp_path, file=False) as bot:
        number = (await bot.rows())[0].recipient
        fake_graph.fail_later(number, 131053, kind="text")
        assert await bot.receipts() == 200
        row = await row_to(bot, number)
        assert row.status == "failed" and row.last_error and "(#131053)" in row.last_error
        await bot.runtime.delivery.drain_once()
        assert len(fake_graph.messages_to(number)) == 1 and fake_graph.uploads() == []


async def test_only_the_id_kept_when_the_failed_message_went_is_forgotten(db: Database) -> None:
    async with db.transaction() as repos:
        file_id = await repos.files.store("a.pdf", "application/pdf", b"%PDF")
    key = MediaKey("whatsapp", "109876543210987", file_id, PDF_VARIANT)
    clock = [utcnow()]
    ids = PlatformIds(db, now=lambda: clock[0])
    await ids.remember(key, "111")
    sent_at = clock[0] + timedelta(seconds=1)
    async with db.transaction() as repos:
        assert await ids.forget_sent(repos, key, sent_at) == "111"
    assert await ids.known(key) is None and await PlatformIds(db).known(key) is None
    clock[0] += timedelta(seconds=2)
    await ids.remember(key, "222")  # uploaded after the failed message went (for another one that failed)
    async with db.transaction() as repos:
        assert await ids.forget_sent(repos, key, sent_at) is None, "a newer upload is kept"
        assert await PlatformIds(db).forget_sent(repos, key, sent_at) is None, "also when read from the database"
    assert await ids.known(key) == "222"
    async with db.transaction() as repos:  # another process, nothing in memory: forgotten in the database
        assert await PlatformIds(db).forget_sent(repos, key, clock[0]) == "222"
    assert await PlatformIds(db).known(key) is None


async def test_a_failure_that_overtakes_the_write_of_its_send_is_kept(db: Database) -> None:
    now = utcnow()
    attachment = Attachment("document", "a.pdf", "application/pdf", b"", file_id=7)
    async with db.transaction() as repos:
        outbox_id = await repos.outbox.enqueue(
            dedupe_key="a",
            channel="whatsapp",
            recipient="6281200000001",
            kind="announcement",
            business_initiated=True,
            payload=Reply("Edaran", attachment=attachment).to_json(),
            status="sending",
            attempts=1,
            sent_at=now - timedelta(days=1),  # an earlier send
        )
        assert outbox_id is not None
        update = StatusUpdate("wamid.B", "failed", now, error_code=131053, callback_data=f"outbox:{outbox_id}")
        effect = await apply_status(repos, update, now, UTC)
        assert effect.media_failure is not None and effect.media_failure.sent_at == now, "this send, made just now"
        row = await repos.session.get(OutboxMessage, outbox_id)
        assert row is not None and row.status == "pending"
        await record_outcome(repos, row, SendOutcome("sent", ("wamid.A", "wamid.B")), now)
        assert (row.status, row.provider_message_id) == ("pending", "wamid.A,wamid.B"), "still to be sent again"
