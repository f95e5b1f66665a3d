"""The office at province scale: page times of the office web app and the staff's counts, on a synthetic province.

    python -m bench.office_pages --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/province \
        [--cooperatives 30000 --periods 36] [--rounds 30] [--counts-only | --review-only]

The database keeps the province between runs: it is loaded (`kopsehat demo --cooperatives N --periods P`'s
loader) only when it is not there yet. Pages are fetched over loopback from the real aiohttp app, signed in as an
admin; each time is one request's (the test client's share is a few hundred microseconds). Then `rekap`'s counts,
a segment's count (`belum-lapor` of the open period, as the announcement preview counts it) and `report-status`'s
work (every cooperative's row, printed) are timed in-process, without the command's start-up. `--review-only`:
only the review list's pages (`/kantor/laporan`: its default, every period, one period, a later page, the sent-back
reports of every period, the verified reports of one period).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import time
from collections.abc import Awaitable, Callable
from contextlib import redirect_stdout
from datetime import UTC, datetime

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bench.common import percentile_ms
from bot.cli.report_status import print_text
from bot.config import Settings
from bot.domain.health.rules import default_rules
from bot.domain.periods import reporting_period_for
from bot.runtime import settle_memory
from bot.services import segments
from bot.services.cycle import CyclePlan, recap_counts
from bot.services.province import NIK_PREFIX, load_province, settle
from bot.services.staff_access import StaffAccessService
from bot.web.app import make_app
from bot.web.office import add_office
from bot.words import render
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Cooperative, Officer, Report, ReportRevision

Timed = Callable[[int], Awaitable[None]]


async def _times(rounds: int, one: Timed) -> list[float]:
    await one(0)  # warm: statement caches, the first connection
    spent = []
    for i in range(rounds):
        started = time.perf_counter()
        await one(i + 1)
        spent.append(time.perf_counter() - started)
    return spent


def _line(name: str, spent: list[float]) -> str:
    return f"{name:<48} p50 {percentile_ms(spent, 0.5):8.1f} ms   p95 {percentile_ms(spent, 0.95):8.1f} ms"


async def _ensure_province(db: Database, cooperatives: int, periods: int) -> None:
    async with db.transaction() as repos:
        loaded = await repos.cooperatives.by_nik(f"{NIK_PREFIX}{1:06d}") is not None
        if not loaded:
            print(f"loading a province of {cooperatives} cooperatives x {periods} periods ...", flush=True)
            started = time.perf_counter()
            texts = [render.text("id", "demo.announcement", number=n) for n in range(1, 7)]
            await load_province(repos, datetime.now(UTC), cooperatives, periods, announcements=texts)
    if not loaded:
        await settle(db)
        print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)


async def main(
    url: str, cooperatives: int, periods: int, rounds: int, counts_only: bool = False, review_only: bool = False
) -> None:
    """Run every measurement and print one line each."""
    db = Database(url)
    await upgrade(db)
    await _ensure_province(db, cooperatives, periods)
    async with db.transaction() as repos:
        session = repos.session
        coops = int(await session.scalar(select(func.count(Cooperative.id))) or 0)
        officers = int(await session.scalar(select(func.count(Officer.id))) or 0)
        revisions = int(await session.scalar(select(func.count(ReportRevision.id))) or 0)
        demo = select(Cooperative.nik).where(Cooperative.nik.like(f"{NIK_PREFIX}%"))
        niks = [str(n) for n in (await session.scalars(demo)).all()]
    print(f"province: {coops} cooperatives, {officers} officers, {revisions} report revisions")
    if not counts_only:
        await _pages(db, url, coops, niks, rounds, review_only)
    if not review_only:
        await _counts(db, rounds)
    await db.dispose()


async def _pages(db: Database, url: str, coops: int, niks: list[str], rounds: int, review_only: bool) -> None:
    """The office web app's pages, signed in as a new admin (written to the database)."""
    async with db.transaction() as repos:
        staff = await repos.staff.add("Bench Admin", "admin")
        link = await StaffAccessService(repos).issue_link(
            await StaffAccessService(repos).give_login(staff.id, None), "http://kantor.test", datetime.now(UTC)
        )
    assert link is not None
    settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
    app = make_app(db)
    add_office(app, db, settings, default_rules())
    rng = random.Random(7)
    async with TestClient(TestServer(app)) as client:
        signed = await client.get(link.url.removeprefix("http://kantor.test"))
        assert signed.status == 200, signed.status
        settle_memory()  # as `kopsehat run` does once started: no full collection walks start-up's objects

        def page(path: Callable[[int], str]) -> Timed:
            async def one(i: int) -> None:
                response = await client.get(path(i))
                await response.read()
                assert response.status == 200, (path(i), response.status)

            return one

        later = await _later_page(db)
        review_period = reporting_period_for(datetime.now(UTC), CyclePlan().office_zone).previous()
        filtered = "/kantor/koperasi?jenis=ksp&kategori=dalam_pengawasan_khusus&lapor=missing&urut=score&hal={}"
        measured = [
            ("overview /kantor/", page(lambda i: "/kantor/")),
            ("filtered list (ksp, DPK, not reported, by score)", page(lambda i: filtered.format(1 + i % 3))),
            ("list, all, page 1..300", page(lambda i: f"/kantor/koperasi?hal={1 + (i * 37) % 300}")),
            ("rekam medis /kantor/koperasi/{nik}", page(lambda i: f"/kantor/koperasi/{rng.choice(niks)}")),
            ("reports to review, default (/kantor/laporan)", page(lambda i: "/kantor/laporan")),
            ("reports to review, waiting, every period", page(lambda i: "/kantor/laporan?periode=semua")),
            ("reports to review, one period", page(lambda i: f"/kantor/laporan?status=semua&periode={review_period}")),
            ("reports to review, a later page", page(lambda i: f"/kantor/laporan?setelah={later}")),
            (
                "reports to review, sent back, every period",
                page(lambda i: "/kantor/laporan?status=dikembalikan&periode=semua"),
            ),
            (
                "reports to review, verified, one period",
                page(lambda i: f"/kantor/laporan?status=terverifikasi&periode={review_period}"),
            ),
        ]
        for name, one in measured:
            if review_only and not name.startswith("reports to review"):
                continue
            print(_line(name, await _times(rounds, one)), flush=True)
        if review_only:
            return
        for path in ("/kantor/koperasi", "/kantor/laporan"):  # the filters' options are most of a page's bytes
            size = len(await (await client.get(path)).read())
            print(f"{'page size ' + path:<48} {size / 1024:8.1f} KB", flush=True)
        export = await _times(3, page(lambda i: "/kantor/koperasi.xlsx"))
        print(_line(f"list export, all {coops} rows (.xlsx)", export), flush=True)


async def _later_page(db: Database) -> int:
    """A report a later page of the review list starts after: the 1,000th waiting of the period reported now (its
    `setelah`; code that pages by offset ignores it and shows the first page)."""
    period = reporting_period_for(datetime.now(UTC), CyclePlan().office_zone)
    async with db.reading() as repos:
        stmt = select(Report.id).where(Report.period == str(period), Report.status == "submitted").order_by(Report.id)
        return int(await repos.session.scalar(stmt.offset(999).limit(1)) or 0)


async def _counts(db: Database, rounds: int) -> None:
    """The staff's counts and report-status's work, in-process."""
    plan = CyclePlan()
    period = reporting_period_for(datetime.now(UTC), plan.office_zone).previous()
    segment = segments.parse(f"not-reported:{period}")

    async def rekap(_: int) -> None:
        async with db.reading() as repos:
            await recap_counts(repos, period, plan)

    async def count(_: int) -> None:
        async with db.reading() as repos:
            await segments.count(repos, segment)

    async def report_status(_: int) -> None:
        with redirect_stdout(io.StringIO()):
            async with db.reading() as repos:
                await print_text(repos, period, plan, None)

    print(_line(f"rekap counts ({period}, per kecamatan)", await _times(rounds, rekap)))
    print(_line(f"segment count (belum-lapor:{period})", await _times(rounds, count)))
    print(_line("report-status work (every row, printed)", await _times(max(5, rounds // 3), report_status)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database (kept: the province stays)")
    parser.add_argument("--cooperatives", type=int, default=30_000)
    parser.add_argument("--periods", type=int, default=36)
    parser.add_argument("--rounds", type=int, default=30)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--counts-only", action="store_true", help="only the staff's counts and report-status")
    only.add_argument("--review-only", action="store_true", help="only the review list's pages")
    args = parser.parse_args()
    asyncio.run(
        main(args.database_url, args.cooperatives, args.periods, args.rounds, args.counts_only, args.review_only)
    )
