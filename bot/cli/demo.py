"""`kopsehat demo`: load a synthetic demo city to try everything at once."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime

from bot.cli.common import run_with_database, settings_or_exit
from bot.config import Settings
from bot.services.demo import DemoCounts, DemoWords, load_demo
from bot.services.province import ProvinceCounts, load_province, settle
from bot.words import render
from storage.db import Database


def run(args: argparse.Namespace) -> int:
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
