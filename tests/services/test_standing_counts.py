"""The whole city's overview reads the kept standing counts; a kecamatan's is counted from its cooperatives'
standings. With every cooperative in one kecamatan both must agree, and agree with the counts made afresh from the
standings, after corrections, assessments that took their ids earlier, both frameworks of one cooperative, a change
of a cooperative's type, and two processes storing at the same time."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import delete, select, text

from bot.domain.health import keys
from bot.services.office import CategoryCount
from bot.services.province import load_province
from storage import standing_counts
from storage.db import Database, is_sqlite
from storage.models import Assessment, StandingCount
from storage.repositories import Repositories
from tests.services.common import meanwhile, services

NOW = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)  # the open period is 2026-10
JULY, AUGUST, SEPTEMBER = "2026-07", "2026-08", "2026-09"
BACKFILL = importlib.import_module("storage.migrations.versions.0015_standing_counts").BACKFILL
CATEGORY = {"80": "sehat", "75": "cukup_sehat", "65": "dalam_pengawasan"}


async def store(
    repos: Repositories, coop: int, period: str, total: str | None, assessment_id: int | None = None
) -> None:
    """An assessment as assess_revision stores one: official framework with a total, indicative without."""
    await repos.assessments.add(
        Assessment(
            id=assessment_id,
            cooperative_id=coop,
            period=period,
            framework=keys.INDICATIVE if total is None else keys.PERDEP,
            total=None if total is None else Decimal(total),
            category=None if total is None else CATEGORY.get(total, "dalam_pengawasan_khusus"),
            result={},
            rules_hash="x",
        )
    )


async def city(db: Database) -> tuple[int, int, int, int]:
    """One kecamatan: a KSP, a konsumen cooperative with a savings unit, a konsumen cooperative; and its id."""
    async with db.transaction() as repos:
        kecamatan = (await repos.regions.get_or_create("kecamatan", "Klojen")).id
        ids = []
        for nik, type_ in (("3576001", "ksp"), ("3576002", "konsumen"), ("3576003", "konsumen")):
            coop, _ = await repos.cooperatives.upsert(
                {"name": f"Koperasi {nik}", "nik": nik, "type": type_, "kecamatan_id": kecamatan}
            )
            ids.append(coop.id)
        return ids[0], ids[1], ids[2], kecamatan


async def city_scored_in_july(db: Database) -> tuple[int, int]:
    """The city with its KSP scored "sehat" in July: the KSP's id and the kecamatan's."""
    ksp, _, _, kecamatan = await city(db)
    async with db.transaction() as repos:
        await store(repos, ksp, JULY, "80")
    return ksp, kecamatan


Seen = tuple[dict[str, CategoryCount], CategoryCount]


async def seen(db: Database, scope: int | None) -> Seen:
    """The overview's trend (by period) and headline, for the whole city (None) or one kecamatan."""
    async with services(db) as s:
        found = await s.office.overview(scope, NOW, "Asia/Jakarta", 10)
    return {str(c.period): c for c in found.trend}, found.latest


async def kept(db: Database) -> dict[tuple[object, ...], int]:
    """The kept counts (those not zero)."""
    async with db.reading() as repos:
        rows = await repos.session.execute(select(StandingCount))
        return {
            tuple(getattr(r, key) for key in standing_counts.KEY): r.cooperatives
            for r in rows.scalars()
            if r.cooperatives
        }


async def agreed(db: Database, kecamatan: int) -> Seen:
    """The city's overview, checked against the kecamatan's (counted from the standings) and against counts made
    afresh by the loader's rebuild and by the migration's backfill."""
    city_wide = await seen(db, None)
    assert city_wide == await seen(db, kecamatan)
    counts = await kept(db)
    for fresh in (standing_counts.rebuilt(), text(BACKFILL)):
        async with db.transaction() as repos:
            await repos.session.execute(delete(StandingCount))
            await repos.session.execute(fresh)
        assert await kept(db) == counts
    return city_wide


async def test_the_city_counts_follow_corrections_late_ids_both_frameworks_and_a_type_change(db: Database) -> None:
    ksp, unit, konsumen, kecamatan = await city(db)
    async with db.transaction() as repos:
        await store(repos, ksp, JULY, "80")
        await store(repos, ksp, AUGUST, "75", assessment_id=1000)
        await store(repos, unit, JULY, None)  # the konsumen cooperative's own, indicative
        await store(repos, unit, JULY, "65")  # and its savings unit's
        await store(repos, konsumen, JULY, None)
        await store(repos, konsumen, AUGUST, None)
    trend, latest = await agreed(db, kecamatan)
    assert (trend[JULY].official, trend[JULY].other, trend[JULY].indicative_only) == (
        {"sehat": 1},
        {"dalam_pengawasan": 1},
        1,
    )
    assert (trend[AUGUST].official, trend[AUGUST].indicative_only, trend[AUGUST].not_assessed) == (
        {"cukup_sehat": 1},
        1,
        1,
    )
    assert (str(latest.period), latest.official, latest.other, latest.indicative_only) == (
        AUGUST,
        {"cukup_sehat": 1},
        {"dalam_pengawasan": 1},
        1,
    )

    async with db.transaction() as repos:
        await store(repos, ksp, JULY, "65")  # July corrected
        await store(repos, ksp, AUGUST, "50", assessment_id=999)  # took its id before August's, stored after
        await store(repos, unit, SEPTEMBER, "80")  # a period with the savings unit's score only
    trend, latest = await agreed(db, kecamatan)
    assert trend[JULY].official == {"dalam_pengawasan": 1} and trend[AUGUST].official == {"cukup_sehat": 1}
    assert (trend[SEPTEMBER].other, trend[SEPTEMBER].indicative_only) == ({"sehat": 1}, 0)
    assert (str(latest.period), latest.other) == (SEPTEMBER, {"sehat": 1})

    async with db.transaction() as repos:  # the KSP re-registered as a konsumen cooperative
        await repos.cooperatives.upsert({"name": "Koperasi 3576001", "nik": "3576001", "type": "konsumen"})
    trend, latest = await agreed(db, kecamatan)
    assert (trend[JULY].official, trend[JULY].other) == ({}, {"dalam_pengawasan": 2})
    assert (latest.official, latest.other) == ({}, {"sehat": 1, "cukup_sehat": 1})


async def test_two_processes_storing_at_once_are_both_counted(db: Database) -> None:
    ksp, unit, konsumen, kecamatan = await city(db)
    # the same cooperative's two frameworks of one period: the second waits and finds the first's (paired)
    waited = await meanwhile(
        db, lambda repos: store(repos, unit, JULY, "65"), lambda repos: store(repos, unit, JULY, None)
    )
    assert waited
    # two cooperatives of the same type and category: neither count is lost
    await meanwhile(db, lambda repos: store(repos, ksp, JULY, "80"), lambda repos: store(repos, konsumen, JULY, "80"))
    trend, _ = await agreed(db, kecamatan)
    assert (trend[JULY].official, trend[JULY].other, trend[JULY].indicative_only) == (
        {"sehat": 1},
        {"dalam_pengawasan": 1, "sehat": 1},
        0,
    )


async def test_an_assessment_stored_while_its_cooperative_changes_type_is_counted_under_the_new_type(
    db: Database,
) -> None:
    ksp, kecamatan = await city_scored_in_july(db)

    async def retype(repos: Repositories) -> None:
        await repos.cooperatives.upsert({"name": "Koperasi 3576001", "nik": "3576001", "type": "konsumen"})

    waited = await meanwhile(db, retype, lambda repos: store(repos, ksp, AUGUST, "75"))
    assert waited or is_sqlite(db.url)  # SQLite: one writer at a time in any case
    trend, latest = await agreed(db, kecamatan)
    assert (trend[JULY].other, trend[AUGUST].other, trend[AUGUST].official) == (
        {"sehat": 1},
        {"cukup_sehat": 1},
        {},
    )
    assert (latest.official, latest.other) == ({}, {"cukup_sehat": 1})


async def test_a_cooperative_retyped_outside_any_transaction_then_saved_is_counted_under_its_new_type(
    db: Database,
) -> None:
    ksp, kecamatan = await city_scored_in_july(db)
    async with db.transaction() as repos:
        cooperative = await repos.cooperatives.get(ksp)
    assert cooperative is not None
    cooperative.type = "konsumen"  # in no session: noted when it is added to one
    async with db.transaction() as repos:
        repos.session.add(cooperative)
    trend, latest = await agreed(db, kecamatan)
    assert (trend[JULY].official, trend[JULY].other) == ({}, {"sehat": 1})
    assert (latest.official, latest.other) == ({}, {"sehat": 1})


async def test_the_province_loader_counts_what_storing_each_assessment_counts(db: Database) -> None:
    async with db.transaction() as repos:
        await load_province(repos, NOW, 60, 5, specimens=6)
    loaded = await kept(db)
    async with db.reading() as repos:
        every = list((await repos.session.scalars(select(Assessment).order_by(Assessment.id))).all())
    async with db.transaction() as repos:  # every assessment stored again, one by one, as the bot stores them
        await repos.session.execute(delete(StandingCount))
        await repos.session.execute(text("DELETE FROM latest_standings"))
        await repos.session.execute(text("DELETE FROM period_standings"))
        for a in every:
            await repos.assessments.add(
                Assessment(
                    cooperative_id=a.cooperative_id,
                    period=a.period,
                    framework=a.framework,
                    total=a.total,
                    category=a.category,
                    result={},
                    rules_hash="x",
                )
            )
    assert sum(loaded.values()) > 300
    assert await kept(db) == loaded
