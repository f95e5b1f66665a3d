"""`kopsehat reports template|import`: their arguments."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.parsers.shared import SubParsers


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
    from bot.cli import reports

    return reports.template(args)


def _import(args: argparse.Namespace) -> int:
    from bot.cli import reports

    return reports.import_workbooks(args)
