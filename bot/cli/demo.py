"""`kopsehat demo`: load a synthetic demo city to try everything at once."""

from __future__ import annotations

import argparse
from datetime import datetime

from bot.cli.common import SubParsers, run_with_database, settings_or_exit
from bot.services.demo import CITY, DemoCounts, load_demo
from storage.db import Database


def register(subparsers: SubParsers) -> None:
    """Add the `demo` command."""
    parser = subparsers.add_parser(
        "demo",
        help="load a synthetic demo city (about 190 cooperatives)",
        description=(
            f"Load '{CITY}': about 190 synthetic cooperatives (43 KSP, 93 konsumen, 21 produsen, 7 pemasaran, "
            "1 jasa, 18 KKMP, 7 kopontren) over 3 kecamatan and 18 kelurahan, two officers each, and a year of "
            "monthly figures for some of them, dated from today: no report is submitted in the future, so before "
            "the 12th some of last month's reports have not arrived yet. All names are made up; NIKs start with "
            "DEMO-. Running it again adds nothing twice (on a later day it adds the reports that have arrived since)."
        ),
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    now = datetime.now(settings.zone)

    async def work(db: Database) -> DemoCounts:
        async with db.transaction() as repos:
            return await load_demo(repos, now, seed=args.seed)

    counts = run_with_database(settings, work)
    print(
        f"demo city loaded: {counts.cooperatives} cooperatives, {counts.officers} new officers, "
        f"{counts.reports} new monthly reports. Try: kopsehat cooperatives list"
    )
    return 0
