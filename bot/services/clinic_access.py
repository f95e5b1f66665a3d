"""Who may read and change a cooperative's rekam medis: admins everywhere, pembina in their kecamatan, and (to read,
and to mark a plan done) the cooperative's own officers."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.access import covers
from bot.services.clinic_values import Actor
from bot.services.reports import NotAllowed
from storage.models import Cooperative, Officer, OfficeStaff
from storage.repositories import Repositories


class ClinicAccess:
    """Who may read and change a cooperative's record: the checks every clinic use case starts with."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos

    # -- who may -------------------------------------------------------------------------------------------------

    async def _staff(self, actor: Actor) -> OfficeStaff | None:
        if actor.staff_id is None:
            return None
        staff = await self._repos.staff.get(actor.staff_id)
        return staff if staff is not None and staff.status == "active" else None

    async def _cooperative(self, cooperative_id: int) -> Cooperative:
        cooperative = await self._repos.cooperatives.get(cooperative_id)
        if cooperative is None:
            raise LookupError(f"no cooperative {cooperative_id}")
        return cooperative

    @staticmethod
    def _in_scope(staff: OfficeStaff, cooperative: Cooperative) -> bool:
        return covers(staff, cooperative.kecamatan_id)

    async def _may_read(self, actor: Actor, cooperative: Cooperative) -> None:
        staff = await self._staff(actor)
        if staff is not None and self._in_scope(staff, cooperative):
            return
        if actor.officer_id is not None and await self._officer_of(actor.officer_id, cooperative.id):
            return
        raise NotAllowed(f"{actor.key} may not read cooperative {cooperative.id}")

    async def _may_change(self, actor: Actor, cooperative: Cooperative) -> OfficeStaff:
        """Admins everywhere, pembina in their kecamatan; nobody else."""
        staff = await self._staff(actor)
        if staff is None or staff.role not in ("admin", "pembina") or not self._in_scope(staff, cooperative):
            raise NotAllowed(f"{actor.key} may not change the record of cooperative {cooperative.id}")
        return staff

    async def _officer_of(self, officer_id: int, cooperative_id: int) -> Officer | None:
        officer = await self._repos.officers.get(officer_id)
        ok = officer is not None and officer.cooperative_id == cooperative_id and officer.status == "active"
        return officer if ok else None

    async def may_change(self, actor: Actor, cooperative_id: int) -> bool:
        """Whether the actor may add notes and plans to this cooperative's record."""
        try:
            await self._may_change(actor, await self._cooperative(cooperative_id))
        except NotAllowed:
            return False
        return True

    async def _names(self, ids: Sequence[int | None]) -> dict[int, str]:
        names = {}
        for staff_id in {i for i in ids if i}:
            staff = await self._repos.staff.get(staff_id)
            if staff is not None:
                names[staff_id] = staff.name
        return names
