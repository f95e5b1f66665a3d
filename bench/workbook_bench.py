"""Workbook benchmark: the time to read and check a filled report workbook (a KSP's, every row filled).

Times, per workbook, `rows_of` (the file: zip checks, then openpyxl read-only twice, values and formulas), the rows
read by the chat's parser (`read_rows`) and the checks (`report_checks.check`); with `--calamine`, the values alone
read by openpyxl and by python-calamine (not a dependency: install it to compare).
Run: python -m bench.workbook_bench [-n 200] [--calamine]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from typing import Any

from openpyxl import load_workbook

from bot.domain import forms, report_checks
from bot.domain import workbook as layout
from bot.domain.numbers import AmountProblem, parse_amount, to_plain
from bot.domain.periods import Period
from bot.services.workbooks import TemplateWords, rows_of, sheet_questions, write
from tests.handlers.chat import KSP_VALUES

WORDS = TemplateWords("Laporan", "NIK", "Periode", "Pos", "Nilai", "Bulan lalu", "ya/tidak", "rupiah")


def filled_workbook() -> tuple[bytes, list[forms.Question]]:
    """A KSP's workbook with every figure typed as a number and every yearly item answered, saved as Excel would."""
    profile = forms.Profile("ksp")
    questions = sheet_questions(forms.questions_for(forms.load_form(), profile, True, True, True))
    values: dict[str, str] = {}
    for question in questions:
        if question.key in KSP_VALUES:
            amount = parse_amount(KSP_VALUES[question.key])
            assert not isinstance(amount, AmountProblem)
            values[question.key] = to_plain(amount)
        elif question.yearly:
            values[question.key] = "ya"
    data = write(questions, "3576010001", Period(2026, 10), values, values, WORDS)
    book = load_workbook(io.BytesIO(data))  # saved once more, as an officer's Excel would
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), questions


def timed(work: Callable[[], Any], count: int) -> float:
    """The median of `count` runs, in milliseconds."""
    runs = []
    for _ in range(count):
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=100, help="runs per measurement (default 100)")
    parser.add_argument("--calamine", action="store_true", help="also read the values with python-calamine")
    args = parser.parse_args()
    data, questions = filled_workbook()

    def read_and_check() -> report_checks.Checked:
        rows = rows_of(data)
        assert isinstance(rows, tuple)
        read = layout.read_rows(questions, rows)
        assert not read.problems
        return report_checks.check(questions, read.answers, {}, {"members": 120})

    rows = rows_of(data)
    assert isinstance(rows, tuple)
    print(f"workbook: {len(data):,} bytes, {len(rows)} keyed rows")
    print(f"file read (openpyxl):                   {timed(lambda: rows_of(data), args.n):.1f} ms")
    print(f"cells parsed (read_rows):               {timed(lambda: layout.read_rows(questions, rows), args.n):.2f} ms")
    read = layout.read_rows(questions, rows)
    check = timed(lambda: report_checks.check(questions, read.answers, {}, {"members": 120}), args.n)
    print(f"checks (report_checks.check):           {check:.2f} ms")
    print(f"read and check, total:                  {timed(read_and_check, args.n):.1f} ms")
    if args.calamine:
        from python_calamine import CalamineWorkbook  # type: ignore[import-not-found, unused-ignore]

        def calamine_values() -> list[list[Any]]:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            return book.get_sheet_by_name(layout.SHEET).to_python()

        def openpyxl_values() -> int:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            count = sum(1 for _ in book[layout.SHEET].iter_rows(values_only=True))
            book.close()
            return count

        print(f"values only, openpyxl read-only:        {timed(openpyxl_values, args.n):.1f} ms")
        print(f"values only, python-calamine:           {timed(calamine_values, args.n):.1f} ms")


if __name__ == "__main__":
    main()
