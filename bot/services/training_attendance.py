"""A training's attendance: the code shown at the venue (stored hashed, keyed), checking in with it, and the list
of everyone who answered or came (also as CSV)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.access import Staff, may_read_training, may_run_training
from bot.services.invites import ALPHABET, normalise
from bot.services.keys import keyed_hash, server_key
from bot.services.reports import NotAllowed
from bot.words import render
from storage.models import CoachingEntry, Training
from storage.repositories import Repositories

CODE_LENGTH = 6
CHECK_IN_EARLY = timedelta(hours=2)
CHECK_IN_LATE = timedelta(hours=6)


@dataclass(frozen=True)
class RosterLine:
    """One officer on a training's list."""

    officer_id: int
    officer: str
    role: str
    cooperative: str
    nik: str
    status: str
    position: int
    attended_at: datetime | None
    timezone: str = "Asia/Jakarta"  # the cooperative's, for its local times


def attendance_hash(key: bytes, training_id: int, code: str) -> str:
    """The stored form of a training's attendance code (keyed, like invitation codes)."""
    return keyed_hash(key, "attendance", f"{training_id}:{normalise(code)}")


def legacy_attendance_hash(training_id: int, code: str) -> str:
    """How attendance codes made before the keyed hash were stored; still accepted until a new code is made."""
    return hashlib.sha256(f"kopsehat-attendance:{training_id}:{normalise(code)}".encode()).hexdigest()


async def new_attendance_code(repos: Repositories, training_id: int, by: Staff | None) -> str | None:
    """A fresh attendance code for the venue (the old one stops working); stored hashed. None: no training.

    `by`: an admin, or a pembina of the training's kecamatan (else NotAllowed); None: the server's operator."""
    training = await repos.trainings.get(training_id, lock=True)
    if training is None:
        return None
    if not may_run_training(training, by):
        raise NotAllowed(f"staff:{by.id if by else '-'} may not make the code of training {training_id}")
    actor = f"staff:{by.id}" if by is not None else "cli"
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    training.attendance_code_hash = attendance_hash(await server_key(repos), training_id, code)
    await repos.audit.add(actor, "training.attendance_code", f"training:{training_id}")
    return code


async def check_in(
    repos: Repositories, code: str, officer_id: int, cooperative_id: int, now: datetime
) -> tuple[Training | None, bool]:
    """Record attendance for the running training this code belongs to; (training or None, newly recorded)."""
    cleaned = normalise(code)
    if not cleaned:
        return None, False
    key = await server_key(repos)
    for training in await repos.trainings.running(now + CHECK_IN_EARLY, now - CHECK_IN_LATE):
        stored = training.attendance_code_hash or ""
        expected = (attendance_hash(key, training.id, cleaned), legacy_attendance_hash(training.id, cleaned))
        if not any(hmac.compare_digest(stored, h) for h in expected):
            continue
        sessions = (await repos.trainings.sessions([training.id]))[training.id]
        current = next(
            (s for s in sessions if s.starts_at <= now + CHECK_IN_EARLY and s.ends_at >= now - CHECK_IN_LATE), None
        )
        session_id = current.id if current else None
        seen = [a for a in await repos.trainings.attendance(training.id) if a.officer_id == officer_id]
        if any(a.session_id == session_id for a in seen):
            return training, False
        await repos.trainings.record_attendance(training.id, session_id, officer_id, now)
        recorded = await repos.clinic.entries_of(cooperative_id, limit=200)
        if not any(e.data.get("training_id") == training.id for e in recorded):  # one entry per cooperative
            clinic = training.kind == "klinik"
            await repos.coaching.add(
                CoachingEntry(
                    cooperative_id=cooperative_id,
                    kind="clinic_visit" if clinic else "training",
                    summary=render.text("id", "trainings.attended_entry", clinic=clinic, title=training.title),
                    data={"training_id": training.id, "session_id": session_id, "officer_id": officer_id},
                    created_at=now,
                )
            )
        await repos.audit.add(f"officer:{officer_id}", "training.attended", f"training:{training.id}")
        return training, True
    return None, False


async def roster(repos: Repositories, training_id: int, by: Staff | None) -> list[RosterLine]:
    """Everyone who answered or attended: registered, waitlisted (in order), cancelled, declined, walk-ins.

    `by`: staff whose area holds the training's kecamatan (else NotAllowed); None: the server's operator."""
    training = await repos.trainings.get(training_id)
    if training is not None and not may_read_training(training, by):
        raise NotAllowed(f"staff:{by.id if by else '-'} may not read the roster of training {training_id}")
    rows = await repos.trainings.registrations(training_id)
    attended: dict[int, datetime] = {}
    for entry in await repos.trainings.attendance(training_id):
        attended.setdefault(entry.officer_id, entry.at)
    ids = [r.officer_id for r in rows] + [o for o in attended if o not in {r.officer_id for r in rows}]
    people = await repos.officers.with_cooperatives(ids)
    statuses = {r.officer_id: (r.status, r.position) for r in rows}
    order = {"registered": 0, "waitlisted": 1, "walk-in": 2, "cancelled": 3, "declined": 4}
    lines = []
    for officer_id in ids:
        if officer_id not in people:
            continue
        officer, cooperative = people[officer_id]
        status, position = statuses.get(officer_id, ("walk-in", 0))
        lines.append(
            RosterLine(
                officer_id,
                officer.name,
                officer.role,
                cooperative.name,
                cooperative.nik or "",
                status,
                position,
                attended.get(officer_id),
                cooperative.timezone,
            )
        )
    return sorted(lines, key=lambda line: (order.get(line.status, 9), line.position, line.officer))


def roster_csv(lines: list[RosterLine], zone: ZoneInfo) -> str:
    """The list as CSV for Excel: one row per officer."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["officer_id", "officer", "role", "cooperative", "nik", "status", "position", "attended_at"])
    for line in lines:
        attended = line.attended_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if line.attended_at else ""
        writer.writerow(
            [line.officer_id, line.officer, line.role, line.cooperative, line.nik, line.status, line.position, attended]
        )
    return out.getvalue()
