"""The append-only audit log."""

from __future__ import annotations

from typing import Any

from storage.models import AuditEntry, utcnow
from storage.repositories._base import Repo


class AuditRepo(Repo):
    """The append-only audit log."""

    async def add(self, actor: str, action: str, subject: str | None = None, **data: Any) -> None:
        self.session.add(AuditEntry(actor=actor, action=action, subject=subject, data=data, at=utcnow()))
