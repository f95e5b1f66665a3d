"""`kopsehat reports template` (a cooperative's report workbook) and `kopsehat reports import` (filled ones)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.chat import workbook_words
from bot.cli.common import run_with_database, settings_or_exit
from bot.domain.periods import Period, reporting_period_for
from bot.runtime import load_assessment_rules
from bot.services import Services
from bot.services.workbooks import MAX_BYTES, Imported, Refusal
from bot.words import render
from storage.db import Database
from storage.models import utcnow


def template(args: argparse.Namespace) -> int:
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


def import_workbooks(args: argparse.Namespace) -> int:
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
