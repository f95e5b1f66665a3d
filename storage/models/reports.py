"""The monthly report: its revisions, the office's review, the yearly management answers, assessments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Report(Base):
    """The monthly report of one cooperative for one period: one draft, then submitted revisions."""

    __tablename__ = "reports"
    # who reported a period, and when, is read from ix_reports_period_status alone (rekap, report-status, the office)
    __table_args__ = (
        UniqueConstraint("cooperative_id", "period"),
        Index("ix_reports_period_status", "period", "status", "cooperative_id", "first_submitted_at"),
        # the submitted reports in each review state (waiting, sent back, verified), by period: the review list reads
        # a period's reports (and a state's of every period) from the index alone on PostgreSQL, not their heap pages
        Index(
            "ix_reports_review_state",
            "review_state",
            "period",
            "id",
            postgresql_include=["cooperative_id", "latest_revision", "first_submitted_at"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | submitted
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # answers so far (strings)
    draft_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    draft_updated_at: Mapped[datetime | None] = mapped_column()
    first_submitted_at: Mapped[datetime | None] = mapped_column()
    latest_revision: Mapped[int] = mapped_column(Integer, default=0)
    # a submitted report's review state: "waiting" (set by a submission, a correction too: the latest revision has
    # no decision yet), else the latest revision's last decision, "sent_back" or "verified" (None: not submitted)
    review_state: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportRevision(Base):
    """One submitted version of a report; never changed, never deleted."""

    __tablename__ = "report_revisions"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)  # key -> decimal string / "ya" / "tidak"
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # key -> [old, new]
    # the checks' warnings when it was sent: id, kind, keys, sums compared, confirmed, the officer's reason
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportReview(Base):
    """The office's decision on one revision of a report: verified, or sent back with a reason; never changed.

    A correction adds a revision without a review: it waits for review again."""

    __tablename__ = "report_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)  # the revision's number
    action: Mapped[str] = mapped_column(String(16))  # verified | sent_back
    reason: Mapped[str | None] = mapped_column(Text)
    staff_id: Mapped[int] = mapped_column(ForeignKey("office_staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ManagementAnswer(Base):
    """The cooperative's latest yes/no answer to one management questionnaire item, carried forward."""

    __tablename__ = "management_answers"
    __table_args__ = (UniqueConstraint("cooperative_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    item_key: Mapped[str] = mapped_column(String(40))  # management.general.3
    answer: Mapped[bool] = mapped_column(Boolean)
    wording_hash: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))


class Assessment(Base):
    """A health assessment computed from one report revision, with the clinic's diagnosis and prescription.

    Its standing: provisional (sementara) until a pembina verifies it (terverifikasi, by whom and when); the
    year-end assessment of a book year whose RAT is recorded becomes official (resmi) once verified.
    """

    __tablename__ = "assessments"
    # the office's counts per period and category (the latest of each cooperative) read ix_assessments_latest alone
    __table_args__ = (
        Index("ix_assessments_cooperative_framework_period", "cooperative_id", "framework", "period"),
        Index("ix_assessments_latest", "framework", "period", "cooperative_id", "id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("report_revisions.id"))
    period: Mapped[str] = mapped_column(String(7))
    framework: Mapped[str] = mapped_column(String(32))
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    provisional: Mapped[bool] = mapped_column(Boolean, default=True)
    total: Mapped[Decimal | None] = mapped_column()
    category: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    rules_hash: Mapped[str] = mapped_column(String(64))
    standing: Mapped[str] = mapped_column(String(16), default="provisional")  # provisional | verified | official
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
    verified_at: Mapped[datetime | None] = mapped_column()
    book_year: Mapped[int | None] = mapped_column(Integer)  # set when official: the book year it closes
    special_flag: Mapped[bool] = mapped_column(Boolean, default=False)  # a flag points to DPK
    diagnosis: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # state, findings, weak keys
    prescription: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the plan's items and compliance steps
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LatestStanding(Base):
    """Each cooperative's latest assessment with one framework (the newest of its latest period), kept in the
    transaction that stores an assessment: the office's list, filters, sort and export join it by key instead of
    ranking every assessment."""

    __tablename__ = "latest_standings"
    __table_args__ = (Index("ix_latest_standings_framework_category", "framework", "category", "cooperative_id"),)

    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), primary_key=True)
    framework: Mapped[str] = mapped_column(String(32), primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    period: Mapped[str] = mapped_column(String(7))
    total: Mapped[Decimal | None] = mapped_column()
    category: Mapped[str | None] = mapped_column(String(32))
    special_flag: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # latest's flag
    # the totals of the two assessed periods before `period` (newest first): the worklist's "falling" reads them
    previous_total: Mapped[Decimal | None] = mapped_column()
    earlier_total: Mapped[Decimal | None] = mapped_column()


class PeriodStanding(Base):
    """Each cooperative's newest assessment with one framework in each period it was assessed, kept in the
    transaction that stores an assessment: the overview's trend counts these small rows instead of ranking every
    assessment, and the latest standing's last three totals are read from them."""

    __tablename__ = "period_standings"
    __table_args__ = (Index("ix_period_standings_counts", "framework", "period", "category", "cooperative_id"),)

    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), primary_key=True)
    framework: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    total: Mapped[Decimal | None] = mapped_column()
    category: Mapped[str | None] = mapped_column(String(32))
    special_flag: Mapped[bool] = mapped_column(Boolean, default=False)


class StandingCount(Base):
    """How many cooperatives stand in each category, per framework, period and cooperative type: the period standings
    (`latest` false) and the latest standings (`latest` true, by their period); `paired`: the cooperative also has a
    standing with another framework (in that period; for the latest standings, at all). Kept by the transactions
    that store an assessment or change a cooperative's type, added at their commit in key order
    (storage/standing_counts.py): the whole city's overview sums a few hundred of these rows instead of counting
    every standing."""

    __tablename__ = "standing_counts"

    latest: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    framework: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    cooperative_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" when the standing has none
    paired: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    cooperatives: Mapped[int] = mapped_column(Integer)
