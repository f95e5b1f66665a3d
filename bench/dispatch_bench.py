"""Officers completing monthly reports through dispatch: messages per second and latency per message.

Usage: python bench/dispatch_bench.py [--officers 1000] [--concurrency 50] [--backend sqlite|postgresql|both]
Also printed: this process's CPU per message (time.process_time, so dispatch and the database driver, not PostgreSQL),
and the statements and transactions per message (counted with SQLAlchemy's engine events).
PostgreSQL is taken from KOPSEHAT_TEST_DATABASE_URL (a fresh schema, dropped afterwards).
Each officer's cooperative has recent management answers on file, so the report is the monthly one: the balance
sheet, loans and surplus sections, "Masih sama" for each management sub-aspect, the summary, and "Kirim" (about 46
messages), then scoring.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bench.common import fresh_database
from bot.chat.context import BotInfo
from bot.chat.dispatch import Dispatcher
from bot.chat.messages import Address, Inbound
from bot.domain import forms, report_checks
from handlers import router
from storage.db import Database
from tests.handlers.chat import KSP_VALUES, NOW, Clock, answer_for


async def seed(db: Database, officers: int) -> None:
    """Cooperatives, officers and their console identities, with management answers on file."""
    management = {q.key: True for q in forms.load_form().questions if q.key.startswith(("management.", "compliance."))}
    async with db.transaction() as repos:
        for n in range(officers):
            coop, _ = await repos.cooperatives.upsert({"name": f"KSP Bench {n}", "nik": f"B{n:06d}", "type": "ksp"})
            officer = await repos.officers.add(coop.id, f"Officer {n}", "bendahara")
            identity = await repos.identities.get_or_create("console", f"o{n}")
            identity.officer_id = officer.id
            await repos.management.save(coop.id, management, NOW, officer.id)


QUESTIONS = [  # asked in this order; the computed ones (total assets, SHU kotor, ...) are never asked
    q
    for q in forms.questions_for(forms.load_form(), forms.Profile("ksp"), False, False)
    if q.key not in report_checks.derivable(forms.questions_for(forms.load_form(), forms.Profile("ksp"), False))
]


async def officer(d: Dispatcher, n: int, latencies: list[float]) -> int:
    """One officer's whole report (questions in order, big changes kept, then Kirim); messages sent."""
    sent = 0
    answers = iter(QUESTIONS)
    text: str | None = "lapor"
    choice: str | None = None
    while True:
        inbound = Inbound(
            Address("console", f"o{n}"),
            f"o{n}-{sent}",
            NOW,
            kind="choice" if choice else "text",
            text=text or "",
            choice=choice,
        )
        started = time.perf_counter()
        result = await d.handle(inbound)
        latencies.append(time.perf_counter() - started)
        sent += 1
        ids = [c.id for r in result.replies for c in r.choices]
        if any(r.text.startswith("Terima kasih") for r in result.replies):
            return sent
        if "lapor:submit" in ids:
            text, choice = None, "lapor:submit"
        elif "lapor:yes" in ids and "lapor:no" in ids:
            text, choice = None, "lapor:yes"
        elif "lapor:still" in ids:  # last year's management answers: still the same
            text, choice = None, "lapor:still"
        else:
            text, choice = answer_for(next(answers), KSP_VALUES), None


async def run(db: Database, officers: int, concurrency: int) -> dict[str, float]:
    await seed(db, officers)
    d = Dispatcher(db, BotInfo(), router, clock=Clock())
    latencies: list[float] = []
    queue = list(range(officers))
    messages = 0
    counted = {"statements": 0, "transactions": 0}

    def statement(*_: object) -> None:
        counted["statements"] += 1

    def transaction(*_: object) -> None:
        counted["transactions"] += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", statement)
    event.listen(db.engine.sync_engine, "commit", transaction)

    async def worker() -> None:
        nonlocal messages
        while queue:
            count = await officer(d, queue.pop(), latencies)
            messages += count

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    event.remove(db.engine.sync_engine, "before_cursor_execute", statement)
    event.remove(db.engine.sync_engine, "commit", transaction)
    ordered = sorted(latencies)
    return {
        "messages": messages,
        "seconds": elapsed,
        "per_second": messages / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "cpu_ms": cpu / messages * 1000,
        "statements": counted["statements"] / messages,
        "transactions": counted["transactions"] / messages,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--officers", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        url = os.environ.get("KOPSEHAT_TEST_DATABASE_URL") if backend == "postgresql" else None
        if backend == "postgresql" and not url:
            print("postgresql: skipped (set KOPSEHAT_TEST_DATABASE_URL)")
            continue
        async with fresh_database(url) as db:
            stats = await run(db, args.officers, args.concurrency)
        print(
            f"{backend:10s} officers={args.officers} messages={stats['messages']:.0f} "
            f"time={stats['seconds']:.1f}s rate={stats['per_second']:.0f} msg/s "
            f"p50={stats['p50_ms']:.1f} ms p99={stats['p99_ms']:.1f} ms cpu={stats['cpu_ms']:.2f} ms/msg "
            f"statements={stats['statements']:.2f}/msg transactions={stats['transactions']:.2f}/msg"
        )


if __name__ == "__main__":
    asyncio.run(main())
