"""`kopsehat report-status` (who reported a period, on time, per kecamatan) and `kopsehat outbox status`."""

from __future__ import annotations

import argparse
import sys
from zoneinfo import ZoneInfo

from bot.cli.common import run_with_database, settings_or_exit
from bot.domain.periods import Period, reporting_period_for
from bot.services import exports, reporting_status
from bot.services.cycle import CyclePlan, RecapCounts, plan_from_settings, recap
from bot.words import render
from storage.db import Database
from storage.models import utcnow
from storage.repositories import Repositories


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


def report_status(args: argparse.Namespace) -> int:
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


def outbox_status(args: argparse.Namespace) -> int:
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
