"""Office staff see their own command menu in their chat (setMyCommands, chat scope), in the real service."""

from __future__ import annotations

from datetime import timedelta

from bot.channels.telegram.api import staff_commands
from bot.services.invites import create_invite
from handlers import router
from storage.db import Database
from storage.models import utcnow
from tests.channels.test_telegram_webhook import SITI, Service, invite_code, telegram_service, text_update
from tests.channels.test_telegram_webhook import service as service
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_api import fake_telegram as fake_telegram

BUDI = 6234567890  # a pembina at the Dinas
GONE = 6234567891  # a staff chat Telegram no longer knows


async def add_staff(db: Database, name: str, chat: int | None = None) -> int:
    """An office staff member, linked to a Telegram chat when `chat` is given; the staff id."""
    async with db.transaction() as repos:
        staff = await repos.staff.add(name, "pembina")
        if chat is not None:
            identity = await repos.identities.get_or_create("telegram", str(chat))
            identity.staff_id = staff.id
        return staff.id


async def staff_invite(db: Database, staff_id: int) -> str:
    async with db.transaction() as repos:
        code, _invite = await create_invite(
            repos, role="pembina", now=utcnow(), expires_in=timedelta(hours=1), uses=1, staff_id=staff_id
        )
    return code


def menu_of(fake: FakeTelegram, chat: int, lang: str = "") -> list[str] | None:
    commands = fake.commands.get((f"chat:{chat}", lang))
    return None if commands is None else [c["command"] for c in commands]


async def test_linked_staff_chats_get_the_staff_menu_at_start(db: Database, fake_telegram: FakeTelegram) -> None:
    await add_staff(db, "Budi", BUDI)
    await add_staff(db, "Pak Lama", GONE)
    await add_staff(db, "Tanpa Telegram")
    fake_telegram.forget_chat(GONE)  # 400 chat not found: logged, the others still get theirs
    async with telegram_service(db, fake_telegram):
        assert menu_of(fake_telegram, BUDI) == menu_of(fake_telegram, BUDI, "en") == list(staff_commands(router))
        assert fake_telegram.commands[(f"chat:{BUDI}", "")][0]["description"].startswith("Buat jadwal")
        assert fake_telegram.commands[(f"chat:{BUDI}", "en")][0]["description"].startswith("Schedule")
        assert menu_of(fake_telegram, GONE) is None
        assert fake_telegram.commands[("default", "")][0]["command"] == "lapor"  # everyone else: the default


async def test_redeeming_a_staff_invite_gives_the_menu_and_becoming_an_officer_takes_it_away(service: Service) -> None:
    staff_id = await add_staff(service.db, "Budi")
    assert await service.say(text_update(1, BUDI, f"/start {await staff_invite(service.db, staff_id)}")) == 200
    assert menu_of(service.fake, BUDI) == menu_of(service.fake, BUDI, "en") == list(staff_commands(router))
    assert await service.say(text_update(2, BUDI, f"/start {await invite_code(service.db)}")) == 200
    assert menu_of(service.fake, BUDI) is None and menu_of(service.fake, BUDI, "en") is None


async def test_officers_and_wrong_codes_change_no_menu(service: Service) -> None:
    before = len(service.fake.calls_to("setMyCommands"))
    assert await service.say(text_update(1, SITI, "/start SALAH-KODE")) == 200
    assert await service.say(text_update(2, SITI, f"/start {await invite_code(service.db)}")) == 200
    assert len(service.fake.calls_to("setMyCommands")) == before
    assert not service.fake.calls_to("deleteMyCommands")
