"""What the office web app shows: counts per category and reporting, the cooperative list (the rekam medis:
`bot.services.office_record`).

Every read is scoped: a staff member limited to a kecamatan (`StaffAccount.scope`) sees, counts and exports only its
cooperatives, and another kecamatan's cooperative is not found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain.health import keys
from bot.domain.periods import Period, deadline, reporting_period_for
from storage import office_counts, office_views
from storage.office_views import CooperativeRow, ListFilter
from storage.repositories import Repositories

CATEGORIES = ("sehat", "cukup_sehat", "dalam_pengawasan", "dalam_pengawasan_khusus")
ATTENTION = ("dalam_pengawasan", "dalam_pengawasan_khusus")
TREND_PERIODS = 12
PAGE_SIZE = 50
REPORTING = ("submitted", "on_time", "late", "missing")
SORTS = ("name", "nik", "score", "kecamatan")


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

    kecamatan: tuple[tuple[int, str], ...]  # in a province only those of `kecamatan_of` (none when none is chosen)
    kelurahan: tuple[tuple[int, str], ...]  # only those of `kelurahan_of` (none when no kecamatan is chosen)
    types: tuple[str, ...]
    tags: tuple[str, ...]
    kelurahan_of: int | None = None  # the kecamatan whose kelurahan are offered
    kabupaten: tuple[tuple[int, str], ...] = ()  # offered only when there are several (a province)
    kecamatan_of: int | None = None  # the kabupaten/kota whose kecamatan are offered


@dataclass(frozen=True)
class Areas:
    """The kabupaten/kota and kecamatan an area filter offers: a city (one kabupaten/kota) or a pembina's kecamatan
    offers its kecamatan alone; a province its kabupaten/kota, and the kecamatan of the chosen one only."""

    kabupaten: tuple[tuple[int, str], ...]  # empty: one kabupaten/kota, nothing to choose
    kecamatan: tuple[tuple[int, str], ...]
    kecamatan_of: int | None  # the chosen kabupaten/kota (or the chosen kecamatan's)


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
        kabupaten_id=_int(params.get("kabupaten")),
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

    async def areas(self, scope: int | None, kabupaten_id: int | None, kecamatan_id: int | None) -> Areas:
        """The kabupaten/kota and kecamatan with cooperatives in the scope, by name (an area filter's options): in a
        province only the kecamatan of the chosen kabupaten/kota (or of the chosen kecamatan's)."""
        regions = office_views.regions_in_scope
        kabupaten = await regions(self._repos, "kabupaten", None) if scope is None else []
        if len(kabupaten) < 2:
            return Areas((), tuple(await regions(self._repos, "kecamatan", scope)), None)
        chosen = kabupaten_id
        if chosen is None and kecamatan_id is not None:
            chosen = await office_views.parent_of(self._repos, kecamatan_id)
        kecamatan = await regions(self._repos, "kecamatan", None, chosen) if chosen is not None else []
        return Areas(tuple(kabupaten), tuple(kecamatan), chosen)

    async def options(self, where: ListFilter) -> FilterOptions:
        """The list's filter options; kelurahan only of one kecamatan (own, chosen, or the asked kelurahan's), and
        in a province kecamatan only of one kabupaten/kota (chosen, or the chosen kecamatan's)."""
        types, tags = await office_views.types_and_tags(self._repos, where.scope)
        area = where.scope or where.kecamatan_id
        if area is None and where.kelurahan_id is not None:
            area = await office_views.parent_of(self._repos, where.kelurahan_id)
        kelurahan = await office_views.regions_in_scope(self._repos, "kelurahan", where.scope, area) if area else []
        areas = await self.areas(where.scope, where.kabupaten_id, area)
        return FilterOptions(
            areas.kecamatan, tuple(kelurahan), tuple(types), tuple(tags), area, areas.kabupaten, areas.kecamatan_of
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


def _reporting(row: CooperativeRow, deadlines: Mapping[str, datetime]) -> str:
    if row.submitted_at is None:
        return "missing"
    due = deadlines.get(row.timezone)
    return "on_time" if due is None or row.submitted_at <= due else "late"
