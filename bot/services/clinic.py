"""The clinic's rekam medis: assessments with their diagnosis and prescription, notes, action plans, visits,
follow-ups; who may change what; the escalation worklist; verifying an assessment and the official annual one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

from bot.domain import obligations
from bot.domain.health import keys
from bot.domain.periods import Period
from bot.services.access import covers
from bot.services.assessments import frameworks_for
from bot.services.reports import NotAllowed
from storage.models import ActionPlan, Assessment, CoachingEntry, Cooperative, Officer, OfficeStaff
from storage.repositories import Repositories

Standing = Literal["provisional", "verified", "official"]
PlanStatus = Literal["open", "done", "cancelled"]
Verdict = Literal["worked", "mixed", "not_worked", "no_baseline"]
Change = Literal["better", "worse", "same", "unknown"]
WATCHED = ("dalam_pengawasan", "dalam_pengawasan_khusus")  # the categories the office watches
REASONS = ("dalam_pengawasan_khusus", "dalam_pengawasan", "dpk_flag", "falling", "not_reporting", "overdue_plans")
FOLLOW_UP_PERIODS = 3  # report periods after a visit or a plan's due date
WHAT_LIMIT, WHO_LIMIT, NOTE_LIMIT = 500, 120, 2000
BAND_RANK = {"weak": 0, "watch": 1, "good": 2}


class BadField(ValueError):
    """A plan's field that does not fit; `field` names it ("what" or "who")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Superseded(ValueError):
    """The assessment belongs to a revision that a correction replaced; the current one is verified instead."""


@dataclass(frozen=True)
class Actor:
    """Who acts: an office staff member or a cooperative's officer."""

    staff_id: int | None = None
    officer_id: int | None = None

    @property
    def key(self) -> str:
        """The audit log's name of the actor."""
        return f"staff:{self.staff_id}" if self.staff_id is not None else f"officer:{self.officer_id}"


@dataclass(frozen=True)
class PlanView:
    """An action plan as every door shows it."""

    id: int
    cooperative_id: int
    what: str
    who: str
    due_on: date
    status: str
    concerns: tuple[str, ...]
    created_by: str | None
    created_at: datetime
    done_at: datetime | None
    done_by: str | None

    def overdue(self, today: date) -> bool:
        """Open and past its due date."""
        return self.status == "open" and self.due_on < today


@dataclass(frozen=True)
class EntryView:
    """One entry of the record: a clinic visit, a training attended, a note or a follow-up."""

    id: int
    kind: str
    summary: str
    data: dict[str, Any]
    at: datetime
    staff: str | None
    plan_id: int | None
    follows_id: int | None


@dataclass(frozen=True)
class AssessmentView:
    """A stored assessment with what the clinic found and prescribed, and its standing."""

    id: int
    period: str
    framework: str
    total: Decimal | None
    category: str | None
    standing: str
    verified_by: str | None
    verified_at: datetime | None
    book_year: int | None
    current: bool  # of the latest revision of its period (a correction replaces the others)
    diagnosis: dict[str, Any]
    prescription: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class MedicalRecord:
    """The rekam medis of one cooperative."""

    cooperative_id: int
    nik: str | None
    name: str
    founded_on: date | None
    assessments: tuple[AssessmentView, ...]  # newest first
    plans: tuple[PlanView, ...]  # by due date
    entries: tuple[EntryView, ...]  # newest first

    @property
    def notes(self) -> tuple[EntryView, ...]:
        return tuple(e for e in self.entries if e.kind == "note")


@dataclass(frozen=True)
class WorkItem:
    """A cooperative that needs the pembina's attention, and why."""

    cooperative_id: int
    nik: str | None
    name: str
    kecamatan: str | None
    reasons: tuple[str, ...]
    category: str | None
    totals: tuple[Decimal | None, ...]  # newest first (up to three)
    overdue_plans: int


@dataclass(frozen=True)
class Worklist:
    """The escalation worklist of a scope, worst first, with the count per reason."""

    items: tuple[WorkItem, ...]
    counts: dict[str, int]
    periods: tuple[str, ...]  # the report periods "not reporting" looks at


@dataclass(frozen=True)
class ConcernChange:
    """A treated indicator before and after."""

    key: str
    before: Decimal | None
    after: Decimal | None
    change: Change


@dataclass(frozen=True)
class FollowUp:
    """Whether a treatment worked: the score and the treated indicators before and after."""

    cooperative_id: int
    subject: str  # plan | clinic_visit
    subject_text: str
    before_period: str | None
    after_period: str
    before_total: Decimal | None
    after_total: Decimal | None
    changes: tuple[ConcernChange, ...]
    verdict: Verdict
    entry_id: int = 0
    plan_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def plan_view(plan: ActionPlan, names: dict[int, str]) -> PlanView:
    return PlanView(
        plan.id,
        plan.cooperative_id,
        plan.what,
        plan.who,
        plan.due_on,
        plan.status,
        tuple(plan.concerns or ()),
        names.get(plan.created_by or 0),
        plan.created_at,
        plan.done_at,
        plan.done_by,
    )


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def concern_values(result: dict[str, Any]) -> dict[str, Decimal]:
    """What the follow-up compares per concern key: a component's score, or an indicator's band rank."""
    values: dict[str, Decimal] = {}
    for aspect in result.get("aspects") or []:
        for comp in aspect.get("components") or []:
            key = f"management.{comp['key']}" if aspect.get("key") == "management" else str(comp["key"])
            values[key] = Decimal(str(comp["score"]))
    for indicator in result.get("indicators") or []:
        if indicator.get("band") in BAND_RANK:
            values[str(indicator["key"])] = Decimal(BAND_RANK[indicator["band"]])
    return values


def verdict_of(delta: Decimal | None, changes: Sequence[ConcernChange]) -> Verdict:
    """Worked: better and nothing treated got worse; not worked: worse and nothing treated got better."""
    better = sum(c.change == "better" for c in changes)
    worse = sum(c.change == "worse" for c in changes)
    up = delta is not None and delta > 0
    down = delta is not None and delta < 0
    if (up or better) and not down and not worse:
        return "worked"
    if (down or worse) and not up and not better:
        return "not_worked"
    return "mixed"


class ClinicService:
    """The clinic use cases of one unit of work."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos

    # -- who may -------------------------------------------------------------------------------------------------

    async def _staff(self, actor: Actor) -> OfficeStaff | None:
        if actor.staff_id is None:
            return None
        staff = await self._repos.staff.get(actor.staff_id)
        return staff if staff is not None and staff.status == "active" else None

    async def _cooperative(self, cooperative_id: int) -> Cooperative:
        cooperative = await self._repos.cooperatives.get(cooperative_id)
        if cooperative is None:
            raise LookupError(f"no cooperative {cooperative_id}")
        return cooperative

    @staticmethod
    def _in_scope(staff: OfficeStaff, cooperative: Cooperative) -> bool:
        return covers(staff, cooperative.kecamatan_id)

    async def _may_read(self, actor: Actor, cooperative: Cooperative) -> None:
        staff = await self._staff(actor)
        if staff is not None and self._in_scope(staff, cooperative):
            return
        if actor.officer_id is not None and await self._officer_of(actor.officer_id, cooperative.id):
            return
        raise NotAllowed(f"{actor.key} may not read cooperative {cooperative.id}")

    async def _may_change(self, actor: Actor, cooperative: Cooperative) -> OfficeStaff:
        """Admins everywhere, pembina in their kecamatan; nobody else."""
        staff = await self._staff(actor)
        if staff is None or staff.role not in ("admin", "pembina") or not self._in_scope(staff, cooperative):
            raise NotAllowed(f"{actor.key} may not change the record of cooperative {cooperative.id}")
        return staff

    async def _officer_of(self, officer_id: int, cooperative_id: int) -> Officer | None:
        officer = await self._repos.officers.get(officer_id)
        ok = officer is not None and officer.cooperative_id == cooperative_id and officer.status == "active"
        return officer if ok else None

    async def may_change(self, actor: Actor, cooperative_id: int) -> bool:
        """Whether the actor may add notes and plans to this cooperative's record."""
        try:
            await self._may_change(actor, await self._cooperative(cooperative_id))
        except NotAllowed:
            return False
        return True

    async def _names(self, ids: Sequence[int | None]) -> dict[int, str]:
        names = {}
        for staff_id in {i for i in ids if i}:
            staff = await self._repos.staff.get(staff_id)
            if staff is not None:
                names[staff_id] = staff.name
        return names

    # -- reading -------------------------------------------------------------------------------------------------

    async def record(self, cooperative_id: int, actor: Actor) -> MedicalRecord:
        """The rekam medis: staff in scope, and the cooperative's own officers."""
        cooperative = await self._cooperative(cooperative_id)
        await self._may_read(actor, cooperative)
        clinic = self._repos.clinic
        rows = await clinic.assessments_of(cooperative_id)
        plans = await clinic.plans_of(cooperative_id)
        entries = await clinic.entries_of(cooperative_id)
        names = await self._names(
            [a.verified_by for a in rows] + [p.created_by for p in plans] + [e.staff_id for e in entries]
        )
        current = {(a.framework, a.period): a.id for a in rows}  # the last row of each period wins
        views = [self.assessment_view(a, names, current[(a.framework, a.period)] == a.id) for a in reversed(rows)]
        return MedicalRecord(
            cooperative.id,
            cooperative.nik,
            cooperative.name,
            cooperative.founded_on,
            tuple(views),
            tuple(plan_view(p, names) for p in plans),
            tuple(
                EntryView(
                    e.id,
                    e.kind,
                    e.summary,
                    dict(e.data or {}),
                    e.created_at,
                    names.get(e.staff_id or 0),
                    e.plan_id,
                    e.follows_id,
                )
                for e in entries
            ),
        )

    @staticmethod
    def assessment_view(a: Assessment, names: dict[int, str], current: bool) -> AssessmentView:
        return AssessmentView(
            a.id,
            a.period,
            a.framework,
            a.total,
            a.category,
            a.standing,
            names.get(a.verified_by or 0),
            a.verified_at,
            a.book_year,
            current,
            dict(a.diagnosis or {}),
            dict(a.prescription or {}),
            a.created_at,
        )

    async def standings(self, cooperative_id: int) -> dict[tuple[str, str], str]:
        """The standing of each (framework, period)'s current assessment (for the chat's history and pictures)."""
        found: dict[tuple[str, str], str] = {}
        for a in await self._repos.clinic.assessments_of(cooperative_id):
            found[(a.framework, a.period)] = a.standing
        return found

    async def plans(self, cooperative_id: int, actor: Actor, *, open_only: bool = False) -> list[PlanView]:
        """A cooperative's plans (open ones only when asked): for staff in scope and its own officers."""
        cooperative = await self._cooperative(cooperative_id)
        await self._may_read(actor, cooperative)
        rows = await self._repos.clinic.plans_of(cooperative_id, ["open"] if open_only else None)
        names = await self._names([p.created_by for p in rows])
        return [plan_view(p, names) for p in rows]

    # -- changing ------------------------------------------------------------------------------------------------

    async def add_note(self, cooperative_id: int, text: str, actor: Actor, at: datetime) -> EntryView:
        """A pembina's or admin's note in the record."""
        cooperative = await self._cooperative(cooperative_id)
        staff = await self._may_change(actor, cooperative)
        text = text.strip()
        if not text or len(text) > NOTE_LIMIT:
            raise ValueError(f"a note has 1 to {NOTE_LIMIT} characters")
        entry = await self._repos.clinic.add_entry(
            CoachingEntry(
                cooperative_id=cooperative.id, kind="note", summary=text, data={}, staff_id=staff.id, created_at=at
            )
        )
        await self._repos.audit.add(actor.key, "clinic.note_added", f"cooperative:{cooperative.id}", entry=entry.id)
        return EntryView(entry.id, "note", text, {}, at, staff.name, None, None)

    @staticmethod
    def _checked(what: str, who: str) -> tuple[str, str]:
        what, who = " ".join(what.split()), " ".join(who.split())
        if not what or len(what) > WHAT_LIMIT:
            raise BadField("what", f"what: 1 to {WHAT_LIMIT} characters")
        if not who or len(who) > WHO_LIMIT:
            raise BadField("who", f"who: 1 to {WHO_LIMIT} characters")
        return what, who

    async def add_plan(
        self,
        cooperative_id: int,
        what: str,
        who: str,
        due_on: date,
        actor: Actor,
        at: datetime,
        concerns: Sequence[str] | None = None,
    ) -> PlanView:
        """A new open action plan; it treats `concerns` (default: what the latest prescription put first)."""
        cooperative = await self._cooperative(cooperative_id)
        staff = await self._may_change(actor, cooperative)
        what, who = self._checked(what, who)
        if concerns is None:
            concerns = await self._prescribed_concerns(cooperative)
        plan = await self._repos.clinic.add_plan(
            ActionPlan(
                cooperative_id=cooperative.id,
                what=what,
                who=who,
                due_on=due_on,
                status="open",
                concerns=list(concerns),
                created_by=staff.id,
                created_at=at,
                updated_at=at,
            )
        )
        await self._repos.audit.add(
            actor.key, "clinic.plan_added", f"plan:{plan.id}", cooperative=cooperative.id, due_on=due_on.isoformat()
        )
        return plan_view(plan, {staff.id: staff.name})

    async def _prescribed_concerns(self, cooperative: Cooperative) -> list[str]:
        framework = frameworks_for(cooperative)[0][0]
        rows = await self._repos.clinic.assessments_of(cooperative.id, framework)
        if not rows:
            return []
        found: list[str] = []
        for item in (rows[-1].prescription or {}).get("coaching", [])[:3]:
            found.extend(c for c in item.get("concerns", []) if c not in found)
        return found

    async def _plan(self, plan_id: int) -> tuple[ActionPlan, Cooperative]:
        plan = await self._repos.clinic.plan(plan_id, lock=True)
        if plan is None:
            raise LookupError(f"no plan {plan_id}")
        return plan, await self._cooperative(plan.cooperative_id)

    async def plan(self, plan_id: int, actor: Actor) -> PlanView:
        """One plan, for whoever may read its cooperative's record (LookupError: no such plan)."""
        plan = await self._repos.clinic.plan(plan_id)
        if plan is None:
            raise LookupError(f"no plan {plan_id}")
        await self._may_read(actor, await self._cooperative(plan.cooperative_id))
        return plan_view(plan, await self._names([plan.created_by]))

    async def update_plan(
        self,
        plan_id: int,
        actor: Actor,
        at: datetime,
        *,
        what: str | None = None,
        who: str | None = None,
        due_on: date | None = None,
    ) -> PlanView:
        """Change an open plan's what, who or due date (admin; pembina in their kecamatan)."""
        plan, cooperative = await self._plan(plan_id)
        await self._may_change(actor, cooperative)
        if plan.status != "open":
            raise ValueError(f"plan {plan_id} is {plan.status}")
        plan.what, plan.who = self._checked(what or plan.what, who or plan.who)
        plan.due_on = due_on or plan.due_on
        plan.updated_at = at
        await self._repos.audit.add(actor.key, "clinic.plan_changed", f"plan:{plan.id}", due_on=plan.due_on.isoformat())
        return plan_view(plan, await self._names([plan.created_by]))

    async def close_plan(self, plan_id: int, status: PlanStatus, actor: Actor, at: datetime) -> tuple[PlanView, bool]:
        """Mark a plan done (also its cooperative's officers) or cancelled (staff); (plan, whether it changed)."""
        if status not in ("done", "cancelled"):
            raise ValueError(f"a plan closes as done or cancelled, not {status}")
        plan, cooperative = await self._plan(plan_id)
        officer_may = (
            status == "done"
            and actor.officer_id is not None
            and await self._officer_of(actor.officer_id, cooperative.id) is not None
        )
        if not officer_may:
            await self._may_change(actor, cooperative)
        changed = plan.status == "open"
        if changed:
            plan.status, plan.updated_at = status, at
            if status == "done":
                plan.done_at, plan.done_by = at, actor.key
            await self._repos.audit.add(actor.key, f"clinic.plan_{status}", f"plan:{plan.id}")
        return plan_view(plan, await self._names([plan.created_by])), changed

    # -- the worklist ----------------------------------------------------------------------------------------------

    async def worklist(self, actor: Actor, today: date, periods: tuple[Period, Period]) -> Worklist:
        """DP and DPK, DPK flags, falling two periods in a row, not reporting `periods`, overdue plans: the staff
        member's kecamatan (admin, or staff without one: all)."""
        staff = await self._staff(actor)
        if staff is None:
            raise NotAllowed(f"{actor.key} has no worklist")
        scope = None if staff.role == "admin" else staff.kecamatan_id
        clinic = self._repos.clinic
        reasons: dict[int, list[str]] = {}
        runs = {r.cooperative_id: r for r in await clinic.score_runs(keys.PERDEP, WATCHED, scope)}
        for scores in runs.values():
            t1, t2, t3 = scores.totals
            found = reasons.setdefault(scores.cooperative_id, [])
            if scores.category in WATCHED:
                found.append(str(scores.category))
            if scores.special_flag:
                found.append("dpk_flag")
            if t1 is not None and t2 is not None and t3 is not None and t1 < t2 < t3:
                found.append("falling")
        older = min(periods, key=str)
        created_before = datetime.combine(older.start_date(), time(), tzinfo=UTC)
        for cooperative_id in await clinic.not_reporting([str(p) for p in periods], created_before, scope):
            reasons.setdefault(cooperative_id, []).append("not_reporting")
        overdue = await clinic.overdue_counts(today, scope)
        for cooperative_id in overdue:
            reasons.setdefault(cooperative_id, []).append("overdue_plans")
        lines = await clinic.lines([c for c, r in reasons.items() if r])
        items = []
        for cooperative_id, found in reasons.items():
            if not found or cooperative_id not in lines:
                continue
            line, run = lines[cooperative_id], runs.get(cooperative_id)
            ordered = tuple(r for r in REASONS if r in found)
            items.append(
                WorkItem(
                    cooperative_id,
                    line.nik,
                    line.name,
                    line.kecamatan,
                    ordered,
                    run.category if run else None,
                    run.totals if run else (),
                    overdue.get(cooperative_id, 0),
                )
            )
        items.sort(key=lambda i: (REASONS.index(i.reasons[0]), -len(i.reasons), i.name.lower()))
        counts = {r: sum(r in i.reasons for i in items) for r in REASONS}
        return Worklist(tuple(items), counts, tuple(str(p) for p in periods))

    # -- standing: verified, official ------------------------------------------------------------------------------

    async def verify(self, assessment_id: int, actor: Actor, at: datetime) -> AssessmentView:
        """A pembina (of its kecamatan) or an admin accepts an assessment: terverifikasi, by whom and when; a book
        year's year-end assessment whose RAT is recorded becomes official."""
        assessment = await self._repos.clinic.assessment(assessment_id, lock=True)
        if assessment is None:
            raise LookupError(f"no assessment {assessment_id}")
        cooperative = await self._cooperative(assessment.cooperative_id)
        staff = await self._may_change(actor, cooperative)
        current = await self._repos.clinic.latest_of_period(cooperative.id, assessment.framework, assessment.period)
        if current is None or current.id != assessment.id:
            raise Superseded(f"assessment {assessment_id} was replaced by a correction")
        if assessment.standing == "provisional":
            assessment.standing, assessment.verified_by, assessment.verified_at = "verified", staff.id, at
            await self._repos.audit.add(actor.key, "clinic.assessment_verified", f"assessment:{assessment.id}")
        await self.make_official(cooperative.id)
        return self.assessment_view(assessment, {staff.id: staff.name}, True)

    async def make_official(self, cooperative_id: int) -> list[str]:
        """Mark official the verified year-end assessments of the book year whose RAT is recorded; their periods."""
        cooperative = await self._cooperative(cooperative_id)
        rat = cooperative.rat_date
        if rat is None:
            return []
        book_year = obligations.rat_book_year(rat)
        if not obligations.rat_held_for(book_year, rat):
            return []
        year_end = str(Period(book_year, 12))
        made = []
        for framework, _ in frameworks_for(cooperative):
            current = await self._repos.clinic.latest_of_period(cooperative.id, framework, year_end)
            if current is None or current.standing != "verified":
                continue
            current.standing, current.official, current.book_year = "official", True, book_year
            await self._repos.audit.add(
                "system", "clinic.assessment_official", f"assessment:{current.id}", book_year=book_year
            )
            made.append(year_end)
        return made

    # -- follow-up -----------------------------------------------------------------------------------------------

    async def follow_up(
        self, cooperative: Cooperative, event: date, concerns: Sequence[str]
    ) -> tuple[str | None, str, Decimal | None, Decimal | None, tuple[ConcernChange, ...], Verdict] | None:
        """The score and treated indicators before `event` and three report periods after; None: not yet known."""
        framework = frameworks_for(cooperative)[0][0]
        latest: dict[str, Assessment] = {}
        for a in await self._repos.clinic.assessments_of(cooperative.id, framework):
            latest[a.period] = a
        start = Period.of(event)
        target = start
        for _ in range(FOLLOW_UP_PERIODS):
            target = target.next()
        after = next((latest[p] for p in sorted(latest) if p >= str(target)), None)
        if after is None:
            return None
        before = next((latest[p] for p in sorted(latest, reverse=True) if p <= str(start)), None)
        if before is None:
            return None, after.period, None, after.total, (), "no_baseline"
        treated = list(concerns) or [
            c for item in (before.prescription or {}).get("coaching", [])[:3] for c in item.get("concerns", [])
        ]
        old, new = concern_values(before.result), concern_values(after.result)
        changes = []
        for key in dict.fromkeys(treated):
            was, now = old.get(key), new.get(key)
            change: Change = (
                "unknown" if was is None or now is None else "better" if now > was else "worse" if now < was else "same"
            )
            changes.append(ConcernChange(key, was, now, change))
        delta = None if before.total is None or after.total is None else after.total - before.total
        verdict = verdict_of(delta, changes)
        return before.period, after.period, before.total, after.total, tuple(changes), verdict

    async def due_follow_ups(self, today: date, at: datetime) -> list[FollowUp]:
        """Compare before and after for every plan and clinic visit three report periods on; each becomes a
        follow_up entry of the record (once)."""
        clinic, done = self._repos.clinic, []
        since = today - timedelta(days=400)  # older treatments that never got an "after" report are left
        subjects: list[tuple[str, ActionPlan | CoachingEntry, date, list[str]]] = [
            ("plan", p, p.due_on, list(p.concerns or ()))
            for p in await clinic.plans_to_follow_up(since, today - timedelta(days=60))
        ]
        start = datetime.combine(since, datetime.min.time()).astimezone(at.tzinfo)
        for visit in await clinic.visits_to_follow_up(start, at - timedelta(days=60)):
            subjects.append(("clinic_visit", visit, visit.created_at.date(), []))
        for kind, subject, event, concerns in subjects:
            cooperative = await self._cooperative(subject.cooperative_id)
            found = await self.follow_up(cooperative, event, concerns)
            if found is None:
                continue
            before_period, after_period, before_total, after_total, changes, verdict = found
            text = subject.what if isinstance(subject, ActionPlan) else subject.summary
            data = {
                "subject": kind,
                "subject_text": text,
                "before_period": before_period,
                "after_period": after_period,
                "before_total": None if before_total is None else format(before_total, "f"),
                "after_total": None if after_total is None else format(after_total, "f"),
                "changes": [
                    {"key": c.key, "before": _str(c.before), "after": _str(c.after), "change": c.change}
                    for c in changes
                ],
                "verdict": verdict,
            }
            plan_id = subject.id if isinstance(subject, ActionPlan) else None
            entry = await clinic.add_entry(
                CoachingEntry(
                    cooperative_id=cooperative.id,
                    kind="follow_up",
                    summary=f"{verdict}: {text}"[:500],
                    data=data,
                    plan_id=plan_id,
                    follows_id=None if plan_id else subject.id,
                    created_at=at,
                )
            )
            done.append(
                FollowUp(
                    cooperative.id,
                    kind,
                    text,
                    before_period,
                    after_period,
                    before_total,
                    after_total,
                    changes,
                    verdict,
                    entry.id,
                    plan_id,
                )
            )
        return done


def _str(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")
