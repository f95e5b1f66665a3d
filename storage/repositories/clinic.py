"""The clinic's record: action plans, coaching entries, assessments' standing, and the office's worklist as aggregate
queries (they stay fast at tens of thousands of cooperatives: no cooperative is loaded as an object)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ActionPlan, Assessment, CoachingEntry, Cooperative, Region, Report

CHUNK = 1000  # ids per IN list


@dataclass(frozen=True)
class ScoreRun:
    """A cooperative's latest three assessed periods (official framework): newest total first, its category, flag."""

    cooperative_id: int
    totals: tuple[Decimal | None, Decimal | None, Decimal | None]
    category: str | None
    special_flag: bool


@dataclass(frozen=True)
class CooperativeLine:
    """A cooperative as a list shows it."""

    id: int
    nik: str | None
    name: str
    kecamatan: str | None


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

    def _scoped(self, stmt: Select[Any], kecamatan_id: int | None) -> Select[Any]:
        if kecamatan_id is None:
            return stmt
        return stmt.join(Cooperative, Cooperative.id == Assessment.cooperative_id).where(
            Cooperative.kecamatan_id == kecamatan_id
        )

    async def score_runs(self, framework: str, watched: Sequence[str], kecamatan_id: int | None) -> list[ScoreRun]:
        """Cooperatives whose latest assessment of `framework` has a `watched` category or a DPK flag, or whose last
        three assessed periods fell twice in a row: one aggregate row each."""
        per_period = self._scoped(
            select(
                Assessment.cooperative_id.label("cooperative_id"),
                Assessment.period.label("period"),
                Assessment.total.label("total"),
                Assessment.category.label("category"),
                Assessment.special_flag.label("special_flag"),
                func.row_number()
                .over(
                    partition_by=(Assessment.cooperative_id, Assessment.period),
                    order_by=Assessment.id.desc(),
                )
                .label("revision_rank"),
            ).where(Assessment.framework == framework),
            kecamatan_id,
        ).subquery()
        ranked = (
            select(
                per_period.c.cooperative_id,
                per_period.c.total,
                per_period.c.category,
                per_period.c.special_flag,
                func.row_number()
                .over(partition_by=per_period.c.cooperative_id, order_by=per_period.c.period.desc())
                .label("age"),
            )
            .where(per_period.c.revision_rank == 1)
            .subquery()
        )

        def at(age: int, column: Any) -> Any:
            return func.max(case((ranked.c.age == age, column)))

        t1, t2, t3 = at(1, ranked.c.total), at(2, ranked.c.total), at(3, ranked.c.total)
        category = at(1, ranked.c.category)
        flag = func.max(case((and_(ranked.c.age == 1, ranked.c.special_flag), 1), else_=0))
        stmt = (
            select(ranked.c.cooperative_id, t1, t2, t3, category, flag)
            .where(ranked.c.age <= 3)
            .group_by(ranked.c.cooperative_id)
            .having(category.in_(list(watched)) | (flag == 1) | and_(t1 < t2, t2 < t3))
        )
        return [
            ScoreRun(int(row[0]), (row[1], row[2], row[3]), row[4], bool(row[5]))
            for row in await self.session.execute(stmt)
        ]

    async def not_reporting(
        self, periods: Sequence[str], created_before: datetime, kecamatan_id: int | None
    ) -> set[int]:
        """Cooperatives (known since before `created_before`) with no submitted report for any of `periods`."""
        reported = exists().where(
            Report.cooperative_id == Cooperative.id, Report.period.in_(list(periods)), Report.status == "submitted"
        )
        stmt = select(Cooperative.id).where(Cooperative.created_at < created_before, ~reported)
        if kecamatan_id is not None:
            stmt = stmt.where(Cooperative.kecamatan_id == kecamatan_id)
        return set((await self.session.scalars(stmt)).all())

    async def overdue_counts(self, today: date, kecamatan_id: int | None) -> dict[int, int]:
        """Per cooperative: how many open plans are past their due date."""
        stmt = (
            select(ActionPlan.cooperative_id, func.count(ActionPlan.id))
            .where(ActionPlan.status == "open", ActionPlan.due_on < today)
            .group_by(ActionPlan.cooperative_id)
        )
        if kecamatan_id is not None:
            stmt = stmt.join(Cooperative, Cooperative.id == ActionPlan.cooperative_id).where(
                Cooperative.kecamatan_id == kecamatan_id
            )
        return {int(row[0]): int(row[1]) for row in await self.session.execute(stmt)}

    async def lines(self, ids: Sequence[int]) -> dict[int, CooperativeLine]:
        """Name, NIK and kecamatan of these cooperatives, in chunks."""
        found: dict[int, CooperativeLine] = {}
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), CHUNK):
            stmt = (
                select(Cooperative.id, Cooperative.nik, Cooperative.name, Region.name)
                .outerjoin(Region, Region.id == Cooperative.kecamatan_id)
                .where(Cooperative.id.in_(wanted[start : start + CHUNK]))
            )
            for row in await self.session.execute(stmt):
                found[int(row[0])] = CooperativeLine(int(row[0]), row[1], row[2], row[3])
        return found
