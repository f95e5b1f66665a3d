"""`kopsehat report-status` and `kopsehat outbox status`: their arguments."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.parsers.shared import SubParsers


def register(subparsers: SubParsers) -> None:
    """Add the `report-status` and `outbox` commands."""
    parser = subparsers.add_parser(
        "report-status",
        help="who reported a period, and on time (completeness and timeliness)",
        description=(
            "Completeness (share of cooperatives that reported) and timeliness (share that reported by the "
            "deadline, KOPSEHAT_REPORT_DEADLINE_DAY) for a period, for the city and per kecamatan. --format csv "
            "and xlsx give one row per cooperative for Excel (NIK, name, kecamatan, when the report came in the "
            "cooperative's local time, on time, score and category; headers in KOPSEHAT_LANGUAGE): CSV separated by "
            "';' with a UTF-8 byte order mark, to standard output or --out; XLSX to --out."
        ),
    )
    parser.add_argument("--period", help="YYYY-MM (default: the month being reported now)")
    parser.add_argument("--kecamatan", help="only this kecamatan (name)")
    parser.add_argument("--format", choices=("text", "csv", "xlsx"), default="text")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write the CSV or XLSX to FILE (xlsx needs it)")
    parser.set_defaults(func=_report_status)

    outbox = subparsers.add_parser("outbox", help="the outbox: what is waiting and why", description="The outbox.")
    actions = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    status = actions.add_parser(
        "status",
        help="messages per status, and those waiting or failed with their reasons",
        description="Messages per status; those waiting (e.g. for WhatsApp's daily limit) or failed, with why.",
    )
    status.add_argument("--limit", type=int, default=20, help="how many waiting/failed reasons to show (default 20)")
    status.set_defaults(func=_outbox_status)


def _report_status(args: argparse.Namespace) -> int:
    from bot.cli import report_status

    return report_status.report_status(args)


def _outbox_status(args: argparse.Namespace) -> int:
    from bot.cli import report_status

    return report_status.outbox_status(args)
