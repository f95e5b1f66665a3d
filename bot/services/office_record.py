"""The rekam medis (health record) of one cooperative as the office web app shows it: its officers and whether the bot
reaches them, its reports with every revision (what changed, by whom, why), its scores and its coaching record.

Every read is scoped: another kecamatan's cooperative is not found (see `bot.services.office`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from bot.domain import forms
from bot.domain.periods import Period, deadline
from storage import office_views
from storage.models import ReportRevision
from storage.repositories import Repositories

RECORD_REPORTS = 24  # reports shown on the rekam medis
RECORD_SCORES = 36  # periods of scores shown


@dataclass(frozen=True)
class OfficerLine:
    """An officer on the rekam medis: role, and whether the bot can reach them (on which channels, or why not)."""

    name: str
    role: str
    active: bool
    channels: tuple[str, ...]  # reachable chat accounts
    unreachable: tuple[str, ...]  # why the others cannot be reached
    has_account: bool

    @property
    def reachable(self) -> bool:
        return self.active and bool(self.channels)


@dataclass(frozen=True)
class Change:
    """One figure a revision changed."""

    key: str
    label_id: str
    label_en: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class RevisionLine:
    """One submitted revision: when, by whom, why, what changed."""

    number: int
    at: datetime
    by: str | None
    reason: str | None
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ReportLine:
    """One period's report with its revisions."""

    id: int
    period: Period
    submitted: bool
    first_submitted_at: datetime | None
    on_time: bool | None
    revisions: tuple[RevisionLine, ...]


@dataclass(frozen=True)
class ScoreLine:
    """A period's assessment with one framework."""

    period: Period
    framework: str
    total: Decimal | None
    category: str | None
    provisional: bool
    official: bool


@dataclass(frozen=True)
class CoachingLine:
    """An entry of the coaching record (diagnosis, prescription, clinic visit, note)."""

    kind: str
    summary: str
    at: datetime


@dataclass(frozen=True)
class HealthRecord:
    """The rekam medis of one cooperative."""

    id: int
    nik: str
    name: str
    type: str
    tags: tuple[str, ...]
    legal_entity_number: str | None
    kecamatan: str | None
    kelurahan: str | None
    address: str | None
    members: int | None
    rat_date: date | None
    ods_updated_on: date | None
    nik_valid_until: date | None
    timezone: str
    officers: tuple[OfficerLine, ...]
    reports: tuple[ReportLine, ...]
    scores: tuple[ScoreLine, ...]
    coaching: tuple[CoachingLine, ...] = field(default=())


class RecordService:
    """The rekam medis reads, for one unit of work."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos

    async def record(self, nik: str, scope: int | None, deadline_day: int) -> HealthRecord | None:
        """The rekam medis of the cooperative with this NIK (None: unknown, or outside the scope)."""
        coop = await office_views.cooperative_in_scope(self._repos, nik, scope) if len(nik) <= 40 else None
        if coop is None:
            return None
        names = await self._repos.regions.names([i for i in (coop.kecamatan_id, coop.kelurahan_id) if i])
        officers = tuple(
            OfficerLine(
                officer.name,
                officer.role,
                officer.status == "active",
                tuple(sorted({i.channel for i in identities if i.reachable})),
                tuple(sorted({i.unreachable_reason or "-" for i in identities if not i.reachable})),
                bool(identities),
            )
            for officer, identities in await office_views.officers_with_identities(self._repos, coop.id)
        )
        reports = await office_views.reports_with_revisions(self._repos, coop.id, RECORD_REPORTS)
        revision_lines = await self.revision_lines([v for _, revisions in reports for v in revisions])
        lines = []
        for report, revisions in reports:
            period = Period.parse(report.period)
            due = deadline(period, coop.timezone, deadline_day)
            first = report.first_submitted_at
            lines.append(
                ReportLine(
                    report.id,
                    period,
                    report.status == "submitted",
                    first,
                    None if first is None else first <= due,
                    tuple(revision_lines[v.id] for v in revisions),
                )
            )
        first_period = Period.parse(reports[0][0].period) if reports else None
        since = first_period or Period(2000, 1)
        for _ in range(RECORD_SCORES - 1):
            since = since.previous()
        scores = tuple(
            ScoreLine(Period.parse(a.period), a.framework, a.total, a.category, a.provisional, a.official)
            for a in await office_views.assessments_of(self._repos, coop.id, str(since))
        )
        coaching = tuple(
            CoachingLine(e.kind, e.summary, e.created_at)
            for e in await office_views.coaching_of(self._repos, coop.id, 50)
        )
        return HealthRecord(
            coop.id,
            nik,
            coop.name,
            coop.type,
            tuple(coop.tags or ()),
            coop.legal_entity_number,
            names.get(coop.kecamatan_id or 0),
            names.get(coop.kelurahan_id or 0),
            coop.address,
            coop.members,
            coop.rat_date,
            coop.ods_updated_on,
            coop.nik_valid_until,
            coop.timezone,
            officers,
            tuple(lines),
            scores,
            coaching,
        )

    async def revision_lines(self, revisions: Sequence[ReportRevision]) -> dict[int, RevisionLine]:
        """Each revision (by id) as a page shows it: when, by whom, why, what changed (with the figures' labels)."""
        who = await office_views.officer_names(self._repos, [v.officer_id for v in revisions if v.officer_id])
        labels = {q.key: q for q in forms.load_form().questions}
        return {
            v.id: RevisionLine(
                v.number,
                v.created_at,
                who.get(v.officer_id or 0),
                v.reason,
                tuple(
                    Change(
                        key,
                        labels[key].label_id if key in labels else key,
                        labels[key].label_en if key in labels else key,
                        None if pair[0] is None else str(pair[0]),
                        None if pair[1] is None else str(pair[1]),
                    )
                    for key, pair in sorted((v.changes or {}).items())
                ),
            )
            for v in revisions
        }
