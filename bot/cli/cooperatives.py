"""`kopsehat cooperatives import|list`: the office's list of cooperatives."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import run_with_database, settings_or_exit
from bot.services.cooperative_import import RowProblem, parse_rows, read_table
from bot.services.directory import (
    CooperativeRow,
    ImportCounts,
    UnknownKecamatan,
    import_problems,
    list_cooperatives,
    save_cooperatives,
)
from storage.db import Database


def import_file(args: argparse.Namespace) -> int:
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


def listing(args: argparse.Namespace) -> int:
    settings = settings_or_exit()

    async def work(db: Database) -> list[CooperativeRow]:
        async with db.transaction() as repos:
            return await list_cooperatives(repos, type_=args.type, tag=args.tag, kecamatan=args.kecamatan)

    try:
        rows = run_with_database(settings, work)
    except UnknownKecamatan:
        print(f"kopsehat: no kecamatan named {args.kecamatan!r}", file=sys.stderr)
        return 2
    print(format_table(rows))
    return 0
