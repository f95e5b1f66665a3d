"""The perdep-06-2016 scorer: 17 ratio components, 5 management sub-aspects, the §6 rules, categories."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.domain.health import keys
from bot.domain.health.derived import ZERO, derive
from bot.domain.health.flags import flag_notes
from bot.domain.health.inputs import AssessmentInput
from bot.domain.health.notes import Note, contract_text, note
from bot.domain.health.result import AspectResult, ComponentResult, HealthResult, q2
from bot.domain.health.rules import Rules
from bot.domain.health.tables import Table

HUNDRED = Decimal(100)
ONE = Decimal(1)
ASSET_TOLERANCE = Decimal("1.01")
ASSET_LINES = ("cash", "bank", "placements", "securities", "investments", "accrued_income", "fixed_assets")
REPORTED_KEYS = keys.BALANCE_KEYS + keys.FLOW_KEYS

Outcome = tuple[Decimal | None, int]


class _Components:
    """Ratio and nilai per component for one input, plus the notes the §6 rules raised."""

    def __init__(self, tables: Mapping[str, Table]) -> None:
        self.tables = tables
        self.out: dict[str, Outcome] = {}
        self.notes: list[Note] = []

    def ratio(self, key: str, x: Decimal) -> None:
        self.out[key] = (x, self.tables[key].nilai(x))

    def lowest(self, key: str, why: str) -> None:
        self.out[key] = (None, self.tables[key].lowest)
        self.notes.append(note(key, "lowest", why=why))

    def top(self, key: str, why: str) -> None:
        self.out[key] = (None, self.tables[key].top)
        self.notes.append(note(key, "top", why=why))

    def warn(self, key: str, code: str, **values: str | Decimal) -> None:
        self.notes.append(note(key, code, **values))

    def over_working(
        self, key: str, numerator: Decimal, denominator: Decimal, why: str, scale: Decimal = HUNDRED, per: Decimal = ONE
    ) -> bool:
        """§6.1.1: a denominator every working cooperative has; zero or less gives the lowest nilai."""
        if denominator <= 0:
            self.lowest(key, why)
            return False
        self.ratio(key, numerator * scale / (per * denominator))
        return True

    def over_exposure(self, key: str, numerator: Decimal, denominator: Decimal, absent: str, both: str) -> None:
        """§6.1.2: an exposure that can be absent; none and a positive numerator is unlimited (top nilai)."""
        if denominator > 0:
            self.ratio(key, numerator * HUNDRED / denominator)
        elif numerator > 0:
            self.top(key, absent)
        else:
            self.lowest(key, both)


def score_ratios(inp: AssessmentInput, rules: Rules) -> tuple[_Components, bool]:
    """Ratios and nilai of the 17 ratio components (§5, §6); also whether own capital is ≤ 0."""
    get = inp.figures.get

    def g(key: str) -> Decimal:
        return get(key, ZERO)

    d = derive(inp.figures, rules)
    c = _Components(rules.tables)
    m = inp.months_elapsed
    # Annualised flow ÷ balance = flow × 12 × 100 ÷ (m × balance): multiply before dividing (§3.5).
    flow_scale, bal_scale = (HUNDRED, Decimal(1)) if m == 12 else (HUNDRED * 12, Decimal(m))
    ta, oc, lar, lo = g("total_assets"), d.own_capital, g("loans_at_risk"), d.loans_outstanding

    if c.over_working("equity_to_assets", oc, ta, "total_assets_zero") and oc <= 0:
        c.warn("equity_to_assets", "negative_equity", own_capital=oc)
    c.over_exposure("equity_to_risky_loans", oc, lar, "loans_at_risk_zero", "loans_at_risk_zero_equity_not_positive")
    if lar > 0 and oc <= 0:
        c.warn("equity_to_risky_loans", "equity_not_positive")
    c.over_exposure(
        "capital_adequacy",
        d.weighted_capital,
        d.risk_weighted_assets,
        "rwa_zero",
        "rwa_zero_capital_not_positive",
    )

    plr = d.problem_loan_risk
    if lo <= 0:
        for key in ("member_loan_share", "problem_loan_risk", "reserve_coverage", "risky_loan_share"):
            c.lowest(key, "no_loans")
    else:
        c.ratio("member_loan_share", g("loans_to_members") * HUNDRED / lo)
        c.ratio("problem_loan_risk", plr * HUNDRED / lo)
        if plr <= 0:
            c.top("reserve_coverage", "nothing_to_cover")
        else:
            c.ratio("reserve_coverage", g("risk_reserve") * HUNDRED / plr)
        c.ratio("risky_loan_share", lar * HUNDRED / lo)
    if g("loans_substandard") + g("loans_doubtful") + g("loans_loss") > lo:
        c.warn("problem_loan_risk", "collectibility_exceeds_loans")
    if lar > lo:
        c.warn("risky_loan_share", "risky_exceeds_loans")

    gp, cos, opex, coop = (
        g("gross_participation"),
        g("cost_of_services"),
        g("operating_expenses"),
        g("cooperative_expenses"),
    )
    c.over_working("member_cost_ratio", cos + opex + coop, gp, "gross_participation_not_positive")
    c.over_working("opex_to_gross_surplus", opex, g("gross_surplus"), "gross_surplus_not_positive")
    c.over_working("service_efficiency", g("staff_costs"), lo, "no_loans", flow_scale, bal_scale)

    cash, cl, fr = g("cash") + g("bank"), g("current_liabilities"), d.funds_received
    c.over_exposure("cash_ratio", cash, cl, "current_liabilities_zero", "current_liabilities_and_cash_zero")
    c.over_exposure("loans_to_funds", lo, fr, "funds_received_zero", "funds_and_loans_zero")

    mss = g("members_surplus_share")
    c.over_working("return_on_assets", g("surplus_before_tax"), ta, "total_assets_zero", flow_scale, bal_scale)
    c.over_working("return_on_equity", mss, oc, "own_capital_not_positive", flow_scale, bal_scale)
    c.over_working(
        "operational_self_sufficiency",
        gp - cos,
        opex + coop,
        "costs_zero",
    )
    c.over_working(
        "gross_participation_ratio",
        gp,
        gp + g("non_member_income"),
        "participation_and_income_not_positive",
    )
    c.over_working(
        "member_economic_promotion",
        g("member_economic_benefit") + mss,
        g("principal_savings") + g("mandatory_savings"),
        "member_savings_zero",
        flow_scale,
        bal_scale,
    )

    for name in d.overridden:
        c.warn("figures", "override", name=name)
    assets = sum((g(k) for k in ASSET_LINES), lo)
    if assets > ta * ASSET_TOLERANCE:
        c.warn("figures", "assets_exceed_total")
    return c, oc <= 0


@dataclass(frozen=True)
class _Plan:
    """Per-rules lookups built once: output layout, component scores by nilai, management scores by count."""

    layout: tuple[tuple[str, int, tuple[tuple[str, int], ...]], ...]
    scores: Mapping[tuple[str, int], Decimal]
    management: Mapping[tuple[str, int], tuple[Decimal, Decimal]]


_plans: dict[int, tuple[Rules, _Plan]] = {}


def plan_for(rules: Rules) -> _Plan:
    """The pre-built lookups of a rules object (built on first use, then reused)."""
    cached = _plans.get(id(rules))
    if cached is not None and cached[0] is rules:
        return cached[1]
    layout = tuple((a.key, a.weight, tuple((c.key, c.weight) for c in a.components)) for a in rules.aspects)
    weights = {c.key: c.weight for a in rules.aspects for c in a.components if a.key != "management"}
    scores = {(k, n): Decimal(n * w).scaleb(-2) for k, w in weights.items() for n in range(101)}
    mweights = {c.key: c.weight for a in rules.aspects if a.key == "management" for c in a.components}
    management = {}
    for key, rule in rules.management.items():
        for count in range(rule.items + 1):
            score = count * rule.points_per_yes
            management[(key, count)] = (score, q2(score * HUNDRED / mweights[key]))
    plan = _Plan(layout, scores, management)
    _plans[id(rules)] = (rules, plan)
    return plan


def unanswered(inp: AssessmentInput) -> tuple[str, ...]:
    """The management sub-aspects without answers (all five when the questionnaire is absent)."""
    if inp.management is None:
        return keys.MANAGEMENT_SUBS
    return tuple(k for k in keys.MANAGEMENT_SUBS if k not in inp.management)


def management_notes(inp: AssessmentInput) -> list[Note]:
    """The `management:` notes for absent answers (§6.2)."""
    if inp.management is None:
        return [note("management", "management_absent")]
    missing = unanswered(inp)
    return [note("management", "management_missing", subs=missing)] if missing else []


def score_perdep(inp: AssessmentInput, rules: Rules) -> HealthResult:
    """Assess one checked input under perdep-06-2016."""
    plan = plan_for(rules)
    c, negative_equity = score_ratios(inp, rules)
    counts = inp.management or {}
    out, scores, mscores = c.out, plan.scores, plan.management
    aspects: list[AspectResult] = []
    grand = ZERO
    for aspect_key, aspect_weight, components in plan.layout:
        comps: list[ComponentResult] = []
        subtotal = ZERO
        if aspect_key == "management":
            for key, weight in components:
                score, mnilai = mscores[(key, counts.get(key, 0))]
                comps.append(ComponentResult(key, None, mnilai, weight, score))
                subtotal += score
        else:
            for key, weight in components:
                ratio, nilai = out[key]
                score = scores[(key, nilai)]
                comps.append(ComponentResult(key, ratio, nilai, weight, score))
                subtotal += score
        aspects.append(AspectResult(aspect_key, aspect_weight, subtotal, tuple(comps)))
        grand += subtotal
    total = q2(grand)
    category = rules.category_for(total)
    figures = inp.figures
    missing = tuple(k for k in REPORTED_KEYS if k not in figures)
    notes: list[Note] = []
    if missing:
        notes.append(note("figures", "not_reported", count=len(missing), keys=missing))
    notes += c.notes
    notes += management_notes(inp)
    if inp.months_elapsed < 12:
        notes.append(note("months_elapsed", "provisional", months=inp.months_elapsed))
    if inp.cooperative_type not in keys.SAVINGS_AND_LOAN_TYPES:
        notes.append(note("cooperative_type", "type_as_unit", type=inp.cooperative_type))
    notes += inp.notes
    notes += flag_notes(inp.flags)
    return HealthResult(
        framework=rules.framework,
        total=total,
        category=category.key,
        category_label=category.label,
        provisional=inp.months_elapsed < 12,
        aspects=tuple(aspects),
        warnings=tuple(contract_text(n, rules) for n in notes),
        notes=tuple(notes),
        reported=tuple(inp.figures),
        unanswered=unanswered(inp),
        flags=inp.flags,
        missing_figures=missing,
        negative_equity=negative_equity,
        cooperative_type=inp.cooperative_type,
        rules_hash=rules.version_hash,
    )
