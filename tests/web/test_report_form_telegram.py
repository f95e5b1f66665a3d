"""The form on Telegram: a Mini App button, initData checked with the bot token, and the score arriving through the
(fake) Telegram API after the form's *Kirim*."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import AsyncIterator
from datetime import datetime
from urllib.parse import urlencode

import pytest

from bot.chat.context import BotInfo
from bot.chat.dispatch import Dispatcher
from bot.domain.periods import Period
from bot.web.form.telegram import telegram_user
from handlers import router
from storage.db import Database
from tests.channels.test_telegram_webhook import (
    SITI,
    Service,
    invite_code,
    telegram_service,
    text_update,
    wait_until_sent,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import fake_telegram as fake_telegram
from tests.handlers.chat import NOW, Clock, User, add_cooperative, invite
from tests.web.conftest import AiohttpClient
from tests.web.form import LINK, Sent, form_app, form_view, section_fields

TOKEN = "123456789:TEST-fake_token-AAbbCCdd"


def init_data(user_id: int, token: str = TOKEN, at: datetime = NOW, **extra: str) -> str:
    """A Mini App's initData signed as Telegram signs it."""
    fields = {"auth_date": str(int(at.timestamp())), "user": json.dumps({"id": user_id, "first_name": "Siti"}), **extra}
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    return urlencode({**fields, "hash": hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()})


def test_init_data_is_read_only_when_telegram_signed_it_for_this_bot_lately() -> None:
    assert telegram_user(init_data(42), TOKEN, NOW) == "42"
    assert telegram_user(init_data(42, signature="abc"), TOKEN, NOW) == "42"  # a newer client's extra field
    assert telegram_user(init_data(42, token="999:other-bot"), TOKEN, NOW) is None
    assert telegram_user(init_data(42).replace("42", "43"), TOKEN, NOW) is None  # another user
    assert telegram_user(init_data(42, at=NOW.replace(year=2025)), TOKEN, NOW) is None  # stale
    assert telegram_user(init_data(42) + "&hash=00", TOKEN, NOW) is None  # a field twice
    for rubbish in ("", "hash=", "a=b", "%%%", "user=1&hash=" + "0" * 64):
        assert telegram_user(rubbish, TOKEN, NOW) is None


async def test_on_telegram_the_form_is_a_mini_app_and_checks_who_opens_it(
    db: Database, aiohttp_client: AiohttpClient
) -> None:
    d = Dispatcher(db, BotInfo(office_url="https://kopsehat.example.go.id"), router, clock=Clock())
    user = User(d, "5551", channel="telegram")
    await user.say(f"DAFTAR {await invite(db, await add_cooperative(db))}")
    await user.say("formulir")
    [button] = [c for r in user.last for c in r.choices]
    assert button.web_app and button.title == "Buka formulir"
    assert button.url is not None and button.url.startswith("https://kopsehat.example.go.id/formulir/")
    path = button.url.removeprefix("https://kopsehat.example.go.id")
    client = await aiohttp_client(form_app(db, d, Sent(), telegram_token=TOKEN))
    page = await client.get(path)
    assert page.status == 200 and 'class="tg"' in await page.text()
    data = {"bagian": "x", "aksi": "simpan", "cash": "1 jt"}
    assert (await client.post(path, data={**data, "tg": init_data(5551)}, allow_redirects=False)).status == 303
    assert (await client.post(path, data=data, allow_redirects=False)).status == 303  # no initData: the link alone
    for wrong in (init_data(7777), init_data(5551, token="999:other-bot"), "user=1"):
        refused = await client.post(path, data={**data, "tg": wrong}, allow_redirects=False)
        assert refused.status == 403 and "Tautan tidak berlaku" in await refused.text()


@pytest.fixture
async def service(db: Database, fake_telegram: FakeTelegram) -> AsyncIterator[Service]:
    async with telegram_service(db, fake_telegram) as running:
        yield running


async def test_kirim_in_the_form_brings_the_score_to_telegram(service: Service) -> None:
    fake = service.fake
    ids = itertools.count(900_000_000)
    assert await service.say(text_update(next(ids), SITI, f"/start {await invite_code(service.db)}")) == 200
    assert await service.say(text_update(next(ids), SITI, "formulir")) == 200
    message = next(
        m for (c, _), m in sorted(fake.messages.items(), reverse=True) if c == SITI and m.get("reply_markup")
    )
    [[button]] = message["reply_markup"]["inline_keyboard"]
    url = button["web_app"]["url"]
    found = LINK.search(url)
    assert found is not None
    path = found.group(1)
    period_text = path.rsplit("/", 1)[1].split(".")[2]
    cooperative = int(path.rsplit("/", 1)[1].split(".")[1])
    view = await form_view(service.db, cooperative, Period(int(period_text[:4]), int(period_text[4:])))
    fields = {k: v for _, screen in section_fields(view) for k, v in screen.items()}
    payload = [("bagian", "ringkasan"), ("aksi", "kirim"), *fields.items()]
    async with service.http.post(service.base + path, data=payload) as response:
        assert response.status == 200 and "Laporan terkirim" in await response.text()
    await wait_until_sent(service.db)
    texts = fake.sent_texts(SITI)
    assert any("Terima kasih, laporan" in t for t in texts), texts[-3:]
    photos = [c for c in fake.calls_to("sendPhoto") if c.status == 200]
    assert len(photos) == 1 and photos[0].params["chat_id"] == SITI
    assert photos[0].files["photo"].data.startswith(b"\x89PNG")
