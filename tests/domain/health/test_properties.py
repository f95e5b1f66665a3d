"""Properties of the scorer, checked with hypothesis over plausible and hostile inputs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.health import keys
from bot.domain.health.assessment import assess
from bot.domain.health.inputs import InputProblems
from bot.domain.health.result import HealthResult
from bot.domain.health.rules import default_rules

RULES = default_rules()
MONEY = st.integers(min_value=0, max_value=10**13)
SIGNED = st.integers(min_value=-(10**12), max_value=10**13)
FIGURES = st.fixed_dictionaries(
    {},
    optional={k: SIGNED if k in keys.MAY_BE_NEGATIVE else MONEY for k in keys.PERDEP_FIGURE_KEYS},
)
MANAGEMENT = st.fixed_dictionaries(
    {k: st.integers(min_value=0, max_value=RULES.management[k].items) for k in keys.MANAGEMENT_SUBS}
)
INPUTS = st.fixed_dictionaries(
    {"figures": FIGURES},
    optional={"management": MANAGEMENT, "months_elapsed": st.integers(min_value=1, max_value=12)},
)


def scored(data: dict[str, Any]) -> HealthResult:
    result = assess(data, RULES)
    assert isinstance(result, HealthResult), result
    return result


@settings(max_examples=300, deadline=None)
@given(INPUTS)
def test_total_is_in_range_and_category_matches(data: dict[str, Any]) -> None:
    result = scored(data)
    assert Decimal(0) <= result.total <= Decimal(100)
    assert result.total == sum((a.score for a in result.aspects), Decimal(0)).quantize(Decimal("0.01"))
    expected = (
        "sehat" if result.total >= 80 else "cukup_sehat" if result.total >= 66
        else "dalam_pengawasan" if result.total >= 51 else "dalam_pengawasan_khusus"
    )  # fmt: skip
    assert result.category == expected
    for aspect in result.aspects:
        assert Decimal(0) <= aspect.score <= aspect.weight
        for comp in aspect.components:
            assert Decimal(0) <= comp.score <= comp.weight


@settings(max_examples=200, deadline=None)
@given(INPUTS, st.sampled_from(("loans_substandard", "loans_doubtful", "loans_loss")), MONEY)
def test_more_problem_loans_never_raise_the_score(data: dict[str, Any], key: str, extra: int) -> None:
    before = scored(data)
    worse = {**data, "figures": {**data["figures"], key: data["figures"].get(key, 0) + extra}}
    assert scored(worse).total <= before.total


def test_all_best_band_input_scores_100() -> None:
    figures = {
        "principal_savings": 100, "mandatory_savings": 400, "total_assets": 1000, "own_capital": 500,
        "loans_at_risk": 100, "loans_to_members": 800, "loans_substandard": 0, "risk_reserve": 10,
        "cash": 60, "bank": 0, "current_liabilities": 500, "funds_received": 900,
        "gross_participation": 300, "non_member_income": 0, "cost_of_services": 100,
        "operating_expenses": 50, "cooperative_expenses": 10, "staff_costs": 20, "gross_surplus": 200,
        "surplus_before_tax": 150, "members_surplus_share": 50, "member_economic_benefit": 10,
    }  # fmt: skip
    management = {k: RULES.management[k].items for k in keys.MANAGEMENT_SUBS}
    result = scored({"figures": figures, "management": management})
    assert [c.score == c.weight for a in result.aspects for c in a.components].count(False) == 0
    assert (result.total, result.category) == (Decimal("100.00"), "sehat")


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.decimals(allow_nan=True),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
ANY_FIGURES = st.dictionaries(st.sampled_from((*keys.PERDEP_FIGURE_KEYS, "sales", "junk")), JSONISH, max_size=8)
SHAPED = st.fixed_dictionaries(
    {},
    optional={
        "framework": st.sampled_from((keys.PERDEP, keys.INDICATIVE, "x")) | JSONISH,
        "cooperative_type": st.sampled_from(keys.COOPERATIVE_TYPES) | JSONISH,
        "months_elapsed": st.integers(min_value=-2, max_value=14) | JSONISH,
        "figures": ANY_FIGURES | JSONISH,
        "management": st.dictionaries(st.sampled_from(keys.MANAGEMENT_SUBS), JSONISH) | JSONISH,
        "flags": st.dictionaries(st.sampled_from(keys.FLAG_KEYS), JSONISH) | JSONISH,
    },
)


@settings(max_examples=400, deadline=None)
@given(SHAPED)
def test_any_input_gives_a_result_or_clear_problems(data: dict[str, Any]) -> None:
    result = assess(data, RULES)
    if isinstance(result, InputProblems):
        assert result.problems
        heads = {"framework", "cooperative_type", "months_elapsed", "figures", "management", "flags", "input"}
        assert all(p.split(": ")[0].split(".")[0] in heads for p in result.problems)
    else:
        assert result.to_json().startswith("{")
