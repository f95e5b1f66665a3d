"""TelegramSender against the fake Telegram API: shapes of the calls and outcomes for every error class."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot
from telegram.error import InvalidToken

from bot.channels.telegram.api import (
    OFFICER_COMMANDS,
    clear_staff_commands,
    make_bot,
    menu,
    redact,
    set_commands,
    set_staff_commands,
    staff_commands,
)
from bot.channels.telegram.errors import HELD_ERROR, HOLD_SECONDS
from bot.channels.telegram.outbound import TelegramSender
from bot.channels.textsplit import utf16_len
from bot.chat.messages import Address, Attachment, Choice, Pressed, Reply
from bot.delivery.senders import ChannelSender, SendOutcome
from bot.logs import RedactingFilter
from bot.services.files import PlatformIds
from bot.words.attachments import MediaKey
from bot.words.render import Lang
from handlers import route_for_text, router
from storage.db import Database
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import fake_telegram as fake_telegram

# PTB 22 builds RetryAfter through a deprecated int property; nothing of ours reads it that way.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Deprecated since version v22.2.*retry_after:telegram.warnings.PTBDeprecationWarning"
)

CHAT = 5123456789
SITI = Address(channel="telegram", user_id=str(CHAT))
GROUP = -4012345678  # a cooperative's group chat
SUPERGROUP = -1004012345678
KELOMPOK = Address(channel="telegram", user_id=str(GROUP))
FIXTURES = Path(__file__).parents[1] / "fixtures" / "telegram"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make_test_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    return make_bot(
        token or fake.token,
        fake.url,
        connect_timeout=1.0,
        read_timeout=0.5,
        write_timeout=1.0,
        media_write_timeout=1.0,
        pool_timeout=1.0,
    )


@pytest.fixture
async def tg_bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_test_bot(fake_telegram) as bot:
        yield bot


@pytest.fixture
def sender(tg_bot: Bot) -> TelegramSender:
    return TelegramSender(tg_bot, chunk_interval=0)


def keyboard_of(call_params: dict[str, Any]) -> list[list[dict[str, Any]]]:
    markup = call_params.get("reply_markup") or {}
    rows: list[list[dict[str, Any]]] = markup.get("inline_keyboard", [])
    return rows


def test_sender_satisfies_the_protocol(sender: TelegramSender) -> None:
    channel: ChannelSender = sender
    assert channel is sender


async def test_plain_text(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    outcome = await sender.send(SITI, Reply("Halo Bu Siti. Laporan Oktober 2026 sudah dibuka."))
    (call,) = fake_telegram.calls_to("sendMessage")
    assert outcome == SendOutcome("sent", provider_message_ids=(str(call.result["message_id"]),))
    assert call.params["parse_mode"] == "HTML"
    assert call.params["chat_id"] == CHAT
    assert "reply_markup" not in call.params
    assert fake_telegram.sent_texts(CHAT) == ["Halo Bu Siti. Laporan Oktober 2026 sudah dibuka."]


async def test_all_text_is_escaped_so_html_never_breaks(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    outcome = await sender.send(SITI, Reply('<b>& 5 < 7 > 3 "kutip"</b>'))
    assert outcome.status == "sent"
    assert fake_telegram.calls_to("sendMessage")[0].params["text"] == (
        '&lt;b&gt;&amp; 5 &lt; 7 &gt; 3 "kutip"&lt;/b&gt;'
    )
    assert fake_telegram.sent_texts(CHAT) == ['<b>& 5 < 7 > 3 "kutip"</b>']


async def test_inline_keyboard_shape_and_callback_size(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    long_id = "q" * 48
    reply = Reply(
        "Mulai laporan sekarang?",
        choices=(
            Choice("mulai", "Mulai"),
            Choice("nanti", "Nanti saja"),
            Choice(long_id, "Ingatkan saya besok pagi"),
            Choice("batal", "Batal"),
        ),
    )
    assert (await sender.send(SITI, reply)).status == "sent"
    rows = keyboard_of(fake_telegram.calls_to("sendMessage")[0].params)
    assert [[b["text"] for b in row] for row in rows] == [
        ["Mulai", "Nanti saja"],
        ["Ingatkan saya besok pagi"],
        ["Batal"],
    ]
    datas = [b["callback_data"] for row in rows for b in row]
    assert datas == ["v1:mulai", "v1:nanti", f"v1:{long_id}", "v1:batal"]
    assert all(len(d.encode()) <= 64 for d in datas)


async def test_long_text_arrives_in_order_with_keyboard_on_last_chunk(
    sender: TelegramSender, fake_telegram: FakeTelegram
) -> None:
    paragraphs = [f"Paragraf {i:02d}. " + ("Isi laporan koperasi 😀 " * 12).strip() for i in range(32)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 9000
    outcome = await sender.send(SITI, Reply(text, choices=(Choice("ok", "Oke"),)))
    calls = fake_telegram.calls_to("sendMessage")
    assert outcome.status == "sent"
    assert len(calls) == len(outcome.provider_message_ids) >= 3
    texts = fake_telegram.sent_texts(CHAT)
    assert all(utf16_len(t) <= 4096 for t in texts)
    assert "".join("".join(t.split()) for t in texts) == "".join(text.split())
    assert all(any(p in t for t in texts) for p in paragraphs)  # paragraphs are never cut
    assert [bool(keyboard_of(c.params)) for c in calls] == [False] * (len(calls) - 1) + [True]


async def test_photo_with_caption(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    chart = Attachment("photo", "kesehatan-2026-10.png", "image/png", PNG, caption="Radar tujuh aspek <2026>")
    outcome = await sender.send(SITI, Reply("", attachment=chart))
    (call,) = fake_telegram.calls_to("sendPhoto")
    assert outcome == SendOutcome("sent", (str(call.result["message_id"]),))
    assert call.files["photo"].data == PNG
    assert call.files["photo"].filename == "kesehatan-2026-10.png"
    assert call.params["caption"] == "Radar tujuh aspek &lt;2026&gt;"
    assert fake_telegram.calls_to("sendMessage") == []


async def test_a_stored_picture_is_uploaded_once_and_a_send_by_its_file_id_that_fails_otherwise_uploads_nothing(
    tg_bot: Bot, fake_telegram: FakeTelegram, db: Database
) -> None:
    async with db.transaction() as repos:
        file_id = await repos.files.store("poster.png", "image/png", PNG)
    sender = TelegramSender(tg_bot, chunk_interval=0, media=PlatformIds(db))
    poster = Attachment("photo", "poster.png", "image/png", PNG, caption="Poster RAT", file_id=file_id)
    chart = Attachment("photo", "radar.png", "image/png", PNG)  # drawn for one person: no file id to keep
    for chat in (CHAT, CHAT + 1):
        assert (await sender.send(Address("telegram", str(chat)), Reply("", attachment=poster))).status == "sent"
        assert (await sender.send(Address("telegram", str(chat)), Reply("", attachment=chart))).status == "sent"
    poster_upload, chart_upload, second_chart_upload = fake_telegram.uploads()
    assert chart_upload.files["photo"].filename == second_chart_upload.files["photo"].filename == "radar.png"
    largest = poster_upload.result["photo"][-1]["file_id"]
    by_id = [call for call in fake_telegram.calls_to("sendPhoto") if not call.files]
    assert [(call.params["photo"], call.params["chat_id"]) for call in by_id] == [(largest, CHAT + 1)]
    fake_telegram.block_chat(CHAT + 2)
    outcome = await sender.send(Address("telegram", str(CHAT + 2)), Reply("", attachment=poster))
    assert outcome.status == "unreachable" and len(fake_telegram.uploads()) == 3, "no upload for a blocked chat"
    assert await PlatformIds(db).known(MediaKey("telegram", str(tg_bot.id), file_id, "photo")) == largest


async def test_long_caption_is_cut_and_the_rest_follows(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    caption = "\n\n".join(f"Aspek {i}: " + "penjelasan singkat " * 10 for i in range(10))
    assert len(caption) > 1024
    chart = Attachment("photo", "radar.png", "image/png", PNG, caption=caption)
    reply = Reply("Langkah berikutnya: klinik koperasi.", attachment=chart, choices=(Choice("daftar", "Daftar"),))
    outcome = await sender.send(SITI, reply)
    assert outcome.status == "sent"
    assert [c.method for c in fake_telegram.calls] == ["getMe", "sendPhoto", "sendMessage", "sendMessage"]
    photo = fake_telegram.calls_to("sendPhoto")[0]
    assert utf16_len(photo.params["caption"]) <= 1024
    texts = fake_telegram.sent_texts(CHAT)
    assert "".join("".join(t.split()) for t in texts[:2]) == "".join(caption.split())
    assert texts[2] == "Langkah berikutnya: klinik koperasi."
    assert keyboard_of(fake_telegram.calls_to("sendMessage")[-1].params)
    assert "reply_markup" not in photo.params


async def test_document(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    report = Attachment("document", "laporan-2026-10.pdf", "application/pdf", b"%PDF-1.7 ...", caption="Laporan")
    outcome = await sender.send(SITI, Reply("", attachment=report))
    (call,) = fake_telegram.calls_to("sendDocument")
    assert outcome.status == "sent"
    assert call.files["document"].filename == "laporan-2026-10.pdf"
    assert call.result["document"]["file_name"] == "laporan-2026-10.pdf"


async def test_press_edits_the_question_to_show_the_answer(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    question = Reply("Jenis koperasi Anda?", choices=(Choice("ksp", "KSP"), Choice("ksu", "KSU")))
    asked = await sender.send(SITI, question)
    (question_id,) = asked.provider_message_ids
    outcome = await sender.send(SITI, Reply("Berapa jumlah anggota?", confirms="KSP", answers=Pressed(question_id)))
    assert outcome.status == "sent"
    (edit,) = fake_telegram.calls_to("editMessageText")
    assert edit.params["message_id"] == int(question_id)
    assert "reply_markup" not in edit.params
    stored = fake_telegram.messages[(CHAT, int(question_id))]
    assert stored["text"] == "Jenis koperasi Anda? ✅ KSP"
    assert "reply_markup" not in stored
    assert fake_telegram.sent_texts(CHAT)[-1] == "Berapa jumlah anggota?"


async def test_press_on_a_question_this_process_did_not_send(tg_bot: Bot, fake_telegram: FakeTelegram) -> None:
    first = TelegramSender(tg_bot, chunk_interval=0)
    asked = await first.send(SITI, Reply("Lanjutkan?", choices=(Choice("ya", "Ya"),)))
    other = TelegramSender(tg_bot, chunk_interval=0)  # e.g. after a restart: question text unknown
    outcome = await other.send(
        SITI, Reply("Baik, kita lanjut.", confirms="Ya", answers=Pressed(asked.provider_message_ids[0]))
    )
    assert outcome.status == "sent"
    assert fake_telegram.calls_to("editMessageReplyMarkup")[0].status == 200
    assert fake_telegram.sent_texts(CHAT)[-1] == "✅ Ya\n\nBaik, kita lanjut."


async def test_remembered_question_from_the_inbound_side(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    asked = await TelegramSender(sender._bot, chunk_interval=0).send(
        SITI, Reply("Lanjutkan?", choices=(Choice("ya", "Ya"),))
    )
    sender.remember_question(CHAT, asked.provider_message_ids[0], "Lanjutkan?")
    await sender.send(SITI, Reply("Baik.", confirms="Ya", answers=Pressed(asked.provider_message_ids[0])))
    assert fake_telegram.messages[(CHAT, int(asked.provider_message_ids[0]))]["text"] == "Lanjutkan? ✅ Ya"


async def test_edit_not_modified_is_ignored(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    asked = await sender.send(SITI, Reply("Kirim?", choices=(Choice("kirim", "Kirim"),)))
    fake_telegram.fail_next(
        "editMessageText", description="Bad Request: message is not modified: specified new message content"
    )
    outcome = await sender.send(
        SITI, Reply("Terima kasih.", confirms="Kirim", answers=Pressed(asked.provider_message_ids[0]))
    )
    assert outcome.status == "sent"
    assert fake_telegram.sent_texts(CHAT)[-1] == "Terima kasih."


async def test_retried_press_confirms_once(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    asked = await sender.send(SITI, Reply("Jenis koperasi Anda?", choices=(Choice("ksp", "KSP"),)))
    answer = Reply("Berapa jumlah anggota?", confirms="KSP", answers=Pressed(asked.provider_message_ids[0]))
    fake_telegram.rate_limit_next(1, "sendMessage")
    first = await sender.send(SITI, answer)
    second = await sender.send(SITI, answer)
    assert (first.status, second.status) == ("retry", "sent")
    assert [c.status for c in fake_telegram.calls_to("editMessageText")] == [200, 400]  # not modified
    assert fake_telegram.sent_texts(CHAT)[-1] == "Berapa jumlah anggota?"
    assert fake_telegram.messages[(CHAT, int(asked.provider_message_ids[0]))]["text"] == "Jenis koperasi Anda? ✅ KSP"


async def test_429_is_retry_with_retry_after(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    fake_telegram.rate_limit_next(7, "sendMessage")
    outcome = await sender.send(SITI, Reply("Pengingat laporan"))
    assert outcome.status == "retry"
    assert outcome.retry_after == 7.0
    assert outcome.provider_message_ids == ()
    assert (await sender.send(SITI, Reply("Pengingat laporan"))).status == "sent"


async def test_429_with_timedelta_mode(
    sender: TelegramSender, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake_telegram.rate_limit_next(10072)
    outcome = await sender.send(SITI, Reply("Pengumuman"))
    assert (outcome.status, outcome.retry_after) == ("retry", 10072.0)


async def test_403_blocked_is_unreachable(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    fake_telegram.block_chat(CHAT)
    outcome = await sender.send(SITI, Reply("Halo"))
    assert outcome == SendOutcome("unreachable", error="Forbidden: bot was blocked by the user")


async def test_chat_not_found_is_unreachable(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    fake_telegram.forget_chat(CHAT)
    outcome = await sender.send(SITI, Reply("Halo"))
    assert outcome.status == "unreachable"
    assert outcome.error is not None and "chat not found" in outcome.error.lower()


async def test_500_is_retry(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next(error_code=500)
    outcome = await sender.send(SITI, Reply("Halo"))
    assert outcome.status == "retry"
    assert outcome.retry_after is None


async def test_hang_is_retry_after_a_timeout(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    fake_telegram.hang_next(30, "sendMessage")
    async with asyncio.timeout(5):
        outcome = await sender.send(SITI, Reply("Halo"))
    assert outcome.status == "retry"
    assert outcome.error is not None and "timed out" in outcome.error.lower()


async def test_cant_parse_entities_is_resent_as_plain_text(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("sendMessage", description="Bad Request: can't parse entities: Unsupported start tag")
    outcome = await sender.send(SITI, Reply("Kas & Bank <naik>"))
    first, second = fake_telegram.calls_to("sendMessage")
    assert outcome.status == "sent"
    assert first.params["parse_mode"] == "HTML"
    assert "parse_mode" not in second.params
    assert second.params["text"] == "Kas & Bank <naik>"


async def test_other_bad_request_is_failed_with_reason(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("sendMessage", description="Bad Request: message is too long")
    outcome = await sender.send(SITI, Reply("Halo"))
    assert outcome == SendOutcome("failed", error="Message is too long")


class Moves:
    """Records the sender's `on_moved` calls (what the channel stores)."""

    def __init__(self, fail: bool = False) -> None:
        self.seen: list[tuple[int, int]] = []
        self.fail = fail

    async def __call__(self, old: int, new: int) -> None:
        self.seen.append((old, new))
        if self.fail:
            raise ConnectionError("database went away")


async def test_a_group_that_became_a_supergroup_gets_the_send_there(tg_bot: Bot, fake_telegram: FakeTelegram) -> None:
    moves = Moves()
    sender = TelegramSender(tg_bot, chunk_interval=0, on_moved=moves)
    fake_telegram.migrate_chat(GROUP, SUPERGROUP)
    outcome = await sender.send(KELOMPOK, Reply("Rapat anggota tahunan hari Sabtu."))
    assert outcome.status == "sent"
    assert [(c.params["chat_id"], c.status) for c in fake_telegram.calls_to("sendMessage")] == [
        (GROUP, 400),
        (SUPERGROUP, 200),
    ]
    assert moves.seen == [(GROUP, SUPERGROUP)]
    assert fake_telegram.sent_texts(SUPERGROUP) == ["Rapat anggota tahunan hari Sabtu."]
    assert (await sender.send(KELOMPOK, Reply("Jangan lupa."))).status == "sent"  # straight to the new id
    assert [c.params["chat_id"] for c in fake_telegram.calls_to("sendMessage")][2:] == [SUPERGROUP]
    assert moves.seen == [(GROUP, SUPERGROUP)]


async def test_a_move_in_the_middle_of_a_long_reply_sends_the_rest_there(
    tg_bot: Bot, fake_telegram: FakeTelegram
) -> None:
    sender = TelegramSender(tg_bot, chunk_interval=0, on_moved=Moves())
    error = json.loads((FIXTURES / "errors.json").read_text())["migrated_400"]
    new_id = error["parameters"]["migrate_to_chat_id"]
    fake_telegram.fail_next("sendMessage", description=error["description"], parameters=error["parameters"], after=1)
    outcome = await sender.send(KELOMPOK, Reply("\n\n".join(letter * 3000 for letter in "xyz")))
    assert outcome.status == "sent" and len(outcome.provider_message_ids) == 3
    assert fake_telegram.sent_texts(GROUP) == ["x" * 3000]
    assert fake_telegram.sent_texts(new_id) == ["y" * 3000, "z" * 3000]


async def test_a_press_in_a_group_that_moved_shows_the_answer_in_the_text(
    tg_bot: Bot, fake_telegram: FakeTelegram
) -> None:
    sender = TelegramSender(tg_bot, chunk_interval=0, on_moved=Moves())
    asked = await sender.send(KELOMPOK, Reply("Hadir rapat?", choices=(Choice("ya", "Ya"),)))
    fake_telegram.migrate_chat(GROUP, SUPERGROUP)
    outcome = await sender.send(
        KELOMPOK, Reply("Terima kasih.", confirms="Ya", answers=Pressed(asked.provider_message_ids[0]))
    )
    assert outcome.status == "sent"
    assert fake_telegram.sent_texts(SUPERGROUP) == ["✅ Ya\n\nTerima kasih."]


async def test_the_send_follows_one_move_only(tg_bot: Bot, fake_telegram: FakeTelegram) -> None:
    sender = TelegramSender(tg_bot, chunk_interval=0, on_moved=Moves())
    fake_telegram.migrate_chat(GROUP, SUPERGROUP)
    fake_telegram.migrate_chat(SUPERGROUP, SUPERGROUP - 1)  # cannot happen; the sender must not loop on it
    outcome = await sender.send(KELOMPOK, Reply("Halo"))
    assert outcome == SendOutcome("failed", error=f"chat migrated to supergroup {SUPERGROUP - 1}")
    assert len(fake_telegram.calls_to("sendMessage")) == 2


async def test_a_move_that_cannot_be_stored_is_logged_and_the_message_still_goes(
    tg_bot: Bot, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    moves = Moves(fail=True)
    sender = TelegramSender(tg_bot, chunk_interval=0, on_moved=moves)
    fake_telegram.migrate_chat(GROUP, SUPERGROUP)
    assert (await sender.send(KELOMPOK, Reply("Halo"))).status == "sent"
    assert fake_telegram.sent_texts(SUPERGROUP) == ["Halo"]
    assert any("could not store that chat" in r.getMessage() for r in caplog.records)


# -- a refused token (401) --------------------------------------------------------------------------------


async def test_a_401_opens_the_breaker_and_nothing_more_goes_to_telegram(
    sender: TelegramSender, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake_telegram.revoke_token()
    outcome = await sender.send(SITI, Reply("Halo"))
    assert outcome == SendOutcome("auth_failed", retry_after=HOLD_SECONDS, error=HELD_ERROR)
    assert sender.breaker.reason == "token rejected (401)"
    calls = len(fake_telegram.calls)
    assert await sender.send(SITI, Reply("Halo lagi")) == outcome  # held at once, no call
    assert not await sender.answer_callback("4382910057733112001")
    assert len(fake_telegram.calls) == calls
    ours = [r for r in caplog.records if r.name.startswith("bot.")]
    assert [r.levelno for r in ours] == [logging.ERROR]  # one clear error, nothing per message
    assert "token rejected (401)" in ours[0].getMessage() and "KOPSEHAT_TELEGRAM_TOKEN" in ours[0].getMessage()
    assert fake_telegram.token.split(":", 1)[1] not in ours[0].getMessage()
    fake_telegram.restore_token()
    assert sender.breaker.reset()
    assert (await sender.send(SITI, Reply("Halo"))).status == "sent"


async def test_a_401_mid_reply_holds_the_rest(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("sendMessage", error_code=401, after=1)
    outcome = await sender.send(SITI, Reply("\n\n".join(letter * 3000 for letter in "xy")))
    assert (outcome.status, outcome.error, len(outcome.provider_message_ids)) == ("auth_failed", HELD_ERROR, 1)
    assert sender.breaker.is_open


async def test_a_401_on_answer_callback_opens_the_breaker(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next("answerCallbackQuery", error_code=401)
    assert not await sender.answer_callback("4382910057733112001")
    assert sender.breaker.is_open
    assert (await sender.send(SITI, Reply("Halo"))).status == "auth_failed"
    assert fake_telegram.calls_to("sendMessage") == []


async def test_a_malformed_token_404_is_named_so(fake_telegram: FakeTelegram) -> None:
    async with make_test_bot(fake_telegram) as bot:
        sender = TelegramSender(bot, chunk_interval=0)
        fake_telegram.fail_next("sendMessage", error_code=404, description="Not Found")
        assert (await sender.send(SITI, Reply("Halo"))).status == "auth_failed"
    assert sender.breaker.reason == "token rejected (404)"


async def test_failure_mid_reply_reports_what_was_sent(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    text = "\n\n".join(letter * 3000 for letter in "xyz")
    fake_telegram.fail_next("sendMessage", error_code=502, after=1)
    outcome = await sender.send(SITI, Reply(text))
    assert outcome.status == "retry"
    assert len(outcome.provider_message_ids) == 1
    assert fake_telegram.sent_texts(CHAT) == ["x" * 3000]


async def test_bad_token_is_auth_failed(fake_telegram: FakeTelegram) -> None:
    bot = make_test_bot(fake_telegram, token="987654321:WRONG-token_value")
    with pytest.raises(InvalidToken):
        await bot.initialize()  # opens the HTTP clients, then getMe fails
    try:
        outcome = await TelegramSender(bot, chunk_interval=0).send(SITI, Reply("Halo"))
    finally:
        await bot.shutdown()
    assert outcome.status == "auth_failed"


async def test_not_a_chat_id_is_failed(sender: TelegramSender) -> None:
    outcome = await sender.send(Address("telegram", "siti"), Reply("Halo"))
    assert outcome.status == "failed"


async def test_answer_callback(sender: TelegramSender, fake_telegram: FakeTelegram) -> None:
    assert await sender.answer_callback("4382910057733112001", "Tersimpan: KSP")
    fake_telegram.expire_callback("old-query")
    assert not await sender.answer_callback("old-query", "Tersimpan")
    assert fake_telegram.answered_callbacks == [("4382910057733112001", "Tersimpan: KSP")]
    assert await sender.answer_callback("4382910057733112002", "x" * 500)
    assert fake_telegram.answered_callbacks[-1] == ("4382910057733112002", "x" * 200)


async def test_staff_menu_in_a_chat_scope(tg_bot: Bot, fake_telegram: FakeTelegram) -> None:
    await set_staff_commands(tg_bot, CHAT, staff_commands(router))
    indonesian = fake_telegram.commands[(f"chat:{CHAT}", "")]
    english = fake_telegram.commands[(f"chat:{CHAT}", "en")]
    assert [c["command"] for c in indonesian] == [c["command"] for c in english] == list(staff_commands(router))
    assert {c["command"]: c["description"] for c in indonesian}["rekap"] == "Rekap: siapa yang sudah dan belum melapor"
    assert {c["command"]: c["description"] for c in english}["rekap"] == "Summary: who has reported and who has not"
    assert set(fake_telegram.commands) == {(f"chat:{CHAT}", ""), (f"chat:{CHAT}", "en")}  # the default is untouched
    await clear_staff_commands(tg_bot, CHAT)
    assert fake_telegram.commands == {}


def test_staff_menu_comes_from_the_routes() -> None:
    names = staff_commands(router)
    staff_only = {route.name for route in router if route.audience == "staff"}
    assert staff_only and staff_only <= set(names)  # each staff-only route is a command of its own
    assert {"lapor", "status", "riwayat", "rat"}.isdisjoint(names)  # the officers' own are not offered to staff
    assert [n for n in names if n in OFFICER_COMMANDS] == ["pelatihan", "rencana", "bantuan", "batal", "bahasa", "menu"]
    for name in names:
        route = route_for_text(f"/{name}")
        assert route is not None and route.open_to(staff=True), name


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_menu_command_has_a_valid_description(lang: Lang) -> None:
    for command in menu((*OFFICER_COMMANDS, *staff_commands(router)), lang):
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command.command)
        assert 1 <= len(command.description) <= 256


async def test_set_commands_in_indonesian_and_english(tg_bot: Bot, fake_telegram: FakeTelegram) -> None:
    await set_commands(tg_bot)
    default = fake_telegram.commands[("default", "")]
    assert default == fake_telegram.commands[("default", "id")]
    assert [c["command"] for c in default] == [
        "lapor", "status", "riwayat", "pelatihan", "rat", "rencana", "bantuan", "batal", "bahasa", "menu",
    ]  # fmt: skip
    assert default[0]["description"] == "Isi laporan bulanan koperasi"
    assert fake_telegram.commands[("default", "en")][0]["description"] == "Fill in the monthly report"


def test_redact_removes_tokens() -> None:
    url = "POST http://127.0.0.1:1/bot123456789:TEST-fake_token-AAbbCCdd/sendMessage failed"
    assert redact(url) == "POST http://127.0.0.1:1/bot***/sendMessage failed"


async def test_token_is_never_logged(
    sender: TelegramSender, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    secret = fake_telegram.token.split(":", 1)[1]
    caplog.set_level(logging.DEBUG)
    # What our own code logs and reports never holds the token, even before any redaction.
    outcomes = [await sender.send(SITI, Reply("Halo", choices=(Choice("ya", "Ya"),)))]
    fake_telegram.rate_limit_next(3)
    outcomes.append(await sender.send(SITI, Reply("Halo")))
    fake_telegram.fail_next(description="Bad Request: can't parse entities: x")
    outcomes.append(await sender.send(SITI, Reply("Halo")))
    fake_telegram.hang_next(5)
    outcomes.append(await sender.send(SITI, Reply("Halo")))
    fake_telegram.fail_next(error_code=401)
    outcomes.append(await sender.send(SITI, Reply("Halo")))
    ours = [r for r in caplog.records if r.name.startswith("bot.")]
    assert len(ours) >= 3
    assert all(secret not in r.getMessage() for r in ours)
    assert all(secret not in (o.error or "") for o in outcomes)
    # Nor does the HTTP stack (aiohttp) log the request URLs that hold it; should a library ever log one, the
    # handler filter of bot.logs.setup_logging cleans it:
    assert all(secret not in r.getMessage() for r in caplog.records)
    caplog.clear()
    caplog.handler.addFilter(RedactingFilter(()))
    await sender.send(SITI, Reply("Halo"))
    logging.getLogger("kopsehat.test").error("request to %s/bot%s/getMe", fake_telegram.url, fake_telegram.token)
    assert any("bot***" in r.getMessage() for r in caplog.records)
    assert all(secret not in r.getMessage() for r in caplog.records)
    assert secret not in caplog.text
