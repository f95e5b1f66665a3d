"""The fake Telegram API behaves like the real one where the bot depends on it (platforms.md §4.2)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Conflict, InvalidToken

from bot.channels.telegram.api import make_bot, update_to_inbound
from tests.fakes.telegram_api import ApiError, FakeTelegram, visible_text
from tests.fakes.telegram_api import fake_telegram as fake_telegram

FIXTURES = Path(__file__).parent.parent / "fixtures" / "telegram"


@pytest.fixture
async def tg_bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(fake_telegram.token, fake_telegram.url, read_timeout=1.0) as bot:
        yield bot


async def test_get_me_and_unknown_token(tg_bot: Bot, fake_telegram: FakeTelegram) -> None:
    assert tg_bot.username == "kopsehat_test_bot"
    stranger = make_bot("42:NOT-the-token", fake_telegram.url)
    with pytest.raises(InvalidToken):
        await stranger.initialize()
    await stranger.shutdown()
    assert fake_telegram.calls[-1].status == 401


async def test_get_updates_honours_offset_and_timeout(tg_bot: Bot, fake_telegram: FakeTelegram) -> None:
    text = json.loads((FIXTURES / "text.json").read_text(encoding="utf-8"))
    first = fake_telegram.queue_update(text)
    second = fake_telegram.queue_update({k: v for k, v in text.items() if k != "update_id"})
    assert second == first + 1
    updates = await tg_bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [first, second]
    assert [u.update_id for u in await tg_bot.get_updates(offset=second, timeout=1)] == [second]
    assert await tg_bot.get_updates(offset=second + 1, timeout=1) == ()
    assert fake_telegram.calls_to("getUpdates")[-1].params["offset"] == second + 1


async def test_polled_update_parses(tg_bot: Bot, fake_telegram: FakeTelegram) -> None:
    raw = json.loads((FIXTURES / "callback_query.json").read_text(encoding="utf-8"))
    fake_telegram.queue_update(raw)
    (update,) = await tg_bot.get_updates(timeout=1)
    assert update.update_id == raw["update_id"]
    parsed = update_to_inbound(update, datetime(2026, 11, 9, tzinfo=UTC))
    assert parsed is not None and parsed.inbound.choice == "ksp"


async def test_webhook_blocks_get_updates(tg_bot: Bot, fake_telegram: FakeTelegram) -> None:
    await tg_bot.set_webhook(
        "https://bot.dinaskop.example.go.id/telegram/webhook",
        secret_token="k3Y_9fR2-xQ",
        allowed_updates=["message", "callback_query", "my_chat_member"],
        max_connections=10,
    )
    info = await tg_bot.get_webhook_info()
    assert info.url == "https://bot.dinaskop.example.go.id/telegram/webhook"
    assert fake_telegram.webhook is not None and fake_telegram.webhook["secret_token"] == "k3Y_9fR2-xQ"
    with pytest.raises(Conflict):
        await tg_bot.get_updates()
    await tg_bot.delete_webhook()
    assert await tg_bot.get_updates() == ()


async def test_get_file_and_download(tg_bot: Bot) -> None:
    sent = await tg_bot.send_document(7, InputFile(b"a;b\n1;2\n", filename="neraca.csv"))
    assert sent.document is not None
    again = await tg_bot.send_document(7, sent.document.file_id)  # reuse by file_id, no upload
    assert again.document is not None and again.document.file_id == sent.document.file_id
    file = await tg_bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a;b\n1;2\n"


async def test_fake_refuses_long_callback_data_and_broken_html(tg_bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="v1:" + "x" * 62)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await tg_bot.send_message(7, "pilih", reply_markup=markup)
    with pytest.raises(BadRequest, match="parse entities"):
        await tg_bot.send_message(7, "<b>& x", parse_mode="HTML")
    with pytest.raises(BadRequest, match="too long"):
        await tg_bot.send_message(7, "x" * 4097)


async def test_fake_accepts_json_bodies(fake_telegram: FakeTelegram) -> None:
    url = f"{fake_telegram.url}/bot{fake_telegram.token}/sendMessage"
    async with aiohttp.ClientSession() as session, session.post(url, json={"chat_id": 9, "text": "hai"}) as resp:
        body: dict[str, Any] = await resp.json()
    assert body["ok"] is True and body["result"]["text"] == "hai"
    assert fake_telegram.sent_texts(9) == ["hai"]


@pytest.mark.parametrize(
    ("markup", "seen"),
    [("<b>Kas</b> &amp; Bank", "Kas & Bank"), ("a &lt; b", "a < b"), ('<a href="https://x.id">x</a>', "x")],
)
def test_visible_text(markup: str, seen: str) -> None:
    assert visible_text(markup, "HTML") == seen


@pytest.mark.parametrize("markup", ["<b>x", "x</b>", "<x>y</x>", "a & b", "a > b", "<b><i>x</b></i>"])
def test_visible_text_refuses(markup: str) -> None:
    with pytest.raises(ApiError, match="parse entities"):
        visible_text(markup, "HTML")
