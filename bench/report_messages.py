"""How many messages an officer sends for a KSP's monthly report in chat: the first report and the next month's.

Usage: python bench/report_messages.py [--backend sqlite|postgresql]
Drives the real dispatcher on a fresh database (PostgreSQL from KOPSEHAT_TEST_DATABASE_URL): an officer registers
with an invitation, types every figure of October (the management questionnaire and compliance facts answered once),
and sends it; a month later types November's figures (each 10% up: the books still balance), confirms each
management sub-aspect with "Masih sama", and sends. Every message the officer sends from "lapor" to the thanks counts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import fresh_database
from bot.domain import forms
from bot.domain.numbers import AmountProblem, parse_amount, to_plain
from storage.db import Database
from tests.handlers.chat import KSP_VALUES, Clock, User, answer_for, dispatcher, registered, report_state


async def one_report(db: Database, user: User, values: dict[str, str]) -> int:
    """Messages the officer sends for one report, from "lapor" to the thanks."""
    form = forms.load_form()
    await user.say("lapor")
    sent = 1
    for _ in range(500):
        stage, key = await report_state(db, user)
        if "sudah kami terima" in user.text:
            return sent
        if stage == "summary":
            await user.press("submit")
        elif stage == "confirm_change":
            await user.press("yes")
        elif stage == "confirm_group":
            await user.press("still")
        else:
            assert key is not None, user.text
            await user.say(answer_for(form.question(key), values))
        sent += 1
    raise AssertionError(f"the report was not sent: {user.text}")


def grown(values: dict[str, str], factor: Decimal) -> dict[str, str]:
    """Every amount times `factor`: a month on, the same books, a little larger."""
    found = {}
    for key, typed in values.items():
        amount = parse_amount(typed)
        found[key] = typed if isinstance(amount, AmountProblem) else to_plain(amount * factor).replace(".", ",")
    return found


async def run(db: Database) -> tuple[int, int]:
    clock = Clock()
    siti = await registered(db, dispatcher(db, clock))
    first = await one_report(db, siti, KSP_VALUES)
    clock.advance(days=30)
    return first, await one_report(db, siti, grown(KSP_VALUES, Decimal("1.1")))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    url = os.environ.get("KOPSEHAT_TEST_DATABASE_URL") if args.backend == "postgresql" else None
    if args.backend == "postgresql" and not url:
        parser.error("KOPSEHAT_TEST_DATABASE_URL is not set")
    async with fresh_database(url) as db:
        first, following = await run(db)
    print(f"officer messages for a KSP's monthly report in chat: first {first}, next month {following}")


if __name__ == "__main__":
    asyncio.run(main())
