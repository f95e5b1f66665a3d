"""The perdep-06-2016 scorer: 17 ratio components, 5 management sub-aspects, the §6 rules, categories."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from bot.domain.health import keys
from bot.domain.health.derived import ZERO, derive
from bot.domain.health.flags import flag_warnings
from bot.domain.health.inputs import AssessmentInput
from bot.domain.health.result import AspectResult, ComponentResult, HealthResult, q2
from bot.domain.health.rules import Rules
from bot.domain.health.tables import Table

HUNDRED = Decimal(100)
ASSET_TOLERANCE = Decimal("1.01")
ASSET_LINES = ("cash", "bank", "placements", "securities", "investments", "accrued_income", "fixed_assets")
REPORTED_KEYS = keys.BALANCE_KEYS + keys.FLOW_KEYS

Outcome = tuple[Decimal | None, int]


class _Components:
    """Ratio and nilai per component for one input, plus the warnings the §6 rules raised."""

    def __init__(self, tables: Mapping[str, Table]) -> None:
        self.tables = tables
        self.out: dict[str, Outcome] = {}
        self.warnings: list[str] = []

    def ratio(self, key: str, x: Decimal) -> None:
        self.out[key] = (x, self.tables[key].nilai(x))

    def lowest(self, key: str, why: str) -> None:
        self.out[key] = (None, self.tables[key].lowest)
        self.warnings.append(f"{key}: {why}; ratio not computed, lowest nilai")

    def top(self, key: str, why: str) -> None:
        self.out[key] = (None, self.tables[key].top)
        self.warnings.append(f"{key}: {why}; ratio treated as unlimited, top nilai")

    def warn(self, key: str, what: str) -> None:
        self.warnings.append(f"{key}: {what}")


def score_ratios(inp: AssessmentInput, rules: Rules) -> tuple[_Components, bool]:
    """Ratios and nilai of the 17 ratio components (§5, §6); also whether own capital is ≤ 0."""
    f = inp.figures
    g: Callable[[str], Decimal] = lambda k: f.get(k, ZERO)  # noqa: E731
    d = derive(f, rules)
    c = _Components(rules.tables)
    m = inp.months_elapsed
    # Annualised flow ÷ balance = flow × 12 × 100 ÷ (m × balance): multiply before dividing (§3.5).
    flow_scale, bal_scale = (HUNDRED, Decimal(1)) if m == 12 else (HUNDRED * 12, Decimal(m))
    ta, oc, lar, lo = g("total_assets"), d.own_capital, g("loans_at_risk"), d.loans_outstanding

    if ta <= 0:
        c.lowest("equity_to_assets", "total_assets is 0")
    else:
        c.ratio("equity_to_assets", oc * HUNDRED / ta)
        if oc <= 0:
            c.warn("equity_to_assets", f"own_capital is {oc}: zero or negative equity")
    if lar <= 0:
        if oc > 0:
            c.top("equity_to_risky_loans", "loans_at_risk is 0")
        else:
            c.lowest("equity_to_risky_loans", "loans_at_risk is 0 and own_capital is not positive")
    else:
        c.ratio("equity_to_risky_loans", oc * HUNDRED / lar)
        if oc <= 0:
            c.warn("equity_to_risky_loans", "own_capital is not positive")
    rwa, wc = d.risk_weighted_assets, d.weighted_capital
    if rwa <= 0:
        if wc > 0:
            c.top("capital_adequacy", "risk_weighted_assets is 0")
        else:
            c.lowest("capital_adequacy", "risk_weighted_assets is 0 and weighted_capital is not positive")
    else:
        c.ratio("capital_adequacy", wc * HUNDRED / rwa)

    plr = d.problem_loan_risk
    if lo <= 0:
        for key in ("member_loan_share", "problem_loan_risk", "reserve_coverage", "risky_loan_share"):
            c.lowest(key, "no loans outstanding")
    else:
        c.ratio("member_loan_share", g("loans_to_members") * HUNDRED / lo)
        c.ratio("problem_loan_risk", plr * HUNDRED / lo)
        if plr <= 0:
            c.top("reserve_coverage", "problem_loan_risk is 0, nothing to cover")
        else:
            c.ratio("reserve_coverage", g("risk_reserve") * HUNDRED / plr)
        c.ratio("risky_loan_share", lar * HUNDRED / lo)
    if g("loans_substandard") + g("loans_doubtful") + g("loans_loss") > lo:
        c.warn("problem_loan_risk", "substandard + doubtful + loss loans exceed loans outstanding")
    if lar > lo:
        c.warn("risky_loan_share", "loans_at_risk exceeds loans outstanding")

    gp, cos, opex, coop = (
        g("gross_participation"),
        g("cost_of_services"),
        g("operating_expenses"),
        g("cooperative_expenses"),
    )
    if gp <= 0:
        c.lowest("member_cost_ratio", "gross_participation is 0 or less")
    else:
        c.ratio("member_cost_ratio", (cos + opex + coop) * HUNDRED / gp)
    gs = g("gross_surplus")
    if gs <= 0:
        c.lowest("opex_to_gross_surplus", "gross_surplus is 0 or less")
    else:
        c.ratio("opex_to_gross_surplus", opex * HUNDRED / gs)
    if lo <= 0:
        c.lowest("service_efficiency", "no loans outstanding")
    else:
        c.ratio("service_efficiency", g("staff_costs") * flow_scale / (bal_scale * lo))

    cash, cl, fr = g("cash") + g("bank"), g("current_liabilities"), d.funds_received
    if cl <= 0:
        if cash > 0:
            c.top("cash_ratio", "current_liabilities is 0")
        else:
            c.lowest("cash_ratio", "current_liabilities and cash + bank are 0")
    else:
        c.ratio("cash_ratio", cash * HUNDRED / cl)
    if fr <= 0:
        if lo > 0:
            c.top("loans_to_funds", "funds_received is 0")
        else:
            c.lowest("loans_to_funds", "funds_received and loans outstanding are 0")
    else:
        c.ratio("loans_to_funds", lo * HUNDRED / fr)

    mss = g("members_surplus_share")
    if ta <= 0:
        c.lowest("return_on_assets", "total_assets is 0")
    else:
        c.ratio("return_on_assets", g("surplus_before_tax") * flow_scale / (bal_scale * ta))
    if oc <= 0:
        c.lowest("return_on_equity", "own_capital is 0 or less")
    else:
        c.ratio("return_on_equity", mss * flow_scale / (bal_scale * oc))
    if opex + coop <= 0:
        c.lowest("operational_self_sufficiency", "operating_expenses + cooperative_expenses is 0")
    else:
        c.ratio("operational_self_sufficiency", (gp - cos) * HUNDRED / (opex + coop))
    participation = gp + g("non_member_income")
    if participation <= 0:
        c.lowest("gross_participation_ratio", "gross_participation + non_member_income is 0 or less")
    else:
        c.ratio("gross_participation_ratio", gp * HUNDRED / participation)
    savings = g("principal_savings") + g("mandatory_savings")
    if savings <= 0:
        c.lowest("member_economic_promotion", "principal_savings + mandatory_savings is 0")
    else:
        c.ratio(
            "member_economic_promotion",
            (g("member_economic_benefit") + mss) * flow_scale / (bal_scale * savings),
        )

    for name in d.overridden:
        c.warn("figures", f"override {name} used instead of the derived value")
    assets = sum((g(k) for k in ASSET_LINES), lo)
    if assets > ta * ASSET_TOLERANCE:
        c.warn("figures", "asset lines add up to more than total_assets (by more than 1%)")
    return c, oc <= 0


def score_management(inp: AssessmentInput, rules: Rules) -> tuple[dict[str, tuple[Decimal, Decimal]], list[str]]:
    """Score and nilai per management sub-aspect (§8): count of 'ya' × points per 'ya'."""
    weights = {comp.key: comp.weight for a in rules.aspects if a.key == "management" for comp in a.components}
    counts = inp.management or {}
    warnings: list[str] = []
    if inp.management is None:
        warnings.append("management: no management answers given; all five sub-aspects score 0")
    else:
        missing = [k for k in keys.MANAGEMENT_SUBS if k not in counts]
        if missing:
            warnings.append(f"management: not answered, scored 0: {', '.join(missing)}")
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for key, rule in rules.management.items():
        score = counts.get(key, 0) * rule.points_per_yes
        out[key] = (score, q2(score * HUNDRED / weights[key]))
    return out, warnings


def score_perdep(inp: AssessmentInput, rules: Rules) -> HealthResult:
    """Assess one checked input under perdep-06-2016."""
    c, negative_equity = score_ratios(inp, rules)
    management, management_warnings = score_management(inp, rules)
    aspects: list[AspectResult] = []
    for aspect in rules.aspects:
        comps: list[ComponentResult] = []
        for comp in aspect.components:
            if aspect.key == "management":
                score, nilai = management[comp.key]
                comps.append(ComponentResult(comp.key, None, nilai, comp.weight, score))
            else:
                ratio, n = c.out[comp.key]
                comps.append(ComponentResult(comp.key, ratio, n, comp.weight, Decimal(n * comp.weight).scaleb(-2)))
        aspects.append(AspectResult(aspect.key, aspect.weight, sum((x.score for x in comps), ZERO), tuple(comps)))
    total = q2(sum((a.score for a in aspects), ZERO))
    category = rules.category_for(total)
    missing = tuple(k for k in REPORTED_KEYS if k not in inp.figures)
    warnings: list[str] = []
    if missing:
        warnings.append(f"figures: {len(missing)} keys not reported and treated as 0: {', '.join(missing)}")
    warnings += c.warnings + management_warnings
    if inp.months_elapsed < 12:
        warnings.append(f"months_elapsed: provisional; year-to-date flows annualised x12/{inp.months_elapsed}")
    if inp.cooperative_type not in keys.SAVINGS_AND_LOAN_TYPES:
        warnings.append(
            f"cooperative_type: {inp.cooperative_type} scored as the figures of its savings-and-loan unit; "
            f"use {keys.INDICATIVE} for a cooperative without one"
        )
    warnings += inp.warnings
    warnings += flag_warnings(inp.flags)
    return HealthResult(
        framework=rules.framework,
        total=total,
        category=category.key,
        category_label=category.label,
        provisional=inp.months_elapsed < 12,
        aspects=tuple(aspects),
        warnings=tuple(warnings),
        flags=inp.flags,
        missing_figures=missing,
        negative_equity=negative_equity,
        cooperative_type=inp.cooperative_type,
        rules_hash=rules.version_hash,
    )
