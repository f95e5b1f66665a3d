"""Band edges of every table and variant, generated from the rules data (just below, on, just above)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from bot.domain.health.assessment import assess
from bot.domain.health.result import HealthResult
from bot.domain.health.rules import Rules, default_rules_path
from bot.domain.health.tables import BandTable, LinearTable
from tests.domain.health.vectors import v111

STEP = Decimal("0.0001")
RAW: dict[str, Any] = json.loads(default_rules_path().read_text("utf-8"), parse_float=Decimal)


def expected_nilai(bands: list[dict[str, Any]], x: Decimal) -> int:
    """The literal first-match rule of §4.3, evaluated on the raw JSON bands."""
    for band in bands:
        ok = all(
            (
                "ge" not in band or x >= Decimal(band["ge"]),
                "gt" not in band or x > Decimal(band["gt"]),
                "le" not in band or x <= Decimal(band["le"]),
                "lt" not in band or x < Decimal(band["lt"]),
            )
        )
        if ok:
            return int(band["nilai"])
    raise AssertionError(f"no band for {x}")


def band_cases() -> list[tuple[str, str, Decimal]]:
    cases = []
    for comp, entry in RAW["tables"].items():
        for variant, table in entry["variants"].items():
            if table["type"] != "bands":
                continue
            edges = {Decimal(b[k]) for b in table["bands"] for k in ("ge", "gt", "le", "lt") if k in b}
            for edge in sorted(edges):
                cases += [(comp, variant, edge - STEP), (comp, variant, edge), (comp, variant, edge + STEP)]
    return cases


CASES = band_cases()


def test_there_are_edges_for_every_band_table() -> None:
    tables = {(c, v) for c, v, _ in CASES}
    assert len(tables) == 22
    assert len(CASES) > 200


@pytest.mark.parametrize(("comp", "variant", "x"), CASES, ids=[f"{c}-{v}-{x}" for c, v, x in CASES])
def test_band_edge(rules: Rules, comp: str, variant: str, x: Decimal) -> None:
    from bot.domain.health.checker import Checker
    from bot.domain.health.rules_read import read_table

    raw = RAW["tables"][comp]["variants"][variant]
    table = read_table(Checker(), raw, "t")
    assert isinstance(table, BandTable)
    assert table.nilai(x) == expected_nilai(raw["bands"], x)
    if rules.variants[comp] == variant:
        assert rules.tables[comp].nilai(x) == expected_nilai(raw["bands"], x)


SPEC_EDGES = [
    ("equity_to_assets", "0", 0), ("equity_to_assets", "20", 50), ("equity_to_assets", "19.9999", 25),
    ("equity_to_assets", "60", 50), ("equity_to_assets", "80", 25), ("member_loan_share", "25", 0),
    ("member_loan_share", "50", 75), ("member_loan_share", "75", 100), ("problem_loan_risk", "0", 100),
    ("problem_loan_risk", "10", 60), ("problem_loan_risk", "45", 0), ("risky_loan_share", "26", 50),
    ("risky_loan_share", "30", 25), ("opex_to_gross_surplus", "40", 100), ("opex_to_gross_surplus", "40.0001", 75),
    ("cash_ratio", "10", 25), ("cash_ratio", "15", 100), ("cash_ratio", "20", 50), ("cash_ratio", "20.0001", 25),
    ("loans_to_funds", "80", 100), ("return_on_assets", "7.5", 75), ("operational_self_sufficiency", "100", 0),
    ("operational_self_sufficiency", "100.0001", 100), ("member_economic_promotion", "7.5", 75),
    ("equity_to_risky_loans", "99.9999", 99), ("equity_to_risky_loans", "100", 100), ("equity_to_risky_loans", "-5", 0),
    ("reserve_coverage", "31", 31), ("reserve_coverage", "250", 100),
]  # fmt: skip


@pytest.mark.parametrize(("comp", "x", "nilai"), SPEC_EDGES)
def test_default_tables_at_the_spec_edges(rules: Rules, comp: str, x: str, nilai: int) -> None:
    assert rules.tables[comp].nilai(Decimal(x)) == nilai


def test_linear_rule_2_per_pct() -> None:
    table = LinearTable(Decimal(-2), Decimal(90), 0, 100)
    assert [table.nilai(Decimal(x)) for x in ("0", "10", "6", "45", "-10")] == [90, 70, 78, 0, 100]
    assert (table.lowest, table.top) == (0, 0)


@pytest.mark.parametrize(("cash", "nilai"), [(79999999, 25), (80000000, 25), (80000001, 100), (120000000, 100),
                                             (120000001, 50), (160000000, 50), (160000001, 25)])  # fmt: skip
def test_cash_ratio_edges_through_the_scorer(cash: int, nilai: int) -> None:
    result = assess(v111(cash=cash, bank=0))
    assert isinstance(result, HealthResult)
    assert result.component("liquidity", "cash_ratio").nilai == nilai
