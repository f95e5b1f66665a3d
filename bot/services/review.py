"""The office's review of submitted reports: the queue, one report beside last period's with the checks that fired
and the officer's reasons, verify (its assessments become terverifikasi), send back with a reason, the export.

A decision belongs to one revision: a correction adds a revision without one, so it waits for review again (also
after a verification). Decisions are never changed; each one is in the audit log too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast, get_args

from bot.domain import forms
from bot.domain.health import keys
from bot.domain.periods import Period
from bot.domain.report_checks import Finding, FindingKind
from bot.services.assessments import frameworks_for
from bot.services.clinic import Actor, AssessmentView, ClinicService
from bot.services.clinic_values import assessment_view
from bot.services.office_record import RecordService, RevisionLine
from bot.services.reports import NotAllowed
from storage.models import Cooperative, Report, ReportRevision
from storage.repositories import QueueFilter, QueueRow, Repositories
from storage.repositories.reviews import STATES

QUEUE_LIMIT = 200  # rows on one page of the queue
COUNT_BOUND = 1000  # the list counts up to here: past it "more than 1,000" (a count stops at the 1,001st)
PERIODS_COUNTED = 3  # the period reported now and the two before: their counts stand beside the list
REASON_MIN, REASON_LIMIT = 5, 1000


class AlreadyDecided(ValueError):
    """The revision was decided already (verified; or sent back and not corrected yet)."""


class Stale(ValueError):
    """The report was corrected after the page was opened: the reviewer has not seen the revision now current."""


@dataclass(frozen=True)
class Queue:
    """One page of the review list: the reports in one state (and period, area) after report `after`, how many
    there are (up to `bound`), and how many in each of the periods reported lately."""

    rows: tuple[QueueRow, ...]
    total: int  # more than `bound`: there are more than `bound`
    state: str | None  # None: every state
    period: str | None  # None: every period
    kecamatan_id: int | None
    kabupaten_id: int | None = None
    after: int | None = None  # the report the page starts after (None: the first page)
    more: bool = False  # another page follows
    periods: tuple[tuple[str, int], ...] = ()  # (period, count up to `bound`), newest first
    bound: int = COUNT_BOUND

    @property
    def over(self) -> bool:
        """More reports than the count went up to."""
        return self.total > self.bound


@dataclass(frozen=True)
class FigureLine:
    """One figure of the report beside last period's (both as stored)."""

    question: forms.Question
    now: str | None
    before: str | None


@dataclass(frozen=True)
class WarningLine:
    """A check that fired when the revision was sent, whether the officer confirmed it, and the reason given."""

    finding: Finding
    confirmed: bool
    reason: str | None


@dataclass(frozen=True)
class Decision:
    """One review decision: on which revision, verified or sent back, why, by whom, when."""

    revision: int
    action: str
    reason: str | None
    by: str | None
    at: datetime


@dataclass(frozen=True)
class ReviewPage:
    """What the review page shows of one submitted report."""

    report_id: int
    cooperative_id: int
    nik: str | None
    name: str
    kecamatan: str | None
    timezone: str
    period: Period
    previous_period: Period | None
    revision: int
    state: str  # waiting | sent_back | verified
    figures: tuple[FigureLine, ...]
    warnings: tuple[WarningLine, ...]
    revisions: tuple[RevisionLine, ...]  # newest first
    decisions: tuple[Decision, ...]  # newest first
    assessments: tuple[AssessmentView, ...]  # the period's current assessments
    officers: int  # active officers (who hear of a send-back)
    reachable: int  # of them, those the bot can reach in chat now


@dataclass(frozen=True)
class SentBack:
    """A report sent back: the decision, and the officers to tell (id, language) in the cooperative's zone."""

    review_id: int
    cooperative: str
    period: Period
    reason: str
    timezone: str
    officers: tuple[tuple[int, str], ...]


def checked_reason(text: str) -> str:
    """The send-back reason, spaces tidied; ValueError when shorter than REASON_MIN or longer than REASON_LIMIT."""
    reason = " ".join(text.split())
    if not REASON_MIN <= len(reason) <= REASON_LIMIT:
        raise ValueError(f"a reason has {REASON_MIN} to {REASON_LIMIT} characters")
    return reason


def _finding(stored: dict[str, Any]) -> Finding | None:
    """A warning as stored with a revision (None: not readable, e.g. written by an older version)."""
    kind = stored.get("kind")
    if kind not in get_args(FindingKind):
        return None
    kind = cast("FindingKind", kind)
    try:
        return Finding(
            str(stored["id"]),
            kind,
            str(stored.get("rule", "")),
            tuple(str(k) for k in stored.get("keys") or ()),
            Decimal(str(stored["left"])),
            Decimal(str(stored["right"])),
            False,
            None if stored.get("pct") is None else Decimal(str(stored["pct"])),
        )
    except (KeyError, ArithmeticError, TypeError, ValueError):
        return None


class ReviewService:
    """The review use cases of one unit of work."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos
        self._clinic = ClinicService(repos)

    async def queue(
        self,
        scope: int | None,
        *,
        state: str | None,
        period: str | None,
        kecamatan_id: int | None,
        kabupaten_id: int | None = None,
        current: Period | None = None,
        after: int | None = None,
    ) -> Queue:
        """A page of submitted reports in the scope by review state (None: all), period (None: all) and area;
        newest period first, then by kecamatan and name. Counted up to COUNT_BOUND, with the counts of `current`
        (the period reported now) and the periods before it."""
        states = (state,) if state in STATES else STATES
        where = QueueFilter(scope, kabupaten_id, kecamatan_id, states)
        recent: list[str] = []
        for _ in range(PERIODS_COUNTED if current is not None else 0):
            recent.append(str(current) if not recent else str(Period.parse(recent[-1]).previous()))
        counted: list[str | None] = [*recent, period] if period not in recent else list(recent)
        counts = await self._repos.reviews.counts(where, counted, COUNT_BOUND)
        total = counts[counted.index(period)]
        rows = await self._repos.reviews.queue(
            keys.PERDEP, where, period=period, limit=QUEUE_LIMIT + 1, after=after, dense=total > COUNT_BOUND
        )
        return Queue(
            tuple(rows[:QUEUE_LIMIT]),
            total,
            state if state in STATES else None,
            period,
            kecamatan_id,
            kabupaten_id,
            after,
            len(rows) > QUEUE_LIMIT,
            tuple(zip(recent, counts, strict=False)),
            COUNT_BOUND,
        )

    async def export(self, scope: int | None, period: Period) -> list[QueueRow]:
        """Every submitted report of `period` in the scope, in every review state."""
        return await self._repos.reviews.queue(keys.PERDEP, QueueFilter(scope), period=str(period))

    async def _in_scope(self, report_id: int, scope: int | None, *, lock: bool = False) -> tuple[Report, Cooperative]:
        report = await self._repos.reports.by_id(report_id, lock=lock)
        cooperative = await self._repos.cooperatives.get(report.cooperative_id) if report else None
        if report is None or cooperative is None or report.status != "submitted":
            raise LookupError(f"no submitted report {report_id}")
        if scope is not None and cooperative.kecamatan_id != scope:
            raise LookupError(f"report {report_id} is outside kecamatan {scope}")
        return report, cooperative

    @staticmethod
    def _state(report: Report) -> str:
        """waiting | sent_back | verified: kept on the report by each submission and decision."""
        return report.review_state or "waiting"

    async def page(self, report_id: int, scope: int | None) -> ReviewPage:
        """One submitted report to review (LookupError: none such in the scope)."""
        report, cooperative = await self._in_scope(report_id, scope)
        period = Period.parse(report.period)
        revisions = await self._repos.reports.revisions(report.id)
        latest: ReportRevision | None = revisions[-1] if revisions else None
        before = await self._repos.reports.latest_submitted_before(cooperative.id, report.period)
        previous_period = None
        if before is not None:
            earlier = await self._repos.reports.by_id(before.report_id)
            previous_period = Period.parse(earlier.period) if earlier else None
        now = {k: str(v) for k, v in (latest.figures if latest else {}).items()}
        old = {k: str(v) for k, v in (before.figures if before else {}).items()}
        figures = tuple(
            FigureLine(q, now.get(q.key), old.get(q.key))
            for q in forms.load_form().questions
            if q.key in now or q.key in old
        )
        warnings = []
        for stored in (latest.warnings or []) if latest is not None else []:
            found = _finding(stored)
            if found is not None:
                warnings.append(WarningLine(found, bool(stored.get("confirmed")), stored.get("reason") or None))
        lines = await RecordService(self._repos).revision_lines(revisions)
        decisions = await self._repos.reviews.of_report(report.id)
        names = {}
        for staff_id in {d.staff_id for d in decisions}:
            staff = await self._repos.staff.get(staff_id)
            names[staff_id] = staff.name if staff else None
        assessments = []
        for framework, _ in frameworks_for(cooperative):
            current = await self._repos.clinic.latest_of_period(cooperative.id, framework, report.period)
            if current is not None:
                verifier = await self._repos.staff.get(current.verified_by) if current.verified_by else None
                assessments.append(assessment_view(current, {verifier.id: verifier.name} if verifier else {}, True))
        kecamatan = (await self._repos.regions.names([cooperative.kecamatan_id])) if cooperative.kecamatan_id else {}
        officers = await self._repos.officers.of_cooperative(cooperative.id)
        identities = await self._repos.identities.of_officers([o.id for o in officers])
        return ReviewPage(
            report.id,
            cooperative.id,
            cooperative.nik,
            cooperative.name,
            kecamatan.get(cooperative.kecamatan_id or 0),
            cooperative.timezone,
            period,
            previous_period,
            report.latest_revision,
            self._state(report),
            figures,
            tuple(warnings),
            tuple(lines[v.id] for v in reversed(revisions)),
            tuple(
                Decision(d.revision, d.action, d.reason, names.get(d.staff_id), d.created_at)
                for d in reversed(decisions)
            ),
            tuple(assessments),
            len(officers),
            sum(any(i.reachable for i in accounts) for accounts in identities.values()),
        )

    async def _decide(
        self, report_id: int, actor: Actor, scope: int | None, revision: int | None
    ) -> tuple[Report, Cooperative, str]:
        report, cooperative = await self._in_scope(report_id, scope, lock=True)
        if actor.staff_id is None or not await self._clinic.may_change(actor, cooperative.id):
            raise NotAllowed(f"{actor.key} may not review report {report_id}")
        if revision is not None and revision != report.latest_revision:
            raise Stale(f"report {report_id} is at revision {report.latest_revision}, not {revision}")
        return report, cooperative, self._state(report)

    async def verify(
        self, report_id: int, actor: Actor, scope: int | None, at: datetime, revision: int | None = None
    ) -> None:
        """Accept the report's latest revision: its current assessments become terverifikasi (by whom, when)."""
        report, cooperative, state = await self._decide(report_id, actor, scope, revision)
        if state == "verified":
            raise AlreadyDecided(f"report {report_id} revision {report.latest_revision} is verified already")
        for framework, _ in frameworks_for(cooperative):
            current = await self._repos.clinic.latest_of_period(cooperative.id, framework, report.period)
            if current is not None:
                await self._clinic.verify(current.id, actor, at)
        assert actor.staff_id is not None
        await self._repos.reviews.add(report.id, report.latest_revision, "verified", actor.staff_id, at)
        await self._repos.audit.add(
            actor.key, "report.verified", f"report:{report.id}", revision=report.latest_revision, period=report.period
        )

    async def send_back(
        self, report_id: int, actor: Actor, scope: int | None, reason: str, at: datetime, revision: int | None = None
    ) -> SentBack:
        """Return the report's latest revision to the cooperative with a reason (ValueError: no usable reason); the
        caller tells the officers in the same unit of work."""
        reason = checked_reason(reason)
        report, cooperative, state = await self._decide(report_id, actor, scope, revision)
        if state != "waiting":
            raise AlreadyDecided(f"report {report_id} revision {report.latest_revision} is {state}")
        assert actor.staff_id is not None
        review = await self._repos.reviews.add(
            report.id, report.latest_revision, "sent_back", actor.staff_id, at, reason=reason
        )
        await self._repos.audit.add(
            actor.key,
            "report.sent_back",
            f"report:{report.id}",
            revision=report.latest_revision,
            period=report.period,
            reason=reason,
        )
        officers = tuple((o.id, o.language) for o in await self._repos.officers.of_cooperative(cooperative.id))
        return SentBack(
            review.id, cooperative.name, Period.parse(report.period), reason, cooperative.timezone, officers
        )
