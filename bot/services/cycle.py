"""Which notices are due on a day: the monthly reporting cycle (§10.5 first row); the RAT, NIK and ODS reminders are in
`bot.services.obligation_notices`.

Every function here reads the repositories and returns values; nothing is sent or written. A day is the office's
calendar date; each notice's dedupe key names the day or the recorded date it comes from, so computing the same
day twice yields the same keys and the outbox keeps one row per key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.periods import Period, deadline, format_date
from bot.services.notices import QuietHours
from bot.words import render
from bot.words.messages import Choice, Notice, NoticeKind, Reply
from storage import office_views
from storage.fanout import CooperativeRow, OfficerRow
from storage.models import Cooperative, Officer, OfficeStaff
from storage.repositories import Repositories

PRIORITY_DEADLINE = 1  # deadline reminders and the office's list go before invitations and announcements
PRIORITY_OBLIGATION = 2
PRIORITY_OPEN = 3
STAFF_LIST_LIMIT = 40
RAT_ROUTE = "rat"  # handlers/rat.py: the RAT notices' button starts it


class PlanSettings(Protocol):
    """The settings the reminder calendar is read from (bot.config.Settings: KOPSEHAT_*)."""

    report_open_day: int
    report_deadline_day: int

    @property
    def zone(self) -> ZoneInfo: ...

    @property
    def quiet_window(self) -> tuple[time, time] | None: ...

    @property
    def reminder_days(self) -> tuple[int, ...]: ...


@dataclass(frozen=True)
class CyclePlan:
    """The office's reminder calendar: reporting days, quiet hours, zone, and the time of the daily tick."""

    office_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))
    open_day: int = 1
    reminder_days: tuple[int, ...] = (5, 9)
    deadline_day: int = 10
    quiet: QuietHours | None = None
    tick_hour: int = 8
    tick_minute: int = 0


def plan_from_settings(settings: PlanSettings) -> CyclePlan:
    """The reminder calendar from KOPSEHAT_* settings."""
    window = settings.quiet_window
    return CyclePlan(
        office_zone=settings.zone,
        open_day=settings.report_open_day,
        reminder_days=settings.reminder_days,
        deadline_day=settings.report_deadline_day,
        quiet=QuietHours(*window) if window else None,
    )


@dataclass(frozen=True)
class Due:
    """One notice for one person, with the zone its quiet hours are counted in."""

    notice: Notice
    zone: ZoneInfo
    officer_id: int | None = None
    staff_id: int | None = None


@dataclass(frozen=True)
class CooperativeStatus:
    """One cooperative's report for a period: when it first arrived and whether that was on time."""

    id: int
    name: str
    kecamatan_id: int | None
    kecamatan: str
    submitted_at: datetime | None
    on_time: bool
    nik: str | None = None
    timezone: str = "Asia/Jakarta"


def share(part: int, whole: int) -> Decimal:
    """`part` of `whole` as a whole percentage (half up); 0 of nothing is 0."""
    if whole == 0:
        return Decimal(0)
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Recap:
    """Completeness (share of cooperatives that reported) and timeliness (share that reported by the deadline)."""

    period: Period
    rows: tuple[CooperativeStatus, ...]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def reported(self) -> int:
        return sum(1 for r in self.rows if r.submitted_at is not None)

    @property
    def on_time(self) -> int:
        return sum(1 for r in self.rows if r.on_time)

    @property
    def missing(self) -> list[CooperativeStatus]:
        return [r for r in self.rows if r.submitted_at is None]

    @property
    def completeness(self) -> Decimal:
        return share(self.reported, self.total)

    @property
    def timeliness(self) -> Decimal:
        return share(self.on_time, self.total)

    @property
    def missing_count(self) -> int:
        return self.total - self.reported

    def missing_names(self, limit: int) -> list[str]:
        """The first `limit` cooperatives that did not report, by name."""
        return [r.name for r in self.missing[:limit]]

    def by_kecamatan(self) -> list[Recap]:
        """One recap per kecamatan (named in `rows[0].kecamatan`), in name order."""
        groups: dict[str, list[CooperativeStatus]] = {}
        for row in self.rows:
            groups.setdefault(row.kecamatan, []).append(row)
        return [Recap(self.period, tuple(groups[name])) for name in sorted(groups)]


@dataclass(frozen=True)
class Missing:
    """A period's reporting counted in the database for one area, with the first names of those that did not report
    (the office's list after the deadline)."""

    period: Period
    total: int
    reported: int
    on_time: int
    names: tuple[str, ...]

    @property
    def completeness(self) -> Decimal:
        return share(self.reported, self.total)

    @property
    def missing_count(self) -> int:
        return self.total - self.reported

    def missing_names(self, limit: int) -> list[str]:
        return list(self.names[:limit])


async def cooperatives(repos: Repositories, kecamatan_id: int | None = None) -> list[Cooperative]:
    """Every cooperative of the city (or of one kecamatan), in name order."""
    return await repos.cooperatives.search(kecamatan_id=kecamatan_id)


async def recap(repos: Repositories, period: Period, plan: CyclePlan, kecamatan_id: int | None = None) -> Recap:
    """Who reported `period`, and on time, among the city's (or one kecamatan's) cooperatives, one row each."""
    rows = []
    deadlines: dict[str, datetime] = {}
    for id_, name, kecamatan_id_, kecamatan, nik, zone, submitted, at in await office_views.reporting_rows(
        repos, str(period), kecamatan_id
    ):
        if submitted and at is None:
            at = datetime.min.replace(tzinfo=ZoneInfo("UTC"))  # submitted without a time: count it, as on time
        due = deadlines.get(zone) or deadlines.setdefault(zone, deadline(period, zone, plan.deadline_day))
        rows.append(
            CooperativeStatus(
                id=id_,
                name=name,
                kecamatan_id=kecamatan_id_,
                kecamatan=kecamatan or "-",
                submitted_at=at,
                on_time=at is not None and at <= due,
                nik=nik,
                timezone=zone,
            )
        )
    return Recap(period, tuple(rows))


@dataclass(frozen=True)
class Tally:
    """Reporting counts of one kecamatan (or of the whole area): cooperatives, reported, reported on time."""

    kecamatan: str
    total: int
    reported: int
    on_time: int

    @property
    def missing(self) -> int:
        return self.total - self.reported

    @property
    def completeness(self) -> Decimal:
        return share(self.reported, self.total)

    @property
    def timeliness(self) -> Decimal:
        return share(self.on_time, self.total)


@dataclass(frozen=True)
class RecapCounts:
    """A period's reporting counted in the database, per kecamatan (by name) and in all."""

    period: Period
    areas: tuple[Tally, ...]

    @property
    def whole(self) -> Tally:
        return Tally(
            "",
            sum(a.total for a in self.areas),
            sum(a.reported for a in self.areas),
            sum(a.on_time for a in self.areas),
        )


async def zone_deadlines(repos: Repositories, period: Period, plan: CyclePlan) -> dict[str, datetime]:
    """The deadline of `period` in each time zone the cooperatives are in."""
    return {zone: deadline(period, zone, plan.deadline_day) for zone in await office_views.timezones(repos)}


async def recap_counts(
    repos: Repositories, period: Period, plan: CyclePlan, kecamatan_id: int | None = None
) -> RecapCounts:
    """Completeness and timeliness of `period` per kecamatan, as `recap` counts them, in one GROUP BY."""
    due = await zone_deadlines(repos, period, plan)
    counts = await office_views.reporting_by_kecamatan(repos, str(period), due, kecamatan_id)
    names = await repos.regions.names([c.kecamatan_id for c in counts if c.kecamatan_id])
    areas: dict[str, Tally] = {}
    for c in counts:
        name = names.get(c.kecamatan_id or 0, "-")
        had = areas.get(name, Tally(name, 0, 0, 0))
        areas[name] = Tally(name, had.total + c.total, had.reported + c.reported, had.on_time + c.on_time)
    return RecapCounts(period, tuple(areas[name] for name in sorted(areas)))


def _lang(value: str | None) -> render.Lang:
    return render.as_lang(value)


def _start_choice(lang: render.Lang) -> tuple[Choice, ...]:
    return (
        Choice("go:lapor", render.text(lang, "notices.button_report")),
        Choice("go:formulir", render.text(lang, "notices.button_form")),
    )


def report_notice(
    kind: NoticeKind,
    key: str,
    coop: Cooperative | CooperativeRow,
    officer: Officer | OfficerRow,
    period: Period,
    plan: CyclePlan,
    priority: int,
) -> Due:
    lang = _lang(officer.language)
    zone = ZoneInfo(coop.timezone)
    due = deadline(period, zone, plan.deadline_day).date()
    message = {"report_open": "report_open", "report_reminder": "report_reminder"}.get(kind, "report_late")
    text = render.text(
        lang,
        f"notices.{message}",
        name=officer.name,
        cooperative=coop.name,
        period=period.label(lang),
        deadline=format_date(due, lang),
    )
    params: tuple[str, ...] = (officer.name, coop.name, period.label(lang), format_date(due, lang), "go:lapor")
    if kind == "report_reminder":
        params = (*params, "go:menu")
    notice = Notice(kind, key, Reply(text, _start_choice(lang)), priority=priority, template_params=params)
    return Due(notice, zone, officer_id=officer.id)


def staff_summary(staff: OfficeStaff, summary: Recap | Missing, plan: CyclePlan) -> Due:
    """The office's list of cooperatives that did not report, as a notice with a button to the recap."""
    lang = _lang(staff.language)
    text = render.text(
        lang,
        "notices.staff_summary",
        period=summary.period.label(lang),
        reported=summary.reported,
        total=summary.total,
        percent=summary.completeness,
        missing=summary.missing_names(STAFF_LIST_LIMIT),
        more=max(0, summary.missing_count - STAFF_LIST_LIMIT),
        on_time=summary.on_time,
    )
    choices = (Choice("go:rekap", render.text(lang, "notices.button_recap")),)
    notice = Notice(
        "staff_summary",
        f"summary:report-missing:{summary.period}:staff-{staff.id}",
        Reply(text, choices),
        priority=PRIORITY_DEADLINE,
        template_params=(summary.period.label(lang), str(summary.reported), str(summary.total)),
    )
    return Due(notice, plan.office_zone, staff_id=staff.id)


async def region_name(repos: Repositories, region_id: int | None) -> str | None:
    """A kecamatan's name, for headings."""
    if region_id is None:
        return None
    region = await repos.regions.get(region_id)
    return region.name if region else None
