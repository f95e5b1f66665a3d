"""Office staff of the Dinas."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import OfficeStaff
from storage.repositories._base import Repo


class StaffRepo(Repo):
    """Office staff of the Dinas."""

    async def add(self, name: str, role: str, kecamatan_id: int | None = None) -> OfficeStaff:
        staff = OfficeStaff(name=name, role=role, kecamatan_id=kecamatan_id)
        self.session.add(staff)
        await self.session.flush()
        return staff

    async def get(self, staff_id: int) -> OfficeStaff | None:
        return await self._get(OfficeStaff, staff_id)

    async def all(self) -> list[OfficeStaff]:
        return list((await self.session.scalars(select(OfficeStaff).order_by(OfficeStaff.id))).all())
