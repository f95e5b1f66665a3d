"""Fan-out at province scale: an announcement to every officer, and how long the event loop is held meanwhile.

The rows are made set-based here (INSERT ... SELECT generate_series on PostgreSQL): COOPERATIVES cooperatives with
OFFICERS_EACH officers each (the cooperatives in WIB, WITA and WIT in turn, each one's second officer reading English),
every officer with a reachable Telegram chat, an admin and a pembina per 50
cooperatives' kecamatan. Then each of these is timed, with the growth of the process's peak memory (VmHWM) and the
longest time the event loop was held (a probe that asks to wake every 5 ms notes how late it woke):
`announcements.publish` to everyone, as `kopsehat announce` does; a training for everyone (`trainings.create`: its
invitations); the daily tick's reporting cycle on a reminder day, on the opening day and on the day after the deadline
(late notices and the office's lists); the RAT/NIK/ODS tick.

    .venv/bin/python bench/fanout_bench.py --cooperatives 30000 --officers-each 3
    .venv/bin/python bench/fanout_bench.py --cooperatives 80000 --only announcement
    .venv/bin/python bench/fanout_bench.py --cooperatives 30000 --only training --repeat 2

PostgreSQL from KOPSEHAT_TEST_DATABASE_URL (a fresh schema, dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench.common import fresh_database
from bot.config import Settings
from bot.scheduler import JOBS, TickResult, run_tick
from bot.services import announcements, trainings
from bot.services.cycle import plan_from_settings
from bot.services.segments import parse as segment
from bot.services.trainings import TrainingPlan
from bot.words import render
from storage.db import Database
from storage.models import utcnow

SEED = [
    """INSERT INTO cooperatives (name, nik, type, tags, has_savings_unit, timezone, fiscal_year_start_month, is_demo,
           created_at, updated_at)
       SELECT 'KSP Fan ' || n, 'F' || n, 'ksp', '[]', false,
              (ARRAY['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'])[1 + n % 3], 1, false, now(), now()
       FROM generate_series(1, :cooperatives) AS n""",
    """INSERT INTO officers (cooperative_id, name, role, language, status, announcements_paused, created_at)
       SELECT c.id, 'Petugas ' || c.id || '-' || k, 'bendahara', CASE WHEN k = 2 THEN 'en' ELSE 'id' END, 'active',
              false, now()
       FROM cooperatives c CROSS JOIN generate_series(1, :each) AS k""",
    """INSERT INTO channel_identities (channel, external_id, officer_id, reachable, created_at)
       SELECT 'telegram', (7000000000 + o.id)::text, o.id, true, now() FROM officers o""",
    """INSERT INTO regions (kind, name)
       SELECT 'kecamatan', 'Kecamatan ' || k FROM generate_series(1, :kecamatan) AS k""",
    """UPDATE cooperatives SET kecamatan_id = (SELECT min(id) FROM regions) + (id % :kecamatan)""",
    """INSERT INTO office_staff (name, role, kecamatan_id, language, status, created_at)
       SELECT 'Pembina ' || r.id, 'pembina', r.id, 'id', 'active', now() FROM regions r
       UNION ALL SELECT 'Admin', 'admin', NULL, 'id', 'active', now()""",
    """INSERT INTO channel_identities (channel, external_id, staff_id, reachable, created_at)
       SELECT 'telegram', (9000000000 + s.id)::text, s.id, true, now() FROM office_staff s""",
]
JAKARTA = ZoneInfo("Asia/Jakarta")
MEASURED = ("announcement", "training", "reminder-tick", "open-tick", "late-tick", "obligations-tick")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM starts again from the current RSS


@dataclass
class Held:
    """What `held` saw: the work's seconds, the longest the loop was held (wall clock, and the most CPU its thread
    used in one such stretch), how many stretches went over LIMIT_MS (wall; CPU) and the peak memory's growth."""

    seconds: float = 0.0
    wall_ms: float = 0.0
    cpu_ms: float = 0.0
    over_wall: int = 0
    over_cpu: int = 0
    memory_mb: float = 0.0


LIMIT_MS = 50  # issue #17: no chunk of a fan-out holds the event loop longer


async def held(work: Callable[[], Awaitable[Any]]) -> Held:
    """Run `work` and watch the event loop meanwhile. On a shared machine the wall clock counts the time the process
    waited for a core as well; the CPU is the loop's own work between two turns."""
    found = Held()
    done = asyncio.Event()

    async def probe() -> None:
        while not done.is_set():
            asked, cpu = time.perf_counter(), time.thread_time()
            await asyncio.sleep(0.005)
            late, used = (time.perf_counter() - asked - 0.005) * 1000, (time.thread_time() - cpu) * 1000
            found.wall_ms, found.cpu_ms = max(found.wall_ms, late), max(found.cpu_ms, used)
            found.over_wall += late > LIMIT_MS
            found.over_cpu += used > LIMIT_MS

    reset_peak()
    before = peak_rss_mb()
    task = asyncio.create_task(probe())
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    try:
        await work()
    finally:
        found.seconds = time.perf_counter() - started
        done.set()
        await task
    found.memory_mb = peak_rss_mb() - before
    return found


async def seed(db: Database, cooperatives: int, each: int) -> None:
    async with db.engine.begin() as conn:
        for statement in SEED:
            values = {"cooperatives": cooperatives, "each": each, "kecamatan": max(1, cooperatives // 50)}
            await conn.execute(text(statement), values)
    async with db.engine.connect() as conn:  # statistics, as autovacuum keeps them on a database in use
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("cooperatives", "officers", "channel_identities", "regions", "office_staff"):
            await conn.execute(text(f"ANALYZE {table}"))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cooperatives", type=int, default=30_000)
    parser.add_argument("--officers-each", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=MEASURED, default=list(MEASURED), help="what to measure")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="announcements and trainings made this many times each (the first one in a process compiles its "
        "templates and statements; the next ones show a process that has made one before)",
    )
    args = parser.parse_args()
    url = os.environ.get("KOPSEHAT_TEST_DATABASE_URL")
    if not url:
        raise SystemExit("set KOPSEHAT_TEST_DATABASE_URL (PostgreSQL)")
    async with fresh_database(url) as db:
        started = time.perf_counter()
        await seed(db, args.cooperatives, args.officers_each)
        officers = args.cooperatives * args.officers_each
        print(f"{args.cooperatives} cooperatives, {officers} officers made in {time.perf_counter() - started:.1f} s")
        render.preload()  # as `kopsehat run` does when it starts (main before this change compiled on first use)
        gc.collect()
        gc.freeze()  # as `kopsehat run` does once started (bot.runtime.settle_memory)

        async def measure(what: str, work: Callable[[], Awaitable[str]], times: int = 1) -> None:
            if what not in args.only:
                return
            said: list[str] = []

            async def run() -> None:
                said.append(await work())

            for round_ in range(1, times + 1):
                h = await held(run)
                print(
                    f"{what}{f' #{round_}' if times > 1 else ''}: {said[-1]} in {h.seconds:.1f} s, peak memory "
                    f"+{h.memory_mb:.0f} MB, event loop held at most {h.wall_ms:.0f} ms ({h.cpu_ms:.0f} ms of its "
                    f"CPU), over {LIMIT_MS} ms {h.over_wall} times ({h.over_cpu} times of CPU)",
                    flush=True,
                )

        async def publish() -> str:
            async with db.transaction() as repos:
                announcement = await announcements.publish(
                    repos, text="Rapat koordinasi Senin.", segment=segment("all"), staff_id=None, now=utcnow()
                )
            assert announcement.recipients == officers, announcement.recipients
            return f"{announcement.recipients} outbox rows"

        async def training() -> str:
            starts = utcnow() + timedelta(days=10)
            plan = TrainingPlan("Pelatihan akuntansi", "daring", starts, starts + timedelta(hours=2), segment("all"))
            async with db.transaction() as repos:
                _, invited, _ = await trainings.create(
                    repos, plan, staff_id=None, now=utcnow(), zone=ZoneInfo("Asia/Jakarta")
                )
            return f"{invited} invitations"

        settings_plan = plan_from_settings(Settings(_env_file=None))  # type: ignore[call-arg]

        def tick(job_name: str, day_of_month: int) -> Callable[[], Awaitable[str]]:
            async def run() -> str:
                day = date(2026, 11, day_of_month)
                now = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)
                job = next(j for j in JOBS if j.name == job_name)
                result: TickResult = await run_tick(db, settings_plan, job, day, now)
                return f"{result.enqueued} notices ({job_name} {day})"

            return run

        await measure("announcement", publish, args.repeat)
        await measure("training", training, args.repeat)
        await measure("reminder-tick", tick("report-cycle", settings_plan.reminder_days[0]))
        await measure("open-tick", tick("report-cycle", settings_plan.open_day))
        await measure("late-tick", tick("report-cycle", settings_plan.deadline_day + 1))
        await measure("obligations-tick", tick("obligations", settings_plan.reminder_days[0]))


if __name__ == "__main__":
    asyncio.run(main())
