"""The office's review of reports: decisions on revisions (append-only), and the queue of reports by review state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, literal, or_, select
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
    def _decisions() -> Any:
        """Each reviewed revision's last decision: (report_id, revision, action). Decisions are few (a person makes
        each), so the queue joins them instead of looking one up for every submitted report."""
        order = func.row_number().over(
            partition_by=(ReportReview.report_id, ReportReview.revision), order_by=ReportReview.id.desc()
        )
        ranked = select(
            ReportReview.report_id, ReportReview.revision, ReportReview.action, order.label("nth")
        ).subquery()
        return (
            select(ranked.c.report_id, ranked.c.revision, ranked.c.action).where(ranked.c.nth == 1).subquery("decided")
        )

    @staticmethod
    def _waiting_or(action: ColumnElement[Any], states: tuple[str, ...]) -> ColumnElement[Any]:
        """The review state is one of `states`: "waiting" is no decision on the latest revision (an anti-join)."""
        decided = [s for s in states if s != "waiting"]
        if "waiting" not in states:
            return action.in_(decided)
        return or_(action.is_(None), action.in_(decided)) if decided else action.is_(None)

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
        decided = self._decisions()
        found = (
            select(
                Report.id.label("report_id"),
                Cooperative.id.label("cooperative_id"),
                Cooperative.nik,
                Cooperative.name,
                Region.name.label("kecamatan"),
                Cooperative.timezone,
                Report.period,
                Report.latest_revision,
                Report.first_submitted_at,
                func.coalesce(decided.c.action, literal("waiting")).label("state"),
            )
            .join(Cooperative, Cooperative.id == Report.cooperative_id)
            .outerjoin(Region, Region.id == Cooperative.kecamatan_id)
            .outerjoin(decided, (decided.c.report_id == Report.id) & (decided.c.revision == Report.latest_revision))
            .where(Report.status == "submitted", self._waiting_or(decided.c.action, states))
        )
        if scope is not None:
            found = found.where(Cooperative.kecamatan_id == scope)
        if kecamatan_id is not None:
            found = found.where(Cooperative.kecamatan_id == kecamatan_id)
        if period is not None:
            found = found.where(Report.period == period)
        total = int((await self.session.scalar(select(func.count()).select_from(found.subquery()))) or 0)
        order = (Report.period.desc(), Region.name, Cooperative.name, Report.id)
        shown = found.order_by(*order)
        if limit is not None:
            shown = shown.limit(limit)
        page = shown.subquery("shown")  # the page's rows first; their score and time are read for them alone
        scored = aliased(Assessment)
        latest = (
            select(func.max(scored.id))
            .where(
                scored.cooperative_id == page.c.cooperative_id,
                scored.period == page.c.period,
                scored.framework == framework,
            )
            .correlate(page)
            .scalar_subquery()
        )
        submitted = (
            select(ReportRevision.created_at)
            .where(ReportRevision.report_id == page.c.report_id, ReportRevision.number == page.c.latest_revision)
            .correlate(page)
            .scalar_subquery()
        )
        stmt = (
            select(
                page.c.report_id,
                page.c.cooperative_id,
                page.c.nik,
                page.c.name,
                page.c.kecamatan,
                page.c.timezone,
                page.c.period,
                page.c.latest_revision,
                func.coalesce(submitted, page.c.first_submitted_at),
                Assessment.total,
                Assessment.category,
                page.c.state,
            )
            .outerjoin(Assessment, Assessment.id == latest)
            .order_by(page.c.period.desc(), page.c.kecamatan, page.c.name, page.c.report_id)
        )
        rows = [
            QueueRow(int(r[0]), int(r[1]), r[2], r[3], r[4], r[5], r[6], int(r[7]), r[8], r[9], r[10], str(r[11]))
            for r in await self.session.execute(stmt)
        ]
        return rows, total
