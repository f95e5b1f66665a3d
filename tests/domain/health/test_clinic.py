"""The clinic as data tables: input figures -> state, diagnosis keys, first coaching concern (issue #14)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from bot.chat.health_words import full_text
from bot.domain.coaching import coach
from bot.domain.health.assessment import assess_input
from bot.domain.health.inputs import AssessmentInput, parse_input
from bot.domain.health.rules import Rules
from tests.domain.health.vectors import V95, v111

# A KSP that is failing (DPK) because of 30% problem loans and costs at 214% of gross participation.
FAILING_KSP: dict[str, Any] = {
    "framework": "perdep-06-2016", "cooperative_type": "ksp", "months_elapsed": 12,
    "figures": {
        "cash": 30000000, "bank": 20000000, "total_assets": 1000000000, "current_liabilities": 600000000,
        "loans_to_members": 800000000, "loans_to_non_members": 0, "loans_substandard": 120000000,
        "loans_doubtful": 100000000, "loans_loss": 110000000, "loans_at_risk": 150000000, "risk_reserve": 20000000,
        "voluntary_savings": 700000000, "time_deposits": 200000000, "borrowings": 100000000,
        "principal_savings": 20000000, "mandatory_savings": 150000000, "general_reserve": 30000000,
        "undistributed_surplus": -410000000, "gross_participation": 100000000, "non_member_income": 0,
        "cost_of_services": 60000000, "operating_expenses": 130000000, "cooperative_expenses": 24000000,
        "staff_costs": 70000000, "gross_surplus": 40000000, "surplus_before_tax": -114000000,
        "members_surplus_share": 0, "member_economic_benefit": 0,
    },
    "management": {"general": 6, "institutional": 4, "capital": 2, "assets": 4, "liquidity": 3},
}  # fmt: skip

# A KSP of two months: cash in the bank, nothing lent yet, no current liabilities.
NEW_KSP: dict[str, Any] = {
    "framework": "perdep-06-2016", "cooperative_type": "ksp", "months_elapsed": 2,
    "figures": {
        "cash": 5000000, "bank": 40000000, "total_assets": 60000000, "current_liabilities": 0,
        "loans_to_members": 15000000, "loans_substandard": 0, "loans_doubtful": 0, "loans_loss": 0,
        "loans_at_risk": 0, "voluntary_savings": 10000000, "principal_savings": 20000000,
        "mandatory_savings": 30000000, "gross_participation": 400000, "cost_of_services": 50000,
        "operating_expenses": 300000, "gross_surplus": 350000, "surplus_before_tax": 50000,
    },
    "management": {"general": 6, "institutional": 4, "capital": 3, "assets": 6, "liquidity": 3},
    "cooperative": {"founded_on": "2026-01-05", "as_of": "2026-03-10"},
}  # fmt: skip

KKMP_SHOP: dict[str, Any] = {
    "framework": "indicative-non-ksp", "cooperative_type": "konsumen", "months_elapsed": 6,
    "figures": {
        "sales": "300000000", "sales_to_members": "120000000", "cost_of_goods_sold": "285000000",
        "inventory": "150000000", "receivables": "60000000", "payables": "30000000", "current_assets": "230000000",
        "current_liabilities": "200000000", "equity": "50000000", "total_assets": "300000000",
        "net_surplus": "1000000", "total_revenue": "305000000",
    },
    "cooperative": {"as_of": "2026-07-15", "founded_on": "2025-07-01", "tags": ["kkmp"],
                    "readiness": {"legal_entity": True, "nib": True}},
}  # fmt: skip

# A pesantren's consumer shop: slow stock, the readiness of a kopontren not yet answered.
KOPONTREN_SHOP: dict[str, Any] = {
    **V95, "figures": {**V95["figures"], "inventory": "400000000"},
    "cooperative": {"as_of": "2026-07-15", "founded_on": "2019-07-01", "tags": ["kopontren"],
                    "readiness": {"separate_from_pesantren": False}},
}  # fmt: skip

CONSUMER_WEAK_NET_MARGIN = {**V95, "figures": {**V95["figures"], "net_surplus": "3000000"}}


def unanswered_ksp() -> dict[str, Any]:
    data = v111()
    del data["management"]
    return data


# (name, input, expected state, expected diagnosis keys (in order, at the start), expected first coaching concern)
CASES: list[tuple[str, Any, str, list[str], str | None]] = [
    ("failing_ksp", FAILING_KSP, "ok", ["problem_loans", "high_costs", "negative_equity"], "problem_loan_risk"),
    ("vector_11_1", v111(), "ok", ["unsecured_lending", "problem_loans"], "risky_loan_share"),
    ("new_ksp", NEW_KSP, "new_cooperative", ["new_cooperative"], None),
    ("unanswered_questionnaire", unanswered_ksp(), "ok", ["unsecured_lending", "problem_loans"], "management.general"),
    ("missing_figures", v111(loans_at_risk=None, total_assets=None), "data_incomplete", ["data_incomplete"],
     "total_assets"),
    ("kkmp_shop", KKMP_SHOP, "ok", ["equity_ratio", "net_margin", "member_business_share", "gross_margin"],
     "equity_ratio"),
    ("consumer_weak_net_margin", CONSUMER_WEAK_NET_MARGIN, "ok", ["net_margin"], "net_margin"),
    ("producer", {**V95, "cooperative_type": "produsen", "figures": {**V95["figures"], "purchases": "500000000",
                  "purchases_from_members": "100000000"}}, "ok", ["member_business_share"], "member_business_share"),
    ("service", {**V95, "cooperative_type": "jasa"}, "ok", ["net_margin"], "net_margin"),
    ("marketing", {**V95, "cooperative_type": "pemasaran", "figures": {**V95["figures"], "purchases": "400000000",
                   "purchases_from_members": "180000000", "receivables": "120000000"}}, "ok",
     ["member_business_share", "receivable_days"], "member_business_share"),
    ("kopontren_shop", KOPONTREN_SHOP, "ok", ["inventory_turnover"], "inventory_turnover"),
]  # fmt: skip


def checked(data: dict[str, Any], rules: Rules) -> AssessmentInput:
    figures = {k: v for k, v in data["figures"].items() if v is not None}
    inp = parse_input({**data, "figures": figures}, rules)
    assert isinstance(inp, AssessmentInput)
    return inp


@pytest.mark.parametrize(("name", "data", "state", "diagnosis", "first"), CASES, ids=[c[0] for c in CASES])
def test_clinic_table(
    rules: Rules, name: str, data: dict[str, Any], state: str, diagnosis: list[str], first: str | None
) -> None:
    inp = checked(data, rules)
    advice = coach(assess_input(inp, rules), rules, "id", inp.record, inp.as_of or date(2026, 3, 10))
    assert advice.state == state
    assert [f.key for f in advice.diagnosis][: len(diagnosis)] == diagnosis
    assert advice.plan, name
    assert (advice.plan[0].concerns[0] if advice.plan[0].concerns else None) == first


def test_failing_ksp_treats_loan_losses_and_costs_before_capital(rules: Rules) -> None:
    inp = checked(FAILING_KSP, rules)
    advice = coach(assess_input(inp, rules), rules)
    keys = [p.key for p in advice.plan]
    assert keys[:3] == ["problem_loans", "negative_equity", "high_costs"]
    # Capital is named as driven by the causes, never coached on its own ("Naikkan setoran simpanan wajib").
    assert "equity_to_assets" in advice.plan[0].concerns
    steps = [s for p in advice.plan for s in p.steps]
    assert not any(s.startswith("Naikkan setoran simpanan wajib") for s in steps)
    assert "30,63%" in advice.plan[0].text and "214,00%" in advice.plan[2].text


def test_a_ratio_missing_because_of_losses_is_not_a_missing_figure(rules: Rules) -> None:
    inp = checked(FAILING_KSP, rules)
    result = assess_input(inp, rules)
    text = full_text(result, coach(result, rules), "id", rules)
    assert "Lengkapi angka" not in text and "lengkapi angka" not in text
    line = "Rentabilitas modal sendiri: tidak dihitung, nilai 25, skor 0,75/3. Modal sendiri nol atau negatif karena"
    assert line in text
    assert "modal sendiri -Rp190.000.000, nol atau negatif" in text
    # Officers get no raw contract keys or English in the Indonesian notes.
    notes = text.split("Catatan:")[1].split("Penyebab utama:")[0]
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", notes) and "equity" not in notes


def test_new_ksp_gets_the_basics_and_no_cash_deployment(rules: Rules) -> None:
    inp = checked(NEW_KSP, rules)
    advice = coach(assess_input(inp, rules), rules, "id", inp.record, inp.as_of)
    assert advice.plan[0].key == "new_cooperative" and "masih awal" in advice.plan[0].text
    concerns = {c for p in advice.plan for c in p.concerns}
    assert not concerns & {"cash_ratio", "loans_to_funds"}
    steps = " ".join(s for p in advice.plan for s in p.steps)
    assert "Salurkan" not in steps and "Tawarkan pinjaman" not in steps
    # The same figures from a cooperative founded years ago are coached on the idle cash.
    old = coach(assess_input(inp, rules), rules, "id", None, inp.as_of)
    assert old.state == "ok" and "cash_ratio" in {c for p in old.plan for c in p.concerns}


def test_unanswered_questionnaire_is_a_step_that_names_it(rules: Rules) -> None:
    inp = checked(unanswered_ksp(), rules)
    advice = coach(assess_input(inp, rules), rules)
    step = next(p for p in advice.plan if p.key == "questionnaire")
    assert "Kuesioner manajemen belum dijawab" in step.text and "15" in step.text
    subs = ("general", "institutional", "capital", "assets", "liquidity")
    assert step.concerns == tuple(f"management.{s}" for s in subs)
    # It ranks by the 15 points it loses, and no management sub-aspect is coached on its own.
    assert advice.plan[0] is step
    assert sum(1 for p in advice.plan for c in p.concerns if c.startswith("management.")) == 5


def test_data_incomplete_names_what_is_missing_instead_of_coaching(rules: Rules) -> None:
    inp = checked(v111(loans_at_risk=None, total_assets=None), rules)
    advice = coach(assess_input(inp, rules), rules)
    assert [p.key for p in advice.plan] == ["data_incomplete"]
    assert advice.plan[0].concerns == ("total_assets", "loans_at_risk")
    assert "Jumlah aset / total aktiva" in advice.plan[0].text


def test_kkmp_shop_has_targets_and_the_readiness_list(rules: Rules) -> None:
    inp = checked(KKMP_SHOP, rules)
    advice = coach(assess_input(inp, rules), rules, "id", inp.record, inp.as_of)
    with_targets = [p for p in advice.plan if p.target]
    assert len(with_targets) >= 3 and all(len(p.steps) >= 2 for p in with_targets)
    assert [p.target for p in with_targets[:4]] == [
        "Target: Rasio ekuitas ≥ 30%.", "Target: Margin bersih ≥ 3%.", "Target: Porsi usaha dengan anggota ≥ 75%.",
        "Target: Margin kotor ≥ 10%.",
    ]  # fmt: skip
    readiness = [s.key for s in advice.compliance if s.key.startswith("kkmp.")]
    assert readiness == ["kkmp.bank_account", "kkmp.work_plan_budget", "kkmp.sop_som", "kkmp.member_register",
                         "kkmp.supplier_ekatalog", "kkmp.rat"]  # fmt: skip
    assert all(s.status == "unknown" and s.steps for s in advice.compliance if s.key.startswith("kkmp."))


def test_service_cooperatives_are_not_coached_on_stock(rules: Rules) -> None:
    data = {**V95, "cooperative_type": "jasa", "figures": {**V95["figures"], "inventory": "900000000"}}
    inp = checked(data, rules)
    concerns = {c for p in coach(assess_input(inp, rules), rules).plan for c in p.concerns}
    assert "inventory_turnover" not in concerns and "gross_margin" not in concerns


def test_a_kopontren_is_prescribed_its_own_readiness_list(rules: Rules) -> None:
    inp = checked(KOPONTREN_SHOP, rules)
    advice = coach(assess_input(inp, rules), rules, "id", inp.record, inp.as_of)
    readiness = {s.key: s.status for s in advice.compliance if s.key.startswith("kopontren.")}
    assert readiness == {
        "kopontren.legal_entity": "unknown", "kopontren.separate_from_pesantren": "not_met",
        "kopontren.member_register": "unknown", "kopontren.sop_som": "unknown", "kopontren.rat": "unknown",
    }  # fmt: skip
    assert not any(s.key.startswith("kkmp.") for s in advice.compliance)
