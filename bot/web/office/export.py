"""The cooperative list as an Excel workbook: Indonesian headers (from the templates), NIK, local times, score and
category, frozen header row, filter, column widths and number formats."""

from __future__ import annotations

from io import BytesIO
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


def workbook(listing: ListPage, lang: str) -> bytes:
    """The workbook's bytes: one sheet of the cooperatives, one row each."""
    w = words(lang)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(w.sheet_cooperatives(listing.period.label("en" if lang == "en" else "id")))[:31])
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    headers = [str(h) for h in w.export_headers]
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(listing.rows) + 1}"
    for listed in listing.rows:
        row = listed.row
        score = WriteOnlyCell(sheet, value=row.total)
        score.number_format = SCORE_FORMAT
        submitted = None
        if row.submitted_at is not None:
            local = row.submitted_at.astimezone(ZoneInfo(row.timezone)).replace(tzinfo=None)
            submitted = WriteOnlyCell(sheet, value=local)
            submitted.number_format = TIME_FORMAT
        sheet.append(
            [
                row.nik or "",
                row.name,
                str(w.type_name(row.type)),
                row.kecamatan or "",
                row.kelurahan or "",
                ", ".join(row.tags),
                row.score_period or "",
                score,
                str(w.category_name(row.category or "none")),
                str(w.reporting_name(listed.reporting)),
                submitted,
                zone_abbrev(row.timezone),
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
