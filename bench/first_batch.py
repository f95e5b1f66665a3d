"""A round's first batch (bench/tail_split.py's first message): N officers linked beforehand (an account, no
conversation yet, as bench/peer_compare.py seeds them) sending /lapor at once, handled as one batch by the real
`Dispatcher`, in-process. Two checkouts side by side, rounds alternating, each in its own process with its own .venv
and code, on a fresh database each time: the statements the batch sends and its wall and CPU time.

    .venv/bin/python bench/first_batch.py /work/main . --rounds 3

PostgreSQL: KOPSEHAT_TEST_DATABASE_URL (a new schema each time, dropped after); SQLite without it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


async def measure(users: int) -> dict[str, float]:
    """In this process (the checkout's code first on sys.path): one first batch of `users` /lapor."""
    from sqlalchemy import event

    from bench.common import fresh_database
    from bot.chat.context import BotInfo
    from bot.chat.dispatch import Dispatcher
    from bot.chat.messages import Address, Inbound
    from handlers import router
    from storage.models import utcnow

    async with fresh_database(os.environ.get("KOPSEHAT_TEST_DATABASE_URL") or None) as db:
        chats = [str(70_000 + n) for n in range(users)]
        async with db.transaction() as repos:
            for chat in chats:
                coop, _ = await repos.cooperatives.upsert({"name": f"KSP {chat}", "nik": f"P{chat}", "type": "ksp"})
                officer = await repos.officers.add(coop.id, f"Petugas {chat}", "bendahara")
                identity = await repos.identities.get_or_create("telegram", chat)
                identity.officer_id = officer.id
        dispatcher = Dispatcher(db, BotInfo(), router)
        now = utcnow()
        said = [Inbound(Address("telegram", c), f"u:{c}", now, "text", text="/lapor", display_name="U") for c in chats]
        sent: list[str] = []
        note: Any = lambda *args: sent.append(args[2])  # noqa: E731
        event.listen(db.engine.sync_engine, "before_cursor_execute", note)
        wall, cpu = time.perf_counter(), time.process_time()
        results = await dispatcher.handle_many(said)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        event.remove(db.engine.sync_engine, "before_cursor_execute", note)
        assert all(r.replies for r in results)
        return {"statements": len(sent), "wall_ms": wall * 1e3, "cpu_ms": cpu * 1e3}


def in_checkout(root: Path, users: int) -> dict[str, float]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's bench, in the driver only
    from bench.common import measured_in

    result: dict[str, float] = measured_in(root, __file__, str(users))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first", type=Path, nargs="?")
    parser.add_argument("second", type=Path, nargs="?")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure))))
        return
    if args.first is None or args.second is None:
        parser.error("two checkouts")
    roots = [args.first, args.second]
    print(f"{args.users} linked officers' first /lapor as one batch: statements, wall ms, CPU ms")
    for n in range(args.rounds):
        for root in roots if n % 2 == 0 else roots[::-1]:
            seen = in_checkout(root, args.users)
            print(
                f"  round {n + 1} (load {os.getloadavg()[0]:.1f}) {root.resolve().name:>10}: "
                f"{seen['statements']:4.0f} statements, {seen['wall_ms']:6.1f} ms, CPU {seen['cpu_ms']:6.1f} ms",
                flush=True,
            )


if __name__ == "__main__":
    main()
