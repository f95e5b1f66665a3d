"""An officer's whole month on Telegram, through the webhook: register, report every figure, get the score."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.forms import Question, load_form
from storage.db import Database
from storage.models import ChannelIdentity, Conversation, OutboxMessage
from tests.channels.test_telegram_webhook import (
    SITI,
    Service,
    invite_code,
    outbox_rows,
    press_update,
    telegram_service,
    text_update,
    wait_until_sent,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import fake_telegram as fake_telegram

QUESTIONS: dict[str, Question] = {q.key: q for q in load_form().questions}
# With 1.000.000 elsewhere the books balance: assets 808 jt = liabilities + equity + risk reserve 808 jt (total
# assets is computed, never asked; a report whose books do not balance cannot be sent).
FIGURES = {"loans_to_members": "800 jt", "voluntary_savings": "795 jt"}


@pytest.fixture
async def service(db: Database, fake_telegram: FakeTelegram) -> AsyncIterator[Service]:
    async with telegram_service(db, fake_telegram) as running:
        yield running


async def conversation_state(db: Database, chat: int) -> tuple[str | None, dict[str, Any]]:
    """(handler, report engine progress) of the chat's conversation."""
    async with db.transaction() as repos:
        stmt = (
            select(Conversation)
            .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
            .where(ChannelIdentity.channel == "telegram", ChannelIdentity.external_id == str(chat))
        )
        conversation = (await repos.session.scalars(stmt)).one()
        return conversation.handler, dict((conversation.progress or {}).get("engine") or {})


def button_titles(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def test_an_officer_reports_a_whole_month_and_gets_the_score_with_its_picture(service: Service) -> None:
    fake = service.fake
    ids = itertools.count(800_000_000)
    code = await invite_code(service.db)
    assert await service.say(text_update(next(ids), SITI, f"/start {code}")) == 200
    assert "KSP Maju Bersama" in fake.sent_texts(SITI)[-1]
    await service.say(press_update(next(ids), SITI, service.last_keyboard_message(SITI), "Isi laporan"))
    assert "Laporan bulanan KSP Maju Bersama" in "\n".join(fake.sent_texts(SITI))

    typed = pressed = 0
    for _ in range(400):
        handler, engine = await conversation_state(service.db, SITI)
        if handler != "lapor":
            break
        keyboard = service.last_keyboard_message(SITI) if engine.get("stage") != "asking" else None
        if engine["stage"] == "summary":
            assert keyboard is not None
            update = press_update(next(ids), SITI, keyboard, "Kirim")
        elif engine["stage"] == "confirm_change":
            assert keyboard is not None
            update = press_update(next(ids), SITI, keyboard, button_titles(keyboard)[0])
        else:
            question = QUESTIONS[engine["current"]]
            if question.kind in ("yesno", "choice"):
                keyboard = service.last_keyboard_message(SITI)
                titles = button_titles(keyboard)
                update = press_update(next(ids), SITI, keyboard, "Ya" if "Ya" in titles else titles[0])
                pressed += 1
            else:
                default = "1.000.000" if question.kind == "amount" else "25"
                update = text_update(next(ids), SITI, FIGURES.get(question.key, default))
                typed += 1
        assert await service.say(update) == 200
    else:
        raise AssertionError("the report never ended")

    assert typed > 20 and pressed > 5
    await wait_until_sent(service.db)  # the delivery worker may have taken a reply before the fast path
    texts = fake.sent_texts(SITI)
    assert any("Terima kasih" in t for t in texts), texts[-4:]
    photos = [c for c in fake.calls_to("sendPhoto") if c.status == 200]
    assert len(photos) == 1, ([c.method for c in fake.calls[-8:]], texts[-3:])
    assert photos[0].files["photo"].data.startswith(b"\x89PNG")
    assert photos[0].params["chat_id"] == SITI
    assert "KSP Maju Bersama" in photos[0].result["caption"]
    answered = {query for query, _ in fake.answered_callbacks}
    assert len(answered) == pressed + 2  # the menu press, every yes/choice, and "Kirim"
    assert all(c.status == 200 for c in fake.calls_to("editMessageText"))
    rows = await outbox_rows(service.db)
    assert {r.status for r in rows} == {"sent"}

    assert await service.say(text_update(next(ids), SITI, "/status")) == 200
    await wait_until_sent(service.db)
    assert len([c for c in fake.calls_to("sendPhoto") if c.status == 200]) == 2
    async with service.db.transaction() as repos:
        pictures = (await repos.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "sent"))).all()
    assert len(pictures) == len(rows) + 2  # the status text and its picture
