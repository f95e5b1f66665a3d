"""`kopsehat cooperatives import|list`: the office's list of cooperatives."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import SubParsers, run_with_database, settings_or_exit
from bot.services.cooperative_import import TYPES, RowProblem, parse_rows, read_table
from bot.services.directory import (
    CooperativeRow,
    ImportCounts,
    import_problems,
    list_cooperatives,
    save_cooperatives,
)
from storage.db import Database

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
    lst.add_argument("--type", choices=TYPES, help="only this type")
    lst.add_argument("--tag", help="only with this tag (kkmp, kopontren, ...)")
    lst.add_argument("--kecamatan", help="only in this kecamatan (name)")
    lst.set_defaults(func=_list)


def _import(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    if not args.file.exists():
        print(f"kopsehat: file not found: {args.file}", file=sys.stderr)
        return 2
    try:
        table = read_table(args.file)
    except Exception as exc:  # a damaged or foreign file: say so in one line
        print(f"kopsehat: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    parsed = parse_rows(table)
    new_kecamatan = [name.strip() for given in args.new_kecamatan for name in given.split(",") if name.strip()]

    async def work(db: Database) -> list[RowProblem] | ImportCounts:
        async with db.transaction() as repos:
            found = await import_problems(repos, parsed.rows, args.city, new_kecamatan=new_kecamatan)
            problems = sorted(parsed.problems + found, key=lambda p: p.row)
            if problems or args.dry_run:
                return problems
            return await save_cooperatives(
                repos, parsed.rows, args.city, default_zone=settings.timezone, new_kecamatan=new_kecamatan
            )

    outcome = run_with_database(settings, work)
    if isinstance(outcome, ImportCounts):
        print(
            f"imported {len(parsed.rows)} cooperative(s): {outcome.created} new, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged"
        )
        return 0
    for problem in outcome:
        print(f"{args.file}: {problem}", file=sys.stderr)
    if outcome:
        rows = len({p.row for p in outcome})
        print(f"nothing imported: {len(outcome)} problem(s) in {rows} row(s)", file=sys.stderr)
        return 2
    print(f"{len(parsed.rows)} row(s) OK; nothing imported (--dry-run)")
    return 0


def format_table(rows: list[CooperativeRow]) -> str:
    """A plain-text table that fits a terminal."""
    header = ("ID", "NIK", "NAMA", "JENIS", "TAG", "KECAMATAN", "KELURAHAN")
    lines = [
        (
            str(r.cooperative.id),
            r.cooperative.nik or "-",
            r.cooperative.name,
            r.cooperative.type,
            ",".join(r.cooperative.tags or []) or "-",
            r.kecamatan or "-",
            r.kelurahan or "-",
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    out.append(f"{len(rows)} koperasi")
    return "\n".join(out)


def _list(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def work(db: Database) -> list[CooperativeRow] | None:
        async with db.transaction() as repos:
            if args.kecamatan and await repos.regions.find("kecamatan", args.kecamatan) is None:
                return None  # a typo, not a kecamatan without cooperatives
            return await list_cooperatives(repos, type_=args.type, tag=args.tag, kecamatan=args.kecamatan)

    rows = run_with_database(settings, work)
    if rows is None:
        print(f"kopsehat: no kecamatan named {args.kecamatan!r}", file=sys.stderr)
        return 2
    print(format_table(rows))
    return 0
