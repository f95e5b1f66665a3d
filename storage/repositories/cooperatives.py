"""Cooperatives of the city."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from storage.models import Cooperative
from storage.repositories._base import Repo


@dataclass(frozen=True)
class CooperativeFacts:
    """What a segment may ask of a cooperative."""

    id: int
    nik: str | None
    type: str
    tags: tuple[str, ...]
    kecamatan_id: int | None
    kelurahan_id: int | None
    timezone: str


class CooperativeRepo(Repo):
    """Cooperatives of the city."""

    async def get(self, cooperative_id: int) -> Cooperative | None:
        return await self._get(Cooperative, cooperative_id)

    async def by_nik(self, nik: str) -> Cooperative | None:
        return (await self.session.scalars(select(Cooperative).where(Cooperative.nik == nik))).first()

    async def by_name(self, name: str) -> Cooperative | None:
        stmt = select(Cooperative).where(func.lower(Cooperative.name) == name.strip().lower())
        return (await self.session.scalars(stmt)).first()

    async def add(self, values: dict[str, Any]) -> Cooperative:
        cooperative = Cooperative(**values)
        self.session.add(cooperative)
        await self.session.flush()
        return cooperative

    async def upsert(self, values: dict[str, Any]) -> tuple[Cooperative, bool]:
        """Insert or update by NIK (or by name where NIK is empty); True when created."""
        existing = await self.by_nik(values["nik"]) if values.get("nik") else None
        if existing is None and not values.get("nik"):
            existing = await self.by_name(values["name"])
        if existing is None:
            cooperative = Cooperative(**values)
            self.session.add(cooperative)
            await self.session.flush()
            return cooperative, True
        for key, value in values.items():
            setattr(existing, key, value)
        await self.session.flush()
        return existing, False

    async def search(
        self, *, type_: str | None = None, tag: str | None = None, kecamatan_id: int | None = None
    ) -> list[Cooperative]:
        stmt = select(Cooperative).order_by(Cooperative.name)
        if type_:
            stmt = stmt.where(Cooperative.type == type_)
        if kecamatan_id:
            stmt = stmt.where(Cooperative.kecamatan_id == kecamatan_id)
        rows = list((await self.session.scalars(stmt)).all())
        return [c for c in rows if tag in (c.tags or [])] if tag else rows

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count(Cooperative.id))) or 0)

    async def facts(self) -> list[CooperativeFacts]:
        """Every cooperative, with the fields segments filter on."""
        stmt = select(
            Cooperative.id,
            Cooperative.nik,
            Cooperative.type,
            Cooperative.tags,
            Cooperative.kecamatan_id,
            Cooperative.kelurahan_id,
            Cooperative.timezone,
        ).order_by(Cooperative.id)
        return [
            CooperativeFacts(r[0], r[1], r[2], tuple(r[3] or ()), r[4], r[5], r[6] or "Asia/Jakarta")
            for r in await self.session.execute(stmt)
        ]
