"""Telegram by long polling (no public URL): getUpdates against the fake Bot API, offsets, stop, conflicts."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from storage.db import Database
from tests.channels.test_telegram_webhook import (
    SITI,
    Service,
    fixture,
    outbox_rows,
    telegram_service,
    text_update,
    wait_until,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import fake_telegram as fake_telegram


@pytest.fixture
async def polling(db: Database, fake_telegram: FakeTelegram) -> AsyncIterator[Service]:
    async with telegram_service(db, fake_telegram, webhook=False) as running:
        yield running


async def test_polling_deletes_the_webhook_and_answers_queued_updates(polling: Service) -> None:
    fake = polling.fake
    assert fake.calls_to("deleteWebhook")[0].params.get("drop_pending_updates") in (False, None)
    assert {("default", "id"), ("default", "en")} <= set(fake.commands)
    fake.queue_update(fixture("text"))
    fake.queue_update(fixture("photo"))
    await wait_until(lambda: len(fake.sent_texts(SITI)) == 2)
    texts = fake.sent_texts(SITI)
    assert "belum bisa kami baca" in texts[1]
    last = fixture("photo")["update_id"]
    await wait_until(lambda: any(c.params.get("offset") == last + 1 for c in fake.calls_to("getUpdates")))
    assert set(fake.calls_to("getUpdates")[0].params["allowed_updates"]) == {
        "message",
        "callback_query",
        "my_chat_member",
    }


async def test_an_update_polled_twice_gets_one_reply(polling: Service) -> None:
    polling.fake.queue_update(fixture("text"))
    await wait_until(lambda: len(polling.fake.sent_texts(SITI)) == 1)
    polling.fake.queue_update(fixture("text"))  # e.g. the offset was not confirmed before a restart
    polling.fake.queue_update(text_update(fixture("text")["update_id"] + 1, SITI, "menu"))
    await wait_until(lambda: len(polling.fake.sent_texts(SITI)) == 2)
    await polling.channel.idle()
    assert len(await outbox_rows(polling.db)) == 2


async def test_health_reports_polling(polling: Service) -> None:
    telegram = (await polling.health())["channels"]["telegram"]
    assert (telegram["ok"], telegram["mode"], telegram["polling"], telegram["get_me"]) == (
        True,
        "polling",
        True,
        "ok",
    )


async def test_a_webhook_set_elsewhere_is_deleted_again_and_polling_goes_on(polling: Service) -> None:
    polling.fake.webhook = {"url": "https://somewhere.example/hook"}  # 409 Conflict on getUpdates
    await wait_until(lambda: any(c.status == 409 for c in polling.fake.calls_to("getUpdates")))
    polling.fake.queue_update(fixture("text"))
    await wait_until(lambda: len(polling.fake.sent_texts(SITI)) == 1, within=8)
    assert len(polling.fake.calls_to("deleteWebhook")) == 2


async def test_stop_ends_a_hanging_long_poll_within_two_seconds(db: Database, fake_telegram: FakeTelegram) -> None:
    async with telegram_service(db, fake_telegram, webhook=False) as service:
        fake_telegram.hang_next(30, "getUpdates", times=5)
        await wait_until(lambda: any(c.status == 0 for c in fake_telegram.calls_to("getUpdates")))
        started = time.monotonic()
        await service.channel.stop()
        assert time.monotonic() - started < 2.0
        assert not service.channel.polling
