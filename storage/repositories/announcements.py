"""Broadcasts composed by office staff (their messages are outbox rows, see outbox.py)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Announcement
from storage.repositories._base import Repo


class AnnouncementRepo(Repo):
    """Broadcasts composed by office staff."""

    async def add(self, announcement: Announcement) -> Announcement:
        self.session.add(announcement)
        await self.session.flush()
        return announcement

    async def get(self, announcement_id: int) -> Announcement | None:
        return await self.session.get(Announcement, announcement_id)

    async def latest(self, staff_id: int | None = None) -> Announcement | None:
        """The latest announcement (of one author when given)."""
        found = await self.recent(1, staff_id=staff_id)
        return found[0] if found else None

    async def recent(self, limit: int, *, staff_id: int | None = None) -> list[Announcement]:
        """The latest announcements (of one author when given), newest first."""
        stmt = select(Announcement).order_by(Announcement.id.desc()).limit(limit)
        if staff_id is not None:
            stmt = stmt.where(Announcement.staff_id == staff_id)
        return list((await self.session.scalars(stmt)).all())
