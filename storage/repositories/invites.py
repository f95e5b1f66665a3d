"""Registration codes (hashed) and failed attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from storage.models import Invite, InviteAttempt
from storage.repositories._base import Repo


class InviteRepo(Repo):
    """Registration codes (hashed) and failed attempts."""

    async def add(self, invite: Invite) -> Invite:
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def usable(self, code_hash: str, now: datetime) -> Invite | None:
        stmt = select(Invite).where(Invite.code_hash == code_hash, Invite.uses_left > 0, Invite.expires_at > now)
        return (await self.session.scalars(self._locked(stmt))).first()

    async def failed_attempts_since(self, identity_id: int, since: datetime) -> int:
        stmt = select(func.count(InviteAttempt.id)).where(
            InviteAttempt.identity_id == identity_id, InviteAttempt.at >= since
        )
        return int(await self.session.scalar(stmt) or 0)

    async def record_failure(self, identity_id: int, at: datetime) -> None:
        self.session.add(InviteAttempt(identity_id=identity_id, at=at))
        await self.session.flush()
