"""Telegram webhook benchmark: updates POSTed to /telegram/webhook of the real service, end to end, beside a bare route.

Each update is a text from one of many chats ("menu"); the service checks the secret, dispatches it (group commit:
updates arriving together share a transaction), answers 200, and sends the reply to a fake Bot API in the
background. Reported: updates per second end to end (first POST until the fake API recorded every reply), p50/p99
latency from POST to the reply recorded, and the same load against a bare aiohttp route that only answers 200, and
against the webhook with dispatch stubbed out (the edge alone: secret, parsing, 200), and the replies alone (the
same sender to the same fake API, no webhook, no database). Send pacing is off (the fake has no flood control; with
it on, sends are capped at 25/s by design). Loopback only, bounded loops. PostgreSQL is taken from
KOPSEHAT_TEST_DATABASE_URL (a fresh schema, dropped after).

    .venv/bin/python bench/telegram_webhook_bench.py --updates 2000 --concurrency 16 --backend both
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from pydantic import SecretStr

from bench.common import bare_route, fresh_database, percentile_ms, run_concurrently
from bot.channels.telegram.runtime import SECRET_HEADER, TELEGRAM_KEY, WEBHOOK_PATH
from bot.chat.dispatch import Dispatcher, DispatchResult
from bot.chat.messages import Address, Inbound, Reply
from bot.config import Settings
from bot.runtime import build_runtime, load_assessment_rules
from tests.fakes.telegram_api import FakeTelegram

SECRET = "bench-secret_0"
WARMUP = 50
CHATS = 500
REPLY_TEXT = "Menu utama: ketik lapor, status, riwayat, atau bantuan."
FIRST_CHAT = 6_000_000_000


class StubDispatcher(Dispatcher):
    """Answers nothing and stores nothing: what is left is the webhook edge's own cost."""

    async def handle_many(self, inbounds: Sequence[Inbound]) -> list[DispatchResult]:
        return [DispatchResult(duplicate=False) for _ in inbounds]


class TimedFakeTelegram(FakeTelegram):
    """The fake Bot API, noting when each chat's replies were recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.replied: dict[int, deque[float]] = defaultdict(deque)
        self.waiters: dict[int, deque[asyncio.Future[float]]] = defaultdict(deque)

    async def _send_message(self, params: dict[str, Any], files: Any) -> Any:
        result = await super()._send_message(params, files)
        chat = int(params["chat_id"])
        now = time.perf_counter()
        if self.waiters[chat]:
            self.waiters[chat].popleft().set_result(now)
        else:
            self.replied[chat].append(now)
        return result

    def reply_to(self, chat: int) -> asyncio.Future[float]:
        """A future for the next reply recorded for `chat` (already done if it came first)."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if self.replied[chat]:
            future.set_result(self.replied[chat].popleft())
        else:
            self.waiters[chat].append(future)
        return future


def update(update_id: int, chat: int) -> dict[str, Any]:
    user = {"id": chat, "is_bot": False, "first_name": "Siti", "language_code": "id"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id % 1_000_000,
            "from": user,
            "chat": {"id": chat, "type": "private", "first_name": "Siti"},
            "date": int(time.time()),
            "text": "menu",
        },
    }


async def run(pg_url: str | None, updates: int, concurrency: int) -> dict[str, float]:
    async with AsyncExitStack() as stack:
        fake = TimedFakeTelegram()
        await fake.start()
        stack.push_async_callback(fake.close)
        db = await stack.enter_async_context(fresh_database(pg_url))
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            http_host="127.0.0.1",
            http_port=0,
            database_url=pg_url or "sqlite+aiosqlite:///unused.db",
            telegram_token=SecretStr(fake.token),
            telegram_api_url=fake.url,
            public_url="https://bench.example",
            telegram_webhook_secret=SecretStr(SECRET),
        )
        runtime = build_runtime(settings, db, load_assessment_rules(settings))
        channel = runtime.app[TELEGRAM_KEY]
        channel.sender.limiter = None
        await runtime.start()
        stack.push_async_callback(runtime.stop)
        for _ in range(200):
            if channel.webhook_set:
                break
            await asyncio.sleep(0.01)
        http = await stack.enter_async_context(aiohttp.ClientSession())
        bare_url = await bare_route(stack, "/bare")
        hook_url = f"http://127.0.0.1:{runtime.port}{WEBHOOK_PATH}"
        headers = {SECRET_HEADER: SECRET}
        ids = iter(range(700_000_000, 800_000_000))

        async def bare(i: int) -> float:
            started = time.perf_counter()
            async with http.post(bare_url, json=update(i, FIRST_CHAT), headers=headers) as response:
                await response.read()
                assert response.status == 200
            return time.perf_counter() - started

        async def full(i: int) -> float:
            chat = FIRST_CHAT + i % CHATS
            replied = fake.reply_to(chat)
            started = time.perf_counter()
            async with http.post(hook_url, json=update(next(ids), chat), headers=headers) as response:
                await response.read()
                assert response.status == 200
            return await asyncio.wait_for(replied, 30) - started

        async def edge(i: int) -> float:
            started = time.perf_counter()
            async with http.post(hook_url, json=update(next(ids), FIRST_CHAT + i % CHATS), headers=headers) as answer:
                await answer.read()
                assert answer.status == 200
            return time.perf_counter() - started

        async def reply_only(i: int) -> float:
            started = time.perf_counter()
            outcome = await channel.sender.send(Address("telegram", str(FIRST_CHAT + i % CHATS)), Reply(REPLY_TEXT))
            assert outcome.status == "sent"
            return time.perf_counter() - started

        await run_concurrently(bare, WARMUP, concurrency)
        await run_concurrently(full, WARMUP, concurrency)
        bare_seconds, bare_latencies = await run_concurrently(bare, updates, concurrency)
        full_seconds, full_latencies = await run_concurrently(full, updates, concurrency)
        await channel.idle()
        replies = sum(1 for c in fake.calls_to("sendMessage") if c.status == 200)
        # The edge alone: the same webhook (secret, parsing, 200) with dispatch stubbed out, so nothing is sent.
        channel.dispatcher = StubDispatcher(db, runtime.dispatcher.bot, runtime.dispatcher.router)
        edge_seconds, edge_latencies = await run_concurrently(edge, updates, concurrency)
        # The reply alone: the same sender (python-telegram-bot on aiohttp) to the same fake, no webhook, no database.
        reply_seconds, _ = await run_concurrently(reply_only, updates, concurrency)
        return {
            "bare_rate": updates / bare_seconds,
            "bare_p50": percentile_ms(bare_latencies, 0.50),
            "bare_p99": percentile_ms(bare_latencies, 0.99),
            "full_rate": updates / full_seconds,
            "full_p50": percentile_ms(full_latencies, 0.50),
            "full_p99": percentile_ms(full_latencies, 0.99),
            "edge_rate": updates / edge_seconds,
            "edge_p99": percentile_ms(edge_latencies, 0.99),
            "reply_rate": updates / reply_seconds,
            "replies": float(replies),
        }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    pg_url = os.environ.get("KOPSEHAT_TEST_DATABASE_URL", "")
    backends: list[tuple[str, str | None]] = []
    if args.backend in ("sqlite", "both"):
        backends.append(("sqlite", None))
    if args.backend in ("postgresql", "both"):
        if not pg_url:
            print("postgresql: skipped (set KOPSEHAT_TEST_DATABASE_URL)")
        else:
            backends.append(("postgresql", pg_url))
    print(f"{args.updates} updates, concurrency {args.concurrency}, {CHATS} chats; latency in ms")
    for name, url in backends:
        r = await run(url, args.updates, args.concurrency)
        print(
            f"{name:10s} bare route: {r['bare_rate']:8.0f}/s  p50 {r['bare_p50']:6.1f}  p99 {r['bare_p99']:6.1f} | "
            f"webhook end to end: {r['full_rate']:6.0f}/s  p50 {r['full_p50']:6.1f}  p99 {r['full_p99']:6.1f} | "
            f"ratio {r['full_rate'] / r['bare_rate']:.3f} | replies {r['replies']:.0f} | "
            f"edge alone: {r['edge_rate']:6.0f}/s  p99 {r['edge_p99']:6.1f} | replies alone: {r['reply_rate']:6.0f}/s"
        )


if __name__ == "__main__":
    asyncio.run(main())
