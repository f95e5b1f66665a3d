"""Reading the report workbook's cells (pure): Excel's numbers, typed Indonesian amounts, ya/tidak, rows by key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import forms
from bot.domain import workbook as layout
from bot.domain.workbook import CellProblemCode, CellValue, Row, Unusable, read_rows, read_value

FORM = forms.load_form()
CASH = FORM.question("cash")
YEARLY = FORM.question("compliance.nib")


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (40_000_000, "40000000"),
        (40_000_000.0, "40000000"),
        (1_250_000.5, "1250000.50"),
        (Decimal("1250000.25"), "1250000.25"),
        ("1.250.000", "1250000"),
        ("Rp 1,25 jt", "1250000"),
        ("40 jt", "40000000"),
        (None, None),
        ("  ", None),
    ],
)
def test_amounts_from_excel_numbers_or_typed_the_indonesian_way(value: CellValue, stored: str | None) -> None:
    assert read_value(CASH, value) == stored


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("empat puluh", "not_a_number"),
        (-5, "negative"),
        (0.001, "too_many_decimals"),
        (10.0**16, "too_large"),
        (True, "not_a_number"),
        (float("nan"), "not_a_number"),
    ],
)
def test_amounts_that_cannot_be_used(value: CellValue, code: CellProblemCode) -> None:
    assert read_value(CASH, value) == Unusable(code)


@pytest.mark.parametrize(("value", "stored"), [("ya", "ya"), ("Tidak", "tidak"), (True, "ya"), (False, "tidak")])
def test_yes_no(value: CellValue, stored: str) -> None:
    assert read_value(YEARLY, value) == stored


def test_a_number_for_ya_tidak_is_unusable() -> None:
    assert read_value(YEARLY, 1) == Unusable("expected_yes_no")


def test_rows_are_found_by_their_key_and_unknown_or_repeated_rows_named() -> None:
    questions = [CASH, YEARLY]
    rows = [
        Row(2, layout.NIK_KEY, 3576010001.0),
        Row(3, layout.PERIOD_KEY, "2026-10"),
        Row(9, "cash", 5),
        Row(10, "", "a note the officer added"),
        Row(11, "cash", 6),
        Row(12, "no_such_figure", 7),
        Row(14, "compliance.nib", "ya"),
    ]
    read = read_rows(questions, rows)
    assert (read.nik, read.period) == ("3576010001", "2026-10")
    assert read.answers == {"cash": "5", "compliance.nib": "ya"}
    assert {(p.cell, p.code) for p in read.problems} == {("A11", "repeated_row"), ("A12", "unknown_row")}
    assert read.rows == {"cash": 9, "compliance.nib": 14}
