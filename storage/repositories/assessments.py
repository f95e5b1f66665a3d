"""Stored health assessments and the coaching record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select

from storage.models import Assessment, CoachingEntry, LatestStanding
from storage.repositories._base import Repo, dialect_insert

STANDING = ("cooperative_id", "framework", "assessment_id", "period", "total", "category")


class AssessmentRepo(Repo):
    """Stored health assessments."""

    async def add(self, assessment: Assessment) -> Assessment:
        """Store an assessment and, in the same transaction, the cooperative's latest standing with its framework:
        it becomes the standing unless the standing is of a later period (a correction of an older period)."""
        self.session.add(assessment)
        await self.session.flush()
        values: dict[str, Any] = {
            "cooperative_id": assessment.cooperative_id,
            "framework": assessment.framework,
            "assessment_id": assessment.id,
            "period": assessment.period,
            "total": assessment.total,
            "category": assessment.category,
        }
        stmt = dialect_insert(self.dialect, LatestStanding).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["cooperative_id", "framework"],
            set_={key: stmt.excluded[key] for key in STANDING[2:]},
            where=LatestStanding.period <= stmt.excluded.period,
        )
        await self.session.execute(stmt)
        return assessment

    async def rebuild_standings(self) -> None:
        """Every cooperative's latest standing from the stored assessments (after a bulk load), in one statement."""
        ranked = select(
            *(getattr(Assessment, key) for key in ("cooperative_id", "framework", "id", "period", "total", "category")),
            func.row_number()
            .over(
                partition_by=(Assessment.cooperative_id, Assessment.framework),
                order_by=(Assessment.period.desc(), Assessment.id.desc()),
            )
            .label("rank"),
        ).subquery()
        latest = select(*(c for c in ranked.c if c.key != "rank")).where(ranked.c.rank == 1)
        await self.session.execute(delete(LatestStanding))
        await self.session.execute(insert(LatestStanding).from_select(list(STANDING), latest))

    async def history(self, cooperative_id: int, limit: int = 6) -> list[Assessment]:
        """The latest assessment per period and framework (a cooperative with a savings unit has two), of the last
        `limit` assessed periods, newest first."""
        stmt = (
            select(Assessment)
            .where(Assessment.cooperative_id == cooperative_id)
            .order_by(Assessment.period.desc(), Assessment.id.desc())
        )
        seen: dict[tuple[str, str], Assessment] = {}
        for row in (await self.session.scalars(stmt.limit(limit * 8))).all():
            seen.setdefault((row.period, row.framework), row)
        periods = sorted({period for period, _ in seen}, reverse=True)[:limit]
        return [row for (period, _), row in seen.items() if period in periods]

    async def of_period(self, period: str) -> dict[int, Assessment]:
        """Each cooperative's latest assessment of `period`."""
        stmt = select(Assessment).where(Assessment.period == period).order_by(Assessment.id)
        return {a.cooperative_id: a for a in (await self.session.scalars(stmt)).all()}

    async def latest_by_cooperative(self, framework: str) -> dict[int, Assessment]:
        stmt = select(Assessment).where(Assessment.framework == framework).order_by(Assessment.id)
        return {a.cooperative_id: a for a in (await self.session.scalars(stmt)).all()}

    async def latest_categories(self) -> dict[int, str]:
        """Each cooperative's latest health category (by period, then newest assessment)."""
        stmt = (
            select(Assessment.cooperative_id, Assessment.category)
            .where(Assessment.category.is_not(None))
            .order_by(Assessment.period, Assessment.id)
        )
        return {int(r[0]): str(r[1]) for r in await self.session.execute(stmt)}


class CoachingRepo(Repo):
    """The cooperative's coaching record."""

    async def add(self, entry: CoachingEntry) -> CoachingEntry:
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def of_cooperative(self, cooperative_id: int, limit: int = 20) -> list[CoachingEntry]:
        stmt = select(CoachingEntry).where(CoachingEntry.cooperative_id == cooperative_id)
        return list((await self.session.scalars(stmt.order_by(CoachingEntry.id.desc()).limit(limit))).all())
