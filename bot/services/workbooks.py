"""The report workbook (XLSX): written for a cooperative and a period, read back and checked, imported.

Written and read with openpyxl (the project's one spreadsheet library; bench/workbook_bench.py measures the read).
A workbook is refused whole, nothing stored, when it is not an XLSX, is over 2 MB, carries macros, has formulas
whose results Excel did not keep, or names another cooperative or period. Its answers go through the same checks
as the chat's (`ReportService.check`) and are stored by the same `ReportService.submit`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from bot.domain import forms, report_checks
from bot.domain import workbook as layout
from bot.domain.periods import Period, reporting_period_for
from bot.services.reports import YEARLY_PREFIXES, ReportService, Submission
from storage.repositories import Repositories

MAX_BYTES = 2_000_000
MAX_UNPACKED = 40_000_000  # what a 2 MB workbook of text unpacks to, with room to spare
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RefusalCode = Literal[
    "not_xlsx", "too_large", "macros", "no_sheet", "formulas", "no_cooperative", "unknown_cooperative",
    "other_cooperative", "no_period", "other_period", "future_period",
]  # fmt: skip


@dataclass(frozen=True)
class Refusal:
    """Why a workbook is refused whole; `detail` names what it holds (a NIK, a period, cells with formulas)."""

    code: RefusalCode
    detail: str = ""


@dataclass(frozen=True)
class TemplateWords:
    """The words written into a workbook (the caller renders them from its templates)."""

    title: str
    nik: str
    period: str
    item: str
    value: str
    previous: str
    yes_no: str  # the data validation's message on a ya/tidak cell
    amount: str  # ... on an amount cell


@dataclass(frozen=True)
class Loaded:
    """A workbook read for one cooperative and period: its answers, the cells it could not use, the checks' result."""

    cooperative_id: int
    cooperative_name: str
    period: Period
    answers: dict[str, str]
    problems: tuple[layout.CellProblem, ...]
    checked: report_checks.Checked
    questions: tuple[forms.Question, ...]
    rows: dict[str, int]  # the row of each figure key, to name cells

    @property
    def clean(self) -> bool:
        """Every cell usable and the books add up: the workbook may be stored as it is."""
        return not self.problems and not self.checked.blocking


@dataclass(frozen=True)
class Imported:
    """A workbook stored: what it held and the revision it became."""

    loaded: Loaded
    submission: Submission


def sheet_questions(questions: Sequence[forms.Question]) -> list[forms.Question]:
    """The rows of a cooperative's workbook (a question the checks ask only when the books need it is left out)."""
    return [q for q in questions if not q.only_when_asked_by_checks]


def write(
    questions: Sequence[forms.Question],
    nik: str,
    period: Period,
    values: Mapping[str, str],
    previous: Mapping[str, str],
    words: TemplateWords,
    lang: str = "id",
) -> bytes:
    """The workbook: key (hidden A), label (B), value (C, the only cells to type in), last period (D)."""
    book = Workbook()
    sheet = book.create_sheet(layout.SHEET, 0)
    book.remove(book.worksheets[1])
    bold = Font(bold=True)
    sheet.cell(layout.TITLE_ROW, layout.LABEL_COLUMN, words.title).font = bold
    for row, key, label, value in (
        (layout.NIK_ROW, layout.NIK_KEY, words.nik, nik),
        (layout.PERIOD_ROW, layout.PERIOD_KEY, words.period, str(period)),
    ):
        sheet.cell(row, layout.KEY_COLUMN, key)
        sheet.cell(row, layout.LABEL_COLUMN, label)
        sheet.cell(row, layout.VALUE_COLUMN, value).font = bold
    for column, header in ((layout.LABEL_COLUMN, words.item), (layout.VALUE_COLUMN, words.value)):
        sheet.cell(layout.HEADER_ROW, column, header).font = bold
    sheet.cell(layout.HEADER_ROW, layout.PREVIOUS_COLUMN, words.previous).font = bold
    yes_no = DataValidation(type="list", formula1='"ya,tidak"', allow_blank=True, prompt=words.yes_no)
    amount = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    amount.prompt = words.amount
    signed = DataValidation(type="decimal", allow_blank=True, formula1="-1000000000000000", formula2="1000000000000000")
    signed.prompt = words.amount
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    for validation in (yes_no, amount, signed, whole):
        validation.showInputMessage = True
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)
    unlocked = Protection(locked=False)
    for row, question in enumerate(questions, start=layout.FIRST_ROW):
        sheet.cell(row, layout.KEY_COLUMN, question.key)
        sheet.cell(row, layout.LABEL_COLUMN, question.statement_label(lang))
        target = sheet.cell(row, layout.VALUE_COLUMN, _cell_value(question, values.get(question.key)))
        target.protection = unlocked
        if question.kind in ("amount", "integer"):
            target.number_format = "#,##0" if question.kind == "integer" else "#,##0.##"
        if (shown := previous.get(question.key)) is not None:
            sheet.cell(row, layout.PREVIOUS_COLUMN, _cell_value(question, shown)).number_format = "#,##0.##"
        if question.kind == "yesno":
            yes_no.add(target)
        elif question.kind == "amount":
            (signed if question.may_be_negative else amount).add(target)
        elif question.kind == "integer":
            whole.add(target)
    sheet.column_dimensions["A"].hidden = True
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["C"].width = 20
    sheet.column_dimensions["D"].width = 20
    sheet.freeze_panes = sheet.cell(layout.FIRST_ROW, layout.VALUE_COLUMN)
    sheet.protection.sheet = True  # labels and keys locked; the value cells are not
    sheet.protection.formatRows = False
    sheet.protection.formatColumns = False
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_value(question: forms.Question, stored: str | None) -> str | int | Decimal | None:
    if stored is None:
        return None
    if question.kind == "amount":
        found = forms.stored_decimal(stored)
        return int(found) if found is not None and found == found.to_integral_value() else found
    if question.kind == "integer" and stored.lstrip("-").isdigit():
        return int(stored)
    return stored


def rows_of(data: bytes) -> tuple[layout.Row, ...] | Refusal:
    """The rows of sheet `Laporan` (key in A, value in C), or why the file is refused."""
    if len(data) > MAX_BYTES:
        return Refusal("too_large")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if sum(item.file_size for item in archive.infolist()) > MAX_UNPACKED:
                return Refusal("too_large")  # a small file that unpacks into a huge one
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, ValueError, OSError):
        return Refusal("not_xlsx")
    if "xl/workbook.xml" not in names:
        return Refusal("not_xlsx")
    if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
        return Refusal("macros")
    try:
        values = _sheet(data, formulas=False)
        formulas = _sheet(data, formulas=True) if _has_formulas(data, names) else {}
    except KeyError:
        return Refusal("no_sheet")
    except Exception:  # openpyxl raises many kinds on a broken file; whatever it is, the file is not readable
        return Refusal("not_xlsx")
    uncached = [
        layout.cell(column, row)
        for (row, column), value in formulas.items()
        if isinstance(value, str) and value.startswith("=") and values.get((row, column)) is None
    ]
    if uncached:
        return Refusal("formulas", ", ".join(uncached[:5]))
    keys = {row: value for (row, column), value in values.items() if column == layout.KEY_COLUMN}
    return tuple(
        layout.Row(row, key, values.get((row, layout.VALUE_COLUMN)))
        for row, key in sorted(keys.items())
        if isinstance(key, str)
    )


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(data: bytes, names: set[str]) -> bool:
    """Whether any sheet holds a formula (most filled workbooks hold none: their second read is spared)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(
            _FORMULA.search(archive.read(name))
            for name in names
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def _sheet(data: bytes, *, formulas: bool) -> dict[tuple[int, int], layout.CellValue]:
    """Columns A to C of sheet `Laporan`: its values (a formula's kept result) or, with `formulas`, its formulas."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas, keep_links=False)
    try:
        sheet = book[layout.SHEET]
        found: dict[tuple[int, int], layout.CellValue] = {}
        for number, row in enumerate(
            sheet.iter_rows(max_col=layout.VALUE_COLUMN, max_row=layout.MAX_ROWS, values_only=True), start=1
        ):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    found[(number, column)] = value if isinstance(value, (str, int, float, Decimal)) else str(value)
        return found
    finally:
        book.close()


class WorkbookService:
    """The workbook use cases of one unit of work."""

    def __init__(self, repos: Repositories, reports: ReportService) -> None:
        self._repos = repos
        self._reports = reports

    async def template(self, cooperative_id: int, period: Period, words: TemplateWords, lang: str = "id") -> bytes:
        """The cooperative's workbook for `period`: its draft (or, for a sent report, its latest revision) and
        yearly answers filled in, last period's figures beside them."""
        cooperative = await self._repos.cooperatives.get(cooperative_id)
        if cooperative is None:
            raise LookupError(f"no cooperative {cooperative_id}")
        state = await self._reports.open(cooperative_id, period)
        filled = dict(state.latest.figures) if state.latest and not state.draft else {}
        filled.update(
            {key: answer.value for key, answer in (await self._reports.carried_answers(cooperative_id)).items()}
        )
        filled.update(state.draft)
        previous = await self._reports.previous_figures(cooperative_id, period)
        questions = sheet_questions(await self._reports.questions(cooperative_id))
        return write(questions, cooperative.nik or "", period, filled, previous, words, lang)

    async def read(
        self, data: bytes, *, cooperative_id: int | None = None, period: Period | None = None
    ) -> Loaded | Refusal:
        """A filled workbook, read for the cooperative and period it names (which must be `cooperative_id` and
        `period` when given) and checked as the chat checks; a Refusal when it cannot be taken at all."""
        rows = rows_of(data)
        if isinstance(rows, Refusal):
            return rows
        nik, named_period = layout.named(rows)
        if not nik:
            return Refusal("no_cooperative")
        cooperative = await self._repos.cooperatives.by_nik(nik)
        if cooperative is None:
            return Refusal("unknown_cooperative", nik)
        if cooperative_id is not None and cooperative.id != cooperative_id:
            return Refusal("other_cooperative", nik)
        try:
            found = Period.parse(named_period or "")
        except ValueError:
            return Refusal("no_period", named_period or "")
        if period is not None and found != period:
            return Refusal("other_period", str(found))
        questions = sheet_questions(await self._reports.questions(cooperative.id))
        read = layout.read_rows(questions, rows)
        checked = await self._reports.check(cooperative.id, found, read.answers)
        return Loaded(
            cooperative.id, cooperative.name, found, read.answers, read.problems, checked, tuple(questions), read.rows
        )

    async def import_archive(
        self, data: bytes, *, at: datetime, reason: str, dry_run: bool = False
    ) -> Loaded | Refusal | Imported:
        """Store a filled workbook of a past period as a submitted revision (the office's archive): all or nothing.

        Returns what was Imported, or the Loaded workbook when it has problems (or `dry_run`), or a Refusal. The
        yearly answers are not taken: an old workbook does not overwrite the cooperative's current ones."""
        loaded = await self.read(data)
        if isinstance(loaded, Refusal):
            return loaded
        cooperative = await self._repos.cooperatives.get(loaded.cooperative_id)
        assert cooperative is not None
        if loaded.period > reporting_period_for(at, ZoneInfo(cooperative.timezone)):
            return Refusal("future_period", str(loaded.period))
        if not loaded.clean or dry_run:
            return loaded
        figures = {k: v for k, v in loaded.answers.items() if not k.startswith(YEARLY_PREFIXES)}
        submission = await self._reports.submit(
            loaded.cooperative_id, loaded.period, figures, officer_id=None, at=at, reason=reason
        )
        return Imported(loaded, submission)
