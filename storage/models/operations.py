"""Running the service: the audit log, scheduler ticks, and the one-time keys of the office's forms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, utcnow


class AuditEntry(Base):
    """Append-only log of what happened and who did it."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))  # officer:12 | staff:3 | cli | system
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str | None] = mapped_column(String(120))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SchedulerTick(Base):
    """A scheduled tick that has run; its unique key makes a tick run once even across processes."""

    __tablename__ = "scheduler_ticks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    ran_at: Mapped[datetime] = mapped_column(default=utcnow)


class FormSubmission(Base):
    """The one-time key of an office web form that made something (a training, an announcement): the same form posted
    again (a double click, the back button, a retry on a slow network) leads to what it made the first time."""

    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("office_staff.id"))
    kind: Mapped[str] = mapped_column(String(24))  # training | announcement | note | plan
    target_id: Mapped[int | None] = mapped_column()  # what the form made
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
