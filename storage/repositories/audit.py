"""The append-only audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from storage.models import AuditEntry, utcnow
from storage.repositories._base import Repo


class AuditRepo(Repo):
    """The append-only audit log."""

    async def add(self, actor: str, action: str, subject: str | None = None, **data: Any) -> None:
        self.session.add(AuditEntry(actor=actor, action=action, subject=subject, data=data, at=utcnow()))

    async def page(self, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
        """Entries newest first from `offset`, and how many there are in all."""
        stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset(offset).limit(limit)
        total = await self.session.scalar(select(func.count(AuditEntry.id)))
        return list((await self.session.scalars(stmt)).all()), int(total or 0)
