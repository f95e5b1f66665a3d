"""Registration codes (hashed) and failed attempts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select

from storage.models import Invite, InviteAttempt
from storage.repositories._base import Repo


class InviteRepo(Repo):
    """Registration codes (hashed) and failed attempts."""

    async def add(self, invite: Invite) -> Invite:
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def usable(self, code_hashes: Sequence[str], now: datetime) -> Invite | None:
        """The invitation stored under one of these hashes, if it still has uses and has not expired (locked)."""
        stmt = select(Invite).where(
            Invite.code_hash.in_(list(code_hashes)), Invite.uses_left > 0, Invite.expires_at > now
        )
        return (await self.session.scalars(self._locked(stmt))).first()

    async def by_hashes(self, code_hashes: Sequence[str]) -> Invite | None:
        """The invitation stored under one of these hashes, used up or expired too."""
        stmt = select(Invite).where(Invite.code_hash.in_(list(code_hashes)))
        return (await self.session.scalars(stmt)).first()

    async def failed_attempts_since(self, identity_id: int, since: datetime) -> int:
        stmt = select(func.count(InviteAttempt.id)).where(
            InviteAttempt.identity_id == identity_id, InviteAttempt.at >= since
        )
        return int(await self.session.scalar(stmt) or 0)

    async def all_failures_since(self, kind: str, since: datetime) -> int:
        """Wrong codes of `kind` from every chat since `since`."""
        stmt = select(func.count(InviteAttempt.id)).where(InviteAttempt.kind == kind, InviteAttempt.at >= since)
        return int(await self.session.scalar(stmt) or 0)

    async def record_failure(self, identity_id: int, at: datetime, kind: str = "daftar") -> None:
        self.session.add(InviteAttempt(identity_id=identity_id, at=at, kind=kind))
        await self.session.flush()

    async def prune_failures(self, before: datetime, limit: int = 500) -> int:
        """Delete up to `limit` attempts older than `before`; how many went. Rows another transaction is deleting
        are left to it (PostgreSQL: SKIP LOCKED), so concurrent prunes neither wait for nor deadlock each other."""
        old = select(InviteAttempt.id).where(InviteAttempt.at < before).order_by(InviteAttempt.id).limit(limit)
        if self.dialect == "postgresql":
            old = old.with_for_update(skip_locked=True)
        ids = list((await self.session.scalars(old)).all())
        if ids:
            await self.session.execute(delete(InviteAttempt).where(InviteAttempt.id.in_(ids)))
        return len(ids)
