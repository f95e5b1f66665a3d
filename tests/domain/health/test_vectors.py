"""Spec test vectors: §11.1 full output, §11.2 variants, §11.3 derived values, §11.4, §9.5 indicative."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.domain.health.assessment import assess
from bot.domain.health.derived import derive
from bot.domain.health.inputs import InputProblems
from bot.domain.health.result import HealthResult, IndicativeResult, Result
from bot.domain.health.rules import Rules, load_rules
from tests.domain.health.vectors import V95, V95_EXPECTED, V111, V111_EXPECTED, v111, write_rules


def scored(data: dict[str, Any], rules: Rules | None = None) -> HealthResult:
    result = assess(data, rules)
    assert isinstance(result, HealthResult), result
    return result


def test_full_example_matches_every_component(rules: Rules) -> None:
    result = scored(V111, rules)
    assert result.total == Decimal("86.10")
    assert (result.category, result.category_label, result.provisional) == ("sehat", "Sehat", False)
    assert [a.key for a in result.aspects] == [a for a, _, _ in V111_EXPECTED]
    for aspect, (key, score, comps) in zip(result.aspects, V111_EXPECTED, strict=True):
        assert (aspect.key, aspect.score) == (key, Decimal(score))
        for got, (ckey, ratio, nilai, weight, cscore) in zip(aspect.components, comps, strict=True):
            assert got.key == ckey
            shown = None if got.ratio is None else got.ratio.quantize(Decimal("0.01"))
            assert shown == (None if ratio is None else Decimal(ratio)), ckey
            assert Decimal(got.nilai).quantize(Decimal("0.01")) == Decimal(nilai), ckey
            assert (got.weight, got.score) == (weight, Decimal(cscore)), ckey


def test_full_example_json_shape_and_warnings() -> None:
    result = scored(V111)
    out = json.loads(result.to_json(), parse_float=Decimal)
    assert list(out) == ["framework", "total", "category", "category_label", "provisional", "aspects", "warnings"]
    assert out["total"] == Decimal("86.10")
    assert out["aspects"][1]["components"][3] == {
        "key": "risky_loan_share", "ratio": Decimal("66.67"), "nilai": 25, "weight": 5, "score": Decimal("1.25"),
    }  # fmt: skip
    assert out["aspects"][2]["components"][0]["ratio"] is None
    text = " ".join(out["warnings"])
    assert "figures: 16 keys not reported" in text
    for name in ("own_capital", "weighted_capital", "risk_weighted_assets", "funds_received"):
        assert f"override {name}" in text
    assert all(w.split(": ")[0] in {"figures"} for w in out["warnings"])
    assert '"total": 86.10' in result.to_json()


VARIANTS = [
    ("equity_to_risky_loans", "bands_floor10", "capital", "equity_to_risky_loans", 90, "5.40", "86.10"),
    ("equity_to_risky_loans", "bands_ceil10", "capital", "equity_to_risky_loans", 90, "5.40", "86.10"),
    ("problem_loan_risk", "rule_2_per_pct", "asset_quality", "problem_loan_risk", 78, "3.90", "86.00"),
    ("reserve_coverage", "bands_ceil10", "asset_quality", "reserve_coverage", 50, "2.50", "86.10"),
    ("service_efficiency", "last_band_25", "efficiency", "service_efficiency", 100, "2.00", "86.10"),
    ("loans_to_funds", "version_a", "liquidity", "loans_to_funds", 100, "5.00", "86.10"),
    ("return_on_equity", "cut_5_7_5_10", "growth", "return_on_equity", 25, "0.75", "84.60"),
    ("operational_self_sufficiency", "four_bands", "growth", "operational_self_sufficiency", 75, "3.00", "85.10"),
]


@pytest.mark.parametrize(("table", "variant", "aspect", "comp", "nilai", "score", "total"), VARIANTS)
def test_each_variant_switched_in_the_data_file(
    tmp_path: Path,
    rules_data: dict[str, Any],
    table: str,
    variant: str,
    aspect: str,
    comp: str,
    nilai: int,
    score: str,
    total: str,
) -> None:
    rules_data["tables"][table]["default"] = variant
    rules = load_rules(write_rules(tmp_path, rules_data))
    assert rules.variants[table] == variant
    result = scored(V111, rules)
    got = result.component(aspect, comp)
    assert (got.nilai, got.score) == (nilai, Decimal(score))
    assert result.total == Decimal(total)
    assert result.category == "sehat"


def test_risk_weighted_assets_of_tani_makmur_2013(rules: Rules) -> None:
    figures = {
        "cash": Decimal(801696804), "placements": Decimal(5000000), "loans_to_members": Decimal(185000000),
        "loans_to_non_members": Decimal(1648440568), "investments": Decimal(500000),
        "fixed_assets": Decimal(39401119),
    }  # fmt: skip
    assert derive(figures, rules).risk_weighted_assets == Decimal("1862521351.3")
    split = dict(figures, cash=Decimal(1696804), bank=Decimal(800000000))
    assert derive(split, rules).risk_weighted_assets == Decimal("1862521351.3")
    data = {"figures": {k: str(v) for k, v in figures.items()} | {"weighted_capital": "1862521351.3"}}
    result = scored(data, rules)
    share = result.component("asset_quality", "member_loan_share")
    assert share.ratio is not None and share.ratio.quantize(Decimal("0.01")) == Decimal("10.09")
    assert share.nilai == 0
    car = result.component("capital", "capital_adequacy")
    assert car.ratio is not None and car.ratio.quantize(Decimal("0.01")) == Decimal("100.00")
    assert car.nilai == 100


def test_weighted_and_own_capital_of_tani_makmur_2014(rules: Rules) -> None:
    figures = {
        "principal_savings": 3300000, "mandatory_savings": 16460000, "participation_capital": 12500000,
        "general_reserve": 150863000, "risk_reserve": 18991900, "undistributed_surplus": 50727061,
        "voluntary_savings": 2488191281, "time_deposits": 77724854, "accrued_expenses": 52742254,
        "borrowings": 157500000,
    }  # fmt: skip
    derived = derive({k: Decimal(v) for k, v in figures.items()}, rules)
    assert derived.weighted_capital == Decimal("1599811675.0")
    assert derived.own_capital == Decimal("246591961")
    assert derived.funds_received == Decimal(2488191281 + 77724854 + 157500000)
    assert derived.overridden == ()


def test_own_capital_of_setia_dharma(rules: Rules) -> None:
    figures = {
        "principal_savings": 15000000, "mandatory_savings": 40810000, "special_mandatory_savings": 28995547,
        "general_reserve": 12474021, "risk_reserve": 30853649, "grants": 20000000,
        "undistributed_surplus": 7073451,
    }  # fmt: skip
    assert derive({k: Decimal(v) for k, v in figures.items()}, rules).own_capital == Decimal(155206668)
    result = scored({"figures": figures | {"total_assets": 174055219}}, rules)
    comp = result.component("capital", "equity_to_assets")
    assert comp.ratio is not None and comp.ratio.quantize(Decimal("0.01")) == Decimal("89.17")
    assert (comp.nilai, comp.score) == (25, Decimal("1.50"))


def test_indicative_example(rules: Rules) -> None:
    result: Result | InputProblems = assess(V95, rules)
    assert isinstance(result, IndicativeResult)
    out = json.loads(result.to_json(), parse_float=Decimal)
    assert out["framework"] == "indicative-non-ksp" and out["indicative"] is True
    assert out["label"] == "Indikatif - bukan penilaian kesehatan resmi"
    assert (out["cooperative_type"], out["provisional"]) == ("konsumen", True)
    assert "total" not in out and "category" not in out and "aspects" not in out
    got = [(i["key"], i["value"], i["unit"], i["band"]) for i in out["indicators"]]
    assert got == [(k, Decimal(v), u, b) for k, v, u, b in V95_EXPECTED]
    assert out["warnings"] == ["months_elapsed: provisional; year-to-date flows annualised x12/6"]


def test_indicative_producer_uses_purchases_and_zero_denominators(rules: Rules) -> None:
    data = {"framework": "indicative-non-ksp", "cooperative_type": "produsen",
            "figures": {"purchases": 200, "purchases_from_members": 160, "sales": 0}}  # fmt: skip
    result = assess(data, rules)
    assert isinstance(result, IndicativeResult)
    by_key = {i.key: i for i in result.indicators}
    assert by_key["member_business_share"].value == Decimal(80) and by_key["member_business_share"].band == "good"
    assert by_key["gross_margin"].value is None and by_key["gross_margin"].band is None
    assert any(w.startswith("gross_margin: ") for w in result.warnings)
    assert result.provisional is False


def test_provisional_annualises_flows_against_balances(rules: Rules) -> None:
    data = v111(surplus_before_tax=55000000)
    data["months_elapsed"] = 6
    result = scored(data, rules)
    assert result.provisional is True
    roa = result.component("growth", "return_on_assets")
    assert roa.ratio == Decimal("5.5")  # 55 M × 12/6 ÷ 2,000 M
    assert (
        result.component("efficiency", "member_cost_ratio").ratio
        == scored(V111).component("efficiency", "member_cost_ratio").ratio
    )
    assert any(w.startswith("months_elapsed: ") for w in result.warnings)


def test_flags_are_reported_never_applied(rules: Rules) -> None:
    data = v111()
    data["flags"] = {"engineered_books": True, "legal_violation": True, "internal_dispute": False}
    result = scored(data, rules)
    assert (result.total, result.category) == (Decimal("86.10"), "sehat")
    assert result.flags == ("legal_violation", "engineered_books")
    flag_lines = [w for w in result.warnings if w.startswith("flag: ")]
    assert len(flag_lines) == 2
    assert any("engineered_books" in w and "dalam_pengawasan_khusus" in w for w in flag_lines)
