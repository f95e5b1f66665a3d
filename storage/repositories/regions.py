"""Kota, kecamatan, kelurahan."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from storage.models import Region
from storage.repositories._base import Repo


class RegionRepo(Repo):
    """Kota, kecamatan, kelurahan."""

    async def get_or_create(self, kind: str, name: str, parent_id: int | None = None) -> Region:
        stmt = select(Region).where(Region.kind == kind, func.lower(Region.name) == name.strip().lower())
        stmt = stmt.where(Region.parent_id == parent_id if parent_id else Region.parent_id.is_(None))
        region = (await self.session.scalars(stmt)).first()
        if region is None:
            region = Region(kind=kind, name=name.strip(), parent_id=parent_id)
            self.session.add(region)
            await self.session.flush()
        return region

    async def get(self, region_id: int) -> Region | None:
        return await self.session.get(Region, region_id)

    async def find(self, kind: str, name: str) -> Region | None:
        stmt = select(Region).where(Region.kind == kind, func.lower(Region.name) == name.strip().lower())
        return (await self.session.scalars(stmt)).first()

    async def ids_named(self, kinds: Sequence[str], name: str) -> list[int]:
        """The ids of regions of these kinds with this name (case-insensitive)."""
        stmt = select(Region.id).where(Region.kind.in_(list(kinds)), func.lower(Region.name) == name.strip().lower())
        return list((await self.session.scalars(stmt)).all())

    async def children(self, kind: str, parent_id: int) -> list[Region]:
        """The regions of one kind directly under a region, by name."""
        stmt = select(Region).where(Region.kind == kind, Region.parent_id == parent_id).order_by(Region.name)
        return list((await self.session.scalars(stmt)).all())

    async def names(self, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = await self.session.execute(select(Region.id, Region.name).where(Region.id.in_(set(ids))))
        return {row.id: row.name for row in rows}
