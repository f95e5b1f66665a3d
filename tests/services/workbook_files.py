"""Filling the report workbook as an officer would in Excel (openpyxl), for the workbook tests."""

from __future__ import annotations

import io
from collections.abc import Mapping

from openpyxl import load_workbook

from bot.chat import workbook_words
from bot.domain import workbook as layout
from bot.domain.periods import Period

WORDS = workbook_words.template_words("id", "KSP Maju Bersama", Period(2026, 10))


def fill(
    data: bytes, values: Mapping[str, str | int | float | None], *, nik: str | None = None, period: str | None = None
) -> bytes:
    """The workbook with column C of the rows keyed in `values` set (None empties it), optionally another NIK/period."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[layout.SHEET]
    for row in range(1, sheet.max_row + 1):
        key = sheet.cell(row, layout.KEY_COLUMN).value
        if key == layout.NIK_KEY and nik is not None:
            sheet.cell(row, layout.VALUE_COLUMN).value = nik
        elif key == layout.PERIOD_KEY and period is not None:
            sheet.cell(row, layout.VALUE_COLUMN).value = period
        elif isinstance(key, str) and key in values:
            sheet.cell(row, layout.VALUE_COLUMN).value = values[key]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(data: bytes, key: str) -> int:
    sheet = load_workbook(io.BytesIO(data))[layout.SHEET]
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, layout.KEY_COLUMN).value == key)
