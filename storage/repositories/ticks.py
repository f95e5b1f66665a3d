"""The scheduler's record of the ticks that have run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.models import SchedulerTick
from storage.repositories._base import Repo


class TickRepo(Repo):
    """The scheduler's record of the ticks that have run; a key runs once, even across processes."""

    async def claim(self, key: str, at: datetime) -> bool:
        """Record that the tick `key` has run; False when it was recorded already."""
        return await self._insert_ignore(SchedulerTick, {"key": key, "ran_at": at}) is not None

    async def ran(self, key: str) -> bool:
        """Whether the tick `key` has run (its last part is stored)."""
        return await self.session.scalar(select(SchedulerTick.id).where(SchedulerTick.key == key)) is not None

    async def latest_key(self, prefix: str) -> str | None:
        """The greatest recorded key that starts with `prefix`."""
        stmt = select(SchedulerTick.key).where(SchedulerTick.key.startswith(prefix, autoescape=True))
        return (await self.session.scalars(stmt.order_by(SchedulerTick.key.desc()).limit(1))).first()
