"""A refused bot token (401) in the real service: nothing is sent or lost, /healthz says why, getMe resumes it."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from bot.channels.telegram import runtime as telegram_runtime
from bot.channels.telegram.errors import HELD_ERROR
from bot.chat.messages import Reply
from storage.db import Database
from storage.models import utcnow
from tests.channels.test_telegram_webhook import (
    SITI,
    Service,
    outbox_rows,
    telegram_service,
    text_update,
    wait_until,
    wait_until_sent,
)
from tests.channels.test_telegram_webhook import service as service
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import fake_telegram as fake_telegram

# PTB 22 builds RetryAfter through a deprecated int property; nothing of ours reads it that way.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Deprecated since version v22.2.*retry_after:telegram.warnings.PTBDeprecationWarning"
)


def refused_get_me(fake: FakeTelegram) -> int:
    return sum(1 for call in fake.calls_to("getMe") if call.status == 401)


def our_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("bot.")]


async def test_a_revoked_token_holds_replies_reports_it_and_resumes_when_get_me_works(
    db: Database, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with telegram_service(db, fake_telegram) as service:
        fake_telegram.revoke_token()
        assert await service.say(text_update(1, SITI, "menu")) == 200
        assert await service.say(text_update(2, SITI, "bantuan")) == 200
        rows = await outbox_rows(db)
        assert [(r.status, r.last_error) for r in rows] == [("pending", HELD_ERROR)] * 2  # waiting, not failed
        assert all(r.next_attempt_at > utcnow() + timedelta(minutes=5) for r in rows)
        assert len(fake_telegram.calls_to("sendMessage")) == 1  # the first met the 401; the second was held
        health = await service.health()
        telegram = health["channels"]["telegram"]
        assert (health["status"], telegram["ok"], telegram["error"]) == ("degraded", False, "token rejected (401)")
        assert telegram["get_me"] == "token rejected (401)"
        await wait_until(lambda: refused_get_me(fake_telegram) >= 2)  # checked again and again, not sent to
        assert len(fake_telegram.calls_to("sendMessage")) == 1
        errors = [r for r in our_records(caplog) if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and "token rejected (401)" in errors[0].getMessage()
        assert all(fake_telegram.token.split(":", 1)[1] not in r.getMessage() for r in our_records(caplog))
        assert fake_telegram.token not in json.dumps(health)

        fake_telegram.restore_token()
        await wait_until(lambda: len(fake_telegram.sent_texts(SITI)) == 2)
        await wait_until_sent(db)
        assert [(r.attempts, r.last_error) for r in await outbox_rows(db)] == [(1, None)] * 2  # held tries not counted
        telegram = (await service.health())["channels"]["telegram"]
        assert (telegram["ok"], telegram["get_me"]) == (True, "ok")
        assert "error" not in telegram


async def test_a_token_refused_at_start_waits_then_starts_and_sends_what_an_earlier_run_held(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    async with db.transaction() as repos:  # a message held by the run before the restart
        await repos.outbox.enqueue(
            dedupe_key="notice:1",
            channel="telegram",
            recipient=str(SITI),
            kind="reply",
            payload=Reply("Laporan Mei 2026 belum kami terima.").to_json(),
            attempts=3,
            last_error=HELD_ERROR,
            next_attempt_at=utcnow() + timedelta(minutes=10),
        )
    fake_telegram.revoke_token()
    async with telegram_service(db, fake_telegram, ready=False) as service:
        await wait_until(lambda: refused_get_me(fake_telegram) >= 3)
        assert not service.channel.webhook_set
        assert (await service.health())["channels"]["telegram"]["error"] == "token rejected (401)"
        fake_telegram.restore_token()
        await wait_until(lambda: service.channel.webhook_set)
        await wait_until(lambda: fake_telegram.sent_texts(SITI) == ["Laporan Mei 2026 belum kami terima."])
        await wait_until_sent(db)


async def test_polling_stops_on_a_401_and_goes_on_when_the_token_works(
    db: Database, fake_telegram: FakeTelegram
) -> None:
    async with telegram_service(db, fake_telegram, webhook=False) as service:
        fake_telegram.revoke_token()
        await wait_until(lambda: service.channel.breaker.is_open)
        await wait_until(lambda: refused_get_me(fake_telegram) >= 2)
        polls = len(fake_telegram.calls_to("getUpdates"))
        fake_telegram.queue_update(text_update(1, SITI, "menu"))
        await wait_until(lambda: refused_get_me(fake_telegram) >= 4)
        assert len(fake_telegram.calls_to("getUpdates")) == polls  # no polling meanwhile
        fake_telegram.restore_token()
        await wait_until(lambda: len(fake_telegram.sent_texts(SITI)) == 1)
        assert not service.channel.breaker.is_open


async def test_a_401_on_the_health_check_opens_the_breaker(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telegram_runtime, "PROBE_CACHE_SECONDS", 0.0)  # every /healthz asks getMe
    service.fake.revoke_token()
    telegram = (await service.health())["channels"]["telegram"]
    assert (telegram["ok"], telegram["error"]) == (False, "token rejected (401)")
    assert service.channel.breaker.is_open
    service.fake.restore_token()
    await wait_until(lambda: not service.channel.breaker.is_open)
    assert (await service.health())["channels"]["telegram"]["ok"] is True
