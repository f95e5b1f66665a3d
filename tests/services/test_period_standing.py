"""The period standings (one row per cooperative, framework and period) and the latest standing's last three totals,
kept in the transaction that stores an assessment: the overview's trend and the worklist's "falling" read them, so a
correction of an older period, an assessment that took its id earlier but is stored later (another process), and a
second process storing the next period at the same time must all leave them right."""

from __future__ import annotations

import asyncio
import importlib
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, text

from bot.domain.health import keys
from bot.domain.periods import Period
from bot.services.clinic import Actor, Worklist
from bot.services.office import CategoryCount
from bot.services.province import load_province
from storage.db import Database, is_sqlite
from storage.models import Assessment, LatestStanding, PeriodStanding
from storage.repositories import Repositories
from tests.services.common import services

NOW = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)  # the open period is 2026-10
TODAY = date(2026, 11, 5)
JULY, AUGUST, SEPTEMBER = "2026-07", "2026-08", "2026-09"
MIGRATION = importlib.import_module("storage.migrations.versions.0012_period_standing")
CATEGORY = {"80": "sehat", "75": "cukup_sehat", "70": "cukup_sehat", "65": "dalam_pengawasan"}


async def store(repos: Repositories, coop: int, period: str, total: str, assessment_id: int | None = None) -> None:
    """An assessment of the official framework, as assess_revision stores one."""
    await repos.assessments.add(
        Assessment(
            id=assessment_id,
            cooperative_id=coop,
            period=period,
            framework=keys.PERDEP,
            total=Decimal(total),
            category=CATEGORY.get(total, "dalam_pengawasan_khusus"),
            result={},
            rules_hash="x",
        )
    )


async def city(db: Database) -> tuple[int, int]:
    """A KSP known long before the periods looked at, and an admin."""
    async with db.transaction() as repos:
        coop, _ = await repos.cooperatives.upsert({"name": "KSP Turun", "nik": "3576", "type": "ksp"})
        coop.created_at = datetime(2025, 1, 1, tzinfo=UTC)
        admin = await repos.staff.add("Ibu Admin", "admin")
        return coop.id, admin.id


async def seen(db: Database, admin: int) -> tuple[Worklist, dict[str, CategoryCount]]:
    """The overview's worklist and trend (by period), as the admin sees them."""
    async with services(db) as s:
        found = await s.clinic.worklist(Actor(staff_id=admin), TODAY, (Period(2026, 10), Period(2026, 9)))
        trend = (await s.office.overview(None, NOW, "Asia/Jakarta", 10)).trend
    return found, {str(c.period): c for c in trend}


def falling(found: Worklist) -> bool:
    return any("falling" in item.reasons for item in found.items)


async def test_a_correction_of_an_older_period_changes_its_count_and_whether_the_score_fell(db: Database) -> None:
    coop, admin = await city(db)
    async with db.transaction() as repos:
        for period, total in ((JULY, "80"), (AUGUST, "75"), (SEPTEMBER, "70")):
            await store(repos, coop, period, total)
    found, trend = await seen(db, admin)
    assert falling(found) and found.items[0].totals == (Decimal("70"), Decimal("75"), Decimal("80"))
    assert trend[AUGUST].official == {"cukup_sehat": 1}

    async with db.transaction() as repos:
        await store(repos, coop, AUGUST, "65")  # August corrected: 70 after 65 is no fall
    found, trend = await seen(db, admin)
    assert not falling(found)
    assert trend[AUGUST].official == {"dalam_pengawasan": 1}
    assert trend[SEPTEMBER].official == {"cukup_sehat": 1} and trend[JULY].official == {"sehat": 1}


async def test_an_assessment_that_took_its_id_earlier_does_not_replace_the_newer_one_of_its_period(
    db: Database,
) -> None:
    coop, admin = await city(db)
    async with db.transaction() as repos:
        for period, total in ((JULY, "80"), (AUGUST, "75")):
            await store(repos, coop, period, total)
        await store(repos, coop, SEPTEMBER, "70", assessment_id=1000)
    async with db.transaction() as repos:  # another process's, numbered before 1000, stored after it
        await store(repos, coop, SEPTEMBER, "50", assessment_id=999)
    found, trend = await seen(db, admin)
    assert falling(found) and found.items[0].category == "cukup_sehat"
    assert trend[SEPTEMBER].official == {"cukup_sehat": 1}


async def test_a_second_process_storing_the_next_period_meanwhile_reads_what_the_first_stored(db: Database) -> None:
    coop, admin = await city(db)
    async with db.transaction() as repos:
        await store(repos, coop, JULY, "80")
    async with db.reading() as repos:
        schema = None if is_sqlite(db.url) else await repos.session.scalar(text("SELECT current_schema()"))
    other = Database(db.url, schema=schema)  # another process's connections
    try:

        async def september() -> None:
            async with other.transaction() as repos:
                await store(repos, coop, SEPTEMBER, "70")

        async with db.transaction() as repos:
            await store(repos, coop, AUGUST, "75")  # a late August report, stored while September comes in
            second = asyncio.create_task(september())
            await asyncio.sleep(0.5)
            assert not second.done()  # it waits for this transaction
        await second
    finally:
        await other.dispose()
    found, trend = await seen(db, admin)
    assert falling(found) and found.items[0].totals == (Decimal("70"), Decimal("75"), Decimal("80"))
    assert [trend[p].official for p in (JULY, AUGUST, SEPTEMBER)] == [
        {"sehat": 1},
        {"cukup_sehat": 1},
        {"cukup_sehat": 1},
    ]


Kept = tuple[dict[tuple[int, str, str], Any], dict[tuple[int, str], Any]]


async def kept(repos: Repositories) -> Kept:
    """The stored period standings, and each latest standing's period with its last three totals."""
    periods = {
        (s.cooperative_id, s.framework, s.period): (s.assessment_id, s.total, s.category)
        for s in (await repos.session.scalars(select(PeriodStanding))).all()
    }
    latest = {
        (s.cooperative_id, s.framework): (s.period, s.total, s.previous_total, s.earlier_total)
        for s in (await repos.session.scalars(select(LatestStanding))).all()
    }
    return periods, latest


async def test_the_province_loader_and_the_migration_keep_what_storing_each_assessment_keeps(db: Database) -> None:
    async with db.transaction() as repos:
        await load_province(repos, NOW, 60, 5, specimens=6)
    async with db.reading() as repos:
        every = (await repos.session.scalars(select(Assessment).order_by(Assessment.id))).all()
        newest = {(a.cooperative_id, a.framework, a.period): (a.id, a.total, a.category) for a in every}
        histories: dict[tuple[int, str], list[tuple[str, Decimal | None]]] = {}
        for (coop, framework, period), (_, total, _) in sorted(newest.items(), key=lambda kv: kv[0][2], reverse=True):
            histories.setdefault((coop, framework), []).append((period, total))
        expected = (
            newest,
            {
                key: (history[0][0], *(total for _, total in [*history, ("", None), ("", None)][:3]))
                for key, history in histories.items()
            },
        )
        assert sum(len(h) >= 3 for h in histories.values()) > 10
        assert await kept(repos) == expected  # the loader's rebuild
    async with db.transaction() as repos:
        await repos.session.execute(delete(LatestStanding))
        await repos.session.execute(delete(PeriodStanding))
        await repos.session.execute(text(MIGRATION.PERIODS))
        await repos.session.execute(text(MIGRATION.LATEST))
    async with db.reading() as repos:
        assert await kept(repos) == expected  # the migration's backfill
