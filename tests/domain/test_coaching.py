"""Coaching (§10): weakest three by lost points, special rows, escalation ladder, compliance steps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain.coaching import coach, compliance_coaching, weakest
from bot.domain.health.assessment import assess
from bot.domain.health.compliance import ComplianceItem
from bot.domain.health.result import HealthResult, IndicativeResult
from bot.domain.health.rules import Rules, default_rules
from tests.domain.health.vectors import V95, v111


@pytest.fixture
def rules() -> Rules:
    return default_rules()


def scored(**figures: object) -> HealthResult:
    result = assess(v111(**figures))
    assert isinstance(result, HealthResult)
    return result


def test_picks_three_by_lost_points(rules: Rules) -> None:
    items = weakest(scored(), rules)
    assert [i.key for i in items] == [
        "asset_quality.risky_loan_share", "asset_quality.reserve_coverage", "asset_quality.problem_loan_risk",
    ]  # fmt: skip
    assert [i.lost for i in items] == [Decimal("3.75"), Decimal("2.50"), Decimal("1.00")]
    assert items[0].steps[0] == "Perbarui SOP pinjaman: wajib agunan atau penjamin."
    assert all(2 <= len(i.steps) <= 4 and i.why for i in items)


def test_ties_break_in_aspect_order(rules: Rules) -> None:
    # equity_to_assets 25% gives nilai 50 (3.00 lost), the largest loss left once loan problems are gone.
    result = scored(own_capital=500000000, loans_at_risk=0, loans_substandard=0, loans_doubtful=0, loans_loss=0)
    items = weakest(result, rules)
    keys = [i.key for i in items]
    assert keys[0] == "capital.equity_to_assets"
    lost = [i.lost for i in items]
    assert lost == sorted(lost, reverse=True)


def test_untriggered_components_are_not_coached(rules: Rules) -> None:
    keys = [i.key for i in weakest(scored(), rules)]
    assert "liquidity.cash_ratio" not in keys


def test_management_trigger_uses_score(rules: Rules) -> None:
    data = v111()
    data["management"] = {"general": 12, "institutional": 6, "capital": 5, "assets": 10, "liquidity": 3}
    data["figures"].update(loans_at_risk=0, loans_substandard=0, loans_doubtful=0, loans_loss=0)
    result = assess(data)
    assert isinstance(result, HealthResult)
    keys = [i.key for i in weakest(result, rules)]
    assert "management.liquidity" in keys


def test_special_rows_and_escalation_in_english(rules: Rules) -> None:
    result = scored(own_capital=-1000)
    advice = coach(result, rules, "en")
    assert advice.negative_equity is not None and "Dinas" in advice.negative_equity.steps[0]
    assert advice.missing_figures is not None
    assert advice.category == result.category
    assert advice.escalation == rules.coaching.escalation[result.category]["en"]
    assert advice.provisional_note is None


def test_provisional_note_and_review_list(rules: Rules) -> None:
    data = v111()
    data["months_elapsed"] = 3
    data["flags"] = {"engineered_books": True, "late_or_wrong_books": True}
    result = assess(data)
    assert isinstance(result, HealthResult)
    advice = coach(result, rules, "id")
    assert advice.provisional_note and advice.provisional_note.startswith("Skor sementara")
    assert advice.review_list_note is not None
    assert [c.key for c in advice.compliance] == ["books"]


def test_compliance_steps_are_deduplicated(rules: Rules) -> None:
    items = (
        ComplianceItem("rat_held", "due_soon"), ComplianceItem("nib", "not_met"), ComplianceItem("npwp", "not_met"),
        ComplianceItem("rat_reported", "ok"), ComplianceItem("nik_valid", "unknown"),
    )  # fmt: skip
    steps = compliance_coaching(items, rules, "id")
    assert [s.key for s in steps] == ["rat", "registration"]
    assert steps[1].steps == ("Urus NIB lewat OSS.", "Daftarkan NPWP koperasi.")


def test_indicative_result_gets_compliance_only(rules: Rules) -> None:
    result = assess(V95)
    assert isinstance(result, IndicativeResult)
    advice = coach(result, rules, "id", (ComplianceItem("nik_valid", "not_met"),))
    assert advice.components == () and advice.category is None and advice.escalation == ()
    assert [c.key for c in advice.compliance] == ["nik"]
