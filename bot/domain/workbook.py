"""The report workbook's layout and how its filled cells are read: pure, no file format (bot/services/workbooks).

Sheet `Laporan`: the key of each row in the hidden column A, its label in B, the value in C, last period's in D.
The first rows name the cooperative (``cooperative.nik``) and the period (``report.period``); the import finds
every row by its key in column A, so rows an officer moves or adds do not confuse it. A value is read with the
same parser as a typed chat answer; a number Excel stores is taken as it is (an amount, a whole number).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final, Literal

from bot.domain.forms import Question
from bot.domain.numbers import MAX_INTEGER_DIGITS, to_plain
from bot.domain.report_flow import NO, YES
from bot.domain.report_flow.interpret import Refused, read_answer

SHEET: Final = "Laporan"
NIK_KEY: Final = "cooperative.nik"
PERIOD_KEY: Final = "report.period"
KEY_COLUMN, LABEL_COLUMN, VALUE_COLUMN, PREVIOUS_COLUMN = 1, 2, 3, 4
TITLE_ROW, NIK_ROW, PERIOD_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 5, 6
TOO_LARGE: Final = Decimal(10) ** MAX_INTEGER_DIGITS  # what the amount parser refuses too
MAX_ROWS: Final = 2000  # more rows than any form has: a sheet beyond is not ours

CellValue = str | int | float | Decimal | bool | None
CellProblemCode = Literal[
    "not_a_number", "not_whole", "negative", "expected_yes_no", "expected_choice", "unknown_row", "repeated_row",
    "too_long", "ambiguous", "ambiguous_unit", "too_many_decimals", "too_large",
]  # fmt: skip


@dataclass(frozen=True)
class Row:
    """One row of the sheet as read: its number, the key in column A and the value in column C."""

    number: int
    key: str
    value: CellValue


@dataclass(frozen=True)
class CellProblem:
    """A cell the import could not use ("C14": not a number)."""

    cell: str
    code: CellProblemCode
    key: str


@dataclass(frozen=True)
class Read:
    """What a filled sheet says: the cooperative's NIK and the period it names, the answers, and its problems."""

    nik: str | None
    period: str | None
    answers: dict[str, str]
    problems: tuple[CellProblem, ...]
    rows: dict[str, int]  # the row of each figure key


def cell(column: int, row: int) -> str:
    """A cell's name ("C14") for columns A..Z."""
    return f"{chr(ord('A') + column - 1)}{row}"


def _text(value: CellValue) -> str | None:
    """A label cell's text (NIK, period): numbers as Excel shows them without decimals."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _number(value: int | float | Decimal) -> Decimal | None:
    try:
        found = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None
    return found if found.is_finite() else None


@dataclass(frozen=True)
class Unusable:
    """Why a cell's value cannot be used."""

    code: CellProblemCode


def read_value(question: Question, value: CellValue) -> str | Unusable | None:
    """The stored answer for a cell (None: left empty), or why it cannot be used."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        if question.kind == "yesno":
            return YES if value else NO
        return Unusable("not_a_number" if question.kind in ("amount", "integer") else "expected_choice")
    if isinstance(value, (int, float, Decimal)):
        if question.kind not in ("amount", "integer"):
            return Unusable("expected_yes_no" if question.kind == "yesno" else "expected_choice")
        number = _number(value)
        if number is None:
            return Unusable("not_a_number")
        if number < 0 and not question.may_be_negative:
            return Unusable("negative")
        if abs(number) >= TOO_LARGE:
            return Unusable("too_large")
        if question.kind == "integer":
            return str(int(number)) if number == number.to_integral_value() else Unusable("not_whole")
        return Unusable("too_many_decimals") if number != round(number, 2) else to_plain(number)
    found = read_answer(question, value, ())
    return Unusable(_cell_code(found.code)) if isinstance(found, Refused) else found


def _cell_code(code: str) -> CellProblemCode:
    known: tuple[CellProblemCode, ...] = (
        "not_whole", "negative", "expected_yes_no", "expected_choice", "too_long", "ambiguous",
        "ambiguous_unit", "too_many_decimals", "too_large",
    )  # fmt: skip
    return next((k for k in known if k == code), "not_a_number")


def named(rows: Sequence[Row]) -> tuple[str | None, str | None]:
    """The cooperative's NIK and the period ("2026-10") a sheet names."""
    found = {row.key.strip(): _text(row.value) for row in rows if row.key.strip() in (NIK_KEY, PERIOD_KEY)}
    return found.get(NIK_KEY), found.get(PERIOD_KEY)


def read_rows(questions: Sequence[Question], rows: Sequence[Row]) -> Read:
    """The answers of the rows whose keys are questions of this cooperative, and every cell that cannot be used."""
    by_key: Mapping[str, Question] = {q.key: q for q in questions}
    answers: dict[str, str] = {}
    problems: list[CellProblem] = []
    seen: set[str] = set()
    numbers: dict[str, int] = {}
    nik, period = named(rows)
    for row in rows:
        key = row.key.strip()
        if not key or key in (NIK_KEY, PERIOD_KEY):
            continue
        question = by_key.get(key)
        if question is None or key in seen:
            code: CellProblemCode = "unknown_row" if question is None else "repeated_row"
            problems.append(CellProblem(cell(KEY_COLUMN, row.number), code, key))
            continue
        seen.add(key)
        numbers[key] = row.number
        found = read_value(question, row.value)
        if isinstance(found, Unusable):
            problems.append(CellProblem(cell(VALUE_COLUMN, row.number), found.code, key))
        elif found is not None:
            answers[key] = found
    return Read(nik, period, answers, tuple(problems), numbers)
