"""`masuk` in chat: office staff get a one-time link into the office web app; officers do not."""

from __future__ import annotations

import re

from bot.chat.context import BotInfo
from bot.chat.dispatch import Dispatcher
from bot.services.staff_access import token_hash
from handlers import router
from storage import staff_access
from storage.db import Database
from tests.handlers.chat import NOW, Clock, User, invite, registered


async def test_staff_get_a_login_link_and_officers_do_not(db: Database) -> None:
    d = Dispatcher(db, BotInfo(office_url="https://kantor.example.id"), router, clock=Clock())
    async with db.transaction() as repos:
        staff = await repos.staff.add("Pak Joko", "pembina")
    joko = User(d, "joko")
    await joko.say(f"DAFTAR {await invite(db, None, 'pembina', staff_id=staff.id)}")
    reply = await joko.say("masuk")
    found = re.search(r"https://kantor\.example\.id/kantor/masuk/(\S+)", reply)
    assert found is not None, reply
    assert "hanya sekali pakai" in reply and "WIB" in reply
    async with db.transaction() as repos:
        assert await staff_access.use_link(repos, token_hash(found.group(1)), NOW) == staff.id
    officer = await registered(db, d)
    assert "kantor/masuk" not in await officer.say("masuk")
