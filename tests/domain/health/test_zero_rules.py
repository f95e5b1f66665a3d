"""The §6 rules for zero denominators, negative values and missing data, one row at a time."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from bot.domain.health.assessment import assess
from bot.domain.health.result import HealthResult
from tests.domain.health.vectors import v111

LOANS_ZERO = {"loans_to_members": 0, "loans_to_non_members": 0}


def scored(data: dict[str, Any]) -> HealthResult:
    result = assess(data)
    assert isinstance(result, HealthResult), result
    return result


def warned(result: HealthResult, key: str) -> bool:
    return any(re.match(rf"{key}: ", w) for w in result.warnings)


# (figure changes, aspect, component, ratio is null, nilai, warning expected)
ROWS: list[tuple[dict[str, Any], str, str, bool, int, bool]] = [
    ({"total_assets": 0}, "capital", "equity_to_assets", True, 0, True),
    ({"own_capital": -5000000}, "capital", "equity_to_assets", False, 0, True),
    ({"own_capital": 0}, "capital", "equity_to_assets", False, 0, True),
    ({"loans_at_risk": 0}, "capital", "equity_to_risky_loans", True, 100, True),
    ({"loans_at_risk": 0, "own_capital": -1}, "capital", "equity_to_risky_loans", True, 0, True),
    ({"own_capital": -1}, "capital", "equity_to_risky_loans", False, 0, True),
    ({"risk_weighted_assets": 0}, "capital", "capital_adequacy", True, 100, True),
    ({"risk_weighted_assets": 0, "weighted_capital": -1}, "capital", "capital_adequacy", True, 0, True),
    (LOANS_ZERO, "asset_quality", "member_loan_share", True, 0, True),
    (LOANS_ZERO, "asset_quality", "problem_loan_risk", True, 0, True),
    (LOANS_ZERO, "asset_quality", "reserve_coverage", True, 0, True),
    (LOANS_ZERO, "asset_quality", "risky_loan_share", True, 25, True),
    ({"loans_substandard": 0, "loans_doubtful": 0, "loans_loss": 0, "risk_reserve": 0},
     "asset_quality", "reserve_coverage", True, 100, True),
    ({"gross_participation": 0}, "efficiency", "member_cost_ratio", True, 25, True),
    ({"gross_surplus": -100}, "efficiency", "opex_to_gross_surplus", True, 25, True),
    ({"gross_surplus": 0}, "efficiency", "opex_to_gross_surplus", True, 25, True),
    (LOANS_ZERO, "efficiency", "service_efficiency", True, 0, True),
    ({"current_liabilities": 0}, "liquidity", "cash_ratio", True, 25, True),
    ({"current_liabilities": 0, "cash": 0, "bank": 0}, "liquidity", "cash_ratio", True, 25, True),
    ({"funds_received": 0}, "liquidity", "loans_to_funds", True, 100, True),
    ({"funds_received": 0} | LOANS_ZERO, "liquidity", "loans_to_funds", True, 25, True),
    ({"total_assets": 0}, "growth", "return_on_assets", True, 25, True),
    ({"own_capital": 0}, "growth", "return_on_equity", True, 25, True),
    # §6.2 prints "lowest = 25" here, but the active default two_bands table's lowest nilai is 0 (§6.2: "lowest"
    # always refers to the active variant), so 0 is what the rule gives.
    ({"operating_expenses": 0, "cooperative_expenses": 0}, "growth", "operational_self_sufficiency", True, 0, True),
    ({"gross_participation": 0, "non_member_income": 0}, "identity", "gross_participation_ratio", True, 25, True),
    ({"principal_savings": 0, "mandatory_savings": 0}, "identity", "member_economic_promotion", True, 0, True),
    ({"surplus_before_tax": -50000000}, "growth", "return_on_assets", False, 25, False),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "aspect", "comp", "null", "nilai", "warns"), ROWS)
def test_rule_row(changes: dict[str, Any], aspect: str, comp: str, null: bool, nilai: int, warns: bool) -> None:
    result = scored(v111(**changes))
    got = result.component(aspect, comp)
    assert (got.ratio is None) == null
    assert got.nilai == nilai
    assert warned(result, comp) == warns


def test_no_problem_loans_scores_top_without_warning() -> None:
    result = scored(v111(loans_substandard=0, loans_doubtful=0, loans_loss=0))
    got = result.component("asset_quality", "problem_loan_risk")
    assert (got.ratio, got.nilai) == (Decimal(0), 100)
    assert not warned(result, "problem_loan_risk")


def test_last_band_25_variant_changes_lowest_for_no_loans(tmp_path: Any, rules_data: dict[str, Any]) -> None:
    from bot.domain.health.rules import load_rules
    from tests.domain.health.vectors import write_rules

    rules_data["tables"]["service_efficiency"]["default"] = "last_band_25"
    rules = load_rules(write_rules(tmp_path, rules_data))
    result = assess(v111(**LOANS_ZERO), rules)
    assert isinstance(result, HealthResult)
    assert result.component("efficiency", "service_efficiency").nilai == 25


def test_management_absent_or_partial() -> None:
    data = v111()
    del data["management"]
    result = scored(data)
    assert all(c.score == 0 for c in result.aspects[2].components)
    assert warned(result, "management")
    data["management"] = {"general": 12}
    result = scored(data)
    assert result.component("management", "general").score == Decimal(3)
    assert result.component("management", "liquidity").score == 0
    assert any(w.startswith("management: ") and "liquidity" in w for w in result.warnings)


def test_management_as_boolean_lists() -> None:
    data = v111()
    data["management"] = {"general": [True] * 10 + [False] * 2, "institutional": [True] * 6}
    result = scored(data)
    assert result.component("management", "general").score == Decimal("2.50")
    assert result.component("management", "institutional").nilai == Decimal(100)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"loans_substandard": 2000000000}, "problem_loan_risk"),
        ({"loans_at_risk": 3000000000}, "risky_loan_share"),
        ({"fixed_assets": 5000000000}, "figures"),
    ],
)
def test_other_warnings(changes: dict[str, Any], key: str) -> None:
    assert warned(scored(v111(**changes)), key)


def test_negative_equity_marks_result() -> None:
    result = scored(v111(own_capital=-10))
    assert result.negative_equity is True
    assert scored(v111()).negative_equity is False


def test_non_ksp_type_under_perdep_warns() -> None:
    data = v111()
    data["cooperative_type"] = "konsumen"
    assert warned(scored(data), "cooperative_type")
