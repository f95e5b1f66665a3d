"""`kopsehat reports template` (a cooperative's report workbook) and `kopsehat reports import` (filled ones)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.chat import workbook_words
from bot.cli.common import SubParsers, run_with_database, settings_or_exit
from bot.domain.periods import Period, reporting_period_for
from bot.runtime import load_assessment_rules
from bot.services import Services
from bot.services.workbooks import MAX_BYTES, Imported, Refusal
from bot.words import render
from storage.db import Database
from storage.models import utcnow


def register(subparsers: SubParsers) -> None:
    """Add the `reports` command."""
    parser = subparsers.add_parser(
        "reports",
        help="the report workbook (XLSX): write a cooperative's, import filled ones",
        description="The monthly report as an Excel workbook (sheet Laporan), the same one `template` sends in chat.",
    )
    actions = parser.add_subparsers(dest="reports_command", metavar="ACTION", required=True)
    template = actions.add_parser(
        "template",
        help="write a cooperative's report workbook",
        description=(
            "Write the workbook of one cooperative: one row per figure (key in hidden column A, label in B, value "
            "in C, last period in D), then the management and compliance items (ya/tidak). The draft (or the sent "
            "report) and the stored yearly answers are filled in. The NIK and period are in the workbook."
        ),
    )
    template.add_argument("--cooperative", required=True, metavar="NIK", help="the cooperative's NIK")
    template.add_argument("--period", help="YYYY-MM (default: the month being reported now)")
    template.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx", help="where to write it")
    template.set_defaults(func=_template)
    importing = actions.add_parser(
        "import",
        help="import filled workbooks of past periods as submitted reports",
        description=(
            "Import filled workbooks (the office's archive) as submitted revisions, each file all or nothing: a "
            "file with any unusable cell or books that do not add up is not imported, and every problem is listed. "
            "The cooperative and period are read from the workbook; the yearly answers in it are not taken. Exit "
            "status 1 when any file was refused."
        ),
    )
    importing.add_argument("files", nargs="+", type=Path, metavar="FILE.xlsx")
    importing.add_argument("--dry-run", action="store_true", help="check every file, store nothing")
    importing.set_defaults(func=_import)


def _template(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    lang = settings.language
    try:
        period = Period.parse(args.period) if args.period else reporting_period_for(utcnow(), settings.zone)
    except ValueError:
        print(f"kopsehat: --period must look like 2026-10, not {args.period!r}", file=sys.stderr)
        return 2
    rules = load_assessment_rules(settings)

    async def work(db: Database) -> int:
        async with db.transaction() as repos:
            cooperative = await repos.cooperatives.by_nik(args.cooperative)
            if cooperative is None:
                print(f"kopsehat: no cooperative with NIK {args.cooperative!r}", file=sys.stderr)
                return 2
            words = workbook_words.template_words(lang, cooperative.name, period)
            data = await Services(repos, rules).workbooks.template(cooperative.id, period, words, lang)
            name = cooperative.name
        try:
            args.out.write_bytes(data)
        except OSError as exc:
            print(f"kopsehat: --out: {exc.strerror or exc}: {args.out}", file=sys.stderr)
            return 2
        print(render.text(lang, "workbook.written", path=str(args.out), cooperative=name, period=str(period)))
        return 0

    return run_with_database(settings, work)


def _import(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    lang = settings.language
    rules = load_assessment_rules(settings)
    reason = render.text(lang, "workbook.archive_reason")

    async def one(db: Database, path: Path) -> bool:
        try:
            with path.open("rb") as file:
                data = file.read(MAX_BYTES + 1)
        except OSError as exc:
            print(f"kopsehat: {path}: {exc.strerror or exc}", file=sys.stderr)
            return False
        async with db.transaction() as repos:  # one file, one transaction: all or nothing
            found = await Services(repos, rules).workbooks.import_archive(
                data, at=utcnow(), reason=reason, dry_run=args.dry_run
            )
        if isinstance(found, Refusal):
            lines = [workbook_words.refusal(found, lang)]
        elif isinstance(found, Imported):
            loaded, revision = found.loaded, found.submission.revision
            print(
                render.text(
                    lang,
                    "workbook.imported",
                    path=str(path),
                    cooperative=loaded.cooperative_name,
                    period=str(loaded.period),
                    revision=revision,
                )
            )
            return True
        elif found.clean:
            print(
                render.text(
                    lang,
                    "workbook.checked_ok",
                    path=str(path),
                    cooperative=found.cooperative_name,
                    period=str(found.period),
                    count=len(found.answers),
                )
            )
            return True
        else:
            lines = workbook_words.problem_lines(found, lang)
        print(render.text(lang, "workbook.file_problems", path=str(path), lines=lines))
        return False

    async def work(db: Database) -> int:
        results = [await one(db, path) for path in args.files]
        print(
            render.text(
                lang, "workbook.totals", imported=sum(results), refused=results.count(False), dry_run=args.dry_run
            )
        )
        return 0 if all(results) else 1

    return run_with_database(settings, work)
