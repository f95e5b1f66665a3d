"""The clinic's record: action plans, coaching entries, assessments' standing, and the office's worklist as aggregate
queries (they stay fast at tens of thousands of cooperatives: no cooperative is loaded as an object)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, Select, and_, case, cast, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ActionPlan, Assessment, CoachingEntry, Cooperative, LatestStanding, Report


@dataclass(frozen=True)
class Attention:
    """A cooperative that needs attention: its latest standing (official framework), its overdue plans, and why."""

    cooperative_id: int
    nik: str | None
    name: str
    kecamatan_id: int | None
    category: str | None
    totals: tuple[Decimal | None, Decimal | None, Decimal | None]  # its last three assessed periods, newest first
    overdue_plans: int
    reasons: tuple[str, ...]


class ClinicRepo:
    """Action plans, coaching entries and the worklist's queries."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _locked(self, stmt: Select[Any]) -> Select[Any]:
        return stmt.with_for_update() if self.session.get_bind().dialect.name == "postgresql" else stmt

    async def add_plan(self, plan: ActionPlan) -> ActionPlan:
        self.session.add(plan)
        await self.session.flush()
        return plan

    async def plan(self, plan_id: int, *, lock: bool = False) -> ActionPlan | None:
        stmt = select(ActionPlan).where(ActionPlan.id == plan_id)
        return (await self.session.scalars(self._locked(stmt) if lock else stmt)).first()

    async def plans_of(self, cooperative_id: int, statuses: Sequence[str] | None = None) -> list[ActionPlan]:
        """A cooperative's plans, by due date (then id)."""
        stmt = select(ActionPlan).where(ActionPlan.cooperative_id == cooperative_id)
        if statuses is not None:
            stmt = stmt.where(ActionPlan.status.in_(list(statuses)))
        return list((await self.session.scalars(stmt.order_by(ActionPlan.due_on, ActionPlan.id))).all())

    async def overdue_plans(self, today: date, since: date) -> list[ActionPlan]:
        """Open plans due before `today` and not before `since` (older ones were reminded of already)."""
        stmt = select(ActionPlan).where(
            ActionPlan.status == "open", ActionPlan.due_on < today, ActionPlan.due_on >= since
        )
        return list((await self.session.scalars(stmt.order_by(ActionPlan.id))).all())

    async def entries_of(self, cooperative_id: int, limit: int = 50) -> list[CoachingEntry]:
        """The latest coaching entries, newest first."""
        stmt = select(CoachingEntry).where(CoachingEntry.cooperative_id == cooperative_id)
        return list((await self.session.scalars(stmt.order_by(CoachingEntry.id.desc()).limit(limit))).all())

    async def add_entry(self, entry: CoachingEntry) -> CoachingEntry:
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def plans_to_follow_up(self, due_from: date, due_until: date) -> list[ActionPlan]:
        """Plans (not cancelled) due in [due_from, due_until] that have no follow-up entry yet."""
        followed = exists().where(CoachingEntry.plan_id == ActionPlan.id, CoachingEntry.kind == "follow_up")
        stmt = select(ActionPlan).where(
            ActionPlan.status != "cancelled",
            ActionPlan.due_on >= due_from,
            ActionPlan.due_on <= due_until,
            ~followed,
        )
        return list((await self.session.scalars(stmt.order_by(ActionPlan.id))).all())

    async def visits_to_follow_up(self, start: datetime, end: datetime) -> list[CoachingEntry]:
        """Clinic visits in [start, end] that have no follow-up entry yet."""
        later = CoachingEntry.__table__.alias("later")
        followed = exists().where(later.c.follows_id == CoachingEntry.id, later.c.kind == "follow_up")
        stmt = select(CoachingEntry).where(
            CoachingEntry.kind == "clinic_visit",
            CoachingEntry.created_at >= start,
            CoachingEntry.created_at <= end,
            ~followed,
        )
        return list((await self.session.scalars(stmt.order_by(CoachingEntry.id))).all())

    async def assessments_of(self, cooperative_id: int, framework: str | None = None) -> list[Assessment]:
        """Every assessment of a cooperative, oldest period first, revisions in order."""
        stmt = select(Assessment).where(Assessment.cooperative_id == cooperative_id)
        if framework is not None:
            stmt = stmt.where(Assessment.framework == framework)
        return list((await self.session.scalars(stmt.order_by(Assessment.period, Assessment.id))).all())

    async def assessment(self, assessment_id: int, *, lock: bool = False) -> Assessment | None:
        stmt = select(Assessment).where(Assessment.id == assessment_id)
        return (await self.session.scalars(self._locked(stmt) if lock else stmt)).first()

    async def latest_of_period(self, cooperative_id: int, framework: str, period: str) -> Assessment | None:
        """The current assessment of a period (of its latest revision)."""
        stmt = (
            select(Assessment)
            .where(
                Assessment.cooperative_id == cooperative_id,
                Assessment.framework == framework,
                Assessment.period == period,
            )
            .order_by(Assessment.id.desc())
            .limit(1)
        )
        return (await self.session.scalars(stmt)).first()

    async def attention(
        self,
        framework: str,
        reasons: Sequence[str],
        periods: Sequence[str],
        created_before: datetime,
        today: date,
        kecamatan_id: int | None,
        limit: int | None,
    ) -> tuple[list[Attention], dict[str, int], int]:
        """The cooperatives that need attention, worst first (the first of `reasons` they have, then how many, then
        the name), at most `limit`; with the count per reason and in all. A reason is a category of the latest
        standing with `framework`, "dpk_flag" (its DPK flag), "falling" (its last three assessed periods fell twice in
        a row: read from the standing, kept when an assessment is stored), "not_reporting" (known before
        `created_before`, submitted none of `periods`) or "overdue_plans" (open plans past their due date). One
        statement over the cooperatives and their standings: no assessment is ranked, no row built per cooperative
        that is not shown."""
        latest = LatestStanding
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        t1, t2, t3 = (
            cast(c, Float) if sqlite else c for c in (latest.total, latest.previous_total, latest.earlier_total)
        )  # SQLite keeps the exact decimals as text
        reported = (
            select(Report.cooperative_id)
            .where(Report.period.in_(list(periods)), Report.status == "submitted")
            .distinct()
            .subquery()
        )
        overdue = (
            select(ActionPlan.cooperative_id, func.count(ActionPlan.id).label("plans"))
            .where(ActionPlan.status == "open", ActionPlan.due_on < today)
            .group_by(ActionPlan.cooperative_id)
            .subquery()
        )
        special: dict[str, Any] = {
            "dpk_flag": latest.special_flag.is_(True),
            "falling": and_(t1 < t2, t2 < t3),
            "not_reporting": and_(Cooperative.created_at < created_before, reported.c.cooperative_id.is_(None)),
            "overdue_plans": overdue.c.plans > 0,
        }
        checks = [special.get(key, latest.category == key) for key in reasons]
        found = (
            select(
                Cooperative.id,
                Cooperative.nik,
                Cooperative.name,
                Cooperative.kecamatan_id,
                latest.category,
                latest.total,
                latest.previous_total,
                latest.earlier_total,
                func.coalesce(overdue.c.plans, 0).label("plans"),
                *(case((check, 1), else_=0).label(f"reason_{i}") for i, check in enumerate(checks)),
            )
            .select_from(Cooperative)
            .outerjoin(latest, and_(latest.cooperative_id == Cooperative.id, latest.framework == framework))
            .outerjoin(overdue, overdue.c.cooperative_id == Cooperative.id)
            .outerjoin(reported, reported.c.cooperative_id == Cooperative.id)
            .where(or_(*checks))
        )
        if kecamatan_id is not None:
            found = found.where(Cooperative.kecamatan_id == kecamatan_id)
        rows = found.subquery()
        has = [rows.c[f"reason_{i}"] for i in range(len(reasons))]
        first = case(*((flag == 1, i) for i, flag in enumerate(has)), else_=len(has))
        many = sum(has[1:], has[0])
        everywhere: dict[str, Any] = {"partition_by": None}
        stmt = select(
            rows,
            func.count().over(**everywhere),
            *(func.sum(flag).over(**everywhere) for flag in has),
        ).order_by(first, -many, func.lower(rows.c.name), rows.c.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        result = (await self.session.execute(stmt)).all()
        if not result:
            return [], dict.fromkeys(reasons, 0), 0
        width = 9 + len(has)
        counts = {key: int(result[0][width + 1 + i] or 0) for i, key in enumerate(reasons)}
        items = [
            Attention(
                int(row[0]),
                row[1],
                str(row[2]),
                row[3],
                row[4],
                (row[5], row[6], row[7]),
                int(row[8] or 0),
                tuple(key for i, key in enumerate(reasons) if row[9 + i]),
            )
            for row in result
        ]
        return items, counts, int(result[0][width])
