"""Bulk-scoring benchmark: 100,000 seeded random cooperatives on one core, parsing and scoring timed apart."""

from __future__ import annotations

import argparse
import gc
import random
import time
from decimal import Decimal
from typing import Any

from bot.domain.health import keys
from bot.domain.health.assessment import assess_input
from bot.domain.health.inputs import AssessmentInput, parse_input
from bot.domain.health.rules import load_rules


def cooperative(rng: random.Random) -> dict[str, Any]:
    """One plausible KSP: balances around a total, flows as shares of it, some keys left out."""
    total = rng.randint(50_000_000, 20_000_000_000)
    loans = int(total * rng.uniform(0.4, 0.9))
    members = int(loans * rng.uniform(0.3, 1.0))
    figures: dict[str, Any] = {
        "total_assets": total, "cash": int(total * rng.uniform(0.01, 0.1)), "bank": int(total * rng.uniform(0, 0.1)),
        "loans_to_members": members, "loans_to_non_members": loans - members,
        "loans_substandard": int(loans * rng.uniform(0, 0.08)), "loans_doubtful": int(loans * rng.uniform(0, 0.05)),
        "loans_loss": int(loans * rng.uniform(0, 0.05)), "loans_at_risk": int(loans * rng.uniform(0, 0.5)),
        "risk_reserve": int(loans * rng.uniform(0, 0.05)), "fixed_assets": int(total * rng.uniform(0, 0.1)),
        "current_liabilities": int(total * rng.uniform(0.2, 0.7)),
        "voluntary_savings": int(total * rng.uniform(0.2, 0.6)), "time_deposits": int(total * rng.uniform(0, 0.2)),
        "borrowings": int(total * rng.uniform(0, 0.2)), "principal_savings": int(total * rng.uniform(0.005, 0.05)),
        "mandatory_savings": int(total * rng.uniform(0.05, 0.3)), "general_reserve": int(total * rng.uniform(0, 0.1)),
        "undistributed_surplus": int(total * rng.uniform(-0.02, 0.05)),
        "gross_participation": int(loans * rng.uniform(0.08, 0.25)),
        "non_member_income": int(loans * rng.uniform(0, 0.05)),
        "cost_of_services": int(loans * rng.uniform(0.02, 0.08)),
        "operating_expenses": int(loans * rng.uniform(0.02, 0.08)),
        "cooperative_expenses": int(loans * rng.uniform(0, 0.01)), "staff_costs": int(loans * rng.uniform(0, 0.05)),
        "gross_surplus": int(loans * rng.uniform(-0.01, 0.15)),
        "surplus_before_tax": int(loans * rng.uniform(-0.02, 0.1)),
        "members_surplus_share": int(loans * rng.uniform(-0.01, 0.05)),
        "member_economic_benefit": int(loans * rng.uniform(0, 0.02)),
    }  # fmt: skip
    for key in rng.sample(sorted(figures), rng.randint(0, 4)):
        del figures[key]
    if rng.random() < 0.3:
        figures["cash"] = str(figures.get("cash", 0)) + ".50"
    management = {k: rng.randint(0, n) for k, n in (("general", 12), ("institutional", 6), ("capital", 5),
                                                     ("assets", 10), ("liquidity", 5))}  # fmt: skip
    return {"framework": keys.PERDEP, "cooperative_type": "ksp", "months_elapsed": rng.randint(1, 12),
            "figures": figures, "management": management}  # fmt: skip


def main() -> None:
    """Generate, parse, score, report."""
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("-n", type=int, default=100_000, help="number of cooperatives (default 100000)")
    options.add_argument("--seed", type=int, default=2026)
    n, seed = options.parse_args().n, options.parse_args().seed
    rules = load_rules()
    rng = random.Random(seed)
    inputs = [cooperative(rng) for _ in range(n)]
    # The 100,000 inputs live for the whole run: move them out of the collector's way, as a bulk job would.
    gc.collect()
    gc.freeze()

    start = time.perf_counter()
    checked: list[AssessmentInput] = []
    for data in inputs:
        parsed = parse_input(data, rules)
        assert isinstance(parsed, AssessmentInput), parsed
        checked.append(parsed)
    parsed_at = time.perf_counter()
    gc.freeze()
    totals = Decimal(0)
    categories: dict[str, int] = {}
    for item in checked:
        result = assess_input(item, rules)
        totals += result.total  # type: ignore[union-attr]
        category = result.category  # type: ignore[union-attr]
        categories[category] = categories.get(category, 0) + 1
    scored_at = time.perf_counter()

    parse_s, score_s = parsed_at - start, scored_at - parsed_at
    print(f"{n} cooperatives, seed {seed}")
    print(f"parsing: {parse_s:.2f} s ({n / parse_s:,.0f}/s)")
    print(f"scoring: {score_s:.2f} s ({n / score_s:,.0f}/s)")
    print(f"parse + score: {n / (parse_s + score_s):,.0f} assessments/s")
    print(f"mean total {totals / n:.2f}; categories {dict(sorted(categories.items()))}")


if __name__ == "__main__":
    main()
