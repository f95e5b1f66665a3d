"""CPU of sending replies right after their messages were answered (Telegram), in process; checkouts side by side.

What the webhook does after dispatch, and nothing else: for each of USERS officers a reply stored claimed in the
outbox (as dispatch stores it, before the timing), then, in waves of one reply per officer at once (as the closed
loop of bench/peer_compare.py has them), `TelegramChannel._spawn(_answer_and_send(...))`: the background task, the
officer's send lock, `Delivery.send_now`, the sender, `sendMessage` on aiohttp's client to the fake Bot API (its own
process: bench/peer_compare.py's), and the outcome written. The real runtime (`build_runtime`) on `kopsehat run`'s
event loop, sends unpaced as in peer_compare. Printed per checkout: CPU per reply (time.process_time of the whole
process: the sends and their outcome writes; the delivery worker's idle poll runs as in the service), SQL statements
and transactions per reply (counted by SQLAlchemy's events), and the second checkout's CPU over the first's.

    flock /work/wt/bench.lock .venv/bin/python bench/send_path.py /work/main . --rounds 4 --backend postgresql

PostgreSQL: KOPSEHAT_TEST_DATABASE_URL (a fresh schema, dropped after).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# `--measure` runs in the checkout measured (its working directory, its .venv): its code only, not this file's
sys.path.insert(0, os.getcwd() if "--measure" in sys.argv else str(Path(__file__).resolve().parent.parent))

USERS = 16
CHAT_BASE = 7_100_000_000
# a report answer's reply, as the load of bench/peer_compare.py gets them
TEXT = (
    "Bank: Rp60.000.000\n3/79. Deposito dan simpanan di koperasi lain: Deposito di bank, simpanan di koperasi lain"
    " atau koperasi sekunder. Contoh: 25 jt, atau 0 bila tidak ada."
)


async def measure(fake: str, waves: int, warmup: int) -> dict[str, float]:
    """This checkout's (the working directory's) CPU, statements and transactions per reply."""
    from pydantic import SecretStr
    from sqlalchemy import event

    from bench import common
    from bench.common import fresh_database
    from bot import runtime as wiring
    from bot.channels.telegram.inbound import TelegramInbound
    from bot.channels.telegram.runtime import TELEGRAM_KEY
    from bot.chat.dispatch import DispatchResult, Outgoing
    from bot.chat.messages import Address, Inbound, Reply
    from bot.config import Settings
    from bot.runtime import build_runtime, load_assessment_rules
    from storage.models import utcnow
    from storage.repositories import outbox

    assert all(Path(m.__file__ or "").is_relative_to(os.getcwd()) for m in (common, outbox, wiring)), "mixed code"
    pg_url = os.environ.get("KOPSEHAT_TEST_DATABASE_URL") or None
    async with AsyncExitStack() as stack:
        db = await stack.enter_async_context(fresh_database(pg_url))
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            http_host="127.0.0.1",
            http_port=0,
            database_url=pg_url or "sqlite+aiosqlite:///unused.db",
            telegram_token=SecretStr("123456:PEER"),
            telegram_api_url=fake,
            public_url="https://bench.example",
            telegram_webhook_secret=SecretStr("bench-secret_0"),
            telegram_messages_per_second=0,
        )
        runtime = build_runtime(settings, db, load_assessment_rules(settings))
        channel = runtime.app[TELEGRAM_KEY]
        await runtime.start()
        stack.push_async_callback(runtime.stop)
        reply = Reply(TEXT)
        now = utcnow()
        rows = [
            {
                "dedupe_key": f"bench-send:{wave}:{user}",
                "channel": "telegram",
                "recipient": str(CHAT_BASE + user),
                "kind": "reply",
                "priority": 0,
                "payload": reply.to_json(),
                "created_at": now,
                "updated_at": now,
                "status": "sending",
                "claimed_until": now + timedelta(minutes=2),
                "attempts": 1,
            }
            for wave in range(warmup + waves)
            for user in range(USERS)
        ]
        async with db.transaction() as repos:
            ids = await repos.outbox.enqueue_new(rows)
        counts = {"statements": 0, "transactions": 0, "writes": 0, "written": 0}

        def statement(*_: Any) -> None:
            counts["statements"] += 1

        def begun(*_: Any) -> None:
            counts["transactions"] += 1

        original = outbox.record_sent

        async def record_sent(on: Any, sent: Any, *args: Any) -> None:  # counted: outcome writes and their rows
            counts["writes"] += 1
            counts["written"] += len(sent)
            await original(on, sent, *args)

        outbox.record_sent = record_sent  # type: ignore[assignment]
        event.listen(db.engine.sync_engine, "before_cursor_execute", statement)
        event.listen(db.engine.sync_engine, "commit", begun)
        at = datetime.now(UTC)

        async def wave(n: int) -> None:
            for user in range(USERS):
                address = Address("telegram", str(CHAT_BASE + user))
                key = f"bench-send:{n}:{user}"
                outgoing = (Outgoing(ids[key], key, address, reply, claimed=True),)
                item = TelegramInbound(Inbound(address, f"m{n}-{user}", at, text="1"))
                channel._spawn(channel._answer_and_send(item, DispatchResult(duplicate=False, outgoing=outgoing)))
            await channel.idle()

        for n in range(warmup):
            await wave(n)
        counts.update(statements=0, transactions=0, writes=0, written=0)
        started, cpu = time.perf_counter(), time.process_time()
        for n in range(warmup, warmup + waves):
            await wave(n)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - started
        replies = waves * USERS
        async with db.transaction() as repos:
            by_status = await repos.outbox.count_by_status()
        assert by_status.get("sent") == len(rows), by_status
        return {
            "cpu_us": cpu / replies * 1e6,
            "statements": counts["statements"] / replies,
            "transactions": counts["transactions"] / replies,
            "rate": replies / wall,
            "group": counts["written"] / max(counts["writes"], 1),
        }


def main() -> None:
    if "--measure" in sys.argv:
        logging.basicConfig(level=logging.WARNING)
        fake, waves, warmup = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        from bot.cli.run import event_loop_factory  # the loop `kopsehat run` runs on (uvloop)

        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            print(json.dumps(runner.run(measure(fake, waves, warmup))))
        return
    from bench import peer_compare as pc
    from bench.common import checkouts_parser, measured_in

    parser = checkouts_parser(__doc__, rounds=4)
    parser.add_argument("--waves", type=int, default=150)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    if args.backend == "sqlite":
        os.environ.pop("KOPSEHAT_TEST_DATABASE_URL", None)
    port = pc.free_port()
    fake = f"http://127.0.0.1:{port}"
    script = str(Path(__file__).resolve())
    print(f"{args.backend}: {USERS} replies at once, {args.waves} waves; CPU per reply (the whole process)")
    with pc.started([sys.executable, pc.__file__, "--fake", str(port)], port):  # this checkout's fake Bot API
        for n in range(args.rounds):
            seen = []
            for root in (args.first, args.second):
                seen.append(measured_in(root, script, fake, str(args.waves), str(args.warmup)))
            parts = [
                f"{root.resolve().name}: {o['cpu_us']:.0f} µs, {o['statements']:.2f} statements,"
                f" {o['transactions']:.2f} transactions, {o['group']:.1f} outcomes a write, {o['rate']:.0f}/s"
                for root, o in zip((args.first, args.second), seen, strict=True)
            ]
            ratio = seen[1]["cpu_us"] / seen[0]["cpu_us"]
            print(
                f"  round {n + 1} (load {os.getloadavg()[0]:.1f}): " + " | ".join(parts) + f" | CPU {ratio:.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
