"""The monthly report: open it, keep its draft, submit it (stored, audited, scored), correct it, read its results."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import carry, forms, report_checks, report_flow
from bot.domain.health import keys
from bot.domain.health.compliance import CooperativeRecord
from bot.domain.health.rules import Rules
from bot.domain.periods import Period, reporting_period_for
from bot.domain.report_flow.interpret import Refused, read_answer
from bot.domain.report_flow.prompts import askable
from bot.services.assessments import Scored, assess_revision, record_of, score_figures
from storage.models import Cooperative, Report, ReportRevision
from storage.repositories import Repositories

YEARLY_PREFIXES = ("management.", "compliance.")  # answers kept per cooperative across reports, not per revision


class NotAllowed(Exception):
    """The officer does not report for this cooperative."""


class BlockingProblems(Exception):
    """The books do not add up: the report cannot be sent until these are fixed."""

    def __init__(self, blocking: tuple[report_checks.Finding, ...]) -> None:
        super().__init__(", ".join(f"{f.id}: {f.left} vs {f.right}" for f in blocking))
        self.blocking = blocking


def profile_of(cooperative: Cooperative) -> forms.Profile:
    """The form profile of a cooperative: its type, tags and savings-and-loan unit."""
    return forms.Profile(cooperative.type, frozenset(cooperative.tags or ()), cooperative.has_savings_unit)


@cache
def every_question(profile: forms.Profile) -> tuple[forms.Question, ...]:
    """Every question of the packaged form that a cooperative of this profile may get (worked out once a profile)."""
    return tuple(forms.questions_for(forms.load_form(), profile, True, True, True))


@lru_cache(maxsize=256)
def asked_questions(profile: forms.Profile, asked: tuple[str, ...]) -> tuple[forms.Question, ...]:
    """The questions of a report of this profile that includes these yearly items (`carry.Plan.questions`): one tuple
    for every message of every such report, so the engine's per-question-list caches find it by identity."""
    return tuple(carry.Plan(asked=asked).questions(every_question(profile)))


@dataclass(frozen=True)
class Revision:
    """One submitted version of a report: its figures (as strings), when, by whom, and why (a correction)."""

    number: int
    figures: dict[str, str]
    at: datetime
    officer_id: int | None
    officer_name: str | None
    reason: str | None


@dataclass(frozen=True)
class ReportState:
    """A report of one period as a door opens it: status, the shared draft and who last added to it, what was sent."""

    cooperative_id: int
    period: Period
    status: str  # draft | submitted
    draft: dict[str, str]
    draft_officer_id: int | None
    draft_officer_name: str | None
    draft_updated_at: datetime | None
    latest: Revision | None  # the latest submitted revision (None while never submitted)

    @property
    def submitted(self) -> bool:
        return self.status == "submitted"


@dataclass(frozen=True)
class Submission:
    """What a submit did: the revision stored, whether it corrected an earlier one, and its assessments."""

    period: Period
    revision: int
    at: datetime
    correction: bool
    scored: tuple[Scored, ...]


@dataclass(frozen=True)
class Status:
    """The latest submitted report's period and its assessments, scored with today's rules."""

    period: Period
    scored: tuple[Scored, ...]


@dataclass(frozen=True)
class AssessmentSummary:
    """One stored assessment as a history lists it."""

    period: str
    framework: str
    total: Decimal | None
    category: str | None
    provisional: bool
    official: bool
    standing: str = "provisional"  # provisional (sementara) | verified (terverifikasi) | official (resmi)
    indicators: tuple[tuple[str, Decimal | None, str | None], ...] = ()  # indicative: (key, value, band) each


def stored_indicators(result: Mapping[str, Any]) -> tuple[tuple[str, Decimal | None, str | None], ...]:
    """An indicative result's indicators as stored: (key, value, band); () for any other result."""
    rows = result.get("indicators")
    if not isinstance(rows, list):
        return ()
    found = []
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("key"), str):
            value, band = row.get("value"), row.get("band")
            number = None if value is None else Decimal(str(value))
            found.append((row["key"], number, band if isinstance(band, str) else None))
    return tuple(found)


@dataclass(frozen=True)
class FormReport:
    """The report as the phone form shows it: its questions by section, the values to show, the checks of what would
    be sent (`answers`: the draft and the yearly answers carried), what is still missing."""

    period: Period
    status: str
    sections: tuple[tuple[forms.Section, tuple[forms.Question, ...]], ...]
    values: dict[str, str]  # what each field shows: the answer, else last period's (see `from_previous`)
    from_previous: frozenset[str]
    previous: dict[str, str]
    answers: dict[str, str]
    carried: tuple[str, ...]  # yearly answers kept as stored (not answered anew)
    checked: report_checks.Checked
    missing: tuple[str, ...]

    @property
    def questions(self) -> dict[str, forms.Question]:
        return {q.key: q for _, questions in self.sections for q in questions}


class ReportService:
    """The report use cases of one unit of work."""

    def __init__(self, repos: Repositories, rules: Rules) -> None:
        self._repos = repos
        self._rules = rules
        self._open: dict[tuple[int, str], Report] = {}  # the rows this unit of work opened (and locked)

    async def _report(self, cooperative_id: int, period: Period) -> Report:
        key = (cooperative_id, str(period))
        if key not in self._open:
            self._open[key] = await self._repos.reports.get_or_create(cooperative_id, str(period))
        return self._open[key]

    async def _cooperative(self, cooperative_id: int) -> Cooperative:
        cooperative = await self._repos.cooperatives.get(cooperative_id)
        if cooperative is None:
            raise LookupError(f"no cooperative {cooperative_id}")
        return cooperative

    async def _check_officer(self, cooperative_id: int, officer_id: int) -> None:
        officer = await self._repos.officers.get(officer_id)
        if officer is None or officer.cooperative_id != cooperative_id:
            raise NotAllowed(f"officer {officer_id} does not report for cooperative {cooperative_id}")

    async def _name(self, officer_id: int | None) -> str | None:
        officer = await self._repos.officers.get(officer_id) if officer_id else None
        return officer.name if officer else None

    async def _revision(self, revision: ReportRevision) -> Revision:
        return Revision(
            revision.number,
            {k: str(v) for k, v in revision.figures.items()},
            revision.created_at,
            revision.officer_id,
            await self._name(revision.officer_id),
            revision.reason,
        )

    async def _state(self, report: Report) -> ReportState:
        number = report.latest_revision
        latest = await self._repos.reports.revision(report.id, number) if number else None
        return ReportState(
            report.cooperative_id,
            Period.parse(report.period),
            report.status,
            {k: str(v) for k, v in (report.draft or {}).items()},
            report.draft_officer_id,
            await self._name(report.draft_officer_id),
            report.draft_updated_at,
            await self._revision(latest) if latest else None,
        )

    async def prepare(self, keys: Sequence[tuple[int, Period]]) -> None:
        """Lock the reports these (cooperative, period) pairs will open in this unit of work, all in one statement
        (a batch of messages answering report questions); `open` then reads nothing more for them."""
        await self._repos.reports.lock_many([(cooperative_id, str(period)) for cooperative_id, period in keys])

    async def prepare_openings(self, cooperative_ids: Collection[int], at: datetime) -> None:
        """The reports these cooperatives open at `at` (a batch's `/lapor`): made where missing and locked, with last
        period's figures and the yearly answers, one statement each for all of them; `open`, `previous_figures` and
        `carried_answers` then read nothing more for them."""
        keys = []
        for cooperative_id in sorted(set(cooperative_ids)):
            zone = ZoneInfo((await self._cooperative(cooperative_id)).timezone)
            keys.append((cooperative_id, str(reporting_period_for(at, zone))))
        await self._repos.reports.open_many(keys)
        await self._repos.reports.before_many(keys)
        await self._repos.management.read_many(cooperative_ids)

    async def open(self, cooperative_id: int, period: Period) -> ReportState:
        """The report of `period` (made when new), locked for this unit of work where the database can."""
        return await self._state(await self._report(cooperative_id, period))

    async def correction(self, cooperative_id: int, period: Period | None = None) -> ReportState | None:
        """The submitted report of `period` (default: the latest one), to be corrected from its latest revision
        (None: nothing submitted for it)."""
        if period is not None:
            found = await self._repos.reports.get(cooperative_id, str(period), lock=True)
            if found is None or found.status != "submitted":
                return None
            report = found
        else:
            latest = await self._repos.reports.latest_submitted(cooperative_id)
            if latest is None:
                return None
            report, _ = latest
        self._open[(cooperative_id, report.period)] = report
        return await self._state(report)

    async def carried_answers(self, cooperative_id: int) -> dict[str, carry.StoredAnswer]:
        """The stored yearly answers with the reporting period each was given in (the carry-forward plan's input)."""
        zone = ZoneInfo((await self._cooperative(cooperative_id)).timezone)
        return {
            key: carry.StoredAnswer(
                report_flow.YES if row.answer else report_flow.NO,
                str(reporting_period_for(row.answered_at, zone)),
                row.wording_hash,
            )
            for key, row in (await self._repos.management.answers(cooperative_id)).items()
        }

    async def management_answers(self, cooperative_id: int) -> dict[str, bool]:
        """The stored yearly answers, yes or no."""
        return {key: row.answer for key, row in (await self._repos.management.answers(cooperative_id)).items()}

    async def previous_figures(self, cooperative_id: int, period: Period) -> dict[str, str]:
        """The figures of the latest report submitted for a period before `period` (empty: none)."""
        before = await self._repos.reports.latest_submitted_before(cooperative_id, str(period))
        return {k: str(v) for k, v in (before.figures if before else {}).items()}

    async def questions(self, cooperative_id: int) -> tuple[forms.Question, ...]:
        """Every question of the form this cooperative may be asked (its yearly items included)."""
        return every_question(profile_of(await self._cooperative(cooperative_id)))

    async def check(self, cooperative_id: int, period: Period, answers: Mapping[str, str]) -> report_checks.Checked:
        """The checks every path runs (chat, form, workbook, import): against each other, last period, the record."""
        cooperative = await self._cooperative(cooperative_id)
        previous = await self.previous_figures(cooperative_id, period)
        facts = {"members": cooperative.members}
        return report_checks.check(await self.questions(cooperative_id), answers, previous, facts)

    async def save_draft(
        self, cooperative_id: int, period: Period, answers: Mapping[str, str], *, officer_id: int, at: datetime
    ) -> None:
        """Replace the report's draft with `answers`, noting who added to it and when."""
        await self._check_officer(cooperative_id, officer_id)
        report = await self._report(cooperative_id, period)
        report.draft = dict(answers)
        report.draft_officer_id = officer_id
        report.draft_updated_at = at

    async def submit(
        self,
        cooperative_id: int,
        period: Period,
        answers: Mapping[str, str],
        *,
        officer_id: int | None,
        at: datetime,
        carried: Collection[str] = (),
        reason: str | None = None,
        confirmed: Mapping[str, str] | None = None,
    ) -> Submission:
        """Store a revision of the figures and the yearly answers given (those in `carried` were confirmed unchanged
        and keep the date they were answered, so they still turn stale a year on), audit it, score it.

        Refused (`BlockingProblems`, nothing stored) while the books do not add up. Derived figures not typed are
        filled in; the warnings are stored with the revision, each with the officer's reason when `confirmed` names
        it (warning id -> reason, "" when confirmed as it was asked). `officer_id` None: the office's archive
        (`kopsehat reports import`), audited as such."""
        if officer_id is not None:
            await self._check_officer(cooperative_id, officer_id)
        checked = await self.check(cooperative_id, period, answers)
        if checked.blocking:
            raise BlockingProblems(checked.blocking)
        answers = report_checks.completed(await self.questions(cooperative_id), answers, checked)
        report = await self._report(cooperative_id, period)
        figures = {k: v for k, v in answers.items() if not k.startswith(YEARLY_PREFIXES)}
        yearly = {
            k: v == report_flow.YES for k, v in answers.items() if k.startswith(YEARLY_PREFIXES) and k not in carried
        }
        if yearly:
            wording = {q.key: forms.wording_hash(q) for q in forms.load_form().questions if q.key in yearly}
            await self._repos.management.save(cooperative_id, yearly, at, officer_id, wording=wording)
        correction = report.status == "submitted"
        revision = await self._repos.reports.add_revision(
            report, figures, at=at, officer_id=officer_id, reason=reason if correction else None
        )
        confirmed = confirmed or {}
        revision.warnings = [
            {**w.to_json(), "confirmed": w.id in confirmed, "reason": confirmed.get(w.id) or None}
            for w in checked.warnings
        ]
        await self._repos.audit.add(
            f"officer:{officer_id}" if officer_id is not None else "office:import",
            "report.submitted",
            f"report:{report.id}",
            revision=revision.number,
        )
        cooperative = await self._cooperative(cooperative_id)
        scored = await assess_revision(self._repos, cooperative, period, revision, self._rules)
        return Submission(period, revision.number, at, correction, tuple(scored))

    async def _form_plan(self, cooperative_id: int, period: Period) -> tuple[list[forms.Question], carry.Plan]:
        """The questions of this report (as the chat asks them) and its yearly answers carried (spec §8.3)."""
        every = list(await self.questions(cooperative_id))
        plan = carry.plan(every, await self.carried_answers(cooperative_id), str(period))
        return plan.questions(every), plan

    async def form(self, cooperative_id: int, period: Period) -> FormReport:
        """The report of `period` for the phone form: the same questions, draft, checks and derived figures as the
        chat; fields not answered yet show last period's value."""
        questions, plan = await self._form_plan(cooperative_id, period)
        report = await self._report(cooperative_id, period)
        draft = {k: str(v) for k, v in (report.draft or {}).items()}
        answers = {**plan.carried, **draft}
        checked = await self.check(cooperative_id, period, answers)
        asked = {q.key for q in askable(questions)} | set(checked.ask)
        shown = [q for q in questions if q.key in asked or (q.only_when_asked_by_checks and q.key in answers)]
        sections: dict[str, tuple[forms.Section, list[forms.Question]]] = {}
        for question in shown:
            sections.setdefault(question.section.id, (question.section, []))[1].append(question)
        previous = {**await self.previous_figures(cooperative_id, period), **plan.previous}
        offered = {q.key: previous[q.key] for q in shown if q.key in previous and q.key not in answers}
        return FormReport(
            period,
            report.status,
            tuple((section, tuple(items)) for section, items in sections.values()),
            {**offered, **{k: v for k, v in answers.items() if k in {q.key for q in shown}}},
            frozenset(offered),
            previous,
            answers,
            tuple(k for k in plan.carried if k not in draft),
            checked,
            tuple(q.key for q in shown if q.key not in answers),
        )

    async def save_form(
        self, cooperative_id: int, period: Period, typed: Mapping[str, str], *, officer_id: int, at: datetime
    ) -> dict[str, report_flow.ProblemCode]:
        """Read the fields of one screen with the chat's own reading (amounts the Indonesian way), keep those read in
        the draft (an empty field is no answer), and return the problems of the others, by key (nothing of theirs
        is stored)."""
        questions, plan = await self._form_plan(cooperative_id, period)
        derived = report_checks.derivable(questions)
        by_key = {q.key: q for q in questions if q.key not in derived}
        report = await self._report(cooperative_id, period)
        draft = {k: str(v) for k, v in (report.draft or {}).items()}
        problems: dict[str, report_flow.ProblemCode] = {}
        for key, text in typed.items():
            question = by_key.get(key)
            if question is None:
                continue  # not a field of this report: ignored
            value = read_answer(question, text.strip()[:100], ()) if text.strip() else None
            if isinstance(value, Refused):
                problems[key] = value.code
            elif value is None or (question.yearly and plan.carried.get(key) == value):
                draft.pop(key, None)  # no answer, or the stored yearly answer kept as it is
            else:
                draft[key] = value
        await self.save_draft(cooperative_id, period, draft, officer_id=officer_id, at=at)
        return problems

    async def clinic_record(self, cooperative_id: int) -> CooperativeRecord:
        """What the checklist and the clinic know of the cooperative: its dates, tags and the yes/no facts answered."""
        cooperative = await self._cooperative(cooperative_id)
        return record_of(cooperative, await self.management_answers(cooperative_id))

    async def status(self, cooperative_id: int) -> Status | None:
        """The latest submitted report's assessments, scored again with today's rules (None: nothing submitted)."""
        latest = await self._repos.reports.latest_submitted(cooperative_id)
        if latest is None:
            return None
        report, revision = latest
        period = Period.parse(report.period)
        cooperative = await self._cooperative(cooperative_id)
        answers = await self.management_answers(cooperative_id)
        return Status(period, tuple(score_figures(cooperative, period, revision.figures, answers, self._rules)))

    async def history(self, cooperative_id: int, limit: int = 6) -> list[AssessmentSummary]:
        """The latest assessment of each of the last `limit` assessed periods, newest first."""
        return [
            AssessmentSummary(
                a.period,
                a.framework,
                a.total,
                a.category,
                a.provisional,
                a.official,
                a.standing,
                stored_indicators(a.result),
            )
            for a in await self._repos.assessments.history(cooperative_id, limit=limit)
        ]

    async def previous_total(self, cooperative_id: int, period: Period) -> Decimal | None:
        """The official-framework total of the latest assessed period before `period`, if any."""
        for stored in await self.history(cooperative_id, limit=12):
            if stored.period < str(period) and stored.framework == keys.PERDEP and stored.total is not None:
                return stored.total
        return None
