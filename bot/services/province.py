"""A synthetic province: thousands of cooperatives with years of monthly reports, written set-based.

`kopsehat demo --cooperatives N --periods P` builds it; the benchmarks of the office's pages read it. Kabupaten/kota,
kecamatan and kelurahan in the demo city's proportions (about 63 cooperatives a kecamatan, six kelurahan each), the
city's mix of types, three officers per cooperative with chat accounts on Telegram and WhatsApp (a few unreachable),
P monthly reports whose health categories rise and fall around each cooperative's own level, trainings with
attendance and announcements. Every figure set and its assessment come from the real scorer: a pool of scored
specimens per month of the book year, picked by the category a cooperative's history is in. No time is after `now`.
Every NIK starts with DEMOP-; every cooperative is marked is_demo.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.health.rules import default_rules
from bot.domain.periods import Period
from bot.services.demo_city import FIRST, LAST, MIX, PREFIX, SHARES, WORDS_A, WORDS_B, demo_periods
from bot.services.province_activity import past_activity
from bot.services.province_specimens import SPECIMENS, Specimens
from storage import bulk
from storage.db import Database
from storage.models import utcnow
from storage.repositories import Repositories

NIK_PREFIX = "DEMOP-"
PER_KECAMATAN = 63  # cooperatives per kecamatan, as in the demo city (190 over 3)
KELURAHAN_PER_KECAMATAN = 6
PER_KABUPATEN = 800  # East Java: about 30,000 cooperatives over 38 kabupaten and kota
ROLES = ("ketua", "bendahara", "sekretaris")
BANDS = {"sehat": (80, 95), "cukup_sehat": (66, 80), "dalam_pengawasan": (51, 66), "dalam_pengawasan_khusus": (30, 51)}
ZONE = ZoneInfo("Asia/Jakarta")
FLUSH_EVERY = 40_000  # reports held in memory before they are written


@dataclass(frozen=True)
class ProvinceCounts:
    """What the province loaded, and the seconds each step took."""

    cooperatives: int
    officers: int
    reports: int
    assessments: int
    seconds: dict[str, float] = field(default_factory=dict)


class Clock:
    """Seconds spent per step, in order."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        """`step` took the time since the last lap."""
        now = time.perf_counter()
        self.seconds[step] = self.seconds.get(step, 0.0) + now - self._last
        self._last = now


async def settle(db: Database) -> None:
    """After the load has committed: let PostgreSQL vacuum and analyze what was written."""
    await bulk.vacuum(db)


def _names(rng: random.Random, count: int) -> Iterator[str]:
    """Distinct made-up place names."""
    seen: set[str] = set()
    while len(seen) < count:
        name = f"{rng.choice(WORDS_A)} {rng.choice(WORDS_B)}"
        name = name if name not in seen else f"{name} {len(seen) + 1}"
        if name not in seen:
            seen.add(name)
            yield name


def _category(score: float) -> str:
    return next((c for c, (low, _) in BANDS.items() if score >= low), "dalam_pengawasan_khusus")


def _history(rng: random.Random, periods: int) -> list[str]:
    """A cooperative's categories, oldest first: its latest drawn in the seeds' shares, the months before a walk
    around its own level that rises and falls."""
    latest = rng.choices([c for c, _ in SHARES], weights=[w for _, w in SHARES])[0]
    low, high = BANDS[latest]
    score = rng.uniform(low, high)
    level, scores = score, [score]
    for _ in range(periods - 1):
        score = max(20.0, min(98.0, score + rng.gauss(0, 3.5) + (level - score) * 0.15))
        scores.append(score)
    return [_category(s) for s in reversed(scores)]


async def load_province(
    repos: Repositories,
    now: datetime,
    cooperatives: int,
    periods: int,
    seed: int = 2026,
    specimens: int = SPECIMENS,
    announcements: Sequence[str] = (),
) -> ProvinceCounts:
    """Write a province of `cooperatives` with `periods` monthly periods before the open one, as of `now`, and
    `announcements` (their texts) sent to everyone in the months before; a province already loaded is left as it is
    (nothing is written twice). The counts say how long each step took."""
    found = await repos.cooperatives.by_nik(f"{NIK_PREFIX}{1:06d}")
    if found is not None:
        return ProvinceCounts(0, 0, 0, 0)
    clock = Clock()
    rng = random.Random(seed)
    today = now.astimezone(ZONE).date()
    created = now - timedelta(days=31 * (periods + 1))
    rules = default_rules()
    pool = Specimens(rng, rules, today, specimens)
    ids = {name: await bulk.reserve_ids(repos, name) for name in bulk.TABLES}
    async with bulk.indexes_rebuilt(repos, bulk.TABLES + bulk.SUMMARIES):
        clock.lap("indexes dropped")
        coops, officers = await _people(repos, rng, ids, today, created, cooperatives)
        clock.lap("regions, cooperatives, officers")
        written = await _reports(repos, rng, pool, ids, coops, now, periods)
        clock.lap("reports and assessments")
        clock.seconds["reports and assessments"] -= pool.seconds  # the pool is scored as the reports first need it
        clock.seconds["specimens scored"] = pool.seconds
        await repos.assessments.rebuild_standings()
        clock.lap("standings")
        await past_activity(repos, rng, ids, coops, officers, now, announcements)
        clock.lap("trainings and announcements")
    clock.lap("indexes and keys made again")
    await bulk.renumber(repos, bulk.TABLES)
    await repos.audit.add("cli", "demo.province", None, cooperatives=cooperatives, at=utcnow().isoformat())
    clock.lap("sequences and statistics")
    return ProvinceCounts(len(coops), len(officers), written[0], written[1], clock.seconds)


async def _people(
    repos: Repositories, rng: random.Random, ids: dict[str, int], today: date, created: datetime, cooperatives: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Regions, cooperatives, their officers and the officers' chat accounts, written; the cooperatives and officers
    returned."""
    regions: list[dict[str, Any]] = []
    kabupaten_count = max(1, round(cooperatives / PER_KABUPATEN))
    kecamatan_count = max(1, round(cooperatives / PER_KECAMATAN))
    kabupaten_ids: list[int] = []
    for name in _names(rng, kabupaten_count):
        kabupaten_ids.append(ids["regions"] + len(regions))
        regions.append(
            {"id": kabupaten_ids[-1], "kind": "kabupaten", "name": f"Kabupaten {name} (demo)", "parent_id": None}
        )
    places: list[tuple[int, int]] = []
    for number, name in enumerate(_names(rng, kecamatan_count)):
        kecamatan_id, parent = ids["regions"] + len(regions), kabupaten_ids[number % kabupaten_count]
        regions.append({"id": kecamatan_id, "kind": "kecamatan", "name": name, "parent_id": parent})
        for kelurahan in _names(rng, KELURAHAN_PER_KECAMATAN):
            places.append((kecamatan_id, ids["regions"] + len(regions)))
            regions.append({"id": places[-1][1], "kind": "kelurahan", "name": kelurahan, "parent_id": kecamatan_id})
    await bulk.insert_rows(repos, "regions", regions)

    mix = [(type_, tags, savings) for type_, tags, count, savings in MIX for _ in range(count)]
    coops: list[dict[str, Any]] = []
    officers: list[dict[str, Any]] = []
    identities: list[dict[str, Any]] = []
    for number in range(1, cooperatives + 1):
        type_, tags, savings = rng.choice(mix)
        savings = savings or (type_ != "ksp" and rng.random() < 0.35)
        kecamatan_id, kelurahan_id = rng.choice(places)
        rat = date(today.year - (1 if rng.random() < 0.8 else 2), rng.randint(2, 6), rng.randint(1, 28))
        coop_id = ids["cooperatives"] + number - 1
        coops.append(
            {
                "id": coop_id,
                "name": f"{PREFIX[type_]} {rng.choice(WORDS_A)} {rng.choice(WORDS_B)} {number}",
                "nik": f"{NIK_PREFIX}{number:06d}",
                "legal_entity_number": f"AHU-DEMOP-{number:06d}",
                "type": type_,
                "tags": sorted(tags),
                "has_savings_unit": savings,
                "kecamatan_id": kecamatan_id,
                "kelurahan_id": kelurahan_id,
                "timezone": "Asia/Jakarta",
                "fiscal_year_start_month": 1,
                "rat_date": rat,
                "nik_valid_until": today + timedelta(days=rng.randint(-120, 780)),
                "ods_updated_on": rat + timedelta(days=rng.randint(14, 60)) if rng.random() < 0.7 else None,
                "members": rng.randint(20, 1500),
                "is_demo": True,
                "created_at": created,
                "updated_at": created,
            }
        )
        for role in ROLES:
            officer_id = ids["officers"] + len(officers)
            officers.append(
                {
                    "id": officer_id,
                    "cooperative_id": coop_id,
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "role": role,
                    "language": "en" if rng.random() < 0.03 else "id",
                    "status": "active",
                    "announcements_paused": rng.random() < 0.02,
                    "created_at": created,
                }
            )
            for channel, share, prefix in (("telegram", 0.6, "7"), ("whatsapp", 0.55, "628")):
                if rng.random() < share:
                    reachable = rng.random() > 0.04
                    identities.append(
                        {
                            "id": ids["channel_identities"] + len(identities),
                            "channel": channel,
                            "external_id": f"{prefix}{officer_id:010d}",
                            "officer_id": officer_id,
                            "reachable": reachable,
                            "unreachable_reason": None if reachable else "blocked",
                            "created_at": created,
                        }
                    )
    for chunk in (("cooperatives", coops), ("officers", officers), ("channel_identities", identities)):
        await bulk.insert_rows(repos, *chunk)

    return coops, officers


async def _reports(
    repos: Repositories,
    rng: random.Random,
    pool: Specimens,
    ids: dict[str, int],
    coops: list[dict[str, Any]],
    now: datetime,
    periods: int,
) -> tuple[int, int]:
    """Every cooperative's monthly reports with their revision and assessments, written every FLUSH_EVERY reports;
    returns how many reports and assessments were written."""
    rules = pool.rules
    today = now.astimezone(ZONE).date()
    names = demo_periods(today, periods)
    months = [(name, Period.parse(name).month, Period.parse(name).next()) for name in names]
    reports: list[dict[str, Any]] = []
    revisions: list[dict[str, Any]] = []
    assessments: list[dict[str, Any]] = []
    written = [0, 0]  # reports and assessments handed to the writer so far

    async def flush() -> None:
        nonlocal reports, revisions, assessments
        await writer.write((("reports", reports), ("report_revisions", revisions), ("assessments", assessments)))
        written[0] += len(reports)
        written[1] += len(assessments)
        ids["reports"] += len(reports)
        ids["report_revisions"] += len(revisions)
        ids["assessments"] += len(assessments)
        reports, revisions, assessments = [], [], []  # the writer keeps the lists it was given

    async with bulk.Writer(repos) as writer:
        for coop in coops:
            if len(reports) >= FLUSH_EVERY:
                await flush()
            await asyncio.sleep(0)  # the writer sends the batch before while these rows are made
            history = _history(rng, periods)
            diligence = rng.uniform(0.55, 1.0) if rng.random() > 0.04 else 0.0
            kind = "ksp" if coop["type"] == "ksp" else coop["type"] + ("+usp" if coop["has_savings_unit"] else "")
            reporter = ids["officers"] + (coop["id"] - ids["cooperatives"]) * len(ROLES) + 1  # the bendahara
            last = max((i for i in range(periods) if rng.random() < diligence), default=-1)
            for index, (name, month, nxt) in enumerate(months):
                if rng.random() >= diligence and index != last:
                    continue
                day, hour, minute = rng.randint(2, 14), rng.randint(7, 20), rng.randint(0, 59)
                at = datetime(nxt.year, nxt.month, day, hour, minute, tzinfo=ZONE)
                if at > now:
                    continue
                specimen = pool.pick(kind, month, history[index])
                report_id = ids["reports"] + len(reports)
                revision_id = ids["report_revisions"] + len(revisions)
                reports.append(
                    {
                        "id": report_id,
                        "cooperative_id": coop["id"],
                        "period": name,
                        "status": "submitted",
                        "draft": {},
                        "first_submitted_at": at,
                        "latest_revision": 1,
                        "review_state": "waiting",  # no decision yet
                        "created_at": at,
                    }
                )
                revisions.append(
                    {
                        "id": revision_id,
                        "report_id": report_id,
                        "number": 1,
                        "figures": specimen.figures,
                        "changes": {},
                        "warnings": [],
                        "officer_id": reporter,
                        "created_at": at,
                    }
                )
                full = index >= periods - 2  # the clinic reads the latest in full; older ones keep score and category
                for scored in specimen.scored:
                    assessments.append(
                        {
                            "id": ids["assessments"] + len(assessments),
                            "cooperative_id": coop["id"],
                            "revision_id": revision_id,
                            "period": name,
                            "framework": scored["framework"],
                            "official": False,
                            "provisional": scored["provisional"],
                            "total": scored["total"],
                            "category": scored["category"],
                            "result": scored["result"] if full else scored["brief"],
                            "rules_hash": rules.version_hash,
                            "standing": "provisional",
                            "special_flag": False,
                            "diagnosis": scored["diagnosis"] if full else None,
                            "prescription": scored["prescription"] if full else None,
                            "created_at": at,
                        }
                    )
        await flush()
    return written[0], written[1]
