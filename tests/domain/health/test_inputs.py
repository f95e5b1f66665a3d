"""Input checks of §2.3: one problem per line, naming the key; unknown keys are warnings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.domain.health.assessment import assess, assess_text
from bot.domain.health.inputs import InputProblems
from bot.domain.health.result import HealthResult
from tests.domain.health.vectors import v111


def problems(data: Any) -> tuple[str, ...]:
    result = assess(data)
    assert isinstance(result, InputProblems), result
    return result.problems


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"framework": "perdep-2021"}, "framework"),
        ({"cooperative_type": "bank"}, "cooperative_type"),
        ({"months_elapsed": 0}, "months_elapsed"),
        ({"months_elapsed": 13}, "months_elapsed"),
        ({"months_elapsed": Decimal("6.5")}, "months_elapsed"),
        ({"months_elapsed": "6"}, "months_elapsed"),
        ({"months_elapsed": True}, "months_elapsed"),
        ({"management": {"general": 13}}, "management.general"),
        ({"management": {"assets": -1}}, "management.assets"),
        ({"management": {"capital": [True, False]}}, "management.capital"),
        ({"management": {"liquidity": [1, 1, 1, 1, 1]}}, "management.liquidity"),
        ({"management": "lots"}, "management"),
        ({"flags": {"engineered_books": "yes"}}, "flags.engineered_books"),
        ({"figures": [1, 2]}, "figures"),
    ],
)
def test_top_level_problems(change: dict[str, Any], key: str) -> None:
    data = v111()
    data.update(change)
    found = problems(data)
    assert len(found) == 1
    assert found[0].startswith(f"{key}: ")


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("cash", "1.500.000", "thousands separators"),
        ("cash", "1,500,000", "thousands separators"),
        ("cash", "satu juta", "not a number"),
        ("cash", "1e6", "not a number"),
        ("cash", True, "not a number"),
        ("cash", [], "not a number"),
        ("cash", "NaN", "not a number"),
        ("cash", -1, "negative"),
        ("loans_at_risk", "-0.5", "negative"),
        ("funds_received", -10, "negative"),
        ("cash", 10**16, "too large"),
        ("cash", "1.000001", "decimal places"),
    ],
)
def test_figure_problems_name_the_key(key: str, value: Any, words: str) -> None:
    found = problems(v111(**{key: value}))
    assert len(found) == 1 and found[0].startswith(f"figures.{key}: ") and words in found[0]


@pytest.mark.parametrize(
    "key", ["undistributed_surplus", "gross_surplus", "surplus_before_tax", "members_surplus_share", "own_capital",
            "weighted_capital"],
)  # fmt: skip
def test_keys_that_may_be_negative(key: str) -> None:
    assert isinstance(assess(v111(**{key: -1000})), HealthResult)


def test_several_problems_are_all_reported() -> None:
    data = v111(cash="1.500.000", bank=-5)
    data["months_elapsed"] = 13
    found = problems(data)
    assert [p.split(": ")[0] for p in found] == ["months_elapsed", "figures.cash", "figures.bank"]


def test_decimal_strings_and_json_numbers_agree() -> None:
    as_text = assess(v111(cash="40000000.00", bank="60000000"))
    as_numbers = assess(v111())
    assert isinstance(as_text, HealthResult) and isinstance(as_numbers, HealthResult)
    assert as_text.to_json() == as_numbers.to_json()


def test_unknown_keys_are_warnings() -> None:
    data = v111(salary=5)
    data["comment"] = "hello"
    data["management"]["mood"] = 3
    data["flags"] = {"space_aliens": True}
    result = assess(data)
    assert isinstance(result, HealthResult)
    heads = [w.split(": ")[0] for w in result.warnings]
    assert {"figures", "input", "management"} <= set(heads)
    assert any("salary" in w for w in result.warnings) and any("comment" in w for w in result.warnings)


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", '"text"', '{"figures": {"cash": NaN}}'])
def test_text_that_is_not_an_input_object(text: str) -> None:
    result = assess_text(text)
    assert isinstance(result, InputProblems)
    assert result.problems[0].startswith("input: ")


def test_defaults() -> None:
    result = assess({"figures": {}})
    assert isinstance(result, HealthResult)
    assert (result.framework, result.provisional, result.cooperative_type) == ("perdep-06-2016", False, "ksp")
