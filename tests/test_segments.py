"""Segments: each kind, combinations with +, a pembina's kecamatan, and clear errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.services import segments
from bot.services.segments import SegmentError, parse, resolve
from storage.db import Database
from storage.models import Assessment, Report

NOW = datetime(2026, 11, 3, 3, 0, tzinfo=UTC)  # 10.00 WIB


@dataclass(frozen=True)
class City:
    """A small city: three cooperatives in two kecamatan, five officers (one paused, one inactive)."""

    coops: dict[str, int]
    officers: dict[str, int]
    magersari: int
    prajurit_kulon: int


async def seed_city(db: Database, *, with_chats: bool = True) -> City:
    """A: KSP in Magersari/Meri, sehat, reported; B: konsumen+kkmp in Magersari/Gedongan, dalam_pengawasan;
    C: KSP+kopontren in Prajurit Kulon/Surodinawan, never assessed, reported. Officers a1, a2, a3 (paused), b1, c1,
    and c_gone (inactive). Each active officer has a console chat account named after them."""
    async with db.transaction() as repos:
        city = await repos.regions.get_or_create("kota", "Mojokerto")
        mag = await repos.regions.get_or_create("kecamatan", "Magersari", city.id)
        pk = await repos.regions.get_or_create("kecamatan", "Prajurit Kulon", city.id)
        meri = await repos.regions.get_or_create("kelurahan", "Meri", mag.id)
        ged = await repos.regions.get_or_create("kelurahan", "Gedongan", mag.id)
        suro = await repos.regions.get_or_create("kelurahan", "Surodinawan", pk.id)
        rows = {
            "A": {"name": "KSP Maju", "nik": "1001", "type": "ksp", "tags": [], "kecamatan_id": mag.id,
                  "kelurahan_id": meri.id},
            "B": {"name": "Kopkel Merah Putih Gedongan", "nik": "1002", "type": "konsumen", "tags": ["kkmp"],
                  "kecamatan_id": mag.id, "kelurahan_id": ged.id},
            "C": {"name": "Kopontren Al Hikmah", "nik": "1003", "type": "ksp", "tags": ["kopontren"],
                  "kecamatan_id": pk.id, "kelurahan_id": suro.id},
        }  # fmt: skip
        coops = {}
        for key, values in rows.items():
            coop, _ = await repos.cooperatives.upsert(values)
            coops[key] = coop.id
        for coop_key, period, category in (("A", "2026-09", "dalam_pengawasan"), ("A", "2026-10", "sehat"),
                                           ("B", "2026-10", "dalam_pengawasan")):  # fmt: skip
            await repos.assessments.add(
                Assessment(
                    cooperative_id=coops[coop_key],
                    period=period,
                    framework="perdep-06-2016",
                    category=category,
                    result={},
                    rules_hash="x",
                )
            )
        for coop_key in ("A", "C"):
            repos.session.add(Report(cooperative_id=coops[coop_key], period="2026-10", status="submitted"))
        officers = {}
        for name, coop_key in (("a1", "A"), ("a2", "A"), ("a3", "A"), ("b1", "B"), ("c1", "C"), ("c_gone", "C")):
            officer = await repos.officers.add(coops[coop_key], f"Bu {name}", "bendahara")
            officers[name] = officer.id
            if name == "a3":
                officer.announcements_paused = True
            if name == "c_gone":
                officer.status = "inactive"
            elif with_chats:
                identity = await repos.identities.get_or_create("console", name)
                identity.officer_id = officer.id
        await repos.session.flush()
        return City(coops, officers, mag.id, pk.id)


async def cooperatives_of(db: Database, spec: str, scope: int | None = None) -> set[int]:
    async with db.transaction() as repos:
        audience = await resolve(repos, parse(spec, scope_kecamatan_id=scope))
        return {r.cooperative_id for r in audience.recipients}


async def test_each_kind_of_segment(db: Database) -> None:
    city = await seed_city(db)
    a, b, c = city.coops["A"], city.coops["B"], city.coops["C"]
    expected = {
        "all": {a, b, c},
        "type:ksp": {a, c},
        "type:KONSUMEN": {b},
        "tag:kkmp": {b},
        "tag:kopontren": {c},
        "kecamatan:magersari": {a, b},
        "kecamatan:Prajurit  Kulon": {c},
        "kelurahan:Meri": {a},
        "category:sehat": {a},  # the latest assessment counts, not the older dalam_pengawasan
        "category:dalam_pengawasan": {b},
        "category:dalam_pengawasan_khusus": set(),
        "reported:2026-10": {a, c},
        "not-reported:2026-10": {b},
        "not-reported:2026-09": {a, b, c},
        "nik:1001,1003": {a, c},
    }
    for spec, coops in expected.items():
        assert await cooperatives_of(db, spec) == coops, spec


async def test_combinations_are_and(db: Database) -> None:
    city = await seed_city(db)
    a, b = city.coops["A"], city.coops["B"]
    assert await cooperatives_of(db, "type:ksp+kecamatan:Magersari") == {a}
    assert await cooperatives_of(db, "kecamatan:Magersari + not-reported:2026-10") == {b}
    assert await cooperatives_of(db, "all+tag:kkmp") == {b}
    assert await cooperatives_of(db, "type:ksp+tag:kkmp") == set()


async def test_a_pembina_reaches_only_their_kecamatan(db: Database) -> None:
    city = await seed_city(db)
    assert await cooperatives_of(db, "all", scope=city.prajurit_kulon) == {city.coops["C"]}
    assert await cooperatives_of(db, "type:konsumen", scope=city.prajurit_kulon) == set()
    async with db.transaction() as repos:
        pembina = await repos.staff.add("Pak Pembina", "pembina", city.magersari)
        admin = await repos.staff.add("Bu Admin", "admin", city.magersari)  # an admin's kecamatan does not limit
        assert segments.for_staff("all", pembina).scope_kecamatan_id == city.magersari
        assert segments.for_staff("all", admin).scope_kecamatan_id is None
        audience = await resolve(repos, segments.for_staff("type:ksp", pembina))
        assert {r.cooperative_id for r in audience.recipients} == {city.coops["A"]}


async def test_recipients_are_active_officers_and_paused_ones_are_counted_apart(db: Database) -> None:
    city = await seed_city(db)
    async with db.transaction() as repos:
        audience = await resolve(repos, parse("all"))
    ids = {r.officer_id for r in audience.recipients}
    assert city.officers["c_gone"] not in ids and len(ids) == 5
    assert audience.cooperatives == 3 and audience.paused == 1
    assert city.officers["a3"] not in {r.officer_id for r in audience.reachable}


def test_spec_is_normalised_and_round_trips() -> None:
    segment = parse(" TYPE:KSP + kecamatan:Magersari ", scope_kecamatan_id=4)
    assert segment.spec == "type:ksp+kecamatan:Magersari"
    assert segments.Segment.from_json(segment.to_json()) == segment
    assert parse("semua").spec == "all" and parse("notreported:2026-10").spec == "not-reported:2026-10"


@pytest.mark.parametrize(
    "spec",
    ["", "  ", "type:ksp+", "foo:bar", "type:", "category:bagus", "reported:2026-13", "reported:10-2026", "nik:,"],
)
def test_unreadable_segments_say_what_is_expected(spec: str) -> None:
    with pytest.raises(SegmentError):
        parse(spec)


async def test_unknown_places_and_niks_are_errors_not_empty_audiences(db: Database) -> None:
    await seed_city(db)
    async with db.transaction() as repos:
        with pytest.raises(SegmentError, match="tidak ditemukan"):
            await resolve(repos, parse("kecamatan:Atlantis"))
        with pytest.raises(SegmentError, match="9999"):
            await resolve(repos, parse("nik:1001,9999"))


async def test_counts_in_the_database_equal_the_audience_resolved(db: Database) -> None:
    city = await seed_city(db)
    specs = ["all", "type:ksp", "tag:kkmp", "kecamatan:Magersari", "kelurahan:Meri", "category:sehat",
             "category:dalam_pengawasan", "reported:2026-10", "not-reported:2026-10", "nik:1001,1003",
             "type:ksp+kecamatan:Magersari"]  # fmt: skip
    async with db.transaction() as repos:
        for spec in specs:
            for scope in (None, city.magersari):
                segment = parse(spec, scope_kecamatan_id=scope)
                audience = await resolve(repos, segment)
                for announcement in (True, False):
                    counted = await segments.count(repos, segment, announcement=announcement)
                    assert counted.reach == audience.reach(announcement=announcement), (spec, scope, announcement)
                    assert counted.cooperatives == audience.cooperatives, (spec, scope)
                    assert counted.officers == len(audience.recipients), (spec, scope)
        all_count = await segments.count(repos, parse("all"))
    assert all_count.reach.now == 4 and dict(all_count.reach.missed) == {"paused": 1}  # c_gone is inactive


async def test_counts_say_why_officers_cannot_be_reached(db: Database) -> None:
    await seed_city(db, with_chats=False)
    async with db.transaction() as repos:
        counted = await segments.count(repos, parse("type:ksp"), announcement=False)
        with pytest.raises(SegmentError, match="9999"):
            await segments.count(repos, parse("nik:9999"))
    assert counted.reach.now == 0 and dict(counted.reach.missed) == {"no_account": 4}
