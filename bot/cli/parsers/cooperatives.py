"""`kopsehat cooperatives import|list`: their arguments and the columns an import reads."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.parsers.shared import SubParsers
from bot.domain.names import COOPERATIVE_TYPES

IMPORT_EPILOG = """\
Columns (Indonesian or English headers; only nama and jenis are required):
  nama (name), nik, badan_hukum (legal_entity_number), jenis (type: ksp, usp, konsumen, produsen,
  pemasaran, jasa), tag (tags: e.g. "kkmp, kopontren"), kecamatan (district), kelurahan/desa (village),
  zona_waktu (timezone: WIB, WITA, WIT or Asia/Jakarta...), bulan_awal_tahun_buku (1-12),
  tanggal_rat (rat_date), nik_berlaku_sampai (nik_valid_until), ods_diperbarui (ods_updated_on),
  tanggal_berdiri (founded_on: a cooperative under 12 months old is scored as "koperasi baru"; a file
  without this column keeps the dates recorded before), unit_simpan_pinjam (has_savings_unit: ya/tidak),
  jumlah_anggota (members), alamat (address).
Dates as 2026-03-31 or 31/03/2026.

Each row is matched to a stored cooperative by NIK, otherwise by name; a row with a NIK also matches
a cooperative known by name only (it gets the NIK). A blank cell never erases a stored value, so
importing the same file again changes nothing. Rows of one file about the same cooperative (same
NIK, or same name where one has no NIK) are one cooperative and must not contradict each other.

A kecamatan must be known in --city already; a name that is not is an error naming the closest
known ones (a typo never makes a second kecamatan). For the first import of a city, or a kecamatan
that is really new, name it: --new-kecamatan "Magersari" (repeat, or separate with commas).
Kelurahan/desa are added under their kecamatan as they come.

Every problem of every row is listed at once (row numbers as the spreadsheet shows them), and
then nothing is imported."""


def register(subparsers: SubParsers) -> None:
    """Add the `cooperatives` command."""
    parser = subparsers.add_parser(
        "cooperatives", help="import and list cooperatives", description="The office's list of cooperatives."
    )
    actions = parser.add_subparsers(dest="cooperatives_command", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import",
        help="import or update cooperatives from a CSV or XLSX file",
        description="Import or update cooperatives from a CSV or XLSX file (all rows or none).",
        epilog=IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("file", type=Path, help="a .csv (comma or semicolon) or .xlsx file")
    imp.add_argument("--city", default="Kota Mojokerto", help="the kota/kabupaten (default: Kota Mojokerto)")
    imp.add_argument(
        "--new-kecamatan",
        action="append",
        default=[],
        metavar="NAME",
        help="a kecamatan the city does not have yet, to be created (repeat it, or separate names with commas)",
    )
    imp.add_argument("--dry-run", action="store_true", help="check the file and report, import nothing")
    imp.set_defaults(func=_import)
    lst = actions.add_parser("list", help="print cooperatives as a table", description="Print cooperatives.")
    lst.add_argument("--type", choices=COOPERATIVE_TYPES, help="only this type")
    lst.add_argument("--tag", help="only with this tag (kkmp, kopontren, ...)")
    lst.add_argument("--kecamatan", help="only in this kecamatan (name)")
    lst.set_defaults(func=_list)


def _import(args: argparse.Namespace) -> int:
    from bot.cli import cooperatives

    return cooperatives.import_file(args)


def _list(args: argparse.Namespace) -> int:
    from bot.cli import cooperatives

    return cooperatives.listing(args)
