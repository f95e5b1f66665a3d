"""Chat accounts on each channel."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update

from storage.models import ChannelIdentity, utcnow
from storage.repositories._base import CHUNK, Repo, rowcount

SCAN_ABOVE = 10 * CHUNK  # officers whose accounts are read in one pass over every account rather than by IN lists


@dataclass(frozen=True, slots=True)
class Account:
    """What a notice needs of a chat account (read as plain rows: a fan-out reads one per recipient)."""

    id: int
    channel: str
    external_id: str
    officer_id: int | None
    reachable: bool
    last_inbound_at: datetime | None


class IdentityRepo(Repo):
    """Chat accounts on each channel."""

    async def find(self, channel: str, external_id: str, alt_id: str | None = None) -> ChannelIdentity | None:
        ids = [external_id, alt_id] if alt_id else [external_id]
        match = or_(ChannelIdentity.external_id.in_(ids), ChannelIdentity.alt_external_id.in_(ids))
        stmt = select(ChannelIdentity).where(ChannelIdentity.channel == channel, match)
        return (await self.session.scalars(stmt.order_by(ChannelIdentity.id))).first()

    async def get_or_create(
        self, channel: str, external_id: str, *, alt_id: str | None = None, display_name: str | None = None
    ) -> ChannelIdentity:
        identity = await self.find(channel, external_id, alt_id)
        if identity is None:
            await self._insert_ignore(
                ChannelIdentity,
                {
                    "channel": channel,
                    "external_id": external_id,
                    "alt_external_id": alt_id,
                    "display_name": display_name,
                    "reachable": True,
                    "created_at": utcnow(),
                },
            )
            identity = await self.find(channel, external_id, alt_id)
            assert identity is not None
        return self.complete(identity, alt_id=alt_id, display_name=display_name)

    @staticmethod
    def complete(
        identity: ChannelIdentity, *, alt_id: str | None = None, display_name: str | None = None
    ) -> ChannelIdentity:
        """Fill in what a message tells about a known account: its other id (WhatsApp's BSUID) and its name."""
        if alt_id and identity.alt_external_id is None and identity.external_id != alt_id:
            identity.alt_external_id = alt_id
        if display_name and not identity.display_name:
            identity.display_name = display_name
        return identity

    async def get(self, identity_id: int) -> ChannelIdentity | None:
        return await self._get(ChannelIdentity, identity_id)

    async def by_ids(self, ids: Iterable[int]) -> dict[int, ChannelIdentity]:
        """These accounts, by id (unknown ids are absent)."""
        wanted = set(ids)
        if not wanted:
            return {}
        stmt = select(ChannelIdentity).where(ChannelIdentity.id.in_(wanted))
        return {i.id: i for i in (await self.session.scalars(stmt)).all()}

    async def of_officer(self, officer_id: int) -> list[ChannelIdentity]:
        stmt = select(ChannelIdentity).where(ChannelIdentity.officer_id == officer_id)
        return list((await self.session.scalars(stmt.order_by(ChannelIdentity.id))).all())

    async def of_officers(self, officer_ids: Sequence[int]) -> dict[int, list[Account]]:
        """The chat accounts of many officers at once, in id order: plain rows, not ORM objects; more officers
        than SCAN_ABOVE are read in one pass over every officer's account, fewer by IN lists of CHUNK."""
        found: dict[int, list[Account]] = {o: [] for o in officer_ids}
        t = ChannelIdentity.__table__.c
        columns = select(t.id, t.channel, t.external_id, t.officer_id, t.reachable, t.last_inbound_at)
        ids = list(found)
        if len(found) > SCAN_ABOVE:
            parts = [columns.where(t.officer_id.is_not(None))]
        else:  # a daily tick's part (a few thousand officers): IN lists, not a pass over every account
            parts = [columns.where(t.officer_id.in_(ids[i : i + CHUNK])) for i in range(0, len(ids), CHUNK)]
        for stmt in parts:  # streamed a chunk at a time: the event loop gets its turn in between
            result = await self.session.stream(stmt.order_by(t.id))
            async for part in result.partitions(CHUNK):
                for row in part:
                    accounts = found.get(row.officer_id)
                    if accounts is not None:
                        accounts.append(Account(*row))
        return found

    async def of_staff(self, staff_id: int) -> list[ChannelIdentity]:
        stmt = select(ChannelIdentity).where(ChannelIdentity.staff_id == staff_id)
        return list((await self.session.scalars(stmt.order_by(ChannelIdentity.id))).all())

    async def staff_external_ids(self, channel: str) -> list[str]:
        """The chats on `channel` linked to an office staff member, oldest first."""
        stmt = (
            select(ChannelIdentity.external_id)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.staff_id.is_not(None))
            .order_by(ChannelIdentity.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def staff_chats(self) -> set[tuple[str, str]]:
        """(channel, chat) of every account linked to an office staff member."""
        stmt = select(ChannelIdentity.channel, ChannelIdentity.external_id).where(ChannelIdentity.staff_id.is_not(None))
        return {(str(r[0]), str(r[1])) for r in await self.session.execute(stmt)}

    async def is_staff_chat(self, channel: str, external_id: str) -> bool:
        """Whether this chat is linked to an office staff member."""
        stmt = select(ChannelIdentity.staff_id).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
        )
        return (await self.session.scalar(stmt)) is not None

    async def move(self, channel: str, old: str, new: str) -> bool:
        """Chat `old` is now `new`: its identity follows, unless `new` has one already (a message from the new chat
        made it first) or there is none for `old` (moved before). Whether it moved."""
        taken = await self.session.scalar(
            select(ChannelIdentity.id).where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == new)
        )
        if taken is not None:
            return False
        result = await self.session.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == old)
            .values(external_id=new)
        )
        return bool(rowcount(result))

    async def mark_unreachable(self, identity_id: int, reason: str, at: datetime) -> None:
        await self.session.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.id == identity_id)
            .values(reachable=False, unreachable_reason=reason[:200], unreachable_since=at)
        )

    async def mark_reachable(self, identity_id: int) -> None:
        await self.session.execute(
            update(ChannelIdentity)
            .where(ChannelIdentity.id == identity_id)
            .values(reachable=True, unreachable_reason=None, unreachable_since=None)
        )
