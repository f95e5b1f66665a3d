"""A daily tick on a province made by `kopsehat demo`: each part's time, the event loop's longest stretches, memory.

The database is an existing one (KOPSEHAT_DATABASE_URL, as `kopsehat demo --cooperatives 30000` left it); each day
asked for is run as the scheduler runs it (`run_tick`), after its tick key and, with `--fresh`, before the first day,
the job's rows of an earlier run are taken away (not timed; then VACUUM ANALYZE of the outbox), so that its notices
are new rows; on the days after it, notices stored before meet their dedupe keys. Also timed: an announcement to
everyone and a training for everyone (`--only announcement training`), each made `--repeat` times in one process
(the sixth run of a prepared statement may get PostgreSQL's generic plan; `--generic` makes every plan generic).

    KOPSEHAT_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/province_x \\
      .venv/bin/python bench/tick_province.py --job obligations --days 2027-01-05 2026-12-08 --fresh
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text
from sqlalchemy.util import await_only

from bench.fanout_bench import LIMIT_MS, held
from bot.config import Settings
from bot.scheduler import JOBS, Job, run_tick, tick_key
from bot.services import announcements, trainings
from bot.services.cycle import CyclePlan, plan_from_settings
from bot.services.daily import Part
from bot.services.segments import parse as segment
from bot.services.trainings import TrainingPlan
from bot.words import render
from storage.db import Database
from storage.models import utcnow
from storage.repositories import Repositories

KINDS = {  # the kinds of row each job makes
    "obligations": ("rat_reminder", "nik_reminder", "ods_reminder"),
    "report-cycle": ("report_open", "report_reminder", "report_late", "staff_summary"),
}


def timed(job: Job, marks: list[float]) -> Job:
    """`job` noting when each part starts (a part's time: from its start to the next one's, its store included)."""

    async def part(repos: Repositories, plan: CyclePlan, day: date, after: int) -> Part:
        marks.append(time.perf_counter())
        return await job.part(repos, plan, day, after)

    return Job(job.name, part)


async def timed_run(what: str, work: Callable[[], Awaitable[str]], inserts: list[float]) -> None:
    """Run `work` watching the event loop; print what it said, the time, the process's CPU and each outbox INSERT."""
    said: list[str] = []

    async def run() -> None:
        said.append(await work())

    inserts.clear()
    cpu = time.process_time()
    h = await held(run)
    cpu = time.process_time() - cpu
    print(
        f"{what}: {said[0]} in {h.seconds:.1f} s (process CPU {cpu:.1f} s), peak memory +{h.memory_mb:.0f} MB, loop "
        f"held at most {h.wall_ms:.0f} ms ({h.cpu_ms:.0f} ms of its CPU), over {LIMIT_MS} ms {h.over_wall} times "
        f"({h.over_cpu} of CPU)",
        flush=True,
    )
    each = " ".join(f"{ms:.0f}" for ms in inserts) if len(inserts) <= 20 else f"{len(inserts)} of them"
    print(f"  outbox INSERTs ({sum(inserts):.0f} ms in all), ms each: {each}", flush=True)


def watch(db: Database, inserts: list[float], generic: bool) -> None:
    """Note each outbox INSERT's time in `inserts`; with `generic`, PostgreSQL's generic plans from the first run."""

    def started(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info["at"] = time.perf_counter()

    def ended(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith("INSERT INTO outbox "):
            inserts.append((time.perf_counter() - conn.info["at"]) * 1000)

    def generic_plans(dbapi_connection: Any, _: Any) -> None:
        await_only(dbapi_connection.driver_connection.execute("SET plan_cache_mode = force_generic_plan"))

    if generic:
        event.listen(db.engine.sync_engine, "connect", generic_plans)
    event.listen(db.engine.sync_engine, "before_cursor_execute", started)
    event.listen(db.engine.sync_engine, "after_cursor_execute", ended)


async def forget(db: Database, job: Job, day: date, fresh: bool) -> None:
    """Take away the tick key of `job` for `day` (and with `fresh` the job's rows): not timed."""
    async with db.transaction() as repos:
        await repos.session.execute(text("DELETE FROM scheduler_ticks WHERE key = :k"), {"k": tick_key(job.name, day)})
        if fresh:
            kinds = list(KINDS[job.name])
            await repos.session.execute(text("DELETE FROM outbox WHERE kind = ANY(:kinds)"), {"kinds": kinds})
    async with db.engine.connect() as conn:  # the table as a database in use keeps it (autovacuum)
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE outbox"))


async def tick(db: Database, plan: CyclePlan, job: Job, day: date) -> str:
    """`job` for `day` as the scheduler runs it."""
    marks: list[float] = []
    now = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)
    result = await run_tick(db, plan, timed(job, marks), day, now)
    parts = " ".join(f"{(b - a) * 1000:.0f}" for a, b in zip(marks, [*marks[1:], time.perf_counter()], strict=True))
    return f"{result.enqueued} new rows ({job.name} {day}; {len(marks)} parts, ms each: {parts})"


async def publish(db: Database, made: list[str]) -> str:
    async with db.transaction() as repos:
        a = await announcements.publish(
            repos, text="Rapat koordinasi Senin.", segment=segment("all"), staff_id=None, now=utcnow()
        )
    made.append(f"announcement:{a.id}:")
    return f"{a.recipients} rows"


async def train(db: Database, made: list[str]) -> str:
    starts = utcnow() + timedelta(days=10)
    what = TrainingPlan("Pelatihan", "daring", starts, starts + timedelta(hours=2), segment("all"))
    async with db.transaction() as repos:
        t, invited, _ = await trainings.create(repos, what, staff_id=None, now=utcnow(), zone=ZoneInfo("Asia/Jakarta"))
    made.append(f"training:{t.id}:")
    return f"{invited} invitations"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--job", default="obligations", choices=list(KINDS))
    parser.add_argument("--days", nargs="*", type=date.fromisoformat, default=[])
    parser.add_argument("--fresh", action="store_true", help="the job's rows of earlier runs taken away first")
    parser.add_argument("--only", nargs="*", default=["tick"], choices=["tick", "announcement", "training"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--generic",
        action="store_true",
        help="PostgreSQL plans every prepared statement generically (plan_cache_mode), as it may from its sixth run",
    )
    args = parser.parse_args()
    url = os.environ.get("KOPSEHAT_DATABASE_URL")
    if not url:
        raise SystemExit("set KOPSEHAT_DATABASE_URL (a province made by kopsehat demo)")
    db = Database(url)
    inserts: list[float] = []  # each INSERT INTO outbox's time, ms
    watch(db, inserts, args.generic)
    plan = plan_from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    render.preload()
    gc.collect()
    gc.freeze()  # as `kopsehat run` does once started
    made: list[str] = []  # dedupe-key prefixes of the announcements and trainings made, taken away at the end
    try:
        if "tick" in args.only:
            job = next(j for j in JOBS if j.name == args.job)
            for n, day in enumerate(args.days):
                await forget(db, job, day, args.fresh and n == 0)
                await timed_run(f"{job.name} {day}", partial(tick, db, plan, job, day), inserts)
        for round_ in range(1, args.repeat + 1):
            if "announcement" in args.only:
                await timed_run(f"announcement #{round_}", partial(publish, db, made), inserts)
            if "training" in args.only:
                await timed_run(f"training #{round_}", partial(train, db, made), inserts)
    finally:
        async with db.transaction() as repos:
            for prefix in made:
                await repos.session.execute(text("DELETE FROM outbox WHERE dedupe_key LIKE :p"), {"p": prefix + "%"})
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
