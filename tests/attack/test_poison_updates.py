"""Authenticated but malformed updates, and names no database can hold: never a 500 for ever, never a locked-out user.

An update that can never be stored is answered 200 and logged once as ignored (one WARNING, no traceback); a
display name with NUL is cleaned, so its owner is served like anyone else; a database that stays away is a 503.
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.channels.telegram.runtime import SECRET_HEADER, WEBHOOK_PATH
from bot.words import render
from storage.db import Database
from storage.models import ChannelIdentity, InboundMessage, OutboxMessage, utcnow
from tests.channels.test_telegram_webhook import SECRET, Service, fixture, telegram_service, text_update
from tests.channels.test_whatsapp_webhook import APP_SECRET, WaBot, envelope
from tests.conftest import require_postgres
from tests.fakes.graph_api import signed_headers
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.filterwarnings(
    "ignore:Deprecated since version v22.2.*retry_after:telegram.warnings.PTBDeprecationWarning"
)

APOLOGY = render.text("id", "common.fault").split("\n")[0]
SITI = 5123456789
WA_SITI = "6281234567890"


async def count(db: Database, model: type[Any]) -> int:
    async with db.reading() as repos:
        return int((await repos.session.execute(select(func.count()).select_from(model))).scalar_one())


def ignored_once(caplog: pytest.LogCaptureFixture) -> None:
    """Exactly one WARNING saying the update was ignored, and nothing worse, no traceback."""
    ignored = [r for r in caplog.records if r.levelno == logging.WARNING and "ignored" in r.getMessage()]
    assert len(ignored) == 1, [r.getMessage() for r in caplog.records]
    assert "\n" not in ignored[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


# -- a display name no database can hold -----------------------------------------------------------------


async def test_a_telegram_name_with_nul_is_served_and_stored_clean(telegram: Service) -> None:
    update = text_update(1, SITI, "/start")
    update["message"]["from"]["first_name"] = "Si\x00ti\ud800"
    update["message"]["from"]["last_name"] = "R" * 300
    assert await telegram.say(update) == 200
    assert await telegram.say(text_update(2, SITI, "menu")) == 200
    texts = telegram.fake.sent_texts(SITI)
    assert len(texts) >= 2 and not any(APOLOGY in t for t in texts)
    async with telegram.db.reading() as repos:
        identity = (await repos.session.scalars(select(ChannelIdentity))).one()
    assert identity.display_name is not None
    assert identity.display_name.startswith("Siti R") and len(identity.display_name) == 120


async def test_a_whatsapp_profile_name_with_nul_is_served(whatsapp: WaBot) -> None:
    payload = whatsapp.message("text", {"body": "halo\x00"})
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = "\x00Siti\x00"
    assert await whatsapp.post(payload) == 200
    await whatsapp.settle()
    assert await whatsapp.say("menu") == 200
    bodies = json.dumps(whatsapp.fake.messages_to(WA_SITI), ensure_ascii=False)
    assert len(whatsapp.fake.messages_to(WA_SITI)) >= 2 and APOLOGY not in bodies
    async with whatsapp.db.reading() as repos:
        identity = (await repos.session.scalars(select(ChannelIdentity))).one()
    assert identity.display_name == "Siti"


# -- Telegram: malformed updates -------------------------------------------------------------------------


def without_chat() -> dict[str, Any]:
    update = text_update(1, SITI, "halo")
    del update["message"]["chat"]
    return update


def chat_id_text() -> dict[str, Any]:
    update = text_update(1, SITI, "halo")
    update["message"]["chat"]["id"] = "5123456789"
    return update


def text_number() -> dict[str, Any]:
    update = text_update(1, SITI, "halo")
    update["message"]["text"] = 12345
    return update


def migrate_to_text() -> dict[str, Any]:
    update = text_update(1, -100, "")
    del update["message"]["text"]
    update["message"]["chat"]["type"] = "group"
    update["message"]["migrate_to_chat_id"] = "-1001234"
    return update


def huge_update_id() -> dict[str, Any]:
    return text_update(10**200, SITI, "halo")


@pytest.mark.parametrize(
    "make", [without_chat, chat_id_text, text_number, migrate_to_text, huge_update_id], ids=lambda f: f.__name__
)
async def test_a_malformed_telegram_update_is_200_and_ignored_once(
    telegram: Service, caplog: pytest.LogCaptureFixture, make: Any
) -> None:
    caplog.set_level(logging.WARNING)
    assert await telegram.say(make()) == 200
    ignored_once(caplog)
    assert await count(telegram.db, InboundMessage) == 0
    assert await count(telegram.db, OutboxMessage) == 0


async def test_non_string_callback_data_is_answered_not_a_500(
    telegram: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    update = copy.deepcopy(fixture("callback_query"))
    update["callback_query"]["data"] = 7
    assert await telegram.say(update) == 200
    assert [cb for cb, _ in telegram.fake.answered_callbacks] == [update["callback_query"]["id"]]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_telegram_body_nested_too_deep_is_refused_not_a_500(telegram: Service) -> None:
    body = b'{"update_id": 1, "message": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with telegram.http.post(telegram.base + WEBHOOK_PATH, data=body, headers=headers) as response:
        assert response.status == 400


# -- WhatsApp: malformed messages ------------------------------------------------------------------------


def wa_message(whatsapp: WaBot, *, wamid: str, sender: str) -> dict[str, Any]:
    message = {"id": wamid, "timestamp": str(int(utcnow().timestamp())), "type": "text", "text": {"body": "halo"}}
    message["from"] = sender
    contact = {"wa_id": sender, "profile": {"name": "Siti"}}
    whatsapp.fake.user_wrote(sender)
    return envelope(whatsapp.fake.phone_number_id, messages=[message], contacts=[contact])


@pytest.mark.parametrize(
    ("wamid", "sender"),
    [("wamid." + "A" * 123, WA_SITI), ("wamid.OK", "6" * 65), ("wamid.\x00", WA_SITI)],
    ids=["id over 128", "sender over 64", "id with NUL"],
)
async def test_a_whatsapp_message_that_cannot_be_stored_is_200_and_ignored_once(
    whatsapp: WaBot, caplog: pytest.LogCaptureFixture, wamid: str, sender: str
) -> None:
    caplog.set_level(logging.WARNING)
    assert await whatsapp.post(wa_message(whatsapp, wamid=wamid, sender=sender)) == 200
    await whatsapp.settle()
    ignored_once(caplog)
    assert await count(whatsapp.db, InboundMessage) == 0
    assert whatsapp.fake.calls == []


async def test_the_longest_storable_whatsapp_ids_are_handled(whatsapp: WaBot) -> None:
    assert await whatsapp.post(wa_message(whatsapp, wamid="w" * 128, sender="6" * 64)) == 200
    await whatsapp.settle()
    assert await count(whatsapp.db, InboundMessage) == 1
    assert len(whatsapp.fake.messages_to("6" * 64)) >= 1


async def test_a_status_with_an_unstorable_id_is_skipped(whatsapp: WaBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    status = {"id": "wamid.\x00" + "x" * 200, "status": "delivered", "timestamp": "1", "recipient_id": "\x00"}
    assert await whatsapp.post(envelope(whatsapp.fake.phone_number_id, statuses=[status])) == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_signed_whatsapp_body_nested_too_deep_is_refused_not_a_500(whatsapp: WaBot) -> None:
    raw = b"[" * 50_000 + b"]" * 50_000
    assert await whatsapp.post_raw(raw, signed_headers(raw, APP_SECRET)) == 400


# -- a database that stays away ----------------------------------------------------------------------------


async def test_a_database_that_stays_away_is_a_503_so_the_platform_sends_again(
    fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL on a port nobody listens on (an SQLite file does not go away)."""
    require_postgres()
    unreachable = Database("postgresql+asyncpg://postgres@127.0.0.1:9/test")
    caplog.set_level(logging.WARNING)
    async with telegram_service(unreachable, fake_telegram) as service:
        status = await service.say(text_update(1, SITI, "halo"))
    assert not fake_telegram.calls_to("sendMessage")
    edge = [r for r in caplog.records if r.name == "bot.channels.telegram.runtime" and "update 1" in r.getMessage()]
    assert (status, [(r.levelno, r.getMessage(), r.exc_info) for r in edge]) == (
        503,
        [(logging.WARNING, edge[0].getMessage(), None)],
    )
    assert "the database is away" in edge[0].getMessage()
    await unreachable.dispose()
