"""`kopsehat demo`: its arguments."""

from __future__ import annotations

import argparse

from bot.cli.parsers.shared import SubParsers
from bot.domain.names import DEMO_CITY


def register(subparsers: SubParsers) -> None:
    """Add the `demo` command."""
    parser = subparsers.add_parser(
        "demo",
        help="load a synthetic demo city (192 cooperatives)",
        description=(
            f"Load '{DEMO_CITY}': 192 synthetic cooperatives (43 KSP, 95 konsumen, 21 produsen, 7 pemasaran, 1 jasa, "
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
    from bot.cli import demo

    return demo.run(args)
