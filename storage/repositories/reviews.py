"""The office's review of reports: decisions on revisions (append-only), and the queue of reports by review state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import aliased

from storage.models import Assessment, Cooperative, Region, Report, ReportReview, ReportRevision
from storage.repositories._base import Repo

STATES = ("waiting", "sent_back", "verified")


@dataclass(frozen=True)
class QueueRow:
    """A submitted report as the review list shows it: its cooperative, latest revision, score and review state."""

    report_id: int
    cooperative_id: int
    nik: str | None
    name: str
    kecamatan: str | None
    timezone: str
    period: str
    revision: int
    submitted_at: datetime | None  # the latest revision's time
    total: Decimal | None
    category: str | None
    state: str  # waiting | sent_back | verified


class ReviewRepo(Repo):
    """Review decisions and the review queue."""

    async def add(
        self, report_id: int, revision: int, action: str, staff_id: int, at: datetime, reason: str | None = None
    ) -> ReportReview:
        review = ReportReview(
            report_id=report_id, revision=revision, action=action, reason=reason, staff_id=staff_id, created_at=at
        )
        self.session.add(review)
        await self.session.flush()
        return review

    async def of_report(self, report_id: int) -> list[ReportReview]:
        """Every decision on a report, oldest first."""
        stmt = select(ReportReview).where(ReportReview.report_id == report_id).order_by(ReportReview.id)
        return list((await self.session.scalars(stmt)).all())

    @staticmethod
    def _state() -> ColumnElement[Any]:
        last = (
            select(ReportReview.action)
            .where(ReportReview.report_id == Report.id, ReportReview.revision == Report.latest_revision)
            .order_by(ReportReview.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        return func.coalesce(last, literal("waiting"))

    async def queue(
        self,
        framework: str,
        *,
        scope: int | None,
        kecamatan_id: int | None = None,
        period: str | None = None,
        states: tuple[str, ...] = STATES,
        limit: int | None = None,
    ) -> tuple[list[QueueRow], int]:
        """Submitted reports in the scope (and kecamatan, period) whose review state is one of `states`, newest
        period first; the rows (at most `limit`) and how many there are in all."""
        state = self._state().label("state")
        scored = aliased(Assessment)
        latest = (
            select(func.max(scored.id))
            .where(
                scored.cooperative_id == Report.cooperative_id,
                scored.period == Report.period,
                scored.framework == framework,
            )
            .correlate(Report)
            .scalar_subquery()
        )
        submitted = (
            select(ReportRevision.created_at)
            .where(ReportRevision.report_id == Report.id, ReportRevision.number == Report.latest_revision)
            .scalar_subquery()
        )
        stmt = (
            select(
                Report.id,
                Cooperative.id,
                Cooperative.nik,
                Cooperative.name,
                Region.name,
                Cooperative.timezone,
                Report.period,
                Report.latest_revision,
                func.coalesce(submitted, Report.first_submitted_at),
                Assessment.total,
                Assessment.category,
                state,
            )
            .join(Cooperative, Cooperative.id == Report.cooperative_id)
            .outerjoin(Region, Region.id == Cooperative.kecamatan_id)
            .outerjoin(Assessment, Assessment.id == latest)
            .where(Report.status == "submitted", self._state().in_(list(states)))
        )
        if scope is not None:
            stmt = stmt.where(Cooperative.kecamatan_id == scope)
        if kecamatan_id is not None:
            stmt = stmt.where(Cooperative.kecamatan_id == kecamatan_id)
        if period is not None:
            stmt = stmt.where(Report.period == period)
        total = int((await self.session.scalar(select(func.count()).select_from(stmt.subquery()))) or 0)
        stmt = stmt.order_by(Report.period.desc(), Region.name, Cooperative.name, Report.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = [
            QueueRow(int(r[0]), int(r[1]), r[2], r[3], r[4], r[5], r[6], int(r[7]), r[8], r[9], r[10], str(r[11]))
            for r in await self.session.execute(stmt)
        ]
        return rows, total
