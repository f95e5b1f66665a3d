"""The clinic's values, as every door shows them: who acts, plans, record entries, assessments, the worklist and
follow-ups; and the pure rules that compare a treatment's before and after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from storage.models import ActionPlan, Assessment

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
class CooperativePlans:
    """A cooperative's plans as a staff member sees them, and whether they may add and change them."""

    cooperative_id: int
    nik: str | None
    name: str
    plans: tuple[PlanView, ...]
    may_change: bool


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

    items: tuple[WorkItem, ...]  # the first of them, when fewer were asked for
    counts: dict[str, int]
    periods: tuple[str, ...]  # the report periods "not reporting" looks at
    area: str | None = None  # the kecamatan's name (None: the whole city)
    size: int = 0  # how many cooperatives need attention in all


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


def assessment_view(a: Assessment, names: dict[int, str], current: bool) -> AssessmentView:
    """A stored assessment as every door shows it (`current`: of its period's latest revision)."""
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


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")
