"""Coaching (§10): the treatment plan ranks causes, then components by lost points; escalation; compliance steps."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.domain.coaching import coach
from bot.domain.health.assessment import assess
from bot.domain.health.compliance import CooperativeRecord
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


def test_causes_come_first_and_cover_the_components_they_drive(rules: Rules) -> None:
    plan = coach(scored(), rules).plan
    assert [p.key for p in plan[:2]] == ["unsecured_lending", "problem_loans"]
    assert plan[0].lost == Decimal("4.35") and plan[1].lost == Decimal("4.10")
    assert {"risky_loan_share", "equity_to_risky_loans"} <= set(plan[0].concerns)
    assert {"problem_loan_risk", "reserve_coverage"} <= set(plan[1].concerns)
    assert plan[0].steps[0] == "Perbarui SOP pinjaman: wajib agunan atau penjamin."
    assert all(2 <= len(p.steps) <= 5 and p.text for p in plan)
    assert all(p.target and p.target.startswith("Target: ") for p in plan[:2])


def test_without_a_cause_components_rank_by_lost_points_then_aspect_order(rules: Rules) -> None:
    # equity_to_assets 25% gives nilai 50 (3.00 lost), the largest loss left once loan problems are gone.
    result = scored(own_capital=500000000, loans_at_risk=0, loans_substandard=0, loans_doubtful=0, loans_loss=0)
    plan = coach(result, rules).plan
    assert plan[0].concerns == ("equity_to_assets",)
    assert plan[0].target == "Target: Modal sendiri terhadap total aset ≥ 40% dan < 60%."
    lost = [p.lost for p in plan]
    assert lost == sorted(lost, reverse=True)


def test_untriggered_components_are_not_coached(rules: Rules) -> None:
    concerns = {c for p in coach(scored(), rules).plan for c in p.concerns}
    assert "cash_ratio" not in concerns


def test_management_trigger_uses_score(rules: Rules) -> None:
    data = v111()
    data["management"] = {"general": 12, "institutional": 6, "capital": 5, "assets": 10, "liquidity": 3}
    data["figures"].update(loans_at_risk=0, loans_substandard=0, loans_doubtful=0, loans_loss=0)
    result = assess(data)
    assert isinstance(result, HealthResult)
    concerns = [c for p in coach(result, rules).plan for c in p.concerns]
    assert "management.liquidity" in concerns


def test_negative_equity_row_and_escalation_in_english(rules: Rules) -> None:
    result = scored(own_capital=-1000)
    advice = coach(result, rules, "en")
    row = next(p for p in advice.plan if p.key == "negative_equity")
    assert "Dinas" in row.steps[0]
    # The contract's figures are complete (overrides stand for their lines): no "fill in the figures" step.
    assert advice.state == "ok" and "data_incomplete" not in [p.key for p in advice.plan]
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
    assert [c.key for c in advice.compliance] == ["late_or_wrong_books"]
    assert advice.compliance[0].steps == rules.coaching.compliance["books"]["id"]


def test_compliance_steps_are_ordered_by_deadline(rules: Rules) -> None:
    record = CooperativeRecord(
        last_rat_book_year=2024, nik_expires_on=date(2026, 4, 20), has_nib=False, has_npwp=True, ad_art_sop=True,
        separate_books=True,
    )  # fmt: skip
    steps = coach(scored(), rules, "id", record, date(2026, 3, 10)).compliance
    assert [(s.key, s.status, s.due) for s in steps[:2]] == [
        ("nik_valid", "due_soon", date(2026, 4, 20)), ("rat_held", "due_soon", date(2026, 6, 30)),
    ]  # fmt: skip
    assert steps[1].text == "Adakan RAT tahun buku 2025"
    nib = next(s for s in steps if s.key == "nib")
    assert nib.due is None and nib.steps == ("Urus NIB lewat OSS.", "Daftarkan NPWP koperasi.")
    assert "npwp" not in [s.key for s in steps]


def test_indicative_result_gets_no_category_or_escalation(rules: Rules) -> None:
    result = assess(V95)
    assert isinstance(result, IndicativeResult)
    record = CooperativeRecord(cooperative_type="konsumen", nik_expires_on=date(2026, 1, 1))
    advice = coach(result, rules, "id", record, date(2026, 3, 1))
    assert advice.category is None and advice.escalation == ()
    assert "nik_valid" in [c.key for c in advice.compliance]
    assert [p.concerns for p in advice.plan] == [("net_margin",), ("member_business_share",)]
