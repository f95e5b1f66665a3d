"""The one-time keys of the office's forms that make something."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from storage.models import FormSubmission
from storage.repositories._base import Repo


class SubmissionRepo(Repo):
    """The one-time keys of the office's forms; a key is stored once, even when two requests bring it at once."""

    async def claim(self, key: str, staff_id: int, kind: str, at: datetime) -> int | None:
        """Store `key` (its row's id); None when it was stored before. A request that brings the same key while
        another's transaction holds it waits for that transaction (PostgreSQL; SQLite has one writer)."""
        values = {"key": key, "staff_id": staff_id, "kind": kind, "created_at": at}
        return await self._insert_ignore(FormSubmission, values)

    async def get(self, key: str) -> FormSubmission | None:
        return (await self.session.scalars(select(FormSubmission).where(FormSubmission.key == key))).first()

    async def settle(self, submission_id: int, target_id: int) -> None:
        """Record what the form made."""
        stmt = update(FormSubmission).where(FormSubmission.id == submission_id).values(target_id=target_id)
        await self.session.execute(stmt)

    async def forget(self, submission_id: int) -> None:
        """The form made nothing: its key may be used again."""
        await self.session.execute(delete(FormSubmission).where(FormSubmission.id == submission_id))
