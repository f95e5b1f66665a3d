"""Stored health assessments and the coaching record."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Assessment, CoachingEntry
from storage.repositories._base import Repo


class AssessmentRepo(Repo):
    """Stored health assessments."""

    async def add(self, assessment: Assessment) -> Assessment:
        self.session.add(assessment)
        await self.session.flush()
        return assessment

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
