"""Secrets this deployment made for itself."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import ServerKey, utcnow
from storage.repositories._base import Repo


class ServerKeyRepo(Repo):
    """Secrets this deployment made for itself."""

    async def get_or_create(self, name: str, value: str) -> str:
        """The value stored under `name`; `value` is stored when there is none yet (the first writer wins)."""
        stmt = select(ServerKey.value).where(ServerKey.name == name)
        stored = await self.session.scalar(stmt)
        if stored is None:
            await self._insert_ignore(ServerKey, {"name": name, "value": value, "created_at": utcnow()})
            stored = await self.session.scalar(stmt)
        assert stored is not None
        return stored
