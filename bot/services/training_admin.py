"""The office's side of trainings and clinics: a form checked field by field, the list and one training as staff see
them (scoped to a pembina's kecamatan), edits, invitations sent again to whom the segment reaches now, and how far
each invitation has gone. Creating, inviting, the roster and attendance codes are those of `trainings`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.names import TRAINING_KINDS
from bot.services import access, announcements, segments, trainings
from bot.services.notices import QuietHours
from bot.services.segments import Audience, Reach, Segment, SegmentError
from bot.services.training_attendance import RosterLine
from bot.services.trainings import TrainingPlan
from storage.models import OutboxMessage, Training, TrainingSession
from storage.repositories import Repositories

FIELDS = ("title", "kind", "start", "end", "place", "capacity", "deadline", "segment")
LIMITS = {"title": 200, "place": 300, "segment": 500}
MAX_CAPACITY = 100_000
LISTED = 200


@dataclass(frozen=True)
class TrainingForm:
    """What staff typed into the training form, kept as typed (so a page shows it again beside its problems)."""

    title: str = ""
    kind: str = "pelatihan"
    start: str = ""
    end: str = ""
    place: str = ""
    capacity: str = ""
    deadline: str = ""
    segment: str = "semua"

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> TrainingForm:
        """The form from posted fields (anything else is ignored; each field is cut to a sane length)."""
        values = {name: str(fields.get(name, "")).strip()[: LIMITS.get(name, 40)] for name in FIELDS}
        return cls(**values)

    @classmethod
    def of(cls, training: Training, session: TrainingSession | None, zone: ZoneInfo) -> TrainingForm:
        """A saved training as its form (times in the office's zone), for editing."""

        def moment(value: datetime | None) -> str:
            return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if value else ""

        return cls(
            title=training.title,
            kind=training.kind,
            start=moment(session.starts_at if session else None),
            end=moment(session.ends_at if session else None),
            place=training.venue or training.link or "",
            capacity=str(training.capacity) if training.capacity else "",
            deadline=moment(training.registration_deadline),
            segment=Segment.from_json(training.segment or {}).words,
        )


@dataclass(frozen=True)
class FormCheck:
    """The form read: the plan when it can be saved, else a problem code per field (`segment_error` says the
    segment's in words); the audience of the segment when it could be read."""

    form: TrainingForm
    plan: TrainingPlan | None
    problems: dict[str, str] = field(default_factory=dict)
    segment_error: SegmentError | None = None
    audience: Audience | None = None

    @property
    def reach(self) -> Reach | None:
        return self.audience.reach() if self.audience else None


@dataclass(frozen=True)
class TrainingRow:
    """A training on the office's list."""

    training: Training
    session: TrainingSession | None
    registered: int
    waitlisted: int
    declined: int


@dataclass(frozen=True)
class TrainingDetail:
    """One training as the office sees it: its session, the segment, the roster with attendance, and how far its
    invitations have gone (per recipient); who the segment reaches now and how many of them are not invited yet."""

    training: Training
    session: TrainingSession | None
    segment_words: str
    roster: list[RosterLine]
    invitations: announcements.Progress
    recipients: list[announcements.RecipientLine]
    audience: Audience | None
    not_invited: int  # of those the segment reaches now (a chat account, announcements not stopped)

    @property
    def registered(self) -> int:
        return sum(line.status == "registered" for line in self.roster)

    @property
    def waitlisted(self) -> int:
        return sum(line.status == "waitlisted" for line in self.roster)

    @property
    def attended(self) -> int:
        return sum(line.attended_at is not None for line in self.roster)

    @property
    def declined(self) -> int:
        return sum(line.status == "declined" for line in self.roster)

    @property
    def failures(self) -> list[tuple[str, int]]:
        return announcements.failure_kinds(self.recipients)


def _capacity(text: str) -> tuple[int | None, str | None]:
    if not text or text in ("-", "0"):
        return None, None
    digits = text.replace(".", "")
    if not digits.isdigit() or not 0 < int(digits) <= MAX_CAPACITY:
        return None, "capacity"
    return int(digits), None


async def check_form(
    repos: Repositories,
    form: TrainingForm,
    *,
    scope: int | None,
    zone: ZoneInfo,
    now: datetime,
    editing: Training | None = None,
) -> FormCheck:
    """Read and check every field (dates in the office's zone). The segment is kept to a pembina's kecamatan, and
    a training being edited keeps the kecamatan it was kept to (an admin's edit of a pembina's training does not
    make it city-wide)."""
    if scope is None and editing is not None:
        scope = (editing.segment or {}).get("scope_kecamatan_id")
    found: dict[str, str] = {}
    if len(form.title) < 3:
        found["title"] = "short"
    start = trainings.parse_moment(form.start, zone) if form.start else None
    if start is None:
        found["start"] = "format"
    end = trainings.parse_end(form.end, start, zone) if start and form.end else None
    if start is not None and end is None:
        found["end"] = "format"
    if len(form.place) < 3:
        found["place"] = "short"
    capacity, capacity_problem = _capacity(form.capacity)
    if capacity_problem:
        found["capacity"] = capacity_problem
    deadline = trainings.parse_moment(form.deadline, zone) if form.deadline else None
    if form.deadline and deadline is None:
        found["deadline"] = "format"
    elif deadline is not None and deadline <= now:
        found["deadline"] = "past"
    audience, segment_error = await segments.audience_of(repos, form.segment, scope_kecamatan_id=scope)
    if segment_error is not None:
        found["segment"] = "segment"
    plan = None
    if start is not None and end is not None:
        is_link = form.place.lower().startswith(("http://", "https://"))
        plan = TrainingPlan(
            title=form.title,
            kind=form.kind,
            starts_at=start,
            ends_at=end,
            segment=audience.segment if audience else Segment((segments.Criterion("all"),)),
            venue=None if is_link else form.place,
            link=form.place if is_link else None,
            capacity=capacity,
            deadline=deadline,
        )
        for name, code in trainings.plan_problems(plan, now).items():
            found.setdefault(name, code)
    if form.kind not in TRAINING_KINDS:
        found["kind"] = "kind"
    return FormCheck(form, None if found else plan, found, segment_error, audience)


def visible(training: Training | None, scope: int | None) -> Training | None:
    """The training when a staff member limited to `scope` may see it (else None: not found for them)."""
    return training if training is not None and access.training_in_area(training, scope) else None


async def listing(repos: Repositories, scope: int | None) -> list[TrainingRow]:
    """The latest trainings this staff member may see, newest first, with their numbers."""
    found = [t for t in await repos.trainings.recent(LISTED) if visible(t, scope)]
    ids = [t.id for t in found]
    counts = await repos.trainings.registered_counts(ids)
    sessions = await repos.trainings.sessions(ids)
    rows = []
    for training in found:
        numbers = counts.get(training.id, {})
        rows.append(
            TrainingRow(
                training,
                next(iter(sessions.get(training.id) or []), None),
                numbers.get("registered", 0),
                numbers.get("waitlisted", 0),
                numbers.get("declined", 0),
            )
        )
    return rows


def _invite_prefix(training_id: int) -> str:
    return f"training:{training_id}:officer-"


async def _invitation_rows(repos: Repositories, training_id: int) -> list[OutboxMessage]:
    rows = await repos.outbox.by_keys_prefix(_invite_prefix(training_id))
    return [row for row in rows if row.dedupe_key.endswith(":invite")]


async def detail(repos: Repositories, training_id: int, scope: int | None) -> TrainingDetail | None:
    """One training with its roster and its invitations' progress; None when absent or not the staff member's."""
    training = visible(await repos.trainings.get(training_id), scope)
    if training is None:
        return None
    rows = await _invitation_rows(repos, training_id)
    invited = {row.officer_id for row in rows}
    try:
        audience: Audience | None = await segments.resolve(repos, Segment.from_json(training.segment or {}))
    except SegmentError:  # a kecamatan renamed since: nobody new can be invited by the old name
        audience = None
    reachable_now = [p for p in audience.recipients if p.obstacle(True) is None] if audience else []
    not_invited = sum(p.officer_id not in invited for p in reachable_now)
    return TrainingDetail(
        training,
        await trainings.first_session(repos, training_id),
        Segment.from_json(training.segment or {}).words,
        await trainings.roster(repos, training_id, None),  # `visible` above kept it to the staff member's area
        announcements.progress_of(dict(Counter(row.status for row in rows))),
        await announcements.recipient_lines(repos, rows),
        audience,
        not_invited,
    )


async def send_invitations(
    repos: Repositories,
    training_id: int,
    *,
    scope: int | None,
    staff_id: int | None,
    now: datetime,
    zone: ZoneInfo,
    quiet: QuietHours | None,
) -> int | None:
    """Invite whom the training's segment reaches now and who has no invitation yet; how many (None: not found).
    Those invited before are never invited twice (the invitations' keys)."""
    training = visible(await repos.trainings.get(training_id, lock=True), scope)
    session = await trainings.first_session(repos, training_id) if training else None
    if training is None or session is None:
        return None
    segment = Segment.from_json(training.segment or {})
    made = await trainings.invite(repos, training, session, segment, now=now, zone=zone, quiet=quiet)
    actor = f"staff:{staff_id}" if staff_id else "cli"
    await repos.audit.add(actor, "training.invited", f"training:{training_id}", invited=made)
    return made


async def update(
    repos: Repositories,
    training_id: int,
    plan: TrainingPlan,
    *,
    scope: int | None,
    staff_id: int | None,
    now: datetime,
    zone: ZoneInfo,
    quiet: QuietHours | None,
) -> Training | None:
    """Change a training (title, kind, times, place, capacity, deadline, segment). Who registered or waits is told
    when the time or the place changed; a larger capacity gives places to the waitlist. None: not found."""
    training = visible(await repos.trainings.get(training_id, lock=True), scope)
    session = await trainings.first_session(repos, training_id) if training else None
    if training is None or session is None:
        return None
    before = (session.starts_at, session.ends_at, training.venue, training.link)
    changed = [
        name
        for name, old, new in (
            ("title", training.title, plan.title.strip()[:200]),
            ("kind", training.kind, plan.kind),
            ("starts_at", session.starts_at, plan.starts_at),
            ("ends_at", session.ends_at, plan.ends_at),
            ("venue", training.venue, plan.venue),
            ("link", training.link, plan.link),
            ("capacity", training.capacity, plan.capacity),
            ("deadline", training.registration_deadline, plan.deadline),
            ("segment", training.segment, plan.segment.to_json()),
        )
        if old != new
    ]
    training.title, training.kind = plan.title.strip()[:200], plan.kind
    training.venue, training.link, training.capacity = plan.venue, plan.link, plan.capacity
    training.registration_deadline, training.segment = plan.deadline, plan.segment.to_json()
    session.starts_at, session.ends_at = plan.starts_at, plan.ends_at
    await repos.session.flush()
    actor = f"staff:{staff_id}" if staff_id else "cli"
    await repos.audit.add(actor, "training.changed", f"training:{training_id}", fields=changed)
    if (session.starts_at, session.ends_at, training.venue, training.link) != before:
        await trainings.tell_changed(repos, training, session, now, zone, quiet)
    while await trainings.promote(repos, training, now, zone=zone, quiet=quiet) is not None:
        pass
    return training
