"""Queries for the chat channels' housekeeping (moved chats, held messages, staff chats), beside the repositories."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from storage.models import ChannelIdentity, OutboxMessage
from storage.repositories import Repositories

WAITING = ("pending", "sending", "waiting")  # outbox states of a message that has not gone yet


async def staff_external_ids(repos: Repositories, channel: str) -> list[str]:
    """The chats on `channel` linked to an office staff member, oldest first."""
    stmt = (
        select(ChannelIdentity.external_id)
        .where(ChannelIdentity.channel == channel, ChannelIdentity.staff_id.is_not(None))
        .order_by(ChannelIdentity.id)
    )
    return list((await repos.session.scalars(stmt)).all())


async def is_staff_chat(repos: Repositories, channel: str, external_id: str) -> bool:
    """Whether this chat is linked to an office staff member."""
    stmt = select(ChannelIdentity.staff_id).where(
        ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
    )
    return (await repos.session.scalar(stmt)) is not None


async def move_chat(repos: Repositories, channel: str, old: str, new: str) -> tuple[bool, int]:
    """Chat `old` is now `new` (e.g. a Telegram group that became a supergroup): its identity and the messages that
    have not gone yet follow it. Returns (identity moved, messages moved); the identity stays when `new` has one
    already (it was made by a message from the new chat first) or when there is none for `old` (moved before)."""
    taken = await repos.session.scalar(
        select(ChannelIdentity.id).where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == new)
    )
    moved = False
    if taken is None:
        result = await repos.session.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == old)
            .values(external_id=new)
        )
        moved = bool(getattr(result, "rowcount", 0))
    result = await repos.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.recipient == old, OutboxMessage.status.in_(WAITING))
        .values(recipient=new)
    )
    return moved, int(getattr(result, "rowcount", 0) or 0)


async def release_held(repos: Repositories, channel: str, held_error: str, now: datetime) -> int:
    """Messages a channel held back with `held_error` (e.g. while its token was refused) are due now; how many.

    Their tries start again from zero: being held is not a failed try, so an outage never uses them up.
    """
    result = await repos.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.status == "pending",
            OutboxMessage.last_error == held_error,
        )
        .values(next_attempt_at=now, attempts=0, last_error=None, updated_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
