"""The database blinks under load (PostgreSQL connections terminated): no message lost, no reply sent twice.

A Telegram and a WhatsApp load run through the real webhook app against the fake platform APIs while a second
connection keeps terminating the service's connections. The platform sends an update again until it gets a 200, as
the real ones do. Every update must end recorded with its replies sent once, none of them the apology, and no
connection broken mid-operation may be used again. (SQLite has no connection to lose: these run on PostgreSQL.)
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.channels.telegram.runtime import SECRET_HEADER, WEBHOOK_PATH
from bot.runtime import Runtime
from bot.words import render
from storage.db import Database
from storage.models import utcnow
from tests.attack.blink import Killer, deliver_all, settled, stored
from tests.channels.test_telegram_webhook import SECRET, telegram_service, text_update
from tests.channels.test_whatsapp_webhook import APP_SECRET, envelope, running_bot
from tests.conftest import drop_test_database, make_test_database
from tests.fakes.graph_api import FakeGraphAPI, signed
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.filterwarnings(
    "ignore:Deprecated since version v22.2.*retry_after:telegram.warnings.PTBDeprecationWarning"
)

LEASE = timedelta(seconds=3)  # a claim the edge could not record runs out quickly, so a resend would show here
APOLOGY = render.text("id", "common.fault").split("\n")[0]
BROKEN_REUSED = "another operation is in progress"


@pytest.fixture
async def pg(tmp_path: Path) -> AsyncIterator[tuple[Database, str]]:
    db, schema = await make_test_database("postgresql", tmp_path)
    assert schema is not None
    try:
        yield db, schema
    finally:
        await drop_test_database(db, schema)


def short_leases(runtime: Runtime) -> None:
    runtime.delivery.lease = LEASE
    runtime.dispatcher.reply_lease = LEASE


def broken_connection_reused(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if BROKEN_REUSED in f"{r.getMessage()} {r.exc_text}"]


async def test_telegram_under_a_blinking_database(
    pg: tuple[Database, str], fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    db, schema = pg
    chats = [7100000 + i for i in range(40)]
    updates = [text_update(1 + n, chats[n % len(chats)], f"halo {n}") for n in range(1200)]
    bodies = [json.dumps(u).encode() for u in updates]
    caplog.set_level(logging.WARNING)
    async with telegram_service(db, fake_telegram) as service:
        short_leases(service.runtime)

        async def post(body: bytes) -> int:
            headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
            async with service.http.post(service.base + WEBHOOK_PATH, data=body, headers=headers) as response:
                await response.read()
                return response.status

        async with Killer(db.url, schema).running() as killer:
            load = await deliver_all(bodies, post)
        await service.channel.idle()
        states = await settled(db, within=30)
        inbound, rows = await stored(db)
    sent = Counter(int(c.params["chat_id"]) for c in fake_telegram.calls_to("sendMessage") if c.status == 200)
    expected = Counter(int(r.recipient) for r in rows)
    duplicates = sum((sent - expected).values())
    lost = sum((expected - sent).values())
    apologies = sum(APOLOGY in t for chat in chats for t in fake_telegram.sent_texts(chat))
    print(
        f"telegram: {killer.killed} connections killed in {killer.rounds} rounds; answers {load.statuses}; "
        f"rows {states}; duplicates {duplicates}, lost {lost}, apologies {apologies}"
    )
    assert killer.killed > 20, "the database did not blink"
    assert inbound == len(updates)
    assert set(states) <= {"sent"}
    assert len(rows) >= len(updates)
    assert (duplicates, lost, apologies) == (0, 0, 0)
    assert not broken_connection_reused(caplog)


async def test_whatsapp_under_a_blinking_database(
    pg: tuple[Database, str], fake_graph: FakeGraphAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db, schema = pg
    users = [f"62812000{i:05d}" for i in range(40)]
    now = utcnow()
    bodies = []
    for n in range(400):
        user = users[n % len(users)]
        fake_graph.user_wrote(user, now)
        message = {
            "id": f"wamid.BLINK.{n}",
            "timestamp": str(int(now.timestamp())),
            "type": "text",
            "text": {"body": f"halo {n}"},
            "from": user,
        }
        contact = {"wa_id": user, "profile": {"name": f"Pengurus {n % 40}"}}
        bodies.append(signed(envelope(fake_graph.phone_number_id, messages=[message], contacts=[contact]), APP_SECRET))
    caplog.set_level(logging.WARNING)
    # Meta's pace (80/s) would hold replies in the sender longer than the short lease: not what is tested here
    async with running_bot(db, fake_graph, tmp_path, whatsapp_messages_per_second=1000) as bot:
        short_leases(bot.runtime)
        delivery = bot.runtime.delivery
        worker = asyncio.create_task(delivery.run(idle=0.2))  # running_bot leaves the delivery loop to the test
        raw = {body: headers for body, headers in bodies}

        async def post(body: bytes) -> int:
            return await bot.post_raw(body, raw[body])

        async with Killer(db.url, schema).running() as killer:
            load = await deliver_all(list(raw), post)
        await bot.settle()
        states = await settled(db, within=30)
        await delivery.stop()
        await worker
        inbound, rows = await stored(db)
    sends = Counter(
        c.json.get("biz_opaque_callback_data")
        for c in fake_graph.calls
        if c.path.endswith("/messages") and c.status == 200 and c.json and c.json.get("status") != "read"
    )
    duplicates = sum(n - 1 for n in sends.values() if n > 1)
    lost = sum(1 for r in rows if sends[f"outbox:{r.id}"] == 0)
    apologies = sum(APOLOGY in json.dumps(m, ensure_ascii=False) for u in users for m in fake_graph.messages_to(u))
    print(
        f"whatsapp: {killer.killed} connections killed in {killer.rounds} rounds; answers {load.statuses}; "
        f"rows {states}; duplicates {duplicates}, lost {lost}, apologies {apologies}"
    )
    assert killer.killed > 5, "the database did not blink"
    assert inbound == len(bodies)
    assert set(states) <= {"sent"}
    assert (duplicates, lost, apologies) == (0, 0, 0)
    assert not broken_connection_reused(caplog)
