"""The checks that stop wrong books, as tables per rule, and properties over any answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat import report_words
from bot.domain.forms import Profile, Question, load_form, questions_for
from bot.domain.report_checks import check, derivable, figure_warnings

FORM = load_form()
KSP = questions_for(FORM, Profile("ksp"), include_management=False, include_asked_by_checks=True)
KONSUMEN = questions_for(FORM, Profile("konsumen"), include_management=False)
ASSETS = ("cash", "bank", "placements", "securities", "loans_to_members", "loans_to_non_members", "investments",
          "accrued_income", "fixed_assets")  # fmt: skip
LIABILITIES = ("voluntary_savings", "time_deposits", "borrowings", "accrued_expenses", "other_liabilities")
EQUITY = ("principal_savings", "mandatory_savings", "special_mandatory_savings", "grants", "general_reserve",
          "participation_capital", "equalization_capital", "undistributed_surplus")  # fmt: skip
# A balanced KSP: assets 2.000 jt = liabilities 1.145 jt + equity 810 jt + risk reserve 45 jt.
BOOKS = {
    "cash": "40000000", "bank": "60000000", "placements": "300000000", "loans_to_members": "1450000000",
    "fixed_assets": "150000000", "voluntary_savings": "900000000", "time_deposits": "100000000",
    "borrowings": "100000000", "other_liabilities": "45000000", "current_liabilities": "800000000",
    "principal_savings": "50000000", "mandatory_savings": "350000000", "general_reserve": "300000000",
    "undistributed_surplus": "110000000", "risk_reserve": "45000000", "gross_participation": "330000000",
    "non_member_income": "30000000", "cost_of_services": "60000000", "operating_expenses": "150000000",
    "cooperative_expenses": "40000000",
}  # fmt: skip
WORDS = {q.key: q for q in FORM.questions}


def ids(answers: dict[str, str], questions: list = KSP) -> set[str]:  # type: ignore[type-arg]
    return {f.id for f in check(questions, answers).blocking}


@pytest.mark.parametrize(
    ("change", "blocking"),
    [
        ({}, set()),
        ({"cash": "40001000"}, set()),  # within Rp1.000
        ({"cash": "40001001"}, {"balance_sheet"}),
        ({"voluntary_savings": "1025000000"}, {"balance_sheet"}),
        ({"current_liabilities": "1145000000"}, set()),  # a subtotal of the liabilities, never added
        ({"current_liabilities": "1145000001"}, {"current_liabilities_within_liabilities"}),
        ({"loans_substandard": "900000000", "loans_doubtful": "550000001"}, {"problem_loans_within_loans"}),
        ({"loans_at_risk": "1450000000"}, set()),
        ({"loans_at_risk": "1450000001"}, {"loans_at_risk_within_loans"}),
        ({"gross_surplus": "300000000"}, set()),  # typed, and agrees with its formula
        ({"gross_surplus": "240000000"}, {"derived:gross_surplus"}),
        ({"surplus_before_tax": "110000000"}, set()),
        ({"surplus_before_tax": "80000000"}, {"derived:surplus_before_tax"}),
        ({"total_assets": "2000000000"}, set()),
        ({"total_assets": "2100000000"}, {"derived:total_assets", "balance_sheet"}),
    ],
)  # fmt: skip
def test_blocking_rules(change: dict[str, str], blocking: set[str]) -> None:
    assert ids({**BOOKS, **change}) == blocking


def test_the_message_names_the_sums_and_the_difference() -> None:
    found = check(KSP, {**BOOKS, "placements": "175000000", "voluntary_savings": "1025000000"})
    [balance] = found.blocking
    assert [balance.left, balance.right, balance.difference] == [Decimal(n) * 1_000_000 for n in (1_875, 2_125, 250)]
    numbers = {"cash": 1, "voluntary_savings": 9}
    text = report_words.finding(balance, WORDS, numbers, "id")
    assert "Aset Rp1.875.000.000, kewajiban + ekuitas Rp2.125.000.000: selisih Rp250.000.000." in text
    assert "Angka yang masuk: 1 Kas, 9 Simpanan sukarela." in text  # the figures entering it, numbered
    assert "cash" in balance.keys and "risk_reserve" in balance.keys and "current_liabilities" not in balance.keys
    english = report_words.finding(balance, WORDS, numbers, "en")
    assert "Assets Rp1.875.000.000, liabilities + equity Rp2.125.000.000: difference Rp250.000.000." in english


@pytest.mark.parametrize(
    ("total_assets", "side", "blocking", "ask"),
    [
        ("2000000000", None, set(), ()),  # risk reserve in equity
        ("1955000000", None, set(), ()),  # an allowance deducted from loans on the asset side
        ("1955000000", "equity", {"derived:total_assets", "balance_sheet"}, ()),
        ("1955000000", "allowance", set(), ()),
        ("1900000000", None, {"derived:total_assets", "balance_sheet"}, ("risk_reserve_side",)),  # neither: asked
    ],
)
def test_risk_reserve_on_either_side(total_assets: str, side: str | None, blocking: set[str], ask: tuple) -> None:  # type: ignore[type-arg]
    answers = {**BOOKS, "total_assets": total_assets}
    if side:
        answers["risk_reserve_side"] = side
    found = check(KSP, answers)
    assert {f.id for f in found.blocking} == blocking and found.ask == ask


def test_derivable_is_worked_out_for_each_question_list_even_when_asked_again_and_again() -> None:
    """A report asks `derivable` about one tuple of questions on every message: another tuple, or a list changed in
    place, gets its own answer, not the last one's."""
    every, without_cash = tuple(KSP), tuple(q for q in KSP if q.key != "cash")
    listed = list(KSP)
    for _ in range(2):
        assert derivable(every) == {"gross_surplus", "surplus_before_tax", "total_assets"}
        assert derivable(without_cash) == {"gross_surplus", "surplus_before_tax"}  # total assets: cash is a term
        assert derivable(every) == {"gross_surplus", "surplus_before_tax", "total_assets"}
    assert derivable(listed) == {"gross_surplus", "surplus_before_tax", "total_assets"}
    listed.remove(next(q for q in listed if q.key == "cash"))
    assert derivable(listed) == {"gross_surplus", "surplus_before_tax"}


def test_derived_figures_are_not_asked_and_computed() -> None:
    assert derivable(KSP) == {"gross_surplus", "surplus_before_tax", "total_assets"}
    assert derivable(KONSUMEN) == frozenset()
    found = check(KSP, BOOKS)
    assert found.derived == {
        "gross_surplus": 300_000_000,
        "surplus_before_tax": 110_000_000,
        "total_assets": 2_000_000_000,
    }


@pytest.mark.parametrize(
    ("change", "previous", "members", "warnings"),
    [
        ({}, {}, None, set()),
        ({"cash": "40000000000"}, {"cash": "40000000"}, None, {"typo:cash"}),
        ({"cash": "70000000"}, {"cash": "40000000"}, None, {"change:cash"}),
        ({"cash": "60000000"}, {"cash": "40000000"}, None, set()),  # 50%: not more
        ({"gross_participation": "1"}, {}, None, {"minimum:gross_participation", "expenses_over_income"}),
        ({}, {}, 0, {"no_members"}),
        ({}, {}, 120, set()),
        ({"loans_loss": "800000000"}, {}, None, {"loss_loans_high"}),
    ],
)
def test_warnings(change: dict[str, str], previous: dict[str, str], members: int | None, warnings: set[str]) -> None:
    found = check(KSP, {**BOOKS, **change}, previous, {"members": members})
    assert {w.id for w in found.warnings} == warnings
    for warning in found.warnings:
        assert report_words.finding(warning, WORDS, {}, "id").strip()


def test_indicative_identities() -> None:
    base = {"indicative.total_assets": "100", "current_assets": "60", "inventory": "30", "receivables": "30"}
    assert ids(base, KONSUMEN) == set()
    assert ids({**base, "current_assets": "101"}, KONSUMEN) == {
        "current_assets_within_assets"
    }  # and stock within it still
    assert ids({**base, "inventory": "31"}, KONSUMEN) == {"stock_and_receivables_within_current_assets"}
    assert ids({**base, "sales": "10", "sales_to_members": "11"}, KONSUMEN) == {"sales_to_members_within_sales"}


AMOUNT = st.one_of(
    st.integers(min_value=-(10**13), max_value=10**13).map(str),
    st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["", "abc", "ya", "NaN", "Infinity", "1e999999", "-0", "1" * 60]),
)
KEYS = st.sampled_from([q.key for q in KSP] + [q.key for q in KONSUMEN] + ["unknown"])


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, AMOUNT, max_size=40), st.dictionaries(KEYS, AMOUNT, max_size=10), st.booleans())
def test_any_answers_never_raise(answers: dict[str, str], previous: dict[str, str], ksp: bool) -> None:
    found = check(KSP if ksp else KONSUMEN, answers, previous, {"members": 0})
    for finding in (*found.blocking, *found.warnings):
        assert finding.to_json()["id"] == finding.id


LINE = st.integers(min_value=0, max_value=10**12)


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({k: LINE for k in (*ASSETS, *LIABILITIES, *EQUITY, "risk_reserve")}))
def test_blocking_iff_the_balance_fails(lines: dict[str, int]) -> None:
    answers = {k: str(v) for k, v in lines.items()}
    assets = sum(lines[k] for k in ASSETS)
    claims = sum(lines[k] for k in (*LIABILITIES, *EQUITY)) + lines["risk_reserve"]
    blocked = "balance_sheet" in {f.id for f in check(KSP, answers).blocking}
    assert blocked == (abs(assets - claims) > 1000)
    typed = {**answers, "total_assets": str(assets)}  # typed too: the same verdict, whichever side it is on
    assert ("balance_sheet" in {f.id for f in check(KSP, typed).blocking}) == (abs(assets - claims) > 1000)
    assert Decimal(check(KSP, answers).derived["total_assets"]) == assets


ASKED_BACK = ("typo", "change", "minimum")


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(KEYS, AMOUNT, max_size=40),
    st.dictionaries(KEYS, AMOUNT, max_size=20),
    st.sampled_from(KSP + KONSUMEN),
    AMOUNT,
)
def test_one_figure_is_warned_about_as_the_whole_report_warns_about_it(
    answers: dict[str, str], previous: dict[str, str], question: Question, value: str
) -> None:
    """What the chat asks back as a figure is typed (a typo, a large change, too small) is what checking the whole
    draft finds about that figure, in the same order, whatever else the draft holds."""
    questions = KSP if question in KSP else KONSUMEN
    whole = check(questions, {**answers, question.key: value}, previous, {"members": 0}).warnings
    expected = tuple(w for w in whole if w.kind in ASKED_BACK and w.key == question.key)
    assert figure_warnings(question, value, previous) == expected


def test_a_thousandfold_figure_and_a_tiny_one_are_asked_back() -> None:
    cash = WORDS["cash"]
    (typo,) = figure_warnings(cash, "40000000000", {"cash": "40000000"})
    assert (typo.kind, typo.left, typo.right) == ("typo", Decimal(40000000), Decimal(40000000000))
    (change,) = figure_warnings(cash, "80000000", {"cash": "40000000"})
    assert (change.kind, change.pct) == ("change", Decimal("100.00"))
    assert figure_warnings(cash, "41000000", {"cash": "40000000"}) == ()
    (small,) = figure_warnings(WORDS["gross_participation"], "500", {})
    assert (small.kind, small.left, small.right) == ("minimum", Decimal(500), Decimal(1000))
