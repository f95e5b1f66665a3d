"""The clinic's rekam medis: assessments with their diagnosis and prescription, notes, action plans, visits,
follow-ups; who may change what (clinic_access); the escalation worklist, verifying an assessment and the official
annual one (clinic_watch); the values every door shows (clinic_values)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.services.assessments import frameworks_for
from bot.services.clinic_values import (
    NOTE_LIMIT,
    REASONS,
    WHAT_LIMIT,
    WHO_LIMIT,
    Actor,
    AssessmentView,
    BadField,
    CooperativePlans,
    EntryView,
    FollowUp,
    MedicalRecord,
    PlanStatus,
    PlanView,
    Superseded,
    Worklist,
    assessment_view,
    plan_view,
)
from bot.services.clinic_watch import ClinicWatch
from bot.services.reports import NotAllowed
from storage.models import ActionPlan, CoachingEntry, Cooperative

__all__ = [
    "REASONS",
    "WHAT_LIMIT",
    "WHO_LIMIT",
    "Actor",
    "AssessmentView",
    "BadField",
    "ClinicService",
    "CooperativePlans",
    "FollowUp",
    "PlanStatus",
    "Superseded",
    "Worklist",
]


class ClinicService(ClinicWatch):
    """The clinic use cases of one unit of work."""

    # -- reading -------------------------------------------------------------------------------------------------

    async def record(self, cooperative_id: int, actor: Actor) -> MedicalRecord:
        """The rekam medis: staff in scope, and the cooperative's own officers."""
        cooperative = await self._cooperative(cooperative_id)
        await self._may_read(actor, cooperative)
        clinic = self._repos.clinic
        rows = await clinic.assessments_of(cooperative_id)
        plans = await clinic.plans_of(cooperative_id)
        entries = await clinic.entries_of(cooperative_id)
        names = await self._names(
            [a.verified_by for a in rows] + [p.created_by for p in plans] + [e.staff_id for e in entries]
        )
        current = {(a.framework, a.period): a.id for a in rows}  # the last row of each period wins
        views = [assessment_view(a, names, current[(a.framework, a.period)] == a.id) for a in reversed(rows)]
        return MedicalRecord(
            cooperative.id,
            cooperative.nik,
            cooperative.name,
            cooperative.founded_on,
            tuple(views),
            tuple(plan_view(p, names) for p in plans),
            tuple(
                EntryView(
                    e.id,
                    e.kind,
                    e.summary,
                    dict(e.data or {}),
                    e.created_at,
                    names.get(e.staff_id or 0),
                    e.plan_id,
                    e.follows_id,
                )
                for e in entries
            ),
        )

    async def standings(self, cooperative_id: int) -> dict[tuple[str, str], str]:
        """The standing of each (framework, period)'s current assessment (for the chat's history and pictures)."""
        found: dict[tuple[str, str], str] = {}
        for a in await self._repos.clinic.assessments_of(cooperative_id):
            found[(a.framework, a.period)] = a.standing
        return found

    async def plans(self, cooperative_id: int, actor: Actor, *, open_only: bool = False) -> list[PlanView]:
        """A cooperative's plans (open ones only when asked): for staff in scope and its own officers."""
        cooperative = await self._cooperative(cooperative_id)
        await self._may_read(actor, cooperative)
        rows = await self._repos.clinic.plans_of(cooperative_id, ["open"] if open_only else None)
        names = await self._names([p.created_by for p in rows])
        return [plan_view(p, names) for p in rows]

    async def plans_by_nik(self, nik: str, actor: Actor) -> CooperativePlans | None:
        """The plans of the cooperative with this NIK, for staff who may read its record; None: no such cooperative
        (or one outside the actor's kecamatan, which is not shown either)."""
        cooperative = await self._repos.cooperatives.by_nik(nik)
        if cooperative is None:
            return None
        try:
            plans = await self.plans(cooperative.id, actor)
        except NotAllowed:
            return None
        may = await self.may_change(actor, cooperative.id)
        return CooperativePlans(cooperative.id, cooperative.nik, cooperative.name, tuple(plans), may)

    async def name_of(self, cooperative_id: int) -> str | None:
        """The cooperative's name (None: no such cooperative)."""
        cooperative = await self._repos.cooperatives.get(cooperative_id)
        return cooperative.name if cooperative is not None else None

    # -- changing ------------------------------------------------------------------------------------------------

    async def add_note(self, cooperative_id: int, text: str, actor: Actor, at: datetime) -> EntryView:
        """A pembina's or admin's note in the record."""
        cooperative = await self._cooperative(cooperative_id)
        staff = await self._may_change(actor, cooperative)
        text = text.strip()
        if not text or len(text) > NOTE_LIMIT:
            raise ValueError(f"a note has 1 to {NOTE_LIMIT} characters")
        entry = await self._repos.clinic.add_entry(
            CoachingEntry(
                cooperative_id=cooperative.id, kind="note", summary=text, data={}, staff_id=staff.id, created_at=at
            )
        )
        await self._repos.audit.add(actor.key, "clinic.note_added", f"cooperative:{cooperative.id}", entry=entry.id)
        return EntryView(entry.id, "note", text, {}, at, staff.name, None, None)

    @staticmethod
    def _checked(what: str, who: str) -> tuple[str, str]:
        what, who = " ".join(what.split()), " ".join(who.split())
        if not what or len(what) > WHAT_LIMIT:
            raise BadField("what", f"what: 1 to {WHAT_LIMIT} characters")
        if not who or len(who) > WHO_LIMIT:
            raise BadField("who", f"who: 1 to {WHO_LIMIT} characters")
        return what, who

    async def add_plan(
        self,
        cooperative_id: int,
        what: str,
        who: str,
        due_on: date,
        actor: Actor,
        at: datetime,
        concerns: Sequence[str] | None = None,
    ) -> PlanView:
        """A new open action plan; it treats `concerns` (default: what the latest prescription put first)."""
        cooperative = await self._cooperative(cooperative_id)
        staff = await self._may_change(actor, cooperative)
        what, who = self._checked(what, who)
        if concerns is None:
            concerns = await self._prescribed_concerns(cooperative)
        plan = await self._repos.clinic.add_plan(
            ActionPlan(
                cooperative_id=cooperative.id,
                what=what,
                who=who,
                due_on=due_on,
                status="open",
                concerns=list(concerns),
                created_by=staff.id,
                created_at=at,
                updated_at=at,
            )
        )
        await self._repos.audit.add(
            actor.key, "clinic.plan_added", f"plan:{plan.id}", cooperative=cooperative.id, due_on=due_on.isoformat()
        )
        return plan_view(plan, {staff.id: staff.name})

    async def _prescribed_concerns(self, cooperative: Cooperative) -> list[str]:
        framework = frameworks_for(cooperative)[0][0]
        rows = await self._repos.clinic.assessments_of(cooperative.id, framework)
        if not rows:
            return []
        found: list[str] = []
        for item in (rows[-1].prescription or {}).get("coaching", [])[:3]:
            found.extend(c for c in item.get("concerns", []) if c not in found)
        return found

    async def _plan(self, plan_id: int) -> tuple[ActionPlan, Cooperative]:
        plan = await self._repos.clinic.plan(plan_id, lock=True)
        if plan is None:
            raise LookupError(f"no plan {plan_id}")
        return plan, await self._cooperative(plan.cooperative_id)

    async def plan(self, plan_id: int, actor: Actor) -> PlanView:
        """One plan, for whoever may read its cooperative's record (LookupError: no such plan)."""
        plan = await self._repos.clinic.plan(plan_id)
        if plan is None:
            raise LookupError(f"no plan {plan_id}")
        await self._may_read(actor, await self._cooperative(plan.cooperative_id))
        return plan_view(plan, await self._names([plan.created_by]))

    async def update_plan(
        self,
        plan_id: int,
        actor: Actor,
        at: datetime,
        *,
        what: str | None = None,
        who: str | None = None,
        due_on: date | None = None,
    ) -> PlanView:
        """Change an open plan's what, who or due date (admin; pembina in their kecamatan)."""
        plan, cooperative = await self._plan(plan_id)
        await self._may_change(actor, cooperative)
        if plan.status != "open":
            raise ValueError(f"plan {plan_id} is {plan.status}")
        plan.what, plan.who = self._checked(plan.what if what is None else what, plan.who if who is None else who)
        plan.due_on = due_on or plan.due_on
        plan.updated_at = at
        await self._repos.audit.add(actor.key, "clinic.plan_changed", f"plan:{plan.id}", due_on=plan.due_on.isoformat())
        return plan_view(plan, await self._names([plan.created_by]))

    async def close_plan(self, plan_id: int, status: PlanStatus, actor: Actor, at: datetime) -> tuple[PlanView, bool]:
        """Mark a plan done (also its cooperative's officers) or cancelled (staff); (plan, whether it changed)."""
        if status not in ("done", "cancelled"):
            raise ValueError(f"a plan closes as done or cancelled, not {status}")
        plan, cooperative = await self._plan(plan_id)
        officer_may = (
            status == "done"
            and actor.officer_id is not None
            and await self._officer_of(actor.officer_id, cooperative.id) is not None
        )
        if not officer_may:
            await self._may_change(actor, cooperative)
        changed = plan.status == "open"
        if changed:
            plan.status, plan.updated_at = status, at
            if status == "done":
                plan.done_at, plan.done_by = at, actor.key
            await self._repos.audit.add(actor.key, f"clinic.plan_{status}", f"plan:{plan.id}")
        return plan_view(plan, await self._names([plan.created_by])), changed
