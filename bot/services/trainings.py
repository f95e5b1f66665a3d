"""Trainings and coaching clinics: creation with invitations, registration with a waitlist, changes told to those
registered. Reminders are in training_reminders, the attendance code, check-in and the list in training_attendance
(its names are importable from here too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from bot.domain.moments import parse_end as parse_end
from bot.domain.moments import parse_moment as parse_moment
from bot.domain.names import TRAINING_KINDS
from bot.domain.periods import format_datetime, format_time
from bot.services import fanout, segments
from bot.services.access import invited
from bot.services.notices import DEFAULT_QUIET, QuietHours, enqueue_notice, payload_of
from bot.services.segments import Reach, Segment
from bot.services.training_attendance import CODE_LENGTH as CODE_LENGTH
from bot.services.training_attendance import RosterLine as RosterLine
from bot.services.training_attendance import attendance_hash as attendance_hash
from bot.services.training_attendance import check_in as check_in
from bot.services.training_attendance import legacy_attendance_hash as legacy_attendance_hash
from bot.services.training_attendance import new_attendance_code as new_attendance_code
from bot.services.training_attendance import roster as roster
from bot.services.training_attendance import roster_csv as roster_csv
from bot.words import render
from bot.words.messages import Choice, Notice, Reply
from storage.fanout import Greeting
from storage.models import Training, TrainingRegistration, TrainingSession
from storage.repositories import Repositories

ROUTE = "pelatihan"


@dataclass(frozen=True)
class TrainingPlan:
    """What the office fills in for a new training."""

    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    segment: Segment
    venue: str | None = None
    link: str | None = None
    capacity: int | None = None
    deadline: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    """What an officer's registration action did; `status` names the template to say it."""

    # registered | waitlisted | already | declined | cancelled | closed | not_found | not_registered | not_invited
    status: str
    training: Training | None = None
    position: int = 0
    promoted_officer_id: int | None = None


PROBLEMS_EN = {  # a plan's problem (by field and code) as the command line says it
    "empty": "title is empty",
    "kind": f"kind must be one of {', '.join(TRAINING_KINDS)}",
    "past": "the start is in the past",
    "before_start": "the end must be after the start",
    "no_place": "a venue or a link is needed",
    "capacity": "capacity must be at least 1 (or left out for no limit)",
    "after_start": "the registration deadline must be before the start",
}


def plan_problems(plan: TrainingPlan, now: datetime) -> dict[str, str]:
    """What is wrong with a plan, as {field: code} (title, kind, start, end, place, capacity, deadline); empty when it
    can be saved. The web form names each beside its field; `problems` says them in English."""
    found: dict[str, str] = {}
    if not plan.title.strip():
        found["title"] = "empty"
    if plan.kind not in TRAINING_KINDS:
        found["kind"] = "kind"
    if plan.starts_at <= now:
        found["start"] = "past"
    if plan.ends_at <= plan.starts_at:
        found["end"] = "before_start"
    if not (plan.venue or plan.link):
        found["place"] = "no_place"
    if plan.capacity is not None and plan.capacity < 1:
        found["capacity"] = "capacity"
    if plan.deadline is not None and plan.deadline > plan.starts_at:
        found["deadline"] = "after_start"
    return found


def problems(plan: TrainingPlan, now: datetime) -> list[str]:
    """What is wrong with a plan, in English (empty when it can be saved)."""
    return [PROBLEMS_EN[code] for code in plan_problems(plan, now).values()]


def place_of(training: Training) -> str:
    return training.venue or training.link or "-"


async def first_session(repos: Repositories, training_id: int) -> TrainingSession | None:
    found = (await repos.trainings.sessions([training_id])).get(training_id) or []
    return found[0] if found else None


def when_text(session: TrainingSession | None, zone: ZoneInfo, lang: str) -> str:
    """ "Kamis, 19 November 2026 09.00 WIB – 12.00 WIB"."""
    if session is None:
        return "-"
    language = render.as_lang(lang)
    return f"{format_datetime(session.starts_at, zone, language)} – {format_time(session.ends_at, zone, language)}"


def invite_choices(training_id: int, lang: str) -> tuple[Choice, ...]:
    return (
        Choice(f"{ROUTE}:daftar:{training_id}", render.text(lang, "trainings.button_register")),
        Choice(f"{ROUTE}:tidak:{training_id}", render.text(lang, "trainings.button_decline")),
    )


class Created(NamedTuple):
    """A training just saved: how many invitations were new, and whom they reach (as its preview counted them)."""

    training: Training
    invited: int
    reach: Reach


async def create(
    repos: Repositories,
    plan: TrainingPlan,
    *,
    staff_id: int | None,
    now: datetime,
    zone: ZoneInfo,
    quiet: QuietHours | None = DEFAULT_QUIET,
) -> Created:
    """Save the training and its session, and invite the officers of its segment; (training, invited, whom the
    invitations reach as its preview counts them: counted in the database)."""
    training = Training(
        title=plan.title.strip()[:200],
        kind=plan.kind,
        venue=plan.venue,
        link=plan.link,
        capacity=plan.capacity,
        segment=plan.segment.to_json(),
        registration_deadline=plan.deadline,
        staff_id=staff_id,
        status="open",
        created_at=now,
    )
    session = await repos.trainings.add(training, plan.starts_at, plan.ends_at)
    invited = await invite(repos, training, session, plan.segment, now=now, zone=zone, quiet=quiet)
    reach = (await segments.count(repos, plan.segment)).reach  # counted in the database, nobody read into Python
    actor = f"staff:{staff_id}" if staff_id else "cli"
    await repos.audit.add(actor, "training.created", f"training:{training.id}", invited=invited)
    return Created(training, invited, reach)


async def invite(
    repos: Repositories,
    training: Training,
    session: TrainingSession,
    segment: Segment,
    *,
    now: datetime,
    zone: ZoneInfo,
    quiet: QuietHours | None,
) -> int:
    """One training_invite notice per reachable officer of the segment (not those who said BERHENTI); how many were
    new. Made by the database, a chunk of officers a statement: the text rendered once per language, each officer's
    name put in its place by SQL (the same bytes `text.replace(NAME_MARK, name)` gives)."""
    payloads: dict[str, dict[str, Any]] = {
        lang: payload_of(
            Notice(
                "training_invite",
                "",
                Reply(_invitation(training, session, zone, lang), invite_choices(training.id, lang)),
            )
        )
        for lang in render.LANGS
    }
    return await fanout.officer_rows(
        repos,
        segment,
        (f"training:{training.id}:officer-", ":invite"),
        "training_invite",
        Greeting.of(payloads, NAME_MARK),
        when=now,
        now=now,
        quiet=quiet,
        priority=6,
    )


NAME_MARK = "\ue000name\ue000"  # where an invitation rendered once per language takes each officer's name


def _invitation(training: Training, session: TrainingSession, zone: ZoneInfo, lang: render.Lang) -> str:
    """The invitation's text in `lang`, with `NAME_MARK` for the officer's name."""
    return render.text(
        lang,
        "trainings.invite",
        name=NAME_MARK,
        title=training.title,
        kind=training.kind,
        when=when_text(session, zone, lang),
        place=place_of(training),
        capacity=training.capacity,
        deadline=format_datetime(training.registration_deadline, zone, lang)
        if training.registration_deadline
        else None,
    )


def _closed(training: Training | None, session: TrainingSession | None, now: datetime) -> bool:
    if training is None or training.status != "open":
        return True
    if training.registration_deadline is not None and now > training.registration_deadline:
        return True
    return session is not None and now >= session.starts_at


async def _next_position(repos: Repositories, training_id: int) -> int:
    return max((r.position for r in await repos.trainings.registrations(training_id)), default=0) + 1


async def register(repos: Repositories, training_id: int, officer_id: int, now: datetime) -> Outcome:
    """Register an officer, or put them on the waitlist when the training is full."""
    training = await repos.trainings.get(training_id, lock=True)
    if training is None:
        return Outcome("not_found")
    existing = await repos.trainings.registration(training_id, officer_id)
    if existing is not None and existing.status in ("registered", "waitlisted"):
        return Outcome("already", training, existing.position if existing.status == "waitlisted" else 0)
    if not await _may_answer(repos, training, officer_id):
        return Outcome("not_invited", training)
    if _closed(training, await first_session(repos, training_id), now):
        return Outcome("closed", training)
    counts = (await repos.trainings.registered_counts([training_id]))[training_id]
    full = training.capacity is not None and counts.get("registered", 0) >= training.capacity
    status = "waitlisted" if full else "registered"
    position = await _next_position(repos, training_id)
    if existing is None:
        existing = TrainingRegistration(training_id=training_id, officer_id=officer_id, created_at=now)
    existing.status, existing.position, existing.updated_at = status, position, now
    await repos.trainings.save_registration(existing)
    await repos.audit.add(f"officer:{officer_id}", f"training.{status}", f"training:{training_id}")
    return Outcome(status, training, await waitlist_place(repos, training_id, officer_id) if full else 0)


async def _may_answer(repos: Repositories, training: Training, officer_id: int) -> bool:
    """An active officer of a cooperative the training is for (its segment, or the invitation they were sent)."""
    officer = await repos.officers.get(officer_id)
    if officer is None or officer.status != "active":
        return False
    return await invited(repos, training, officer_id, officer.cooperative_id)


async def waitlist_place(repos: Repositories, training_id: int, officer_id: int) -> int:
    """1 for the first on the waitlist, and so on (0 when not waiting)."""
    waiting = [r.officer_id for r in await repos.trainings.registrations(training_id) if r.status == "waitlisted"]
    return waiting.index(officer_id) + 1 if officer_id in waiting else 0


async def decline(repos: Repositories, training_id: int, officer_id: int, now: datetime) -> Outcome:
    """ "Tidak" on an invitation: recorded; a registration is cancelled instead."""
    existing = await repos.trainings.registration(training_id, officer_id)
    if existing is not None and existing.status in ("registered", "waitlisted"):
        return await cancel(repos, training_id, officer_id, now)
    training = await repos.trainings.get(training_id)
    if training is None:
        return Outcome("not_found")
    if not await _may_answer(repos, training, officer_id):
        return Outcome("not_invited", training)
    if existing is None:
        existing = TrainingRegistration(training_id=training_id, officer_id=officer_id, created_at=now)
    existing.status, existing.updated_at = "declined", now
    await repos.trainings.save_registration(existing)
    return Outcome("declined", training)


async def cancel(
    repos: Repositories,
    training_id: int,
    officer_id: int,
    now: datetime,
    *,
    zone: ZoneInfo | None = None,
    quiet: QuietHours | None = DEFAULT_QUIET,
) -> Outcome:
    """Cancel a registration; a freed place goes to the first on the waitlist, who is told."""
    training = await repos.trainings.get(training_id, lock=True)
    existing = await repos.trainings.registration(training_id, officer_id)
    if training is None:
        return Outcome("not_found")
    if existing is None or existing.status not in ("registered", "waitlisted"):
        return Outcome("not_registered", training)
    had_place = existing.status == "registered"
    existing.status, existing.updated_at = "cancelled", now
    await repos.trainings.save_registration(existing)
    await repos.audit.add(f"officer:{officer_id}", "training.cancelled", f"training:{training_id}")
    promoted = await promote(repos, training, now, zone=zone, quiet=quiet) if had_place else None
    return Outcome("cancelled", training, promoted_officer_id=promoted)


async def promote(
    repos: Repositories, training: Training, now: datetime, *, zone: ZoneInfo | None, quiet: QuietHours | None
) -> int | None:
    """Give a free place to the first waitlisted officer and enqueue their notice; their id."""
    rows = await repos.trainings.registrations(training.id)
    taken = sum(r.status == "registered" for r in rows)
    waiting = [r for r in rows if r.status == "waitlisted"]
    if not waiting or (training.capacity is not None and taken >= training.capacity):
        return None
    first = waiting[0]
    first.status, first.updated_at = "registered", now
    await repos.trainings.save_registration(first)
    found = await repos.officers.with_cooperatives([first.officer_id])
    if first.officer_id in found:
        officer, cooperative = found[first.officer_id]
        office = zone or ZoneInfo(cooperative.timezone)
        session = await first_session(repos, training.id)
        text = render.text(
            officer.language,
            "trainings.promoted",
            name=officer.name,
            title=training.title,
            when=when_text(session, office, officer.language),
            place=place_of(training),
        )
        choices = (Choice(f"{ROUTE}:batal:{training.id}", render.text(officer.language, "trainings.button_cancel")),)
        notice = Notice(
            "training_invite",
            f"training:{training.id}:officer-{officer.id}:promoted:{first.position}",
            Reply(text, choices),
        )
        await enqueue_notice(
            repos, notice, now, officer_id=officer.id, zone=ZoneInfo(cooperative.timezone), quiet=quiet
        )
    await repos.audit.add("system", "training.promoted", f"training:{training.id}", officer=first.officer_id)
    return first.officer_id


async def tell_changed(
    repos: Repositories,
    training: Training,
    session: TrainingSession,
    now: datetime,
    zone: ZoneInfo,
    quiet: QuietHours | None,
) -> None:
    """The new time and place, to everyone registered or waiting (once per change)."""
    waiting = [
        r.officer_id
        for r in await repos.trainings.registrations(training.id)
        if r.status in ("registered", "waitlisted")
    ]
    people = await repos.officers.with_cooperatives(waiting)
    stamp = int(now.timestamp())
    for officer_id in waiting:
        if officer_id not in people:
            continue
        officer, cooperative = people[officer_id]
        text = render.text(
            officer.language,
            "trainings.changed",
            name=officer.name,
            title=training.title,
            when=when_text(session, zone, officer.language),
            place=place_of(training),
        )
        notice = Notice("training_invite", f"training:{training.id}:officer-{officer_id}:changed:{stamp}", Reply(text))
        await enqueue_notice(
            repos, notice, now, officer_id=officer_id, zone=ZoneInfo(cooperative.timezone), quiet=quiet
        )
