"""Trainings and clinics: their sessions, registrations (with the waitlist) and attendance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from storage.models import Attendance, Training, TrainingRegistration, TrainingSession
from storage.repositories._base import Repo


class TrainingRepo(Repo):
    """Trainings and clinics: their sessions, registrations (with the waitlist) and attendance."""

    async def add(self, training: Training, starts_at: datetime, ends_at: datetime) -> TrainingSession:
        """Store a new training with its (first) session; the session."""
        self.session.add(training)
        await self.session.flush()
        session = TrainingSession(training_id=training.id, starts_at=starts_at, ends_at=ends_at)
        self.session.add(session)
        await self.session.flush()
        return session

    async def get(self, training_id: int, *, lock: bool = False) -> Training | None:
        """One training (locked on PostgreSQL when registrations change)."""
        stmt = select(Training).where(Training.id == training_id)
        return (await self.session.scalars(self._locked(stmt) if lock else stmt)).first()

    async def sessions(self, training_ids: Sequence[int]) -> dict[int, list[TrainingSession]]:
        """The sessions of these trainings, in time order."""
        if not training_ids:
            return {}
        stmt = (
            select(TrainingSession)
            .where(TrainingSession.training_id.in_(list(training_ids)))
            .order_by(TrainingSession.starts_at, TrainingSession.id)
        )
        found: dict[int, list[TrainingSession]] = {t: [] for t in training_ids}
        for row in (await self.session.scalars(stmt)).all():
            found[row.training_id].append(row)
        return found

    async def between(self, start: datetime, end: datetime) -> list[Training]:
        """Open trainings with a session starting in [start, end), ordered by first session."""
        stmt = (
            select(Training)
            .join(TrainingSession, TrainingSession.training_id == Training.id)
            .where(Training.status == "open", TrainingSession.starts_at >= start, TrainingSession.starts_at < end)
            .group_by(Training.id)
            .order_by(func.min(TrainingSession.starts_at), Training.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def running(self, moment: datetime, margin_start: datetime) -> list[Training]:
        """Open trainings with a session that started before `moment` and ended after `margin_start`."""
        stmt = (
            select(Training)
            .join(TrainingSession, TrainingSession.training_id == Training.id)
            .where(
                Training.status == "open", TrainingSession.starts_at <= moment, TrainingSession.ends_at >= margin_start
            )
            .group_by(Training.id)
            .order_by(Training.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def recent(self, limit: int = 50) -> list[Training]:
        """The latest trainings, newest first."""
        stmt = select(Training).order_by(Training.id.desc()).limit(limit)
        return list((await self.session.scalars(stmt)).all())

    async def registrations(self, training_id: int) -> list[TrainingRegistration]:
        """A training's registrations: registered first, then the waitlist in order, then the rest."""
        stmt = (
            select(TrainingRegistration)
            .where(TrainingRegistration.training_id == training_id)
            .order_by(TrainingRegistration.position, TrainingRegistration.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def registration(self, training_id: int, officer_id: int) -> TrainingRegistration | None:
        stmt = select(TrainingRegistration).where(
            TrainingRegistration.training_id == training_id, TrainingRegistration.officer_id == officer_id
        )
        return (await self.session.scalars(stmt)).first()

    async def registrations_of(self, officer_id: int) -> dict[int, TrainingRegistration]:
        """An officer's registrations, by training id."""
        stmt = select(TrainingRegistration).where(TrainingRegistration.officer_id == officer_id)
        return {r.training_id: r for r in (await self.session.scalars(stmt)).all()}

    async def save_registration(self, registration: TrainingRegistration) -> None:
        """Store a new or changed registration now (counts and positions read next see it)."""
        self.session.add(registration)
        await self.session.flush()

    async def registered_counts(self, training_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Per training: how many registered, waitlisted, cancelled, declined."""
        if not training_ids:
            return {}
        stmt = (
            select(TrainingRegistration.training_id, TrainingRegistration.status, func.count(TrainingRegistration.id))
            .where(TrainingRegistration.training_id.in_(list(training_ids)))
            .group_by(TrainingRegistration.training_id, TrainingRegistration.status)
        )
        counts: dict[int, dict[str, int]] = {t: {} for t in training_ids}
        for training_id, status, count in await self.session.execute(stmt):
            counts[training_id][status] = int(count)
        return counts

    async def attendance(self, training_id: int) -> list[Attendance]:
        stmt = select(Attendance).where(Attendance.training_id == training_id).order_by(Attendance.at, Attendance.id)
        return list((await self.session.scalars(stmt)).all())

    async def record_attendance(
        self, training_id: int, session_id: int | None, officer_id: int, at: datetime
    ) -> Attendance:
        attendance = Attendance(training_id=training_id, session_id=session_id, officer_id=officer_id, at=at)
        self.session.add(attendance)
        await self.session.flush()
        return attendance
