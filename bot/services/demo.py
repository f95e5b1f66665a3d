"""A synthetic demo city: about 190 cooperatives, officers, staff and a year of monthly figures.

Every name is made up; every NIK starts with DEMO- and every row is marked is_demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import forms
from bot.domain.health.rules import default_rules
from bot.domain.periods import Period
from bot.services.assessments import assess_revision
from bot.services.cooperative_import import ImportRow
from bot.services.directory import save_cooperatives
from storage.models import utcnow
from storage.repositories import Repositories

CITY = "Kota Mojokerto (demo)"
KECAMATAN = {
    "Magersari": ["Balongsari", "Gedongan", "Gunung Gedangan", "Kedundung", "Wates", "Magersari"],
    "Prajurit Kulon": ["Blooto", "Mentikan", "Pulorejo", "Prajurit Kulon", "Surodinawan", "Kauman"],
    "Kranggan": ["Kranggan", "Meri", "Sentanan", "Purwotengah", "Jagalan", "Miji"],
}
# (type, tags, count, has_savings_unit): 43 KSP, 93 konsumen, 21 produsen, 7 pemasaran, 1 jasa, 18 KKMP, 7 kopontren
MIX: list[tuple[str, tuple[str, ...], int, bool]] = [
    ("ksp", (), 43, False),
    ("konsumen", (), 93, False),
    ("produsen", (), 21, False),
    ("pemasaran", (), 7, False),
    ("jasa", (), 1, False),
    ("konsumen", ("kkmp",), 18, True),
    ("konsumen", ("kopontren",), 7, True),
]
PREFIX = {
    "ksp": "KSP",
    "konsumen": "Koperasi Konsumen",
    "produsen": "Koperasi Produsen",
    "pemasaran": "Koperasi Pemasaran",
    "jasa": "Koperasi Jasa",
}
WORDS_A = [
    "Maju",
    "Sejahtera",
    "Makmur",
    "Mandiri",
    "Sumber",
    "Karya",
    "Tunas",
    "Mitra",
    "Bina",
    "Harapan",
    "Cahaya",
    "Setia",
    "Rukun",
    "Sentosa",
    "Bakti",
    "Berkah",
    "Amanah",
    "Usaha",
    "Jaya",
    "Sinar",
]
WORDS_B = [
    "Bersama",
    "Abadi",
    "Sentosa",
    "Mulia",
    "Lestari",
    "Rezeki",
    "Utama",
    "Dharma",
    "Tani",
    "Warga",
    "Guyub",
    "Santoso",
    "Barokah",
    "Makmur",
    "Bahagia",
    "Raharjo",
    "Wijaya",
    "Rahayu",
    "Luhur",
    "Pratama",
]
FIRST = [
    "Siti",
    "Budi",
    "Sri",
    "Agus",
    "Dewi",
    "Slamet",
    "Endang",
    "Bambang",
    "Tri",
    "Wahyu",
    "Nur",
    "Eko",
    "Rina",
    "Joko",
    "Yuli",
    "Hadi",
    "Lilik",
    "Sugeng",
    "Ani",
    "Heru",
]
LAST = [
    "Rahayu",
    "Santoso",
    "Wulandari",
    "Prasetyo",
    "Lestari",
    "Hidayat",
    "Susanti",
    "Purnomo",
    "Handayani",
    "Setiawan",
    "Kurniawan",
    "Maryati",
    "Wibowo",
    "Utami",
    "Saputra",
]
KSP_WITH_HISTORY = 25
NON_KSP_WITH_HISTORY = 12
YEARLY = ("management.", "compliance.")


@dataclass(frozen=True)
class DemoCounts:
    """What the demo loaded."""

    cooperatives: int
    officers: int
    reports: int


def _money(value: float) -> str:
    return str(Decimal(int(value)).quantize(Decimal(1000)) if value >= 1000 else Decimal(int(value)))


def ksp_figures(rng: random.Random, scale: float, month_index: int, months_elapsed: int) -> dict[str, str]:
    """Plausible month-end balances and year-to-date flows of a small savings-and-loan cooperative."""
    growth = 1 + 0.01 * month_index
    loans = scale * growth * rng.uniform(0.55, 0.75)
    member_share = rng.uniform(0.6, 1.0)
    problem = loans * rng.uniform(0.0, 0.25)
    own = scale * growth * rng.uniform(0.15, 0.55)
    total_assets = scale * growth
    ytd = months_elapsed / 12
    participation = loans * rng.uniform(0.15, 0.24) * ytd
    cost = participation * rng.uniform(0.2, 0.4)
    opex = participation * rng.uniform(0.25, 0.5)
    gross_surplus = participation - cost
    surplus = gross_surplus - opex - participation * 0.05
    principal = own * 0.1
    mandatory = own * 0.45
    figures = {
        "cash": total_assets * rng.uniform(0.01, 0.04),
        "bank": total_assets * rng.uniform(0.03, 0.1),
        "placements": total_assets * rng.uniform(0.0, 0.1),
        "loans_to_members": loans * member_share,
        "loans_to_non_members": loans * (1 - member_share),
        "loans_substandard": problem * 0.5,
        "loans_doubtful": problem * 0.3,
        "loans_loss": problem * 0.2,
        "loans_at_risk": loans * rng.uniform(0.05, 0.35),
        "risk_reserve": problem * rng.uniform(0.1, 0.9),
        "fixed_assets": total_assets * rng.uniform(0.02, 0.08),
        "total_assets": total_assets,
        "current_liabilities": (total_assets - own) * rng.uniform(0.5, 0.9),
        "voluntary_savings": (total_assets - own) * 0.6,
        "time_deposits": (total_assets - own) * 0.25,
        "borrowings": (total_assets - own) * 0.1,
        "principal_savings": principal,
        "mandatory_savings": mandatory,
        "general_reserve": own * 0.3,
        "undistributed_surplus": max(surplus, 0),
        "gross_participation": participation,
        "non_member_income": participation * rng.uniform(0.0, 0.3),
        "cost_of_services": cost,
        "operating_expenses": opex,
        "cooperative_expenses": participation * 0.05,
        "staff_costs": opex * 0.5,
        "gross_surplus": gross_surplus,
        "surplus_before_tax": surplus,
        "members_surplus_share": surplus * 0.6,
        "member_economic_benefit": participation * rng.uniform(0.01, 0.06),
    }
    for absent in (
        "securities",
        "investments",
        "accrued_income",
        "accrued_expenses",
        "other_liabilities",
        "special_mandatory_savings",
        "grants",
        "participation_capital",
        "equalization_capital",
    ):
        figures[absent] = 0.0
    return {key: _money(value) if value >= 0 else "-" + _money(-value) for key, value in figures.items()}


def shop_figures(rng: random.Random, scale: float, month_index: int, months_elapsed: int) -> dict[str, str]:
    """Plausible figures of a consumer, producer or marketing cooperative (indicative framework)."""
    ytd = months_elapsed / 12
    sales = scale * rng.uniform(1.2, 2.5) * ytd * (1 + 0.01 * month_index)
    cogs = sales * rng.uniform(0.82, 0.95)
    total_assets = scale
    figures = {
        "sales": sales,
        "sales_to_members": sales * rng.uniform(0.4, 0.95),
        "cost_of_goods_sold": cogs,
        "purchases": cogs * rng.uniform(0.95, 1.05),
        "purchases_from_members": cogs * rng.uniform(0.1, 0.8),
        "net_surplus": sales * rng.uniform(-0.01, 0.05),
        "total_revenue": sales * 1.02,
        "inventory": scale * rng.uniform(0.1, 0.3),
        "receivables": scale * rng.uniform(0.02, 0.15),
        "payables": scale * rng.uniform(0.03, 0.12),
        "current_assets": scale * rng.uniform(0.4, 0.7),
        "indicative.current_liabilities": scale * rng.uniform(0.2, 0.5),
        "equity": scale * rng.uniform(0.2, 0.7),
        "indicative.total_assets": total_assets,
    }
    return {key: _money(value) if value >= 0 else "-" + _money(-value) for key, value in figures.items()}


def demo_periods(today: date, months: int = 12) -> list[str]:
    """The `months` reporting periods before the one being reported now, oldest first."""
    year, month = today.year, today.month
    periods = []
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        periods.append(f"{year:04d}-{month:02d}")
    return list(reversed(periods))


def _latest_on_or_before(today: date, month: int, day: int) -> date:
    """The last `day`/`month` that is not after `today`."""
    this_year = date(today.year, month, day)
    return this_year if this_year <= today else date(today.year - 1, month, day)


def cooperative_rows(rng: random.Random, today: date) -> list[dict[str, Any]]:
    """The demo city's cooperatives as import rows, their dates around `today` (none of them ahead of it)."""
    rows: list[dict[str, Any]] = []
    names: set[str] = set()
    places = [(kec, kel) for kec, kels in KECAMATAN.items() for kel in kels]
    for type_, tags, count, savings in MIX:
        for _ in range(count):
            while True:
                core = f"{rng.choice(WORDS_A)} {rng.choice(WORDS_B)}"
                kecamatan, kelurahan = rng.choice(places)
                if "kkmp" in tags:
                    name = f"Koperasi Kelurahan Merah Putih {kelurahan}"
                elif "kopontren" in tags:
                    name = f"Kopontren {core}"
                else:
                    name = f"{PREFIX[type_]} {core}"
                if name not in names:
                    names.add(name)
                    break
            number = len(rows) + 1
            rat = _latest_on_or_before(today, rng.randint(2, 6), rng.randint(1, 28))
            if rng.random() >= 0.8:
                rat = rat.replace(year=rat.year - 2)  # a RAT more than a year old
            ods = rat + timedelta(days=rng.randint(14, 60))
            rows.append(
                {
                    "name": name,
                    "nik": f"DEMO-{number:04d}",
                    "legal_entity_number": f"AHU-DEMO-{number:05d}",
                    "type": type_,
                    "tags": sorted(tags),
                    "kecamatan": kecamatan,
                    "kelurahan": kelurahan,
                    "timezone": "Asia/Jakarta",
                    "fiscal_year_start_month": 1,
                    "rat_date": rat,
                    "nik_valid_until": today + timedelta(days=rng.randint(-120, 780)),
                    "ods_updated_on": ods if rng.random() < 0.7 and ods <= today else None,
                    "has_savings_unit": savings,
                    "members": rng.randint(20, 1500),
                    "address": None,
                    "is_demo": True,
                }
            )
    return rows


def submitted_at(seed: int, nik: str, period: str, zone: ZoneInfo) -> datetime:
    """When the demo's report of `period` arrived: 10.00 on a day from the 2nd to the 12th of the next month, the
    same on every run (the deadline is the 10th, so some are late)."""
    year, month = int(period[:4]), int(period[5:7])
    day = random.Random(f"{seed}:{nik}:{period}").randint(2, 12)
    return datetime(year + (month == 12), month % 12 + 1, day, 10, 0, tzinfo=zone)


async def load_demo(repos: Repositories, now: datetime, seed: int = 2026) -> DemoCounts:
    """Load (or refresh) the demo city as of `now`; running it twice changes nothing new, and no report is stored
    as submitted after `now` (those cooperatives have simply not reported yet)."""
    rng = random.Random(seed)
    rules = default_rules()
    zone = ZoneInfo("Asia/Jakarta")
    today = now.astimezone(zone).date()
    rows = cooperative_rows(rng, today)
    given = [ImportRow([line], {k: v for k, v in row.items() if v is not None}) for line, row in enumerate(rows, 2)]
    await save_cooperatives(repos, given, CITY, new_kecamatan=KECAMATAN)
    officers = reports = 0
    periods = demo_periods(today)
    ksp_left, shop_left = KSP_WITH_HISTORY, NON_KSP_WITH_HISTORY
    for row in rows:
        cooperative = await repos.cooperatives.by_nik(row["nik"])
        assert cooperative is not None
        existing = await repos.officers.of_cooperative(cooperative.id)
        if not existing:
            for role in ("ketua", "bendahara"):
                await repos.officers.add(cooperative.id, f"{rng.choice(FIRST)} {rng.choice(LAST)}", role)
                officers += 1
        existing = await repos.officers.of_cooperative(cooperative.id)
        with_history = (row["type"] == "ksp" and ksp_left > 0) or (row["type"] != "ksp" and shop_left > 0)
        if not with_history:
            continue
        if row["type"] == "ksp":
            ksp_left -= 1
        else:
            shop_left -= 1
        scale = rng.uniform(0.5e9, 8e9) if row["type"] == "ksp" else rng.uniform(0.1e9, 2e9)
        if not await repos.management.answers(cooperative.id):
            diligence = rng.uniform(0.4, 0.95)
            yearly = {q.key: rng.random() < diligence for q in forms.load_form().questions if q.key.startswith(YEARLY)}
            first = datetime(int(periods[0][:4]), int(periods[0][5:7]), 15, tzinfo=zone)
            await repos.management.save(cooperative.id, yearly, first, existing[-1].id)
        for index, period in enumerate(periods):
            submitted = submitted_at(seed, row["nik"], period, zone)
            if submitted > now:
                continue
            report = await repos.reports.get_or_create(cooperative.id, period)
            if report.status == "submitted":
                continue
            months_elapsed = int(period[5:7])
            make = ksp_figures if row["type"] == "ksp" else shop_figures
            figures = make(rng, scale, index, months_elapsed)
            revision = await repos.reports.add_revision(report, figures, at=submitted, officer_id=existing[-1].id)
            await assess_revision(repos, cooperative, Period.parse(period), revision, rules)
            reports += 1
    await repos.audit.add("cli", "demo.load", None, cooperatives=len(rows), at=utcnow().isoformat())
    return DemoCounts(len(rows), officers, reports)
