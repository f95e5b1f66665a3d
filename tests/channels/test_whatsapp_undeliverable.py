"""131026 (undeliverable): the row fails with Meta's reason; on two different days, the officer is unreachable.

platforms.md §2.10: no immediate retry; after 2 occurrences on different days, mark the number unreachable, tell the
office, and use Telegram if the officer has it. A message from them, or a delivered one, starts the count again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.channels.whatsapp.pacing import RecipientPacer
from bot.channels.whatsapp.status import UNREACHABLE_REASON
from bot.chat.messages import Reply
from bot.cli import main
from storage.db import Database
from storage.migrate import upgrade
from storage.models import ChannelIdentity, OutboxMessage, utcnow
from tests.channels.test_whatsapp_webhook import SITI, SITI_BSUID, WaBot, running_bot
from tests.channels.test_whatsapp_window import REMINDER_PARAMS, row
from tests.fakes.graph_api import FakeGraphAPI

TELEGRAM_CHAT = "500100200"


@pytest.fixture
async def bot(db: Database, fake_graph: FakeGraphAPI, tmp_path: Path) -> AsyncIterator[WaBot]:
    fake_graph.register_template("pengingat_laporan_bulanan", "id", 4)
    async with running_bot(db, fake_graph, tmp_path, quiet_hours="") as wa_bot:
        wa_bot.channel.outbox.pacer = RecipientPacer(0.0)  # the notices of a test go one after the other
        yield wa_bot


async def siti(bot: WaBot, *, telegram: bool = False) -> int:
    """Siti, an officer who last wrote on WhatsApp three days ago (notices go as templates); her officer id."""
    async with bot.db.transaction() as repos:
        cooperative, _ = await repos.cooperatives.upsert(
            {"name": "KSP Maju Bersama", "nik": "3576010001", "type": "ksp"}
        )
        officer = await repos.officers.add(cooperative.id, "Siti Rahma", "bendahara")
        whatsapp = await repos.identities.get_or_create("whatsapp", SITI, alt_id=SITI_BSUID)
        whatsapp.officer_id, whatsapp.last_inbound_at = officer.id, utcnow() - timedelta(days=3)
        if telegram:
            other = await repos.identities.get_or_create("telegram", TELEGRAM_CHAT)
            other.officer_id, other.last_inbound_at = officer.id, utcnow() - timedelta(days=4)
        return officer.id


async def notice(bot: WaBot, officer_id: int, key: str) -> int:
    """A report reminder for Siti on WhatsApp, due now; its outbox id."""
    payload: dict[str, Any] = {
        **Reply("Laporan Mei 2026 belum kami terima.").to_json(),
        "template_params": REMINDER_PARAMS,
    }
    async with bot.db.transaction() as repos:
        identity = await repos.identities.find("whatsapp", SITI)
        assert identity is not None
        outbox_id = await repos.outbox.enqueue(
            dedupe_key=f"reminder:report_reminder:2026-05:officer-{officer_id}:{key}",
            channel="whatsapp",
            recipient=SITI,
            identity_id=identity.id,
            officer_id=officer_id,
            kind="report_reminder",
            business_initiated=True,
            payload=payload,
        )
        assert outbox_id is not None
        return outbox_id


async def send(bot: WaBot, outbox_id: int) -> OutboxMessage:
    """Deliver the due rows, then Meta's receipts; the row as it ends."""
    await bot.runtime.delivery.drain_once()
    assert await bot.receipts() == 200
    return await row(bot, outbox_id)


async def days_ago(bot: WaBot, outbox_id: int, days: int) -> None:
    """What happened to this row happened `days` days earlier."""
    async with bot.db.transaction() as repos:
        stmt = update(OutboxMessage).where(OutboxMessage.id == outbox_id)
        await repos.session.execute(stmt.values(updated_at=utcnow() - timedelta(days=days)))


async def whatsapp_identity(bot: WaBot) -> ChannelIdentity:
    async with bot.db.transaction() as repos:
        identity = await repos.identities.find("whatsapp", SITI)
        assert identity is not None
        return identity


async def test_131026_on_two_days_makes_the_officer_unreachable(bot: WaBot) -> None:
    officer = await siti(bot)
    bot.fake.not_on_whatsapp(SITI)
    first = await send(bot, await notice(bot, officer, "a"))
    assert first.status == "failed" and first.last_error and "(#131026)" in first.last_error
    assert (await whatsapp_identity(bot)).reachable, "once is not enough"
    await days_ago(bot, first.id, 1)

    second = await send(bot, await notice(bot, officer, "b"))
    assert (second.status, second.last_error) == ("unreachable", UNREACHABLE_REASON)
    identity = await whatsapp_identity(bot)
    assert not identity.reachable and identity.unreachable_since is not None
    assert identity.unreachable_reason == UNREACHABLE_REASON[:200]

    calls = len(bot.fake.calls)
    third = await send(bot, await notice(bot, officer, "c"))
    assert len(bot.fake.calls) == calls, "no more notices are tried on WhatsApp"
    assert third.status == "unreachable" and third.last_error == UNREACHABLE_REASON[:200]


async def test_the_same_day_twice_is_not_enough(bot: WaBot) -> None:
    officer = await siti(bot)
    bot.fake.not_on_whatsapp(SITI)
    for key in "ab":
        assert (await send(bot, await notice(bot, officer, key))).status == "failed"
    assert (await whatsapp_identity(bot)).reachable


async def test_a_delivered_message_in_between_starts_the_count_again(bot: WaBot) -> None:
    officer = await siti(bot)
    bot.fake.not_on_whatsapp(SITI)
    failed = await send(bot, await notice(bot, officer, "a"))
    await days_ago(bot, failed.id, 2)
    bot.fake.not_on_whatsapp(SITI, gone=False)
    bot.fake.later_statuses = ("delivered",)
    delivered = await send(bot, await notice(bot, officer, "b"))
    assert delivered.status == "delivered"
    await days_ago(bot, delivered.id, 1)
    bot.fake.not_on_whatsapp(SITI)
    assert (await send(bot, await notice(bot, officer, "c"))).status == "failed"
    assert (await whatsapp_identity(bot)).reachable


async def test_131026_on_send_moves_the_notice_to_telegram(bot: WaBot) -> None:
    officer = await siti(bot, telegram=True)
    bot.fake.fail_next(131026)
    first = await send(bot, await notice(bot, officer, "a"))
    assert first.status == "failed" and first.last_error and "(#131026)" in first.last_error
    await days_ago(bot, first.id, 1)
    bot.fake.fail_next(131026)
    moved = await send(bot, await notice(bot, officer, "b"))
    assert (moved.channel, moved.recipient, moved.status) == ("telegram", TELEGRAM_CHAT, "pending")
    assert moved.last_error == f"moved from whatsapp ({UNREACHABLE_REASON})"
    assert not (await whatsapp_identity(bot)).reachable
    later = await row(bot, await notice(bot, officer, "c"))
    await bot.runtime.delivery.drain_once()
    assert (await row(bot, later.id)).channel == "telegram", "the next notice goes to Telegram as well"


async def test_a_message_from_the_officer_makes_them_reachable_again(bot: WaBot) -> None:
    officer = await siti(bot)
    bot.fake.not_on_whatsapp(SITI)
    first = await send(bot, await notice(bot, officer, "a"))
    await days_ago(bot, first.id, 1)
    assert (await send(bot, await notice(bot, officer, "b"))).status == "unreachable"
    assert await bot.say("halo") == 200
    identity = await whatsapp_identity(bot)
    assert identity.reachable and identity.unreachable_reason is None and identity.unreachable_since is None
    # Failures before her message no longer count: one more today fails the row only.
    assert (await send(bot, await notice(bot, officer, "c"))).status == "failed"
    assert (await whatsapp_identity(bot)).reachable


async def test_the_office_sees_it_in_outbox_status(
    fake_graph: FakeGraphAPI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kopsehat.db'}"  # the command's own database, made by migrations
    db = Database(url)
    try:
        await upgrade(db)
        fake_graph.register_template("pengingat_laporan_bulanan", "id", 4)
        async with running_bot(db, fake_graph, tmp_path, quiet_hours="") as bot:
            bot.channel.outbox.pacer = RecipientPacer(0.0)
            officer = await siti(bot)
            bot.fake.not_on_whatsapp(SITI)
            first = await send(bot, await notice(bot, officer, "a"))
            await days_ago(bot, first.id, 1)
            await send(bot, await notice(bot, officer, "b"))
    finally:
        await db.dispose()
    monkeypatch.setenv("KOPSEHAT_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert await asyncio.to_thread(main, ["outbox", "status"]) == 0
    out = capsys.readouterr().out
    assert "unreachable: 1" in out and UNREACHABLE_REASON in out
