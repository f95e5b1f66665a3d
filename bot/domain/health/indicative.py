"""The indicative non-KSP assessment (§9): business indicators against suggested bands, no score."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.health import keys
from bot.domain.health.derived import ZERO
from bot.domain.health.flags import flag_notes
from bot.domain.health.inputs import AssessmentInput
from bot.domain.health.notes import Note, contract_text, note
from bot.domain.health.result import IndicativeResult, IndicatorResult
from bot.domain.health.rules import IndicatorRule, Rules

HUNDRED = Decimal(100)
DAYS = Decimal(365)
BUYING_TYPES = ("produsen", "pemasaran")


def _band(rule: IndicatorRule, x: Decimal) -> str:
    return "good" if rule.good.matches(x) else "watch" if rule.watch.matches(x) else "weak"


def assess_indicative(inp: AssessmentInput, rules: Rules) -> IndicativeResult:
    """Compute the eight indicators of §9.3; flows set against balances are annualised ×12/m."""
    f = inp.figures

    def g(key: str) -> Decimal:
        return f.get(key, ZERO)

    m, twelve = Decimal(inp.months_elapsed), Decimal(12)
    sales, cogs = g("sales"), g("cost_of_goods_sold")
    if inp.cooperative_type in BUYING_TYPES:
        share = (g("purchases_from_members"), g("purchases"), "purchases")
    else:
        share = (g("sales_to_members"), sales, "sales")
    # (numerator, denominator, name of the denominator) per indicator; flows × 12 before dividing by m.
    parts: dict[str, tuple[Decimal, Decimal, str]] = {
        "gross_margin": ((sales - cogs) * HUNDRED, sales, "sales"),
        "inventory_turnover": (cogs * twelve, m * g("inventory"), "inventory"),
        "receivable_days": (g("receivables") * DAYS * m, sales * twelve, "sales"),
        "payable_days": (g("payables") * DAYS * m, cogs * twelve, "cost_of_goods_sold"),
        "current_ratio": (g("current_assets") * HUNDRED, g("current_liabilities"), "current_liabilities"),
        "equity_ratio": (g("equity") * HUNDRED, g("total_assets"), "total_assets"),
        "net_margin": (g("net_surplus") * HUNDRED, g("total_revenue"), "total_revenue"),
        "member_business_share": (share[0] * HUNDRED, share[1], share[2]),
    }
    indicators: list[IndicatorResult] = []
    notes: list[Note] = []
    for rule in rules.indicative:
        numerator, denominator, name = parts[rule.key]
        if denominator <= 0:
            indicators.append(IndicatorResult(rule.key, None, rule.unit, None))
            notes.append(note(rule.key, "indicator_not_computed", name=name))
            continue
        value = numerator / denominator
        indicators.append(IndicatorResult(rule.key, value, rule.unit, _band(rule, value)))
    if inp.months_elapsed < 12:
        notes.append(note("months_elapsed", "provisional", months=inp.months_elapsed))
    if inp.cooperative_type in keys.SAVINGS_AND_LOAN_TYPES:
        notes.append(note("cooperative_type", "type_needs_perdep", type=inp.cooperative_type))
    notes += inp.notes
    notes += flag_notes(inp.flags)
    return IndicativeResult(
        framework=keys.INDICATIVE,
        cooperative_type=inp.cooperative_type,
        provisional=inp.months_elapsed < 12,
        indicators=tuple(indicators),
        warnings=tuple(contract_text(n, rules) for n in notes),
        notes=tuple(notes),
        reported=tuple(inp.figures),
        flags=inp.flags,
        rules_hash=rules.version_hash,
    )
