"""Issue 13.1 and 13.4 through the real edges: a Telegram callback (`v1:...`) and a WhatsApp interactive reply id
carry a forged button; the answer is "tombol ini sudah tidak berlaku", never the apology, and the log has no ERROR
and no traceback. An officer outside a training's segment who presses its Daftar on either platform takes no seat.
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.services import segments, trainings
from bot.services.invites import create_invite
from storage.db import Database
from storage.models import utcnow
from tests.attack.test_poison_updates import WA_SITI
from tests.channels.test_telegram_webhook import Service, fixture, text_update
from tests.channels.test_whatsapp_webhook import WaBot

pytestmark = pytest.mark.filterwarnings(
    "ignore:Deprecated since version v22.2.*retry_after:telegram.warnings.PTBDeprecationWarning"
)

STALE = "tombol ini sudah tidak berlaku"
APOLOGY = "ada gangguan di sistem kami"
SITI, ADMIN = 5123456789, 5987654321
USERNAMES = {SITI: "siti_ksp", ADMIN: "admin_dinas"}  # a username is a second id of the chat: one each


async def officer_code(db: Database, *, role: str = "bendahara", staff: str | None = None) -> str:
    """An invitation: for the bendahara of a KSP in the kecamatan Sukun, or (`staff`) for office staff."""
    async with db.transaction() as repos:
        staff_id, cooperative_id = None, None
        if staff is not None:
            staff_id = (await repos.staff.add("Petugas", staff)).id
        else:
            sukun = await repos.regions.get_or_create("kecamatan", "Sukun")
            values = {"name": "KSP Sukun Jaya", "nik": "3576010002", "type": "ksp", "kecamatan_id": sukun.id}
            cooperative_id = (await repos.cooperatives.upsert(values))[0].id
        code, _ = await create_invite(
            repos,
            role=staff or role,
            now=utcnow(),
            expires_in=timedelta(hours=1),
            uses=1,
            cooperative_id=cooperative_id,
            staff_id=staff_id,
        )
    return code


async def training_elsewhere(db: Database) -> int:
    """A training for the kecamatan Lowokwaru only, with one seat."""
    async with db.transaction() as repos:
        lowokwaru = await repos.regions.get_or_create("kecamatan", "Lowokwaru")
        start = utcnow() + timedelta(days=7)
        plan = trainings.TrainingPlan(
            "Klinik Lowokwaru",
            "klinik",
            start,
            start + timedelta(hours=3),
            segments.parse("all", scope_kecamatan_id=lowokwaru.id),
            "Aula",
            capacity=1,
        )
        training, _, _ = await trainings.create(repos, plan, staff_id=None, now=utcnow(), zone=ZoneInfo("Asia/Jakarta"))
        return training.id


def callback(update_id: int, chat: int, data: str) -> dict[str, Any]:
    """A press on a keyboard of an earlier message, with this callback data."""
    update = copy.deepcopy(fixture("callback_query"))
    update["update_id"] = update_id
    query = update["callback_query"]
    query["id"] = f"cbq-{update_id}"
    query["from"]["id"] = query["message"]["chat"]["id"] = chat
    query["from"]["username"] = query["message"]["chat"]["username"] = USERNAMES[chat]
    query["data"] = data
    return update


def clean_log(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_forged_telegram_callbacks(telegram: Service, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    training_id = await training_elsewhere(telegram.db)
    assert await telegram.say(text_update(1, SITI, f"/start {await officer_code(telegram.db)}")) == 200
    admin_start = text_update(2, ADMIN, f"/start {await officer_code(telegram.db, staff='admin')}")
    admin_start["message"]["from"]["username"] = admin_start["message"]["chat"]["username"] = USERNAMES[ADMIN]
    assert await telegram.say(admin_start) == 200
    presses = [
        (ADMIN, "v1:rekap:kirim:2026-13"),
        (SITI, "v1:pelatihan:daftar:99999999999999999999"),
        (SITI, "v1:pelatihan:daftar:-3"),
        (ADMIN, "v1:umumkan:status:1x"),
    ]
    for number, (chat, data) in enumerate(presses, start=10):
        assert await telegram.say(callback(number, chat, data)) == 200
        assert STALE in telegram.fake.sent_texts(chat)[-1], data
    assert await telegram.say(callback(20, SITI, f"v1:pelatihan:daftar:{training_id}")) == 200
    assert "tidak untuk koperasi Bapak/Ibu" in telegram.fake.sent_texts(SITI)[-1]
    assert not any(APOLOGY in text for chat in (SITI, ADMIN) for text in telegram.fake.sent_texts(chat))
    clean_log(caplog)
    async with telegram.db.reading() as repos:
        assert await repos.trainings.registrations(training_id) == []


async def test_forged_whatsapp_reply_ids(whatsapp: WaBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    training_id = await training_elsewhere(whatsapp.db)
    assert await whatsapp.say(f"DAFTAR {await officer_code(whatsapp.db)}") == 200
    for forged in ("pelatihan:daftar:99999999999999999999", "rekap:kirim:2026-13", "v1:pelatihan:daftar:1"):
        assert await whatsapp.press(forged, "Daftar") == 200
        assert STALE in json.dumps(whatsapp.fake.messages_to(WA_SITI)[-1], ensure_ascii=False), forged
    assert await whatsapp.press(f"pelatihan:daftar:{training_id}", "Daftar", kind="list_reply") == 200
    assert "tidak untuk koperasi Bapak/Ibu" in json.dumps(whatsapp.fake.messages_to(WA_SITI)[-1], ensure_ascii=False)
    assert APOLOGY not in json.dumps(whatsapp.fake.messages_to(WA_SITI), ensure_ascii=False)
    clean_log(caplog)
    async with whatsapp.db.reading() as repos:
        assert await repos.trainings.registrations(training_id) == []
