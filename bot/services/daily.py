"""The daily ticks' notices (reporting cycle; RAT, NIK and ODS), made a chunk of cooperatives at a time.

A part covers the next TICK_COOPERATIVES cooperatives by id (keyset: ids above the last part's), read as plain rows;
the scheduler stores each part's notices in a transaction of its own, so a province's tick never holds the event
loop nor one transaction for long, and a tick stopped between parts is run again from the start: the dedupe keys
(unchanged: they name the day, the period, the cooperative and the officer) keep what was stored once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from bot.domain.periods import Period
from bot.services.cycle import (
    PRIORITY_DEADLINE,
    PRIORITY_OPEN,
    STAFF_LIST_LIMIT,
    CyclePlan,
    Due,
    Missing,
    obligations_of,
    recap_counts,
    report_notice,
    staff_summary,
)
from bot.services.turns import Turns
from storage import fanout
from storage.fanout import CooperativeRow, OfficerRow
from storage.repositories import Repositories

TICK_COOPERATIVES = 500  # cooperatives whose notices a daily tick makes and stores in one short transaction


@dataclass(frozen=True)
class Part:
    """One chunk of a daily tick: its notices, and the last cooperative id it covered (None: the tick is done)."""

    due: list[Due]
    last: int | None


async def _chunk(
    repos: Repositories, after: int, not_submitted: str | None = None
) -> tuple[list[tuple[CooperativeRow, OfficerRow]], int | None]:
    """The next TICK_COOPERATIVES cooperatives (id order) with their active officers, as plain rows; the last id,
    or None when these were the last."""
    coops = await fanout.cooperatives_after(repos, after, TICK_COOPERATIVES, not_submitted=not_submitted)
    by_id = {c.id: c for c in coops}
    pairs = [(by_id[o.cooperative_id], o) for o in await fanout.officers_of(repos, list(by_id))]
    return pairs, (coops[-1].id if len(coops) == TICK_COOPERATIVES else None)


async def report_cycle(repos: Repositories, plan: CyclePlan, day: date) -> list[Due]:
    """The reporting cycle's notices for `day`: invitation, reminders, late notices and the office's list."""
    return await whole(report_cycle_part, repos, plan, day)


async def report_cycle_part(repos: Repositories, plan: CyclePlan, day: date, after: int) -> Part:
    """`report_cycle` for the next TICK_COOPERATIVES cooperatives that have not reported, with ids above `after`;
    the office's list comes with the last part."""
    period = Period.of(day).previous()
    is_open, is_reminder = day.day == plan.open_day, day.day in plan.reminder_days
    is_late = day.day == plan.deadline_day + 1
    if not (is_open or is_reminder or is_late):
        return Part([], None)
    pairs, last = await _chunk(repos, after, not_submitted=str(period))
    due: list[Due] = []
    turns = Turns()  # a province's officers: other work (officers' messages) runs in between
    for coop, officer in pairs:
        await turns.take()
        tail = f"{period}:coop-{coop.id}:officer-{officer.id}"
        if is_open:
            due.append(
                report_notice("report_open", f"notice:report-open:{tail}", coop, officer, period, plan, PRIORITY_OPEN)
            )
        if is_reminder:
            key = f"reminder:report-due:{period}:day-{day.day}:coop-{coop.id}:officer-{officer.id}"
            due.append(report_notice("report_reminder", key, coop, officer, period, plan, PRIORITY_DEADLINE))
        if is_late:
            key = f"reminder:report-late:{tail}"
            due.append(report_notice("report_late", key, coop, officer, period, plan, PRIORITY_DEADLINE))
    if is_late and last is None:
        due.extend(await staff_lists(repos, plan, period))
    return Part(due, last)


PartFn = Callable[[Repositories, CyclePlan, date, int], Awaitable[Part]]


async def whole(part: PartFn, repos: Repositories, plan: CyclePlan, day: date) -> list[Due]:
    """Every part of a chunked job, in one transaction (the scheduler stores each part in its own)."""
    due: list[Due] = []
    after: int | None = 0
    while after is not None:
        found = await part(repos, plan, day, after)
        due.extend(found.due)
        after = found.last
    return due


async def missing(repos: Repositories, plan: CyclePlan, period: Period, scope: int | None) -> Missing:
    """Counts of `period` for the city (or the kecamatan `scope`) and the first names of those that did not report,
    from the database (no row per cooperative read)."""
    counts = (await recap_counts(repos, period, plan, scope)).whole
    names = await fanout.missing_names(repos, str(period), scope, STAFF_LIST_LIMIT)
    return Missing(period, counts.total, counts.reported, counts.on_time, tuple(names))


async def staff_lists(repos: Repositories, plan: CyclePlan, period: Period) -> list[Due]:
    """After the deadline: each pembina gets their kecamatan's missing cooperatives, each admin the whole city's."""
    areas: dict[int | None, Missing] = {}
    due = []
    for staff in await repos.staff.all():
        if staff.status != "active" or staff.role not in ("admin", "pembina"):
            continue
        scope = staff.kecamatan_id if staff.role == "pembina" else None
        mine = areas.get(scope) or areas.setdefault(scope, await missing(repos, plan, period, scope))
        if mine.total == 0:
            continue
        due.append(staff_summary(staff, mine, plan))
    return due


async def obligations(repos: Repositories, plan: CyclePlan, day: date) -> list[Due]:
    """Every officer's RAT, NIK and ODS reminders for `day`."""
    return await whole(obligations_part, repos, plan, day)


async def obligations_part(repos: Repositories, plan: CyclePlan, day: date, after: int) -> Part:
    """`obligations` for the officers of the next TICK_COOPERATIVES cooperatives with ids above `after`."""
    pairs, last = await _chunk(repos, after)
    due: list[Due] = []
    turns = Turns()
    for coop, officer in pairs:
        await turns.take()
        due.extend(obligations_of(coop, officer, day))
    return Part(due, last)
