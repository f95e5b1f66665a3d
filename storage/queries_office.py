"""Queries for the office's work (segments, trainings, announcements), kept apart from the core repositories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import (
    Announcement,
    Assessment,
    Attendance,
    ChannelIdentity,
    Cooperative,
    Officer,
    OutboxMessage,
    Region,
    Report,
    Training,
    TrainingRegistration,
    TrainingSession,
)
from storage.repositories import Repositories

STOPPED_BY_RECIPIENT = "stopped by the recipient (BERHENTI)"  # an announcement row withdrawn after BERHENTI
CHUNK = 1000  # ids per IN list; rows per insert is a fifth of it (bound parameters stay well under the limits)


@dataclass(frozen=True)
class CooperativeFacts:
    """What a segment may ask of a cooperative."""

    id: int
    nik: str | None
    type: str
    tags: tuple[str, ...]
    kecamatan_id: int | None
    kelurahan_id: int | None
    timezone: str


@dataclass(frozen=True)
class OfficerFacts:
    """An active officer as a possible recipient."""

    id: int
    cooperative_id: int
    name: str
    language: str
    paused: bool


def _locked(repos: Repositories, stmt: Select[Any]) -> Select[Any]:
    return stmt.with_for_update() if repos.session.get_bind().dialect.name == "postgresql" else stmt


async def cooperative_facts(repos: Repositories) -> list[CooperativeFacts]:
    """Every cooperative, with the fields segments filter on."""
    stmt = select(
        Cooperative.id,
        Cooperative.nik,
        Cooperative.type,
        Cooperative.tags,
        Cooperative.kecamatan_id,
        Cooperative.kelurahan_id,
        Cooperative.timezone,
    ).order_by(Cooperative.id)
    return [
        CooperativeFacts(r[0], r[1], r[2], tuple(r[3] or ()), r[4], r[5], r[6] or "Asia/Jakarta")
        for r in await repos.session.execute(stmt)
    ]


async def active_officers(repos: Repositories) -> list[OfficerFacts]:
    """Every active officer, in id order."""
    stmt = (
        select(Officer.id, Officer.cooperative_id, Officer.name, Officer.language, Officer.announcements_paused)
        .where(Officer.status == "active")
        .order_by(Officer.id)
    )
    return [OfficerFacts(r[0], r[1], r[2], r[3] or "id", bool(r[4])) for r in await repos.session.execute(stmt)]


async def region_ids(repos: Repositories, kinds: tuple[str, ...], name: str) -> list[int]:
    """The ids of regions of these kinds with this name (case-insensitive)."""
    stmt = select(Region.id).where(Region.kind.in_(kinds), func.lower(Region.name) == name.strip().lower())
    return list((await repos.session.scalars(stmt)).all())


async def latest_categories(repos: Repositories) -> dict[int, str]:
    """Each cooperative's latest health category (by period, then newest assessment)."""
    stmt = (
        select(Assessment.cooperative_id, Assessment.category)
        .where(Assessment.category.is_not(None))
        .order_by(Assessment.period, Assessment.id)
    )
    return {int(r[0]): str(r[1]) for r in await repos.session.execute(stmt)}


async def reported_cooperatives(repos: Repositories, period: str) -> set[int]:
    """Cooperatives whose report for `period` has been submitted."""
    stmt = select(Report.cooperative_id).where(Report.period == period, Report.status == "submitted")
    return set((await repos.session.scalars(stmt)).all())


async def training(repos: Repositories, training_id: int, *, lock: bool = False) -> Training | None:
    """One training (locked on PostgreSQL when registrations change)."""
    stmt = select(Training).where(Training.id == training_id)
    return (await repos.session.scalars(_locked(repos, stmt) if lock else stmt)).first()


async def sessions(repos: Repositories, training_ids: list[int]) -> dict[int, list[TrainingSession]]:
    """The sessions of these trainings, in time order."""
    if not training_ids:
        return {}
    stmt = (
        select(TrainingSession)
        .where(TrainingSession.training_id.in_(training_ids))
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    found: dict[int, list[TrainingSession]] = {t: [] for t in training_ids}
    for row in (await repos.session.scalars(stmt)).all():
        found[row.training_id].append(row)
    return found


async def trainings_between(repos: Repositories, start: datetime, end: datetime) -> list[Training]:
    """Open trainings with a session starting in [start, end), ordered by first session."""
    stmt = (
        select(Training)
        .join(TrainingSession, TrainingSession.training_id == Training.id)
        .where(Training.status == "open", TrainingSession.starts_at >= start, TrainingSession.starts_at < end)
        .group_by(Training.id)
        .order_by(func.min(TrainingSession.starts_at), Training.id)
    )
    return list((await repos.session.scalars(stmt)).all())


async def trainings_running(repos: Repositories, moment: datetime, margin_start: datetime) -> list[Training]:
    """Open trainings with a session that started before `moment` (after margin) and has not long ended."""
    stmt = (
        select(Training)
        .join(TrainingSession, TrainingSession.training_id == Training.id)
        .where(Training.status == "open", TrainingSession.starts_at <= moment, TrainingSession.ends_at >= margin_start)
        .group_by(Training.id)
        .order_by(Training.id)
    )
    return list((await repos.session.scalars(stmt)).all())


async def all_trainings(repos: Repositories, limit: int = 50) -> list[Training]:
    """The latest trainings, newest first."""
    stmt = select(Training).order_by(Training.id.desc()).limit(limit)
    return list((await repos.session.scalars(stmt)).all())


async def registrations(repos: Repositories, training_id: int) -> list[TrainingRegistration]:
    """A training's registrations: registered first, then the waitlist in order, then the rest."""
    stmt = (
        select(TrainingRegistration)
        .where(TrainingRegistration.training_id == training_id)
        .order_by(TrainingRegistration.position, TrainingRegistration.id)
    )
    return list((await repos.session.scalars(stmt)).all())


async def registration(repos: Repositories, training_id: int, officer_id: int) -> TrainingRegistration | None:
    stmt = select(TrainingRegistration).where(
        TrainingRegistration.training_id == training_id, TrainingRegistration.officer_id == officer_id
    )
    return (await repos.session.scalars(stmt)).first()


async def registrations_of(repos: Repositories, officer_id: int) -> dict[int, TrainingRegistration]:
    stmt = select(TrainingRegistration).where(TrainingRegistration.officer_id == officer_id)
    return {r.training_id: r for r in (await repos.session.scalars(stmt)).all()}


async def registered_counts(repos: Repositories, training_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per training: how many registered, waitlisted, cancelled, declined."""
    if not training_ids:
        return {}
    stmt = (
        select(TrainingRegistration.training_id, TrainingRegistration.status, func.count(TrainingRegistration.id))
        .where(TrainingRegistration.training_id.in_(training_ids))
        .group_by(TrainingRegistration.training_id, TrainingRegistration.status)
    )
    counts: dict[int, dict[str, int]] = {t: {} for t in training_ids}
    for training_id, status, count in await repos.session.execute(stmt):
        counts[training_id][status] = int(count)
    return counts


async def attendance(repos: Repositories, training_id: int) -> list[Attendance]:
    stmt = select(Attendance).where(Attendance.training_id == training_id).order_by(Attendance.at, Attendance.id)
    return list((await repos.session.scalars(stmt)).all())


async def officers_by_id(repos: Repositories, ids: list[int]) -> dict[int, tuple[Officer, Cooperative]]:
    """Officers with their cooperatives."""
    if not ids:
        return {}
    stmt = (
        select(Officer, Cooperative)
        .join(Cooperative, Cooperative.id == Officer.cooperative_id)
        .where(Officer.id.in_(set(ids)))
    )
    return {row[0].id: (row[0], row[1]) for row in await repos.session.execute(stmt)}


async def announcement_rows(repos: Repositories, announcement_id: int) -> list[OutboxMessage]:
    """The outbox rows of one announcement, in recipient order."""
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.announcement_id == announcement_id)
        .order_by(OutboxMessage.officer_id, OutboxMessage.id)
    )
    return list((await repos.session.scalars(stmt)).all())


async def withdraw_pending_announcements(repos: Repositories, officer_id: int, at: datetime) -> int:
    """Stop announcements not yet sent to an officer who said BERHENTI; how many were stopped."""
    result = await repos.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.officer_id == officer_id,
            OutboxMessage.announcement_id.is_not(None),
            OutboxMessage.status == "pending",
        )
        .values(status="failed", last_error=STOPPED_BY_RECIPIENT, updated_at=at)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def latest_announcement(repos: Repositories, staff_id: int | None) -> Announcement | None:
    """The latest announcement (of one author when given)."""
    stmt = select(Announcement).order_by(Announcement.id.desc()).limit(1)
    if staff_id is not None:
        stmt = stmt.where(Announcement.staff_id == staff_id)
    return (await repos.session.scalars(stmt)).first()


async def identities_of_officers(repos: Repositories, officer_ids: list[int]) -> dict[int, list[ChannelIdentity]]:
    """The chat accounts of many officers at once, in id order."""
    found: dict[int, list[ChannelIdentity]] = {o: [] for o in officer_ids}
    for start in range(0, len(officer_ids), CHUNK):
        part = officer_ids[start : start + CHUNK]
        stmt = select(ChannelIdentity).where(ChannelIdentity.officer_id.in_(part)).order_by(ChannelIdentity.id)
        for identity in (await repos.session.scalars(stmt)).all():
            found[identity.officer_id or 0].append(identity)
    return found


async def insert_outbox_rows(repos: Repositories, rows: list[dict[str, Any]]) -> int:
    """Insert many outbox rows (all with the same columns), skipping dedupe keys already there; how many are new."""
    table = OutboxMessage.__table__
    made = 0
    for start in range(0, len(rows), CHUNK // 5):
        part = rows[start : start + CHUNK // 5]
        dialect = postgresql if repos.session.get_bind().dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(table).values(part).on_conflict_do_nothing().returning(table.c.id)
        made += len((await repos.session.execute(stmt)).all())
    return made
