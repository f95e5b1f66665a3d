"""Trainings and clinics: sessions, registrations, attendance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Training(Base):
    """A Bimtek, pelatihan or coaching clinic (klinik)."""

    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # bimtek | pelatihan | klinik
    venue: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None] = mapped_column(Integer)
    segment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    registration_deadline: Mapped[datetime | None] = mapped_column()
    attendance_code_hash: Mapped[str | None] = mapped_column(String(64))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("office_staff.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | cancelled | done
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingSession(Base):
    """One sitting of a training (a training may span days)."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()


class TrainingRegistration(Base):
    """An officer's registration: registered, waitlisted (in order), cancelled or declined."""

    __tablename__ = "training_registrations"
    __table_args__ = (UniqueConstraint("training_id", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    status: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Attendance(Base):
    """An officer's presence at a training session."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("training_id", "officer_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_sessions.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
