"""Each cooperative's latest standing (`latest_standings`), kept in the transaction that stores an assessment: the
office's list, filters and export read it and show what ranking every assessment showed before."""

from __future__ import annotations

import importlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, text

from bot.domain.health import keys
from bot.domain.periods import reporting_period_for
from bot.services.demo import load_demo
from bot.services.office import CATEGORIES, OfficeService, list_filter
from bot.services.province import load_province
from storage.db import Database
from storage.models import Assessment, LatestStanding
from storage.office_views import CooperativeRow
from storage.repositories import Repositories
from tests.services.common import cooperative_with_officers, ksp_answers, services

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 5, 9, 0, tzinfo=WIB)
BACKFILL = importlib.import_module("storage.migrations.versions.0011_latest_standing").BACKFILL


async def ranked(repos: Repositories, framework: str) -> dict[int, tuple[str, Decimal | None, str | None]]:
    """What the list showed before the standing: every assessment of `framework` ranked, each cooperative's latest
    period and in it the newest assessment (the previous query, kept here as the reference)."""
    rank = (
        func.row_number()
        .over(partition_by=Assessment.cooperative_id, order_by=(Assessment.period.desc(), Assessment.id.desc()))
        .label("rank")
    )
    inner = (
        select(Assessment.cooperative_id, Assessment.period, Assessment.total, Assessment.category, rank)
        .where(Assessment.framework == framework)
        .subquery()
    )
    rows = await repos.session.execute(select(inner).where(inner.c.rank == 1))
    return {int(r[0]): (str(r[1]), r[2], r[3]) for r in rows}


async def stored(repos: Repositories, framework: str) -> dict[int, tuple[str, Decimal | None, str | None]]:
    stmt = select(LatestStanding).where(LatestStanding.framework == framework)
    return {s.cooperative_id: (s.period, s.total, s.category) for s in (await repos.session.scalars(stmt)).all()}


def shown(rows: tuple[Any, ...]) -> dict[int, tuple[str, Decimal | None, str | None]]:
    lines: list[CooperativeRow] = [listed.row for listed in rows]
    return {r.id: (r.score_period, r.total, r.category) for r in lines if r.score_period is not None}


async def assert_list_equals_the_ranking(db: Database, now: datetime) -> None:
    async with db.reading() as repos:
        for framework in (keys.PERDEP, keys.INDICATIVE):
            assert await stored(repos, framework) == await ranked(repos, framework), framework
        reference = await ranked(repos, keys.PERDEP)
        office = OfficeService(repos)
        every = await office.export(list_filter({}, None), now, "Asia/Jakarta", 10)
        assert shown(every.rows) == reference
        by_score = await office.export(list_filter({"urut": "score"}, None), now, "Asia/Jakarta", 10)
        totals = [listed.row.total for listed in by_score.rows if listed.row.total is not None]
        assert totals == sorted(totals, reverse=True) and len(totals) == sum(
            1 for _, total, _ in reference.values() if total is not None
        )
        expected = Counter(category for _, _, category in reference.values())
        assert sum(1 for category in CATEGORIES if expected[category]) >= 2, expected
        for category in CATEGORIES:
            page = await office.cooperatives(list_filter({"kategori": category}, None), 1, now, "Asia/Jakarta", 10)
            assert page.total == expected[category], category
            assert all(listed.row.category == category for listed in page.rows)
        never = await office.cooperatives(list_filter({"kategori": "none"}, None), 1, now, "Asia/Jakarta", 10)
        assert never.total == every.total - sum(1 for _, _, c in reference.values() if c is not None)


async def test_the_demo_city_lists_what_ranking_every_assessment_gave_and_the_backfill_agrees(db: Database) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as repos:
        await load_demo(repos, now)  # every assessment stored through the one path (assess_revision)
    await assert_list_equals_the_ranking(db, now)
    async with db.transaction() as repos:
        before = {f: await stored(repos, f) for f in (keys.PERDEP, keys.INDICATIVE)}
        await repos.session.execute(delete(LatestStanding))
        await repos.session.execute(text(BACKFILL))  # migration 0011 on a database that has assessments
    async with db.reading() as repos:
        assert {f: await stored(repos, f) for f in (keys.PERDEP, keys.INDICATIVE)} == before


async def test_the_province_loader_fills_the_standing(db: Database) -> None:
    async with db.transaction() as repos:
        await load_province(repos, NOW, 80, 4, specimens=8)
    await assert_list_equals_the_ranking(db, NOW)


async def test_a_newer_period_becomes_the_standing_and_a_correction_of_an_older_one_does_not(db: Database) -> None:
    coop, (siti, _) = await cooperative_with_officers(db)
    october = reporting_period_for(NOW, WIB)  # 2026-10, reported in November
    september = october.previous()
    answers = ksp_answers()

    async def latest_assessment(period: str) -> Assessment:
        async with db.reading() as repos:
            stmt = select(Assessment).where(Assessment.cooperative_id == coop, Assessment.period == period)
            found = (await repos.session.scalars(stmt.order_by(Assessment.id.desc()))).first()
            assert found is not None
            return found

    async def listed() -> tuple[str | None, Decimal | None, str | None]:
        async with db.reading() as repos:
            page = await OfficeService(repos).cooperatives(list_filter({}, None), 1, NOW, "Asia/Jakarta", 10)
        (row,) = [listed.row for listed in page.rows]
        return row.score_period, row.total, row.category

    async with services(db) as s:
        await s.reports.submit(coop, september, answers, officer_id=siti, at=NOW - timedelta(days=30))
    first = await latest_assessment(str(september))
    assert await listed() == (str(september), first.total, first.category)

    async with services(db) as s:
        await s.reports.submit(coop, october, answers, officer_id=siti, at=NOW)
    newer = await latest_assessment(str(october))
    assert await listed() == (str(october), newer.total, newer.category)

    # the list's category filter follows the standing; an older period's new assessment leaves it alone
    async with db.transaction() as repos:
        corrections = ((str(september), "sehat", "88.00"), (str(october), "dalam_pengawasan", "55.00"))
        for period, category, total in corrections:
            old = await latest_assessment(period)
            await repos.assessments.add(
                Assessment(
                    cooperative_id=coop,
                    revision_id=old.revision_id,
                    period=period,
                    framework=keys.PERDEP,
                    total=Decimal(total),
                    category=category,
                    result={},
                    rules_hash="correction",
                    created_at=NOW,
                )
            )
            if period == str(september):
                assert (await stored(repos, keys.PERDEP))[coop] == (str(october), newer.total, newer.category)
    assert await listed() == (str(october), Decimal("55.00"), "dalam_pengawasan")
    async with db.reading() as repos:
        office = OfficeService(repos)
        dp = await office.cooperatives(list_filter({"kategori": "dalam_pengawasan"}, None), 1, NOW, "Asia/Jakarta", 10)
        healthy = await office.cooperatives(list_filter({"kategori": "sehat"}, None), 1, NOW, "Asia/Jakarta", 10)
        assert (dp.total, healthy.total) == (1, 0)
        assert await stored(repos, keys.PERDEP) == await ranked(repos, keys.PERDEP)
