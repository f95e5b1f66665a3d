"""The daily ticks' notices (reporting cycle; RAT, NIK and ODS), made a chunk of cooperatives at a time.

A part covers the next cooperatives by id (keyset: ids above the last part's): the reporting cycle's notices for
CYCLE_COOPERATIVES of them are made by the database (`storage.cycle_rows`: one `INSERT ... SELECT` per kind of notice,
the text rendered once per language and zone, the names put in by SQL), and so are the RAT, NIK and ODS reminders for
OBLIGATION_COOPERATIVES (`storage.obligation_rows`: the text rendered once per language, the names and an overdue
RAT's date put in by SQL); the few officers whose names the database cannot put in are made here. The scheduler
stores each part's notices (`store`) in a transaction of its own, so a province's tick never holds the event loop nor
one transaction for long, and a tick stopped between parts is run again from the start: the dedupe keys (they name
the day, the period, the cooperative and the officer) keep what was stored once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.periods import Period, date_words
from bot.services.cycle import (
    PRIORITY_DEADLINE,
    PRIORITY_OBLIGATION,
    PRIORITY_OPEN,
    STAFF_LIST_LIMIT,
    CyclePlan,
    Due,
    Missing,
    report_notice,
    staff_summary,
    zone_deadlines,
)
from bot.services.notices import QuietHours, enqueue_notices, payload_of
from bot.services.obligation_notices import Obligation, obligation_notice, obligations_of, obligations_on
from bot.services.turns import Turns
from bot.words import render
from bot.words.messages import NoticeKind
from storage import cycle_rows, fanout, obligation_rows, office_views
from storage.fanout import DEFAULT_ZONE, CooperativeRow, OfficerRow
from storage.repositories import Repositories
from storage.shaped import Shaped, shape

OBLIGATION_COOPERATIVES = 5000  # cooperatives whose RAT, NIK and ODS reminders the database makes in one transaction
CYCLE_COOPERATIVES = 5000  # cooperatives whose reporting cycle's notices the database makes in one transaction


@dataclass(frozen=True)
class Part:
    """One chunk of a daily tick: its notices, the last cooperative id it covered (None: the tick is done), and the
    notices the database makes (`store` writes both)."""

    due: list[Due]
    last: int | None
    rows: tuple[cycle_rows.CycleRows | obligation_rows.ObligationRows, ...] = ()


CycleKind = tuple[NoticeKind, str, int]  # a kind of the cycle's notices due on a day: kind, key up to the ids, priority


def cycle_kinds(plan: CyclePlan, day: date, period: Period) -> list[CycleKind]:
    """The reporting cycle's notices due on `day` (the opening, a reminder, the late notice), in the order each officer
    gets them; an officer's key is the key given + cooperative id + ":officer-" + officer id."""
    kinds: list[CycleKind] = []
    if day.day == plan.open_day:
        kinds.append(("report_open", f"notice:report-open:{period}:coop-", PRIORITY_OPEN))
    if day.day in plan.reminder_days:
        kinds.append(("report_reminder", f"reminder:report-due:{period}:day-{day.day}:coop-", PRIORITY_DEADLINE))
    if day.day == plan.deadline_day + 1:
        kinds.append(("report_late", f"reminder:report-late:{period}:coop-", PRIORITY_DEADLINE))
    return kinds


async def report_cycle_part(repos: Repositories, plan: CyclePlan, day: date, after: int) -> Part:
    """The reporting cycle's notices for `day` (invitation, reminders, late notices) for the officers of the next
    CYCLE_COOPERATIVES cooperatives that have not reported, with ids above `after`, as rows the database makes
    (`Part.rows`), but for the few officers whose or whose cooperative's name the database cannot put in
    (`cycle_rows.awkward_pairs`: their notices in `Part.due`); the office's list comes with the last part."""
    period = Period.of(day).previous()
    kinds = cycle_kinds(plan, day, period)
    if not kinds:
        return Part([], None)
    upto, more = await cycle_rows.next_part(repos, str(period), after, CYCLE_COOPERATIVES)
    due: list[Due] = []
    rows: list[cycle_rows.CycleRows] = []
    if upto is not None:
        zones = await _zones(repos)
        for kind, key, priority in kinds:
            payloads: dict[tuple[str, str], Shaped] = {
                (lang, zone): _shaped(kind, priority, zone, lang, period, plan)
                for lang in render.LANGS
                for zone in zones
            }
            rows.append(cycle_rows.CycleRows(str(period), after, upto, key, kind, priority, payloads))
        for coop, officer in await cycle_rows.awkward_pairs(repos, str(period), after, upto):
            for kind, key, priority in kinds:
                due.append(
                    report_notice(kind, f"{key}{coop.id}:officer-{officer.id}", coop, officer, period, plan, priority)
                )
    last = upto if more else None
    if kinds[-1][0] == "report_late" and last is None:
        due.extend(await staff_lists(repos, plan, period))
    return Part(due, last, tuple(rows))


async def _zones(repos: Repositories) -> list[str]:
    """The cooperatives' time zones, in order (a cooperative without one is in the default zone)."""
    return sorted({zone or DEFAULT_ZONE for zone in await office_views.timezones(repos)})


def _shaped(kind: NoticeKind, priority: int, zone: str, lang: render.Lang, period: Period, plan: CyclePlan) -> Shaped:
    """The payload of a cycle's notice in `lang` for a cooperative in `zone`, shaped around the two names' marks."""
    coop = CooperativeRow(0, cycle_rows.COOPERATIVE_MARK, zone)
    officer = OfficerRow(0, 0, cycle_rows.OFFICER_MARK, lang)
    notice = report_notice(kind, "", coop, officer, period, plan, priority).notice
    return shape(payload_of(notice), cycle_rows.MARKS)


async def store(repos: Repositories, part: Part, now: datetime, quiet: QuietHours | None) -> int:
    """Put a part's notices in the outbox: the rows the database makes, then the notices made here; how many rows
    are new."""
    made = 0
    for rows in part.rows:
        release = {zone: quiet.release_time(now, ZoneInfo(zone)) for zone in rows.zones} if quiet is not None else {}
        made += await rows.insert(repos, release, now)
        await asyncio.sleep(0)
    return made + await enqueue_notices(repos, part.due, now, quiet=quiet)


PartFn = Callable[[Repositories, CyclePlan, date, int], Awaitable[Part]]


async def missing_by_area(repos: Repositories, plan: CyclePlan, period: Period) -> tuple[Missing, dict[int, Missing]]:
    """Counts of `period` for the city and for each kecamatan (by id), with the first names of those that did not
    report, from the database: one GROUP BY for the counts, one statement for every kecamatan's first names."""
    counts = await office_views.reporting_by_kecamatan(
        repos, str(period), await zone_deadlines(repos, period, plan), None
    )
    names = await fanout.missing_names_by_kecamatan(repos, str(period), STAFF_LIST_LIMIT)
    city = await fanout.missing_names(repos, str(period), None, STAFF_LIST_LIMIT)
    whole = Missing(
        period,
        sum(c.total for c in counts),
        sum(c.reported for c in counts),
        sum(c.on_time for c in counts),
        tuple(city),
    )
    areas = {
        c.kecamatan_id: Missing(period, c.total, c.reported, c.on_time, tuple(names.get(c.kecamatan_id, ())))
        for c in counts
        if c.kecamatan_id is not None
    }
    return whole, areas


async def staff_lists(repos: Repositories, plan: CyclePlan, period: Period) -> list[Due]:
    """After the deadline: each pembina gets their kecamatan's missing cooperatives, each admin the whole city's."""
    staff = [s for s in await repos.staff.all() if s.status == "active" and s.role in ("admin", "pembina")]
    if not staff:
        return []
    whole, areas = await missing_by_area(repos, plan, period)
    due = []
    turns = Turns()  # a province's 600 lists rendered: other work runs in between
    for member in staff:
        await turns.take()
        scope = member.kecamatan_id if member.role == "pembina" else None
        mine = whole if scope is None else areas.get(scope, Missing(period, 0, 0, 0, ()))
        if mine.total == 0:
            continue
        due.append(staff_summary(member, mine, plan))
    return due


async def obligations_part(repos: Repositories, plan: CyclePlan, day: date, after: int) -> Part:
    """The RAT, NIK and ODS reminders due on `day` for the officers of the next OBLIGATION_COOPERATIVES cooperatives
    (with ids above `after`) whose recorded dates call for one, as rows the database makes (`Part.rows`: a kind's
    text rendered once per language), but for the few officers whose or whose cooperative's name the database
    cannot put in (`obligation_rows.awkward_pairs`: their notices in `Part.due`)."""
    kinds = obligations_on(day)
    tests = [(k.test, k.on) for k in kinds]
    upto, more = await obligation_rows.next_part(repos, tests, after, OBLIGATION_COOPERATIVES)
    if upto is None:
        return Part([], None)
    found = await obligation_rows.due_in_part(repos, tests, after, upto)
    zones = frozenset(await _zones(repos)) if any(found) else frozenset()
    rows = []
    for kind, found_any in zip(kinds, found, strict=True):
        if not found_any:
            continue
        words: dict[str, obligation_rows.DateWords] = (
            {lang: date_words(lang) for lang in render.LANGS} if kind.dated else {}
        )
        payloads: dict[str, Shaped] = {lang: _obligation_shaped(kind, lang) for lang in render.LANGS}
        rows.append(
            obligation_rows.ObligationRows(
                after, upto, kind.test, kind.on, kind.key, kind.kind, PRIORITY_OBLIGATION, payloads,
                zones, words,
            )
        )  # fmt: skip
    due = [d for coop, officer in await obligation_rows.awkward_pairs(repos, tests, after, upto)
           for d in obligations_of(coop, officer, day)]  # fmt: skip
    return Part(due, upto if more else None, tuple(rows))


def _obligation_shaped(kind: Obligation, lang: render.Lang) -> Shaped:
    """The payload of a RAT, NIK or ODS reminder in `lang`, shaped around the names' and the RAT date's marks."""
    coop = CooperativeRow(0, cycle_rows.COOPERATIVE_MARK, DEFAULT_ZONE)
    officer = OfficerRow(0, 0, cycle_rows.OFFICER_MARK, lang)
    notice = obligation_notice(kind, coop, officer, "", obligation_rows.DATE_MARK).notice
    return shape(payload_of(notice), obligation_rows.MARKS)
