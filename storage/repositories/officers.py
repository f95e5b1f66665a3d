"""Officers of cooperatives."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from storage.models import Cooperative, Officer
from storage.repositories._base import CHUNK, Repo


@dataclass(frozen=True)
class OfficerFacts:
    """An active officer as a possible recipient."""

    id: int
    cooperative_id: int
    name: str
    language: str
    paused: bool


class OfficerRepo(Repo):
    """Officers of cooperatives."""

    async def add(self, cooperative_id: int, name: str, role: str, language: str = "id") -> Officer:
        officer = Officer(cooperative_id=cooperative_id, name=name, role=role, language=language)
        self.session.add(officer)
        await self.session.flush()
        return officer

    async def get(self, officer_id: int) -> Officer | None:
        return await self._get(Officer, officer_id)

    async def of_cooperative(self, cooperative_id: int) -> list[Officer]:
        stmt = select(Officer).where(Officer.cooperative_id == cooperative_id, Officer.status == "active")
        return list((await self.session.scalars(stmt.order_by(Officer.id))).all())

    async def of_cooperatives(self, cooperative_ids: Iterable[int]) -> list[Officer]:
        """The active officers of these cooperatives, by cooperative then id."""
        ids = list(cooperative_ids)
        if not ids:
            return []
        stmt = select(Officer).where(Officer.cooperative_id.in_(ids), Officer.status == "active")
        stmt = stmt.order_by(Officer.cooperative_id, Officer.id).execution_options(yield_per=CHUNK)
        found: list[Officer] = []
        async for part in (await self.session.stream_scalars(stmt)).partitions():  # the loop's turn between parts
            found.extend(part)
        return found

    async def active(self) -> list[OfficerFacts]:
        """Every active officer, in id order."""
        stmt = (
            select(Officer.id, Officer.cooperative_id, Officer.name, Officer.language, Officer.announcements_paused)
            .where(Officer.status == "active")
            .order_by(Officer.id)
        )
        return [OfficerFacts(r[0], r[1], r[2], r[3] or "id", bool(r[4])) for r in await self.session.execute(stmt)]

    async def with_cooperatives(self, ids: Iterable[int]) -> dict[int, tuple[Officer, Cooperative]]:
        """Officers with their cooperatives, by officer id."""
        wanted = set(ids)
        if not wanted:
            return {}
        stmt = (
            select(Officer, Cooperative)
            .join(Cooperative, Cooperative.id == Officer.cooperative_id)
            .where(Officer.id.in_(wanted))
        )
        return {row[0].id: (row[0], row[1]) for row in await self.session.execute(stmt)}

    async def timezones(self, ids: Iterable[int]) -> dict[int, str]:
        """The time zone of each officer's cooperative, by officer id."""
        wanted = set(ids)
        if not wanted:
            return {}
        stmt = (
            select(Officer.id, Cooperative.timezone)
            .join(Cooperative, Cooperative.id == Officer.cooperative_id)
            .where(Officer.id.in_(wanted))
        )
        return {row[0]: row[1] for row in await self.session.execute(stmt)}
