"""`kopsehat report-status` (who reported a period, on time, per kecamatan) and `kopsehat outbox status`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.common import SubParsers, run_with_database, settings_or_exit
from bot.domain.periods import Period, reporting_period_for
from bot.scheduler import plan_from_settings
from bot.services import exports, reporting_status
from bot.services.cycle import CyclePlan, RecapCounts, recap
from bot.words import render
from storage.db import Database
from storage.models import utcnow
from storage.repositories import Repositories


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


def print_counts(counts: RecapCounts, area: str | None) -> None:
    """The heading, the whole area's counts and (more than one kecamatan) the table per kecamatan."""
    summary = counts.whole
    heading = f"{counts.period} ({counts.period.label('id')})" + (f", kecamatan {area}" if area else "")
    print(heading)
    print(
        f"reported: {summary.reported} of {summary.total} ({summary.completeness}%)  "
        f"on time: {summary.on_time} ({summary.timeliness}%)  missing: {summary.missing}"
    )
    if len(counts.areas) > 1:
        print("\nkecamatan                      reported  total  completeness  on time  timeliness")
        for a in counts.areas:
            print(
                f"{a.kecamatan[:30]:<30} {a.reported:>8} {a.total:>6} {a.completeness:>12}% "
                f"{a.on_time:>8} {a.timeliness:>10}%"
            )


async def print_text(repos: Repositories, period: Period, plan: CyclePlan, region: tuple[int, str] | None) -> None:
    """The period's counts, then every cooperative that did not report (name order), written as they are read."""
    scope = region[0] if region else None
    counts = await reporting_status.counts(repos, period, plan, scope)
    print_counts(counts, region[1] if region else None)
    if counts.whole.missing:
        print("\nnot reported:")
        async for part in reporting_status.not_reported(repos, period, scope):
            sys.stdout.write("".join(f"  {name} ({kecamatan})\n" for name, kecamatan in part))


def _report_status(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    plan: CyclePlan = plan_from_settings(settings)
    try:
        period = Period.parse(args.period) if args.period else reporting_period_for(utcnow(), settings.zone)
    except ValueError:
        print(f"kopsehat: --period must look like 2026-10, not {args.period!r}", file=sys.stderr)
        return 2

    if args.format == "xlsx" and args.out is None:
        print("kopsehat: --format xlsx needs --out FILE (e.g. --out status-2026-10.xlsx)", file=sys.stderr)
        return 2

    async def work(db: Database) -> int:
        async with db.transaction() as repos:
            region = await repos.regions.find("kecamatan", args.kecamatan) if args.kecamatan else None
            if args.kecamatan and region is None:
                print(f"kopsehat: no kecamatan named {args.kecamatan!r}", file=sys.stderr)
                return 2
            if args.format == "text":
                await print_text(repos, period, plan, (region.id, region.name) if region else None)
                return 0
            summary = await recap(repos, period, plan, region.id if region else None)
            headers, rows = await exports.report_status_table(repos, summary, settings.language)
        if args.format == "csv":
            data = exports.csv_bytes(headers, rows)
        else:
            title = render.text(settings.language, "exports.report_status_sheet") + f" {summary.period}"
            data = exports.xlsx_bytes(title, headers, rows)
        if args.out is None:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            try:
                args.out.write_bytes(data)
            except OSError as exc:
                print(f"kopsehat: --out: {exc.strerror or exc}: {args.out}", file=sys.stderr)
                return 2
            print(f"{len(rows)} cooperatives written to {args.out}")
        return 0

    return run_with_database(settings, work)


def _outbox_status(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    zone = ZoneInfo(settings.timezone)

    async def work(db: Database) -> int:
        async with db.transaction() as repos:
            counts = await repos.outbox.count_by_status()
            reasons = await repos.outbox.problems(max(1, args.limit))
            nxt = await repos.outbox.next_waiting_at()
        print("  ".join(f"{status}: {count}" for status, count in sorted(counts.items())) or "the outbox is empty")
        if nxt is not None:
            print(f"next waiting message goes at {nxt.astimezone(zone).isoformat(timespec='minutes')}")
        for status, kind, error, count in reasons:
            print(f"  {count:>6}  {status:<14} {kind:<18} {error or ''}")
        return 0

    return run_with_database(settings, work)
