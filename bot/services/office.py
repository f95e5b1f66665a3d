"""What the office web app shows: counts per category and reporting, the cooperative list, the rekam medis.

Every read is scoped: a staff member limited to a kecamatan (`StaffAccount.scope`) sees, counts and exports only its
cooperatives, and another kecamatan's cooperative is not found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain import forms
from bot.domain.health import keys
from bot.domain.periods import Period, deadline, reporting_period_for
from storage import office_counts, office_views
from storage.models import ReportRevision
from storage.office_views import CooperativeRow, ListFilter
from storage.repositories import Repositories

CATEGORIES = ("sehat", "cukup_sehat", "dalam_pengawasan", "dalam_pengawasan_khusus")
ATTENTION = ("dalam_pengawasan", "dalam_pengawasan_khusus")
TREND_PERIODS = 12
PAGE_SIZE = 50
REPORTING = ("submitted", "on_time", "late", "missing")
SORTS = ("name", "nik", "score", "kecamatan")
RECORD_REPORTS = 24  # reports shown on the rekam medis
RECORD_SCORES = 36  # periods of scores shown


@dataclass(frozen=True)
class CategoryCount:
    """One period's cooperatives per category: KSP/USP (official framework) apart from the other types' savings
    units; those assessed only indicatively (no category by design); and those not assessed."""

    period: Period
    official: Mapping[str, int]
    other: Mapping[str, int]
    indicative_only: int
    total: int

    def both(self, category: str) -> int:
        return self.official.get(category, 0) + self.other.get(category, 0)

    @property
    def assessed(self) -> int:
        return sum(self.official.values()) + sum(self.other.values()) + self.indicative_only

    @property
    def not_assessed(self) -> int:
        return max(0, self.total - self.assessed)


@dataclass(frozen=True)
class AreaReporting:
    """Reporting of one kecamatan (or of the whole scope) for the open period."""

    kecamatan: str | None
    total: int
    reported: int
    on_time: int

    @property
    def completeness(self) -> Decimal:
        return _share(self.reported, self.total)

    @property
    def timeliness(self) -> Decimal:
        return _share(self.on_time, self.total)


@dataclass(frozen=True)
class Overview:
    """The overview page: the latest assessed period's counts, the 12-period trend, the open period's reporting."""

    open_period: Period
    latest: CategoryCount
    trend: tuple[CategoryCount, ...]
    areas: tuple[AreaReporting, ...]
    all_areas: AreaReporting
    deadline: datetime


@dataclass(frozen=True)
class Listed:
    """A cooperative of the list, with its reporting of the open period (on_time | late | missing)."""

    row: CooperativeRow
    reporting: str


@dataclass(frozen=True)
class ListPage:
    """One page of the filtered list."""

    rows: tuple[Listed, ...]
    total: int
    page: int
    pages: int
    period: Period


@dataclass(frozen=True)
class FilterOptions:
    """What the list's filters offer in this scope."""

    kecamatan: tuple[tuple[int, str], ...]
    kelurahan: tuple[tuple[int, str], ...]  # only those of `kelurahan_of` (none when no kecamatan is chosen)
    types: tuple[str, ...]
    tags: tuple[str, ...]
    kelurahan_of: int | None = None  # the kecamatan whose kelurahan are offered


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


def _split(rows: Iterable[tuple[str | None, bool, int]]) -> tuple[dict[str, int], dict[str, int]]:
    """(category, of an official type, cooperatives) rows as counts per category: official types, the others."""
    official: dict[str, int] = {}
    other: dict[str, int] = {}
    for category, is_official, count in rows:
        if category:
            into = official if is_official else other
            into[category] = into.get(category, 0) + count
    return official, other


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01")) if whole else Decimal(0)


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def list_filter(params: Mapping[str, str], scope: int | None) -> ListFilter:
    """The list's filter from a request's (untrusted) parameters: anything unknown is left out, never an error."""
    category = params.get("kategori", "")
    return ListFilter(
        scope=scope,
        query=params.get("q", "").strip()[:100],
        type=params.get("jenis") if params.get("jenis") in keys.COOPERATIVE_TYPES else None,
        tag=tag if (tag := params.get("tag", "").strip().lower()).isascii() and tag.isidentifier() else None,
        kecamatan_id=_int(params.get("kecamatan")),
        kelurahan_id=_int(params.get("kelurahan")),
        category=category if category in (*CATEGORIES, "none") else None,
        reporting=params.get("lapor") if params.get("lapor") in REPORTING else None,
        sort=sort if (sort := params.get("urut", "name")) in SORTS else "name",
    )


def page_number(params: Mapping[str, str]) -> int:
    """The page asked for (1 when absent or unreadable)."""
    return max(1, _int(params.get("hal")) or 1)


class OfficeService:
    """The office web app's reads, for one unit of work."""

    def __init__(self, repos: Repositories) -> None:
        self._repos = repos

    async def _deadlines(self, period: Period, deadline_day: int) -> dict[str, datetime]:
        return {zone: deadline(period, zone, deadline_day) for zone in await office_views.timezones(self._repos)}

    async def overview(self, scope: int | None, now: datetime, office_zone: str, deadline_day: int) -> Overview:
        """Counts per category (latest assessed period and the 12 before the open one), and reporting per kecamatan
        for the open period."""
        open_period = reporting_period_for(now, ZoneInfo(office_zone))
        periods = [open_period]
        while len(periods) < TREND_PERIODS:
            periods.insert(0, periods[0].previous())
        first, last = str(periods[0]), str(periods[-1])
        total = await office_views.cooperative_count(self._repos, scope)
        counted = await office_counts.category_counts(
            self._repos, keys.PERDEP, first, last, scope, keys.SAVINGS_AND_LOAN_TYPES
        )
        indicative = await office_counts.assessed_without(self._repos, keys.INDICATIVE, keys.PERDEP, first, last, scope)
        trend = []
        for period in periods:
            official, other = _split((c, o, n) for at, c, o, n in counted if at == str(period))
            trend.append(CategoryCount(period, official, other, indicative.get(str(period), 0), total))
        latest = await self._latest(scope, total, open_period)
        deadlines = await self._deadlines(open_period, deadline_day)
        counts = await office_views.reporting_by_kecamatan(self._repos, str(open_period), deadlines, scope)
        names = await self._repos.regions.names([c.kecamatan_id for c in counts if c.kecamatan_id])
        areas = sorted(
            (AreaReporting(names.get(c.kecamatan_id or 0), c.total, c.reported, c.on_time) for c in counts),
            key=lambda a: (a.kecamatan is None, a.kecamatan or ""),
        )
        everything = AreaReporting(
            None, sum(a.total for a in areas), sum(a.reported for a in areas), sum(a.on_time for a in areas)
        )
        office_deadline = deadline(open_period, office_zone, deadline_day)
        return Overview(open_period, latest, tuple(trend), tuple(areas), everything, office_deadline)

    async def _latest(self, scope: int | None, total: int, open_period: Period) -> CategoryCount:
        """Every cooperative counted by its latest assessment (as the list shows it: one that has not reported the
        newest period keeps the category of its last report); the period is the newest among them."""
        rows, newest = await office_counts.latest_category_counts(
            self._repos, keys.PERDEP, scope, keys.SAVINGS_AND_LOAN_TYPES
        )
        official, other = _split(rows)
        indicative = await office_counts.latest_assessed_without(self._repos, keys.INDICATIVE, keys.PERDEP, scope)
        return CategoryCount(Period.parse(newest) if newest else open_period, official, other, indicative, total)

    async def kecamatan(self, scope: int | None) -> tuple[tuple[int, str], ...]:
        """The kecamatan with cooperatives in the scope, by name (a filter's options)."""
        return tuple(await office_views.regions_in_scope(self._repos, "kecamatan", scope))

    async def options(self, where: ListFilter) -> FilterOptions:
        """The list's filter options; kelurahan only of one kecamatan (own, chosen, or the asked kelurahan's)."""
        types, tags = await office_views.types_and_tags(self._repos, where.scope)
        area = where.scope or where.kecamatan_id
        if area is None and where.kelurahan_id is not None:
            area = await office_views.kelurahan_of(self._repos, where.kelurahan_id)
        kelurahan = await office_views.regions_in_scope(self._repos, "kelurahan", where.scope, area) if area else []
        return FilterOptions(
            await self.kecamatan(where.scope),
            tuple(kelurahan),
            tuple(types),
            tuple(tags),
            area,
        )

    async def _listed(
        self,
        where: ListFilter,
        period: Period,
        deadlines: Mapping[str, datetime],
        limit: int | None,
        offset: int,
        total: int | None = None,
    ) -> list[Listed]:
        rows = await office_views.list_rows(
            self._repos, where, keys.PERDEP, str(period), deadlines, limit=limit, offset=offset, total=total
        )
        return [Listed(row, _reporting(row, deadlines)) for row in rows]

    async def cooperatives(
        self, where: ListFilter, page: int, now: datetime, office_zone: str, deadline_day: int
    ) -> ListPage:
        """One page of the filtered, sorted list, with reporting for the open period."""
        period = reporting_period_for(now, ZoneInfo(office_zone))
        deadlines = await self._deadlines(period, deadline_day)
        total = await office_views.list_count(self._repos, where, keys.PERDEP, str(period), deadlines)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page, pages)
        rows = await self._listed(where, period, deadlines, PAGE_SIZE, (page - 1) * PAGE_SIZE, total)
        return ListPage(tuple(rows), total, page, pages, period)

    async def export(self, where: ListFilter, now: datetime, office_zone: str, deadline_day: int) -> ListPage:
        """Every row of the filtered list (for the workbook)."""
        period = reporting_period_for(now, ZoneInfo(office_zone))
        rows = await self._listed(where, period, await self._deadlines(period, deadline_day), None, 0)
        return ListPage(tuple(rows), len(rows), 1, 1, period)

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


def _reporting(row: CooperativeRow, deadlines: Mapping[str, datetime]) -> str:
    if row.submitted_at is None:
        return "missing"
    due = deadlines.get(row.timezone)
    return "on_time" if due is None or row.submitted_at <= due else "late"
