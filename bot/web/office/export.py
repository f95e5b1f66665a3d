"""The cooperative list as an Excel workbook: Indonesian headers (from the templates), NIK, local times, score and
category, frozen header row, filter, column widths and number formats."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.domain.periods import zone_abbrev
from bot.services.office import ListPage
from bot.web.office.render import words

WIDTHS = (22, 40, 12, 20, 20, 20, 12, 10, 26, 18, 20, 8)
SCORE_FORMAT = "0.00"
TIME_FORMAT = "dd/mm/yyyy hh:mm"


def header_sheet(book: Workbook, title: str, headers: list[str], widths: tuple[int, ...], rows: int) -> Any:
    """A write-only sheet with its column widths, a bold frozen header row and a filter over `rows` rows."""
    sheet = book.create_sheet(title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{rows + 1}"
    return sheet


def local_time(sheet: Any, moment: datetime | None, zone: str) -> Any:
    """A cell with `moment` in `zone`'s local time (Excel has no time zones), or None."""
    if moment is None:
        return None
    cell = WriteOnlyCell(sheet, value=moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None))
    cell.number_format = TIME_FORMAT
    return cell


def workbook(listing: ListPage, lang: str) -> bytes:
    """The workbook's bytes: one sheet of the cooperatives, one row each."""
    w = words(lang)
    book = Workbook(write_only=True)
    title = str(w.sheet_cooperatives(listing.period.label("en" if lang == "en" else "id")))
    sheet = header_sheet(book, title, [str(h) for h in w.export_headers], WIDTHS, len(listing.rows))
    named: dict[tuple[str, str], str] = {}  # a handful of types, categories and states: each rendered once

    def name(kind: str, key: str) -> str:
        if (kind, key) not in named:
            named[kind, key] = str(getattr(w, kind)(key))
        return named[kind, key]

    for listed in listing.rows:
        row = listed.row
        score = WriteOnlyCell(sheet, value=row.total)
        score.number_format = SCORE_FORMAT
        submitted = local_time(sheet, row.submitted_at, row.timezone)
        sheet.append(
            [
                row.nik or "",
                row.name,
                name("type_name", row.type),
                row.kecamatan or "",
                row.kelurahan or "",
                ", ".join(row.tags),
                row.score_period or "",
                score,
                name("category_name", row.category or "none"),
                name("reporting_name", listed.reporting),
                submitted,
                zone_abbrev(row.timezone),
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
