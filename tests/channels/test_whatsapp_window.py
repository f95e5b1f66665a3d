"""Business-initiated notices and the 24-hour window: free-form inside, the template outside, held without one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.chat.messages import Reply
from storage.db import Database
from storage.models import OutboxMessage, utcnow
from tests.channels.test_whatsapp_webhook import SITI, SITI_BSUID, WaBot, running_bot
from tests.fakes.graph_api import FakeGraphAPI

REMINDER_PARAMS = {
    "name": "Bu Siti",
    "cooperative": "KSP Maju Bersama",
    "period": "Mei 2026",
    "deadline": "10 Juni 2026",
    "start_payload": "lapor:2026-05",
}


@pytest.fixture
async def bot(db: Database, fake_graph: FakeGraphAPI, tmp_path: Path) -> AsyncIterator[WaBot]:
    fake_graph.register_template("pengingat_laporan_bulanan", "id", 4)
    # quiet hours are another test's concern: without this, the notices here wait for the morning after 21:00 WIB
    async with running_bot(db, fake_graph, tmp_path, quiet_hours="") as wa_bot:
        yield wa_bot


async def officer_wrote(bot: WaBot, hours_ago: float) -> int:
    """Siti's identity, whose last message was `hours_ago` hours ago; the fake knows the same."""
    at = utcnow() - timedelta(hours=hours_ago)
    async with bot.db.transaction() as repos:
        identity = await repos.identities.get_or_create("whatsapp", SITI, alt_id=SITI_BSUID)
        identity.last_inbound_at = at
        identity_id = identity.id
    bot.fake.user_wrote(SITI, at)
    return identity_id


async def enqueue_notice(bot: WaBot, identity_id: int, kind: str = "report_reminder", key: str = "1") -> int:
    payload: dict[str, Any] = {
        **Reply("Laporan Mei 2026 belum kami terima. Ketik *lapor* untuk mengisi.").to_json(),
        "template_params": REMINDER_PARAMS,
    }
    dedupe_key = f"reminder:{kind}:2026-05:coop-1:officer-1:{key}"
    async with bot.db.transaction() as repos:
        await repos.outbox.enqueue(
            dedupe_key=dedupe_key,
            channel="whatsapp",
            recipient=SITI,
            identity_id=identity_id,
            kind=kind,
            business_initiated=True,
            payload=payload,
        )
        row = await repos.outbox.by_key(dedupe_key)
        assert row is not None
        return row.id


async def row(bot: WaBot, outbox_id: int) -> OutboxMessage:
    async with bot.db.transaction() as repos:
        found = await repos.session.get(OutboxMessage, outbox_id)
        assert found is not None
        return found


async def test_a_notice_outside_the_window_goes_as_its_template(bot: WaBot) -> None:
    notice = await enqueue_notice(bot, await officer_wrote(bot, hours_ago=30))
    assert await bot.runtime.delivery.drain_once() == 1
    [body] = bot.fake.messages_to(SITI)
    assert body["type"] == "template"
    assert body["template"]["name"] == "pengingat_laporan_bulanan"
    assert [p["text"] for p in body["template"]["components"][0]["parameters"]][:2] == ["Bu Siti", "KSP Maju Bersama"]
    assert body["biz_opaque_callback_data"] == f"outbox:{notice}"
    sent = await row(bot, notice)
    assert sent.status == "sent" and sent.provider_message_id
    assert await bot.receipts() == 200
    assert (await row(bot, notice)).status == "sent"


async def test_a_notice_inside_the_window_is_a_normal_message(bot: WaBot) -> None:
    notice = await enqueue_notice(bot, await officer_wrote(bot, hours_ago=2))
    assert await bot.runtime.delivery.drain_once() == 1
    [body] = bot.fake.messages_to(SITI)
    assert body["type"] == "text" and "Laporan Mei 2026" in body["text"]["body"]
    assert (await row(bot, notice)).status == "sent"


async def test_without_a_template_the_notice_is_held_for_the_office(bot: WaBot) -> None:
    notice = await enqueue_notice(bot, await officer_wrote(bot, hours_ago=30), kind="training_reminder")
    assert await bot.runtime.delivery.drain_once() == 1
    assert bot.fake.calls == []
    held = await row(bot, notice)
    assert held.status == "needs_template"
    assert held.last_error is not None and "training_reminder" in held.last_error
    assert (await bot.healthz())["channels"]["whatsapp"]["needs_template"] == 1
    assert await bot.runtime.delivery.drain_once() == 0, "held, not retried in a loop"


async def test_131047_after_acceptance_falls_back_to_the_template_once(bot: WaBot) -> None:
    bot.fake.window_error = "async"
    notice = await enqueue_notice(bot, await officer_wrote(bot, hours_ago=2))
    bot.fake.user_wrote(SITI, utcnow() - timedelta(days=2))  # Meta disagrees: the window is closed
    assert await bot.runtime.delivery.drain_once() == 1
    assert (await row(bot, notice)).status == "sent"
    failed_receipts = bot.fake.status_webhook()
    assert failed_receipts is not None
    for _ in range(2):  # Meta repeats webhooks
        assert await bot.post(failed_receipts) == 200
    failed = await row(bot, notice)
    assert failed.status == "failed" and failed.last_error and "131047" in failed.last_error
    assert await bot.runtime.delivery.drain_once() == 1
    bodies = bot.fake.messages_to(SITI)
    assert [b["type"] for b in bodies] == ["text", "template"]
    async with bot.db.transaction() as repos:
        fallback = await repos.outbox.by_key(f"fallback:{notice}")
    assert fallback is not None and fallback.status == "sent" and fallback.business_initiated


async def test_131047_on_send_falls_back_to_the_template_at_once(bot: WaBot) -> None:
    notice = await enqueue_notice(bot, await officer_wrote(bot, hours_ago=2))
    bot.fake.user_wrote(SITI, utcnow() - timedelta(days=2))  # the fake answers 131047 synchronously
    assert await bot.runtime.delivery.drain_once() == 1
    assert [b["type"] for b in bot.fake.messages_to(SITI)] == ["template"]
    assert (await row(bot, notice)).status == "sent"


async def test_bulk_notices_to_one_user_are_spaced(bot: WaBot) -> None:
    identity_id = await officer_wrote(bot, hours_ago=1)
    first = await enqueue_notice(bot, identity_id, key="a")
    second = await enqueue_notice(bot, identity_id, key="b")
    assert await bot.runtime.delivery.drain_once() == 2
    assert len(bot.fake.messages_to(SITI)) == 1
    assert (await row(bot, first)).status == "sent"
    waiting = await row(bot, second)
    assert waiting.status == "pending" and waiting.last_error and "pause" in waiting.last_error
    assert waiting.next_attempt_at > utcnow() + timedelta(seconds=4)


@pytest.mark.parametrize(("code", "least", "most"), [(130429, 1.0, 4.5), (131056, 5.5, 7.0)])
async def test_rate_limits_back_off_and_keep_the_row(bot: WaBot, code: int, least: float, most: float) -> None:
    notice = await enqueue_notice(bot, await officer_wrote(bot, hours_ago=1))
    bot.fake.fail_next(code)
    before = utcnow()
    assert await bot.runtime.delivery.drain_once() == 1
    waiting = await row(bot, notice)
    assert waiting.status == "pending" and waiting.last_error and str(code) in waiting.last_error
    assert before + timedelta(seconds=least) <= waiting.next_attempt_at <= utcnow() + timedelta(seconds=most)
    if code == 131056:
        assert bot.channel.outbox.pacer.delay_for(SITI) > 5


async def test_terminal_errors_fail_the_row_with_the_reason(bot: WaBot) -> None:
    notice = await enqueue_notice(bot, await officer_wrote(bot, hours_ago=1))
    bot.fake.fail_next(131026)
    assert await bot.runtime.delivery.drain_once() == 1
    failed = await row(bot, notice)
    assert failed.status == "failed" and failed.last_error and "131026" in failed.last_error


async def test_the_rate_per_number_comes_from_the_settings(
    db: Database, fake_graph: FakeGraphAPI, tmp_path: Path
) -> None:
    async with running_bot(db, fake_graph, tmp_path, whatsapp_messages_per_second=5) as slow:
        assert slow.channel.outbox.throttle.rate == 5
    async with running_bot(db, fake_graph, tmp_path) as default:
        assert default.channel.outbox.throttle.rate == 80
