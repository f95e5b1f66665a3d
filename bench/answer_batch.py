"""CPU of one steady dispatch batch: 16 officers mid-report, each answering the next question, as one batch
(`Dispatcher.handle_many`, as the webhook's queue hands them over), in process; checkouts side by side.

Usage: python bench/answer_batch.py /work/main . [--rounds 3] [--batches 40]
Each round runs each checkout in turn (its own .venv, its own code, a fresh database from KOPSEHAT_TEST_DATABASE_URL,
else SQLite): the officers registered and their report opened, then --batches batches (the answers asked in order, as
bench/dispatch_bench.py gives them); printed: the median and mean CPU of a batch (time.process_time) after the first
three, and the second checkout's median over the first's, with the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

OFFICERS = 16


async def measure(batches: int) -> tuple[float, float]:
    """This checkout's (the working directory's) median and mean CPU of a batch, in ms."""
    sys.path.insert(0, os.getcwd())
    from bench.common import fresh_database
    from bench.dispatch_bench import QUESTIONS
    from bot.chat.messages import Address, Inbound
    from tests.handlers.chat import KSP_VALUES, NOW, answer_for, dispatcher, mid_report

    async with fresh_database(os.environ.get("KOPSEHAT_TEST_DATABASE_URL")) as db:
        d = dispatcher(db)
        people = [f"b{n}" for n in range(OFFICERS)]
        await mid_report(db, d, people, "35760199")
        cpu = []
        for k in range(batches):
            text = answer_for(QUESTIONS[k % 30], KSP_VALUES)  # the balance sheet's amounts, in order
            at = NOW + timedelta(seconds=k + 1)
            batch = [Inbound(Address("console", p), f"{p}-{k}", at, kind="text", text=text) for p in people]
            started = time.process_time()
            await d.handle_many(batch)
            cpu.append(time.process_time() - started)
    steady = cpu[3:]
    return statistics.median(steady) * 1000, statistics.mean(steady) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", nargs="*", default=["."])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        median, mean = asyncio.run(measure(args.batches))
        print(f"{median:.3f} {mean:.3f}")
        return
    for n in range(1, args.rounds + 1):
        medians = []
        for checkout in args.checkouts:
            path = Path(checkout).resolve()
            command = [str(path / ".venv/bin/python"), __file__, "--one", "--batches", str(args.batches)]
            out = subprocess.run(command, cwd=path, capture_output=True, text=True, check=True).stdout.split()
            medians.append(float(out[-2]))
            load = os.getloadavg()[0]
            print(
                f"round {n} {path.name}: median {out[-2]} ms, mean {out[-1]} ms a batch of {OFFICERS} (load {load:.1f})"
            )
        if len(medians) > 1:
            print(f"round {n}: {' / '.join(f'{m / medians[0]:.2f}x' for m in medians[1:])} of the first's median")


if __name__ == "__main__":
    main()
