"""The scheduler: ticks run once per job and day, in any number of processes; missed ones are caught up once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.config import load_settings
from bot.scheduler import CATCH_UP_DAYS, JOBS, Job, Scheduler, catch_up, days_to_run, run_tick
from bot.services import daily, trainings
from bot.services.cycle import CyclePlan, plan_from_settings
from bot.services.daily import Part, report_cycle_part
from bot.services.notices import QuietHours
from storage.db import Database
from storage.models import SchedulerTick
from storage.repositories import Repositories
from tests.conftest import drop_test_database, make_test_database
from tests.test_cycle import make_city, rows
from tests.test_segments import NOW as SEG_NOW
from tests.test_segments import seed_city
from tests.test_trainings import START, plan

WIB = ZoneInfo("Asia/Jakarta")
PLAN = CyclePlan(office_zone=WIB, quiet=QuietHours(time(21, 0), time(7, 0)))


def on(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=WIB)


async def tick_keys(db: Database) -> list[str]:
    async with db.transaction() as repos:
        return list((await repos.session.scalars(select(SchedulerTick.key).order_by(SchedulerTick.key))).all())


async def test_ticks_missed_while_down_run_once_on_start(db: Database) -> None:
    await make_city(db)
    first = await catch_up(db, PLAN, on(1))
    assert [(r.key, r.ran) for r in first] == [
        ("report-cycle:2026-11-01", True),
        ("obligations:2026-11-01", True),
        ("clinic:2026-11-01", True),
    ]
    # down from the 1st after 09.00 until the 6th at 10.00: days 2..6 run now, each once
    after = await catch_up(db, PLAN, on(6, 10))
    assert [r.key for r in after if r.key.startswith("report-cycle")] == [
        f"report-cycle:2026-11-0{d}" for d in range(2, 7)
    ]
    assert len(await rows(db, "reminder:report-due:2026-10:day-5:")) == 3
    assert len(await rows(db, "notice:report-open:")) == 3
    assert await catch_up(db, PLAN, on(6, 11)) == []  # a second start the same day: nothing
    keys = await tick_keys(db)
    assert keys.count("report-cycle:2026-11-05") == 1 and "report-cycle:2026-10-31" in keys  # the first-start mark


async def test_a_tick_stopped_between_parts_runs_again_without_sending_twice_or_missing_anyone(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = await make_city(db)  # three cooperatives, one officer each, none reported
    monkeypatch.setattr(daily, "CYCLE_COOPERATIVES", 1)  # a part per cooperative, as 5,000 of a province's are
    parts = 0

    async def stops_at_the_third_part(repos: Repositories, plan: CyclePlan, day: date, after: int) -> Part:
        nonlocal parts
        parts += 1
        if parts == 3:
            raise ConnectionResetError("the process stopped")
        return await report_cycle_part(repos, plan, day, after)

    reminder_day, late_day = on(5).date(), on(11).date()
    with pytest.raises(ConnectionResetError):
        await run_tick(db, PLAN, Job("report-cycle", stops_at_the_third_part), reminder_day, on(5))
    assert len(await rows(db, "reminder:report-due:2026-10:day-5:")) == 2  # two parts were stored before it stopped
    assert await tick_keys(db) == []  # the tick is not marked: it runs again
    again = await run_tick(db, PLAN, JOBS[0], reminder_day, on(5, 10))
    assert (again.ran, again.enqueued) == (True, 1)
    reminders = await rows(db, "reminder:report-due:2026-10:day-5:")
    assert sorted(r.officer_id or 0 for r in reminders) == sorted(city.officers.values())
    assert (await run_tick(db, PLAN, JOBS[0], reminder_day, on(5, 11))).ran is False
    # the day after the deadline: the office's lists come with the last part, once, however the parts are cut
    parts = 0
    with pytest.raises(ConnectionResetError):
        await run_tick(db, PLAN, Job("report-cycle", stops_at_the_third_part), late_day, on(11))
    assert await rows(db, "summary:report-missing:") == []
    assert (await run_tick(db, PLAN, JOBS[0], late_day, on(11, 10))).ran
    assert len(await rows(db, "reminder:report-late:2026-10:")) == 3
    summaries = await rows(db, "summary:report-missing:")
    assert sorted(r.staff_id or 0 for r in summaries) == sorted([city.admin, city.pembina])


async def test_the_first_start_runs_today_only_and_a_long_downtime_is_bounded() -> None:
    assert days_to_run(PLAN, None, on(5, 7)) == []
    assert days_to_run(PLAN, None, on(5, 8)) == [on(5).date()]
    long_ago = on(1).date() - timedelta(days=400)
    days = days_to_run(PLAN, long_ago, on(5))
    assert len(days) == CATCH_UP_DAYS + 1 and days[-1] == on(5).date()


@pytest.fixture(params=["sqlite", "postgresql"])
async def two_processes(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[Database, Database]]:
    """Two engines on one database, as two `kopsehat run` processes have."""
    first, schema = await make_test_database(request.param, tmp_path)
    second = Database(first.url, schema=schema)
    try:
        yield first, second
    finally:
        await second.dispose()
        await drop_test_database(first, schema)


async def test_two_processes_starting_together_run_each_tick_once(two_processes: tuple[Database, Database]) -> None:
    a, b = two_processes
    await make_city(a)
    await catch_up(a, PLAN, on(1))
    results = await asyncio.gather(*(catch_up(db, PLAN, on(12)) for db in (a, b, a, b)))
    ran = [r.key for batch in results for r in batch if r.ran]
    assert len(ran) == len(set(ran)) == 3 * 11  # days 2..12, three jobs, each once
    assert len(await rows(a, "reminder:report-late:2026-10:")) == 3
    assert len(await rows(a, "summary:report-missing:")) == 2


async def test_the_scheduler_catches_up_at_start_and_fires_daily_at_the_tick_time(db: Database) -> None:
    await make_city(db)
    woken = []
    scheduler = Scheduler(db, PLAN, on_enqueued=lambda: woken.append(1), clock=lambda: on(1))
    await scheduler.start()
    try:
        assert scheduler._startup is not None
        await asyncio.wait_for(asyncio.shield(scheduler._startup), timeout=10)
        job = scheduler._scheduler.get_job("daily-tick")
        fire_at = job.next_run_time.astimezone(WIB)
        assert (fire_at.hour, fire_at.minute) == (8, 0)
    finally:
        await scheduler.stop()
    assert woken == [1]
    assert len(await rows(db, "notice:report-open:2026-10:")) == 3


def test_the_plan_comes_from_the_settings() -> None:
    settings = load_settings(
        quiet_hours="", report_open_day=2, report_reminder_days="6,8", report_deadline_day=12, timezone="Asia/Makassar"
    )
    plan = plan_from_settings(settings)
    assert (plan.open_day, plan.reminder_days, plan.deadline_day, plan.quiet) == (2, (6, 8), 12, None)
    assert plan.office_zone == ZoneInfo("Asia/Makassar")


async def test_the_scheduler_looks_for_training_reminders_every_quarter_hour(db: Database) -> None:
    city = await seed_city(db)
    async with db.transaction() as repos:
        training, _, _ = await trainings.create(repos, plan(), staff_id=None, now=SEG_NOW, zone=WIB)
        await trainings.register(repos, training.id, city.officers["a1"], SEG_NOW)
    woken = []
    at = START - timedelta(hours=23)  # the 1-day reminder is due
    scheduler = Scheduler(db, PLAN, on_enqueued=lambda: woken.append(1), clock=lambda: at)
    await scheduler.start()
    try:
        assert scheduler._startup is not None
        await asyncio.wait_for(asyncio.shield(scheduler._startup), timeout=10)
        job = scheduler._scheduler.get_job("training-reminders")
        assert job.trigger.interval == timedelta(minutes=15)
    finally:
        await scheduler.stop()
    assert await rows(db, f"training:{training.id}:officer-{city.officers['a1']}:1d") != []
    assert woken
