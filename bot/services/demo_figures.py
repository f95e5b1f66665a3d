"""The demo's figures: plausible books of a savings-and-loan cooperative and of a shop, tilted toward a health
category until the real scorer agrees, and the categories each cooperative goes through."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from bot.domain.forms import load_form
from bot.domain.health import keys
from bot.domain.health.result import HealthResult
from bot.domain.health.rules import Rules
from bot.domain.periods import Period
from bot.services.assessments import Scored, score_figures
from bot.services.demo_city import SHARES
from storage.models import Cooperative

DILIGENCE = {"sehat": 0.95, "cukup_sehat": 0.8, "dalam_pengawasan": 0.6, "dalam_pengawasan_khusus": 0.35}
FIRST_GUESS = {"sehat": 0.8, "cukup_sehat": 0.35, "dalam_pengawasan": -0.3, "dalam_pengawasan_khusus": -0.8}


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


def _book_lines() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The asset lines, the liabilities and the equity as the report's checks sum them (the form's rules; cadangan
    risiko read as equity, the demo's reading)."""
    rules = load_form().rules
    balances = {balance.id: balance for balance in rules.balances}
    liabilities = next(p.total for p in rules.parts if p.id == "current_liabilities_within_liabilities")
    assets = tuple(t.key for t in balances["asset_lines"].left if t.counts("equity"))
    claims = [t.key for t in balances["balance_sheet"].right if t.counts("equity")]
    return assets, liabilities, tuple(key for key in claims if key not in liabilities)


ASSET_LINES, LIABILITIES, EQUITY = _book_lines()


def consistent(figures: dict[str, str]) -> dict[str, str]:
    """The books as an officer could send them (the report's blocking checks): problem and risky loans within the
    loans, total assets the sum of the asset lines and equal to liabilities + equity (cadangan risiko in equity;
    the liabilities take the difference), kewajiban lancar within the liabilities, SHU kotor and SHU sebelum pajak
    by their formulas (a loss through the operating expenses), stock and receivables within current assets."""
    out = {key: Decimal(value) for key, value in figures.items()}
    if "total_assets" in out:
        loans = out["loans_to_members"] + out["loans_to_non_members"]
        problem = out["loans_substandard"] + out["loans_doubtful"] + out["loans_loss"]
        if problem > loans:
            for key in ("loans_substandard", "loans_doubtful", "loans_loss"):
                out[key] = (out[key] * loans / problem).to_integral_value(rounding=ROUND_FLOOR)
        out["loans_at_risk"] = min(out["loans_at_risk"], loans)
        out["total_assets"] = sum((out[key] for key in ASSET_LINES), Decimal(0))
        equity = sum((out[key] for key in EQUITY), Decimal(0))
        if equity > out["total_assets"]:
            out["general_reserve"] -= equity - out["total_assets"]
            equity = out["total_assets"]
        owed = sum((out[key] for key in LIABILITIES), Decimal(0))
        wanted = out["total_assets"] - equity
        for key in LIABILITIES:
            out[key] = (out[key] * wanted / owed).to_integral_value(rounding=ROUND_FLOOR) if owed else Decimal(0)
        out["voluntary_savings"] += wanted - sum((out[key] for key in LIABILITIES), Decimal(0))  # what rounding left
        out["current_liabilities"] = min(out["current_liabilities"], wanted)
        gross = out["gross_participation"] + out["non_member_income"] - out["cost_of_services"]
        wanted_surplus = out["surplus_before_tax"]
        out["operating_expenses"] = max(gross - out["cooperative_expenses"] - wanted_surplus, Decimal(0))
        out["gross_surplus"] = gross
        out["surplus_before_tax"] = gross - out["operating_expenses"] - out["cooperative_expenses"]
        out["staff_costs"] = min(out["staff_costs"], out["operating_expenses"])
        out["members_surplus_share"] = max(out["members_surplus_share"], Decimal(0))
    if "current_assets" in out and out["inventory"] + out["receivables"] > out["current_assets"]:
        out["current_assets"] = out["inventory"] + out["receivables"]
        out["indicative.total_assets"] = max(out["indicative.total_assets"], out["current_assets"])
    return {key: str(value) for key, value in out.items()}


def submitted_at(seed: int, nik: str, period: str, zone: ZoneInfo) -> datetime:
    """When the demo's report of `period` arrived: 10.00 on a day from the 2nd to the 12th of the next month, the
    same on every run (the deadline is the 10th, so some are late)."""
    year, month = int(period[:4]), int(period[5:7])
    day = random.Random(f"{seed}:{nik}:{period}").randint(2, 12)
    return datetime(year + (month == 12), month % 12 + 1, day, 10, 0, tzinfo=zone)


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
            figures = consistent(shop | tilt(books, quality))
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
