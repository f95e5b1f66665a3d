"""Reading the office's list of cooperatives (CSV or XLSX) into validated rows; all or nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TYPES = ("ksp", "usp", "konsumen", "produsen", "pemasaran", "jasa")
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
class ImportResult:
    """Validated rows, or the problems that stop the whole file."""

    rows: list[dict[str, Any]] = field(default_factory=list)
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


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
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


def _row_values(cells: dict[str, Any], default_zone: str) -> dict[str, Any]:
    def text(column: str) -> str:
        value = cells.get(column)
        return "" if value is None else str(value).strip()

    name = text("name")
    if not name:
        raise ValueError("kolom nama kosong")
    raw_type = text("type").lower()
    type_ = TYPE_ALIASES.get(raw_type, raw_type)
    if type_ not in TYPES:
        raise ValueError(f"jenis {text('type')!r} tidak dikenal (pilih: {', '.join(TYPES)})")
    tags = sorted({t.strip().lower() for t in text("tags").replace(";", ",").split(",") if t.strip()})
    zone = ZONE_ALIASES.get(text("timezone").upper(), text("timezone")) or default_zone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"zona waktu {text('timezone')!r} tidak dikenal (WIB, WITA, WIT)") from None
    month_text = text("fiscal_year_start_month") or "1"
    if not month_text.isdigit() or not 1 <= int(month_text) <= 12:
        raise ValueError(f"bulan awal tahun buku {month_text!r} harus 1 sampai 12")
    savings = text("has_savings_unit").lower()
    if savings not in YES | NO:
        raise ValueError(f"unit simpan pinjam {savings!r}: isi ya atau tidak")
    members_text = text("members").replace(".", "")
    if members_text and not members_text.isdigit():
        raise ValueError(f"jumlah anggota {text('members')!r} bukan angka")
    return {
        "name": name,
        "nik": text("nik") or None,
        "legal_entity_number": text("legal_entity_number") or None,
        "type": type_,
        "tags": tags,
        "kecamatan": text("kecamatan") or None,
        "kelurahan": text("kelurahan") or None,
        "timezone": zone,
        "fiscal_year_start_month": int(month_text),
        "rat_date": _date(cells.get("rat_date")),
        "founded_on": _date(cells.get("founded_on")),
        "nik_valid_until": _date(cells.get("nik_valid_until")),
        "ods_updated_on": _date(cells.get("ods_updated_on")),
        "has_savings_unit": savings in YES or type_ == "usp",
        "members": int(members_text) if members_text else None,
        "address": text("address") or None,
    }


def parse_rows(table: list[list[Any]], default_zone: str = "Asia/Jakarta") -> ImportResult:
    """Validate every row; duplicates of NIK (or of name without NIK) within the file are problems too."""
    result = ImportResult()
    if not table:
        result.problems.append(RowProblem(1, "berkas kosong"))
        return result
    header = [_normalise_header(str(h or "")) for h in table[0]]
    columns = [HEADER_INDEX.get(h) for h in header]
    if "name" not in columns or "type" not in columns:
        result.problems.append(RowProblem(1, "kolom wajib 'nama' (name) dan 'jenis' (type) tidak ditemukan"))
        return result
    seen: dict[str, int] = {}
    for number, raw in enumerate(table[1:], start=2):
        if all(cell in (None, "") for cell in raw):
            continue
        cells = {col: raw[i] for i, col in enumerate(columns) if col and i < len(raw)}
        try:
            values = _row_values(cells, default_zone)
        except ValueError as exc:
            result.problems.append(RowProblem(number, str(exc)))
            continue
        key = f"nik:{values['nik']}" if values["nik"] else f"name:{values['name'].lower()}"
        if key in seen:
            result.problems.append(RowProblem(number, f"sama dengan baris {seen[key]} ({key.split(':', 1)[1]})"))
            continue
        seen[key] = number
        if "founded_on" not in columns:  # a list without the column keeps the founding dates recorded before
            del values["founded_on"]
        result.rows.append(values)
    return result
