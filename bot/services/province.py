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

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import forms
from bot.domain.health import keys
from bot.domain.health.clinic import treat
from bot.domain.health.rules import Rules, default_rules
from bot.domain.periods import Period
from bot.services.assessments import clinic_json, exact_json, record_of, score_figures
from bot.services.demo import (
    FIRST,
    LAST,
    MIX,
    PREFIX,
    SHARES,
    WORDS_A,
    WORDS_B,
    demo_periods,
    ksp_figures,
    shop_figures,
)
from bot.services.demo import tilt as _tilt
from storage import bulk
from storage.db import Database
from storage.models import Cooperative, utcnow
from storage.repositories import Repositories

NIK_PREFIX = "DEMOP-"
PER_KECAMATAN = 63  # cooperatives per kecamatan, as in the demo city (190 over 3)
KELURAHAN_PER_KECAMATAN = 6
PER_KABUPATEN = 800  # East Java: about 30,000 cooperatives over 38 kabupaten and kota
ROLES = ("ketua", "bendahara", "sekretaris")
BANDS = {"sehat": (80, 95), "cukup_sehat": (66, 80), "dalam_pengawasan": (51, 66), "dalam_pengawasan_khusus": (30, 51)}
SPECIMENS = 30  # scored figure sets per month of the book year and framework
ZONE = ZoneInfo("Asia/Jakarta")
FLUSH_EVERY = 40_000  # reports held in memory before they are written


@dataclass(frozen=True)
class ProvinceCounts:
    """What the province loaded."""

    cooperatives: int
    officers: int
    reports: int
    assessments: int


@dataclass(frozen=True)
class Specimen:
    """A figure set and what the scorer made of it (one per framework that applies)."""

    figures: dict[str, str]
    scored: tuple[dict[str, Any], ...]  # assessment columns per framework
    category: str | None  # of the official framework, when it applies


class Specimens:
    """Scored figure sets per (kind of cooperative, month of the book year, category)."""

    def __init__(self, rng: random.Random, rules: Rules, today: date, size: int = SPECIMENS) -> None:
        self._rng, self._rules, self._today, self._size = rng, rules, today, size
        self._pool: dict[tuple[str, int], dict[str | None, list[Specimen]]] = {}
        self._management = [q.key for q in forms.load_form().questions if q.key.startswith("management.")]

    def _score(self, coop: Cooperative, period: Period, figures: dict[str, str], quality: float) -> Specimen:
        answers = {key: self._rng.random() < quality for key in self._management}
        record = record_of(coop, answers)
        rows, category = [], None
        for item in score_figures(coop, period, figures, answers, self._rules):
            if item.result is None:
                continue
            result = exact_json(item.result.to_dict())
            diagnosis, prescription = clinic_json(
                treat(item.result, self._rules, "id", record, self._today), item.result
            )
            rows.append(
                {
                    "framework": item.framework,
                    "provisional": bool(result.get("provisional", True)),
                    "total": Decimal(result["total"]) if result.get("total") is not None else None,
                    "category": result.get("category"),
                    "result": result,
                    "diagnosis": diagnosis,
                    "prescription": prescription,
                    "brief": {k: result[k] for k in ("total", "category", "provisional") if k in result},
                }
            )
            if item.framework == keys.PERDEP:
                category = result.get("category")
        return Specimen(figures, tuple(rows), category)

    def _fill(self, kind: str, month: int) -> dict[str | None, list[Specimen]]:
        period = Period(self._today.year - 1, month)
        savings = kind.endswith("+usp") or kind == "ksp"
        type_ = kind.removesuffix("+usp")
        coop = Cooperative(type=type_, has_savings_unit=kind.endswith("+usp"), fiscal_year_start_month=1, tags=[])
        buckets: dict[str | None, list[Specimen]] = {}
        count = self._size * (3 if savings else 1)
        for number in range(count):
            quality = -0.9 + 1.9 * number / count
            scale = self._rng.uniform(0.5e9, 8e9)
            figures: dict[str, str] = {}
            if type_ != "ksp":
                figures |= shop_figures(self._rng, scale / 4, month, month)
            if savings:
                figures |= _tilt(ksp_figures(self._rng, scale, month, month), quality)
            specimen = self._score(coop, period, figures, max(quality, 0.05))
            buckets.setdefault(specimen.category, []).append(specimen)
        return buckets

    def pick(self, kind: str, month: int, category: str | None) -> Specimen:
        """A specimen for this kind of cooperative and month in (or nearest to) `category`."""
        buckets = self._pool.get((kind, month))
        if buckets is None:
            buckets = self._pool[(kind, month)] = self._fill(kind, month)
        order = [c for c, _ in SHARES]
        wanted = order.index(category) if category in order else 0
        for step in (0, 1, -1, 2, -2, 3, -3):
            near = order[wanted + step] if 0 <= wanted + step < len(order) else None
            if near in buckets:
                return self._rng.choice(buckets[near])
        return self._rng.choice(next(iter(buckets.values())))


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
    (nothing is written twice)."""
    found = await repos.cooperatives.by_nik(f"{NIK_PREFIX}{1:06d}")
    if found is not None:
        return ProvinceCounts(0, 0, 0, 0)
    rng = random.Random(seed)
    today = now.astimezone(ZONE).date()
    created = now - timedelta(days=31 * (periods + 1))
    rules = default_rules()
    pool = Specimens(rng, rules, today, specimens)
    ids = {name: await bulk.reserve_ids(repos, name) for name in bulk.TABLES}

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

    names = demo_periods(today, periods)
    reports: list[dict[str, Any]] = []
    revisions: list[dict[str, Any]] = []
    assessments: list[dict[str, Any]] = []
    written = [0, 0]  # reports and assessments written so far

    async def flush() -> None:
        for chunk in (("reports", reports), ("report_revisions", revisions), ("assessments", assessments)):
            await bulk.insert_rows(repos, *chunk)
        written[0] += len(reports)
        written[1] += len(assessments)
        ids["reports"] += len(reports)
        ids["report_revisions"] += len(revisions)
        ids["assessments"] += len(assessments)
        for rows in (reports, revisions, assessments):
            rows.clear()

    for coop in coops:
        if len(reports) >= FLUSH_EVERY:
            await flush()
        history = _history(rng, periods)
        diligence = rng.uniform(0.55, 1.0) if rng.random() > 0.04 else 0.0
        kind = "ksp" if coop["type"] == "ksp" else coop["type"] + ("+usp" if coop["has_savings_unit"] else "")
        reporter = ids["officers"] + (coop["id"] - ids["cooperatives"]) * len(ROLES) + 1  # the bendahara
        last = max((i for i in range(periods) if rng.random() < diligence), default=-1)
        for index, name in enumerate(names):
            if rng.random() >= diligence and index != last:
                continue
            period = Period.parse(name)
            nxt = period.next()
            at = datetime(nxt.year, nxt.month, rng.randint(2, 14), rng.randint(7, 20), rng.randint(0, 59), tzinfo=ZONE)
            if at > now:
                continue
            specimen = pool.pick(kind, period.month, history[index])
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
    await repos.assessments.rebuild_standings()
    await _trainings(repos, rng, ids, coops, officers, now, announcements)
    await bulk.renumber(repos, bulk.TABLES)
    await repos.audit.add("cli", "demo.province", None, cooperatives=cooperatives, at=utcnow().isoformat())
    return ProvinceCounts(len(coops), len(officers), written[0], written[1])


async def _trainings(
    repos: Repositories,
    rng: random.Random,
    ids: dict[str, int],
    coops: list[dict[str, Any]],
    officers: list[dict[str, Any]],
    now: datetime,
    texts: Sequence[str],
) -> None:
    """Past trainings of a kecamatan's officers (registered, most of them present) and announcements sent."""
    by_kecamatan: dict[int, list[dict[str, Any]]] = {}
    coop_area = {c["id"]: c["kecamatan_id"] for c in coops}
    for officer in officers:
        by_kecamatan.setdefault(coop_area[officer["cooperative_id"]], []).append(officer)
    areas = sorted(by_kecamatan)
    trainings: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    registrations: list[dict[str, Any]] = []
    attendance: list[dict[str, Any]] = []
    for number in range(max(2, len(coops) // 300)):
        training_id = ids["trainings"] + number
        starts = now - timedelta(days=rng.randint(3, 330), hours=rng.randint(0, 6))
        starts = starts.replace(minute=0, second=0, microsecond=0)
        kind = rng.choice(("bimtek", "pelatihan", "klinik"))
        trainings.append(
            {
                "id": training_id,
                "title": f"{kind.title()} {rng.choice(WORDS_A)} {number + 1}",
                "kind": kind,
                "venue": "Aula Dinas Koperasi",
                "capacity": 40,
                "segment": {},
                "registration_deadline": starts - timedelta(days=2),
                "status": "done",
                "created_at": starts - timedelta(days=14),
            }
        )
        session_id = ids["training_sessions"] + number
        sessions.append(
            {"id": session_id, "training_id": training_id, "starts_at": starts, "ends_at": starts + timedelta(hours=4)}
        )
        pool = by_kecamatan[areas[number % len(areas)]]
        for officer in rng.sample(pool, min(len(pool), rng.randint(15, 40))):
            at = starts - timedelta(days=rng.randint(3, 12))
            registrations.append(
                {
                    "id": ids["training_registrations"] + len(registrations),
                    "training_id": training_id,
                    "officer_id": officer["id"],
                    "status": "registered",
                    "position": 0,
                    "created_at": at,
                    "updated_at": at,
                }
            )
            if rng.random() < 0.75:
                attendance.append(
                    {
                        "id": ids["attendance"] + len(attendance),
                        "training_id": training_id,
                        "session_id": session_id,
                        "officer_id": officer["id"],
                        "at": starts + timedelta(minutes=rng.randint(0, 40)),
                    }
                )
    announcements = [
        {
            "id": ids["announcements"] + number,
            "text": text,
            "segment": {"spec": "all", "scope_kecamatan_id": None},
            "status": "done",
            "recipients": len(officers),
            "send_at": now - timedelta(days=30 * number + 2),
            "created_at": now - timedelta(days=30 * number + 3),
        }
        for number, text in enumerate(texts)
    ]
    for name, rows in (
        ("trainings", trainings),
        ("training_sessions", sessions),
        ("training_registrations", registrations),
        ("attendance", attendance),
        ("announcements", announcements),
    ):
        await bulk.insert_rows(repos, name, rows)
