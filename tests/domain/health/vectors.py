"""Test vectors of spec §11 and §9.5, as Python data."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

V111: dict[str, Any] = {
    "framework": "perdep-06-2016",
    "cooperative_type": "ksp",
    "months_elapsed": 12,
    "figures": {
        "principal_savings": 50000000, "mandatory_savings": 350000000, "own_capital": 900000000,
        "total_assets": 2000000000, "loans_at_risk": 1000000000,
        "weighted_capital": 1200000000, "risk_weighted_assets": 1500000000,
        "loans_to_members": 1350000000, "loans_to_non_members": 150000000,
        "loans_substandard": 60000000, "loans_doubtful": 40000000, "loans_loss": 30000000,
        "risk_reserve": 45000000, "cash": 40000000, "bank": 60000000,
        "current_liabilities": 800000000, "funds_received": 1100000000,
        "gross_participation": 330000000, "non_member_income": 30000000,
        "cost_of_services": 120000000, "operating_expenses": 150000000, "cooperative_expenses": 10000000,
        "staff_costs": 60000000, "gross_surplus": 300000000, "surplus_before_tax": 110000000,
        "members_surplus_share": 40000000, "member_economic_benefit": 12000000,
    },
    "management": {"general": 10, "institutional": 5, "capital": 4, "assets": 8, "liquidity": 4},
}  # fmt: skip

# (aspect, score, [(component, ratio or None, nilai, weight, score), ...]) from §11.1.
V111_EXPECTED: list[tuple[str, str, list[tuple[str, str | None, str, int, str]]]] = [
    ("capital", "14.40", [
        ("equity_to_assets", "45.00", "100", 6, "6.00"),
        ("equity_to_risky_loans", "90.00", "90", 6, "5.40"),
        ("capital_adequacy", "80.00", "100", 3, "3.00")]),
    ("asset_quality", "17.75", [
        ("member_loan_share", "90.00", "100", 10, "10.00"),
        ("problem_loan_risk", "6.00", "80", 5, "4.00"),
        ("reserve_coverage", "50.00", "50", 5, "2.50"),
        ("risky_loan_share", "66.67", "25", 5, "1.25")]),
    ("management", "12.20", [
        ("general", None, "83.33", 3, "2.50"),
        ("institutional", None, "83.33", 3, "2.50"),
        ("capital", None, "80.00", 3, "2.40"),
        ("assets", None, "80.00", 3, "2.40"),
        ("liquidity", None, "80.00", 3, "2.40")]),
    ("efficiency", "9.00", [
        ("member_cost_ratio", "84.85", "100", 4, "4.00"),
        ("opex_to_gross_surplus", "50.00", "75", 4, "3.00"),
        ("service_efficiency", "4.00", "100", 2, "2.00")]),
    ("liquidity", "15.00", [
        ("cash_ratio", "12.50", "100", 10, "10.00"),
        ("loans_to_funds", "136.36", "100", 5, "5.00")]),
    ("growth", "7.75", [
        ("return_on_assets", "5.50", "50", 3, "1.50"),
        ("return_on_equity", "4.44", "75", 3, "2.25"),
        ("operational_self_sufficiency", "131.25", "100", 4, "4.00")]),
    ("identity", "10.00", [
        ("gross_participation_ratio", "91.67", "100", 7, "7.00"),
        ("member_economic_promotion", "13.00", "100", 3, "3.00")]),
]  # fmt: skip

V95: dict[str, Any] = {
    "framework": "indicative-non-ksp", "cooperative_type": "konsumen", "months_elapsed": 6,
    "figures": {
        "sales": "600000000", "sales_to_members": "420000000", "cost_of_goods_sold": "530000000",
        "inventory": "90000000", "receivables": "35000000", "payables": "40000000",
        "current_assets": "220000000", "current_liabilities": "120000000", "equity": "260000000",
        "total_assets": "400000000", "net_surplus": "12000000", "total_revenue": "610000000",
    },
}  # fmt: skip

V95_EXPECTED = [
    ("gross_margin", "11.67", "percent", "good"),
    ("inventory_turnover", "11.78", "times_per_year", "good"),
    ("receivable_days", "10.65", "days", "good"),
    ("payable_days", "13.77", "days", "good"),
    ("current_ratio", "183.33", "percent", "good"),
    ("equity_ratio", "65.00", "percent", "good"),
    ("net_margin", "1.97", "percent", "watch"),
    ("member_business_share", "70.00", "percent", "watch"),
]


def v111(**figures: Any) -> dict[str, Any]:
    """A deep copy of the §11.1 input with some figures replaced (None removes a key)."""
    data = copy.deepcopy(V111)
    for key, value in figures.items():
        if value is None:
            data["figures"].pop(key, None)
        else:
            data["figures"][key] = value
    return data


def write_rules(tmp_path: Path, data: dict[str, Any], name: str = "rules.json") -> Path:
    """Write modified rules data and return its path."""
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path
