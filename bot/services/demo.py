"""A synthetic demo city: about 190 cooperatives, officers, staff and a year of monthly figures.

Every name is made up; every NIK starts with DEMO- and every row is marked is_demo.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import forms
from bot.domain.health import keys
from bot.domain.health.result import HealthResult
from bot.domain.health.rules import Rules, default_rules
from bot.domain.periods import Period
from bot.services.assessments import Scored, assess_revision, derived_flags, score_figures
from bot.services.clinic import Actor, ClinicService
from bot.services.cooperative_import import ImportRow
from bot.services.directory import save_cooperatives
from bot.services.review import AlreadyDecided, ReviewService
from storage.models import Cooperative, Officer, OfficeStaff, Training, TrainingRegistration, utcnow
from storage.repositories import Repositories

CITY = "Kota Mojokerto (demo)"
KECAMATAN = {
    "Magersari": ["Balongsari", "Gedongan", "Gunung Gedangan", "Kedundung", "Wates", "Magersari"],
    "Prajurit Kulon": ["Blooto", "Mentikan", "Pulorejo", "Prajurit Kulon", "Surodinawan", "Kauman"],
    "Kranggan": ["Kranggan", "Meri", "Sentanan", "Purwotengah", "Jagalan", "Miji"],
}
# the province's mix of types (type, tags, count, has_savings_unit): 43 KSP, 93 konsumen, 21 produsen, 7 pemasaran,
# 1 jasa, 18 KKMP, 7 kopontren
MIX: list[tuple[str, tuple[str, ...], int, bool]] = [
    ("ksp", (), 43, False),
    ("konsumen", (), 93, False),
    ("produsen", (), 21, False),
    ("pemasaran", (), 7, False),
    ("jasa", (), 1, False),
    ("konsumen", ("kkmp",), 18, True),
    ("konsumen", ("kopontren",), 7, True),
]
# the demo city: the seeds' 192 cooperatives, 164 of them KSP or with a savings unit (scored by the official framework,
# so each gets a category) and 28 that have never reported
CITY_MIX: list[tuple[str, tuple[str, ...], int, bool]] = [
    ("ksp", (), 43, False),
    ("konsumen", (), 72, True),
    ("konsumen", (), 21, False),
    ("produsen", (), 15, True),
    ("produsen", (), 6, False),
    ("pemasaran", (), 7, True),
    ("jasa", (), 1, False),
    ("konsumen", ("kkmp",), 18, True),
    ("konsumen", ("kopontren",), 7, True),
    ("konsumen", (), 2, True),
]
# the seeds' city, of those assessed: 19 Sehat, 68 Cukup Sehat, 32 Dalam Pengawasan, 45 Dalam Pengawasan Khusus
SHARES = (("sehat", 19), ("cukup_sehat", 68), ("dalam_pengawasan", 32), ("dalam_pengawasan_khusus", 45))
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
DILIGENCE = {"sehat": 0.95, "cukup_sehat": 0.8, "dalam_pengawasan": 0.6, "dalam_pengawasan_khusus": 0.35}
FIRST_GUESS = {"sehat": 0.8, "cukup_sehat": 0.35, "dalam_pengawasan": -0.3, "dalam_pengawasan_khusus": -0.8}
WITH_HISTORY = 40  # scored cooperatives with a year of reports; the others joined the bot three months ago
RECENT = 3
SENT_BACK = 4  # reports of the last closed period the pembina sends back
DEMO_LOGIN = "demo.pembina"
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


def tilt(figures: dict[str, str], quality: float) -> dict[str, str]:
    """Worse (quality < 0) or better books: problem loans, capital and surplus moved."""
    out = dict(figures)
    for key in ("loans_substandard", "loans_doubtful", "loans_loss", "loans_at_risk"):
        out[key] = str(int(Decimal(figures[key]) * Decimal(str(round(2.5 * (1 - quality), 3)))))
    if quality < 0:
        for key in ("principal_savings", "mandatory_savings", "general_reserve", "cash", "bank", "risk_reserve"):
            out[key] = str(int(Decimal(figures[key]) * Decimal(str(round(1 + quality, 3)))))
        for key in ("surplus_before_tax", "gross_surplus", "members_surplus_share"):
            out[key] = str(-abs(int(Decimal(figures[key]))))
        out["undistributed_surplus"] = "0"
    return out


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
    for type_, tags, count, savings in CITY_MIX:
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


@dataclass(frozen=True)
class DemoWords:
    """What the demo's office writes, in the office's language: reasons for sending a report back, action plans
    (what, who) and training titles."""

    reasons: tuple[str, ...]
    plans: tuple[tuple[str, str], ...]
    trainings: tuple[str, ...]
    venue: str


def category_targets(seed: int, niks: Sequence[str]) -> dict[str, str]:
    """Each scored cooperative's latest category, in the seeds' shares (scaled to how many there are)."""
    total = sum(share for _, share in SHARES)
    wanted = [(category, share * len(niks) / total) for category, share in SHARES]
    counts = {category: int(exact) for category, exact in wanted}
    by_remainder = sorted(wanted, key=lambda item: item[1] - int(item[1]), reverse=True)
    for category, _ in by_remainder[: len(niks) - sum(counts.values())]:
        counts[category] += 1
    drawn = [category for category, _ in SHARES for _ in range(counts[category])]
    random.Random(f"{seed}:categories").shuffle(drawn)
    return dict(zip(niks, drawn, strict=True))


def category_history(rng: random.Random, latest: str, periods: int) -> list[str]:
    """A cooperative's categories, oldest first: the last two are `latest`, the months before rise and fall around
    it (a step or two away at most)."""
    order = [category for category, _ in SHARES]
    level = order.index(latest)
    history = [latest, latest]
    position = float(level)
    while len(history) < periods:
        position = max(0.0, min(len(order) - 1.0, position + rng.gauss(0, 0.7) + (level - position) * 0.3))
        history.append(order[round(position)])
    return list(reversed(history[:periods]))


def _official_category(scored: Sequence[Scored]) -> str | None:
    official = [s.result for s in scored if s.framework == keys.PERDEP and isinstance(s.result, HealthResult)]
    return official[0].category if official else None


def figures_in(
    cooperative: Cooperative,
    period: Period,
    target: str,
    answers: dict[str, bool],
    flags: list[str],
    rules: Rules,
    rng: random.Random,
    scale: float,
    index: int,
) -> dict[str, str]:
    """Plausible figures that the real scorer puts in `target` (the nearest it found, when none did)."""
    order = [category for category, _ in SHARES]
    wanted = order.index(target)
    months_elapsed = period.month
    best: tuple[int, dict[str, str]] | None = None
    for _ in range(4):
        books = ksp_figures(rng, scale, index, months_elapsed)
        shop = shop_figures(rng, scale / 4, index, months_elapsed) if cooperative.type != "ksp" else {}
        low, high = -0.99, 1.0
        quality = FIRST_GUESS[target]
        for _ in range(9):
            figures = shop | tilt(books, quality)
            got = _official_category(score_figures(cooperative, period, figures, answers, rules, flags))
            distance = order.index(got) - wanted if got in order else len(order)
            if best is None or abs(distance) < best[0]:
                best = (abs(distance), figures)
            if distance == 0:
                return figures
            if distance < 0:  # healthier than wanted
                high = quality
            else:
                low = quality
            quality = (low + high) / 2
    assert best is not None
    return best[1]


async def load_demo(repos: Repositories, now: datetime, seed: int = 2026, words: DemoWords | None = None) -> DemoCounts:
    """Load (or refresh) the demo city as of `now`; running it twice changes nothing new, and no report is stored
    as submitted after `now` (those cooperatives have simply not reported yet). With the office's `words`, a pembina
    also reviews (verifies some of last month's reports, sends a few back), opens action plans and held trainings."""
    rng = random.Random(seed)
    rules = default_rules()
    zone = ZoneInfo("Asia/Jakarta")
    today = now.astimezone(zone).date()
    rows = cooperative_rows(rng, today)
    given = [ImportRow([line], {k: v for k, v in row.items() if v is not None}) for line, row in enumerate(rows, 2)]
    await save_cooperatives(repos, given, CITY, new_kecamatan=KECAMATAN)
    officers = reports = 0
    periods = demo_periods(today)
    scored = [row["nik"] for row in rows if row["type"] == "ksp" or row["has_savings_unit"]]
    targets = category_targets(seed, scored)
    yearly_keys = [q.key for q in forms.load_form().questions if q.key.startswith(YEARLY)]
    for row in rows:
        cooperative = await repos.cooperatives.by_nik(row["nik"])
        assert cooperative is not None
        existing = await repos.officers.of_cooperative(cooperative.id)
        if not existing:
            for role in ("ketua", "bendahara"):
                await repos.officers.add(cooperative.id, f"{rng.choice(FIRST)} {rng.choice(LAST)}", role)
                officers += 1
        existing = await repos.officers.of_cooperative(cooperative.id)
        target = targets.get(row["nik"])
        if target is None:
            continue  # never reported: not assessed
        mine = random.Random(f"{seed}:{row['nik']}")
        history = category_history(mine, target, len(periods))
        scale = mine.uniform(0.5e9, 8e9) if row["type"] == "ksp" else mine.uniform(0.2e9, 3e9)
        if not await repos.management.answers(cooperative.id):
            diligence = DILIGENCE[target] + mine.uniform(-0.05, 0.05)
            yearly = {key: mine.random() < diligence for key in yearly_keys}
            first = datetime(int(periods[0][:4]), int(periods[0][5:7]), 15, tzinfo=zone)
            await repos.management.save(cooperative.id, yearly, first, existing[-1].id)
        answers = {key: row.answer for key, row in (await repos.management.answers(cooperative.id)).items()}
        submitted_periods = set(await repos.reports.submitted_periods(cooperative.id))
        reported = periods if scored.index(row["nik"]) % (len(scored) // WITH_HISTORY) == 0 else periods[-RECENT:]
        for index, period in enumerate(periods):
            submitted = submitted_at(seed, row["nik"], period, zone)
            if submitted > now or period in submitted_periods or period not in reported:
                continue
            report = await repos.reports.get_or_create(cooperative.id, period)
            at = Period.parse(period)
            submitted_periods.add(period)
            flags = derived_flags(cooperative, at, submitted_periods)
            figures = figures_in(
                cooperative,
                at,
                history[index],
                answers,
                flags,
                rules,
                random.Random(f"{seed}:{row['nik']}:{period}"),
                scale,
                index,
            )
            revision = await repos.reports.add_revision(report, figures, at=submitted, officer_id=existing[-1].id)
            await assess_revision(repos, cooperative, at, revision, rules)
            reports += 1
    if words is not None:
        await _office_work(repos, now, seed, words, rows, targets, periods)
    await repos.audit.add("cli", "demo.load", None, cooperatives=len(rows), at=utcnow().isoformat())
    return DemoCounts(len(rows), officers, reports)


async def _pembina(repos: Repositories, seed: int) -> OfficeStaff:
    """The demo's pembina (login demo.pembina), made once."""
    for staff in await repos.staff.all():
        if staff.login == DEMO_LOGIN:
            return staff
    name_rng = random.Random(f"{seed}:pembina")
    staff = await repos.staff.add(f"{name_rng.choice(FIRST)} {name_rng.choice(LAST)}", "pembina")
    staff.login = DEMO_LOGIN
    await repos.session.flush()
    return staff


async def _office_work(
    repos: Repositories,
    now: datetime,
    seed: int,
    words: DemoWords,
    rows: Sequence[dict[str, Any]],
    targets: dict[str, str],
    periods: Sequence[str],
) -> None:
    """A pembina's month: reviews of the last closed period, action plans for those under supervision, trainings."""
    staff = await _pembina(repos, seed)
    actor = Actor(staff_id=staff.id)
    review, clinic = ReviewService(repos), ClinicService(repos)
    rng = random.Random(f"{seed}:office")
    checked = periods[-2]  # the last period whose reports have all arrived; the newest ones wait for review
    last = Period.parse(periods[-1])
    decided_at = datetime(last.year, last.month, 14, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))  # before `now`
    candidates = sorted(targets)
    back = set(rng.sample(candidates, SENT_BACK))
    verified = set(rng.sample([nik for nik in candidates if nik not in back], len(candidates) // 5))
    plans = 0
    ids = []
    for row in rows:
        cooperative = await repos.cooperatives.by_nik(row["nik"])
        assert cooperative is not None
        ids.append(cooperative.id)
        report = await repos.reports.get(cooperative.id, checked)
        if report is not None and report.status == "submitted" and row["nik"] in back | verified:
            try:
                if row["nik"] in back:
                    reason = words.reasons[len(back & {r["nik"] for r in rows[: rows.index(row)]}) % len(words.reasons)]
                    await review.send_back(report.id, actor, None, reason, decided_at)
                else:
                    await review.verify(report.id, actor, None, decided_at)
            except AlreadyDecided:
                pass  # decided on an earlier run
        chance, age, ahead = rng.random(), rng.randint(20, 80), rng.randint(7, 40)  # drawn alike on every run
        if targets.get(row["nik"]) in ("dalam_pengawasan", "dalam_pengawasan_khusus") and chance < 0.25:
            plans += 1
            if not await clinic.plans(cooperative.id, actor):
                what, who = words.plans[plans % len(words.plans)]
                opened = now - timedelta(days=age)
                due = opened.date() + timedelta(days=14) if plans % 2 else now.date() + timedelta(days=ahead)
                await clinic.add_plan(cooperative.id, what, who, due, actor, opened)
    officers = await repos.officers.of_cooperatives(ids)
    await _trainings(repos, now, seed, words, staff, officers)


async def _trainings(
    repos: Repositories, now: datetime, seed: int, words: DemoWords, staff: OfficeStaff, everyone: Sequence[Officer]
) -> None:
    """Trainings held in the past months, most of the registered officers present."""
    held = {t.title for t in await repos.trainings.recent(200)}
    rng = random.Random(f"{seed}:trainings")
    everyone = list(everyone)
    for number, title in enumerate(words.trainings):
        starts = (now - timedelta(days=20 + 45 * number)).replace(hour=2, minute=0, second=0, microsecond=0)
        if title in held or not everyone:
            continue
        kind = ("bimtek", "pelatihan", "klinik")[number % 3]
        training = Training(
            title=title,
            kind=kind,
            venue=words.venue,
            capacity=40,
            segment={},
            registration_deadline=starts - timedelta(days=2),
            staff_id=staff.id,
            status="done",
            created_at=starts - timedelta(days=14),
        )
        session = await repos.trainings.add(training, starts, starts + timedelta(hours=4))
        for officer in rng.sample(everyone, min(len(everyone), 30)):
            at = starts - timedelta(days=rng.randint(3, 12))
            await repos.trainings.save_registration(
                TrainingRegistration(
                    training_id=training.id, officer_id=officer.id, status="registered", created_at=at, updated_at=at
                )
            )
            if rng.random() < 0.75:
                await repos.trainings.record_attendance(
                    training.id, session.id, officer.id, starts + timedelta(minutes=rng.randint(0, 40))
                )
