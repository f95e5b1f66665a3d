"""One period's page of the review list when the filter holds many of its reports: found walking the kecamatan in name
order (PostgreSQL), the same rows in the same order as sorting every report of the period, and reading about a
page's reports, not all of the period's. On both databases (SQLite sorts: the city's sizes need nothing else)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from bot.domain.health import keys
from bot.domain.periods import reporting_period_for
from bot.services import review
from bot.services.cycle import CyclePlan
from bot.services.province import load_province, settle
from bot.services.review import ReviewService
from storage.db import Database
from storage.repositories import QueueFilter, QueueRow
from storage.repositories.reviews import STATES
from tests.databases import statements_run
from tests.storage.test_review_states import read_rows

AT = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
PERIOD, BEFORE = "2026-10", "2026-09"


async def province(db: Database) -> dict[str, int]:
    """Two kabupaten each with a kecamatan named "Kota Lama" (their cooperatives sort together), a kecamatan named
    "" (with the cooperatives without a kecamatan), cooperatives of the same name whose reports were made in the
    other order, and every review state. The region ids by name."""
    regions: dict[str, int] = {}
    async with db.transaction() as repos:
        staff = await repos.staff.add("Ibu Verifikator", "admin")
        for kabupaten in ("Kabupaten Timur", "Kabupaten Barat"):
            regions[kabupaten] = (await repos.regions.get_or_create("kabupaten", kabupaten)).id
        places = [
            ("Kabupaten Timur", "Kota Lama"),
            ("Kabupaten Barat", "Kota Lama"),
            ("Kabupaten Barat", "Bugul"),
            ("Kabupaten Timur", "Wonorejo"),
            ("Kabupaten Timur", ""),
        ]
        for kabupaten, name in places:
            kecamatan = await repos.regions.get_or_create("kecamatan", name, regions[kabupaten])
            regions[f"{kabupaten}/{name}"] = kecamatan.id
        kecamatan_ids: list[int | None] = [regions[f"{k}/{n}"] for k, n in places] + [None]
        made = []
        for i, (kecamatan_id, name) in enumerate(itertools.product(kecamatan_ids, ("KSP Maju", "KSP Maju", "Kopkar"))):
            coop, _ = await repos.cooperatives.upsert(
                {"name": f"{name} {i % 4}", "nik": f"3576{i:08d}", "type": "ksp", "kecamatan_id": kecamatan_id}
            )
            made.append(coop.id)
        for n, coop_id in enumerate(reversed(made)):  # report ids run against the cooperatives' ids
            for period in (BEFORE, PERIOD):
                report = await repos.reports.get_or_create(coop_id, period)
                await repos.reports.add_revision(report, {"cash": "1000"}, at=AT)
                if n % 3:
                    action = "verified" if n % 3 == 1 else "sent_back"
                    await repos.reviews.add(report.id, report.latest_revision, action, staff.id, AT, reason="Kas")
    return regions


async def page(
    db: Database, where: QueueFilter, limit: int | None, after: int | None, dense: bool, period: str = PERIOD
) -> list[QueueRow]:
    async with db.reading() as repos:
        return list(await repos.reviews.queue(keys.PERDEP, where, period=period, limit=limit, after=after, dense=dense))


async def test_walking_the_kecamatan_finds_the_rows_sorting_finds_in_the_same_order(db: Database) -> None:
    regions = await province(db)
    barat, lama = regions["Kabupaten Barat"], regions["Kabupaten Timur/Kota Lama"]
    filters = [
        QueueFilter(scope, kabupaten, kecamatan, states)
        for states in [STATES, ("waiting",), ("sent_back", "verified")]
        for scope, kabupaten, kecamatan in (
            (None, None, None),
            (None, barat, None),
            (None, None, lama),
            (lama, None, None),
        )
    ]
    every = await page(db, QueueFilter(None), None, None, False)
    assert len({r.kecamatan for r in every}) == 5 and len(every) == 18
    newer = every[-1].report_id  # a page of the period before may start after a report of this one: all of it follows
    starts = [(PERIOD, None), *((PERIOD, r.report_id) for r in every), (BEFORE, None), (BEFORE, newer)]
    for where, limit in itertools.product(filters, (2, 7, 201)):
        for period, after in starts[:: 1 + limit // 4] + starts[-2:]:
            sorted_ = await page(db, where, limit, after, False, period)
            assert await page(db, where, limit, after, True, period) == sorted_, (where, limit, period, after)


async def test_a_dense_periods_page_reads_about_a_page_of_reports(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A province of 1,200 cooperatives (19 kecamatan): the first page of 20 of the period reported last, every
    report of which waits, reads the reports of the kecamatan it shows (and of the next, where the walk stops), not
    every report of the period."""
    if db.dialect != "postgresql":
        return  # the rows a statement read are what PostgreSQL's EXPLAIN ANALYZE tells (SQLite sorts)
    monkeypatch.setattr(review, "COUNT_BOUND", 100)  # the province's 1,000 at this size
    monkeypatch.setattr(review, "QUEUE_LIMIT", 20)
    async with db.transaction() as repos:
        await load_province(repos, NOW, 1200, 2, specimens=4)
    await settle(db)
    period = str(reporting_period_for(NOW, CyclePlan().office_zone).previous())
    with statements_run(db) as run:
        async with db.reading() as repos:
            shown = await ReviewService(repos).queue(None, state=None, period=period, kecamatan_id=None)
        async with db.reading() as repos:
            sorted_ = await repos.reviews.queue(keys.PERDEP, QueueFilter(None), period=period, limit=21)
    assert list(shown.rows) == sorted_[:20] and shown.more and shown.over
    statement, parameters = next(s for s in run if "report_revisions" in s[0])
    async with db.reading() as repos:
        connection = await repos.session.connection()
        for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):  # as at province size: no table
            await connection.exec_driver_sql(f"SET {setting} = off")  # read whole, a kecamatan's reports probed
        explained = await connection.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters)
        plan = explained.scalar_one()[0]["Plan"]
        every = await repos.reviews.counts(QueueFilter(None), [period], 10_000)
    read = read_rows(plan, {"reports"})
    assert read < every[0] / 3, f"{read} rows of reports read for a page of 20 among {every[0]}"
