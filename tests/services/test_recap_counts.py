"""Office work counted in the database: `rekap`'s per-kecamatan counts (one GROUP BY) equal the per-cooperative recap
that `report-status` prints, on the demo city, on a province and on a small hand-made city."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.periods import Period
from bot.services.cycle import CyclePlan, Recap, RecapCounts, recap, recap_counts
from bot.services.demo import load_demo
from bot.services.province import load_province
from storage.db import Database
from storage.models import Report

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 12, 9, 0, tzinfo=WIB)


def same(counts: RecapCounts, rows: Recap) -> None:
    whole = counts.whole
    assert (whole.total, whole.reported, whole.on_time) == (rows.total, rows.reported, rows.on_time)
    assert (whole.completeness, whole.timeliness) == (rows.completeness, rows.timeliness)
    by_name = {a.rows[0].kecamatan: a for a in rows.by_kecamatan()}
    assert [a.kecamatan for a in counts.areas] == sorted(by_name)
    for area in counts.areas:
        expected = by_name[area.kecamatan]
        assert (area.total, area.reported, area.on_time) == (expected.total, expected.reported, expected.on_time)
        assert area.missing == len(expected.missing)


async def test_rekap_counts_equal_the_recap_on_the_demo_city_and_a_province(db: Database) -> None:
    async with db.transaction() as repos:
        await load_demo(repos, NOW)
        await load_province(repos, NOW, 300, 4, specimens=6)
    plan = CyclePlan()
    async with db.transaction() as repos:
        kecamatan = [k.id for k in await repos.regions.children("kecamatan", 1)]
        for period in (Period(2026, 10), Period(2026, 9), Period(2026, 7), Period(2025, 1)):
            for scope in (None, *kecamatan[:2]):
                same(await recap_counts(repos, period, plan, scope), await recap(repos, period, plan, scope))
        october = await recap_counts(repos, Period(2026, 10), plan)
    assert october.whole.total == 492 and 0 < october.whole.on_time < october.whole.reported


async def test_on_time_is_by_each_cooperatives_own_zone_and_deadline(db: Database) -> None:
    async with db.transaction() as repos:
        kota = await repos.regions.get_or_create("kota", "Kota")
        area = await repos.regions.get_or_create("kecamatan", "Timur", kota.id)
        due = datetime(2026, 11, 10, 23, 59, tzinfo=UTC)
        for number, (zone, at) in enumerate(
            (
                ("Asia/Jakarta", datetime(2026, 11, 10, 16, 0, tzinfo=UTC)),  # 23.00 WIB on the 10th: on time
                ("Asia/Jayapura", datetime(2026, 11, 10, 16, 0, tzinfo=UTC)),  # 01.00 WIT on the 11th: late
                ("Asia/Makassar", due - timedelta(days=3)),
                ("Asia/Jakarta", None),  # not reported
            )
        ):
            coop, _ = await repos.cooperatives.upsert(
                {
                    "name": f"Koperasi {number}",
                    "nik": f"77{number}",
                    "type": "ksp",
                    "timezone": zone,
                    "kecamatan_id": area.id if number else None,
                }
            )
            if at is not None:
                repos.session.add(
                    Report(cooperative_id=coop.id, period="2026-10", status="submitted", first_submitted_at=at)
                )
        await repos.session.flush()
    async with db.transaction() as repos:
        counts = await recap_counts(repos, Period(2026, 10), CyclePlan())
        same(counts, await recap(repos, Period(2026, 10), CyclePlan()))
    assert (counts.whole.total, counts.whole.reported, counts.whole.on_time) == (4, 3, 2)
    assert [a.kecamatan for a in counts.areas] == ["-", "Timur"]
