"""The scheduler: daily ticks that put due notices in the outbox, each tick at most once, missed ones caught up.

A tick is a plain async function of (database, plan, day, now): tests call it with any clock. A tick for one job
and one day goes a part at a time (a chunk of cooperatives, bot.services.daily), each part's notices stored in a
transaction of its own; the last part's transaction inserts the tick's `SchedulerTick` key. A tick whose key is
there is not run again (a second firing, a restart, another process that finished it); a tick stopped between parts
left no key, so it runs again from the start, and the notices' dedupe keys keep each notice once (two processes
running the same tick at once store each notice once too). APScheduler (3.x, in memory) only decides when to look.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.services.clinic_notices import clinic_notices
from bot.services.cycle import CyclePlan, Due
from bot.services.daily import Part, PartFn, obligations_part, report_cycle_part, store
from bot.services.training_reminders import due_training_reminders
from storage.db import Database
from storage.models import utcnow
from storage.repositories import Repositories

log = logging.getLogger(__name__)
TRAINING_LOOK_MINUTES = 15  # the 2-hour reminder needs a look more often than once a day
CATCH_UP_DAYS = 40  # a longer downtime catches up this many days; older ticks are logged and left
DueFn = Callable[[Repositories, CyclePlan, date], Awaitable[list[Due]]]


def in_one_part(due: DueFn) -> PartFn:
    """A job small enough to be done in one part (the clinic's follow-ups: a few rows)."""

    async def part(repos: Repositories, plan: CyclePlan, day: date, after: int) -> Part:
        return Part(await due(repos, plan, day), None)

    return part


@dataclass(frozen=True)
class Job:
    """A daily job: its name (the tick key's first part) and what it finds due on a day, a part at a time."""

    name: str
    part: PartFn


JOBS: tuple[Job, ...] = (
    Job("report-cycle", report_cycle_part),
    Job("obligations", obligations_part),
    Job("clinic", in_one_part(clinic_notices)),
)


@dataclass(frozen=True)
class TickResult:
    """What one tick did: False in `ran` when it had run before (here or in another process)."""

    key: str
    ran: bool
    enqueued: int = 0


def tick_key(job: str, day: date) -> str:
    return f"{job}:{day.isoformat()}"


def due_at(plan: CyclePlan, day: date) -> datetime:
    """When the daily tick of `day` is due (office time)."""
    return datetime.combine(day, time(plan.tick_hour, plan.tick_minute), tzinfo=plan.office_zone)


async def _claim_tick(repos: Repositories, key: str, now: datetime) -> bool:
    return await repos.ticks.claim(key, now)


async def run_tick(db: Database, plan: CyclePlan, job: Job, day: date, now: datetime) -> TickResult:
    """Run `job` for `day` once: its notices a part at a time, each part in its own transaction, the tick's key
    recorded with the last; `ran` is False when the key was there (before, or by another process meanwhile)."""
    key = tick_key(job.name, day)
    async with db.transaction() as repos:
        if await repos.ticks.ran(key):
            return TickResult(key, ran=False)
    enqueued, after, claimed = 0, 0, False
    while True:
        async with db.transaction() as repos:
            part = await job.part(repos, plan, day, after)
            enqueued += await store(repos, part, now, plan.quiet)
            if part.last is None:
                claimed = await _claim_tick(repos, key, now)
        if part.last is None:
            break
        after = part.last
        await asyncio.sleep(0)  # between parts: officers' messages and the delivery run
    log.info("tick %s: %d notices enqueued", key, enqueued)
    return TickResult(key, ran=claimed, enqueued=enqueued)


async def last_run(db: Database, job: str) -> date | None:
    """The latest day `job` ran for, from the recorded tick keys."""
    async with db.transaction() as repos:
        key = await repos.ticks.latest_key(f"{job}:")
    return date.fromisoformat(key.split(":", 1)[1]) if key else None


def days_to_run(plan: CyclePlan, last: date | None, now: datetime) -> list[date]:
    """The days whose tick is due by `now` and newer than `last` (never run: today's only), oldest first."""
    today = now.astimezone(plan.office_zone).date()
    first = today if last is None else last + timedelta(days=1)
    oldest = today - timedelta(days=CATCH_UP_DAYS)
    if first < oldest:
        log.warning("scheduler: ticks from %s to %s are older than %d days and are left", first, oldest, CATCH_UP_DAYS)
        first = oldest
    days = []
    day = first
    while day <= today:  # bounded: at most CATCH_UP_DAYS + 1 days
        if due_at(plan, day) <= now:
            days.append(day)
        day += timedelta(days=1)
    return days


async def catch_up(db: Database, plan: CyclePlan, now: datetime, jobs: tuple[Job, ...] = JOBS) -> list[TickResult]:
    """Run every tick due since each job's last run, oldest first; what already ran is skipped."""
    results = []
    for job in jobs:
        last = await last_run(db, job.name)
        if last is None:  # the first start ever: mark yesterday, so that a later downtime knows where to begin
            async with db.transaction() as repos:
                yesterday = now.astimezone(plan.office_zone).date() - timedelta(days=1)
                await _claim_tick(repos, tick_key(job.name, yesterday), now)
        for day in days_to_run(plan, last, now):
            results.append(await run_tick(db, plan, job, day, now))
    return results


class Scheduler:
    """APScheduler's AsyncIOScheduler firing `catch_up` at the daily tick time, and once at start."""

    def __init__(
        self,
        db: Database,
        plan: CyclePlan,
        *,
        on_enqueued: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.plan = plan
        self.on_enqueued = on_enqueued
        self.clock = clock
        self._scheduler: Any = None
        self._startup: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def fire(self) -> None:
        """Run what is due now; errors are logged and the tick is left for the next firing."""
        async with self._lock:
            try:
                results = await catch_up(self.db, self.plan, self.clock())
            except Exception:
                log.exception("scheduler tick failed; it runs again at the next firing or start")
                return
        if any(r.enqueued for r in results) and self.on_enqueued is not None:
            self.on_enqueued()

    async def fire_trainings(self) -> None:
        """Training reminders (3 days, 1 day, 2 hours before): idempotent, so a frequent look is safe."""
        try:
            async with self.db.transaction() as repos:
                queued = await due_training_reminders(
                    repos, self.clock(), zone=self.plan.office_zone, quiet=self.plan.quiet
                )
        except Exception:
            log.exception("training reminders failed; they are looked for again at the next firing")
            return
        if queued and self.on_enqueued is not None:
            self.on_enqueued()

    async def start(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=self.plan.office_zone)
        trigger = CronTrigger(hour=self.plan.tick_hour, minute=self.plan.tick_minute, timezone=self.plan.office_zone)
        self._scheduler.add_job(
            self.fire, trigger, id="daily-tick", coalesce=True, max_instances=1, misfire_grace_time=3600
        )
        self._scheduler.add_job(
            self.fire_trainings,
            IntervalTrigger(minutes=TRAINING_LOOK_MINUTES),
            id="training-reminders",
            coalesce=True,
            max_instances=1,
        )
        self._scheduler.start()
        self._startup = asyncio.create_task(self._first_look(), name="scheduler-catch-up")

    async def _first_look(self) -> None:
        await self.fire()
        await self.fire_trainings()

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._startup is not None:
            await self._startup
            self._startup = None
