"""Reading the office's list of cooperatives (CSV or XLSX) into validated rows; all or nothing.

A blank cell says nothing: it never erases what is stored. Rows of the file that name the same cooperative (the same
NIK, or the same name where one row has no NIK) are one cooperative; they may complete each other, not contradict.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.names import COOPERATIVE_TYPES

TYPE_ALIASES = {
    "simpan pinjam": "ksp",
    "koperasi simpan pinjam": "ksp",
    "unit simpan pinjam": "usp",
    "konsumsi": "konsumen",
    "produksi": "produsen",
    "consumer": "konsumen",
    "producer": "produsen",
    "marketing": "pemasaran",
    "service": "jasa",
    "savings and loan": "ksp",
}
ZONE_ALIASES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}

# column -> accepted headers (Indonesian first, then English); compared lower-case without spaces/underscores
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("nama", "namakoperasi", "name"),
    "nik": ("nik", "nomorindukkoperasi", "nikkoperasi"),
    "legal_entity_number": ("badanhukum", "nomorbadanhukum", "nobadanhukum", "legalentitynumber"),
    "type": ("jenis", "jeniskoperasi", "type"),
    "tags": ("tag", "tags", "label"),
    "kecamatan": ("kecamatan", "district"),
    "kelurahan": ("kelurahan", "desa", "kelurahandesa", "village"),
    "timezone": ("zonawaktu", "timezone"),
    "fiscal_year_start_month": ("bulanawaltahunbuku", "fiscalyearstartmonth"),
    "rat_date": ("tanggalrat", "ratterakhir", "ratdate"),
    "founded_on": ("tanggalberdiri", "berdiri", "tanggalpendirian", "didirikan", "foundedon", "founded"),
    "nik_valid_until": ("nikberlakusampai", "nikvaliduntil"),
    "ods_updated_on": ("odsdiperbarui", "tanggalods", "odsupdatedon"),
    "has_savings_unit": ("unitsimpanpinjam", "usp", "hassavingsunit"),
    "members": ("jumlahanggota", "anggota", "members"),
    "address": ("alamat", "address"),
}
LABELS = {  # a column as the clerk's header writes it, for messages
    "name": "nama",
    "nik": "nik",
    "legal_entity_number": "badan_hukum",
    "type": "jenis",
    "tags": "tag",
    "kecamatan": "kecamatan",
    "kelurahan": "kelurahan",
    "timezone": "zona_waktu",
    "fiscal_year_start_month": "bulan_awal_tahun_buku",
    "rat_date": "tanggal_rat",
    "nik_valid_until": "nik_berlaku_sampai",
    "ods_updated_on": "ods_diperbarui",
    "has_savings_unit": "unit_simpan_pinjam",
    "members": "jumlah_anggota",
    "address": "alamat",
}
HEADER_INDEX = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
YES = {"ya", "y", "yes", "true", "1", "ada"}
NO = {"tidak", "t", "no", "false", "0", "", "tidak ada"}


@dataclass(frozen=True)
class RowProblem:
    """One bad row: its number as the spreadsheet shows it (header = row 1) and why."""

    row: int
    reason: str

    def __str__(self) -> str:
        return f"baris {self.row}: {self.reason}"


@dataclass
class ImportRow:
    """One cooperative of the file: the values its cells give (blank cells left out) and the rows it came from."""

    lines: list[int]
    values: dict[str, Any]

    @property
    def line(self) -> int:
        return self.lines[0]


@dataclass
class ImportResult:
    """Validated cooperatives, and every problem of every row (the file is imported only when there is none)."""

    rows: list[ImportRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def _normalise_header(text: str) -> str:
    return "".join(ch for ch in text.strip().lower() if ch.isalnum())


def read_table(path: Path) -> list[list[Any]]:
    """The file's cells, header row first (CSV with , or ; separators, or the first sheet of an XLSX)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    text = path.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"tanggal {text!r} tidak dikenali (pakai 2026-03-31 atau 31/03/2026)")


def _row_values(cells: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The values of the row's non-blank cells, and every problem found in it."""

    def text(column: str) -> str:
        value = cells.get(column)
        return "" if value is None else str(value).strip()

    values: dict[str, Any] = {}
    problems: list[str] = []
    for column in ("name", "nik", "legal_entity_number", "kecamatan", "kelurahan", "address"):
        if text(column):
            values[column] = " ".join(text(column).split())
    if "name" not in values:
        problems.append("kolom nama kosong")
    raw_type = text("type").lower()
    type_ = TYPE_ALIASES.get(raw_type, raw_type)
    if type_ in COOPERATIVE_TYPES:
        values["type"] = type_
    elif raw_type:
        problems.append(f"jenis {text('type')!r} tidak dikenal (pilih: {', '.join(COOPERATIVE_TYPES)})")
    if text("tags"):
        values["tags"] = sorted({t.strip().lower() for t in text("tags").replace(";", ",").split(",") if t.strip()})
    if text("timezone"):
        zone = ZONE_ALIASES.get(text("timezone").upper(), text("timezone"))
        try:
            ZoneInfo(zone)
            values["timezone"] = zone
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"zona waktu {text('timezone')!r} tidak dikenal (WIB, WITA, WIT)")
    month_text = text("fiscal_year_start_month")
    if month_text and (not month_text.isdigit() or not 1 <= int(month_text) <= 12):
        problems.append(f"bulan awal tahun buku {month_text!r} harus 1 sampai 12")
    elif month_text:
        values["fiscal_year_start_month"] = int(month_text)
    savings = text("has_savings_unit").lower()
    if savings and savings not in YES | NO:
        problems.append(f"unit simpan pinjam {text('has_savings_unit')!r}: isi ya atau tidak")
    elif savings or type_ == "usp":
        values["has_savings_unit"] = savings in YES or type_ == "usp"
    members_text = text("members").replace(".", "")
    if members_text.startswith(("-", "−")) and members_text[1:].strip().isdigit():
        problems.append(f"jumlah anggota {text('members')!r} tidak boleh minus")
    elif members_text and not members_text.isdigit():
        problems.append(f"jumlah anggota {text('members')!r} bukan bilangan bulat (contoh: 120 atau 1.250)")
    elif members_text:
        values["members"] = int(members_text)
    for column in ("rat_date", "founded_on", "nik_valid_until", "ods_updated_on"):
        if text(column):
            try:
                values[column] = _date(cells[column])
            except ValueError as exc:
                problems.append(str(exc))
    return values, problems


def shown(value: Any) -> str:
    """A cell's value as the clerk would write it."""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, list):
        return ", ".join(value) or "-"
    return value.isoformat() if isinstance(value, date) else str(value)


def _merge(into: ImportRow, row: ImportRow, number: int, problems: list[RowProblem]) -> None:
    """Fold a later row about the same cooperative into the first; differing values are a problem."""
    for key, value in row.values.items():
        known = into.values.get(key)
        if known is not None and known != value and not (key == "name" and str(known).lower() == str(value).lower()):
            reason = f"tetapi {LABELS[key]} berbeda ({shown(known)} / {shown(value)})"
            problems.append(RowProblem(number, f"koperasi yang sama dengan baris {into.line}, {reason}"))
        elif known is None:
            into.values[key] = value
    into.lines.append(number)


def parse_rows(table: list[list[Any]]) -> ImportResult:
    """Validate every row and report every problem of every row; rows about one cooperative become one."""
    result = ImportResult()
    if not table:
        result.problems.append(RowProblem(1, "berkas kosong"))
        return result
    header = [_normalise_header(str(h or "")) for h in table[0]]
    columns = [HEADER_INDEX.get(h) for h in header]
    if "name" not in columns or "type" not in columns:
        result.problems.append(RowProblem(1, "kolom wajib 'nama' (name) dan 'jenis' (type) tidak ditemukan"))
        return result
    type_column = columns.index("type")
    typed: set[int] = set()  # rows with a type cell, known or not (an unknown one is a problem already)
    by_nik: dict[str, ImportRow] = {}
    nameless: list[ImportRow] = []
    for number, raw in enumerate(table[1:], start=2):
        if all(cell is None or str(cell).strip() == "" for cell in raw):
            continue
        cells = {col: raw[i] for i, col in enumerate(columns) if col and i < len(raw)}
        values, problems = _row_values(cells)
        if type_column < len(raw) and str(raw[type_column] or "").strip():
            typed.add(number)
        result.problems.extend(RowProblem(number, reason) for reason in problems)
        if "name" not in values:
            continue
        row = ImportRow([number], values)
        if "nik" not in values:
            nameless.append(row)
        elif values["nik"] in by_nik:
            _merge(by_nik[values["nik"]], row, number, result.problems)
        else:
            by_nik[values["nik"]] = row
            result.rows.append(row)
    by_name: dict[str, list[ImportRow]] = {}
    for row in result.rows:
        by_name.setdefault(row.values["name"].lower(), []).append(row)
    for row in nameless:
        same = by_name.setdefault(row.values["name"].lower(), [])
        if len(same) > 1:
            lines = ", ".join(str(r.line) for r in same)
            reason = f"nama ini ada di baris {lines} dengan NIK berbeda: isi NIK-nya"
            result.problems.append(RowProblem(row.line, reason))
        elif same:
            _merge(same[0], row, row.line, result.problems)
        else:
            same.append(row)
            result.rows.append(row)
    for row in result.rows:
        if "type" not in row.values and not typed & set(row.lines):
            result.problems.append(RowProblem(row.line, f"jenis kosong (pilih: {', '.join(COOPERATIVE_TYPES)})"))
    result.rows.sort(key=lambda r: r.line)
    result.problems.sort(key=lambda p: p.row)
    return result
