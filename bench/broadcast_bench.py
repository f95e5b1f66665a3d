"""A broadcast to 3,000 officers through the real delivery path against a fake Telegram that allows 300 msg/s.

Usage: python bench/broadcast_bench.py [--recipients 3000] [--api-rate 300] [--headroom 0.98] [--concurrency 8]
                                       [--batch 1200] [--backend sqlite|postgresql|both]

The announcement is published with `bot.services.announcements.publish` (segment `all`), then `Delivery` (claim, send,
record) drains the outbox with a `TelegramSender` (PTB, paced by its `SendLimiter` at `headroom` x the API's rate)
against tests/fakes/telegram_api.py, which answers 429 (retry_after 1) to any sendMessage beyond `api-rate` in a
sliding second; the fake runs in its own process. Reported: elapsed / ideal (recipients / api-rate), messages lost
(rows not sent, or chats that got nothing), duplicates, 429s received. PostgreSQL comes from
KOPSEHAT_TEST_DATABASE_URL (a fresh schema, dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import multiprocessing
import os
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bench.common import fresh_database
from bot.channels.telegram.api import make_bot
from bot.channels.telegram.outbound import TelegramSender
from bot.channels.telegram.rate import SendLimiter
from bot.delivery.worker import Delivery
from bot.runtime import settle_memory
from bot.services import announcements
from bot.services.segments import parse
from storage.db import Database
from tests.fakes.telegram_api import DEFAULT_TOKEN, ApiError, FakeTelegram, UploadedFile
from tests.handlers.chat import NOW

CHAT_BASE = 700_000_000


class RateLimitedTelegram(FakeTelegram):
    """The fake, with a global limit: more than `rate` sendMessage calls in any second get 429 (retry_after 1)."""

    def __init__(self, rate: int) -> None:
        super().__init__()
        self.rate = rate
        self.accepted: collections.deque[float] = collections.deque()
        self.too_many = 0
        self.delivered: collections.Counter[int] = collections.Counter()

    async def _send_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        now = time.monotonic()
        while self.accepted and self.accepted[0] <= now - 1.0:
            self.accepted.popleft()
        if len(self.accepted) >= self.rate:
            self.too_many += 1
            raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        self.accepted.append(now)
        result = await super()._send_message(params, files)
        self.delivered[int(params["chat_id"])] += 1
        return result


def _serve_fake(rate: int, conn: Connection) -> None:
    """The fake API in its own process, as Telegram's servers are not in ours; reports its counts when told."""

    async def serve() -> None:
        fake = RateLimitedTelegram(rate)
        await fake.start()
        # A full collection walks everything the fake imported (about 100 ms here) and stamps the requests that
        # waited meanwhile at once: a second later its sliding window holds 300 and refuses one. Telegram's own
        # pauses are not kopsehat's pacing: start-up's objects are kept out of those passes.
        gc.collect()
        gc.freeze()
        conn.send(fake.url)
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        conn.send((fake.too_many, dict(fake.delivered)))
        await fake.close()

    asyncio.run(serve())


class FakeProcess:
    """Starts the rate-limited fake in a child process."""

    def __init__(self, rate: int) -> None:
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(target=_serve_fake, args=(rate, child))
        self._process.start()
        if not self._conn.poll(30):
            raise RuntimeError("the fake API did not start")
        self.url: str = self._conn.recv()

    def close(self) -> tuple[int, collections.Counter[int]]:
        self._conn.send("stop")
        too_many, delivered = self._conn.recv()
        self._process.join(10)
        return too_many, collections.Counter(delivered)


async def seed(db: Database, recipients: int) -> None:
    """Cooperatives with three officers each, every officer with a Telegram chat."""
    async with db.transaction() as repos:
        for n in range(0, recipients, 3):
            coop, _ = await repos.cooperatives.upsert({"name": f"Kop {n}", "nik": f"B{n:07d}", "type": "konsumen"})
            for k in range(min(3, recipients - n)):
                officer = await repos.officers.add(coop.id, f"Pengurus {n + k}", "ketua")
                identity = await repos.identities.get_or_create("telegram", str(CHAT_BASE + n + k))
                identity.officer_id = officer.id


async def run(db: Database, args: argparse.Namespace) -> dict[str, Any]:
    await seed(db, args.recipients)
    started = time.perf_counter()
    async with db.transaction() as repos:
        announcement = await announcements.publish(
            repos,
            text="Rapat Anggota Tahunan paling lambat 31 Desember 2026. Terima kasih.",
            segment=parse("all"),
            staff_id=None,
            now=NOW,
            quiet=None,
        )
    published = time.perf_counter() - started
    fake = FakeProcess(args.api_rate)
    bot = make_bot(DEFAULT_TOKEN, fake.url, pool_size=args.concurrency * 2)
    await bot.initialize()
    settle_memory()  # as `kopsehat run` does once started
    # No burst: requests bunch up on their way, and the fake counts arrivals (a burst of 5 already drew 429s).
    limiter = SendLimiter(per_second=args.api_rate * args.headroom, overall_burst=1)
    sender = TelegramSender(bot, chunk_interval=0, limiter=limiter)
    delivery = Delivery(db, {"telegram": sender}, batch=args.batch, concurrency=args.concurrency)
    try:
        started = time.perf_counter()
        for _ in range(100_000):  # bounded: each round sends a batch or waits out a retry
            handled = await delivery.drain_once()
            async with db.transaction() as repos:
                progress = await announcements.progress(repos, announcement.id)
            if progress.pending == 0:
                break
            if not handled:
                await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        await bot.shutdown()
        too_many, delivered = fake.close()
    ideal = args.recipients / args.api_rate
    got = {chat - CHAT_BASE for chat in delivered}
    return {
        "recipients": announcement.recipients,
        "publish_s": published,
        "elapsed_s": elapsed,
        "ratio": elapsed / ideal,
        "sent_rows": progress.sent,
        "lost": args.recipients - len(got) + (args.recipients - progress.sent),
        "duplicates": sum(count - 1 for count in delivered.values()),
        "429s": too_many,
    }


async def on_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    url = os.environ.get("KOPSEHAT_TEST_DATABASE_URL", "") if backend == "postgresql" else None
    if url == "":
        raise SystemExit("KOPSEHAT_TEST_DATABASE_URL is needed for --backend postgresql")
    async with fresh_database(url) as db:
        return await run(db, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=3000)
    parser.add_argument("--api-rate", type=int, default=300)
    parser.add_argument("--headroom", type=float, default=0.98, help="pace at this fraction of the API's rate")
    parser.add_argument("--concurrency", type=int, default=8, help="recipients served at once by Delivery")
    parser.add_argument(
        "--batch", type=int, default=1200, help="rows claimed per round (sendable well within the 2-minute lease)"
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    args = parser.parse_args()
    ideal = args.recipients / args.api_rate
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        result = asyncio.run(on_backend(backend, args))
        print(
            f"{backend:<10} {result['recipients']} recipients (published in {result['publish_s']:.2f} s): "
            f"delivered in {result['elapsed_s']:.2f} s, {result['ratio']:.3f} x ideal {ideal:.0f} s; "
            f"lost {result['lost']}, duplicates {result['duplicates']}, 429s {result['429s']}"
        )


if __name__ == "__main__":
    main()
