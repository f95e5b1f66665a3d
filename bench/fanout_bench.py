"""Fan-out at province scale: an announcement to every officer, and how long the event loop is held meanwhile.

The rows are made set-based here (INSERT ... SELECT generate_series on PostgreSQL): COOPERATIVES cooperatives with
OFFICERS_EACH officers each, every officer with a reachable Telegram chat. Then `announcements.publish` to everyone,
as `kopsehat announce` does, is timed, with the growth of the process's peak memory (VmHWM) and the longest time the
event loop was held (a probe that asks to wake every 5 ms notes how late it woke).

    .venv/bin/python bench/fanout_bench.py --cooperatives 30000 --officers-each 3

PostgreSQL from KOPSEHAT_TEST_DATABASE_URL (a fresh schema, dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench.common import fresh_database
from bot.config import Settings
from bot.scheduler import JOBS, TickResult, plan_from_settings, run_tick
from bot.services import announcements
from bot.services.segments import parse as segment
from storage.db import Database
from storage.models import utcnow

SEED = [
    """INSERT INTO cooperatives (name, nik, type, tags, has_savings_unit, timezone, fiscal_year_start_month, is_demo,
           created_at, updated_at)
       SELECT 'KSP Fan ' || n, 'F' || n, 'ksp', '[]', false, 'Asia/Jakarta', 1, false, now(), now()
       FROM generate_series(1, :cooperatives) AS n""",
    """INSERT INTO officers (cooperative_id, name, role, language, status, announcements_paused, created_at)
       SELECT c.id, 'Petugas ' || c.id || '-' || k, 'bendahara', 'id', 'active', false, now()
       FROM cooperatives c CROSS JOIN generate_series(1, :each) AS k""",
    """INSERT INTO channel_identities (channel, external_id, officer_id, reachable, created_at)
       SELECT 'telegram', (7000000000 + o.id)::text, o.id, true, now() FROM officers o""",
]


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM starts again from the current RSS


async def held(work: Callable[[], Awaitable[Any]]) -> tuple[float, float, float]:
    """Run `work`; (seconds, the longest the loop was held in ms, peak memory growth in MB)."""
    longest = 0.0
    done = asyncio.Event()

    async def probe() -> None:
        nonlocal longest
        while not done.is_set():
            asked = time.perf_counter()
            await asyncio.sleep(0.005)
            longest = max(longest, time.perf_counter() - asked - 0.005)

    reset_peak()
    before = peak_rss_mb()
    task = asyncio.create_task(probe())
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    try:
        await work()
    finally:
        seconds = time.perf_counter() - started
        done.set()
        await task
    return seconds, longest * 1000, peak_rss_mb() - before


async def seed(db: Database, cooperatives: int, each: int) -> None:
    async with db.engine.begin() as conn:
        for statement in SEED:
            await conn.execute(text(statement), {"cooperatives": cooperatives, "each": each})


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cooperatives", type=int, default=30_000)
    parser.add_argument("--officers-each", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("KOPSEHAT_TEST_DATABASE_URL")
    if not url:
        raise SystemExit("set KOPSEHAT_TEST_DATABASE_URL (PostgreSQL)")
    async with fresh_database(url) as db:
        started = time.perf_counter()
        await seed(db, args.cooperatives, args.officers_each)
        officers = args.cooperatives * args.officers_each
        print(f"{args.cooperatives} cooperatives, {officers} officers made in {time.perf_counter() - started:.1f} s")

        async def publish() -> None:
            async with db.transaction() as repos:
                announcement = await announcements.publish(
                    repos, text="Rapat koordinasi Senin.", segment=segment("all"), staff_id=None, now=utcnow()
                )
            assert announcement.recipients == officers, announcement.recipients

        seconds, lag, memory = await held(publish)
        print(
            f"announcement to {officers} officers: enqueued in {seconds:.1f} s, peak memory +{memory:.0f} MB, "
            f"event loop held at most {lag:.0f} ms"
        )
        plan = plan_from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
        day = date(2026, 11, plan.reminder_days[0])  # a reminder day: every cooperative that has not reported
        now = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)
        job = next(j for j in JOBS if j.name == "report-cycle")
        result: list[TickResult] = []

        async def tick() -> None:
            result.append(await run_tick(db, plan, job, day, now))

        seconds, lag, memory = await held(tick)
        print(
            f"daily tick (report reminders): {result[0].enqueued} notices in {seconds:.1f} s, peak memory "
            f"+{memory:.0f} MB, event loop held at most {lag:.0f} ms"
        )


if __name__ == "__main__":
    asyncio.run(main())
