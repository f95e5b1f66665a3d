"""`kopsehat demo`: load a synthetic demo city to try everything at once."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime

from bot.cli.common import SubParsers, run_with_database, settings_or_exit
from bot.config import Settings
from bot.services.demo import DemoCounts, DemoWords, load_demo
from bot.services.demo_city import CITY
from bot.services.province import ProvinceCounts, load_province, settle
from bot.words import render
from storage.db import Database


def register(subparsers: SubParsers) -> None:
    """Add the `demo` command."""
    parser = subparsers.add_parser(
        "demo",
        help="load a synthetic demo city (192 cooperatives)",
        description=(
            f"Load '{CITY}': 192 synthetic cooperatives (43 KSP, 95 konsumen, 21 produsen, 7 pemasaran, 1 jasa, "
            "18 KKMP, 7 kopontren; 121 of the non-KSP with a savings unit) over 3 kecamatan and 18 kelurahan, two "
            "officers each, scored by the real scorer into the seeds' city: latest categories 19 Sehat, "
            "68 Cukup Sehat, 32 Dalam Pengawasan, 45 Dalam Pengawasan Khusus, 28 never reported. A year of monthly "
            "reports for 41 of them (rising and falling), three months for the others, dated from today: no report "
            "is submitted in the future, so before the 12th some of last month's have not arrived yet (they wait "
            "for review), and DEMO-0040's never does (`kopsehat chat --cooperative DEMO-0040`, then `lapor`, sends "
            "it). A pembina (login demo.pembina) has verified some of the month before, sent 4 back, opened "
            "action plans (some overdue) and held 3 trainings with attendance. All names are made up; NIKs start "
            "with DEMO-. Running it again adds nothing twice (on a later day it adds the reports that have arrived "
            "since)."
        ),
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument(
        "--cooperatives",
        type=int,
        metavar="N",
        help="instead of the city, a synthetic province of N cooperatives (e.g. 30000): kabupaten, kecamatan and "
        "kelurahan in proportion, three officers each with Telegram and WhatsApp accounts, monthly reports with "
        "scores, trainings and announcements, written set-based (NIKs start with DEMOP-); on PostgreSQL the tables "
        "it writes are locked while it loads and their secondary indexes and keys made again after it: meant for a "
        "demo or benchmark database, not a live one. It prints where the time went",
    )
    parser.add_argument(
        "--periods", type=int, default=12, metavar="P", help="monthly periods of the province (default 12)"
    )
    parser.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    now = datetime.now(settings.zone)
    if args.cooperatives is not None:
        return _province(args, settings, now)

    async def work(db: Database) -> DemoCounts:
        async with db.transaction() as repos:
            return await load_demo(repos, now, seed=args.seed, words=demo_words(settings.language))

    counts = run_with_database(settings, work)
    print(
        f"demo city loaded: {counts.cooperatives} cooperatives, {counts.officers} new officers, "
        f"{counts.reports} new monthly reports. Try: kopsehat cooperatives list"
    )
    return 0


def demo_words(language: str) -> DemoWords:
    """What the demo's pembina writes, in the office's language."""
    return DemoWords(
        reasons=tuple(render.text(language, "demo.sent_back", number=n) for n in range(4)),
        plans=tuple(
            (render.text(language, "demo.plan_what", number=n), render.text(language, "demo.plan_who", number=n))
            for n in range(4)
        ),
        trainings=tuple(render.text(language, "demo.training", number=n) for n in range(3)),
        venue=render.text(language, "demo.venue"),
    )


def announcements(settings: Settings) -> list[str]:
    """The demo's announcements, in the office's language."""
    return [render.text(settings.language, "demo.announcement", number=n) for n in range(1, 7)]


def _province(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    if not 1 <= args.cooperatives <= 200_000 or not 1 <= args.periods <= 120:
        print("kopsehat: --cooperatives must be 1 to 200000 and --periods 1 to 120", file=sys.stderr)
        return 2
    started = time.perf_counter()

    async def work(db: Database) -> ProvinceCounts:
        async with db.transaction() as repos:
            counts = await load_province(
                repos, now, args.cooperatives, args.periods, seed=args.seed, announcements=announcements(settings)
            )
        if counts.cooperatives:
            vacuumed = time.perf_counter()
            await settle(db)
            counts.seconds["vacuum"] = time.perf_counter() - vacuumed
        return counts

    counts = run_with_database(settings, work)
    if counts.cooperatives == 0:
        print("the demo province is already loaded; nothing added")
        return 0
    print(
        f"demo province loaded in {time.perf_counter() - started:.0f} s: {counts.cooperatives} cooperatives, "
        f"{counts.officers} officers, {counts.reports} monthly reports, {counts.assessments} assessments"
    )
    print("where the time went: " + ", ".join(f"{step} {spent:.0f} s" for step, spent in counts.seconds.items()))
    return 0
