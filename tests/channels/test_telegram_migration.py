"""A group that became a supergroup, in the real service: replies follow it, and so do its identity and outbox rows."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.chat.messages import Reply
from storage.db import Database
from storage.models import ChannelIdentity, utcnow
from tests.channels.test_telegram_webhook import Service, fixture, identity_of, invite_code, outbox_rows
from tests.channels.test_telegram_webhook import service as service
from tests.fakes.telegram_api import fake_telegram as fake_telegram

GROUP = -4012345678  # the board of KSP Maju Bersama talks to the bot in a group
SUPERGROUP = -1004012345678


def group_update(update_id: int, chat: int, **content: Any) -> dict[str, Any]:
    """A message from Siti (no username) in a group chat: text, or a service message such as a migration."""
    update = copy.deepcopy(fixture("text"))
    update["update_id"] = update_id
    message = update["message"]
    message["message_id"] = update_id
    del message["from"]["username"], message["text"]
    message["chat"] = {"id": chat, "type": "supergroup" if str(chat).startswith("-100") else "group", "title": "KSP"}
    message.update(content)
    return update


async def registered_group(service: Service) -> ChannelIdentity:
    """The group registered for the cooperative with an invitation (as an officer's chat)."""
    code = await invite_code(service.db)
    assert await service.say(group_update(1, GROUP, text=f"/start {code}")) == 200
    assert "KSP Maju Bersama" in service.fake.sent_texts(GROUP)[0]
    return await identity_of(service.db, GROUP)


async def identities(db: Database) -> list[tuple[str, int | None]]:
    async with db.transaction() as repos:
        rows = (await repos.session.scalars(select(ChannelIdentity).order_by(ChannelIdentity.id))).all()
        return [(i.external_id, i.officer_id) for i in rows]


async def test_a_reply_to_a_group_that_became_a_supergroup_goes_there_and_the_chat_moves(service: Service) -> None:
    group = await registered_group(service)
    service.fake.migrate_chat(GROUP, SUPERGROUP)
    assert await service.say(group_update(2, GROUP, text="status")) == 200
    status_reply = service.fake.sent_texts(SUPERGROUP)
    assert len(status_reply) == 1
    assert [c.status for c in service.fake.calls_to("sendMessage")][-2:] == [400, 200]
    assert await identities(service.db) == [(str(SUPERGROUP), group.officer_id)]
    rows = await outbox_rows(service.db)
    assert [(r.recipient, r.status) for r in rows] == [(str(GROUP), "sent"), (str(SUPERGROUP), "sent")]
    # The supergroup is the same registered chat: the same answer, no "who are you?"
    assert await service.say(group_update(3, SUPERGROUP, text="status")) == 200
    assert service.fake.sent_texts(SUPERGROUP) == status_reply * 2
    assert await identities(service.db) == [(str(SUPERGROUP), group.officer_id)]


@pytest.mark.parametrize("notice", ["old group: migrate_to_chat_id", "new supergroup: migrate_from_chat_id"])
async def test_the_migration_notice_moves_the_chat_and_its_waiting_messages(service: Service, notice: str) -> None:
    group = await registered_group(service)
    async with service.db.transaction() as repos:  # a reminder that waits for the morning
        await repos.outbox.enqueue(
            dedupe_key="notice:1",
            channel="telegram",
            recipient=str(GROUP),
            identity_id=group.id,
            kind="reply",
            payload=Reply("Laporan Mei 2026 belum kami terima.").to_json(),
            next_attempt_at=utcnow() + timedelta(hours=8),
        )
    if notice.startswith("old"):
        update = group_update(2, GROUP, migrate_to_chat_id=SUPERGROUP)
    else:
        update = group_update(2, SUPERGROUP, migrate_from_chat_id=GROUP)
    sent = len(service.fake.calls_to("sendMessage"))
    assert await service.say(update) == 200
    assert await service.say(update) == 200  # Telegram sends it again: nothing changes
    assert len(service.fake.calls_to("sendMessage")) == sent  # a notice of Telegram's: no reply
    assert await identities(service.db) == [(str(SUPERGROUP), group.officer_id)]
    welcome, reminder = await outbox_rows(service.db)
    assert (welcome.recipient, welcome.status) == (str(GROUP), "sent")  # history stays as it was
    assert (reminder.recipient, reminder.status) == (str(SUPERGROUP), "pending")


async def test_when_the_supergroup_wrote_first_both_identities_stay(
    service: Service,
) -> None:
    group = await registered_group(service)
    assert await service.say(group_update(2, SUPERGROUP, text="halo")) == 200  # a stranger chat so far
    service.fake.migrate_chat(GROUP, SUPERGROUP)
    assert await service.say(group_update(3, GROUP, migrate_to_chat_id=SUPERGROUP)) == 200
    assert await identities(service.db) == [(str(GROUP), group.officer_id), (str(SUPERGROUP), None)]
