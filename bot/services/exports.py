"""Tables for the office's spreadsheets: CSV that Excel set to Indonesian opens in columns (`;`, UTF-8 with BOM),
and XLSX with a frozen header row and fitting column widths; the report-status table."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain.periods import zone_abbrev
from bot.services.cycle import Recap
from bot.words import render
from storage.repositories import Repositories

Cell = str | int | Decimal | datetime | None
Table = tuple[list[str], list[list[Cell]]]
MAX_WIDTH = 60


async def report_status_table(repos: Repositories, summary: Recap, lang: str) -> Table:
    """One row per cooperative: period, NIK, name, kecamatan, when its report came (its local time), whether on
    time, and the score and category of its assessment for the period."""
    assessed = await repos.assessments.of_period(str(summary.period))
    headers = render.text(lang, "exports.report_status_columns").splitlines()
    rows: list[list[Cell]] = []
    for row in summary.rows:
        zone = ZoneInfo(row.timezone)
        known_time = row.submitted_at is not None and row.submitted_at.year > 1
        local = row.submitted_at.astimezone(zone).replace(tzinfo=None) if known_time and row.submitted_at else None
        assessment = assessed.get(row.id)
        category = (assessment.result or {}).get("category_label") or assessment.category if assessment else None
        rows.append(
            [
                str(summary.period),
                row.nik or "",
                row.name,
                row.kecamatan,
                local,
                zone_abbrev(row.timezone),
                render.text(lang, "exports.on_time", reported=row.submitted_at is not None, on_time=row.on_time),
                assessment.total if assessment else None,
                category,
            ]
        )
    return headers, rows


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")  # the decimal comma of Excel set to Indonesian
    return str(value)


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """`;`-separated UTF-8 with a byte order mark: Excel (Indonesian or not) opens it in columns, accents intact."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(title: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """A workbook of one sheet: bold, frozen header row, autofilter, columns as wide as their content."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for column, header in enumerate(headers, start=1):
        cells = [row[column - 1] for row in rows]
        width = max([len(header), *(len(_csv_cell(v)) for v in cells)])
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_WIDTH)
        for row_number, value in enumerate(cells, start=2):
            if isinstance(value, datetime):
                sheet.cell(row=row_number, column=column).number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(value, Decimal):
                sheet.cell(row=row_number, column=column).number_format = "0.00"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def missing_workbook(summary: Recap, columns: Sequence[str]) -> bytes:
    """The cooperatives that did not report, numbered, with their NIK and kecamatan: a sheet for staff in the chat."""
    rows = [(number, r.nik or "-", r.name, r.kecamatan) for number, r in enumerate(summary.missing, start=1)]
    return xlsx_bytes(str(summary.period), columns, rows)
