"""Coaching: the rekam medis entries and the action plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class ActionPlan(Base):
    """An action plan agreed with a cooperative: what, who, by when; open until done or cancelled."""

    __tablename__ = "action_plans"
    __table_args__ = (Index("ix_action_plans_status_due_on", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done | cancelled
    concerns: Mapped[list[str]] = mapped_column(JSON, default=list)  # the indicators it treats
    created_by: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()
    done_by: Mapped[str | None] = mapped_column(String(40))  # officer:12 | staff:3


class CoachingEntry(Base):
    """The cooperative's coaching record (rekam medis): diagnoses, prescriptions, clinic visits, notes."""

    __tablename__ = "coaching_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # clinic_visit | training | note | follow_up
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("action_plans.id"), index=True)  # a plan's follow-up
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("coaching_entries.id"), index=True)  # a visit's
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
